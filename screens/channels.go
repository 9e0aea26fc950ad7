package screens

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// ChannelData is what the chat reads about API channels from the desk's store: the channels
// (for the conversations' tags) and the deliveries of a thread's messages.
type ChannelData interface {
	Channels(ctx context.Context) ([]shop.Channel, error)
	Deliveries(ctx context.Context, messageIDs []string) (map[string]shop.Delivery, error)
}

// ChannelAdmin is how owners and managers manage the shop's API channels and its website
// widget: on the server, so every call needs it to answer.
type ChannelAdmin interface {
	FetchChannels(ctx context.Context) ([]shop.Channel, error)
	CreateChannel(ctx context.Context, name, webhook string) (shop.Channel, string, error)
	UpdateChannel(ctx context.Context, id string, c desk.ChannelChange) (shop.Channel, error)
	DeleteChannel(ctx context.Context, id string) error
	RotateChannelSecret(ctx context.Context, id string) (string, error)
	ChannelDeliveries(ctx context.Context, id string, limit int) ([]shop.Delivery, error)
	WidgetSites(ctx context.Context) ([]string, error)
	SetWidgetSites(ctx context.Context, sites []string) ([]string, error)
	WidgetSnippet(ctx context.Context) string
}

// iconChannels is the rail's entry to the Channels screen (Material Design's "link").
var iconChannels = svgIcon("channels.svg", "M3.9 12c0-1.71 1.39-3.1 3.1-3.1h4V7H7c-2.76 0-5 2.24-5 5s2.24 5 5 5h4v-1.9H7c-1.71 0-3.1-1.39-3.1-3.1zM8 13h8v-2H8v2zm9-6h-4v1.9h4c1.71 0 3.1 1.39 3.1 3.1s-1.39 3.1-3.1 3.1h-4V17h4c2.76 0 5-2.24 5-5s-2.24-5-5-5z")

// deliveryLogLimit is how many of a channel's deliveries the log shows.
const deliveryLogLimit = 200

// logRow is one delivery of the log with what the desk knows of its message.
type logRow struct {
	d    shop.Delivery
	text string // the message's text
	nick string // the conversation's customer
}

// channelsScreen is the Channels screen, for owners and managers: the shop's API channels
// (create, rename and re-point, pause and resume, rotate the secret, delete) with each
// channel's delivery log, and the website widget's allowed sites with its snippet. It opens
// over the window and reads the server, not the desk's store.
type channelsScreen struct {
	env  *env
	data ChannelAdmin

	dlg      dialog.Dialog
	msg      *widget.Label // why the server could not be asked, or what it refused
	chans    []shop.Channel
	picker   *picker
	sel      *shop.Channel
	logLoad  latest
	log      []logRow
	logList  *widget.List
	empty    *widget.Label
	detail   *fyne.Container
	name     *widget.Label
	state    *widget.RichText
	webhook  *widget.Label
	secretAt *widget.RichText
	editBtn  *widget.Button
	pauseBtn *widget.Button
	rotate   *widget.Button
	delete   *widget.Button
	newBtn   *widget.Button
	tabs     *container.AppTabs

	sites     *deskEntry
	saveSites *widget.Button
	snippet   *widget.Label
	copySnip  *widget.Button

	// form holds the entries of the channel form while it is open (tests fill them in).
	form struct{ name, webhook *deskEntry }
	// shownSecret is the secret the secret dialog shows while it is open.
	shownSecret string
	secretVal   *widget.Label
	secretDlg   dialog.Dialog
}

func newChannelsScreen(e *env, data ChannelAdmin) *channelsScreen {
	s := &channelsScreen{env: e, data: data}
	s.msg = widget.NewLabel("")
	s.msg.Wrapping = fyne.TextWrapWord
	s.msg.Importance = widget.DangerImportance
	s.msg.Hide()
	s.picker = newPicker(func() int { return len(s.chans) }, newHeadedRow, s.updateRow, s.onPick)
	s.newBtn = widget.NewButtonWithIcon(lang.L("New channel"), theme.ContentAddIcon(), s.onNew)
	s.newBtn.Importance = widget.HighImportance

	s.name = newHeading("")
	s.state = newCaption("")
	s.webhook = widget.NewLabel("")
	s.webhook.Wrapping = fyne.TextWrapBreak
	s.secretAt = newCaption("")
	s.editBtn = widget.NewButtonWithIcon(lang.L("Edit"), theme.DocumentCreateIcon(), s.onEdit)
	s.pauseBtn = widget.NewButtonWithIcon(lang.L("Pause"), theme.MediaPauseIcon(), s.onPause)
	s.rotate = widget.NewButtonWithIcon(lang.L("New secret"), theme.ViewRefreshIcon(), s.onRotate)
	s.delete = widget.NewButtonWithIcon(lang.L("Delete"), theme.DeleteIcon(), s.onDelete)
	s.delete.Importance = widget.DangerImportance
	s.logList = widget.NewList(func() int { return len(s.log) }, newHeadedRow, s.updateLogRow)
	s.empty = widget.NewLabelWithStyle(lang.L("No channel yet. A channel brings in the customers of another platform through a small bridge."), fyne.TextAlignCenter, fyne.TextStyle{})
	s.empty.Wrapping = fyne.TextWrapWord

	actions := container.NewHBox(s.editBtn, s.pauseBtn, s.rotate, s.delete)
	head := container.NewVBox(s.name, s.state, s.webhook, s.secretAt, actions, widget.NewSeparator(),
		newHeading(lang.L("Delivery log (newest first)")))
	s.detail = container.NewBorder(head, nil, nil, nil, s.logList)
	s.detail.Hide()
	left := container.NewBorder(nil, s.newBtn, nil, nil, s.picker.list)
	split := container.NewHSplit(left, container.NewStack(container.NewVBox(layout.NewSpacer(), s.empty, layout.NewSpacer()), s.detail))
	split.Offset = 0.3

	s.sites = newDeskMultiLineEntry(e)
	s.sites.SetPlaceHolder("https://shop.example.com")
	s.sites.SetMinRowsVisible(5)
	s.saveSites = widget.NewButtonWithIcon(lang.L("Save the sites"), theme.DocumentSaveIcon(), s.onSaveSites)
	s.snippet = widget.NewLabel("")
	s.snippet.Wrapping = fyne.TextWrapBreak
	s.snippet.Selectable = true
	s.snippet.TextStyle.Monospace = true
	s.copySnip = widget.NewButtonWithIcon(lang.L("Copy the snippet"), theme.ContentCopyIcon(), func() {
		s.copy(s.snippet.Text)
	})
	widgetTab := container.NewVBox(
		newWrapLabel(lang.L("Paste this line into your website's pages to show a chat bubble that opens the shop's chat:")),
		s.snippet, container.NewHBox(s.copySnip), widget.NewSeparator(),
		newWrapLabel(lang.L("Sites allowed to embed the chat, one per line (an origin such as https://shop.example.com). Other sites cannot show it.")),
		s.sites, container.NewHBox(s.saveSites))

	s.tabs = container.NewAppTabs(
		container.NewTabItem(lang.L("Channels"), split),
		container.NewTabItem(lang.L("Website widget"), container.NewVScroll(widgetTab)))
	s.tabs.OnSelected = func(t *container.TabItem) {
		if t == s.tabs.Items[1] {
			s.loadWidget()
		}
	}
	return s
}

// show opens the screen over the window and reads the channels from the server.
func (s *channelsScreen) show() {
	if s.env.win == nil {
		return
	}
	body := container.NewBorder(s.msg, nil, nil, nil, s.tabs)
	s.dlg = dialog.NewCustom(lang.L("Channels and website widget"), lang.L("Close"), body, s.env.win)
	size := s.env.win.Canvas().Size()
	s.dlg.Resize(fyne.NewSize(max(size.Width*0.9, 720), max(size.Height*0.88, 520)))
	s.dlg.Show()
	s.tabs.SelectIndex(0)
	s.load("")
}

// load reads the channels from the server and opens the one with id keep (the first when it
// is gone or "").
func (s *channelsScreen) load(keep string) {
	background(s.env, s.data.FetchChannels, func(chs []shop.Channel, err error) {
		if err != nil {
			s.fail(err)
			return
		}
		s.clearMsg()
		s.chans = chs
		s.picker.list.Refresh()
		i := -1
		for j, ch := range chs {
			if ch.ID == keep {
				i = j
			}
		}
		if i < 0 && len(chs) > 0 {
			i = 0
		}
		if i < 0 {
			s.sel = nil
			s.detail.Hide()
			s.empty.Show()
			return
		}
		s.picker.highlight(i)
		s.showChannel(chs[i])
	})
}

func (s *channelsScreen) updateRow(i int, o fyne.CanvasObject) {
	if i < 0 || i >= len(s.chans) {
		return
	}
	ch := s.chans[i]
	r := o.(*headedRow)
	setLabel(r.title, ch.Name, widget.MediumImportance)
	imp := widget.SuccessImportance
	if ch.Paused {
		imp = widget.WarningImportance
	}
	setLabel(r.side, channelStateText(ch), imp)
	setCaption(r.detail, ch.Webhook)
}

func (s *channelsScreen) onPick(i int) {
	if i >= 0 && i < len(s.chans) {
		s.showChannel(s.chans[i])
	}
}

// channelStateText is a channel's state as the list shows it.
func channelStateText(ch shop.Channel) string {
	if ch.Paused {
		return lang.L("Paused")
	}
	return lang.L("Active")
}

// showChannel puts a channel in the detail pane and reads its delivery log.
func (s *channelsScreen) showChannel(ch shop.Channel) {
	s.sel = &ch
	s.name.SetText(ch.Name)
	setCaption(s.state, channelStateText(ch))
	s.webhook.SetText(lang.L("Webhook:") + " " + ch.Webhook)
	setCaption(s.secretAt, fmt.Sprintf(lang.L("Secret made %s · channel id %s"), fmtFull(ch.SecretAt), ch.ID))
	if ch.Paused {
		s.pauseBtn.SetText(lang.L("Resume"))
		s.pauseBtn.SetIcon(theme.MediaPlayIcon())
	} else {
		s.pauseBtn.SetText(lang.L("Pause"))
		s.pauseBtn.SetIcon(theme.MediaPauseIcon())
	}
	s.empty.Hide()
	s.detail.Show()
	s.loadLog(ch.ID)
}

// loadLog reads a channel's delivery log from the server, with the messages' texts and
// customers from the desk's store.
func (s *channelsScreen) loadLog(id string) {
	w := s.env.writer
	latestRun(&s.logLoad, s.env, func(ctx context.Context) ([]logRow, error) {
		ds, err := s.data.ChannelDeliveries(ctx, id, deliveryLogLimit)
		rows := make([]logRow, 0, len(ds))
		for _, d := range ds {
			r := logRow{d: d}
			if m, _, err := getEntity[shop.Message](ctx, w, shop.TypeMessage, d.ID); err == nil {
				r.text = oneLine(m.Text)
			}
			if c, _, err := getEntity[shop.Conversation](ctx, w, shop.TypeConversation, d.ConversationID); err == nil {
				r.nick = c.Nick
			}
			rows = append(rows, r)
		}
		return rows, err
	}, func(rows []logRow, err error) {
		if err != nil {
			s.fail(err)
		}
		s.log = rows
		s.logList.Refresh()
	})
}

func (s *channelsScreen) updateLogRow(i int, o fyne.CanvasObject) {
	if i < 0 || i >= len(s.log) {
		return
	}
	r, row := s.log[i], o.(*headedRow)
	text := r.text
	if text == "" {
		text = fmt.Sprintf(lang.L("Message %s"), r.d.ID)
	}
	state, failed := deliveryText(r.d)
	imp := widget.MediumImportance
	if failed {
		imp = widget.DangerImportance
	}
	setLabel(row.title, text, widget.MediumImportance)
	setLabel(row.side, state, imp)
	sub := []string{r.nick, fmtFull(r.d.CreatedAt)}
	if r.d.Attempts > 0 {
		sub = append(sub, pluralf(r.d.Attempts, "%d attempts", r.d.Attempts))
	}
	if r.d.LastError != "" && r.d.State != shop.DeliveryDelivered {
		sub = append(sub, oneLine(r.d.LastError))
	}
	setCaption(row.detail, joinNonEmpty(" · ", sub...))
}

// onNew asks for a new channel's name and webhook and creates it; its secret is shown once.
func (s *channelsScreen) onNew() {
	s.channelForm(lang.L("New channel"), lang.L("Create"), shop.Channel{}, func(name, hook string) {
		onServer(s, func(ctx context.Context) (created, error) {
			ch, secret, err := s.data.CreateChannel(ctx, name, hook)
			return created{ch, secret}, err
		}, func(c created) {
			s.load(c.ch.ID)
			s.showSecret(fmt.Sprintf(lang.L("Channel %s is created"), c.ch.Name), c.ch.ID, c.secret)
		})
	})
}

// created is a channel just created with its secret.
type created struct {
	ch     shop.Channel
	secret string
}

// onEdit renames or re-points the open channel.
func (s *channelsScreen) onEdit() {
	if s.sel == nil {
		return
	}
	ch := *s.sel
	s.channelForm(lang.L("Edit channel"), lang.L("Save"), ch, func(name, hook string) {
		var c desk.ChannelChange
		if name != ch.Name {
			c.Name = &name
		}
		if hook != ch.Webhook {
			c.Webhook = &hook
		}
		if c.Name == nil && c.Webhook == nil {
			return
		}
		s.change(ch.ID, c)
	})
}

// onPause pauses the open channel, or resumes a paused one.
func (s *channelsScreen) onPause() {
	if s.sel == nil {
		return
	}
	paused := !s.sel.Paused
	s.change(s.sel.ID, desk.ChannelChange{Paused: &paused})
}

// change sends a change of a channel to the server and shows the channel as changed.
func (s *channelsScreen) change(id string, c desk.ChannelChange) {
	onServer(s, func(ctx context.Context) (shop.Channel, error) {
		return s.data.UpdateChannel(ctx, id, c)
	}, func(ch shop.Channel) { s.load(ch.ID) })
}

// onRotate gives the open channel a new secret, after asking; it is shown once.
func (s *channelsScreen) onRotate() {
	if s.sel == nil {
		return
	}
	ch := *s.sel
	dialog.ShowConfirm(lang.L("New secret"),
		fmt.Sprintf(lang.L("Make a new secret for %s? The old one stops working at once: the bridge must be given the new one."), ch.Name),
		func(ok bool) {
			if ok {
				onServer(s, func(ctx context.Context) (string, error) { return s.data.RotateChannelSecret(ctx, ch.ID) },
					func(secret string) {
						s.load(ch.ID)
						s.showSecret(fmt.Sprintf(lang.L("New secret for %s"), ch.Name), ch.ID, secret)
					})
			}
		}, s.env.win)
}

// onDelete deletes the open channel, after asking.
func (s *channelsScreen) onDelete() {
	if s.sel == nil {
		return
	}
	ch := *s.sel
	dialog.ShowConfirm(lang.L("Delete channel"),
		fmt.Sprintf(lang.L("Delete %s? Its bridge can no longer send messages, and replies not yet delivered are dropped. Its conversations stay."), ch.Name),
		func(ok bool) {
			if ok {
				onServer(s, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.data.DeleteChannel(ctx, ch.ID) },
					func(struct{}) { s.load("") })
			}
		}, s.env.win)
}

// onServer runs a call on the server in the background; on Fyne's goroutine a failure is
// shown above the tabs, a success clears what was shown and goes to done.
func onServer[T any](s *channelsScreen, call func(ctx context.Context) (T, error), done func(T)) {
	background(s.env, call, func(v T, err error) {
		if err != nil {
			s.fail(err)
			return
		}
		s.clearMsg()
		done(v)
	})
}

// channelForm asks for a channel's name and webhook URL; done gets them trimmed.
func (s *channelsScreen) channelForm(title, confirm string, ch shop.Channel, done func(name, hook string)) {
	name, hook := newDeskEntry(s.env), newDeskEntry(s.env)
	name.SetText(ch.Name)
	name.SetPlaceHolder(lang.L("e.g. WeChat mini program"))
	name.Validator = func(v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New(lang.L("The channel needs a name"))
		}
		return nil
	}
	hook.SetText(ch.Webhook)
	hook.SetPlaceHolder("https://bridge.example.com/kefu")
	hook.Validator = func(v string) error {
		v = strings.TrimSpace(v)
		if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
			return errors.New(lang.L("The webhook is an http:// or https:// address"))
		}
		return nil
	}
	s.form.name, s.form.webhook = name, hook
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Channel name"), name),
		{Text: lang.L("Webhook URL"), Widget: hook, HintText: lang.L("Kefu posts every reply of the channel's conversations here, signed with the secret")},
	}
	f := dialog.NewForm(title, confirm, lang.L("Cancel"), items, func(ok bool) {
		s.form.name, s.form.webhook = nil, nil
		if ok {
			done(strings.TrimSpace(name.Text), strings.TrimSpace(hook.Text))
		}
	}, s.env.win)
	f.Resize(fyne.NewSize(560, 0))
	f.Show()
	s.env.win.Canvas().Focus(name)
}

// showSecret shows a channel's secret, this once, with a copy button and a warning.
func (s *channelsScreen) showSecret(title, id, secret string) {
	val := widget.NewLabel(secret)
	val.Selectable = true
	val.TextStyle.Monospace = true
	val.Wrapping = fyne.TextWrapBreak
	idLbl := widget.NewLabel(id)
	idLbl.Selectable = true
	idLbl.TextStyle.Monospace = true
	warn := widget.NewLabel(lang.L("Copy the secret now and give it to the bridge: it is shown this once. Whoever has it can post messages as this channel; if it is lost, make a new one."))
	warn.Wrapping = fyne.TextWrapWord
	warn.Importance = widget.WarningImportance
	copyBtn := widget.NewButtonWithIcon(lang.L("Copy the secret"), theme.ContentCopyIcon(), func() { s.copy(secret) })
	copyBtn.Importance = widget.HighImportance
	body := container.NewVBox(warn,
		widget.NewForm(widget.NewFormItem(lang.L("Channel id"), idLbl), widget.NewFormItem(lang.L("Secret"), val)),
		container.NewHBox(layout.NewSpacer(), copyBtn))
	s.shownSecret, s.secretVal = secret, val
	s.secretDlg = dialog.NewCustom(title, lang.L("I have copied it"), body, s.env.win)
	s.secretDlg.SetOnClosed(func() { s.shownSecret, s.secretVal, s.secretDlg = "", nil, nil })
	s.secretDlg.Resize(fyne.NewSize(600, 0))
	s.secretDlg.Show()
}

// copy puts text on the clipboard.
func (s *channelsScreen) copy(text string) {
	if s.env.app != nil && text != "" {
		s.env.app.Clipboard().SetContent(text)
	}
}

// loadWidget reads the widget's allowed sites and its snippet.
func (s *channelsScreen) loadWidget() {
	type widgetInfo struct {
		sites   []string
		snippet string
	}
	background(s.env, func(ctx context.Context) (widgetInfo, error) {
		sites, err := s.data.WidgetSites(ctx)
		return widgetInfo{sites, s.data.WidgetSnippet(ctx)}, err
	}, func(w widgetInfo, err error) {
		s.snippet.SetText(w.snippet)
		if err != nil {
			s.fail(err)
			return
		}
		s.clearMsg()
		s.sites.SetText(strings.Join(w.sites, "\n"))
	})
}

// onSaveSites sends the allowed sites to the server and shows them as it keeps them.
func (s *channelsScreen) onSaveSites() {
	var sites []string
	for _, l := range strings.Split(s.sites.Text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			sites = append(sites, l)
		}
	}
	onServer(s, func(ctx context.Context) ([]string, error) { return s.data.SetWidgetSites(ctx, sites) },
		func(kept []string) { s.sites.SetText(strings.Join(kept, "\n")) })
}

// fail shows why a call did not go through, above the tabs.
func (s *channelsScreen) fail(err error) {
	s.msg.SetText(channelErrorText(err))
	s.msg.Show()
}

func (s *channelsScreen) clearMsg() {
	s.msg.SetText("")
	s.msg.Hide()
}

// channelErrorText says in the window's language why a channel or widget call failed.
func channelErrorText(err error) string {
	switch {
	case errors.Is(err, desk.ErrNeedsServer):
		return lang.L("Channels and the website widget are managed on the store server, which does not answer now. Try again when the desk is online.")
	case errors.Is(err, desk.ErrForbidden):
		return lang.L("Only the shop's owner or a manager may manage channels and the website widget.")
	case errors.Is(err, desk.ErrPrivateWebhook):
		return lang.L("The server refused the webhook: its address is on this computer or a private network, which the store server may not call. Use the bridge's public address.")
	case errors.Is(err, desk.ErrSignedOut):
		return lang.L("The server no longer accepts this sign-in. Sign in again.")
	}
	if msg, ok := desk.ServerRefusal(err); ok {
		return fmt.Sprintf(lang.L("The server refused: %s"), msg)
	}
	return fmt.Sprintf(lang.L("It did not work: %v"), err)
}
