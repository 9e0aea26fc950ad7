package testkit

import (
	"sync"
	"time"
)

// Clock is a clock that stands still until a test moves it: Now and After, the shape of the
// desk's clock (desk.Clock), so the desk's jobs and the screens run on it in tests. The sync
// engine's clock returns its own Timer type, so sync keeps a fake of its own.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []clockWaiter
	afters  int
}

type clockWaiter struct {
	at time.Time
	ch chan time.Time
}

// NewClock returns a Clock standing at now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives the time once the clock was moved on by d.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.afters++
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, clockWaiter{at: c.now.Add(d), ch: ch})
	return ch
}

// Afters is how many times After was called: a job loop calls it each time it goes idle.
func (c *Clock) Afters() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.afters
}

// Advance moves the clock on by d and fires the waiters that are due.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- c.now
	}
	c.waiters = kept
}

// Step fires the earliest waiter, if any, without moving the time: for tests whose window
// clock stands still while the jobs take their next step.
func (c *Clock) Step() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiters) == 0 {
		return
	}
	w := c.waiters[0]
	c.waiters = c.waiters[1:]
	w.ch <- w.at
}
