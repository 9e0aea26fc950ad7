package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// Watch implements store.Watcher: it LISTENs on the store's channel on a connection of its
// own (outside the pool) and reads every shop's counter when it starts listening and every
// PollEvery after, so that a notification missed while the connection was down is made up
// for. With Options.NoNotify it only polls. It returns ctx's error when ctx ends.
func (s *Store) Watch(ctx context.Context, fn func(shopID string, seq int64)) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	known := map[string]int64{}
	var pollErr error
	poll := func() {
		if err := s.pollCounters(ctx, known, fn); err != nil && ctx.Err() == nil {
			if pollErr == nil || pollErr.Error() != err.Error() {
				s.log.Warn("postgres: reading the shops' counters", "err", err)
			}
			pollErr = err
			return
		}
		pollErr = nil
	}
	pause := func(d time.Duration) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	for ctx.Err() == nil {
		if s.opts.NoNotify {
			poll()
			pause(s.opts.PollEvery)
			continue
		}
		err := s.listen(ctx, poll, func(shopID string, seq int64) {
			if seq > known[shopID] {
				known[shopID] = seq
			}
			fn(shopID, seq)
		})
		if ctx.Err() != nil {
			break
		}
		s.log.Warn("postgres: listening for changes; polling until it works again", "err", err)
		// Until LISTEN works again, poll as often as without notifications.
		for i := 0; i < 20 && ctx.Err() == nil; i++ {
			poll()
			pause(50 * time.Millisecond)
		}
	}
	return ctx.Err()
}

// listen LISTENs on a connection of its own and calls fn for each notification, and poll
// once listening and after every PollEvery without one, until ctx ends or the connection
// fails.
func (s *Store) listen(ctx context.Context, poll func(), fn func(string, int64)) error {
	cfg := s.cfg.ConnConfig.Copy()
	// pgx's default here: a context that ends interrupts the wait and keeps the connection.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return err
	}
	poll() // what committed before LISTEN took effect
	for {
		wctx, cancel := context.WithTimeout(ctx, s.opts.PollEvery)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			shopID, seq, commit, ok := readNote(n.Payload)
			switch { // the tail first: the server reads it when told
			case commit != nil:
				s.addTail(shopID, *commit, false)
			case ok:
				s.tailPassed(shopID, seq)
			}
			if ok {
				fn(shopID, seq)
			}
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) || wctx.Err() != nil:
			if conn.IsClosed() {
				return fmt.Errorf("the listening connection closed: %w", err)
			}
			poll()
		default:
			return err
		}
	}
}

// parsePayload reads a notification's hint, "shop seq".
func parsePayload(p string) (string, int64, bool) {
	i := strings.LastIndexByte(p, ' ')
	if i <= 0 {
		return "", 0, false
	}
	seq, err := strconv.ParseInt(p[i+1:], 10, 64)
	return p[:i], seq, err == nil
}

// pollCounters reads every shop's counter and calls fn for each one that grew since the last
// poll (every shop on the first).
func (s *Store) pollCounters(ctx context.Context, known map[string]int64, fn func(string, int64)) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	rows, err := s.pool.Query(ctx, `SELECT shop, seq FROM kefu_shops`)
	if err != nil {
		return err
	}
	type counter struct {
		shop string
		seq  int64
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (counter, error) {
		var c counter
		return c, r.Scan(&c.shop, &c.seq)
	})
	if err != nil {
		return err
	}
	for _, c := range all {
		if old, ok := known[c.shop]; !ok || c.seq > old {
			known[c.shop] = c.seq
			s.tailPassed(c.shop, c.seq) // what no notification told of will not come
			fn(c.shop, c.seq)
		}
	}
	return nil
}
