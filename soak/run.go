package soak

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"
)

// stuckAfter is how long a desk may go without making a mutation (or the fault phase may
// overrun its end) before the run is declared stuck.
const stuckAfter = 90 * time.Second

// chaos runs the fault phase for cfg.Duration: the server killer, one fault scheduler and one
// mutator per desk, the customers and a watchdog. It returns the first error any of them met.
// When they do not all end within stuckAfter of the end (a call into a desk's store or engine
// never returned), it writes every goroutine's stack to the run directory, marks the run stuck
// and returns without them.
func (r *runner) chaos(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, r.cfg.Duration)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	spawn := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
				cancel()
			}
		}()
	}
	killRng := r.childRand()
	spawn(func() error { return r.store.killer(cctx, killRng, r.cfg.KillMin, r.cfg.KillMax) })
	r.chaosPostgres(cctx, spawn)
	for _, d := range r.desks {
		frng, mrng := r.childRand(), r.childRand()
		spawn(func() error { return r.faults.schedule(cctx, d.i, frng, r.cfg, r.logf) })
		spawn(func() error { return r.mutator(cctx, d, mrng) })
	}
	spawn(func() error { return r.cust.run(cctx) })
	spawn(func() error { return r.bridge.run(cctx) })
	spawn(func() error {
		r.store.duplicates(cctx, &r.dupAnswers, &r.dupMu)
		return nil
	})
	spawn(func() error {
		start := time.Now()
		for sleep(cctx, 30*time.Second) {
			r.progress(time.Since(start))
		}
		return nil
	})
	spawn(func() error { return r.watchdog(cctx) })
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-cctx.Done():
		select {
		case <-done:
		case <-time.After(stuckAfter):
			r.hung.Store(true)
			mu.Lock()
			defer mu.Unlock()
			if first != nil {
				return first
			}
			return fmt.Errorf("soak: the fault phase did not end within %s of its end: something is stuck (stacks in %s)",
				stuckAfter, r.dumpGoroutines())
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return first
}

// watchdog fails the run when a desk makes no mutation for stuckAfter: its mutator is stuck
// in a call to the desk's store.
func (r *runner) watchdog(ctx context.Context) error {
	last := r.rec.attemptsByDesk(len(r.desks))
	since := make([]time.Time, len(r.desks))
	for i := range since {
		since[i] = time.Now()
	}
	for sleep(ctx, 5*time.Second) {
		now := r.rec.attemptsByDesk(len(r.desks))
		for i := range now {
			if now[i] != last[i] {
				last[i], since[i] = now[i], time.Now()
			} else if time.Since(since[i]) > stuckAfter {
				r.hung.Store(true)
				return fmt.Errorf("soak: desk %d has made no mutation for %s: stuck (stacks in %s)", i+1,
					stuckAfter, r.dumpGoroutines())
			}
		}
	}
	return nil
}

// dumpGoroutines writes every goroutine's stack to the run directory and returns the file's path.
func (r *runner) dumpGoroutines() string {
	path := filepath.Join(r.dir, "goroutines.txt")
	f, err := os.Create(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	pprof.Lookup("goroutine").WriteTo(f, 2)
	return path
}

// progress logs a line about the run so far.
func (r *runner) progress(elapsed time.Duration) {
	var rep Report
	r.collect(&rep)
	out := make([]int, len(r.desks))
	for i, d := range r.desks {
		out[i] = d.store().OutboxLen()
	}
	r.logf("soak: %s: %d mutations (%d applied locally), %d faults, %d server kills, %d customer messages; outboxes %v",
		elapsed.Round(time.Second), rep.Made, rep.Applied, rep.Faulted(), rep.ServerKills, rep.CustomerMessages, out)
}

// drain makes sure the server runs and waits until every desk has sent its outbox and pulled
// the whole feed.
func (r *runner) drain(ctx context.Context) error {
	for _, p := range r.servers() {
		if p.stopped() {
			if err := p.start(ctx); err != nil {
				return err
			}
		}
	}
	r.logf("soak: faults stopped; draining the desks")
	start := time.Now()
	err := r.waitSynced(ctx, r.cfg.DrainTimeout)
	if err == nil {
		r.logf("soak: every desk drained and caught up in %s", time.Since(start).Round(10*time.Millisecond))
	}
	return err
}

// collect fills in the counts of the report.
func (r *runner) collect(rep *Report) {
	rep.Kinds = r.rec.counts()
	rep.Made, rep.Applied, rep.Conflicts, rep.Rejected = 0, 0, 0, 0
	for _, c := range rep.Kinds {
		rep.Made += c.Made
		rep.Applied += c.Applied
		rep.Conflicts += c.Conflicts
		rep.Rejected += c.Rejected
	}
	r.rec.mu.Lock()
	rep.CacheResets, rep.DeskRestarts = r.rec.resets, r.rec.restarts
	r.rec.mu.Unlock()
	if r.faults != nil {
		rep.Faults, rep.OfflinePeriods = r.faults.counted()
	}
	rep.ServerKills, rep.GracefulRestarts, rep.ServerDown = 0, 0, 0
	for _, p := range r.servers() {
		kills, graceful, down := p.stats()
		rep.ServerKills, rep.GracefulRestarts, rep.ServerDown = rep.ServerKills+kills, rep.GracefulRestarts+graceful, rep.ServerDown+down
	}
	if r.pg != nil {
		rep.Servers, rep.PostgresRestarts = 2, r.pg.restarts.Load()
	}
	if r.cust != nil {
		rep.CustomerChats, rep.CustomerMessages, rep.CustomerResends = r.cust.counts()
	}
	r.dupMu.Lock()
	rep.DuplicateAnswers = r.dupAnswers
	r.dupMu.Unlock()
	rep.Skews = rep.Skews[:0]
	for _, d := range r.desks {
		rep.Skews = append(rep.Skews, d.skew)
	}
}

// stopAll stops the engines, the proxies and (gracefully) the server. The desks' stores stay
// open for the checks.
func (r *runner) stopAll() error {
	for _, d := range r.desks {
		if err := d.stopWithin(stuckAfter); err != nil {
			r.hung.Store(true)
			return fmt.Errorf("%w (stacks in %s)", err, r.dumpGoroutines())
		}
	}
	if r.faults != nil {
		r.faults.close()
	}
	if r.store == nil {
		return errors.New("soak: no server")
	}
	if r.second != nil {
		if err := r.second.stop(); err != nil {
			return err
		}
	}
	return r.store.stop()
}
