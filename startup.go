package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"strings"
	gosync "sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/screens"
)

// launcher starts the desk in its window. When the desk cannot start it fills the window with
// what happened and what to do, in the staff member's language, with the one or two actions
// that help: try again, close, or move a damaged store aside and start fresh. Without --server
// or --demo it opens the shop of last time, or the welcome page on the first start and after
// a switch of shop.
type launcher struct {
	app  fyne.App
	win  fyne.Window
	opts options
	now  func() time.Time // names the folder a damaged store is moved to

	desk        *running        // the desk once it has started; nil while it cannot
	last        desk.ShopChoice // the shop of last time, which the forms prefill
	onWelcome   bool            // the welcome page is shown
	pending     *running        // a desk signed in on the welcome page, handed to connected
	session     desk.Session    // its session
	pendingO    options         // and the options it was opened with
	goAsync     func(func())    // runs work off Fyne's goroutine (tests run it in place)
	opening     *opening        // the local store startShown is opening; nil once it is shown
	closedEarly bool            // the window closed while startShown opened the store
	// shown returns once the window is on the screen: Fyne's goroutine has run something
	// after ShowAndRun showed it.
	shown func()
	// present shows a signed-in desk: its screens, with sync running (tests look on).
	present func(r *running, l *launcher, s desk.Session)
}

func newLauncher(a fyne.App, w fyne.Window, o options) *launcher {
	return &launcher{app: a, win: w, opts: o, now: time.Now, goAsync: func(f func()) { go f() },
		shown: func() { fyne.DoAndWait(func() {}) }, present: (*running).present}
}

// start opens the desk and shows it (signed in, or the sign-in form), or shows why it cannot;
// or the welcome page when no shop is named and none was worked on last time.
func (l *launcher) start() {
	l.win.SetCloseIntercept(l.closeWindow)
	if !l.chooseShop() {
		l.showWelcome()
		return
	}
	l.opened(openDesk(l.opts))
}

// chooseShop names the shop to open: the one of the flags, else the one of last time. It
// reports false when there is none (the welcome page is to be shown).
func (l *launcher) chooseShop() bool {
	if !l.opts.demo && l.opts.server == "" {
		c, ok := desk.LastShop(l.opts.data)
		if !ok {
			return false
		}
		l.last = c
		l.opts.demo, l.opts.server, l.opts.shopDir = c.Demo, c.Server, c.Dir
	}
	return true
}

// startShown is start for the window's first appearance (main): the window comes up at once,
// saying that the shop's data is being opened, while the local store opens off Fyne's
// goroutine; the desk, or why it cannot start, then fills the window. A large shop's store
// takes a second or more to open (Badger reads its tables' indexes and starts compacting), and
// none of that holds up the window.
func (l *launcher) startShown() {
	l.win.SetCloseIntercept(l.closeWindow)
	if !l.chooseShop() {
		l.showWelcome()
		return
	}
	l.win.SetContent(container.NewCenter(widget.NewLabel(lang.L("Opening the shop's data…"))))
	op := &opening{done: make(chan struct{})}
	l.opening = op
	o := l.opts
	l.goAsync(func() {
		l.shown() // the window first: opening the store would take the CPU it needs to come up
		op.mu.Lock()
		if op.abandoned { // the window closed before it was up
			op.mu.Unlock()
			close(op.done)
			return
		}
		op.started = true
		op.mu.Unlock()
		r, err := openDesk(o)
		op.mu.Lock()
		abandoned := op.abandoned
		op.mu.Unlock()
		if abandoned { // the window closed meanwhile
			if r != nil {
				r.close()
			}
			close(op.done)
			return
		}
		close(op.done)
		fyne.Do(func() {
			if l.opening != op { // the window closed after all
				if r != nil {
					r.close()
				}
				return
			}
			l.opening = nil
			l.opened(r, err)
		})
	})
}

// opening is a local store being opened in the background by startShown.
type opening struct {
	done      chan struct{} // closed once openDesk returned
	mu        gosync.Mutex
	started   bool // openDesk was called
	abandoned bool // the window closed first: the store is closed again once open
}

// abandon gives the store being opened up: it is closed once open. It waits (a few seconds at
// most) for that, so that the store is closed cleanly before the process ends.
func (op *opening) abandon() {
	op.mu.Lock()
	op.abandoned = true
	started := op.started
	op.mu.Unlock()
	if !started { // it will not open the store (and may be waiting for Fyne's goroutine)
		return
	}
	select {
	case <-op.done:
	case <-time.After(10 * time.Second):
	}
}

// opened shows the desk openDesk opened, or why it could not.
func (l *launcher) opened(d *running, err error) {
	l.onWelcome = false
	if err != nil {
		log.Printf("kefu: cannot start: %v", err)
		l.win.SetContent(problemPage(l.describe(err)))
		return
	}
	l.desk = d
	d.start(l)
}

// closeWindow stops the desk before the window goes: sync returns first, so no fyne.Do runs
// after quit.
func (l *launcher) closeWindow() {
	if op := l.opening; op != nil {
		l.opening = nil
		l.closedEarly = true
		op.abandon()
	}
	if l.desk != nil {
		l.desk.close()
	}
	l.win.Close()
}

// failed reports whether the window closed without the desk having started (nor the welcome
// page being what it showed, nor the store still being opened).
func (l *launcher) failed() bool { return l.desk == nil && !l.onWelcome && !l.closedEarly }

// remember makes the shop signed in to the one the next start opens.
func (l *launcher) remember(s desk.Session) {
	c := desk.ShopChoice{Demo: true}
	if !l.opts.demo {
		c = desk.ShopChoice{Server: l.opts.server, Shop: s.ShopID, Staff: s.Staff.Number, Dir: l.opts.shopDir}
	}
	l.last = c
	if err := desk.RememberShop(l.opts.data, c); err != nil {
		log.Printf("kefu: the shop is not remembered for the next start: %v", err)
	}
}

// switchShop signs out, stops the desk (what it has not sent stays in the shop's folder, sent
// when someone signs in to that shop again) and shows the welcome page.
func (l *launcher) switchShop() {
	if r := l.desk; r != nil {
		if err := r.desk.SignOut(); err != nil {
			log.Printf("kefu: %v", err)
		}
		r.close()
		l.desk = nil
	}
	if err := desk.ForgetLastShop(l.opts.data); err != nil {
		log.Printf("kefu: %v", err)
	}
	l.opts.demo, l.opts.server, l.opts.shopDir = false, "", ""
	l.win.SetMainMenu(nil)
	l.showWelcome()
}

// showWelcome shows the first-run page: connect to the shop's server, or try the demo shop.
func (l *launcher) showWelcome() {
	l.onWelcome = true
	data := l.opts.data
	last := l.last
	if last.Demo {
		last = desk.ShopChoice{}
	}
	w := screens.NewWelcome(screens.WelcomeParams{
		Server: last.Server, Staff: last.Staff,
		Check: func(server string) (string, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			info, err := desk.CheckServer(ctx, server)
			if err != nil {
				return "", signInError(err)
			}
			return info.Version, nil
		},
		SignIn: func(server, shopID, staff, password string) error {
			return l.signInAt(data, server, shopID, staff, password)
		},
		Connected: l.connected,
		Demo:      l.startDemo,
		Go:        l.goAsync,
	})
	l.win.SetContent(w.Content())
	w.Focus(l.win.Canvas())
}

// signInAt opens the local store of shop on server (its own folder) and signs in there, off
// Fyne's goroutine; connected then shows the desk.
func (l *launcher) signInAt(data, server, shopID, staff, password string) error {
	o := options{data: data, server: server, lang: l.opts.lang, shopDir: desk.ShopDir(data, server, strings.TrimSpace(shopID))}
	r, err := openDesk(o)
	if err != nil {
		return fmt.Errorf("%s %w", lang.L("Kefu Desk cannot open this shop's data on this computer:"), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := r.desk.SignIn(ctx, shopID, staff, password)
	if err != nil {
		r.close()
		return signInError(err)
	}
	l.pending, l.session, l.pendingO = r, s, o // read by connected, after the sign-in form's fyne.Do
	return nil
}

// connected shows the desk signed in on the welcome page.
func (l *launcher) connected() {
	r, s := l.pending, l.session
	l.pending = nil
	if r == nil {
		return
	}
	l.opts = l.pendingO
	l.onWelcome = false
	l.desk = r
	r.show(l, s)
}

// startDemo opens the demo shop, which takes a few seconds the first time (the shop is made),
// saying so meanwhile.
func (l *launcher) startDemo() {
	l.opts.demo = true
	l.win.SetContent(container.NewCenter(widget.NewLabel(lang.L("Preparing the demo shop…"))))
	o := l.opts
	l.goAsync(func() {
		r, err := openDesk(o)
		fyne.Do(func() { l.opened(r, err) })
	})
}

// problem is what the window says when the desk cannot start: a title, what happened (lead),
// the folder concerned on a line of its own, what to do (text).
type problem struct {
	title   string
	lead    string
	folder  string
	text    string
	detail  string // the error itself, for whoever helps; "" when the text says it all
	actions []*widget.Button
}

// describe puts a start-up error in plain words, with what the staff member can do.
func (l *launcher) describe(err error) problem {
	tryAgain := widget.NewButtonWithIcon(lang.L("Try again"), theme.ViewRefreshIcon(), l.start)
	tryAgain.Importance = widget.HighImportance
	closeWin := widget.NewButton(lang.L("Close"), l.win.Close)
	data := l.opts.data
	switch {
	case errors.Is(err, desk.ErrLocked):
		return problem{
			title:   lang.L("Kefu Desk is already open"),
			lead:    lang.L("This data folder is already open in another Kefu Desk window:"),
			folder:  data,
			text:    lang.L("Switch to that window to go on working there; or close it, then click Try again here. Nothing was changed."),
			actions: []*widget.Button{tryAgain, closeWin},
		}
	case errors.Is(err, desk.ErrNewerSchema):
		return problem{
			title:   lang.L("This data is from a newer Kefu Desk"),
			lead:    lang.L("The data in this folder was saved by a newer version of Kefu Desk, which this version cannot read:"),
			folder:  data,
			text:    lang.L("Nothing was changed. Install that version of Kefu Desk, or a newer one, and start it again."),
			actions: []*widget.Button{closeWin},
		}
	case errors.Is(err, desk.ErrCorrupt):
		fresh := widget.NewButtonWithIcon(lang.L("Move it aside and start fresh"), theme.ViewRefreshIcon(), l.moveAsideAndStart)
		fresh.Importance = widget.HighImportance
		return problem{
			title:   lang.L("The desk's local data cannot be read"),
			lead:    lang.L("The data Kefu Desk keeps on this computer is damaged and cannot be read:"),
			folder:  localDir(l.opts),
			text:    lang.L("Kefu Desk can move the damaged folder aside (it is renamed, not deleted) and start fresh, downloading the shop again from the server. Actions that had not reached the server yet stay in the old folder."),
			detail:  err.Error(),
			actions: []*widget.Button{fresh, closeWin},
		}
	case errors.Is(err, desk.ErrDiskFull):
		return problem{
			title:   lang.L("The disk is full"),
			lead:    lang.L("The disk that holds this folder is full, so Kefu Desk cannot save anything:"),
			folder:  data,
			text:    lang.L("Free some space (empty the recycle bin, delete large files you no longer need), then click Try again. Nothing was lost."),
			actions: []*widget.Button{tryAgain, closeWin},
		}
	case errors.Is(err, desk.ErrReadOnly):
		return problem{
			title:   lang.L("Kefu Desk cannot save in its data folder"),
			lead:    lang.L("Kefu Desk cannot write in its data folder: the disk is read-only, or this user may not write there."),
			folder:  data,
			text:    lang.L("Start Kefu Desk with another folder (kefu --data FOLDER), or ask whoever looks after this computer to let you write in this one, then click Try again."),
			detail:  err.Error(),
			actions: []*widget.Button{tryAgain, closeWin},
		}
	}
	return problem{
		title:   lang.L("Kefu Desk cannot start"),
		text:    err.Error(),
		actions: []*widget.Button{tryAgain, closeWin},
	}
}

// moveAsideAndStart renames the damaged local store (never deletes it: unsent actions can
// still be recovered from it), starts the desk on a fresh one and says where the old one went.
func (l *launcher) moveAsideAndStart() {
	to, err := moveAside(localDir(l.opts), l.now())
	if err != nil {
		log.Printf("kefu: moving the damaged data aside: %v", err)
		l.win.SetContent(problemPage(l.describe(fmt.Errorf("moving the damaged data aside: %w", err))))
		return
	}
	log.Printf("kefu: the damaged local data was moved to %s", to)
	l.start()
	dialog.ShowInformation(lang.L("Started fresh"),
		fmt.Sprintf(lang.L("The damaged data was moved to:\n%s\nKefu Desk started fresh and downloads the shop again from the server."), to), l.win)
}

// moveAside renames dir to dir.damaged-YYYYMMDD-HHMMSS (with -2, -3… if that exists) and
// returns the new name.
func moveAside(dir string, now time.Time) (string, error) {
	base := dir + ".damaged-" + now.Format("20060102-150405")
	to := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(to); errors.Is(err, fs.ErrNotExist) {
			break
		}
		to = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(dir, to); err != nil {
		return "", err
	}
	return to, nil
}

// showFatal fills the window with why the desk cannot go on, so nobody is left with a window
// that never appears or a message on a console they cannot see.
func showFatal(w fyne.Window, err error) {
	log.Printf("kefu: %v", err)
	w.SetContent(problemPage(problem{title: lang.L("Kefu Desk cannot start"), text: err.Error(),
		actions: []*widget.Button{widget.NewButton(lang.L("Close"), w.Close)}}))
}

// problemPage lays a problem out: a warning icon and the title, the text, the detail in small
// print, the actions; in a column of reading width in the middle of the window.
func problemPage(p problem) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(p.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	title.Wrapping = fyne.TextWrapWord
	icon := widget.NewIcon(theme.WarningIcon())
	head := container.NewBorder(nil, nil, container.NewCenter(icon), nil, title)
	objs := []fyne.CanvasObject{head}
	for _, s := range []struct {
		text  string
		style fyne.TextStyle
	}{{p.lead, fyne.TextStyle{}}, {p.folder, fyne.TextStyle{Monospace: true}}, {p.text, fyne.TextStyle{}}} {
		if s.text == "" {
			continue
		}
		l := widget.NewLabelWithStyle(s.text, fyne.TextAlignLeading, s.style)
		l.Wrapping = fyne.TextWrapWord
		objs = append(objs, l)
	}
	if p.detail != "" {
		detail := widget.NewRichText(&widget.TextSegment{Text: p.detail, Style: widget.RichTextStyle{
			SizeName: theme.SizeNameCaptionText, ColorName: theme.ColorNamePlaceHolder}})
		detail.Wrapping = fyne.TextWrapWord
		objs = append(objs, detail)
	}
	buttons := make([]fyne.CanvasObject, len(p.actions))
	for i, b := range p.actions {
		buttons[i] = b
	}
	objs = append(objs, container.NewHBox(buttons...))
	return container.NewCenter(container.New(&column{width: 620}, objs...))
}

// column stacks its objects at a fixed width, each as tall as it needs at that width (a label
// that wraps is only as tall as its lines once it knows its width).
type column struct{ width float32 }

// Layout places the objects one under the other.
func (c *column) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		o.Resize(fyne.NewSize(size.Width, o.MinSize().Height))
		h := o.MinSize().Height
		o.Resize(fyne.NewSize(size.Width, h))
		o.Move(fyne.NewPos(0, y))
		y += h + theme.Padding()
	}
}

// MinSize is the fixed width and the objects' heights at that width.
func (c *column) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for i, o := range objs {
		if o.Size().Width != c.width {
			o.Resize(fyne.NewSize(c.width, o.MinSize().Height))
		}
		if i > 0 {
			h += theme.Padding()
		}
		h += o.MinSize().Height
	}
	return fyne.NewSize(c.width, h)
}
