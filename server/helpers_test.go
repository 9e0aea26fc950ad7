package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/shop"
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

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// monday10 is a Monday, 10:00 in Shanghai: inside the fixture's business hours.
var monday10 = time.Date(2026, 11, 23, 10, 0, 0, 0, shop.ShopZone)

// env is a server on a real loopback listener with a client that validates every response
// against storeapi/openapi.yaml.
type env struct {
	t      testing.TB
	srv    *Server
	hs     *httptest.Server
	clock  *testClock
	client *http.Client
	dir    string
	tweak  func(*Params) // changes the Params of this env and of its restarts
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// newEnv starts a server on dir ("" for memory) with the fixture shops alpha and beta.
func newEnv(t testing.TB, dir string) *env {
	t.Helper()
	e := startEnv(t, dir, &testClock{t: monday10})
	e.seedFixtures()
	return e
}

// startEnv starts a server on dir with the clock and no shops.
func startEnv(t testing.TB, dir string, clock *testClock) *env {
	t.Helper()
	return startEnvWith(t, dir, clock, nil)
}

// startEnvWith is startEnv with tweak (if not nil) changing the server's Params.
func startEnvWith(t testing.TB, dir string, clock *testClock, tweak func(*Params)) *env {
	t.Helper()
	p := Params{DataDir: dir, Now: clock.Now, Logger: quietLogger(), PasswordCost: bcrypt.MinCost}
	if tweak != nil {
		tweak(&p)
	}
	srv, err := New(p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	e := &env{t: t, srv: srv, hs: hs, clock: clock, dir: dir, tweak: tweak,
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
	return startEnvWith(e.t, e.dir, e.clock, e.tweak)
}

// Fixture ids.
const (
	pass       = "secret-pass"
	alphaOrder = "o-100"
	alphaCOD   = "o-101"
	betaOrder  = "ob-200"
)

func rec(t shop.EntityType, id string, v any) shop.Record { return shop.NewRecord(t, id, v) }

// fixtureRules are alpha's auto-replies: open 09:00–18:00 Monday to Friday.
func fixtureRules() shop.AutoReplies {
	a := shop.AutoReplies{
		ID:       shop.AutoRepliesID,
		Greeting: "您好，欢迎光临阿尔法童装！\n默认中通快递\n全店满199减30",
		OffHours: "现在是下班时间，我们上班后第一时间回复您～",
		Keywords: []shop.KeywordReply{{Keyword: "发货", Text: "下午4点前付款当天发货"}},
	}
	for d := time.Monday; d <= time.Friday; d++ {
		a.Hours[d] = shop.BusinessHours{Open: 9 * 60, Close: 18 * 60}
	}
	return a
}

func (e *env) seedFixtures() {
	e.t.Helper()
	now := e.clock.Now()
	alpha := []shop.Record{
		rec(shop.TypeShop, "alpha", shop.Shop{ID: "alpha", Name: "阿尔法<童装>", Courier: "中通"}),
		rec(shop.TypeStaff, "1001", shop.Staff{Number: "1001", Name: "王晓", Role: shop.RoleOwner}),
		rec(shop.TypeStaff, "1002", shop.Staff{Number: "1002", Name: "李娜", Role: shop.RoleAgent}),
		rec(shop.TypeAutoReply, shop.AutoRepliesID, fixtureRules()),
		rec(shop.TypeProduct, "p-1", shop.Product{ID: "p-1", Name: "纯棉卫衣", Variants: []shop.Variant{
			{SKU: "p-1-120", Size: "120", Price: 12900, Listed: 10, Warehouse: 8},
			{SKU: "p-1-130", Size: "130", Price: 12900, Listed: 5, Warehouse: 5},
		}}),
		rec(shop.TypeCustomer, "u-1", shop.Customer{ID: "u-1", Nick: "小鱼儿", CreatedAt: now.Add(-48 * time.Hour)}),
		rec(shop.TypeOrder, alphaOrder, shop.Order{ID: alphaOrder, CustomerID: "u-1", Nick: "小鱼儿", Status: shop.StatusPaid, Payment: shop.PayOnline,
			Address: shop.Address{Receiver: "张三", Phone: "13800138000", Province: "浙江省", City: "杭州市", Detail: "文一西路1号"}, CreatedAt: now.Add(-time.Hour)}),
		rec(shop.TypeOrder, alphaCOD, shop.Order{ID: alphaCOD, CustomerID: "u-1", Nick: "小鱼儿", Status: shop.StatusPaid, Payment: shop.PayCOD, CreatedAt: now.Add(-time.Hour)}),
		rec(shop.TypeReview, "rv-1", shop.Review{ID: "rv-1", OrderID: alphaOrder, CustomerID: "u-1", Stars: 2, Text: "尺码偏小", State: shop.ReviewNew, At: now.Add(-time.Hour)}),
		rec(shop.TypeCase, "as-1", shop.AfterSalesCase{ID: "as-1", OrderID: alphaOrder, CustomerID: "u-1", Kind: shop.CaseExchange, State: shop.CaseOpen, Owner: "1001", CreatedAt: now.Add(-time.Hour)}),
		rec(shop.TypeConversation, "c-1", shop.Conversation{ID: "c-1", CustomerID: "u-1", Nick: "小鱼儿"}),
	}
	beta := []shop.Record{
		rec(shop.TypeShop, "beta", shop.Shop{ID: "beta", Name: "贝塔鞋店"}),
		rec(shop.TypeStaff, "2001", shop.Staff{Number: "2001", Name: "赵敏", Role: shop.RoleOwner}),
		rec(shop.TypeCustomer, "ub-1", shop.Customer{ID: "ub-1", Nick: "贝塔客人", CreatedAt: now}),
		rec(shop.TypeOrder, betaOrder, shop.Order{ID: betaOrder, CustomerID: "ub-1", Status: shop.StatusPaid, CreatedAt: now}),
		rec(shop.TypeReview, "rvb-1", shop.Review{ID: "rvb-1", OrderID: betaOrder, CustomerID: "ub-1", Stars: 1, State: shop.ReviewNew, At: now}),
		rec(shop.TypeConversation, "cb-1", shop.Conversation{ID: "cb-1", CustomerID: "ub-1", Nick: "贝塔客人"}),
	}
	e.importShop("alpha", alpha, StaffLogin{Staff: shop.Staff{Number: "1001"}, Password: pass}, StaffLogin{Staff: shop.Staff{Number: "1002"}, Password: pass})
	e.importShop("beta", beta, StaffLogin{Staff: shop.Staff{Number: "2001"}, Password: pass})
}

func (e *env) importShop(id string, recs []shop.Record, staff ...StaffLogin) {
	e.t.Helper()
	created, err := e.srv.ImportShop(context.Background(), ShopAccount{ID: id}, func(emit func(shop.Record) error) error {
		for _, r := range recs {
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	}, staff)
	if err != nil || !created {
		e.t.Fatalf("ImportShop %s: created %v, %v", id, created, err)
	}
}

// do sends a request; body may be nil, []byte (sent as is) or a value encoded as JSON.
func (e *env) do(method, path, token string, body any) (*http.Response, []byte) {
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
	return resp, data
}

// tryCall is call for goroutines other than the test's: it returns what went wrong.
func (e *env) tryCall(method, path, token string, body any, want int, out any) error {
	j, err := json.Marshal(body)
	if err != nil {
		return err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.hs.URL+path, rd)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// pollAsync long-polls the feed in a goroutine; the answer comes on the channel.
func (e *env) pollAsync(token string, after int64, wait int) <-chan storeapi.ChangesResponse {
	ch := make(chan storeapi.ChangesResponse, 1)
	go func() {
		var cr storeapi.ChangesResponse
		if err := e.tryCall("GET", fmt.Sprintf("%s?after=%d&limit=100&wait=%d", storeapi.PathChanges, after, wait), token, nil, 200, &cr); err != nil {
			e.t.Error(err)
		}
		ch <- cr
	}()
	return ch
}

// call sends a request, expects status want and decodes the answer into out (if not nil).
func (e *env) call(method, path, token string, body any, want int, out any) {
	e.t.Helper()
	resp, data := e.do(method, path, token, body)
	if resp.StatusCode != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s %s: decoding %s: %v", method, path, data, err)
		}
	}
}

// expectError checks an error answer's status and code and returns its message.
func (e *env) expectError(method, path, token string, body any, status int, code string) string {
	e.t.Helper()
	var er storeapi.ErrorResponse
	e.call(method, path, token, body, status, &er)
	if er.Code != code || er.Message == "" {
		e.t.Fatalf("%s %s: error %+v, want code %s and a message", method, path, er, code)
	}
	return er.Message
}

func (e *env) login(shopID, staff string) string {
	e.t.Helper()
	var lr storeapi.LoginResponse
	e.call("POST", storeapi.PathLogin, "", storeapi.LoginRequest{Shop: shopID, Staff: staff, Password: pass}, 200, &lr)
	if lr.Token == "" {
		e.t.Fatal("login gave no token")
	}
	return lr.Token
}

func (e *env) push(token string, ms ...shop.Mutation) []storeapi.Result {
	e.t.Helper()
	var mr storeapi.MutationsResponse
	e.call("POST", storeapi.PathMutations, token, storeapi.MutationsRequest{Mutations: ms}, 200, &mr)
	if len(mr.Results) != len(ms) {
		e.t.Fatalf("%d results for %d mutations", len(mr.Results), len(ms))
	}
	for i, r := range mr.Results {
		if r.ID != ms[i].ID {
			e.t.Fatalf("result %d is for %s, want %s", i, r.ID, ms[i].ID)
		}
	}
	return mr.Results
}

func (e *env) changes(token string, after int64, limit int, wait int) storeapi.ChangesResponse {
	e.t.Helper()
	var cr storeapi.ChangesResponse
	e.call("GET", fmt.Sprintf("%s?after=%d&limit=%d&wait=%d", storeapi.PathChanges, after, limit, wait), token, nil, 200, &cr)
	return cr
}

// all reads the whole feed of the token's shop.
func (e *env) all(token string) map[string]shop.Record {
	e.t.Helper()
	out := map[string]shop.Record{}
	var after int64
	for {
		cr := e.changes(token, after, storeapi.MaxChangesLimit, 0)
		for _, r := range cr.Changes {
			out[string(r.Type)+"/"+r.ID] = r
		}
		after = cr.Next
		if !cr.More {
			return out
		}
	}
}

// mut builds a mutation.
func mut(t testing.TB, kind shop.Kind, entity string, base int64, data any) shop.Mutation {
	t.Helper()
	m, err := shop.NewMutation(kind, entity, "", time.Time{}, data)
	if err != nil {
		t.Fatal(err)
	}
	m.Base = base
	return m
}

func expectStatus(t testing.TB, r storeapi.Result, want storeapi.Status) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("mutation %s: status %s (reason %q, conflict %+v), want %s", r.ID, r.Status, r.Reason, r.Conflict, want)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
