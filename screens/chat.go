package screens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

const (
	chatListLimit   = 200
	threadPageLimit = 50
)

// chatStore is everything the chat workspace reads: the list and thread, and what the customer
// panel, quick phrases and auto-reply editor show.
type chatStore interface {
	ChatData
	ChatMoreData
	ChannelData
}

// chatSection is the chat workspace: the conversation list, waiting ones first; the open
// conversation's thread with the composer; and the customer panel beside it.
type chatSection struct {
	list        listDetail[shop.Conversation] // the conversations and the open one
	reopenLoad  latest                        // the open conversation being read again
	alertLoad   latest                        // the waits being checked for alerts (checkAlerts)
	threadLoad  latest                        // the open conversation's messages being read
	channelLoad latest                        // the channels' names being read (loadChannelNames)
	env         *env
	data        chatStore
	warn, alert time.Duration
	serverURL   string // the store server's address, for the chat link when the shop has none

	// scrollTarget is the message a search chose, to scroll to once it is shown; foundMessage
	// the last one reached (search_open.go).
	scrollTarget, foundMessage string

	search  *searchEntry
	filter  *widget.Select
	filters []desk.ConversationFilter
	current desk.ConversationFilter
	picker  *picker
	convs   []shop.Conversation
	count   *widget.RichText

	open      *shop.Conversation // the conversation in the detail pane
	nick      *widget.Label
	info      *widget.RichText
	claimBtn  *widget.Button
	transfer  *widget.Button
	closeBtn  *widget.Button
	moreBtn   *widget.Button
	thread    *thread
	composer  *chatComposer
	suggest   *phraseSuggest
	send      *widget.Button
	sigLine   *widget.RichText // the staff member's signature line (个性签名)
	empty     *widget.Label
	pane      *fyne.Container
	body      fyne.CanvasObject
	panel     *customerPanel
	shown     int  // how many messages of the open conversation are loaded (grows as history pages in)
	allShown  bool // the oldest message is loaded
	paging    bool
	firstShow string // id of the oldest message shown

	channelNames map[string]string        // channel id → name, for the conversations' tags
	deliveries   map[string]shop.Delivery // the open thread's deliveries by message id

	// notified remembers, per conversation, the wait that raised a desktop notification, so
	// each wait notifies once; alerts counts the notifications raised.
	notified map[string]time.Time
	alerts   int
	overdueN int // conversations waiting past the red threshold at the last check
	notify   func(*fyne.Notification)

	box fyne.CanvasObject
}

func newChatSection(e *env, data chatStore, keys func(fyne.Shortcut) bool) *chatSection {
	c := &chatSection{env: e, data: data, notified: map[string]time.Time{}}
	c.warn, c.alert = loadWaitThresholds(e.app)
	c.notify = func(n *fyne.Notification) {
		if e.app != nil {
			e.app.SendNotification(n)
		}
	}
	c.search = newSearchEntry(lang.L("Search by nick"), keys, func(string) { c.onSearch() })
	c.filters = []desk.ConversationFilter{desk.FilterAll, desk.FilterWaiting, desk.FilterMine, desk.FilterClosed}
	c.filter = widget.NewSelect([]string{lang.L("All open"), lang.L("Waiting"), lang.L("Mine"), lang.L("Closed")}, nil)
	c.filter.SetSelectedIndex(0)
	c.filter.OnChanged = func(string) { c.onFilter() }
	c.current = desk.FilterAll
	c.picker = newPicker(func() int { return len(c.convs) }, newConvRow, c.updateRow, c.onPick)
	c.count = newCaption("")

	c.nick = newHeading("")
	c.info = newCaption("")
	// Who holds the conversation and how long the customer waits must stay readable beside
	// the actions: on a narrow thread (1280 px, English) it takes a second line, never an "…".
	c.info.Truncation, c.info.Wrapping = fyne.TextTruncateOff, fyne.TextWrapWord
	c.claimBtn = widget.NewButtonWithIcon(lang.X("chat.claim", "Claim"), theme.AccountIcon(), c.onClaim)
	c.transfer = widget.NewButtonWithIcon(lang.X("chat.transfer", "Transfer"), theme.MailForwardIcon(), c.onTransfer)
	c.closeBtn = widget.NewButtonWithIcon(lang.L("End chat"), theme.CancelIcon(), c.onClose)
	c.moreBtn = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), c.showMore)
	c.thread = newThread()
	c.thread.onTop = c.loadOlder
	c.composer = newChatComposer(lang.L("Type a reply: Enter sends, Shift+Enter starts a new line"), keys, c.onSend)
	c.suggest = newPhraseSuggest(c)
	c.send = widget.NewButtonWithIcon(lang.L("Send"), theme.MailSendIcon(), func() { c.onSend(c.composer.Text) })
	c.send.Importance = widget.HighImportance
	c.empty = widget.NewLabelWithStyle(lang.L("No conversation is open. Pick one on the left."), fyne.TextAlignCenter, fyne.TextStyle{})
	c.list = listDetail[shop.Conversation]{env: e, picker: c.picker, count: c.count, items: &c.convs, idOf: func(x shop.Conversation) string { return x.ID },
		failed:    lang.L("Could not read the conversations: %v"),
		isOpen:    func() bool { return c.open != nil },
		openFirst: func(list []shop.Conversation) { c.picker.highlight(0); c.show(list[0]) },
		reopen:    c.reopen,
		clear:     c.closeDetail,
		shown: func(list []shop.Conversation) string {
			return countText("%d conversations", len(list), chatListLimit)
		},
	}
	c.panel = newCustomerPanel(c)

	actions := container.NewHBox(c.claimBtn, c.transfer, c.closeBtn, c.moreBtn)
	header := container.NewBorder(nil, nil, nil, container.NewCenter(actions), container.NewVBox(c.nick, c.info))
	compose := container.NewBorder(nil, nil, nil, container.NewVBox(layout.NewSpacer(), c.send), c.composer)
	c.sigLine = newCaption("")
	bottom := container.NewVBox(widget.NewSeparator(), c.suggest.box, compose, c.suggest.warn, c.sigLine)
	c.body = container.NewBorder(container.NewVBox(header, widget.NewSeparator()), bottom, nil, nil, c.thread)
	c.pane = container.NewStack(container.NewCenter(c.empty), c.body)
	c.body.Hide()

	detail := container.NewHSplit(c.pane, c.panel.box)
	detail.Offset = 0.64
	top := container.NewBorder(nil, nil, nil, c.filter, c.search)
	left := container.NewBorder(top, c.count, nil, nil, c.picker.list)
	split := container.NewHSplit(left, detail)
	split.Offset = 0.27
	c.box = split
	return c
}

func (c *chatSection) content() fyne.CanvasObject { return c.box }
func (c *chatSection) searchEntry() *searchEntry  { return c.search }
func (c *chatSection) watches(t shop.EntityType) bool {
	switch t {
	case shop.TypeConversation, shop.TypeMessage, shop.TypeCustomer, shop.TypeOrder, shop.TypeNote,
		shop.TypeCase, shop.TypeReview, shop.TypeProduct, shop.TypePhrase, shop.TypeChannel, shop.TypeDelivery:
		return true
	}
	return false
}

// tick redraws the visible rows so waiting times count up and change colour.
func (c *chatSection) tick() {
	c.picker.list.Refresh()
	c.showInfo()
}

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
	f, staff, q := c.current, c.env.staff.Number, c.search.Text
	c.loadChannelNames()
	c.list.load(fresh, func(ctx context.Context) ([]shop.Conversation, error) {
		return c.data.Conversations(ctx, f, staff, q, chatListLimit)
	})
}

// reopen shows the open conversation afresh, as stored now, and highlights it in the list.
func (c *chatSection) reopen() {
	c.picker.highlight(c.list.index(c.open.ID))
	id := c.open.ID
	latestRun(&c.reopenLoad, c.env, func(ctx context.Context) (shop.Conversation, error) {
		conv, _, err := getEntity[shop.Conversation](ctx, c.env.writer, shop.TypeConversation, id)
		return conv, err
	}, func(conv shop.Conversation, err error) {
		if err == nil && c.open != nil && c.open.ID == id {
			c.show(conv)
		}
	})
}

// closeDetail empties the detail pane when a search or filter finds nothing.
func (c *chatSection) closeDetail() {
	c.open = nil
	c.composer.SetText("")
	c.suggest.hide()
	c.empty.SetText(lang.L("Nothing matches the search and filter."))
	c.body.Hide()
	c.empty.Show()
	c.panel.show(nil)
}

// onPick opens the conversation the staff member selected and marks it read.
func (c *chatSection) onPick(i int) {
	if i < 0 || i >= len(c.convs) {
		return
	}
	conv := c.convs[i]
	c.show(conv)
	if conv.Unread > 0 {
		c.env.apply(shop.KindChatRead, conv.ID, 0, nil, func(err error) {
			if err == nil {
				c.load(false)
			}
		})
	}
	if c.env.win != nil {
		c.env.win.Canvas().Focus(c.composer)
	}
}

// jumpToLongest opens the conversation that has waited longest (Alt+Down).
func (c *chatSection) jumpToLongest() {
	background(c.env, func(ctx context.Context) ([]shop.Conversation, error) {
		return c.data.Conversations(ctx, desk.FilterWaiting, "", "", 1)
	}, func(first []shop.Conversation, err error) {
		if err != nil || len(first) == 0 {
			return
		}
		if i := c.list.index(first[0].ID); i >= 0 {
			c.picker.highlight(i)
			c.picker.list.ScrollTo(i)
			c.onPick(i)
			return
		}
		// Not in the list as filtered: show all open conversations (the longest wait is
		// first) with this one open.
		conv := first[0]
		c.openConversation(conv, "")
		c.picker.list.ScrollToTop()
		if conv.Unread > 0 {
			c.env.apply(shop.KindChatRead, conv.ID, 0, nil, c.reloaded)
		}
	})
}

// show puts a conversation in the detail pane with its latest messages.
func (c *chatSection) show(conv shop.Conversation) {
	switching := c.open == nil || c.open.ID != conv.ID
	c.open = &conv
	c.empty.SetText(lang.L("No conversation is open. Pick one on the left."))
	c.nick.SetText(conv.Nick)
	c.showInfo()
	c.updateActions(conv)
	setCaption(c.sigLine, joinNonEmpty("：", lang.X("chat.signature", "Signature"), c.signature()))
	if switching {
		c.shown, c.allShown = threadPageLimit, false
		c.composer.SetText("")
		c.suggest.hide()
	}
	c.showThread(conv, switching)
	c.empty.Hide()
	c.body.Show()
	c.panel.show(&conv)
}

// showInfo shows who holds the open conversation and how long the customer has waited.
func (c *chatSection) showInfo() {
	if c.open == nil {
		return
	}
	conv := *c.open
	info := []string{c.channelTag(conv)}
	switch {
	case conv.Closed:
		info = append(info, lang.L("Closed"))
	case conv.Assignee == "":
		info = append(info, lang.L("Unassigned"))
	default:
		info = append(info, fmt.Sprintf(lang.L("Assigned to %s"), staffLabel(conv.Assignee)))
	}
	if w := conv.Waiting(c.env.now()); w > 0 {
		info = append(info, fmt.Sprintf(lang.L("Waiting %s"), fmtWait(w)))
	}
	setCaption(c.info, joinNonEmpty(" · ", info...))
}

// updateActions enables the assignment buttons that make sense for the conversation.
func (c *chatSection) updateActions(conv shop.Conversation) {
	if conv.Assignee == c.env.staff.Number || conv.Closed {
		c.claimBtn.Disable()
	} else {
		c.claimBtn.Enable()
	}
	if conv.Closed {
		c.closeBtn.SetText(lang.X("chat.reopen", "Reopen"))
		c.closeBtn.SetIcon(theme.ViewRefreshIcon())
	} else {
		c.closeBtn.SetText(lang.L("End chat"))
		c.closeBtn.SetIcon(theme.CancelIcon())
	}
}

func (c *chatSection) showThread(conv shop.Conversation, toNewest bool) {
	n := max(c.shown, threadPageLimit)
	latestRun(&c.threadLoad, c.env, func(ctx context.Context) (threadPage, error) {
		return c.readThread(ctx, conv, "", n)
	}, func(p threadPage, err error) { c.drawThread(conv, p, err, toNewest) })
}

// drawThread shows the messages just read (or why they could not be).
func (c *chatSection) drawThread(conv shop.Conversation, p threadPage, err error, toNewest bool) {
	msgs := p.msgs
	c.keepDeliveries(p, true)
	if err != nil {
		c.thread.set([]bubbleData{{from: shop.FromSystem, text: fmt.Sprintf(lang.L("Could not read the messages: %v"), err)}}, true)
		return
	}
	if len(msgs) < c.shown {
		c.allShown = true
	}
	c.firstShow = ""
	if len(msgs) > 0 {
		c.firstShow = msgs[0].ID
	}
	c.thread.set(c.bubbles(conv, msgs), toNewest)
	c.reachTarget()
}

// loadOlder pages in the 50 messages before the oldest one shown; the thread calls it when
// the staff member scrolls to the top.
func (c *chatSection) loadOlder() {
	if c.open == nil || c.allShown || c.paging || c.firstShow == "" {
		return
	}
	c.paging = true
	conv, before := *c.open, c.firstShow
	background(c.env, func(ctx context.Context) (threadPage, error) {
		return c.readThread(ctx, conv, before, threadPageLimit)
	}, func(p threadPage, err error) {
		msgs := p.msgs
		c.paging = false
		if err != nil || c.open == nil || c.open.ID != conv.ID || c.firstShow != before {
			return
		}
		if len(msgs) < threadPageLimit {
			c.allShown = true
		}
		if len(msgs) == 0 {
			return
		}
		c.keepDeliveries(p, false)
		c.shown += len(msgs)
		c.firstShow = msgs[0].ID
		c.thread.prepend(c.bubbles(*c.open, msgs))
	})
}

func (c *chatSection) bubbles(conv shop.Conversation, msgs []shop.Message) []bubbleData {
	now := c.env.now()
	items := make([]bubbleData, 0, len(msgs))
	for _, m := range msgs {
		items = append(items, c.bubbleOf(conv, m, now))
	}
	return items
}

func (c *chatSection) bubbleOf(conv shop.Conversation, m shop.Message, now time.Time) bubbleData {
	b := bubbleData{id: m.ID, from: m.From, text: m.Text}
	if m.Card != nil {
		b.text = strings.TrimSpace(joinNonEmpty("\n", m.Text, "【"+m.Card.Title+"】", strings.Join(m.Card.Lines, "\n")))
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
	if m.From == shop.FromStaff && c.env.writer.IsPending(shop.TypeMessage, m.ID) {
		b.pending = true
		b.meta += " · " + lang.L("Pending")
	} else if d, ok := c.deliveries[m.ID]; ok && conv.Channel != "" {
		text, failed := deliveryText(d)
		b.meta += " · " + text
		b.failed = failed
	}
	return b
}

// onSend sends the composer's text into the open conversation. With the phrase suggestions
// open, Enter picks the highlighted phrase instead.
func (c *chatSection) onSend(text string) {
	if c.suggest.visible() {
		c.suggest.pickSelected()
		return
	}
	text = strings.TrimSpace(text)
	if text == "" || c.open == nil || c.sendBlocked(text) {
		return
	}
	c.sendMessage(text, nil, func(err error) {
		if err == nil {
			c.composer.SetText("")
		}
	})
}

// sendMessage records a staff message (and card) in the open conversation; done (if set)
// gets how it went.
func (c *chatSection) sendMessage(text string, card *shop.Card, done func(error)) {
	if c.open == nil {
		if done != nil {
			done(errNoConversation)
		}
		return
	}
	c.env.apply(shop.KindChatSend, c.open.ID, 0, shop.ChatSend{MessageID: shop.NewID(), Text: text, Card: card}, func(err error) {
		if err == nil {
			c.load(false)
			c.thread.scroll.ScrollToBottom()
			c.focusComposer()
		}
		if done != nil {
			done(err)
		}
	})
}

// convRow is one row of the conversation list.
type convRow struct {
	widget.BaseWidget
	nick, unread    *widget.Label
	when, last, tag *widget.RichText // tag: the channel the conversation came through
}

func newConvRow() fyne.CanvasObject {
	r := &convRow{nick: newHeading(""), unread: widget.NewLabel(""), last: newCaption(""),
		tag:  alignStyled(newStyled("", theme.SizeNameCaptionText, theme.ColorNamePrimary), fyne.TextAlignTrailing),
		when: alignStyled(newStyled("", theme.SizeNameText, theme.ColorNamePlaceHolder), fyne.TextAlignTrailing)}
	r.unread.Importance = widget.HighImportance
	r.unread.TextStyle.Bold = true
	r.ExtendBaseWidget(r)
	return r
}

func (r *convRow) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewBorder(nil, nil, nil, container.NewHBox(r.tag, r.when), r.nick)
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
	setCaption(r.tag, c.channelTag(conv))
	unread := ""
	if conv.Unread > 0 {
		unread = fmt.Sprint(conv.Unread)
	}
	setLabel(r.unread, unread, widget.HighImportance)
}
