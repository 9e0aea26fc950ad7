package screens

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/localdb"
	"kefu/shop"
)

const (
	chatListLimit   = 500
	threadPageLimit = 50
)

// chatSection is the chat workspace: the conversation list, waiting ones first, and the open
// conversation's thread with the composer.
type chatSection struct {
	env         *env
	data        ChatData
	warn, alert time.Duration

	search  *searchEntry
	filter  *widget.Select
	filters []localdb.ConversationFilter
	current localdb.ConversationFilter
	picker  *picker
	convs   []shop.Conversation
	count   *widget.RichText

	open     *shop.Conversation // the conversation in the detail pane
	nick     *widget.Label
	info     *widget.RichText
	thread   *thread
	composer *composer
	send     *widget.Button
	empty    *widget.Label
	pane     *fyne.Container
	body     fyne.CanvasObject

	box fyne.CanvasObject
}

func newChatSection(e *env, data ChatData, desk func(fyne.Shortcut) bool) *chatSection {
	c := &chatSection{env: e, data: data, warn: defaultWarnAfter, alert: defaultAlertAfter}
	c.search = newSearchEntry(lang.L("Search by nick"), desk, func(string) { c.onSearch() })
	c.filters = []localdb.ConversationFilter{localdb.FilterAll, localdb.FilterWaiting, localdb.FilterMine, localdb.FilterClosed}
	c.filter = widget.NewSelect([]string{lang.L("All open"), lang.L("Waiting"), lang.L("Mine"), lang.L("Closed")}, nil)
	c.filter.SetSelectedIndex(0)
	c.filter.OnChanged = func(string) { c.onFilter() }
	c.current = localdb.FilterAll
	c.picker = newPicker(func() int { return len(c.convs) }, newConvRow, c.updateRow, c.onPick)
	c.count = newCaption("")

	c.nick = newHeading("")
	c.info = newCaption("")
	c.thread = newThread()
	c.composer = newComposer(lang.L("Type a reply: Enter sends, Shift+Enter starts a new line"), desk, c.onSend)
	c.send = widget.NewButtonWithIcon(lang.L("Send"), theme.MailSendIcon(), func() { c.onSend(c.composer.Text) })
	c.send.Importance = widget.HighImportance
	c.empty = widget.NewLabelWithStyle(lang.L("No conversation is open. Pick one on the left."), fyne.TextAlignCenter, fyne.TextStyle{})

	header := container.NewVBox(c.nick, c.info)
	compose := container.NewBorder(nil, nil, nil, container.NewVBox(layout.NewSpacer(), c.send), c.composer)
	c.body = container.NewBorder(container.NewVBox(header, widget.NewSeparator()), container.NewVBox(widget.NewSeparator(), compose), nil, nil, c.thread)
	c.pane = container.NewStack(container.NewCenter(c.empty), c.body)
	c.body.Hide()

	top := container.NewBorder(nil, nil, nil, c.filter, c.search)
	left := container.NewBorder(top, c.count, nil, nil, c.picker.list)
	split := container.NewHSplit(left, c.pane)
	split.Offset = 0.34
	c.box = split
	return c
}

func (c *chatSection) content() fyne.CanvasObject { return c.box }
func (c *chatSection) searchEntry() *searchEntry  { return c.search }
func (c *chatSection) watches(t shop.EntityType) bool {
	return t == shop.TypeConversation || t == shop.TypeMessage || t == shop.TypeCustomer
}

// tick redraws the visible rows so waiting times count up and change colour.
func (c *chatSection) tick() { c.picker.list.Refresh() }

func (c *chatSection) onSearch() { c.load(true) }

func (c *chatSection) onFilter() {
	if i := c.filter.SelectedIndex(); i >= 0 && i < len(c.filters) {
		c.current = c.filters[i]
	}
	c.load(true)
}

// reload re-reads the list and the open conversation after the data changed.
func (c *chatSection) reload() { c.load(false) }

// load reads the conversation list. After a new search or filter the first match opens.
func (c *chatSection) load(fresh bool) {
	convs, err := c.data.Conversations(c.current, c.env.staff.Number, c.search.Text, chatListLimit)
	if err != nil {
		c.convs = nil
		setCaption(c.count, fmt.Sprintf(lang.L("Could not read the conversations: %v"), err))
		c.picker.list.Refresh()
		return
	}
	c.convs = convs
	setCaption(c.count, countText(lang.L("%d conversations"), len(convs), chatListLimit))
	c.picker.list.Refresh()
	if fresh || c.open == nil {
		if len(convs) > 0 {
			c.picker.highlight(0)
			c.show(convs[0])
		} else if fresh {
			c.picker.highlight(-1)
			c.closeDetail()
		}
		return
	}
	c.picker.highlight(c.indexOf(c.open.ID))
	var conv shop.Conversation
	if _, ok, err := c.env.writer.Get(shop.TypeConversation, c.open.ID, &conv); err == nil && ok {
		c.show(conv)
	}
}

// closeDetail empties the detail pane when a search or filter finds nothing.
func (c *chatSection) closeDetail() {
	c.open = nil
	c.composer.SetText("")
	c.empty.SetText(lang.L("Nothing matches the search and filter."))
	c.body.Hide()
	c.empty.Show()
}

func (c *chatSection) indexOf(id string) int {
	for i, cv := range c.convs {
		if cv.ID == id {
			return i
		}
	}
	return -1
}

// onPick opens the conversation the staff member selected and marks it read.
func (c *chatSection) onPick(i int) {
	if i < 0 || i >= len(c.convs) {
		return
	}
	conv := c.convs[i]
	c.show(conv)
	if conv.Unread > 0 && c.env.apply(shop.KindChatRead, conv.ID, 0, nil) == nil {
		c.load(false)
	}
}

// show puts a conversation in the detail pane with its latest messages.
func (c *chatSection) show(conv shop.Conversation) {
	switching := c.open == nil || c.open.ID != conv.ID
	c.open = &conv
	c.empty.SetText(lang.L("No conversation is open. Pick one on the left."))
	c.nick.SetText(conv.Nick)
	info := []string{}
	if cu, err := c.data.Customer(conv.CustomerID); err == nil {
		info = append(info, cu.Name, cu.Phone, cu.City)
		if cu.VIP > 0 {
			info = append(info, fmt.Sprintf("VIP %d", cu.VIP))
		}
	}
	switch {
	case conv.Closed:
		info = append(info, lang.L("Closed"))
	case conv.Assignee == "":
		info = append(info, lang.L("Unassigned"))
	default:
		info = append(info, fmt.Sprintf(lang.L("Assigned to %s"), staffLabel(conv.Assignee)))
	}
	setCaption(c.info, joinNonEmpty(" · ", info...))
	c.showThread(conv, switching)
	if switching {
		c.composer.SetText("")
	}
	c.empty.Hide()
	c.body.Show()
}

func (c *chatSection) showThread(conv shop.Conversation, toNewest bool) {
	msgs, err := c.data.Messages(conv.ID, "", threadPageLimit)
	if err != nil {
		c.thread.set([]bubbleData{{from: shop.FromSystem, text: fmt.Sprintf(lang.L("Could not read the messages: %v"), err)}}, true)
		return
	}
	now := c.env.now()
	items := make([]bubbleData, 0, len(msgs))
	for _, m := range msgs {
		items = append(items, c.bubbleOf(conv, m, now))
	}
	c.thread.set(items, toNewest)
}

func (c *chatSection) bubbleOf(conv shop.Conversation, m shop.Message, now time.Time) bubbleData {
	b := bubbleData{id: m.ID, from: m.From, text: m.Text}
	if m.Card != nil {
		b.text = strings.TrimSpace(joinNonEmpty("\n", m.Text, "["+m.Card.Title+"]", strings.Join(m.Card.Lines, "\n")))
	}
	when := fmtWhen(m.At, now)
	switch m.From {
	case shop.FromCustomer:
		b.meta = conv.Nick + " · " + when
	case shop.FromStaff:
		b.meta = joinNonEmpty(" · ", staffLabel(m.Staff), when)
	case shop.FromAuto:
		b.meta = lang.L("Auto-reply") + " · " + when
	default:
		b.meta = when
	}
	if c.env.writer.IsPending(shop.TypeMessage, m.ID) {
		b.pending = true
		b.meta += " · " + lang.L("Pending")
	}
	return b
}

// onSend sends the composer's text into the open conversation.
func (c *chatSection) onSend(text string) {
	text = strings.TrimSpace(text)
	if text == "" || c.open == nil {
		return
	}
	conv := c.open.ID
	err := c.env.apply(shop.KindChatSend, conv, 0, shop.ChatSend{MessageID: shop.NewID(), Text: text})
	if err != nil {
		return
	}
	c.composer.SetText("")
	c.load(false)
	c.thread.scroll.ScrollToBottom()
}

// convRow is one row of the conversation list.
type convRow struct {
	widget.BaseWidget
	nick, unread *widget.Label
	when, last   *widget.RichText
}

func newConvRow() fyne.CanvasObject {
	r := &convRow{nick: newHeading(""), unread: widget.NewLabel(""), last: newCaption(""),
		when: alignStyled(newStyled("", theme.SizeNameText, theme.ColorNamePlaceHolder), fyne.TextAlignTrailing)}
	r.unread.Importance = widget.HighImportance
	r.unread.TextStyle.Bold = true
	r.ExtendBaseWidget(r)
	return r
}

func (r *convRow) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewBorder(nil, nil, nil, r.when, r.nick)
	bottom := container.NewBorder(nil, nil, nil, r.unread, r.last)
	return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), top, bottom))
}

func (c *chatSection) updateRow(i int, o fyne.CanvasObject) {
	r := o.(*convRow)
	if i < 0 || i >= len(c.convs) {
		return
	}
	conv := c.convs[i]
	now := c.env.now()
	setLabel(r.nick, conv.Nick, widget.MediumImportance)
	if w := conv.Waiting(now); w > 0 {
		setStyled(r.when, fmt.Sprintf(lang.L("Waiting %s"), fmtWait(w)), waitColor(w, c.warn, c.alert), true)
	} else {
		setStyled(r.when, fmtWhen(conv.LastAt, now), theme.ColorNamePlaceHolder, false)
	}
	setCaption(r.last, conv.LastText)
	unread := ""
	if conv.Unread > 0 {
		unread = fmt.Sprint(conv.Unread)
	}
	setLabel(r.unread, unread, widget.HighImportance)
}
