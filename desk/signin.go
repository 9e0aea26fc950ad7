package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"kefu/shop"
	kefusync "kefu/sync"
)

// Keys of what the desk remembers about its sign-in, kept with its data.
const (
	metaShop  = "signin.shop"
	metaStaff = "signin.staff" // the signed-in shop.Staff as JSON
)

// Session is a staff member signed in to a shop's store server.
type Session struct {
	ShopID string
	Staff  shop.Staff
	Token  string // the bearer token for the store server
}

// SignIn signs a staff member in at the desk's server, keeps the token (the OS keyring, or a
// file with the data) and remembers who signed in, so that the desk opens offline next time.
// A failure comes with its cause (CauseOf).
func (d *Desk) SignIn(ctx context.Context, shopID, staff, password string) (Session, error) {
	s, err := d.login(ctx, shopID, staff, password)
	if err != nil {
		return Session{}, err
	}
	if err := d.credentials(s.ShopID, s.Staff.Number).SaveToken(s.Token); err != nil {
		d.log.Printf("kefu: the sign-in is not remembered: %v", err)
	}
	d.remember(s)
	return s, nil
}

// SignInDemo signs in to the embedded demo store without keeping the token (the demo signs in
// afresh at every start).
func (d *Desk) SignInDemo(ctx context.Context, shopID, staff, password string) (Session, error) {
	s, err := d.login(ctx, shopID, staff, password)
	if err != nil {
		return Session{}, err
	}
	d.remember(s)
	return s, nil
}

// login is the desk's one call of the sync engine's sign-in.
func (d *Desk) login(ctx context.Context, shopID, staff, password string) (Session, error) {
	r, err := kefusync.Login(ctx, d.Server(), shopID, staff, password)
	if err != nil {
		return Session{}, fmt.Errorf("desk: signing in: %w", err)
	}
	return Session{ShopID: r.Shop.ID, Staff: r.Staff, Token: r.Token}, nil
}

// CauseOf tells what kind of failure a sign-in or sync error is (the sync engine's causes:
// "unreachable", "wrong_password"…), "" when it is none of them.
func CauseOf(err error) string { return string(kefusync.CauseOf(err)) }

// Remembered is the session of the last sign-in, when its token is still kept: the desk
// opens with it, offline too. The shop of the last sign-in is returned in any case, for the
// sign-in form.
func (d *Desk) Remembered() (s Session, ok bool) {
	s.ShopID, _ = d.db.Meta(metaShop)
	v, err := d.db.Meta(metaStaff)
	if err != nil || v == "" || json.Unmarshal([]byte(v), &s.Staff) != nil || s.Staff.Number == "" {
		return Session{ShopID: s.ShopID}, false
	}
	token, err := d.credentials(s.ShopID, s.Staff.Number).LoadToken()
	if err != nil {
		return Session{ShopID: s.ShopID}, false
	}
	s.Token = token
	return s, true
}

// remember keeps who signed in, so the desk opens offline next time.
func (d *Desk) remember(s Session) {
	b, _ := json.Marshal(s.Staff)
	if err := errors.Join(d.db.SetMeta(metaShop, s.ShopID), d.db.SetMeta(metaStaff, string(b))); err != nil {
		d.log.Printf("kefu: remembering the sign-in: %v", err)
	}
}

// credentials names where the token of one staff member is kept.
func (d *Desk) credentials(shopID, staff string) kefusync.Credentials {
	return kefusync.Credentials{Dir: d.db.Dir(), Server: d.Server(), Shop: shopID, Staff: staff}
}

// SyncStatus is what the desk shows about sync.
type SyncStatus struct {
	State       string    // "online", "offline", "syncing" or "signed_out"
	Since       time.Time // offline since
	Done, Total int64     // progress of a large pull (the first full sync)
	Pending     int       // actions not yet acknowledged by the server
	Problems    int       // pushed actions the server did not apply
	LastSync    time.Time // the last completed pull
	Err         string    // the last failure; "" when the last exchange went well
	Cause       string    // what kind of failure Err is (see CauseOf)
	NextTry     time.Time // offline: when the desk next asks the server (ReconnectNow: at once)

	Left time.Duration // the estimated time a large pull still takes (0 while unknown)
}

// Start works as the session's staff member from now on and starts the sync engine with the
// session's token; onStatus (which may be nil) is told every new sync status, on the
// engine's goroutine, never after Close. It returns the engine's first status.
func (d *Desk) Start(s Session, onStatus func(SyncStatus)) (SyncStatus, error) {
	var outageStatus func(SyncStatus) // set below, before the engine runs (outages.go)
	eng, err := kefusync.New(kefusync.Params{
		Store: d.db, BaseURL: d.Server(), Token: s.Token, StaffNumber: s.Staff.Number,
		OnStatus: func(st kefusync.Status) {
			if outageStatus != nil {
				outageStatus(syncStatus(st))
			}
			if onStatus != nil {
				onStatus(syncStatus(st))
			}
		},
	})
	if err != nil {
		return SyncStatus{}, fmt.Errorf("desk: starting sync: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	d.mu.Lock()
	d.staff, d.engine, d.cancel, d.done = s.Staff, eng, cancel, done
	d.mu.Unlock()
	outageStatus, outagesStopped := d.watchOutages(ctx, s.Staff.Number)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		watchNetwork(ctx, netWatchEvery, netAddrs, eng.ReconnectNow) // a new network: try the server at once
	}()
	go func() {
		defer close(done)
		defer func() { <-watched; <-outagesStopped }()
		if err := eng.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			d.log.Printf("kefu: sync stopped: %v", err)
		}
	}()
	return syncStatus(eng.Status()), nil
}

func syncStatus(s kefusync.Status) SyncStatus {
	return SyncStatus{State: string(s.State), Since: s.Since, Done: s.Done, Total: s.Total, Left: s.Left, Pending: s.Pending,
		Problems: s.Problems, LastSync: s.LastSync, Err: s.Err, Cause: string(s.Cause), NextTry: s.NextTry}
}
