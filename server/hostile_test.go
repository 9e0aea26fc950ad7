package server

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

// snapshot is what both fixture shops hold: every record's seq by type/id, and the feed totals.
type snapshot struct {
	alpha, beta map[string]int64
	totals      [2]int64
}

func (e *env) snapshot(a, b string) snapshot {
	e.t.Helper()
	seqs := func(token string) map[string]int64 {
		out := map[string]int64{}
		for k, r := range e.all(token) {
			out[k] = r.Seq
		}
		return out
	}
	return snapshot{alpha: seqs(a), beta: seqs(b),
		totals: [2]int64{e.changes(a, 0, 1, 0).Total, e.changes(b, 0, 1, 0).Total}}
}

// same fails the test when a shop's data changed between two snapshots.
func (s snapshot) same(t testing.TB, what string, after snapshot) {
	t.Helper()
	if s.totals != after.totals {
		t.Fatalf("%s: feed totals went from %v to %v: something was stored", what, s.totals, after.totals)
	}
	for name, pair := range map[string][2]map[string]int64{"alpha": {s.alpha, after.alpha}, "beta": {s.beta, after.beta}} {
		before, now := pair[0], pair[1]
		if len(before) != len(now) {
			t.Fatalf("%s: %s has %d records, had %d", what, name, len(now), len(before))
		}
		for k, seq := range before {
			if now[k] != seq {
				t.Fatalf("%s: %s's %s went from seq %d to %d", what, name, k, seq, now[k])
			}
		}
	}
}

// rawBatch is a mutations body holding one mutation given as raw JSON.
func rawBatch(m string) []byte { return []byte(`{"mutations": [` + m + `]}`) }

// TestHostileRequests sends requests an attacker or a broken client could send. Each one gets a
// clear error (an HTTP error with a code and message, or a rejected result with a reason) and
// neither shop stores anything.
func TestHostileRequests(t *testing.T) {
	e := newEnv(t, "")
	a := e.login("alpha", "1001")
	b := e.login("beta", "2001")
	var start storeapi.ChatStartResponse
	e.call("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: "访客"}, 200, &start)
	var betaStart storeapi.ChatStartResponse
	e.call("POST", "/c/beta/api/start", "", storeapi.ChatStartRequest{Nick: "访客"}, 200, &betaStart)

	note := mut(t, shop.KindOrderNote, alphaOrder, 0, shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagRed, Text: "正常的备注"})
	huge := strings.Repeat("长", 100_000)
	big := bytes.Repeat([]byte("x"), storeapi.MaxBodyBytes+1)
	msgPath := "/c/alpha/api/messages"

	// HTTP-level refusals: status, code and a word the message must hold.
	httpCases := []struct {
		name, method, path, token string
		body                      any
		status                    int
		code, mention             string
	}{
		{"no token", "POST", storeapi.PathMutations, "", storeapi.MutationsRequest{Mutations: []shop.Mutation{note}}, 401, storeapi.CodeUnauthorized, "Bearer"},
		{"made-up token", "POST", storeapi.PathMutations, "bm90LWEtdG9rZW4", storeapi.MutationsRequest{Mutations: []shop.Mutation{note}}, 401, storeapi.CodeUnauthorized, "not valid"},
		{"customer token as staff token", "POST", storeapi.PathMutations, start.Token, storeapi.MutationsRequest{Mutations: []shop.Mutation{note}}, 401, storeapi.CodeUnauthorized, "not valid"},
		{"no token on the feed", "GET", storeapi.PathChanges, "", nil, 401, storeapi.CodeUnauthorized, "Bearer"},
		{"oversized mutations body", "POST", storeapi.PathMutations, a, big, 413, storeapi.CodeTooLarge, "bytes"},
		{"oversized login body", "POST", storeapi.PathLogin, "", big, 413, storeapi.CodeTooLarge, "bytes"},
		{"oversized chat message body", "POST", msgPath, "", big, 413, storeapi.CodeTooLarge, "bytes"},
		{"malformed JSON", "POST", storeapi.PathMutations, a, []byte(`{"mutations": [{"id": "x",]}`), 400, storeapi.CodeBadRequest, "malformed JSON"},
		{"truncated JSON", "POST", storeapi.PathMutations, a, rawBatch(`{"id": "x"`), 400, storeapi.CodeBadRequest, "malformed JSON"},
		{"invalid UTF-8 in a note", "POST", storeapi.PathMutations, a, rawBatch("{\"id\": \"m1\", \"kind\": \"order.note\", \"entity\": \"o-100\", \"data\": {\"note_id\": \"n1\", \"flag\": \"red\", \"text\": \"\xff\xfe\"}}"), 400, storeapi.CodeBadRequest, "UTF-8"},
		{"invalid UTF-8 login", "POST", storeapi.PathLogin, "", []byte("{\"shop\": \"alpha\", \"staff\": \"1001\", \"password\": \"\xc3\x28\"}"), 400, storeapi.CodeBadRequest, "UTF-8"},
		{"invalid UTF-8 chat message", "POST", msgPath, "", []byte("{\"token\": \"" + start.Token + "\", \"text\": \"\xed\xa0\x80\"}"), 400, storeapi.CodeBadRequest, "UTF-8"},
		{"mutation id is a number", "POST", storeapi.PathMutations, a, rawBatch(`{"id": 5, "kind": "order.note", "entity": "o-100"}`), 400, storeapi.CodeBadRequest, "must be string"},
		{"base is a string", "POST", storeapi.PathMutations, a, rawBatch(`{"id": "m2", "kind": "order.note", "entity": "o-100", "base": "7"}`), 400, storeapi.CodeBadRequest, "must be int64"},
		{"mutations is an object", "POST", storeapi.PathMutations, a, []byte(`{"mutations": {"id": "m3"}}`), 400, storeapi.CodeBadRequest, "mutations must be"},
		{"unknown envelope field", "POST", storeapi.PathMutations, a, rawBatch(`{"id": "m4", "kind": "order.note", "entity": "o-100", "shop": "beta"}`), 400, storeapi.CodeBadRequest, "unknown field"},
		{"login fields of wrong type", "POST", storeapi.PathLogin, "", []byte(`{"shop": ["alpha"], "staff": 1001, "password": true}`), 400, storeapi.CodeBadRequest, "must be string"},
		{"chat text of wrong type", "POST", msgPath, "", []byte(`{"token": "` + start.Token + `", "text": {"html": "<b>x</b>"}}`), 400, storeapi.CodeBadRequest, "must be string"},
		{"100k-character customer message", "POST", msgPath, "", storeapi.ChatSendRequest{Token: start.Token, Text: huge}, 400, storeapi.CodeBadRequest, "message"},
		{"100k-character nick", "POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: huge}, 400, storeapi.CodeBadRequest, "64"},
		{"another shop's customer token", "POST", msgPath, "", storeapi.ChatSendRequest{Token: betaStart.Token, Text: "hi"}, 401, storeapi.CodeUnauthorized, ""},
		{"another shop's customer token reads", "GET", msgPath + "?token=" + betaStart.Token, "", nil, 401, storeapi.CodeUnauthorized, ""},
		{"100k-character staff number", "POST", storeapi.PathLogin, "", storeapi.LoginRequest{Shop: "alpha", Staff: huge, Password: pass}, 401, storeapi.CodeUnauthorized, "wrong"},
	}
	for _, c := range httpCases {
		before := e.snapshot(a, b)
		msg := e.expectError(c.method, c.path, c.token, c.body, c.status, c.code)
		if !strings.Contains(msg, c.mention) {
			t.Errorf("%s: message %q does not mention %q", c.name, msg, c.mention)
		}
		before.same(t, c.name, e.snapshot(a, b))
	}

	// Mutation-level refusals: a well-formed request whose mutation is rejected with a reason.
	m := func(kind shop.Kind, entity string, data any) shop.Mutation { return mut(t, kind, entity, 0, data) }
	rawData := func(kind shop.Kind, entity, data string) shop.Mutation {
		x := m(kind, entity, nil)
		x.Data = json.RawMessage(data)
		return x
	}
	mutCases := []struct {
		name    string
		token   string
		m       shop.Mutation
		mention string
		want    storeapi.Status // rejected unless given
	}{
		{"unknown kind", a, m("order.delete_everything", alphaOrder, nil), "unknown mutation kind", ""},
		{"empty kind", a, m("", alphaOrder, nil), "unknown mutation kind", ""},
		{"entity with a slash", a, m(shop.KindOrderNote, "../beta/ob-200", shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagRed, Text: "x"}), "not a valid id", ""},
		{"entity of 1000 characters", a, m(shop.KindCustomerSet, strings.Repeat("u", 1000), shop.CustomerSet{Memo: ptr("x")}), "not a valid id", ""},
		{"negative base", a, mut(t, shop.KindChatRead, "c-1", -1, nil), "negative", ""},
		{"payload of wrong type", a, rawData(shop.KindStockAdjust, "p-1", `{"sku": "p-1-120", "delta": "many", "reason": "x"}`), "", ""},
		{"payload is a list", a, rawData(shop.KindOrderNote, alphaOrder, `[1, 2, 3]`), "", ""},
		{"payload with a float quantity", a, rawData(shop.KindStockAdjust, "p-1", `{"sku": "p-1-120", "delta": 1.5, "reason": "x"}`), "", ""},
		{"absurd stock delta", a, m(shop.KindStockAdjust, "p-1", shop.StockAdjust{SKU: "p-1-120", Delta: 1 << 40, Reason: "盘点"}), "", ""},
		{"stock below zero", a, m(shop.KindStockAdjust, "p-1", shop.StockAdjust{SKU: "p-1-120", Delta: -1000, Reason: "盘点"}), "", storeapi.StatusConflict},
		{"negative warehouse stock", a, m(shop.KindStockSet, "p-1", shop.StockSet{SKU: "p-1-120", Expected: 8, Warehouse: -5, Reason: "盘点"}), "", ""},
		{"absurd warehouse stock", a, m(shop.KindStockSet, "p-1", shop.StockSet{SKU: "p-1-120", Expected: 8, Warehouse: shop.MaxQuantity + 1, Reason: "盘点"}), "", ""},
		{"negative low-stock threshold", a, m(shop.KindStockLow, "p-1", shop.StockThreshold{LowStock: -3}), "", ""},
		{"100k-character chat message", a, m(shop.KindChatSend, "c-1", shop.ChatSend{MessageID: shop.NewID(), Text: huge}), "message", ""},
		{"100k-character order note", a, m(shop.KindOrderNote, alphaOrder, shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagRed, Text: huge}), "note", ""},
		{"100k-character review reply", a, m(shop.KindReviewReply, "rv-1", shop.ReviewReplyData{Text: huge}), "", ""},
		{"100k-character customer memo", a, m(shop.KindCustomerSet, "u-1", shop.CustomerSet{Memo: ptr(huge)}), "", ""},
		{"another shop's order", a, m(shop.KindOrderNote, betaOrder, shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagRed, Text: "偷看"}), "does not exist", ""},
		{"another shop's conversation", b, m(shop.KindChatSend, "c-1", shop.ChatSend{MessageID: shop.NewID(), Text: "hi"}), "does not exist", ""},
		{"another shop's review", b, m(shop.KindReviewReply, "rv-1", shop.ReviewReplyData{Text: "hi"}), "does not exist", ""},
		{"another shop's customer", b, m(shop.KindCustomerSet, "u-1", shop.CustomerSet{Memo: ptr("x")}), "does not exist", ""},
		{"another shop's product", b, m(shop.KindStockAdjust, "p-1", shop.StockAdjust{SKU: "p-1-120", Delta: 1, Reason: "x"}), "does not exist", ""},
	}
	for _, c := range mutCases {
		before := e.snapshot(a, b)
		var mr storeapi.MutationsResponse
		e.call("POST", storeapi.PathMutations, c.token, storeapi.MutationsRequest{Mutations: []shop.Mutation{c.m}}, 200, &mr)
		if len(mr.Results) != 1 {
			t.Fatalf("%s: %d results", c.name, len(mr.Results))
		}
		r := mr.Results[0]
		if c.want == storeapi.StatusConflict && r.Conflict != nil {
			r.Status, r.Reason = storeapi.StatusRejected, r.Conflict.Reason // a conflict says why in its own field
		}
		if r.Status != storeapi.StatusRejected || r.Reason == "" {
			t.Errorf("%s: status %s, reason %q, want %s with a reason", c.name, r.Status, r.Reason, cmp.Or(c.want, storeapi.StatusRejected))
		} else if !strings.Contains(r.Reason, c.mention) {
			t.Errorf("%s: reason %q does not mention %q", c.name, r.Reason, c.mention)
		}
		before.same(t, c.name, e.snapshot(a, b))
	}

	// Another shop's token sees none of alpha's data.
	for k := range e.all(b) {
		for _, id := range []string{"/" + alphaOrder, "/u-1", "/rv-1", "/c-1", "/p-1", "/1001", "/alpha"} {
			if strings.HasSuffix(k, id) {
				t.Fatalf("beta's token sees %s", k)
			}
		}
	}

	// An id colliding with another shop's makes the caller's own entity and leaves the other alone.
	before := e.snapshot(a, b)
	res := e.push(a, m(shop.KindCustomerAdd, "ub-1", shop.Customer{Nick: "撞号的客人"}))[0]
	expectStatus(t, res, storeapi.StatusApplied)
	after := e.snapshot(a, b)
	snapshot{beta: before.beta, totals: [2]int64{0, before.totals[1]}}.same(t, "colliding id",
		snapshot{beta: after.beta, totals: [2]int64{0, after.totals[1]}})
	if after.alpha["customer/ub-1"] == 0 {
		t.Fatal("alpha's customer ub-1 was not stored")
	}

	// An expired token stores nothing either.
	old := e.login("alpha", "1002")
	before = e.snapshot(a, b) // the login itself stores no shop data
	e.clock.Advance(storeapi.TokenLifetime)
	msg := e.expectError("POST", storeapi.PathMutations, old, storeapi.MutationsRequest{Mutations: []shop.Mutation{note}}, 401, storeapi.CodeUnauthorized)
	if !strings.Contains(msg, "expired") {
		t.Fatalf("expired token: message %q", msg)
	}
	e.clock.Set(monday10)
	e.expectError("POST", storeapi.PathMutations, old, storeapi.MutationsRequest{Mutations: []shop.Mutation{note}}, 401, storeapi.CodeUnauthorized)
	before.same(t, "expired token", e.snapshot(a, b))
}

// TestLoginRateLimitPerStaffAndAddress checks both login limits: one staff member tried from many
// addresses, and many staff numbers tried from one address.
func TestLoginRateLimitPerStaffAndAddress(t *testing.T) {
	e := newEnv(t, "")
	// Many staff numbers (one wrong guess each) from one address: the address is blocked.
	for i := 0; i < 10; i++ {
		e.expectError("POST", storeapi.PathLogin, "", storeapi.LoginRequest{Shop: "alpha", Staff: fmt.Sprint(3000 + i), Password: "guess"}, 401, storeapi.CodeUnauthorized)
	}
	msg := e.expectError("POST", storeapi.PathLogin, "", storeapi.LoginRequest{Shop: "beta", Staff: "2001", Password: pass}, 429, storeapi.CodeRateLimited)
	if !strings.Contains(msg, "too many") {
		t.Fatalf("message %q", msg)
	}
	// The block lifts after the window.
	e.clock.Advance(5*time.Minute + time.Second)
	e.login("beta", "2001")

	// One staff member guessed from many addresses: the staff member is blocked, from any
	// address, and other staff members are not.
	l := e.srv.loginLimit
	now := e.clock.Now()
	for i := 0; i < 10; i++ {
		l.add("staff\x00beta\x002001", now)
		if wait := l.blocked(fmt.Sprintf("addr\x0010.0.0.%d", i), now); wait != 0 {
			t.Fatalf("address %d blocked by another address's failures", i)
		}
	}
	e.expectError("POST", storeapi.PathLogin, "", storeapi.LoginRequest{Shop: "beta", Staff: "2001", Password: pass}, 429, storeapi.CodeRateLimited)
	e.login("alpha", "1001")
}
