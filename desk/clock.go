package desk

import "time"

// Clock is the desk's time: when actions are recorded and when the jobs take their next step.
// Tests move a clock of their own instead of waiting.
type Clock interface {
	// Now is the current time.
	Now() time.Time
	// After sends the time on the channel once d has passed.
	After(d time.Duration) <-chan time.Time
}

// systemClock is the computer's clock.
type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
