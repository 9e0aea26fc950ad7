package sync

import (
	"fmt"
	"kefu/internal/testkit"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when a test advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer // not yet fired or stopped
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

// fakeTimer is a timer of a fakeClock.
type fakeTimer struct {
	c  *fakeClock
	at time.Time
	d  time.Duration // as asked for
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), d: d, ch: make(chan time.Time, 1)}
	if d <= 0 {
		t.ch <- c.now
	} else {
		c.timers = append(c.timers, t)
	}
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	for i, o := range t.c.timers {
		if o == t {
			t.c.timers = append(t.c.timers[:i], t.c.timers[i+1:]...)
			return true
		}
	}
	return false
}

// Advance moves the clock by d and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			keep = append(keep, t)
			continue
		}
		t.ch <- c.now
	}
	c.timers = keep
}

// pending is the durations the waiting timers were asked for, oldest first.
func (c *fakeClock) pending() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Duration
	for _, t := range c.timers {
		out = append(out, t.d)
	}
	return out
}

// nextPause waits until exactly one timer waits (a pause between retries) and returns how long
// it was asked to wait.
func (c *fakeClock) nextPause(t testing.TB, what string) time.Duration {
	t.Helper()
	var d time.Duration
	testkit.Wait{}.ForState(t, what, func() (bool, string) {
		p := c.pending()
		if len(p) == 1 {
			d = p[0]
			return true, ""
		}
		return false, fmt.Sprintf("%d timers waiting", len(p))
	})
	return d
}

func TestFakeClock(t *testing.T) {
	c := newFakeClock()
	start := c.Now()
	a, b := c.NewTimer(time.Second), c.NewTimer(3*time.Second)
	if now := c.NewTimer(0); len(now.C()) != 1 {
		t.Error("a timer of 0 did not fire at once")
	}
	c.Advance(2 * time.Second)
	select {
	case at := <-a.C():
		if !at.Equal(start.Add(2 * time.Second)) {
			t.Errorf("fired at %v", at)
		}
	default:
		t.Fatal("the 1 s timer did not fire after 2 s")
	}
	if len(b.C()) != 0 || len(c.pending()) != 1 {
		t.Fatal("the 3 s timer fired after 2 s")
	}
	if !b.Stop() || b.Stop() || len(c.pending()) != 0 {
		t.Error("Stop of a waiting timer")
	}
	c.Advance(time.Hour)
	if len(b.C()) != 0 {
		t.Error("a stopped timer fired")
	}
}
