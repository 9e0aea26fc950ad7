package desk

import (
	"context"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu/internal/testkit"
)

// The network watcher tells of each change of the addresses, once, and of nothing else, and
// stops with its context.
func TestWatchNetwork(t *testing.T) {
	var mu gosync.Mutex
	current := "127.0.0.1/8,192.168.1.20/24"
	set := func(s string) {
		mu.Lock()
		current = s
		mu.Unlock()
	}
	addrs := func() string {
		mu.Lock()
		defer mu.Unlock()
		return current
	}
	var changes atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		watchNetwork(ctx, time.Millisecond, addrs, func() { changes.Add(1) })
	}()
	time.Sleep(20 * time.Millisecond) // many looks at the same addresses
	if n := changes.Load(); n != 0 {
		t.Fatalf("%d changes told with the same addresses", n)
	}
	set("127.0.0.1/8,10.0.0.7/24") // Wi-Fi switched
	testkit.WaitFor(t, "the change told", func() bool { return changes.Load() == 1 })
	time.Sleep(20 * time.Millisecond)
	if n := changes.Load(); n != 1 {
		t.Errorf("one change told %d times", n)
	}
	set("127.0.0.1/8") // the network gone
	testkit.WaitFor(t, "the second change told", func() bool { return changes.Load() == 2 })
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the watcher did not stop with its context")
	}
	if netAddrs() == "" {
		t.Error("this computer's addresses could not be read (loopback at least is expected)")
	}
}
