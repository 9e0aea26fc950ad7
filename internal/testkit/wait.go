package testkit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Defaults of Wait.
const (
	DefaultTimeout = 30 * time.Second     // generous: a loaded CI machine, the race detector
	DefaultPoll    = 5 * time.Millisecond // how often the condition is checked
)

// ErrTimeout: a condition did not hold before the deadline.
var ErrTimeout = errors.New("timed out")

// TB is the part of testing.TB that WaitFor needs.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Wait says how long to wait for a condition and how often to check it. The zero Wait uses
// DefaultTimeout and DefaultPoll.
type Wait struct {
	Timeout time.Duration // how long the condition may take to hold; 0: DefaultTimeout
	Poll    time.Duration // the pause between checks; 0: DefaultPoll
}

func (w Wait) timeout() time.Duration {
	if w.Timeout <= 0 {
		return DefaultTimeout
	}
	return w.Timeout
}

func (w Wait) poll() time.Duration {
	if w.Poll <= 0 {
		return DefaultPoll
	}
	return w.Poll
}

// WaitFor polls cond until it holds, failing t after DefaultTimeout with a message naming what
// it waited for.
func WaitFor(t TB, what string, cond func() bool) {
	t.Helper()
	Wait{}.For(t, what, cond)
}

// For polls cond until it holds, failing t when w's timeout passes.
func (w Wait) For(t TB, what string, cond func() bool) {
	t.Helper()
	w.ForState(t, what, func() (bool, string) { return cond(), "" })
}

// ForState polls cond until it holds, failing t when w's timeout passes. cond also describes
// the state it found (e.g. "state offline, 3 pending"); the failure message quotes the last
// description, so a timed-out test says how far things got.
func (w Wait) ForState(t TB, what string, cond func() (bool, string)) {
	t.Helper()
	if err := w.Until(context.Background(), what, func() (bool, error) {
		ok, state := cond()
		if ok || state == "" {
			return ok, nil
		}
		return false, errors.New(state)
	}); err != nil {
		t.Fatalf("%v", err)
	}
}

// Until polls cond until it reports true, ctx ends or w's timeout passes, for code that has no
// test to fail (the benchmark and soak runners). cond's error does not stop the wait: it is the
// state the condition found, quoted in the ErrTimeout error when the time is up.
func (w Wait) Until(ctx context.Context, what string, cond func() (bool, error)) error {
	start := time.Now()
	deadline := start.Add(w.timeout())
	tick := time.NewTicker(w.poll())
	defer tick.Stop()
	checks := 0
	for {
		ok, err := cond()
		checks++
		if ok {
			return nil
		}
		if !time.Now().Before(deadline) {
			msg := fmt.Errorf("%w after %s waiting for %s (checked %d times)", ErrTimeout,
				time.Since(start).Round(time.Millisecond), what, checks)
			if err != nil {
				return fmt.Errorf("%w; last: %w", msg, err)
			}
			return msg
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-tick.C:
		}
	}
}
