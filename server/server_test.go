package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/internal/version"
	"kefu/shop"
	"kefu/storeapi"
	"kefu/storeapi/apitest"
)

func TestLogin(t *testing.T) {
	e := newEnv(t, "")
	var lr storeapi.LoginResponse
	e.call("POST", storeapi.PathLogin, "", storeapi.LoginRequest{Shop: "alpha", Staff: "1002", Password: pass}, 200, &lr)
	if lr.Token == "" || lr.Staff.Number != "1002" || lr.Staff.Role != shop.RoleAgent || lr.Shop.Name != "阿尔法<童装>" {
		t.Fatalf("login answer %+v", lr)
	}
	if want := monday10.Add(storeapi.TokenLifetime); !lr.Expires.Equal(want) {
		t.Fatalf("expires %v, want %v", lr.Expires, want)
	}
	// The token works.
	e.changes(lr.Token, 0, 10, 0)

	for _, bad := range []storeapi.LoginRequest{
		{Shop: "alpha", Staff: "1002", Password: "wrong-pass"},
		{Shop: "alpha", Staff: "9999", Password: pass},
		{Shop: "nosuch", Staff: "1002", Password: pass},
		{Shop: "beta", Staff: "1002", Password: pass}, // a staff member of another shop
		{Shop: "ALPHA/../x", Staff: "1002", Password: pass},
	} {
		msg := e.expectError("POST", storeapi.PathLogin, "", bad, 401, storeapi.CodeUnauthorized)
		if !contains(msg, "wrong") {
			t.Errorf("message %q", msg)
		}
	}
	e.expectError("POST", storeapi.PathLogin, "", storeapi.LoginRequest{Shop: "alpha", Staff: "1002"}, 400, storeapi.CodeBadRequest)
	e.expectError("GET", storeapi.PathLogin, "", nil, 405, storeapi.CodeMethodNotAllowed)
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t, "")
	wrong := storeapi.LoginRequest{Shop: "alpha", Staff: "1001", Password: "wrong-pass"}
	for i := 0; i < 10; i++ {
		e.expectError("POST", storeapi.PathLogin, "", wrong, 401, storeapi.CodeUnauthorized)
	}
	// Blocked now, even with the right password.
	resp, body := e.do("POST", storeapi.PathLogin, "", storeapi.LoginRequest{Shop: "alpha", Staff: "1001", Password: pass})
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	// The address is blocked too: another staff member from the same address.
	e.expectError("POST", storeapi.PathLogin, "", storeapi.LoginRequest{Shop: "alpha", Staff: "1002", Password: pass}, 429, storeapi.CodeRateLimited)
	// After the window both may try again.
	e.clock.Advance(5*time.Minute + time.Second)
	e.login("alpha", "1001")

	// Per staff member: failures from many addresses still block the staff member.
	l := e.srv.loginLimit
	for i := 0; i < 10; i++ {
		l.add("staff\x00alpha\x001002", e.clock.Now())
	}
	e.expectError("POST", storeapi.PathLogin, "", storeapi.LoginRequest{Shop: "alpha", Staff: "1002", Password: pass}, 429, storeapi.CodeRateLimited)
	e.login("alpha", "1001")
}

func TestUnauthorized(t *testing.T) {
	e := newEnv(t, "")
	for _, c := range []struct{ path, method string }{{storeapi.PathChanges, "GET"}, {storeapi.PathMutations, "POST"}} {
		body := any(nil)
		if c.method == "POST" {
			body = storeapi.MutationsRequest{Mutations: []shop.Mutation{}}
		}
		resp, _ := e.do(c.method, c.path, "", body)
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("%s without token: %d", c.path, resp.StatusCode)
		}
		e.expectError(c.method, c.path, "not-a-token", body, 401, storeapi.CodeUnauthorized)
		req, _ := http.NewRequest(c.method, e.hs.URL+c.path, nil)
		req.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
		resp, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("basic auth: %d", resp.StatusCode)
		}
	}
	token := e.login("alpha", "1001")
	e.changes(token, 0, 1, 0)
	e.clock.Advance(storeapi.TokenLifetime)
	msg := e.expectError("GET", storeapi.PathChanges, token, nil, 401, storeapi.CodeUnauthorized)
	if !contains(msg, "expired") {
		t.Fatalf("message %q", msg)
	}
	// The expired token is gone for good.
	e.clock.Advance(-time.Hour)
	e.expectError("GET", storeapi.PathChanges, token, nil, 401, storeapi.CodeUnauthorized)
}

func TestShopIsolation(t *testing.T) {
	e := newEnv(t, "")
	a := e.login("alpha", "1001")
	b := e.login("beta", "2001")
	betaBefore := e.all(b)
	for key, r := range e.all(a) {
		if strings.Contains(key, "beta") || r.ID == betaOrder || r.ID == "ub-1" || r.ID == "rvb-1" || r.ID == "cb-1" || r.ID == "2001" {
			t.Fatalf("alpha's token sees %s", key)
		}
	}
	// Mutations of alpha's token on beta's ids do not find them.
	res := e.push(a,
		mut(t, shop.KindOrderNote, betaOrder, 0, shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagRed, Text: "偷看"}),
		mut(t, shop.KindReviewMove, "rvb-1", 0, shop.Move{From: "new", To: "contacted"}),
		mut(t, shop.KindChatSend, "cb-1", 0, shop.ChatSend{MessageID: shop.NewID(), Text: "hi"}),
		mut(t, shop.KindCustomerSet, "ub-1", 0, shop.CustomerSet{Memo: ptr("x")}),
	)
	for _, r := range res {
		expectStatus(t, r, storeapi.StatusRejected)
		if !contains(r.Reason, "does not exist") {
			t.Fatalf("reason %q", r.Reason)
		}
	}
	betaAfter := e.all(b)
	if len(betaAfter) != len(betaBefore) {
		t.Fatalf("beta has %d records, had %d", len(betaAfter), len(betaBefore))
	}
	for k, r := range betaBefore {
		if betaAfter[k].Seq != r.Seq {
			t.Fatalf("beta's %s changed", k)
		}
	}
	// Creating an entity with beta's id in alpha makes alpha's own, and beta does not see it.
	expectStatus(t, e.push(a, mut(t, shop.KindCustomerAdd, "ub-1", 0, shop.Customer{Nick: "阿尔法的客人"}))[0], storeapi.StatusApplied)
	if r := e.all(b)["customer/ub-1"]; !contains(string(r.Data), "贝塔客人") {
		t.Fatalf("beta's customer is now %s", r.Data)
	}
	// The chat endpoints of one shop do not take another shop's customer token.
	var start storeapi.ChatStartResponse
	e.call("POST", "/c/beta/api/start", "", storeapi.ChatStartRequest{Nick: "路人"}, 200, &start)
	e.expectError("GET", "/c/alpha/api/messages?token="+start.Token, "", nil, 401, storeapi.CodeUnauthorized)
	e.expectError("POST", "/c/alpha/api/messages", "", storeapi.ChatSendRequest{Token: start.Token, Text: "hi"}, 401, storeapi.CodeUnauthorized)
}

func ptr[T any](v T) *T { return &v }

func TestBadBodies(t *testing.T) {
	e := newEnv(t, "")
	token := e.login("alpha", "1001")

	big := bytes.Repeat([]byte(" "), storeapi.MaxBodyBytes+1)
	e.expectError("POST", storeapi.PathMutations, token, big, 413, storeapi.CodeTooLarge)
	// Without a Content-Length (chunked) the limit holds while reading.
	req, _ := http.NewRequest("POST", e.hs.URL+storeapi.PathMutations, io.MultiReader(bytes.NewReader(big)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.ContentLength = -1
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("chunked: %d", resp.StatusCode)
	}
	e.expectError("POST", storeapi.PathLogin, "", big, 413, storeapi.CodeTooLarge)

	for _, c := range []struct {
		body, want string
	}{
		{`{"mutations": [`, "malformed JSON"},
		{`{"mutations": [{"id": "x", "kind": }]}`, "malformed JSON at byte"},
		{`{"mutations": {}}`, "mutations must be"},
		{`{"mutatoins": []}`, "unknown field"},
		{`{"mutations": []} {}`, "more data"},
		{``, "empty"},
		{`{}`, "mutations"},
		{"{\"mutations\": [{\"id\": \"a\xff\xfe\"}]}", "not valid UTF-8"},
	} {
		msg := e.expectError("POST", storeapi.PathMutations, token, []byte(c.body), 400, storeapi.CodeBadRequest)
		if !contains(msg, c.want) {
			t.Errorf("body %q: message %q, want it to mention %q", c.body, msg, c.want)
		}
	}
	e.expectError("POST", "/c/alpha/api/start", "", []byte("{\"nick\": \"\xc3\x28\"}"), 400, storeapi.CodeBadRequest)
	e.expectError("POST", storeapi.PathLogin, "", []byte(`{"shop": 1}`), 400, storeapi.CodeBadRequest)
	e.expectError("GET", storeapi.PathChanges+"?after=-1", token, nil, 400, storeapi.CodeBadRequest)
	e.expectError("GET", storeapi.PathChanges+"?limit=0", token, nil, 400, storeapi.CodeBadRequest)
	e.expectError("GET", storeapi.PathChanges+"?wait=61", token, nil, 400, storeapi.CodeBadRequest)
	many := make([]shop.Mutation, storeapi.MaxBatch+1)
	for i := range many {
		many[i] = mut(t, shop.KindChatRead, "c-1", 0, nil)
	}
	e.expectError("POST", storeapi.PathMutations, token, storeapi.MutationsRequest{Mutations: many}, 400, storeapi.CodeBadRequest)
}

func TestDuplicateBatch(t *testing.T) {
	e := newEnv(t, "")
	token := e.login("alpha", "1002")
	batch := []shop.Mutation{
		mut(t, shop.KindOrderNote, alphaOrder, 0, shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagYellow, Text: "客户要求周六送货"}),
		mut(t, shop.KindChatSend, "c-1", 0, shop.ChatSend{MessageID: shop.NewID(), Text: "亲，已经备注了～"}),
		mut(t, shop.KindReviewMove, "rv-1", 0, shop.Move{From: "new", To: "resolved"}), // illegal: conflict
		mut(t, shop.KindStockAdjust, "p-1", 0, shop.StockAdjust{SKU: "nope", Delta: 1, Reason: "盘点"}),
	}
	first := e.push(token, batch...)
	expectStatus(t, first[0], storeapi.StatusApplied)
	expectStatus(t, first[1], storeapi.StatusApplied)
	expectStatus(t, first[2], storeapi.StatusConflict)
	expectStatus(t, first[3], storeapi.StatusRejected)
	before := e.changes(token, 0, 1, 0).Total
	feed := e.all(token)

	again := e.push(token, batch...)
	for i, r := range again {
		expectStatus(t, r, storeapi.StatusDuplicate)
		if r.First != first[i].Status || r.Seq != first[i].Seq || r.Reason != first[i].Reason {
			t.Fatalf("duplicate %d: %+v, first time %+v", i, r, first[i])
		}
	}
	if again[2].Conflict == nil || again[2].Conflict.Reason != first[2].Conflict.Reason {
		t.Fatalf("duplicate conflict %+v", again[2].Conflict)
	}
	if after := e.changes(token, 0, 1, 0).Total; after != before {
		t.Fatalf("feed seq %d after the retry, %d before", after, before)
	}
	if after := e.all(token); len(after) != len(feed) {
		t.Fatalf("%d records after the retry, %d before", len(after), len(feed))
	}
	// A duplicate inside one batch is also caught.
	m := mut(t, shop.KindChatRead, "c-1", 0, nil)
	res := e.push(token, m, m)
	expectStatus(t, res[0], storeapi.StatusApplied)
	expectStatus(t, res[1], storeapi.StatusDuplicate)
	// The same mutation id in another shop is another mutation.
	b := e.login("beta", "2001")
	expectStatus(t, e.push(b, shop.Mutation{ID: m.ID, Kind: shop.KindChatRead, Entity: "cb-1"})[0], storeapi.StatusApplied)
}

func TestConflicts(t *testing.T) {
	e := newEnv(t, "")
	wang := e.login("alpha", "1001")
	li := e.login("alpha", "1002")

	// Illegal review transition: conflict with the current state.
	r := e.push(li, mut(t, shop.KindReviewMove, "rv-1", 0, shop.Move{From: "new", To: "revised"}))[0]
	expectStatus(t, r, storeapi.StatusConflict)
	if c := r.Conflict; c == nil || len(c.Current) != 1 || c.Current[0].ID != "rv-1" || c.Current[0].Seq == 0 || !contains(c.Reason, "cannot move") {
		t.Fatalf("conflict %+v", r.Conflict)
	}
	// Two desks move the same case: the second one's move no longer fits and names the first.
	expectStatus(t, e.push(wang, mut(t, shop.KindCaseMove, "as-1", 0, shop.Move{From: "open", To: "waiting_warehouse", Note: "等仓库补货"}))[0], storeapi.StatusApplied)
	e.clock.Advance(time.Minute)
	r = e.push(li, mut(t, shop.KindCaseMove, "as-1", 0, shop.Move{From: "open", To: "resolved"}))[0]
	expectStatus(t, r, storeapi.StatusConflict)
	c := r.Conflict
	if c.By != "1001" || !c.At.Equal(monday10) || len(c.Current) != 1 {
		t.Fatalf("conflict %+v", c)
	}
	var cur shop.AfterSalesCase
	if err := c.Current[0].Decode(&cur); err != nil || cur.State != shop.CaseWaitingWarehouse {
		t.Fatalf("current case %+v, %v", cur, err)
	}
	// Stock compare-and-set after someone else changed the stock.
	expectStatus(t, e.push(wang, mut(t, shop.KindStockAdjust, "p-1", 0, shop.StockAdjust{SKU: "p-1-120", Delta: -2, Reason: "破损"}))[0], storeapi.StatusApplied)
	r = e.push(li, mut(t, shop.KindStockSet, "p-1", 0, shop.StockSet{SKU: "p-1-120", Expected: 8, Warehouse: 20, Reason: "到货"}))[0]
	expectStatus(t, r, storeapi.StatusConflict)
	var p shop.Product
	if err := r.Conflict.Current[0].Decode(&p); err != nil || p.Variants[0].Warehouse != 6 || r.Conflict.By != "1001" {
		t.Fatalf("conflict %+v, product %+v", r.Conflict, p)
	}
	expectStatus(t, e.push(li, mut(t, shop.KindStockSet, "p-1", 0, shop.StockSet{SKU: "p-1-120", Expected: 6, Warehouse: 20, Reason: "到货"}))[0], storeapi.StatusApplied)
	// The server, not the desk, says who acted.
	m := mut(t, shop.KindReviewReply, "rv-1", 0, shop.ReviewReplyData{Text: "抱歉，已联系您换货"})
	m.Staff = "1001"
	expectStatus(t, e.push(li, m)[0], storeapi.StatusApplied)
	var rv shop.Review
	if err := e.all(li)["review/rv-1"].Decode(&rv); err != nil || rv.ReplyBy != "1002" {
		t.Fatalf("reply by %q, %v", rv.ReplyBy, err)
	}
}

func TestLastWriterWins(t *testing.T) {
	e := newEnv(t, "")
	wang := e.login("alpha", "1001")
	li := e.login("alpha", "1002")
	base := e.all(li)["order/"+alphaOrder].Seq // what Li's desk saw

	expectStatus(t, e.push(wang, mut(t, shop.KindOrderNote, alphaOrder, base, shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagRed, Text: "地址有误，先别发"}))[0], storeapi.StatusApplied)
	r := e.push(li, mut(t, shop.KindOrderNote, alphaOrder, base, shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagGreen, Text: "已核对，可以发货"}))[0]
	expectStatus(t, r, storeapi.StatusApplied)
	if r.Overwrote == nil || r.Overwrote.Field != "flag" || r.Overwrote.By != "1001" {
		t.Fatalf("overwrote %+v", r.Overwrote)
	}
	var o shop.Order
	if err := e.all(wang)["order/"+alphaOrder].Decode(&o); err != nil || o.Flag != shop.FlagGreen || o.FlagBy != "1002" || o.NoteCount != 2 {
		t.Fatalf("order %+v, %v", o, err)
	}
	// Both notes are kept (append-only).
	notes := 0
	for _, r := range e.all(wang) {
		if r.Type == shop.TypeNote {
			notes++
		}
	}
	if notes != 2 {
		t.Fatalf("%d notes", notes)
	}
}

func TestFeedCompaction(t *testing.T) {
	e := newEnv(t, "")
	token := e.login("alpha", "1001")
	start := e.changes(token, 0, 1, 0).Total
	for _, memo := range []string{"一", "二", "三"} {
		expectStatus(t, e.push(token, mut(t, shop.KindCustomerSet, "u-1", 0, shop.CustomerSet{Memo: ptr(memo)}))[0], storeapi.StatusApplied)
	}
	cr := e.changes(token, 0, storeapi.MaxChangesLimit, 0)
	n := 0
	var last int64
	for _, r := range cr.Changes {
		if r.Seq <= last {
			t.Fatalf("feed not in seq order: %d after %d", r.Seq, last)
		}
		last = r.Seq
		if r.Type == shop.TypeCustomer && r.ID == "u-1" {
			n++
			if r.Seq != start+3 || !contains(string(r.Data), `"memo":"三"`) {
				t.Fatalf("customer record %d %s", r.Seq, r.Data)
			}
		}
	}
	if n != 1 || cr.Total != start+3 || cr.Next != start+3 || cr.More {
		t.Fatalf("customer %d times; total %d next %d more %v", n, cr.Total, cr.Next, cr.More)
	}
	// From a cursor before the writes, only the latest state comes.
	cr = e.changes(token, start, 10, 0)
	if len(cr.Changes) != 1 || cr.Changes[0].ID != "u-1" {
		t.Fatalf("changes after %d: %+v", start, cr.Changes)
	}
	// Paging: limit and more.
	total := len(e.all(token))
	var after int64
	pages, seen := 0, 0
	for {
		cr := e.changes(token, after, 3, 0)
		pages++
		seen += len(cr.Changes)
		after = cr.Next
		if !cr.More {
			break
		}
		if len(cr.Changes) < 3 { // more than 3 when the page finishes the commit it reached 3 in
			t.Fatalf("a page with more has %d changes", len(cr.Changes))
		}
	}
	if seen != total || pages > (total+2)/3 {
		t.Fatalf("paged %d records in %d pages; the feed has %d", seen, pages, total)
	}
	// Deletions come as tombstones.
	expectStatus(t, e.push(token, mut(t, shop.KindPhrasePut, "ph-x", 0, shop.QuickPhrase{Shortcut: "x", Text: "亲～"}))[0], storeapi.StatusApplied)
	expectStatus(t, e.push(token, mut(t, shop.KindPhraseDelete, "ph-x", 0, nil))[0], storeapi.StatusApplied)
	if r := e.all(token)["phrase/ph-x"]; !r.Deleted || len(r.Data) != 0 {
		t.Fatalf("deleted phrase %+v", r)
	}
	expectStatus(t, e.push(token, mut(t, shop.KindPhraseUse, "ph-x", 0, nil))[0], storeapi.StatusRejected)
}

func TestLongPollWakesOnCustomerMessage(t *testing.T) {
	e := newEnv(t, "")
	token := e.login("alpha", "1002")
	cursor := e.changes(token, 0, 1, 0).Total

	// A long poll with nothing new waits out its time.
	done := e.pollAsync(token, cursor, 30)
	var start storeapi.ChatStartResponse
	e.call("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: "新客人", Product: "p-1"}, 200, &start)
	first := <-done
	if len(first.Changes) == 0 {
		t.Fatal("the long poll returned no changes")
	}
	cursor = first.Next
	for {
		cr := e.changes(token, cursor, 100, 0)
		if len(cr.Changes) == 0 {
			break
		}
		cursor = cr.Next
	}

	done = e.pollAsync(token, cursor, 30)
	waitFor(t, func() bool { return e.srv.waitingForTest() > 0 })
	var msgs storeapi.ChatMessagesResponse
	e.call("POST", "/c/alpha/api/messages", "", storeapi.ChatSendRequest{Token: start.Token, ID: "m1", Text: "这件卫衣有120码吗？"}, 200, &msgs)
	got := <-done
	var sawMsg, sawConv bool
	for _, r := range got.Changes {
		switch r.Type {
		case shop.TypeMessage:
			var m shop.Message
			r.Decode(&m)
			if m.From == shop.FromCustomer && m.Text == "这件卫衣有120码吗？" && m.ConversationID == start.Conversation {
				sawMsg = true
			}
		case shop.TypeConversation:
			var c shop.Conversation
			r.Decode(&c)
			sawConv = c.ID == start.Conversation && c.ProductID == "p-1" && c.Unread == 1
		}
	}
	if !sawMsg || !sawConv {
		t.Fatalf("long poll got %+v", got.Changes)
	}
	// With nothing new, wait=1 returns empty at its end with the cursor unchanged.
	cr := e.changes(token, got.Next+1000, 10, 1)
	if len(cr.Changes) != 0 || cr.Next != got.Next+1000 || cr.More {
		t.Fatalf("empty long poll %+v", cr)
	}
}

// waitingForTest is the number of long polls waiting now.
func (s *Server) waitingForTest() float64 {
	mfs, _ := s.metrics.reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "kefu_longpoll_waiting" {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	return 0
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute) // generous: a loaded CI machine under -race
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("condition not met in a minute")
}

func TestCustomerChatAndAutoReplies(t *testing.T) {
	e := newEnv(t, "") // no desk logs in: the server answers alone
	var start storeapi.ChatStartResponse
	e.call("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: "张妈妈"}, 200, &start)
	if start.ShopName != "阿尔法<童装>" || start.Token == "" || start.Conversation == "" {
		t.Fatalf("start %+v", start)
	}
	send := func(id, text string) []storeapi.ChatMessage {
		t.Helper()
		var r storeapi.ChatMessagesResponse
		e.call("POST", "/c/alpha/api/messages", "", storeapi.ChatSendRequest{Token: start.Token, ID: id, Text: text}, 200, &r)
		return r.Messages
	}
	texts := func(ms []storeapi.ChatMessage) []string {
		var out []string
		for _, m := range ms {
			out = append(out, string(m.From)+": "+m.Text)
		}
		return out
	}
	rules := fixtureRules()

	// First contact on Monday 10:00 (open): the greeting, nothing else.
	ms := send("a1", "你好")
	want := []string{"customer: 你好", "auto: " + rules.Greeting}
	if got := texts(ms); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("first contact: %q, want %q", got, want)
	}
	// Second message with a keyword: the keyword reply, no greeting.
	ms = send("a2", "什么时候发货？")
	want = append(want, "customer: 什么时候发货？", "auto: 下午4点前付款当天发货")
	if got := texts(ms); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("keyword: %q, want %q", got, want)
	}
	// The same client id again stores nothing.
	if got := texts(send("a2", "什么时候发货？")); len(got) != len(want) {
		t.Fatalf("resend stored again: %q", got)
	}
	// Saturday 10:00: closed, the off-hours reply.
	e.clock.Set(time.Date(2026, 11, 28, 10, 0, 0, 0, shop.ShopZone))
	ms = send("a3", "在吗")
	if got := texts(ms); got[len(got)-1] != "auto: "+rules.OffHours || got[len(got)-2] != "customer: 在吗" {
		t.Fatalf("off hours: %q", got)
	}
	// Monday 20:00: after hours.
	e.clock.Set(monday10.Add(10 * time.Hour))
	ms = send("a4", "有人吗")
	if got := texts(ms); got[len(got)-1] != "auto: "+rules.OffHours {
		t.Fatalf("evening: %q", got)
	}
	// Tuesday 09:30: open again, no auto-reply.
	e.clock.Set(monday10.Add(23*time.Hour + 30*time.Minute))
	ms = send("a5", "谢谢")
	if got := texts(ms); got[len(got)-1] != "customer: 谢谢" {
		t.Fatalf("open: %q", got)
	}
	// A desk sees all of it, in order, in the conversation.
	token := e.login("alpha", "1001")
	var conv shop.Conversation
	all := e.all(token)
	if err := all["conversation/"+start.Conversation].Decode(&conv); err != nil || conv.Messages != 9 || conv.Unread != 5 || conv.WaitingSince.IsZero() {
		t.Fatalf("conversation %+v, %v", conv, err)
	}
	// Polling from a message returns the ones after it; a staff reply reaches the customer.
	var poll storeapi.ChatMessagesResponse
	e.call("GET", "/c/alpha/api/messages?token="+start.Token+"&after="+ms[len(ms)-1].ID, "", nil, 200, &poll)
	if len(poll.Messages) != 0 {
		t.Fatalf("after the last message: %+v", poll.Messages)
	}
	done := make(chan storeapi.ChatMessagesResponse, 1)
	go func() {
		var r storeapi.ChatMessagesResponse
		if err := e.tryCall("GET", "/c/alpha/api/messages?wait=30&token="+start.Token+"&after="+ms[len(ms)-1].ID, "", nil, 200, &r); err != nil {
			t.Error(err)
		}
		done <- r
	}()
	waitFor(t, func() bool { return e.srv.waitingForTest() > 0 })
	expectStatus(t, e.push(token, mut(t, shop.KindChatSend, start.Conversation, 0, shop.ChatSend{MessageID: shop.NewID(), Text: "亲，有120码的～", Card: &shop.Card{Kind: "product", ID: "p-1", Title: "纯棉卫衣"}}))[0], storeapi.StatusApplied)
	poll = <-done
	if len(poll.Messages) != 1 || poll.Messages[0].From != shop.FromStaff || poll.Messages[0].Text != "亲，有120码的～\n【纯棉卫衣】" {
		t.Fatalf("staff reply: %+v", poll.Messages)
	}
	e.expectError("GET", "/c/alpha/api/messages?token="+start.Token+"&after=nosuch", "", nil, 400, storeapi.CodeBadRequest)
	e.expectError("GET", "/c/alpha/api/messages?token=bad", "", nil, 401, storeapi.CodeUnauthorized)
	e.expectError("POST", "/c/alpha/api/messages", "", storeapi.ChatSendRequest{Token: start.Token, Text: "  "}, 400, storeapi.CodeBadRequest)
	e.expectError("POST", "/c/nosuch/api/start", "", storeapi.ChatStartRequest{Nick: "x"}, 404, storeapi.CodeNotFound)
	e.expectError("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: " "}, 400, storeapi.CodeBadRequest)
}

func TestGreetingRules(t *testing.T) {
	e := newEnv(t, "")
	token := e.login("alpha", "1001")
	rules := fixtureRules()
	rules.Greeting = "第一行\n第二行\n第三行\n第四行\n第五行"
	r := e.push(token, mut(t, shop.KindAutoReplyPut, shop.AutoRepliesID, 0, rules))[0]
	expectStatus(t, r, storeapi.StatusRejected)
	if !contains(r.Reason, "5 lines") {
		t.Fatalf("reason %q", r.Reason)
	}
	rules.Greeting = "新的问候\n第二行\n第三行\n第四行\n"
	rules.Keywords = []shop.KeywordReply{{Keyword: "尺码", Text: "身高加10厘米选码"}}
	expectStatus(t, e.push(token, mut(t, shop.KindAutoReplyPut, shop.AutoRepliesID, 0, rules))[0], storeapi.StatusApplied)

	// The edited rules answer the next customer, with no desk involved.
	var start storeapi.ChatStartResponse
	e.call("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: "新手妈妈"}, 200, &start)
	var r2 storeapi.ChatMessagesResponse
	e.call("POST", "/c/alpha/api/messages", "", storeapi.ChatSendRequest{Token: start.Token, Text: "尺码怎么选"}, 200, &r2)
	if len(r2.Messages) != 3 || r2.Messages[1].Text != rules.Greeting || r2.Messages[2].Text != "身高加10厘米选码" {
		t.Fatalf("messages %+v", r2.Messages)
	}
}

func TestChatStartFindsCustomer(t *testing.T) {
	e := newEnv(t, "")
	token := e.login("alpha", "1001")
	// Staff talk with the existing customer 小鱼儿 first.
	expectStatus(t, e.push(token, mut(t, shop.KindChatSend, "c-1", 0, shop.ChatSend{MessageID: shop.NewID(), Text: "私人信息：订单地址…"}))[0], storeapi.StatusApplied)
	var start storeapi.ChatStartResponse
	e.call("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: "小鱼儿"}, 200, &start)
	if start.Conversation != "c-1" {
		t.Fatalf("conversation %s, want the customer's c-1", start.Conversation)
	}
	// Someone typing a nick does not get the earlier history.
	var poll storeapi.ChatMessagesResponse
	e.call("GET", "/c/alpha/api/messages?token="+start.Token, "", nil, 200, &poll)
	if len(poll.Messages) != 0 {
		t.Fatalf("history leaked: %+v", poll.Messages)
	}
	e.call("POST", "/c/alpha/api/messages", "", storeapi.ChatSendRequest{Token: start.Token, Text: "我又来了"}, 200, &poll)
	if len(poll.Messages) != 1 || poll.Messages[0].Text != "我又来了" {
		t.Fatalf("messages %+v", poll.Messages)
	}
	// A returning customer with the same nick does not get the greeting again (not a first contact).
	var again storeapi.ChatStartResponse
	e.call("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: "小鱼儿"}, 200, &again)
	if again.Conversation != "c-1" || again.Token == start.Token {
		t.Fatalf("again %+v", again)
	}
}

func TestChatPage(t *testing.T) {
	e := newEnv(t, "")
	resp, body := e.do("GET", "/c/alpha/?product=p-1", "", nil)
	page := string(body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !contains(csp, "default-src 'none'") || !contains(csp, chatScriptHash) {
		t.Fatalf("CSP %q", csp)
	}
	for _, want := range []string{`<meta charset="utf-8">`, "阿尔法&lt;童装&gt;", "textContent", chatScript} {
		if !contains(page, want) {
			t.Errorf("page lacks %.60q", want)
		}
	}
	for _, bad := range []string{"阿尔法<童装>", "innerHTML", "http://", "https://", "<link", "src="} {
		if contains(page, bad) {
			t.Errorf("page has %q", bad)
		}
	}
	resp, _ = e.do("GET", "/c/nosuch/", "", nil)
	if resp.StatusCode != 404 {
		t.Fatalf("unknown shop: %d", resp.StatusCode)
	}
	noRedirect := &http.Client{Transport: apitest.Transport(t, nil), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(e.hs.URL + "/c/alpha")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "/c/alpha/" {
		t.Fatalf("redirect %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestHealthMetricsAndMisc(t *testing.T) {
	e := newEnv(t, "")
	var h storeapi.HealthResponse
	e.call("GET", storeapi.PathHealth, "", nil, 200, &h)
	token := e.login("alpha", "1001")
	if !strings.HasPrefix(h.Version, version.Version+" (commit ") {
		t.Errorf("health version %q; want %s and the commit", h.Version, version.Version)
	}
	if total := e.changes(token, 0, 1, 0).Total; h.Status != "ok" || h.Seq < total {
		t.Fatalf("health %+v, alpha at %d", h, total)
	}
	e.push(token, mut(t, shop.KindChatRead, "c-1", 0, nil), mut(t, shop.KindChatRead, "nosuch", 0, nil))
	resp, body := e.do("GET", storeapi.PathMetrics, "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("metrics %d", resp.StatusCode)
	}
	for _, want := range []string{
		`kefu_mutations_total{status="applied"} 1`,
		`kefu_mutations_total{status="rejected"} 1`,
		`kefu_http_requests_total{code="200",method="POST",route="/v1/mutations"} 1`,
		`kefu_http_request_duration_seconds_bucket{route="/v1/login"`,
		"kefu_longpoll_waiting 0",
		"kefu_feed_seq ",
	} {
		if !contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	e.expectError("GET", "/v2/nothing", "", nil, 404, storeapi.CodeNotFound)
	e.expectError("DELETE", storeapi.PathChanges, token, nil, 405, storeapi.CodeMethodNotAllowed)
}

func TestRestartKeepsEverything(t *testing.T) {
	e := newEnv(t, t.TempDir())
	token := e.login("alpha", "1001")
	batch := []shop.Mutation{
		mut(t, shop.KindOrderNote, alphaOrder, 0, shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagBlue, Text: "重启前"}),
		mut(t, shop.KindStockAdjust, "p-1", 0, shop.StockAdjust{SKU: "p-1-130", Delta: 3, Reason: "到货"}),
	}
	first := e.push(token, batch...)
	var start storeapi.ChatStartResponse
	e.call("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: "重启客人"}, 200, &start)
	var msgs storeapi.ChatMessagesResponse
	e.call("POST", "/c/alpha/api/messages", "", storeapi.ChatSendRequest{Token: start.Token, ID: "r1", Text: "在吗"}, 200, &msgs)
	before := e.all(token)
	var h1 storeapi.HealthResponse
	e.call("GET", storeapi.PathHealth, "", nil, 200, &h1)

	e2 := e.restart()
	// The token, the feed, the mutation ids and the chat token survive.
	after := e2.all(token)
	if len(after) != len(before) {
		t.Fatalf("%d records after restart, %d before", len(after), len(before))
	}
	for k, r := range before {
		if after[k].Seq != r.Seq || string(after[k].Data) != string(r.Data) {
			t.Fatalf("%s changed over the restart", k)
		}
	}
	var h2 storeapi.HealthResponse
	e2.call("GET", storeapi.PathHealth, "", nil, 200, &h2)
	if h2.Seq != h1.Seq {
		t.Fatalf("health seq %d after restart, %d before", h2.Seq, h1.Seq)
	}
	for i, r := range e2.push(token, batch...) {
		expectStatus(t, r, storeapi.StatusDuplicate)
		if r.Seq != first[i].Seq {
			t.Fatalf("duplicate seq %d, first %d", r.Seq, first[i].Seq)
		}
	}
	if n := len(e2.all(token)); n != len(before) {
		t.Fatalf("%d records after the retry", n)
	}
	e2.call("POST", "/c/alpha/api/messages", "", storeapi.ChatSendRequest{Token: start.Token, ID: "r1", Text: "在吗"}, 200, &msgs)
	if len(msgs.Messages) != 2 { // the message and the greeting, once
		t.Fatalf("messages %+v", msgs.Messages)
	}
	// New writes continue the sequence.
	r := e2.push(token, mut(t, shop.KindChatRead, "c-1", 0, nil))[0]
	if r.Seq != h1.Seq+1 {
		t.Fatalf("seq %d after restart at %d", r.Seq, h1.Seq)
	}
	// Existing shops are not imported again.
	created, err := e2.srv.ImportShop(t.Context(), ShopAccount{ID: "alpha"}, func(func(shop.Record) error) error { t.Fatal("generator ran"); return nil }, nil)
	if err != nil || created {
		t.Fatalf("ImportShop of an existing shop: %v %v", created, err)
	}
}

func TestConcurrentDesks(t *testing.T) {
	e := newEnv(t, "")
	tokens := []string{e.login("alpha", "1001"), e.login("alpha", "1002")}
	const perDesk = 60
	var wg sync.WaitGroup
	seqs := make(chan int64, 2*perDesk)
	for _, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perDesk/10; i++ {
				var batch []shop.Mutation
				for j := 0; j < 10; j++ {
					batch = append(batch, mut(t, shop.KindStockAdjust, "p-1", 0, shop.StockAdjust{SKU: "p-1-130", Delta: 1, Reason: "入库"}))
				}
				var mr storeapi.MutationsResponse
				if err := e.tryCall("POST", storeapi.PathMutations, tok, storeapi.MutationsRequest{Mutations: batch}, 200, &mr); err != nil {
					t.Error(err)
					return
				}
				for _, r := range mr.Results {
					if r.Status != storeapi.StatusApplied {
						t.Errorf("status %s", r.Status)
					}
					seqs <- r.Seq
				}
			}
		}()
	}
	wg.Wait()
	close(seqs)
	seen := map[int64]bool{}
	for s := range seqs {
		if seen[s] {
			t.Fatalf("seq %d given twice", s)
		}
		seen[s] = true
	}
	var p shop.Product
	if err := e.all(tokens[0])["product/p-1"].Decode(&p); err != nil || p.Variants[1].Warehouse != 5+2*perDesk {
		t.Fatalf("warehouse %d, want %d (%v)", p.Variants[1].Warehouse, 5+2*perDesk, err)
	}
}

func TestCloseEndsLongPolls(t *testing.T) {
	e := newEnv(t, "")
	token := e.login("alpha", "1001")
	total := e.changes(token, 0, 1, 0).Total
	done := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s%s?after=%d&wait=60", e.hs.URL, storeapi.PathChanges, total), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := e.client.Do(req)
		if err != nil {
			t.Error(err)
			done <- nil
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var cr storeapi.ChangesResponse
		if err := json.Unmarshal(body, &cr); err != nil || len(cr.Changes) != 0 || cr.Next != total {
			t.Errorf("answer on close: %s", body)
		}
		done <- resp
	}()
	waitFor(t, func() bool { return e.srv.waitingForTest() > 0 })
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if resp := <-done; resp != nil && resp.StatusCode != 200 {
		t.Fatalf("long poll on close: %d", resp.StatusCode)
	}
	resp, body := e.do("GET", storeapi.PathHealth, "", nil)
	if resp.StatusCode != 503 || !contains(string(body), storeapi.CodeUnavailable) {
		t.Fatalf("after close: %d %s", resp.StatusCode, body)
	}
}

func TestChatRateLimits(t *testing.T) {
	e := newEnv(t, "")
	var start storeapi.ChatStartResponse
	e.call("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: "话痨"}, 200, &start)
	for i := 0; i < 60; i++ {
		e.call("POST", "/c/alpha/api/messages", "", storeapi.ChatSendRequest{Token: start.Token, Text: fmt.Sprintf("第%d条", i)}, 200, nil)
	}
	resp, body := e.do("POST", "/c/alpha/api/messages", "", storeapi.ChatSendRequest{Token: start.Token, Text: "还有吗"})
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("61st message in a minute: %d %s", resp.StatusCode, body)
	}
	e.clock.Advance(time.Minute)
	e.call("POST", "/c/alpha/api/messages", "", storeapi.ChatSendRequest{Token: start.Token, Text: "还有吗"}, 200, nil)
	// Chat starts per address.
	for i := 0; i < 29; i++ {
		e.call("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: fmt.Sprintf("客人%d", i)}, 200, nil)
	}
	e.expectError("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: "再来一个"}, 429, storeapi.CodeRateLimited)
}

func TestCloseStopsImport(t *testing.T) {
	e := startEnv(t, "", &testClock{t: monday10})
	closed := make(chan error, 1)
	n := 0
	_, err := e.srv.ImportShop(t.Context(), ShopAccount{ID: "big"}, func(emit func(shop.Record) error) error {
		for i := 0; i < 3*importChunk; i++ {
			if i == importChunk+1 {
				go func() { closed <- e.srv.Close() }()
				<-e.srv.closing
			}
			n++
			if err := emit(rec(shop.TypeCustomer, fmt.Sprintf("u%d", i), shop.Customer{Nick: "x"})); err != nil {
				return err
			}
		}
		return nil
	}, nil)
	if !errors.Is(err, ErrClosed) || n != 2*importChunk {
		t.Fatalf("import during Close: %v after %d records", err, n)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := e.srv.InitShop(t.Context(), "late", "Late"); !errors.Is(err, ErrClosed) {
		t.Fatalf("InitShop after Close: %v", err)
	}
}
