package soak

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"kefu/server/pgstore"
)

// The soak on PostgreSQL (Config.Postgres): two kefu-store processes serve one database, the
// desks alternate between them, the killer SIGKILLs either at random and the database itself
// restarts now and then (Config.RestartPostgres), dropping every connection. The checks read
// the shop from the database.

// Defaults of the PostgreSQL restarts.
const (
	DefaultPGRestartMin = 20 * time.Second
	DefaultPGRestartMax = 60 * time.Second
)

// pgSide is the database the servers share.
type pgSide struct {
	dsn      string
	restart  func() error // nil: no restarts
	gate     sync.RWMutex // held for reading while a server starts, for writing while the database restarts
	restarts atomic.Int64
}

// storeArgs are the flags that name the server's store.
func (p *storeProc) storeArgs() []string {
	if p.pg != nil {
		return []string{"--postgres", p.pg.dsn}
	}
	return []string{"--data", p.data}
}

// read reads the soak shop from the server's store (the server need not be stopped on
// PostgreSQL; on Badger it must be).
func (p *storeProc) read(ids []string) (*serverState, error) {
	if p.pg == nil {
		return readServer(p.data, ids)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := pgstore.Open(ctx, p.pg.dsn, pgstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return readStore(ctx, st, ids)
}

// servers are the kefu-store processes of the run.
func (r *runner) servers() []*storeProc {
	var out []*storeProc
	for _, p := range []*storeProc{r.store, r.second} {
		if p != nil {
			out = append(out, p)
		}
	}
	return out
}

// startSecond starts the second server on PostgreSQL and returns the addresses the desks'
// proxies forward to: the first server's alone on Badger.
func (r *runner) startSecond(ctx context.Context) ([]string, error) {
	if r.pg == nil {
		return []string{r.store.addr}, nil
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	r.second = &storeProc{bin: r.cfg.StoreBin, data: filepath.Join(r.dir, "server2"), addr: addr,
		logPath: filepath.Join(r.dir, "server2.log"), logf: r.logf, pg: r.pg}
	if err := r.second.start(ctx); err != nil {
		return nil, err
	}
	r.logf("soak: a second server on the same PostgreSQL database at %s; desks alternate between the two", addr)
	return []string{r.store.addr, addr}, nil
}

// chaosPostgres adds the second server's killer and scraper and the database's restarts to
// the fault phase.
func (r *runner) chaosPostgres(ctx context.Context, spawn func(func() error)) {
	if r.second == nil {
		return
	}
	rng := r.childRand()
	spawn(func() error { return r.second.killer(ctx, rng, r.cfg.KillMin, r.cfg.KillMax) })
	spawn(func() error {
		r.second.duplicates(ctx, &r.dupAnswers, &r.dupMu)
		return nil
	})
	if r.pg.restart == nil {
		return
	}
	prng := r.childRand()
	spawn(func() error { return r.pg.restarter(ctx, prng, r.cfg.PGRestartMin, r.cfg.PGRestartMax, r.logf) })
}

// restarter restarts the database at random moments until ctx ends, never while a server
// starts (a server that cannot reach its database at start gives up after a while).
func (pg *pgSide) restarter(ctx context.Context, rng *rand.Rand, lo, hi time.Duration, logf func(string, ...any)) error {
	for sleep(ctx, between(rng, lo, hi)) {
		pg.gate.Lock()
		err := pg.restart()
		pg.gate.Unlock()
		if err != nil {
			return fmt.Errorf("soak: restarting PostgreSQL: %w", err)
		}
		pg.restarts.Add(1)
		logf("soak: PostgreSQL restarted (immediate shutdown: every connection dropped)")
	}
	return nil
}
