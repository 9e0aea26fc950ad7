package soak

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"kefu/localdb"
	"kefu/server"
	kefusync "kefu/sync"
)

// staffOf is the staff member desk i signs in as.
func staffOf(i int) (number, password string) {
	switch i % 3 {
	case 0:
		return server.DemoOwner, server.DemoPassword
	case 1:
		return server.DemoAgent, server.DemoPassword
	}
	return soakStaff3, soakPassword3
}

// desk is one desk: its own localdb on disk with a skewed clock, and a sync engine that reaches
// the server through the desk's own proxy.
type desk struct {
	i     int
	staff string
	dir   string
	url   string
	skew  time.Duration
	drift float64 // extra seconds per second
	t0    time.Time

	db      *localdb.DB
	eng     *kefusync.Engine
	logFile *os.File
	cancel  context.CancelFunc
	done    chan struct{} // closed when the engine's Run has returned
}

// now is the desk's clock: off by skew, drifting by drift.
func (d *desk) now() time.Time {
	t := time.Now()
	return t.Add(d.skew + time.Duration(float64(t.Sub(d.t0))*d.drift))
}

// openDesk opens desk i's store, signs in through its proxy and starts its engine.
func (r *runner) openDesk(ctx context.Context, i int) (*desk, error) {
	rng := r.childRand()
	staff, password := staffOf(i)
	d := &desk{i: i, staff: staff, dir: filepath.Join(r.dir, fmt.Sprintf("desk%d", i+1)), url: r.faults.url(i),
		skew:  time.Duration(rng.Int64N(int64(2*MaxSkew-2*time.Minute))) - MaxSkew + time.Minute,
		drift: (rng.Float64()*2 - 1) * 1e-3, t0: time.Now()}
	db, err := localdb.Open(localdb.Options{Dir: d.dir, Now: d.now})
	if err != nil {
		return nil, fmt.Errorf("soak: desk %d: %w", i+1, err)
	}
	d.db = db
	d.logFile, err = os.Create(filepath.Join(r.dir, fmt.Sprintf("desk%d.log", i+1)))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("soak: %w", err)
	}
	login, err := kefusync.Login(ctx, d.url, soakShop, staff, password)
	if err != nil {
		d.close()
		return nil, fmt.Errorf("soak: desk %d: signing in as %s: %w", i+1, staff, err)
	}
	d.eng, err = kefusync.New(kefusync.Params{
		Store: db, BaseURL: d.url, Token: login.Token, StaffNumber: staff,
		BatchSize:  1 + rng.IntN(60), // batches of different sizes on each desk
		PullLimit:  500,              // a full sync takes several pages
		Wait:       2 * time.Second,
		MinBackoff: 20 * time.Millisecond,
		MaxBackoff: time.Second,
		HTTPClient: &http.Client{Timeout: 30 * time.Second},
		Logger:     log.New(d.logFile, "", log.LstdFlags|log.Lmicroseconds),
	})
	if err != nil {
		d.close()
		return nil, fmt.Errorf("soak: desk %d: %w", i+1, err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancel, d.done = cancel, make(chan struct{})
	go func() {
		defer close(d.done)
		d.eng.Run(runCtx)
	}()
	r.logf("soak: desk %d: staff %s, clock %+v off, via %s", i+1, staff, d.skew.Round(time.Second), d.url)
	return d, nil
}

// stop stops the desk's engine and waits for it.
func (d *desk) stop() {
	if d.cancel != nil {
		d.cancel()
		<-d.done
		d.cancel = nil
	}
}

// close closes the desk's store and log.
func (d *desk) close() {
	if d.db != nil {
		d.db.Close()
	}
	if d.logFile != nil {
		d.logFile.Close()
		d.logFile = nil
	}
}

// waitSynced waits until every desk has an empty outbox and has pulled the whole feed, as far
// as the server had published it when the wait began: it kicks the engines and waits for two
// completed pulls of each (the second one started after the first ended, so after the wait
// began) with the engine caught up.
func (r *runner) waitSynced(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, d := range r.desks {
		d.eng.Kick()
	}
	for {
		busy := 0
		for _, d := range r.desks {
			if d.db.OutboxLen() > 0 {
				busy++
				d.eng.Kick()
			}
		}
		if busy == 0 {
			break
		}
		if time.Now().After(deadline) {
			return r.stuck("empty its outbox")
		}
		if !sleep(ctx, 50*time.Millisecond) {
			return ctx.Err()
		}
	}
	since := time.Now()
	for _, d := range r.desks {
		d.eng.Kick()
	}
	first := make([]time.Time, len(r.desks))
	for {
		done := 0
		for i, d := range r.desks {
			st := d.eng.Status()
			switch {
			case first[i].IsZero():
				if st.LastSync.After(since) {
					first[i] = st.LastSync
					d.eng.Kick()
				}
			case st.LastSync.After(first[i]) && st.State == kefusync.StateOnline && st.Pending == 0 &&
				d.db.OutboxLen() == 0:
				done++
			}
		}
		if done == len(r.desks) {
			return nil
		}
		if time.Now().After(deadline) {
			return r.stuck("catch up with the feed")
		}
		if !sleep(ctx, 50*time.Millisecond) {
			return ctx.Err()
		}
	}
}

// stuck describes the desks that did not finish syncing.
func (r *runner) stuck(what string) error {
	msg := ""
	for _, d := range r.desks {
		st := d.eng.Status()
		msg += fmt.Sprintf("\n  desk %d: outbox %d, state %s, last pull %s, error %q", d.i+1, d.db.OutboxLen(),
			st.State, st.LastSync.Format(time.RFC3339), st.Err)
	}
	return fmt.Errorf("soak: a desk did not %s in time (stuck?):%s", what, msg)
}

// mutator makes random mutations on desk d until ctx ends, pausing about cfg.Pause between
// two, and about every cfg.ResetEvery re-downloads the shop data (ResetCache), preferably
// while mutations wait in the outbox.
func (r *runner) mutator(ctx context.Context, d *desk, rng *rand.Rand) error {
	g := newGen(r, d, rng)
	nextReset := func() time.Time {
		return time.Now().Add(between(rng, r.cfg.ResetEvery/2, r.cfg.ResetEvery*3/2))
	}
	resetAt := nextReset()
	for {
		pause := time.Duration(rng.ExpFloat64() * float64(r.cfg.Pause))
		if !sleep(ctx, min(pause, 10*r.cfg.Pause)) {
			return nil
		}
		if now := time.Now(); now.After(resetAt) && (d.db.OutboxLen() > 0 || now.After(resetAt.Add(r.cfg.ResetEvery/4))) {
			resetAt = nextReset()
			out := d.db.OutboxLen()
			if err := d.db.ResetCache(); err != nil {
				return fmt.Errorf("soak: desk %d: %w", d.i+1, err)
			}
			d.eng.Kick()
			r.rec.reset()
			r.logf("soak: desk %d re-downloads the shop data (outbox %d)", d.i+1, out)
			continue
		}
		if err := g.one(); err != nil {
			return fmt.Errorf("soak: desk %d: %w", d.i+1, err)
		}
	}
}
