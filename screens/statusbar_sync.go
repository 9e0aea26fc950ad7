package screens

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// More kinds of sync failure the status bar words (with those of trouble.go).
const (
	CauseNetworkDown = "network_down" // this computer has no network to reach the server by
	CauseSignedOut   = "signed_out"   // the server no longer accepts the sign-in
	CauseRefused     = "refused"      // the server refused what the desk sent
	CauseFeedBehind  = "feed_behind"  // the server has less data than the desk has seen
	CauseLocal       = "local"        // the desk's own store failed
)

// reconnecter is a store whose sync engine can be told to try the server again at once
// (*desk.Desk is one).
type reconnecter interface {
	ReconnectNow()
}

// syncReason is why the desk is offline or signed out, in a few words of the window's language
// ("server unreachable", "no network"…), or "" when there is no failure to name.
func syncReason(v SyncView) string {
	switch v.Cause {
	case CauseUnreachable:
		return lang.L("server unreachable")
	case CauseNetworkDown:
		return lang.L("no network")
	case CauseServerError:
		return lang.L("server error")
	case CauseSignedOut:
		return lang.L("sign-in expired")
	case CauseWebPage, CauseNotKefuStore:
		return lang.L("not a Kefu store")
	case CauseRefused:
		return lang.L("refused by the server")
	case CauseFeedBehind:
		return lang.L("the server has older data")
	case CauseDiskFull:
		return lang.L("disk full")
	case CauseReadOnly:
		return lang.L("data folder not writable")
	case CauseLocal:
		return lang.L("local storage error")
	case CauseBadURL:
		return lang.L("wrong server address")
	case "":
		if v.Err == "" {
			return ""
		}
	}
	return lang.L("connection problem")
}

// syncLabel is the status bar's sync state: a label that opens the sync details when tapped.
type syncLabel struct {
	widget.Label
	onTapped func()
}

func newSyncLabel(tapped func()) *syncLabel {
	l := &syncLabel{onTapped: tapped}
	l.ExtendBaseWidget(l)
	return l
}

// Tapped opens the details.
func (l *syncLabel) Tapped(*fyne.PointEvent) {
	if l.onTapped != nil {
		l.onTapped()
	}
}

// Cursor shows that the label can be clicked.
func (l *syncLabel) Cursor() desktop.Cursor { return desktop.PointerCursor }

// newReconnectButton is the status bar's "reconnect now", shown while the desk is offline when
// the store's sync engine can be woken (not when signed out: signing in again helps then).
func newReconnectButton(b *statusBar) *widget.Button {
	// (Short: the bar must fit a 1366-pixel screen; the details say "reconnect now".)
	btn := widget.NewButtonWithIcon(lang.L("Reconnect"), theme.MediaReplayIcon(), b.reconnectNow)
	btn.Importance = widget.LowImportance
	btn.Hide()
	return btn
}

// canReconnect reports whether the store's sync engine can be told to try at once.
func (b *statusBar) canReconnect() bool {
	_, ok := b.data.(reconnecter)
	return ok
}

// reconnectNow asks the sync engine to try the server at once and says so until the engine
// reports how it went. ReconnectNow never blocks, so it is called here, on Fyne's goroutine.
func (b *statusBar) reconnectNow() {
	r, ok := b.data.(reconnecter)
	if !ok {
		return
	}
	r.ReconnectNow()
	if b.view.State == SyncOffline {
		setLabel(&b.sync.Label, lang.L("Reconnecting…"), widget.MediumImportance)
		b.retrying = true
	}
	if b.details != nil {
		b.details.show(b.view, true)
	}
}

// showSyncDetails opens the sync details: the state and its reason in words, the server's
// address, since when the desk is offline, when it last synced, when it tries next, and the
// error as it came, with "reconnect now".
func (b *statusBar) showSyncDetails() {
	if b.env.win == nil {
		return
	}
	d := newSyncDetails(b)
	var dlg dialog.Dialog
	if b.view.State == SyncOffline && b.canReconnect() {
		dlg = dialog.NewCustomConfirm(lang.L("Connection to the server"), lang.L("Reconnect now"), lang.L("Close"),
			d.box, func(ok bool) {
				b.details = nil
				if ok {
					b.reconnectNow()
				}
			}, b.env.win)
	} else {
		dlg = dialog.NewCustom(lang.L("Connection to the server"), lang.L("Close"), d.box, b.env.win)
		dlg.SetOnClosed(func() { b.details = nil })
	}
	b.details = d
	d.show(b.view, false)
	dlg.Resize(fyne.NewSize(600, 0))
	dlg.Show()
}

// syncDetails is the content of the sync details dialog, redrawn with every new status and
// every second (the countdown to the next try).
type syncDetails struct {
	b            *statusBar
	box          *fyne.Container
	state        *widget.Label
	server       *widget.Label
	since        *widget.Label
	lastSync     *widget.Label
	next         *widget.Label
	err          *widget.Label
	reconnecting bool // "reconnect now" was asked for and no new status came yet
}

func newSyncDetails(b *statusBar) *syncDetails {
	d := &syncDetails{b: b, state: widget.NewLabel(""), server: widget.NewLabel(""), since: widget.NewLabel(""),
		lastSync: widget.NewLabel(""), next: widget.NewLabel(""), err: widget.NewLabel("")}
	d.state.Wrapping = fyne.TextWrapWord
	d.err.Wrapping = fyne.TextWrapWord
	d.err.Selectable = true
	d.err.TextStyle.Monospace = true
	d.box = container.New(newDetailsLayout(),
		widget.NewLabel(lang.L("State")), d.state,
		widget.NewLabel(lang.L("Server")), d.server,
		widget.NewLabel(lang.L("Offline since")), d.since,
		widget.NewLabel(lang.L("Last synced")), d.lastSync,
		widget.NewLabel(lang.L("Next try")), d.next,
		widget.NewLabel(lang.L("Error")), d.err)
	return d
}

// show draws v; reconnecting says that "reconnect now" was just asked for.
func (d *syncDetails) show(v SyncView, reconnecting bool) {
	d.reconnecting = reconnecting
	state := syncText(v)
	if s := syncTroubleText(v.Cause, d.b.server); s != "" {
		state += "\n" + s
	} else if v.Cause == CauseUnreachable || v.Cause == CauseNetworkDown {
		state += "\n" + lang.L("Your work is kept on this computer and sent as soon as the store answers.")
	}
	d.state.SetText(state)
	d.server.SetText(orDash(d.b.server))
	d.since.SetText(orDash(fmtFull(v.Since)))
	d.lastSync.SetText(orDash(fmtFull(v.LastSync)))
	d.err.SetText(orDash(v.Err))
	d.tick(v)
}

// tick redraws the countdown to the next try.
func (d *syncDetails) tick(v SyncView) {
	switch {
	case d.reconnecting:
		d.next.SetText(lang.L("Reconnecting…"))
	case v.State != SyncOffline || v.NextTry.IsZero():
		d.next.SetText("—")
	default:
		secs := int((v.NextTry.Sub(d.b.env.now()) + time.Second - 1) / time.Second)
		if secs <= 0 {
			d.next.SetText(lang.L("now"))
		} else {
			d.next.SetText(fmt.Sprintf(lang.L("in %d s"), secs))
		}
	}
}

// orDash is s, or a dash when s is empty.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// detailsLayout lays out label and value pairs in two columns: the labels as wide as the widest,
// the values in the rest, each row as high as its taller cell.
type detailsLayout struct{}

func newDetailsLayout() fyne.Layout { return detailsLayout{} }

func (detailsLayout) labelWidth(objs []fyne.CanvasObject) float32 {
	var w float32
	for i := 0; i < len(objs); i += 2 {
		w = max(w, objs[i].MinSize().Width)
	}
	return w
}

func (l detailsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	lw := l.labelWidth(objs)
	pad := theme.Padding()
	var y float32
	for i := 0; i+1 < len(objs); i += 2 {
		vw := max(size.Width-lw-pad, 0)
		objs[i+1].Resize(fyne.NewSize(vw, objs[i+1].MinSize().Height))
		h := max(objs[i].MinSize().Height, objs[i+1].MinSize().Height)
		objs[i].Move(fyne.NewPos(0, y))
		objs[i].Resize(fyne.NewSize(lw, objs[i].MinSize().Height))
		objs[i+1].Move(fyne.NewPos(lw+pad, y))
		objs[i+1].Resize(fyne.NewSize(vw, h))
		y += h
	}
}

func (l detailsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	lw := l.labelWidth(objs)
	var w, h float32
	for i := 0; i+1 < len(objs); i += 2 {
		w = max(w, objs[i+1].MinSize().Width)
		h += max(objs[i].MinSize().Height, objs[i+1].MinSize().Height)
	}
	return fyne.NewSize(lw+theme.Padding()+w, h)
}
