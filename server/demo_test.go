package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"kefu/shop"
	"kefu/shop/demoshop"
	"kefu/storeapi"
	"kefu/storeapi/apitest"
)

// examplesDay is the day the spec's examples were made for (see storeapi/openapi.yaml).
var examplesDay = time.Date(2026, 11, 23, 10, 0, 0, 0, shop.ShopZone)

func demoLogin(e *env, staff string) storeapi.LoginResponse {
	e.t.Helper()
	var lr storeapi.LoginResponse
	e.call("POST", storeapi.PathLogin, "", storeapi.LoginRequest{Shop: DemoShop, Staff: staff, Password: DemoPassword}, 200, &lr)
	return lr
}

func TestSeedDemo(t *testing.T) {
	e := startEnv(t, t.TempDir(), &testClock{t: examplesDay})
	if err := e.srv.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	owner := demoLogin(e, DemoOwner)
	agent := demoLogin(e, DemoAgent)
	if owner.Staff.Role != shop.RoleOwner || agent.Staff.Role != shop.RoleAgent || owner.Shop.Name == "" || owner.Shop.ID != DemoShop {
		t.Fatalf("owner %+v, agent %+v", owner, agent)
	}
	want := map[shop.EntityType]int{}
	err := demoshop.Generate(demoshop.Small, DemoSeed, examplesDay, func(r shop.Record) error { want[r.Type]++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	count := func(tok string) (map[shop.EntityType]int, int64) {
		got := map[shop.EntityType]int{}
		for _, r := range e.all(tok) {
			got[r.Type]++
		}
		return got, e.changes(tok, 0, 1, 0).Total
	}
	got, total := count(owner.Token)
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("%d %s records, the generator made %d", got[typ], typ, n)
		}
	}
	// Seeding again, also after a restart, changes nothing.
	if err := e.srv.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	e = e.restart()
	if err := e.srv.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	if again, total2 := count(owner.Token); total2 != total || len(again) != len(got) {
		t.Fatalf("after seeding again: total %d (was %d)", total2, total)
	}
	// The example order numbers are found in a shop seeded on the examples' day (other days:
	// TestSpecExamples).
	nums, err := e.srv.DemoOrderNumbers()
	if err != nil || len(nums) != len(demoExampleOrders) {
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
// numbers are mapped as kefu-store --demo prints them (DemoOrderNumbers).
func TestSpecExamples(t *testing.T) {
	// Every example order number is one of the demo shop's.
	for _, id := range regexp.MustCompile(`\b20\d{14}\b`).FindAllString(string(storeapi.Spec), -1) {
		found := false
		for _, ex := range demoExampleOrders {
			found = found || ex == id
		}
		if !found {
			t.Errorf("the spec uses order %s, which demoExampleOrders does not list", id)
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
	if err := e.srv.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	orders, err := e.srv.DemoOrderNumbers()
	if err != nil || len(orders) != len(demoExampleOrders) {
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
