package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"

	"kefu/localdb"
	"kefu/screens"
	"kefu/shop"
	kefusync "kefu/sync"
)

// Keys of what the desk remembers about its sign-in, kept with its data.
const (
	metaShop  = "signin.shop"
	metaStaff = "signin.staff" // the signed-in shop.Staff as JSON
)

// desk is the running desk: its store, the server it syncs with, and what runs in the background.
type desk struct {
	dir    string
	server string
	demo   bool
	db     *localdb.DB
	closes []func() // undone in reverse order when the desk stops

	engine  *kefusync.Engine
	cancel  context.CancelFunc
	stopped chan struct{}
}

// openDesk opens the desk's local store (creating its data directory) and, for --demo, starts
// the embedded store server. The local store comes first: a second desk on the same directory,
// a read-only or full disk, a damaged or newer store are then told apart by localdb's errors
// before anything else is touched.
func openDesk(o options) (*desk, error) {
	d := &desk{dir: deskDir(o), server: o.server, demo: o.demo}
	db, err := localdb.Open(localdb.Options{Dir: localDir(o)})
	if err != nil {
		return nil, err
	}
	d.db = db
	d.closes = append(d.closes, func() { db.Close() })
	if o.demo {
		url, stop, err := startDemoServer(filepath.Join(d.dir, "store"))
		if err != nil {
			d.close()
			return nil, err
		}
		d.server = url
		d.closes = append(d.closes, stop)
	}
	return d, nil
}

// deskDir is the directory of the desk's data: --data, or its demo subdirectory for --demo.
func deskDir(o options) string {
	if o.demo {
		return filepath.Join(o.data, "demo")
	}
	return o.data
}

// localDir is the local store's directory.
func localDir(o options) string { return filepath.Join(deskDir(o), "desk") }

// close stops what openDesk started.
func (d *desk) close() {
	for i := len(d.closes) - 1; i >= 0; i-- {
		d.closes[i]()
	}
	d.closes = nil
}

// start signs in (at once for the demo, with the saved token, or through the sign-in form) and
// then shows the desk.
func (d *desk) start(a fyne.App, w fyne.Window) {
	w.SetCloseIntercept(func() {
		d.stopSync() // sync returns before the window goes: no fyne.Do after quit
		d.close()
		w.Close()
	})
	if d.demo {
		resp, err := kefusync.Login(context.Background(), d.server, demoShop, demoStaff, demoPassword)
		if err != nil {
			showFatal(w, fmt.Errorf("the embedded demo store did not let staff %s in: %w", demoStaff, err))
			return
		}
		d.remember(resp.Shop.ID, resp.Staff)
		d.show(a, w, resp.Staff, resp.Token)
		return
	}
	shopID, _ := d.db.Meta(metaShop)
	if staff, ok := d.rememberedStaff(); ok {
		if token, err := d.credentials(shopID, staff.Number).LoadToken(); err == nil {
			d.show(a, w, staff, token) // works offline: the server is asked later
			return
		}
	}
	d.showLogin(a, w, shopID, "")
}

// showLogin asks for shop, staff number and password, then shows the desk.
func (d *desk) showLogin(a fyne.App, w fyne.Window, shopID, staff string) {
	var (
		resp   kefusync.Session
		signIn = func(shopID, staff, password string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			r, err := kefusync.Login(ctx, d.server, shopID, staff, password)
			if err != nil {
				return signInError(err)
			}
			if err := d.credentials(r.Shop.ID, r.Staff.Number).SaveToken(r.Token); err != nil {
				log.Printf("kefu: the sign-in is not remembered: %v", err)
			}
			resp = r
			return nil
		}
	)
	form := screens.NewLogin(d.server, shopID, staff, signIn, func() {
		d.remember(resp.Shop.ID, resp.Staff)
		d.show(a, w, resp.Staff, resp.Token)
	})
	w.SetContent(form.Content())
	form.Focus(w.Canvas())
}

// signInError sorts a failed sign-in by its cause, for the sign-in form to explain.
func signInError(err error) error {
	return &screens.SignInError{Cause: string(kefusync.CauseOf(err)), Err: err}
}

// credentials names where the token of one staff member is kept.
func (d *desk) credentials(shopID, staff string) kefusync.Credentials {
	return kefusync.Credentials{Dir: filepath.Join(d.dir, "desk"), Server: d.server, Shop: shopID, Staff: staff}
}

// remember keeps who signed in, so the desk opens offline next time.
func (d *desk) remember(shopID string, staff shop.Staff) {
	b, _ := json.Marshal(staff)
	if err := errors.Join(d.db.SetMeta(metaShop, shopID), d.db.SetMeta(metaStaff, string(b))); err != nil {
		log.Printf("kefu: remembering the sign-in: %v", err)
	}
}

func (d *desk) rememberedStaff() (shop.Staff, bool) {
	var s shop.Staff
	v, err := d.db.Meta(metaStaff)
	if err != nil || v == "" || json.Unmarshal([]byte(v), &s) != nil || s.Number == "" {
		return shop.Staff{}, false
	}
	return s, true
}

// show puts the desk's screens in the window and starts syncing.
func (d *desk) show(a fyne.App, w fyne.Window, staff shop.Staff, token string) {
	var ui *screens.Desk
	eng, err := kefusync.New(kefusync.Params{
		Store: d.db, BaseURL: d.server, Token: token, StaffNumber: staff.Number,
		OnStatus: func(s kefusync.Status) {
			fyne.Do(func() {
				if ui != nil {
					ui.SetSync(syncView(s))
				}
			})
		},
	})
	if err != nil {
		showFatal(w, err)
		return
	}
	d.engine = eng
	ui = screens.NewDesk(screens.Params{Data: d.db, Staff: staff, Window: w, App: a, Now: time.Now, Kick: eng.Kick, ServerURL: d.server})
	w.SetContent(ui.Content())
	ui.SetSync(syncView(eng.Status()))
	cancelSub := d.db.Subscribe(func(c localdb.Change) {
		fyne.Do(func() { ui.Refresh(c.Types) })
	})
	d.closes = append(d.closes, cancelSub, ui.Close)

	ctx, cancel := context.WithCancel(context.Background())
	d.cancel, d.stopped = cancel, make(chan struct{})
	go func() {
		defer close(d.stopped)
		if err := eng.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Printf("kefu: sync stopped: %v", err)
		}
	}()
}

// stopSync cancels the sync engine and waits for it to return.
func (d *desk) stopSync() {
	if d.cancel == nil {
		return
	}
	d.cancel()
	select {
	case <-d.stopped:
	case <-time.After(5 * time.Second):
		log.Print("kefu: sync did not stop within 5 s")
	}
	d.cancel = nil
}

// syncView turns the engine's status into what the status bar shows.
func syncView(s kefusync.Status) screens.SyncView {
	return screens.SyncView{State: string(s.State), Since: s.Since, Done: s.Done, Total: s.Total,
		Pending: s.Pending, Problems: s.Problems, LastSync: s.LastSync, Err: s.Err, Cause: string(s.Cause)}
}
