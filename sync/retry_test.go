package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

// scripted is a store stand-in that answers each request with the next of its answers (the
// last one again once they run out) and records what it was sent.
type scripted struct {
	t       *testing.T
	mu      sync.Mutex
	answers []answer
	got     []sent
}

// answer is one scripted HTTP answer.
type answer struct {
	status int
	header map[string]string
	body   string // JSON unless a Content-Type header says otherwise
}

// sent is what one request carried.
type sent struct {
	body, key, query string
}

var (
	pushOK = answer{status: 200, body: `{"results":[]}`}
	feedOK = answer{status: 200, body: `{"changes":[],"next":7,"more":false,"total":7}`}
	down   = answer{status: 503, body: `{"code":"unavailable","message":"restarting"}`}
)

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.got = append(s.got, sent{body: string(b), key: r.Header.Get("Idempotency-Key"), query: r.URL.RawQuery})
	a := s.answers[min(len(s.got), len(s.answers))-1]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func (s *scripted) requests() []sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sent(nil), s.got...)
}

// ended checks that a call ended with an error wrapping want after attempts attempts.
func (s *scripted) ended(t *testing.T, err, want error, attempts int) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("the call ended with %v, want %v", err, want)
	}
	if n := len(s.requests()); n != attempts {
		t.Errorf("%d attempts, want %d", n, attempts)
	}
}

// newScripted serves answers and returns a retryClient for it on a fake clock, with pauses
// from 1 s to 8 s.
func newScripted(t *testing.T, answers ...answer) (*scripted, *retryClient, *fakeClock) {
	t.Helper()
	s := &scripted{t: t, answers: answers}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	api, err := newAPIClient(hs.URL, nil, discardLogger, "kefu-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.closeIdle)
	clk := newFakeClock()
	return s, newRetryClient(api, clk, time.Second, 8*time.Second), clk
}

// report records the retries a retryClient reports.
type report struct {
	mu    sync.Mutex
	errs  []error
	waits []time.Duration
}

func (r *report) add(err error, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs, r.waits = append(r.errs, err), append(r.waits, d)
}

func (r *report) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errs)
}

// Failures of the wire and the server are retried after growing pauses on the clock, each one
// reported, with the same body and idempotency key every time, until the server answers.
func TestRetryClientRetriesUntilAnswered(t *testing.T) {
	t.Parallel()
	s, rc, clk := newScripted(t, down, answer{status: 502, body: "<html>Bad Gateway</html>",
		header: map[string]string{"Content-Type": "text/html"}}, answer{status: 408, body: `{}`}, pushOK)
	var rep report
	rc.Report = rep.add
	done := make(chan error, 1)
	go func() {
		_, err := rc.push(context.Background(), "tok", []byte(`{"mutations":[]}`), "m1+1")
		done <- err
	}()
	for i, max := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		d := clk.nextPause(t, fmt.Sprintf("pause %d", i+1))
		if d < max/2 || d > max {
			t.Errorf("pause %d: %v, want between %v and %v", i+1, d, max/2, max)
		}
		if rep.count() != i+1 {
			t.Errorf("pause %d: %d retries reported", i+1, rep.count())
		}
		clk.Advance(d)
	}
	if err := <-done; err != nil {
		t.Fatalf("push: %v", err)
	}
	got := s.requests()
	if len(got) != 4 {
		t.Fatalf("%d attempts, want 4", len(got))
	}
	for _, r := range got {
		if r.body != `{"mutations":[]}` || r.key != "m1+1" {
			t.Errorf("attempt sent %q with key %q; want the same body and key every time", r.body, r.key)
		}
	}
	if statusOf(rep.errs[0]) != 503 || statusOf(rep.errs[1]) != 502 || statusOf(rep.errs[2]) != 408 {
		t.Errorf("reported %v; want the 503, 502 and 408 answers", rep.errs)
	}

	// After the success the backoff starts over.
	s.mu.Lock()
	s.answers, s.got = []answer{down, pushOK}, nil
	s.mu.Unlock()
	go func() {
		_, err := rc.push(context.Background(), "tok", []byte(`{}`), "k")
		done <- err
	}()
	if d := clk.nextPause(t, "the first pause of a new failure"); d > time.Second {
		t.Errorf("after a success the first pause is %v, want at most 1 s", d)
	}
	clk.Advance(time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Permanent errors come back after one attempt, unreported.
func TestRetryClientPermanentErrors(t *testing.T) {
	t.Parallel()
	for name, a := range map[string]answer{
		"400 refused batch": {status: 400, body: `{"code":"bad_request","message":"not a batch"}`},
		"401 signed out":    {status: 401, body: `{"code":"unauthorized","message":"token expired"}`},
		"403 forbidden":     {status: 403, body: `{"code":"forbidden","message":"no"}`},
		"404 store error":   {status: 404, body: `{"code":"not_found","message":"no such shop"}`},
		"413 batch too big": {status: 413, body: `{"code":"too_large","message":"too large"}`},
		"422 unprocessable": {status: 422, body: `{"code":"invalid","message":"invalid"}`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, rc, _ := newScripted(t, a, pushOK)
			var rep report
			rc.Report = rep.add
			_, err := rc.push(context.Background(), "tok", []byte(`{}`), "k")
			if statusOf(err) != a.status {
				t.Errorf("push = %v, want the %d answer", err, a.status)
			}
			if n := len(s.requests()); n != 1 || rep.count() != 0 {
				t.Errorf("%d attempts, %d retries reported; want 1 and 0", n, rep.count())
			}
		})
	}
}

// A Retry-After is waited for, and the pause is marked as the server's (a Kick does not cut it).
func TestRetryClientHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	s, rc, _ := newScripted(t, answer{status: 429, header: map[string]string{"Retry-After": "7"},
		body: `{"code":"rate_limited","message":"slow down"}`}, pushOK)
	var asked []bool
	var waits []time.Duration
	rc.Pause = func(ctx context.Context, d time.Duration, serverAsked bool) error {
		asked, waits = append(asked, serverAsked), append(waits, d)
		return nil
	}
	if _, err := rc.push(context.Background(), "tok", []byte(`{}`), "k"); err != nil {
		t.Fatal(err)
	}
	if len(waits) != 1 || waits[0] != 7*time.Second || !asked[0] || len(s.requests()) != 2 {
		t.Errorf("pauses %v (server asked %v), %d attempts; want one 7 s pause the server asked for and 2 attempts",
			waits, asked, len(s.requests()))
	}
}

// The context is checked before every attempt; a cancelled pause, or a Pause that gives up,
// ends the call with no further attempt.
func TestRetryClientStops(t *testing.T) {
	t.Parallel()
	t.Run("cancelled before", func(t *testing.T) {
		t.Parallel()
		s, rc, _ := newScripted(t, pushOK)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := rc.push(ctx, "tok", []byte(`{}`), "k")
		s.ended(t, err, context.Canceled, 0)
	})
	t.Run("cancelled while pausing", func(t *testing.T) {
		t.Parallel()
		s, rc, clk := newScripted(t, down)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := rc.push(ctx, "tok", []byte(`{}`), "k")
			done <- err
		}()
		clk.nextPause(t, "the pause after the 503")
		cancel()
		s.ended(t, <-done, context.Canceled, 1)
	})
	t.Run("pause gives up", func(t *testing.T) {
		t.Parallel()
		s, rc, _ := newScripted(t, down)
		rc.Pause = func(context.Context, time.Duration, bool) error { return errKicked }
		_, err := rc.push(context.Background(), "tok", []byte(`{}`), "k")
		s.ended(t, err, errKicked, 1)
	})
	t.Run("unreachable is retried", func(t *testing.T) {
		t.Parallel()
		api, err := newAPIClient("http://127.0.0.1:1", nil, discardLogger, "kefu-test")
		if err != nil {
			t.Fatal(err)
		}
		rc := newRetryClient(api, newFakeClock(), time.Second, 8*time.Second)
		var rep report
		rc.Report = rep.add
		rc.Pause = func(context.Context, time.Duration, bool) error {
			if rep.count() == 3 {
				return errKicked
			}
			return nil
		}
		if _, err := rc.push(context.Background(), "tok", []byte(`{}`), "k"); !errors.Is(err, errKicked) {
			t.Errorf("push = %v, want errKicked after the retries", err)
		}
		if rep.count() != 3 || !errors.Is(rep.errs[0], ErrUnreachable) {
			t.Errorf("reported %v, want 3 ErrUnreachable", rep.errs)
		}
	})
}

// A long poll waits only on its first attempt (a server that answers again is seen at once), is
// made with LongPoll's context, and ends with errKicked when that is cancelled. An answer
// without a cursor is not a Kefu store's and is retried.
func TestRetryClientChanges(t *testing.T) {
	t.Parallel()
	s, rc, clk := newScripted(t, down, answer{status: 200, body: `{"changes":[]}`}, feedOK)
	polls := 0
	rc.LongPoll = func(ctx context.Context) (context.Context, func()) {
		polls++
		return ctx, func() {}
	}
	var rep report
	rc.Report = rep.add
	done := make(chan error, 1)
	var resp storeapi.ChangesResponse
	go func() {
		var err error
		resp, err = rc.changes(context.Background(), "tok", 5, 100, 25*time.Second)
		done <- err
	}()
	for i := range 2 {
		clk.Advance(clk.nextPause(t, fmt.Sprintf("pause %d", i+1)))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := s.requests()
	if len(got) != 3 || got[0].query != "after=5&limit=100&wait=25" || got[1].query != "after=5&limit=100" ||
		got[2].query != "after=5&limit=100" {
		t.Errorf("queries %+v; want a long poll, then polls without waiting", got)
	}
	if polls != 1 || rep.count() != 2 || !errors.Is(rep.errs[1], ErrNotKefuStore) {
		t.Errorf("%d long polls, reported %v", polls, rep.errs)
	}
	if resp.Next != 7 || resp.Total != 7 {
		t.Errorf("answer %+v", resp)
	}

	_, rc, _ = newScripted(t, feedOK)
	rc.LongPoll = func(ctx context.Context) (context.Context, func()) {
		ctx, cancel := context.WithCancel(ctx)
		cancel() // a Kick came
		return ctx, cancel
	}
	if _, err := rc.changes(context.Background(), "tok", 5, 100, time.Second); !errors.Is(err, errKicked) {
		t.Errorf("a cut long poll: %v, want errKicked", err)
	}
}

// The engine's pauses run on Params.Clock: offline since the clock's time, the pauses growing
// from MinBackoff, and back online once the clock has moved past the pause and the server
// answers — no sleeping through a backoff.
func TestEngineBacksOffOnItsClock(t *testing.T) {
	t.Parallel()
	var failing atomic.Bool
	ts := newTestServer(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if failing.Load() && strings.HasPrefix(r.URL.Path, "/v1/") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, `{"code":"unavailable","message":"maintenance"}`)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	clk := newFakeClock()
	d := newDesk(t, ts, "desk", "1001", func(p *Params) {
		// (No health probes: they would cut the pauses into seconds; TestOfflineProbesEndTheBackoff.)
		p.Clock, p.Wait, p.MinBackoff, p.MaxBackoff, p.ProbeEvery = clk, time.Second, time.Minute, 4*time.Minute, -1
	})
	d.waitSynced(ts)
	dm := findFixture(t, d.db)

	failing.Store(true)
	d.note(dm.orders[0].ID, shop.FlagRed, "维护时写的备注")
	since := clk.Now()
	for i, max := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 4 * time.Minute} {
		p := clk.nextPause(t, fmt.Sprintf("pause %d", i+1))
		if p < max/2 || p > max {
			t.Errorf("pause %d: %v, want between %v and %v", i+1, p, max/2, max)
		}
		s := d.eng.Status()
		if s.State != StateOffline || !s.Since.Equal(since) || s.Pending != 1 || s.Cause != CauseServerError {
			t.Errorf("pause %d: status %+v, want offline since %v with 1 pending", i+1, s, since)
		}
		if i == 3 {
			failing.Store(false) // the server is back before the last pause ends
		}
		clk.Advance(p)
	}
	d.waitSynced(ts)
}
