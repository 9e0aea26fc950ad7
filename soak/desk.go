package soak

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"kefu/demostore"
	"kefu/localdb"
	kefusync "kefu/sync"
)

// staffOf is the staff member desk i signs in as.
func staffOf(i int) (number, password string) {
	switch i % 3 {
	case 0:
		return demostore.Owner, demostore.Password
	case 1:
		return demostore.Agent, demostore.Password
	}
	return soakStaff3, soakPassword3
}

// desk is one desk: its own localdb on disk with a skewed clock, and a sync engine that reaches
// the server through the desk's own proxy. Its mutator goroutine may restart it (close the
// store and the engine, open them again); the other goroutines reach the store and the engine
// through store and engine, which hold mu.
type desk struct {
	i     int
	staff string
	dir   string
	url   string
	token string
	batch int
	skew  time.Duration
	drift float64 // extra seconds per second
	t0    time.Time

	logFile *os.File
	logger  *log.Logger

	mu     sync.Mutex
	db     *localdb.DB
	eng    *kefusync.Engine
	cancel context.CancelFunc
	done   chan struct{} // closed when the engine's Run has returned
}

// now is the desk's clock: off by skew, drifting by drift.
func (d *desk) now() time.Time {
	t := time.Now()
	return t.Add(d.skew + time.Duration(float64(t.Sub(d.t0))*d.drift))
}

// store and engine return the desk's current store and engine.
func (d *desk) store() *localdb.DB {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.db
}

func (d *desk) engine() *kefusync.Engine {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.eng
}

// openDesk signs desk i in through its proxy, opens its store and starts its engine.
func (r *runner) openDesk(ctx context.Context, i int) (*desk, error) {
	rng := r.childRand()
	staff, password := staffOf(i)
	d := &desk{i: i, staff: staff, dir: filepath.Join(r.dir, fmt.Sprintf("desk%d", i+1)), url: r.faults.url(i),
		batch: 1 + rng.IntN(60), // batches of different sizes on each desk
		skew:  time.Duration(rng.Int64N(int64(2*MaxSkew-2*time.Minute))) - MaxSkew + time.Minute,
		drift: (rng.Float64()*2 - 1) * 1e-3, t0: time.Now()}
	var err error
	d.logFile, err = os.Create(filepath.Join(r.dir, fmt.Sprintf("desk%d.log", i+1)))
	if err != nil {
		return nil, fmt.Errorf("soak: %w", err)
	}
	d.logger = log.New(d.logFile, "", log.LstdFlags|log.Lmicroseconds)
	login, err := kefusync.Login(ctx, d.url, soakShop, staff, password)
	if err != nil {
		d.close()
		return nil, fmt.Errorf("soak: desk %d: signing in as %s: %w", i+1, staff, err)
	}
	d.token = login.Token
	if err := d.open(); err != nil {
		d.close()
		return nil, err
	}
	r.logf("soak: desk %d: staff %s, clock %+v off, via %s", i+1, staff, d.skew.Round(time.Second), d.url)
	return d, nil
}

// open opens the desk's store and starts its engine.
func (d *desk) open() error {
	db, err := localdb.Open(localdb.Options{Dir: d.dir, Now: d.now})
	if err != nil {
		return fmt.Errorf("soak: desk %d: %w", d.i+1, err)
	}
	eng, err := kefusync.New(kefusync.Params{
		Store: db, BaseURL: d.url, Token: d.token, StaffNumber: d.staff,
		BatchSize:  d.batch,
		PullLimit:  500, // a full sync takes several pages
		Wait:       2 * time.Second,
		MinBackoff: 20 * time.Millisecond,
		MaxBackoff: time.Second,
		HTTPClient: &http.Client{Timeout: 30 * time.Second},
		Logger:     d.logger,
	})
	if err != nil {
		db.Close()
		return fmt.Errorf("soak: desk %d: %w", d.i+1, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		eng.Run(ctx)
	}()
	d.mu.Lock()
	d.db, d.eng, d.cancel, d.done = db, eng, cancel, done
	d.mu.Unlock()
	return nil
}

// restart closes the desk's engine and store, as when the desk is quit (or its computer
// restarts) in the middle of work, and opens them again.
func (d *desk) restart() error {
	d.stop()
	d.mu.Lock()
	db := d.db
	d.mu.Unlock()
	if err := db.Close(); err != nil {
		return fmt.Errorf("soak: desk %d: %w", d.i+1, err)
	}
	return d.open()
}

// stop stops the desk's engine and waits for it.
func (d *desk) stop() { d.stopWithin(0) }

// stopWithin stops the desk's engine and waits for it, for at most limit (0: no limit).
func (d *desk) stopWithin(limit time.Duration) error {
	d.mu.Lock()
	cancel, done := d.cancel, d.done
	d.cancel = nil
	d.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	if limit <= 0 {
		<-done
		return nil
	}
	select {
	case <-done:
		return nil
	case <-time.After(limit):
		return fmt.Errorf("soak: desk %d: the sync engine did not stop within %s", d.i+1, limit)
	}
}

// close closes the desk's store and log.
func (d *desk) close() {
	if db := d.store(); db != nil {
		db.Close()
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
		d.engine().Kick()
	}
	for {
		busy := 0
		for _, d := range r.desks {
			if d.store().OutboxLen() > 0 {
				busy++
				d.engine().Kick()
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
		d.engine().Kick()
	}
	first := make([]time.Time, len(r.desks))
	for {
		done := 0
		for i, d := range r.desks {
			st := d.engine().Status()
			switch {
			case first[i].IsZero():
				if st.LastSync.After(since) {
					first[i] = st.LastSync
					d.engine().Kick()
				}
			case st.LastSync.After(first[i]) && st.State == kefusync.StateOnline && st.Pending == 0 &&
				d.store().OutboxLen() == 0:
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
		st := d.engine().Status()
		msg += fmt.Sprintf("\n  desk %d: outbox %d, state %s, last pull %s, error %q", d.i+1, d.store().OutboxLen(),
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
	nextRestart := func() time.Time {
		return time.Now().Add(between(rng, r.cfg.RestartEvery/2, r.cfg.RestartEvery*3/2))
	}
	restartAt := nextRestart()
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
		if now := time.Now(); now.After(restartAt) && (d.db.OutboxLen() > 0 || now.After(restartAt.Add(r.cfg.RestartEvery/4))) {
			restartAt = nextRestart()
			out := d.db.OutboxLen()
			if err := d.restart(); err != nil {
				return err
			}
			r.rec.restart()
			r.logf("soak: desk %d restarted (outbox %d)", d.i+1, out)
			continue
		}
		n := 1
		if rng.IntN(40) == 0 {
			n = 10 + rng.IntN(30) // a burst, like a bulk message or a fast typist: pulls meet pending work
		}
		for range n {
			if err := g.one(); err != nil {
				return fmt.Errorf("soak: desk %d: %w", d.i+1, err)
			}
		}
	}
}
