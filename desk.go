package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"kefu/desk"
	"kefu/screens"
)

// running is the desk in its window: the running desk (package desk), and for --demo the
// embedded store server.
type running struct {
	demo   bool
	desk   *desk.Desk
	closes []func() // undone in reverse order when the window closes
}

// openDesk opens the desk's local store (creating its data directory) and, for --demo, starts
// the embedded store server. The local store comes first: a second desk on the same directory,
// a read-only or full disk, a damaged or newer store are then told apart by the desk's errors
// before anything else is touched.
func openDesk(o options) (*running, error) {
	d, err := desk.Open(desk.Params{Dir: localDir(o), Server: o.server})
	if err != nil {
		return nil, err
	}
	a := &running{demo: o.demo, desk: d}
	if o.demo {
		url, stop, err := startDemoServer(filepath.Join(deskDir(o), "store"))
		if err != nil {
			d.Close()
			return nil, err
		}
		d.UseServer(url)
		a.closes = append(a.closes, stop)
	}
	a.closes = append(a.closes, d.Close) // before the demo server stops: sync returns first
	return a, nil
}

// deskDir is the directory of the desk's data: --data, its demo subdirectory for --demo, or
// the shop's folder under it for a shop chosen on the welcome page.
func deskDir(o options) string {
	if o.demo {
		return filepath.Join(o.data, "demo")
	}
	return filepath.Join(o.data, o.shopDir)
}

// localDir is the local store's directory.
func localDir(o options) string { return filepath.Join(deskDir(o), "desk") }

// close stops what openDesk started.
func (a *running) close() {
	for i := len(a.closes) - 1; i >= 0; i-- {
		a.closes[i]()
	}
	a.closes = nil
}

// start signs in (at once for the demo, with the saved token, or through the sign-in form) and
// then shows the desk.
func (a *running) start(l *launcher) {
	if a.demo {
		s, err := a.desk.SignInDemo(context.Background(), demoShop, demoStaff, demoPassword)
		if err != nil {
			showFatal(l.win, fmt.Errorf("the embedded demo store did not let staff %s in: %w", demoStaff, err))
			return
		}
		a.show(l, s)
		return
	}
	s, ok := a.desk.Remembered()
	if ok {
		a.show(l, s) // works offline: the server is asked later
		return
	}
	a.showLogin(l, s.ShopID)
}

// showLogin asks for shop, staff number and password, then shows the desk; or leaves for the
// welcome page, to connect to another shop or server.
func (a *running) showLogin(l *launcher, shopID string) {
	var (
		session desk.Session
		signIn  = func(shopID, staff, password string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s, err := a.desk.SignIn(ctx, shopID, staff, password)
			if err != nil {
				return signInError(err)
			}
			session = s
			return nil
		}
	)
	staff := ""
	if l.last.Shop == shopID {
		staff = l.last.Staff
	}
	form := screens.NewLogin(a.desk.Server(), shopID, staff, signIn, func() { a.show(l, session) })
	form.SetBack(lang.L("Connect to another shop or server"), l.switchShop)
	l.win.SetContent(form.Content())
	form.Focus(l.win.Canvas())
}

// show remembers the shop, so that the next start opens it, and shows the desk (present).
func (a *running) show(l *launcher, s desk.Session) {
	l.remember(s)
	l.present(a, l, s)
}

// present puts the desk's screens in the window and starts syncing.
func (a *running) present(l *launcher, s desk.Session) {
	w, server := l.win, a.desk.Server()
	var ui *screens.Desk
	first, err := a.desk.Start(s, func(st desk.SyncStatus) {
		setLargePull(st.Total > 0 && st.Done < st.Total)
		fyne.Do(func() {
			if ui != nil {
				ui.SetSync(syncView(st))
			}
		})
	})
	if err != nil {
		showFatal(w, err)
		return
	}
	probe := newBusyProbe()
	about := &screens.About{Server: server, DataDir: l.opts.data, ServerVersion: func(ctx context.Context) (string, error) {
		info, err := desk.CheckServer(ctx, server)
		return info.Version, err
	}}
	ui = screens.NewDesk(screens.Params{Data: a.desk, Staff: s.Staff, Window: w, App: l.app, Now: time.Now,
		ServerURL: server, SwitchShop: l.switchShop, About: about, Timed: probe.callbackTimer()})
	// The window is already up (startShown): Fyne grows a shown window to its new content's
	// minimum size and never shrinks it, so the size it opened at (fitted to the screen) is
	// given back once the desk is in it.
	size := w.Canvas().Size()
	w.SetContent(ui.Content())
	w.Resize(size)
	ui.SetSync(syncView(first))
	cancelSub := a.desk.Subscribe(func(c desk.Change) {
		fyne.Do(func() { ui.Refresh(c.Types) })
	})
	// Undone before the desk closes: the screens stop listening first.
	a.closes = append(a.closes, ui.Close, cancelSub)
	probe.start(a.desk)
	markReady()
}

// signInError sorts a failed sign-in by its cause, for the sign-in form to explain.
func signInError(err error) error {
	return &screens.SignInError{Cause: desk.CauseOf(err), Err: err}
}

// syncView turns the desk's sync status into what the status bar shows.
func syncView(s desk.SyncStatus) screens.SyncView {
	return screens.SyncView{State: s.State, Since: s.Since, Done: s.Done, Total: s.Total, Left: s.Left,
		Pending: s.Pending, Problems: s.Problems, LastSync: s.LastSync, Err: s.Err, Cause: s.Cause, NextTry: s.NextTry}
}
