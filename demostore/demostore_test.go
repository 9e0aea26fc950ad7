package demostore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/server"
	"kefu/shop"
	"kefu/shop/demoshop"
	"kefu/storeapi"
	"kefu/storeapi/apitest"
)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// env is a server on a loopback listener with a client that validates every response
// against storeapi/openapi.yaml.
type env struct {
	t      *testing.T
	srv    *server.Server
	hs     *httptest.Server
	clock  *testClock
	client *http.Client
	dir    string
}

// startEnv starts a server on dir ("" for memory) with the clock and no shops.
func startEnv(t *testing.T, dir string, clock *testClock) *env {
	t.Helper()
	srv, err := server.New(server.Params{DataDir: dir, Now: clock.Now, Logger: slog.New(slog.DiscardHandler), PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e := &env{t: t, srv: srv, hs: httptest.NewServer(srv.Handler()), clock: clock, dir: dir,
		client: &http.Client{Transport: apitest.Transport(t, nil), Timeout: 90 * time.Second}}
	t.Cleanup(e.stop)
	return e
}

func (e *env) stop() {
	if e.hs == nil {
		return
	}
	e.hs.CloseClientConnections()
	if err := e.srv.Close(); err != nil {
		e.t.Errorf("Close: %v", err)
	}
	e.hs.Close()
	e.hs = nil
}

// restart stops the server and starts a new one on the same data directory and clock.
func (e *env) restart() *env {
	e.t.Helper()
	e.stop()
	return startEnv(e.t, e.dir, e.clock)
}

// call sends a request (body nil, []byte sent as is, or a value sent as JSON), expects status
// want and decodes the answer into out (if not nil).
func (e *env) call(method, path, token string, body any, want int, out any) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.hs.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading: %v", method, path, err)
	}
	if resp.StatusCode != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s %s: decoding %s: %v", method, path, data, err)
		}
	}
}

func (e *env) changes(token string, after int64, limit int) storeapi.ChangesResponse {
	e.t.Helper()
	var cr storeapi.ChangesResponse
	e.call("GET", fmt.Sprintf("%s?after=%d&limit=%d", storeapi.PathChanges, after, limit), token, nil, 200, &cr)
	return cr
}

// all reads the whole feed of the token's shop.
func (e *env) all(token string) map[string]shop.Record {
	e.t.Helper()
	out := map[string]shop.Record{}
	var after int64
	for {
		cr := e.changes(token, after, storeapi.MaxChangesLimit)
		for _, r := range cr.Changes {
			out[string(r.Type)+"/"+r.ID] = r
		}
		after = cr.Next
		if !cr.More {
			return out
		}
	}
}

// examplesDay is the day the spec's examples were made for (see storeapi/openapi.yaml).
var examplesDay = time.Date(2026, 11, 23, 10, 0, 0, 0, shop.ShopZone)

func demoLogin(e *env, staff string) storeapi.LoginResponse {
	e.t.Helper()
	var lr storeapi.LoginResponse
	e.call("POST", storeapi.PathLogin, "", storeapi.LoginRequest{Shop: Shop, Staff: staff, Password: Password}, 200, &lr)
	return lr
}

func TestSeedDemo(t *testing.T) {
	e := startEnv(t, t.TempDir(), &testClock{t: examplesDay})
	if err := Seed(t.Context(), e.srv); err != nil {
		t.Fatal(err)
	}
	owner := demoLogin(e, Owner)
	agent := demoLogin(e, Agent)
	if owner.Staff.Role != shop.RoleOwner || agent.Staff.Role != shop.RoleAgent || owner.Shop.Name == "" || owner.Shop.ID != Shop {
		t.Fatalf("owner %+v, agent %+v", owner, agent)
	}
	want := map[shop.EntityType]int{}
	err := demoshop.Generate(demoshop.Small, GeneratorSeed, examplesDay, func(r shop.Record) error { want[r.Type]++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	count := func(tok string) (map[shop.EntityType]int, int64) {
		got := map[shop.EntityType]int{}
		for _, r := range e.all(tok) {
			got[r.Type]++
		}
		return got, e.changes(tok, 0, 1).Total
	}
	got, total := count(owner.Token)
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("%d %s records, the generator made %d", got[typ], typ, n)
		}
	}
	// Seeding again, also after a restart, changes nothing.
	if err := Seed(t.Context(), e.srv); err != nil {
		t.Fatal(err)
	}
	e = e.restart()
	if err := Seed(t.Context(), e.srv); err != nil {
		t.Fatal(err)
	}
	if again, total2 := count(owner.Token); total2 != total || len(again) != len(got) {
		t.Fatalf("after seeding again: total %d (was %d)", total2, total)
	}
	// The example order numbers are found in a shop seeded on the examples' day (other days:
	// TestSpecExamples).
	nums, err := OrderNumbers(t.Context(), e.srv)
	if err != nil || len(nums) != len(ExampleOrders) {
		t.Fatalf("order numbers %v, %v", nums, err)
	}
	for ex, id := range nums {
		if ex != id {
			t.Fatalf("example order %s is %s", ex, id)
		}
	}
}

// TestSpecExamples tries every request body example of storeapi/openapi.yaml against demo
// shops seeded at different times: each mutation kind has an example, and each applies. Order
// numbers are mapped as kefu-store --demo prints them (OrderNumbers).
func TestSpecExamples(t *testing.T) {
	// Every example order number is one of the demo shop's.
	for _, id := range regexp.MustCompile(`\b20\d{14}\b`).FindAllString(string(storeapi.Spec), -1) {
		found := false
		for _, ex := range ExampleOrders {
			found = found || ex == id
		}
		if !found {
			t.Errorf("the spec uses order %s, which ExampleOrders does not list", id)
		}
	}
	for _, seeded := range []time.Time{
		examplesDay.Add(5 * time.Minute),
		examplesDay.AddDate(0, 3, 9).Add(14 * time.Hour), // 00:00, another day
	} {
		t.Run(seeded.Format("2006-01-02T15:04"), func(t *testing.T) { trySpecExamples(t, seeded) })
	}
}

func trySpecExamples(t *testing.T, seeded time.Time) {
	e := startEnv(t, "", &testClock{t: seeded})
	if err := Seed(t.Context(), e.srv); err != nil {
		t.Fatal(err)
	}
	orders, err := OrderNumbers(t.Context(), e.srv)
	if err != nil || len(orders) != len(ExampleOrders) {
		t.Fatalf("order numbers %v, %v", orders, err)
	}
	doc, err := apitest.Doc()
	if err != nil {
		t.Fatal(err)
	}
	body := func(path, method string) (any, map[string]any) {
		op := doc.Paths.Find(path).GetOperation(method)
		if op == nil || op.RequestBody == nil {
			t.Fatalf("%s %s has no request body", method, path)
		}
		mt := op.RequestBody.Value.Content.Get("application/json")
		examples := map[string]any{}
		for k, ex := range mt.Examples {
			examples[k] = ex.Value.Value
		}
		return mt.Example, examples
	}

	// Login.
	var lr storeapi.LoginResponse
	login, _ := body(storeapi.PathLogin, "POST")
	e.call("POST", storeapi.PathLogin, "", login, 200, &lr)

	// One example per mutation kind, each applied.
	_, examples := body(storeapi.PathMutations, "POST")
	for _, k := range shop.Kinds {
		if _, ok := examples[strings.ReplaceAll(string(k), ".", "_")]; !ok {
			t.Errorf("no example for mutation kind %s", k)
		}
	}
	for _, kind := range shop.Kinds {
		name := strings.ReplaceAll(string(kind), ".", "_")
		ex, ok := examples[name]
		if !ok {
			continue
		}
		raw, _ := json.Marshal(ex)
		req, _ := http.NewRequest("POST", e.hs.URL+storeapi.PathMutations, nil)
		req.Header.Set("Content-Type", "application/json")
		apitest.ValidateRequest(t, req, raw)
		for from, to := range orders {
			raw = []byte(strings.ReplaceAll(string(raw), from, to))
		}
		var mr storeapi.MutationsResponse
		e.call("POST", storeapi.PathMutations, lr.Token, raw, 200, &mr)
		var sent storeapi.MutationsRequest
		json.Unmarshal(raw, &sent)
		if len(mr.Results) != 1 || sent.Mutations[0].Kind != kind {
			t.Fatalf("example %s: kind %s, results %+v", name, sent.Mutations[0].Kind, mr.Results)
		}
		if r := mr.Results[0]; r.Status != storeapi.StatusApplied {
			t.Errorf("example %s: %s (reason %q, conflict %+v)", name, r.Status, r.Reason, r.Conflict)
		}
	}

	// The customer chat examples.
	var start storeapi.ChatStartResponse
	chatStart, _ := body("/c/{shop}/api/start", "POST")
	e.call("POST", "/c/demo/api/start", "", chatStart, 200, &start)
	send, _ := body("/c/{shop}/api/messages", "POST")
	msg := send.(map[string]any)
	msg["token"] = start.Token
	var msgs storeapi.ChatMessagesResponse
	e.call("POST", "/c/demo/api/messages", "", msg, 200, &msgs)
	if len(msgs.Messages) < 2 || msgs.Messages[1].From != shop.FromAuto {
		t.Fatalf("chat example: %+v", msgs.Messages)
	}
}
