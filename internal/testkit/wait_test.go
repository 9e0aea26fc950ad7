package testkit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeTB records a failure instead of ending the test.
type fakeTB struct{ failed string }

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
}

func TestWaitForHolds(t *testing.T) {
	var n atomic.Int32
	go func() {
		for range 3 {
			n.Add(1)
		}
	}()
	WaitFor(t, "three counts", func() bool { return n.Load() == 3 })
}

func TestWaitForTimesOutWithMessage(t *testing.T) {
	var tb fakeTB
	Wait{Timeout: 30 * time.Millisecond, Poll: time.Millisecond}.For(&tb, "the moon", func() bool { return false })
	if !strings.Contains(tb.failed, "waiting for the moon") || !strings.Contains(tb.failed, "timed out") {
		t.Errorf("failure message %q does not say what was waited for", tb.failed)
	}
}

func TestForStateQuotesLastState(t *testing.T) {
	var tb fakeTB
	i := 0
	Wait{Timeout: 20 * time.Millisecond, Poll: time.Millisecond}.ForState(&tb, "online", func() (bool, string) {
		i++
		return false, fmt.Sprintf("offline, try %d", i)
	})
	if !strings.Contains(tb.failed, fmt.Sprintf("last: offline, try %d", i)) {
		t.Errorf("failure message %q does not quote the last state (try %d)", tb.failed, i)
	}
}

func TestUntilStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Wait{Timeout: time.Hour}.Until(ctx, "nothing", func() (bool, error) { return false, nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Until = %v, want context.Canceled", err)
	}
	err = Wait{Timeout: 10 * time.Millisecond}.Until(context.Background(), "nothing", func() (bool, error) {
		return false, errors.New("still nothing")
	})
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "still nothing") {
		t.Errorf("Until = %v, want ErrTimeout quoting the last error", err)
	}
}
