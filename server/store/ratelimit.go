package store

import (
	"context"
	"time"
)

// RateCounter is implemented by a store that several servers share (PostgreSQL), so that
// their rate limits (failed logins, chat starts, customer messages, inbound channel messages)
// count together: n servers behind a load balancer allow what one would, not n times as much.
// Events are counted per key in fixed windows of the limit's length, aligned to multiples of
// it since 1970; the server weighs the previous window's count by how much of it the sliding
// window still covers. Keys are opaque to the store (the server hashes them).
type RateCounter interface {
	// AddRate counts n events of key (n may be 0: only read) in the window of length window
	// that holds now, and returns the counts of that window and of the one before it.
	AddRate(ctx context.Context, key string, window time.Duration, now time.Time, n int) (cur, prev int, err error)
	// ResetRate forgets every event of key.
	ResetRate(ctx context.Context, key string) error
	// PruneRates forgets the windows that no limit reads any more at now.
	PruneRates(ctx context.Context, now time.Time) error
}

// RateWindow is the start of the window of length window that holds now, as RateCounter
// counts them: a multiple of window since 1970.
func RateWindow(now time.Time, window time.Duration) time.Time {
	ns := now.UnixNano()
	start := ns - ns%int64(window)
	if ns < 0 && start != ns {
		start -= int64(window)
	}
	return time.Unix(0, start)
}
