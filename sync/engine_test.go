package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu/internal/testkit"
	"kefu/localdb"
	"kefu/shop"
	"kefu/storeapi"
)

// Two desks make mutations of several kinds, some while the server is down; afterwards every
// mutation is on the server exactly once and both desks hold the server's records.
func TestTwoDesksConverge(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	a := newDesk(t, ts, "desk A", "1001", nil)
	b := newDesk(t, ts, "desk B", "1002", nil)
	a.waitSynced(ts)
	b.waitSynced(ts)

	dm := findFixture(t, a.db)
	o1, o2 := dm.orders[0].ID, dm.orders[1].ID
	conv := dm.conv.ID
	var kase shop.AfterSalesCase
	cases, err := a.db.Cases(true, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if len(shop.CaseNext(c.State)) > 0 {
			kase = c
			break
		}
	}
	if kase.ID == "" {
		t.Fatal("the test shop needs an open after-sales case")
	}
	moveTo := shop.CaseNext(kase.State)[0]

	before := ts.feed(t, a.token)
	noteCount := func(recs map[string]shop.Record, id string) int {
		var o shop.Order
		if err := recs["order/"+id].Decode(&o); err != nil {
			t.Fatal(err)
		}
		return o.NoteCount
	}
	var conv0 shop.Conversation
	if err := before["conversation/"+conv].Decode(&conv0); err != nil {
		t.Fatal(err)
	}
	var prod0 shop.Product
	if err := before["product/"+dm.product.ID].Decode(&prod0); err != nil {
		t.Fatal(err)
	}
	stock0 := variantOf(t, prod0, dm.sku).Warehouse

	var notes, msgs []string
	addNote := func(d *desk, o string, f shop.Flag, text string) {
		_, id := d.note(o, f, text)
		notes = append(notes, id)
	}
	addMsg := func(d *desk, text string) {
		_, id := d.say(conv, text)
		msgs = append(msgs, id)
	}

	// Online.
	addNote(a, o1, shop.FlagRed, "A: 发顺丰")
	addMsg(a, "A: 您好，在的")
	a.apply(shop.KindCaseMove, kase.ID, shop.Move{From: string(kase.State), To: string(moveTo), Note: "A moves it"})
	addNote(b, o1, shop.FlagBlue, "B: 地址已核对")
	addNote(b, o2, shop.FlagYellow, "B: 缺货等通知")
	addMsg(b, "B: 马上为您查询")
	b.apply(shop.KindStockAdjust, dm.product.ID, shop.StockAdjust{SKU: dm.sku, Delta: 5, Reason: "B: 盘点多出"})
	a.waitSynced(ts)
	b.waitSynced(ts)

	// Server down: both desks keep working.
	ts.stop()
	addNote(a, o2, shop.FlagGreen, "A offline: 已电话确认")
	addMsg(a, "A offline: 稍等")
	a.apply(shop.KindStockAdjust, dm.product.ID, shop.StockAdjust{SKU: dm.sku, Delta: -2, Reason: "A: 破损"})
	addNote(b, o1, shop.FlagPurple, "B offline: 客户要求改地址")
	addMsg(b, "B offline: 已为您备注")
	testkit.WaitFor(t, "both desks offline with their changes pending", func() bool {
		sa, sb := a.eng.Status(), b.eng.Status()
		return sa.State == StateOffline && sa.Pending == 3 && sb.State == StateOffline && sb.Pending == 2
	})

	ts.start(false)
	a.waitSynced(ts)
	b.waitSynced(ts)
	// Each desk may have pulled before the other pushed its backlog: wait for both again.
	a.waitSynced(ts)

	after := ts.feed(t, a.token)
	// Exactly once: every counter moved by exactly what was done.
	if got, want := noteCount(after, o1)-noteCount(before, o1), 3; got != want {
		t.Errorf("order %s got %d new notes on the server, want %d", o1, got, want)
	}
	if got, want := noteCount(after, o2)-noteCount(before, o2), 2; got != want {
		t.Errorf("order %s got %d new notes on the server, want %d", o2, got, want)
	}
	var conv1 shop.Conversation
	if err := after["conversation/"+conv].Decode(&conv1); err != nil {
		t.Fatal(err)
	}
	if got := conv1.Messages - conv0.Messages; got != len(msgs) {
		t.Errorf("conversation got %d new messages on the server, want %d", got, len(msgs))
	}
	var prod1 shop.Product
	if err := after["product/"+dm.product.ID].Decode(&prod1); err != nil {
		t.Fatal(err)
	}
	if got, want := variantOf(t, prod1, dm.sku).Warehouse, stock0+5-2; got != want {
		t.Errorf("warehouse stock of %s = %d on the server, want %d", dm.sku, got, want)
	}
	var kase1 shop.AfterSalesCase
	if err := after["case/"+kase.ID].Decode(&kase1); err != nil {
		t.Fatal(err)
	}
	if kase1.State != moveTo || len(kase1.Steps) != len(kase.Steps)+1 {
		t.Errorf("case %s on the server is %s with %d steps, want %s with %d", kase.ID, kase1.State, len(kase1.Steps), moveTo, len(kase.Steps)+1)
	}
	for _, id := range notes {
		if _, ok := after["note/"+id]; !ok {
			t.Errorf("note %s is not on the server", id)
		}
	}
	for _, id := range msgs {
		if _, ok := after["message/"+id]; !ok {
			t.Errorf("message %s is not on the server", id)
		}
	}
	var o1rec shop.Order
	if err := after["order/"+o1].Decode(&o1rec); err != nil {
		t.Fatal(err)
	}
	if o1rec.Flag != shop.FlagPurple || o1rec.FlagBy != "1002" {
		t.Errorf("order %s flag = %v by %s, want purple by 1002 (the last note)", o1, o1rec.Flag, o1rec.FlagBy)
	}

	// Both desks hold exactly the server's records.
	keys := []string{"order/" + o1, "order/" + o2, "conversation/" + conv, "product/" + dm.product.ID, "case/" + kase.ID}
	for _, id := range notes {
		keys = append(keys, "note/"+id)
	}
	for _, id := range msgs {
		keys = append(keys, "message/"+id)
	}
	for _, k := range keys {
		rec := after[k]
		want := decodeRecord(t, rec)
		for _, d := range []*desk{a, b} {
			ver, got := recordOf(t, d.db, rec.Type, rec.ID)
			if ver != rec.Seq || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %s is version %d %s,\nserver has version %d %s", d.name, k, ver, jsonString(got), rec.Seq, jsonString(want))
			}
		}
	}
	for _, o := range []string{o1, o2} {
		na, err := a.db.Notes(o)
		if err != nil {
			t.Fatal(err)
		}
		nb, err := b.db.Notes(o)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(na, nb) {
			t.Errorf("order %s notes differ:\nA: %+v\nB: %+v", o, na, nb)
		}
	}
	ma, _ := a.db.Messages(conv, "", 100)
	mb, _ := b.db.Messages(conv, "", 100)
	if !reflect.DeepEqual(ma, mb) {
		t.Errorf("conversation messages differ:\nA: %+v\nB: %+v", ma, mb)
	}
	for _, d := range []*desk{a, b} {
		if ps, _ := d.db.Problems(); len(ps) != 0 {
			t.Errorf("%s has problems: %+v", d.name, ps)
		}
	}
}

func variantOf(t testing.TB, p shop.Product, sku string) shop.Variant {
	t.Helper()
	v, ok := p.Variant(sku)
	if !ok {
		t.Fatalf("product %s has no SKU %s", p.ID, sku)
	}
	return *v
}

// With the server stopped a desk records notes, messages and flags; once it is back every one
// is delivered once, in order, and the status went offline → syncing → online.
func TestOfflineBacklogDeliveredInOrder(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	d := newDesk(t, ts, "desk", "1001", nil)
	d.waitSynced(ts)
	dm := findFixture(t, d.db)
	conv := dm.conv.ID
	before := ts.feed(t, d.token)

	ts.stop()
	from := d.statusCount()
	type sent struct{ typ, id string }
	var order []sent
	for i := range 4 {
		o := dm.orders[i%2].ID
		_, id := d.note(o, shop.Flags[1+i%5], fmt.Sprintf("离线备注 %d", i))
		order = append(order, sent{"note", id})
		_, id = d.say(conv, fmt.Sprintf("离线消息 %d", i))
		order = append(order, sent{"message", id})
	}
	testkit.WaitFor(t, "offline with the changes pending", func() bool {
		s := d.eng.Status()
		return s.State == StateOffline && s.Pending == len(order)
	})
	if st := d.eng.Status(); st.Since.IsZero() || st.Err == "" {
		t.Errorf("offline status = %+v, want a since time and an error", st)
	}

	ts.start(false)
	d.waitSynced(ts)

	states := d.states(from)
	if !isSubsequence([]State{StateOffline, StateSyncing, StateOnline}, states) {
		t.Errorf("states after the server stopped: %v, want offline → syncing → online", states)
	}
	if states[len(states)-1] != StateOnline {
		t.Errorf("last state %s, want online", states[len(states)-1])
	}

	after := ts.feed(t, d.token)
	last := int64(0)
	for _, s := range order {
		rec, ok := after[s.typ+"/"+s.id]
		if !ok {
			t.Fatalf("%s %s is not on the server", s.typ, s.id)
		}
		if rec.Seq <= last {
			t.Errorf("%s %s has seq %d after %d: not delivered in order", s.typ, s.id, rec.Seq, last)
		}
		last = rec.Seq
	}
	var c0, c1 shop.Conversation
	before["conversation/"+conv].Decode(&c0)
	after["conversation/"+conv].Decode(&c1)
	if c1.Messages-c0.Messages != 4 {
		t.Errorf("conversation has %d new messages on the server, want 4", c1.Messages-c0.Messages)
	}
	for i, o := range dm.orders[:2] {
		var b0, b1 shop.Order
		before["order/"+o.ID].Decode(&b0)
		after["order/"+o.ID].Decode(&b1)
		if b1.NoteCount-b0.NoteCount != 2 {
			t.Errorf("order %s has %d new notes on the server, want 2", o.ID, b1.NoteCount-b0.NoteCount)
		}
		wantFlag := shop.Flags[1+(2+i)%5] // the last note on this order set the flag
		if b1.Flag != wantFlag {
			t.Errorf("order %s flag %v, want %v", o.ID, b1.Flag, wantFlag)
		}
		local, err := d.db.Order(o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if local.Flag != b1.Flag || local.NoteCount != b1.NoteCount {
			t.Errorf("order %s locally: flag %v, %d notes; server: %v, %d", o.ID, local.Flag, local.NoteCount, b1.Flag, b1.NoteCount)
		}
	}
}

// isSubsequence reports whether want appears in got in order (not necessarily adjacent).
func isSubsequence[T comparable](want, got []T) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

// The same batch sent twice gives duplicates and changes nothing the second time; the engine
// pushing it a third time acknowledges the duplicates.
func TestSameBatchTwice(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	d := newDesk(t, ts, "desk", "1001", nil)
	d.waitSynced(ts)
	dm := findFixture(t, d.db)
	d.stop()

	var ids []string
	for i := range 3 {
		_, id := d.note(dm.orders[0].ID, shop.FlagRed, fmt.Sprintf("重复发送 %d", i))
		ids = append(ids, id)
	}
	d.apply(shop.KindStockAdjust, dm.product.ID, shop.StockAdjust{SKU: dm.sku, Delta: -1, Reason: "售出"})
	batch, err := d.db.Outbox(0)
	if err != nil || len(batch) != 4 {
		t.Fatalf("outbox: %d, %v", len(batch), err)
	}
	before := ts.feed(t, d.token)

	req := storeapi.MutationsRequest{Mutations: batch}
	var first, second storeapi.MutationsResponse
	postJSON(t, ts.url()+storeapi.PathMutations, d.token, req, &first)
	postJSON(t, ts.url()+storeapi.PathMutations, d.token, req, &second)
	for i := range batch {
		if first.Results[i].ID != batch[i].ID || first.Results[i].Status != storeapi.StatusApplied {
			t.Errorf("first send, result %d: %+v, want applied %s", i, first.Results[i], batch[i].ID)
		}
		if second.Results[i].ID != batch[i].ID || second.Results[i].Status != storeapi.StatusDuplicate ||
			second.Results[i].First != storeapi.StatusApplied {
			t.Errorf("second send, result %d: %+v, want duplicate of applied", i, second.Results[i])
		}
	}
	mid := ts.feed(t, d.token)

	d.start() // pushes the batch a third time
	d.waitSynced(ts)
	after := ts.feed(t, d.token)
	if !reflect.DeepEqual(mid, after) {
		t.Errorf("the repeated sends changed the server's records")
	}
	var o0, o1 shop.Order
	before["order/"+dm.orders[0].ID].Decode(&o0)
	after["order/"+dm.orders[0].ID].Decode(&o1)
	if o1.NoteCount-o0.NoteCount != 3 {
		t.Errorf("%d new notes on the server, want 3", o1.NoteCount-o0.NoteCount)
	}
	var p0, p1 shop.Product
	before["product/"+dm.product.ID].Decode(&p0)
	after["product/"+dm.product.ID].Decode(&p1)
	if got, want := variantOf(t, p1, dm.sku).Warehouse, variantOf(t, p0, dm.sku).Warehouse-1; got != want {
		t.Errorf("stock %d, want %d", got, want)
	}
	local, err := d.db.Order(dm.orders[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if local.NoteCount != o1.NoteCount {
		t.Errorf("the desk counts %d notes, the server %d", local.NoteCount, o1.NoteCount)
	}
	if ps, _ := d.db.Problems(); len(ps) != 0 {
		t.Errorf("problems: %+v", ps)
	}
}

// cutter drops the connection of the next n pushes after the server has handled them: the
// server applied the batch, the desk never hears the answer.
type cutter struct {
	next  http.Handler
	armed atomic.Int32
	cuts  atomic.Int32
	seen  atomic.Int32 // pushes that reached the server
}

func (c *cutter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != storeapi.PathMutations {
		c.next.ServeHTTP(w, r)
		return
	}
	c.seen.Add(1)
	if c.armed.Load() <= 0 {
		c.next.ServeHTTP(w, r)
		return
	}
	c.armed.Add(-1)
	rec := httptest.NewRecorder()
	c.next.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		panic(fmt.Sprintf("the push to be cut failed: %d %s", rec.Code, rec.Body))
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
	c.cuts.Add(1)
}

// A connection cut after the server applied a batch is retried, and nothing is duplicated.
func TestConnectionCutAfterApply(t *testing.T) {
	t.Parallel()
	var cut *cutter
	ts := newTestServer(t, func(h http.Handler) http.Handler {
		cut = &cutter{next: h}
		return cut
	})
	d := newDesk(t, ts, "desk", "1001", nil)
	other := newDesk(t, ts, "other desk", "1002", nil)
	d.waitSynced(ts)
	other.waitSynced(ts)
	dm := findFixture(t, d.db)
	before := ts.feed(t, d.token)

	cut.armed.Store(2) // the first push and its first retry are both cut
	seen := cut.seen.Load()
	var notes []string
	for i := range 3 {
		_, id := d.note(dm.orders[0].ID, shop.FlagGreen, fmt.Sprintf("断线 %d", i))
		notes = append(notes, id)
	}
	d.apply(shop.KindStockAdjust, dm.product.ID, shop.StockAdjust{SKU: dm.sku, Delta: 3, Reason: "退货入库"})
	_, msg := d.say(dm.conv.ID, "断线也只发一次")
	d.waitSynced(ts)
	other.waitSynced(ts)
	if cut.cuts.Load() != 2 || cut.seen.Load()-seen < 3 {
		t.Fatalf("%d pushes cut of %d seen; want 2 cut and a retry", cut.cuts.Load(), cut.seen.Load()-seen)
	}

	after := ts.feed(t, d.token)
	var o0, o1 shop.Order
	before["order/"+dm.orders[0].ID].Decode(&o0)
	after["order/"+dm.orders[0].ID].Decode(&o1)
	if o1.NoteCount-o0.NoteCount != len(notes) {
		t.Errorf("%d new notes on the server, want %d", o1.NoteCount-o0.NoteCount, len(notes))
	}
	var p0, p1 shop.Product
	before["product/"+dm.product.ID].Decode(&p0)
	after["product/"+dm.product.ID].Decode(&p1)
	if got, want := variantOf(t, p1, dm.sku).Warehouse, variantOf(t, p0, dm.sku).Warehouse+3; got != want {
		t.Errorf("stock %d, want %d", got, want)
	}
	var c0, c1 shop.Conversation
	before["conversation/"+dm.conv.ID].Decode(&c0)
	after["conversation/"+dm.conv.ID].Decode(&c1)
	if c1.Messages-c0.Messages != 1 {
		t.Errorf("%d new messages, want 1", c1.Messages-c0.Messages)
	}
	for _, dd := range []*desk{d, other} {
		local, err := dd.db.Order(dm.orders[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if local.NoteCount != o1.NoteCount {
			t.Errorf("%s counts %d notes, the server %d", dd.name, local.NoteCount, o1.NoteCount)
		}
		p, err := dd.db.Product(dm.product.ID)
		if err != nil {
			t.Fatal(err)
		}
		if variantOf(t, p, dm.sku).Warehouse != variantOf(t, p1, dm.sku).Warehouse {
			t.Errorf("%s stock %d, server %d", dd.name, variantOf(t, p, dm.sku).Warehouse, variantOf(t, p1, dm.sku).Warehouse)
		}
		if !hasMessage(dd.db, dm.conv.ID, "断线也只发一次") {
			t.Errorf("%s lacks message %s", dd.name, msg)
		}
		if ps, _ := dd.db.Problems(); len(ps) != 0 {
			t.Errorf("%s problems: %+v", dd.name, ps)
		}
	}
}

// A customer's message sent through the public chat page reaches the desk through the long poll.
func TestCustomerMessageReachesDesk(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	d := newDesk(t, ts, "desk", "1001", func(p *Params) { p.Wait = 25 * time.Second })
	d.waitSynced(ts)
	c := validatingClient(t)
	chat := chatStart(t, c, ts.url(), "顾客小王")

	var lat []time.Duration
	for i := range 5 {
		d.waitSynced(ts)
		text := fmt.Sprintf("请问有货吗？%d", i)
		arrived := make(chan struct{})
		var once atomic.Bool
		cancel := d.db.Subscribe(func(ch localdb.Change) {
			if ch.FromServer && hasMessage(d.db, chat.Conversation, text) && once.CompareAndSwap(false, true) {
				close(arrived)
			}
		})
		start := time.Now()
		chatSend(t, c, ts.url(), chat.Token, text)
		select {
		case <-arrived:
			lat = append(lat, time.Since(start))
		case <-time.After(20 * time.Second): // a long poll not woken would take 25 s
			cancel()
			t.Fatalf("message %d did not reach the desk", i)
		}
		cancel()
	}
	var conv shop.Conversation
	if _, ok, err := d.db.Get(shop.TypeConversation, chat.Conversation, &conv); err != nil || !ok {
		t.Fatalf("conversation %s on the desk: %v %v", chat.Conversation, ok, err)
	}
	if conv.WaitingSince.IsZero() || conv.Unread < 5 {
		t.Errorf("conversation on the desk: waiting since %v, %d unread; want waiting, 5 unread", conv.WaitingSince, conv.Unread)
	}
	t.Logf("customer message → desk latency on loopback: %v", lat)
}

// Two desks move the same review from new to contacted while one is offline: the one that
// pushes second ends with a Problem holding the server's state, and shows the server's state.
func TestConflictBecomesProblem(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	a := newDesk(t, ts, "desk A", "1001", nil)
	b := newDesk(t, ts, "desk B", "1002", nil)
	a.waitSynced(ts)
	b.waitSynced(ts)
	reviews, err := b.db.Reviews(localdb.ReviewFilter{State: shop.ReviewNew}, 1)
	if err != nil || len(reviews) == 0 {
		t.Fatalf("the test shop needs a new review: %v", err)
	}
	rv := reviews[0]
	move := shop.Move{From: string(shop.ReviewNew), To: string(shop.ReviewContacted)}

	b.cable.unplugged.Store(true)
	mb := b.apply(shop.KindReviewMove, rv.ID, shop.Move{From: move.From, To: move.To, Note: "B 打过电话"})
	testkit.WaitFor(t, "desk B offline", func() bool { return b.eng.Status().State == StateOffline })
	if !b.db.IsPending(shop.TypeReview, rv.ID) {
		t.Error("desk B's move is not pending")
	}
	a.apply(shop.KindReviewMove, rv.ID, shop.Move{From: move.From, To: move.To, Note: "A 联系了买家"})
	a.waitSynced(ts)

	b.cable.unplugged.Store(false)
	b.eng.Kick()
	b.waitSynced(ts)

	ps, err := b.db.Problems()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Fatalf("desk B has %d problems, want 1: %+v", len(ps), ps)
	}
	p := ps[0]
	if p.MutationID != mb.ID || p.Status != localdb.AckConflict || p.By != "1001" || p.Reason == "" {
		t.Errorf("problem = %+v, want a conflict of %s made by 1001", p, mb.ID)
	}
	var cur shop.Review
	found := false
	for _, r := range p.Current {
		if r.Type == shop.TypeReview && r.ID == rv.ID {
			found = true
			if err := r.Decode(&cur); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !found || cur.State != shop.ReviewContacted {
		t.Errorf("problem's current state = %+v, want the review contacted", p.Current)
	}
	if s := b.eng.Status(); s.Problems != 1 {
		t.Errorf("desk B status problems = %d, want 1", s.Problems)
	}
	if s := a.eng.Status(); s.Problems != 0 {
		t.Errorf("desk A status problems = %d, want 0", s.Problems)
	}
	var local shop.Review
	if _, _, err := b.db.Get(shop.TypeReview, rv.ID, &local); err != nil {
		t.Fatal(err)
	}
	if local.State != shop.ReviewContacted || len(local.Steps) == 0 || local.Steps[len(local.Steps)-1].Staff != "1001" {
		t.Errorf("desk B's review = %s with steps %+v, want the server's: contacted by 1001", local.State, local.Steps)
	}
	if b.db.IsPending(shop.TypeReview, rv.ID) {
		t.Error("desk B's review is still pending")
	}
}

// A 401 signs the desk out; pushing stops until SetToken gives it a working token.
func TestSignedOutUntilNewToken(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	d := newDesk(t, ts, "desk", "1001", func(p *Params) { p.Token = "not-a-valid-token" })
	testkit.WaitFor(t, "signed out", func() bool { return d.eng.Status().State == StateSignedOut })
	if s := d.eng.Status(); s.Err == "" {
		t.Errorf("signed-out status has no error: %+v", s)
	}
	login, err := Login(context.Background(), ts.url(), testShop, "1001", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	d.token = login.Token
	d.eng.SetToken(login.Token)
	d.waitSynced(ts)
	dm := findFixture(t, d.db)
	d.note(dm.orders[0].ID, shop.FlagBlue, "重新登录后")
	d.waitSynced(ts)
	if s := d.eng.Status(); s.Err != "" || s.State != StateOnline {
		t.Errorf("status after signing in again: %+v", s)
	}
}

// refuser answers one desk's pushes with 400 while armed, as a server would a batch it cannot
// read.
type refuser struct {
	next   http.Handler
	token  atomic.Value // the desk's token
	armed  atomic.Bool
	pushes atomic.Int32
}

func (f *refuser) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, _ := f.token.Load().(string)
	if r.Method == http.MethodPost && r.URL.Path == storeapi.PathMutations && r.Header.Get("Authorization") == "Bearer "+tok {
		f.pushes.Add(1)
		if f.armed.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(storeapi.ErrorResponse{Code: storeapi.CodeBadRequest, Message: "the body is not a batch"})
			return
		}
	}
	f.next.ServeHTTP(w, r)
}

// A batch refused with 400 is reported in the status and not resent in a loop; pulling goes on;
// a Kick (a new local change) tries again.
func TestRefusedBatchIsHeldNotSpun(t *testing.T) {
	t.Parallel()
	var f *refuser
	ts := newTestServer(t, func(h http.Handler) http.Handler {
		f = &refuser{next: h}
		return f
	})
	d := newDesk(t, ts, "desk", "1001", func(p *Params) { p.MaxBackoff = time.Hour })
	other := newDesk(t, ts, "other desk", "1002", nil)
	d.waitSynced(ts)
	other.waitSynced(ts)
	dm := findFixture(t, d.db)

	f.token.Store(d.token)
	f.armed.Store(true)
	pushes := f.pushes.Load()
	d.note(dm.orders[0].ID, shop.FlagRed, "会被拒绝的批次")
	testkit.WaitFor(t, "the refusal in the status", func() bool { return d.eng.Status().Err != "" })
	if n := f.pushes.Load() - pushes; n != 1 {
		t.Fatalf("%d pushes, want 1", n)
	}
	s := d.eng.Status()
	if s.Pending != 1 || !bytes.Contains([]byte(s.Err), []byte("the body is not a batch")) {
		t.Errorf("status = %+v, want 1 pending and the server's message", s)
	}
	// Pulling goes on while the push is held.
	text := "另一台的消息"
	other.say(dm.conv.ID, text)
	testkit.WaitFor(t, "the other desk's message", func() bool { return hasMessage(d.db, dm.conv.ID, text) })
	if n := f.pushes.Load() - pushes; n != 1 {
		t.Errorf("%d pushes while held, want 1 (no resending in a loop)", n)
	}

	f.armed.Store(false)
	d.note(dm.orders[0].ID, shop.FlagGreen, "新的修改，再试一次")
	d.waitSynced(ts)
	if s := d.eng.Status(); s.Err != "" || s.Pending != 0 {
		t.Errorf("status after the retry: %+v", s)
	}
}

// Kick cuts a waiting long poll short: with a long wait, a new local change still goes out at
// once (the other desk sees it long before the poll would have ended).
func TestKickCutsLongPoll(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	d := newDesk(t, ts, "desk", "1001", func(p *Params) { p.Wait = time.Minute })
	d.waitSynced(ts)
	dm := findFixture(t, d.db)
	before := ts.seq(t)
	d.note(dm.orders[1].ID, shop.FlagYellow, "马上发出")
	// Well under the minute-long poll.
	testkit.Wait{Timeout: 20 * time.Second}.For(t, "the kicked push at the server while the long poll waits",
		func() bool { return ts.seq(t) != before })
	d.waitSynced(ts)
}

// Run, Kick, SetToken and Status leave no goroutine behind once Run has returned, and OnStatus
// is not called after that.
func TestRunLeavesNoGoroutines(t *testing.T) {
	ts := newTestServer(t, nil)
	db, err := localdb.Open(localdb.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	login, err := Login(context.Background(), ts.url(), testShop, "1001", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	var running, late atomic.Bool
	eng, err := New(Params{Store: db, BaseURL: ts.url(), Token: login.Token, Wait: 30 * time.Second,
		OnStatus: func(Status) {
			if !running.Load() {
				late.Store(true)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	http.DefaultClient.CloseIdleConnections()
	base := runtime.NumGoroutine()

	for round := range 3 {
		eng.SetToken(login.Token)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		running.Store(true)
		go func() { done <- eng.Run(ctx) }()
		testkit.WaitFor(t, "online", func() bool { return eng.running.Load() && eng.Status().State == StateOnline })
		if err := eng.Run(ctx); err != ErrRunning {
			t.Errorf("a second Run: %v, want ErrRunning", err)
		}
		eng.Kick()
		eng.SetToken(login.Token)
		eng.Kick()
		_ = eng.Status()
		switch round {
		case 1:
			// Let it sit in a long poll (one that no pending Kick is about to cut short).
			testkit.WaitFor(t, "a long poll", func() bool {
				eng.mu.Lock()
				defer eng.mu.Unlock()
				return eng.pollCancel != nil && len(eng.kick) == 0
			})
		case 2:
			// Signed out: the engine waits with an idle keep-alive connection to the server.
			eng.SetToken("revoked")
			eng.Kick()
			testkit.WaitFor(t, "signed out", func() bool { return eng.Status().State == StateSignedOut })
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		running.Store(false)
		eng.Kick() // after Run: must not block or call OnStatus
		eng.SetToken(login.Token)
	}
	testkit.Wait{Timeout: 20 * time.Second}.ForState(t, "no goroutine left behind", func() (bool, string) {
		n, left := runtime.NumGoroutine(), engineGoroutines()
		if n <= base && len(left) == 0 {
			return true, ""
		}
		return false, fmt.Sprintf("%d goroutines, %d before; left behind:\n%s", n, base, strings.Join(left, "\n\n"))
	})
	if late.Load() {
		t.Error("OnStatus was called after Run returned")
	}
}

// engineGoroutines returns the stacks of other goroutines that belong to the engine or to an
// HTTP client connection (this test makes no other client connections).
func engineGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for i, g := range strings.Split(string(buf), "\n\n") {
		if i == 0 { // this goroutine
			continue
		}
		if strings.Contains(g, "net/http.(*persistConn)") || strings.Contains(g, "kefu/sync.(*Engine)") {
			out = append(out, g)
		}
	}
	return out
}

// The status reports progress while a large feed is pulled in pages, and counts pending.
func TestFirstSyncProgress(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	total := ts.seq(t)
	d := newDesk(t, ts, "desk", "1001", func(p *Params) { p.PullLimit = int(max(total/5, 1)) })
	d.waitSynced(ts)
	d.mu.Lock()
	var progress []Status
	for _, s := range d.statuses {
		if s.State == StateSyncing && s.Total > 0 {
			progress = append(progress, s)
		}
	}
	d.mu.Unlock()
	if len(progress) < 3 {
		t.Fatalf("%d progress reports for a feed of %d in pages of %d, want several", len(progress), total, total/5)
	}
	for i, s := range progress {
		if s.Total != total || s.Done <= 0 || s.Done > s.Total || (i > 0 && s.Done <= progress[i-1].Done) {
			t.Errorf("progress %d: %d of %d (feed %d)", i, s.Done, s.Total, total)
		}
	}
	if s := d.eng.Status(); s.Done != 0 || s.Total != 0 || s.LastSync.IsZero() {
		t.Errorf("status once caught up: %+v", s)
	}
	if v, _ := d.db.Meta(MetaLastSync); v == "" {
		t.Error("the last sync time was not saved")
	}
	if got := slices.Index(d.states(0), StateOnline); got < 0 {
		t.Errorf("states %v never online", d.states(0))
	}
}

// sizeLimiter answers 413 for pushes of more than max mutations, and for any push holding the
// text "过大" (a change too large for any batch), as a server with a small body limit would.
type sizeLimiter struct {
	next    http.Handler
	max     int
	refused atomic.Int32
}

func (l *sizeLimiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Path == storeapi.PathMutations {
		body, _ := io.ReadAll(r.Body)
		var req storeapi.MutationsRequest
		json.Unmarshal(body, &req)
		if len(req.Mutations) > l.max || bytes.Contains(body, []byte("过大")) {
			l.refused.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			json.NewEncoder(w).Encode(storeapi.ErrorResponse{Code: storeapi.CodeTooLarge, Message: "request body is too large"})
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	l.next.ServeHTTP(w, r)
}

// A batch the server finds too large is split; a single change too large for the server is
// answered locally as a rejection (a Problem), and the changes after it still go out.
func TestTooLargeBatchIsSplit(t *testing.T) {
	t.Parallel()
	var l *sizeLimiter
	ts := newTestServer(t, func(h http.Handler) http.Handler {
		l = &sizeLimiter{next: h, max: 2}
		return l
	})
	d := newDesk(t, ts, "desk", "1001", nil)
	d.waitSynced(ts)
	dm := findFixture(t, d.db)
	before := ts.feed(t, d.token)
	d.stop()
	var notes []string
	for i := range 3 {
		_, id := d.note(dm.orders[0].ID, shop.FlagGrey, fmt.Sprintf("分批 %d", i))
		notes = append(notes, id)
	}
	big, _ := d.note(dm.orders[0].ID, shop.FlagRed, "过大的备注")
	for i := 3; i < 6; i++ {
		_, id := d.note(dm.orders[0].ID, shop.FlagGrey, fmt.Sprintf("分批 %d", i))
		notes = append(notes, id)
	}
	d.start()
	d.waitSynced(ts)

	after := ts.feed(t, d.token)
	for _, id := range notes {
		if _, ok := after["note/"+id]; !ok {
			t.Errorf("note %s is not on the server", id)
		}
	}
	var o0, o1 shop.Order
	before["order/"+dm.orders[0].ID].Decode(&o0)
	after["order/"+dm.orders[0].ID].Decode(&o1)
	if o1.NoteCount-o0.NoteCount != len(notes) {
		t.Errorf("%d new notes on the server, want %d", o1.NoteCount-o0.NoteCount, len(notes))
	}
	ps, err := d.db.Problems()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].MutationID != big.ID || ps[0].Status != localdb.AckRejected || !strings.Contains(ps[0].Reason, "too large") {
		t.Errorf("problems = %+v, want the large note rejected as too large", ps)
	}
	if l.refused.Load() < 2 {
		t.Errorf("%d refusals, want the first batch and the large note refused", l.refused.Load())
	}
	local, err := d.db.Order(dm.orders[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if local.NoteCount != o1.NoteCount {
		t.Errorf("the desk counts %d notes, the server %d", local.NoteCount, o1.NoteCount)
	}
}

// A server whose feed ends before the desk's cursor (restored from an older backup) is reported.
func TestFeedBehindIsReported(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	d := newDesk(t, ts, "desk", "1001", nil)
	d.waitSynced(ts)
	dm := findFixture(t, d.db)
	d.note(dm.orders[0].ID, shop.FlagBlue, "备份之后的备注")
	d.waitSynced(ts)

	ts.stop()
	ts.dir = t.TempDir() // a fresh server at the same address: its feed is shorter
	ts.start(true)
	testkit.WaitFor(t, "signed out by the new server", func() bool { return d.eng.Status().State == StateSignedOut })
	login, err := Login(context.Background(), ts.url(), testShop, "1001", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	d.eng.SetToken(login.Token)
	testkit.WaitFor(t, "the feed reported behind", func() bool {
		s := d.eng.Status()
		return s.State == StateOnline && s.Err == ErrFeedBehind.Error()
	})
}

// flaky answers the first pushes with a 500, then a 429 asking for a one-second pause, then lets
// them through; it records when each push came.
type flaky struct {
	next http.Handler
	mu   gosync.Mutex
	at   []time.Time
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Path == storeapi.PathMutations {
		f.mu.Lock()
		f.at = append(f.at, time.Now())
		n := len(f.at)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch n {
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
			json.NewEncoder(w).Encode(storeapi.ErrorResponse{Code: storeapi.CodeInternal, Message: "internal error; try again"})
			return
		case 2:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			json.NewEncoder(w).Encode(storeapi.ErrorResponse{Code: storeapi.CodeRateLimited, Message: "slow down"})
			return
		}
	}
	f.next.ServeHTTP(w, r)
}

// A 500 is retried; a 429's Retry-After is honoured even when new changes are made meanwhile.
func TestServerErrorsRetriedAndRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	var f *flaky
	ts := newTestServer(t, func(h http.Handler) http.Handler {
		f = &flaky{next: h}
		return f
	})
	d := newDesk(t, ts, "desk", "1001", nil)
	d.waitSynced(ts)
	dm := findFixture(t, d.db)
	_, first := d.note(dm.orders[0].ID, shop.FlagRed, "服务器出错也要送达")
	testkit.WaitFor(t, "the rate-limited push", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.at) >= 2
	})
	_, second := d.note(dm.orders[0].ID, shop.FlagGreen, "限流期间的新备注") // kicks: must not cut the pause
	d.waitSynced(ts)

	f.mu.Lock()
	at := append([]time.Time(nil), f.at...)
	f.mu.Unlock()
	if len(at) < 3 {
		t.Fatalf("%d pushes, want a retry after the 500 and one after the 429", len(at))
	}
	if gap := at[2].Sub(at[1]); gap < time.Second {
		t.Errorf("the push after the 429 came %v later; Retry-After asked for 1s", gap)
	}
	after := ts.feed(t, d.token)
	for _, id := range []string{first, second} {
		if _, ok := after["note/"+id]; !ok {
			t.Errorf("note %s is not on the server", id)
		}
	}
}
