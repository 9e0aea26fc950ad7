package pgstore

import (
	"context"
	"time"

	"kefu/server/store"
)

var _ store.RateCounter = (*Store)(nil)

// AddRate implements store.RateCounter: one row per key and window (kefu_rates), bumped with
// an upsert, read with the previous window's in the same statement (one round trip). Rows
// are kept until the window after theirs has ended.
func (s *Store) AddRate(ctx context.Context, key string, window time.Duration, now time.Time, n int) (cur, prev int, err error) {
	if err := s.enter(ctx); err != nil {
		return 0, 0, err
	}
	start := store.RateWindow(now, window).UnixNano()
	w := int64(window)
	if n == 0 {
		err = s.pool.QueryRow(ctx, `SELECT
			COALESCE((SELECT n FROM kefu_rates WHERE key = $1 AND win = $2), 0),
			COALESCE((SELECT n FROM kefu_rates WHERE key = $1 AND win = $3), 0)`, key, start, start-w).Scan(&cur, &prev)
	} else {
		err = s.pool.QueryRow(ctx, `WITH up AS (
				INSERT INTO kefu_rates (key, win, n, expires_ns) VALUES ($1, $2, $4, $5)
				ON CONFLICT (key, win) DO UPDATE SET n = kefu_rates.n + excluded.n
				RETURNING n)
			SELECT (SELECT n FROM up), COALESCE((SELECT n FROM kefu_rates WHERE key = $1 AND win = $3), 0)`,
			key, start, start-w, n, start+2*w).Scan(&cur, &prev)
	}
	if err != nil {
		return 0, 0, fail(ctx, "counting a rate limit", err)
	}
	return cur, prev, nil
}

// ResetRate implements store.RateCounter.
func (s *Store) ResetRate(ctx context.Context, key string) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM kefu_rates WHERE key = $1`, key); err != nil {
		return fail(ctx, "forgetting a rate limit's key", err)
	}
	return nil
}

// PruneRates implements store.RateCounter.
func (s *Store) PruneRates(ctx context.Context, now time.Time) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM kefu_rates WHERE expires_ns <= $1`, now.UnixNano()); err != nil {
		return fail(ctx, "pruning rate limits", err)
	}
	return nil
}
