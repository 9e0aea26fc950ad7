package sync

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"kefu/localdb"
	"kefu/shop"
	"kefu/storeapi"
)

func TestBackoff(t *testing.T) {
	b := backoff{min: 250 * time.Millisecond, max: 30 * time.Second}
	for n := range 40 {
		ceil := min(250*time.Millisecond<<min(n, 20), 30*time.Second)
		d := b.next(0)
		if d < ceil/2 || d > ceil {
			t.Fatalf("pause %d = %v, want within [%v, %v]", n, d, ceil/2, ceil)
		}
	}
	if d := b.next(5 * time.Minute); d != 5*time.Minute {
		t.Errorf("with Retry-After 5m: %v", d)
	}
	if d := b.next(time.Hour); d != maxRetryAfter {
		t.Errorf("with Retry-After 1h: %v, want the cap %v", d, maxRetryAfter)
	}
	b.reset()
	if d := b.next(0); d > 250*time.Millisecond {
		t.Errorf("after reset: %v", d)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 11, 27, 8, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"120":                           2 * time.Minute,
		"0":                             0,
		"-3":                            0,
		"soon":                          0,
		"Thu, 27 Nov 2025 08:01:30 GMT": 90 * time.Second,
		"Thu, 27 Nov 2025 07:59:00 GMT": 0,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("Retry-After %q = %v, want %v", v, got, want)
		}
	}
}

func TestDecodeAnswer(t *testing.T) {
	jsonH := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	htmlH := http.Header{"Content-Type": {"text/html"}}
	var out storeapi.HealthResponse
	if err := decodeAnswer("GET /healthz", 200, jsonH, []byte(`{"status":"ok","seq":7}`), &out); err != nil || out.Seq != 7 {
		t.Errorf("ok answer: %+v, %v", out, err)
	}
	if err := decodeAnswer("GET /healthz", 200, htmlH, []byte("<html>captive portal</html>"), &out); !errors.Is(err, ErrNotKefuStore) || !retryable(err) {
		t.Errorf("html 200: %v, want a retryable ErrNotKefuStore", err)
	}
	if err := decodeAnswer("GET /healthz", 200, jsonH, []byte(`[1,2`), &out); !errors.Is(err, ErrNotKefuStore) {
		t.Errorf("broken json: %v", err)
	}
	h := jsonH.Clone()
	h.Set("Retry-After", "3")
	err := decodeAnswer("POST /v1/mutations", 503, h, []byte(`{"code":"unavailable","message":"the server is shutting down"}`), nil)
	var se *ServerError
	if !errors.As(err, &se) || se.Code != storeapi.CodeUnavailable || se.RetryAfter != 3*time.Second || !retryable(err) {
		t.Errorf("503: %v", err)
	}
	err = decodeAnswer("POST /v1/mutations", 400, jsonH, []byte(`{"code":"bad_request","message":"bad"}`), nil)
	if retryable(err) || statusOf(err) != 400 {
		t.Errorf("400 is retryable or lost its status: %v", err)
	}
	err = decodeAnswer("POST /v1/login", 404, htmlH, []byte("<h1>Not Found</h1>"), nil)
	if !errors.As(err, &se) || se.Code != "" || se.Message != "<h1>Not Found</h1>" {
		t.Errorf("html 404: %#v", err)
	}
	for _, code := range []int{408, 429, 500, 502} {
		if !retryable(&ServerError{StatusCode: code}) {
			t.Errorf("%d is not retryable", code)
		}
	}
	for _, code := range []int{400, 401, 403, 404, 413} {
		if retryable(&ServerError{StatusCode: code}) {
			t.Errorf("%d is retryable", code)
		}
	}
	if !retryable(fmt.Errorf("%w: dial tcp: connection refused", ErrUnreachable)) {
		t.Error("a transport error is not retryable")
	}
}

func TestMatchResults(t *testing.T) {
	ms := []shop.Mutation{{ID: "m1"}, {ID: "m2"}, {ID: "m3"}, {ID: "m4"}}
	conflict := &shop.Conflict{Reason: "review r1 is contacted now", By: "1001"}
	acks, err := matchResults(ms, []storeapi.Result{
		{ID: "m1", Status: storeapi.StatusApplied, Seq: 4},
		{ID: "m2", Status: storeapi.StatusDuplicate, First: storeapi.StatusApplied},
		{ID: "m3", Status: storeapi.StatusDuplicate, First: storeapi.StatusConflict, Conflict: conflict},
		{ID: "m4", Status: storeapi.StatusRejected},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []localdb.Ack{
		{ID: "m1", Status: localdb.AckApplied},
		{ID: "m2", Status: localdb.AckDuplicate},
		{ID: "m3", Status: localdb.AckConflict, Reason: conflict.Reason, Conflict: conflict},
		{ID: "m4", Status: localdb.AckRejected, Reason: "refused by the server"},
	}
	if fmt.Sprint(acks) != fmt.Sprint(want) {
		t.Errorf("acks = %+v\nwant %+v", acks, want)
	}

	// A short answer: the known ones are acknowledged, the rest is an error.
	acks, err = matchResults(ms, []storeapi.Result{{ID: "m1", Status: storeapi.StatusApplied}, {ID: "m9", Status: storeapi.StatusApplied}})
	if err == nil || len(acks) != 1 || acks[0].ID != "m1" {
		t.Errorf("short answer: %+v, %v", acks, err)
	}
	acks, err = matchResults(ms[:1], []storeapi.Result{{ID: "m1", Status: "maybe"}})
	if err == nil || len(acks) != 0 {
		t.Errorf("unknown status: %+v, %v", acks, err)
	}
	acks, err = matchResults(ms[:1], []storeapi.Result{{ID: "m1", Status: storeapi.StatusConflict, Reason: "taken"}})
	if err != nil || acks[0].Conflict == nil || acks[0].Conflict.Reason != "taken" {
		t.Errorf("conflict without details: %+v, %v", acks, err)
	}
}

func TestStatusString(t *testing.T) {
	since := time.Date(2025, 11, 27, 9, 30, 0, 0, time.Local)
	for _, c := range []struct {
		s    Status
		want string
	}{
		{Status{State: StateOnline}, "online"},
		{Status{State: StateOffline, Since: since, Pending: 3, Err: "store server unreachable"}, "offline since 2025-11-27 09:30:00, 3 pending: store server unreachable"},
		{Status{State: StateSyncing, Done: 50, Total: 200}, "syncing 50 of 200"},
		{Status{State: StateSignedOut, Problems: 2}, "signed_out, 2 problems"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
	if p := (Status{Done: 50, Total: 200}).Progress(); p != 0.25 {
		t.Errorf("progress %v", p)
	}
	if p := (Status{Done: 5}).Progress(); p != 0 {
		t.Errorf("progress without total %v", p)
	}
}

func TestNewChecksParams(t *testing.T) {
	if _, err := New(Params{BaseURL: "http://127.0.0.1:1"}); err == nil {
		t.Error("New without a store worked")
	}
	db, err := localdb.Open(localdb.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := New(Params{Store: db, BaseURL: "store.example.com"}); !errors.Is(err, ErrBadURL) {
		t.Errorf("bad address: %v, want ErrBadURL", err)
	}
	e, err := New(Params{Store: db, BaseURL: "https://store.example.com/", BatchSize: 10_000, Wait: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if e.p.BatchSize != storeapi.MaxBatch || e.p.PullLimit != DefaultPullLimit || e.p.Wait != storeapi.MaxWaitSeconds*time.Second ||
		e.p.MinBackoff != DefaultMinBackoff || e.p.MaxBackoff != DefaultMaxBackoff {
		t.Errorf("params after defaults: %+v", e.p)
	}
	if s := e.Status(); s.State != StateSignedOut {
		t.Errorf("without a token the engine starts %s, want signed out", s.State)
	}
}

func TestEncodeBatch(t *testing.T) {
	m := func(id, data string) shop.Mutation {
		return shop.Mutation{ID: id, Kind: shop.KindOrderNote, Entity: "o1", Staff: "1001", Data: json.RawMessage(data)}
	}
	batch := []shop.Mutation{m("m1", `{"text":"一"}`), m("m2", `{"text":"二"}`), m("m3", `{"text":"三"}`)}
	one, err := json.Marshal(batch[0])
	if err != nil {
		t.Fatal(err)
	}

	got, body, bad := encodeBatch(batch, 1<<20)
	var req storeapi.MutationsRequest
	if err := json.Unmarshal(body, &req); err != nil || len(bad) != 0 || len(got) != 3 || len(req.Mutations) != 3 || req.Mutations[2].ID != "m3" {
		t.Errorf("whole batch: %d sent, body %s, bad %v, %v", len(got), body, bad, err)
	}
	got, body, _ = encodeBatch(batch, 2*len(one)+20)
	if err := json.Unmarshal(body, &req); err != nil || len(got) != 2 || len(req.Mutations) != 2 {
		t.Errorf("size-capped batch: %d sent, body %s, %v", len(got), body, err)
	}
	got, body, _ = encodeBatch(batch, 10)
	if err := json.Unmarshal(body, &req); err != nil || len(got) != 1 || req.Mutations[0].ID != "m1" {
		t.Errorf("a mutation over the cap still goes alone: %d sent, %s", len(got), body)
	}
	batch[1].Data = json.RawMessage(`{"text":`)
	got, body, bad = encodeBatch(batch, 1<<20)
	if len(got) != 0 || body != nil || len(bad) != 1 || bad[0].ID != "m2" || bad[0].Status != localdb.AckRejected {
		t.Errorf("unencodable: %d sent, bad %+v", len(got), bad)
	}
}
