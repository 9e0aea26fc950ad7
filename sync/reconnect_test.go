package sync

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu/internal/testkit"
	"kefu/shop"
	"kefu/storeapi"
)

// pathCounter is a transport that counts the requests it carries by path, before the cable.
type pathCounter struct {
	next http.RoundTripper
	mu   gosync.Mutex
	n    map[string]int
}

func (c *pathCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[r.URL.Path]++
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

func (c *pathCounter) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[path]
}

func (c *pathCounter) CloseIdleConnections() { c.next.(*cable).CloseIdleConnections() }

// counted makes a desk's engine send its requests through a pathCounter.
func counted(pc *pathCounter) func(*Params) {
	return func(p *Params) {
		pc.next = p.HTTPClient.Transport
		p.HTTPClient = &http.Client{Transport: pc}
	}
}

// While the server is gone the engine does not wait out its backoff: it probes GET /healthz
// at most every 1.25 s (ProbeEvery 1 s ±25%), never pulling or pushing in between, shows when
// it tries next, and the first probe that finds the server back ends the hour-long pause: the
// note made offline is pushed and the desk is online without the clock moving on any further.
func TestOfflineProbesEndTheBackoff(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	clk := newFakeClock()
	pc := &pathCounter{}
	d := newDesk(t, ts, "desk", "1001", func(p *Params) {
		p.Clock, p.Wait, p.MinBackoff, p.MaxBackoff, p.ProbeEvery = clk, time.Second, time.Hour, time.Hour, time.Second
		counted(pc)(p)
	})
	d.waitSynced(ts)
	dm := findFixture(t, d.db)

	ts.stop()
	// The note kicks the engine out of its long poll; the push finds nobody.
	pushes := pc.count(storeapi.PathMutations)
	_, noteID := d.note(dm.orders[0].ID, shop.FlagRed, "服务器重启时写的备注")
	testkit.WaitFor(t, "the push that finds nobody", func() bool { return pc.count(storeapi.PathMutations) > pushes })
	testkit.WaitFor(t, "the desk offline", func() bool { return d.eng.Status().State == StateOffline })
	pulls, pushes := pc.count(storeapi.PathChanges), pc.count(storeapi.PathMutations)
	start := clk.Now()
	for i := range 6 {
		p := clk.nextPause(t, fmt.Sprintf("probe wait %d", i+1))
		if p < 750*time.Millisecond || p > 1250*time.Millisecond {
			t.Errorf("wait %d before a probe: %v, want 0.75 s to 1.25 s", i+1, p)
		}
		s := d.eng.Status()
		if s.State != StateOffline || s.Cause != CauseUnreachable || !s.NextTry.Equal(clk.Now().Add(p)) {
			t.Errorf("wait %d: status %+v, want offline (unreachable), next try at %v", i+1, s, clk.Now().Add(p))
		}
		before := pc.count(storeapi.PathHealth)
		clk.Advance(p)
		testkit.WaitFor(t, "the probe", func() bool { return pc.count(storeapi.PathHealth) > before })
	}
	if n, m := pc.count(storeapi.PathChanges), pc.count(storeapi.PathMutations); n != pulls || m != pushes {
		t.Errorf("probing sent %d pulls and %d pushes; want health probes only", n-pulls, m-pushes)
	}

	ts.start(false)
	p := clk.nextPause(t, "the probe wait after the server is back")
	clk.Advance(p)
	d.waitSynced(ts)
	if moved := clk.Now().Sub(start); moved > 10*time.Second {
		t.Errorf("online after %v on the clock; the backoff pause was an hour", moved)
	}
	if _, ok := ts.feed(t, d.token)["note/"+noteID]; !ok {
		t.Error("the offline note is not on the server")
	}
	if s := d.eng.Status(); !s.NextTry.IsZero() || s.Err != "" {
		t.Errorf("online status %+v keeps the offline details", s)
	}
}

// A server that answers its health check while its API fails (5xx) is not hammered: the probes
// succeed from the start, so they do not end the pause, and the API is asked again only when the
// pause is over.
func TestProbesDoNotHammerAFailingAPI(t *testing.T) {
	t.Parallel()
	var failing atomic.Bool
	ts := newTestServer(t, failAPI(&failing))
	clk := newFakeClock()
	pc := &pathCounter{}
	d := newDesk(t, ts, "desk", "1001", func(p *Params) {
		p.Clock, p.Wait, p.MinBackoff, p.MaxBackoff, p.ProbeEvery = clk, time.Second, time.Minute, time.Minute, time.Second
		counted(pc)(p)
	})
	d.waitSynced(ts)
	dm := findFixture(t, d.db)
	failing.Store(true)
	d.note(dm.orders[0].ID, shop.FlagRed, "维护时写的备注")
	testkit.WaitFor(t, "the desk offline", func() bool { return d.eng.Status().State == StateOffline })
	pushes := pc.count(storeapi.PathMutations)
	for i := range 5 {
		before := pc.count(storeapi.PathHealth)
		clk.Advance(clk.nextPause(t, fmt.Sprintf("probe wait %d", i+1)))
		testkit.WaitFor(t, "the probe", func() bool { return pc.count(storeapi.PathHealth) > before })
	}
	if n := pc.count(storeapi.PathMutations); n != pushes {
		t.Errorf("%d pushes while the pause of at least 30 s ran; want none", n-pushes)
	}
	failing.Store(false)
	clk.Advance(time.Minute) // the pause ends; the push goes out
	d.waitSynced(ts)
}

// failAPI makes the store's API (not /healthz) answer 503 while failing is set.
func failAPI(failing *atomic.Bool) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if failing.Load() && strings.HasPrefix(r.URL.Path, "/v1/") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, `{"code":"unavailable","message":"maintenance"}`)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

// The backoff starts over on a sign of life: the pauses grow from MinBackoff to MaxBackoff while
// the server fails, and a staff action (Kick) or ReconnectNow tries at once and brings the next
// pause back to MinBackoff.
func TestBackoffResetOnSignsOfLife(t *testing.T) {
	t.Parallel()
	var failing atomic.Bool
	ts := newTestServer(t, failAPI(&failing))
	clk := newFakeClock()
	pc := &pathCounter{}
	d := newDesk(t, ts, "desk", "1001", func(p *Params) {
		p.Clock, p.Wait, p.MinBackoff, p.MaxBackoff, p.ProbeEvery = clk, time.Second, time.Minute, 4*time.Minute, -1
		counted(pc)(p)
	})
	// tried waits for a push after an action that must try at once (the old pause is over then).
	tried := func(what string, action func()) {
		t.Helper()
		before := pc.count(storeapi.PathMutations)
		action()
		testkit.WaitFor(t, what, func() bool { return pc.count(storeapi.PathMutations) > before })
	}
	d.waitSynced(ts)
	dm := findFixture(t, d.db)
	failing.Store(true)
	d.note(dm.orders[0].ID, shop.FlagRed, "维护时写的备注")

	grow := func(what string, maxes ...time.Duration) {
		t.Helper()
		for i, max := range maxes {
			p := clk.nextPause(t, fmt.Sprintf("%s: pause %d", what, i+1))
			if p < max/2 || p > max {
				t.Errorf("%s: pause %d is %v, want %v to %v", what, i+1, p, max/2, max)
			}
			if i < len(maxes)-1 {
				clk.Advance(p)
			}
		}
	}
	grow("failing", time.Minute, 2*time.Minute, 4*time.Minute, 4*time.Minute)
	tried("the push after a staff action", func() { d.note(dm.orders[1].ID, shop.FlagGreen, "又一条") })
	grow("after a staff action", time.Minute, 2*time.Minute)
	tried("the push after reconnect now", d.eng.ReconnectNow)
	grow("after reconnect now", time.Minute)
	failing.Store(false)
	d.eng.ReconnectNow()
	d.waitSynced(ts)
}
