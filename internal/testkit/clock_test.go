package testkit

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	c := NewClock(t0)
	soon, later := c.After(time.Second), c.After(time.Minute)
	if c.Afters() != 2 {
		t.Fatalf("Afters = %d; want 2", c.Afters())
	}
	c.Advance(2 * time.Second)
	select {
	case at := <-soon:
		if !at.Equal(t0.Add(2 * time.Second)) {
			t.Errorf("fired at %v", at)
		}
	default:
		t.Fatal("a waiter due after the advance did not fire")
	}
	select {
	case <-later:
		t.Fatal("a waiter not yet due fired")
	default:
	}
	c.Step()
	select {
	case at := <-later:
		if !at.Equal(t0.Add(time.Minute)) {
			t.Errorf("Step fired with %v; want the waiter's own time", at)
		}
	default:
		t.Fatal("Step fired nothing")
	}
	if !c.Now().Equal(t0.Add(2 * time.Second)) {
		t.Errorf("Step moved the clock to %v", c.Now())
	}
	c.Step() // no waiter: nothing happens
}
