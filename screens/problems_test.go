package screens

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
	"kefu/desk"
	"kefu/localdb"
	"kefu/shop"
)

// otherAt is when the other desk (staff 1001) made its change: ten minutes before the tests'
// desk looks at it.
var otherAt = testNow.Add(-10 * time.Minute) // 14:54

// shopServer is the shop as the store server holds it: a store of its own with the demo shop,
// where other desks' actions are applied first, and which answers the desk's mutations as the
// server does (shop.Decide on its state: applied, a conflict with the current records and
// their versions, or a rejection with the rules' reason).
type shopServer struct {
	t  *testing.T
	db *localdb.DB
}

func newShopServer(t *testing.T) *shopServer {
	t.Helper()
	return &shopServer{t: t, db: newDemoStore(t)}
}

// act applies another desk's action, by staff at at.
func (s *shopServer) act(staff string, at time.Time, kind shop.Kind, entity string, data any) {
	s.t.Helper()
	m, err := shop.NewMutation(kind, entity, staff, at, data)
	if err != nil {
		s.t.Fatal(err)
	}
	out, err := s.db.Apply(m)
	if err != nil || out.Conflict != nil {
		s.t.Fatalf("the other desk's %s: %v %+v", kind, err, out.Conflict)
	}
}

// change writes an entity's new state on the server as an import or the platform would (an
// order paid or shipped meanwhile).
func (s *shopServer) change(t shop.EntityType, id string, v any) {
	s.t.Helper()
	cur, err := s.db.Cursor()
	if err != nil {
		s.t.Fatal(err)
	}
	rec := shop.NewRecord(t, id, v)
	rec.Seq = cur + 1
	if err := s.db.ApplyChanges([]shop.Record{rec}, cur+1); err != nil {
		s.t.Fatal(err)
	}
}

// answer is the server's answer to mutation m.
func (s *shopServer) answer(m shop.Mutation) localdb.Ack {
	s.t.Helper()
	out, err := shop.Decide(s.db, m, testNow)
	var rej *shop.RejectError
	switch {
	case errors.As(err, &rej):
		return localdb.Ack{ID: m.ID, Status: localdb.AckRejected, Reason: rej.Reason}
	case err != nil:
		s.t.Fatal(err)
	case out.Conflict == nil:
		s.t.Fatalf("the server applied %s %s: no conflict", m.Kind, m.Entity)
	}
	c := *out.Conflict
	for i, r := range c.Current {
		var raw json.RawMessage
		if ver, ok, err := s.db.Get(r.Type, r.ID, &raw); err == nil && ok {
			c.Current[i].Seq = ver
		}
	}
	return localdb.Ack{ID: m.ID, Status: localdb.AckConflict, Reason: c.Reason, Conflict: &c}
}

// push sends the desk's newest mutation to the server and shows its answer in the window.
func (f *fixture) push(s *shopServer) shop.Mutation {
	f.t.Helper()
	out := f.outbox()
	if len(out) == 0 {
		f.t.Fatal("nothing to push")
	}
	m := out[len(out)-1]
	if err := f.db.Acknowledge([]localdb.Ack{s.answer(m)}); err != nil {
		f.t.Fatal(err)
	}
	f.drain()
	f.desk.Refresh(nil)
	return m
}

// record records a staff action through the desk, as the screens do.
func (f *fixture) record(a desk.Action) {
	f.t.Helper()
	out, err := f.dk.Apply(f.desk.env.ctx, a)
	if err != nil || out.Conflict != nil {
		f.t.Fatalf("%s on the desk: %v %+v", a.Kind, err, out.Conflict)
	}
}

// openProblems opens the problems dialog from the status bar, as the staff member does.
func (f *fixture) openProblems() *problemsDialog {
	f.t.Helper()
	b := f.desk.status
	if !b.problems.Visible() {
		f.t.Fatal("the status bar shows no problems")
	}
	test.Tap(b.problems)
	f.drain()
	return f.desk.problems
}

// sentence is the bold sentence of the problem card number i.
func (p *problemsDialog) sentence(i int) string {
	n := 0
	for _, o := range p.list.Objects {
		card, ok := o.(*fyne.Container)
		if !ok || len(card.Objects) < 2 {
			continue
		}
		if l, ok := card.Objects[1].(*wrapLabel); ok && l.TextStyle.Bold {
			if n == i {
				return l.full
			}
			n++
		}
	}
	return ""
}

// button is the problem's button with the text, failing the test when it has none.
func (p *problemsDialog) button(t *testing.T, id, text string) *widget.Button {
	t.Helper()
	var labels []string
	for _, b := range p.steps[id] {
		if b.Text == text {
			return b
		}
		labels = append(labels, b.Text)
	}
	t.Fatalf("the problem has no button %q; it has %q", text, labels)
	return nil
}

// demoFind is the first demo record of type t that ok accepts, decoded.
func demoFind[T any](t *testing.T, typ shop.EntityType, ok func(T) bool) T {
	t.Helper()
	for _, r := range demoRecords(t) {
		var v T
		if r.Type == typ && r.Decode(&v) == nil && ok(v) {
			return v
		}
	}
	var zero T
	t.Fatalf("the demo shop has no %s that fits", typ)
	return zero
}

// countProduct is a demo product with a variant of which 8 are in the warehouse, or close.
func countProduct(t *testing.T) (shop.Product, shop.Variant) {
	p := demoFind(t, shop.TypeProduct, func(p shop.Product) bool { return len(p.Variants) > 0 && p.Variants[0].Warehouse >= 3 })
	return p, p.Variants[0]
}

// Two shelf counts of one SKU made on two desks: the other desk's 9 reached the server first,
// so this desk's 7 is a conflict. The dialog says so in the window's language with both
// versions; "count again" opens the stock item with the count form on the figure now, and
// "set it to my 7" records the count again against the server's figure.
func TestProblemStockCount(t *testing.T) {
	for _, c := range []struct {
		lang, sentence, theirs, mine, again, mineBtn string
	}{
		{assets.Chinese, "工号 1001 在 14:54 把库存改为 9 件，您盘点的 7 件未生效。", "服务器当前：仓库库存 9 件 · 工号 1001 于 14:54",
			"您的（未生效）：盘点 7 件（当时仓库显示 %d 件） · 原因：盘点", "重新盘点", "按我的 7 件更新"},
		{assets.English, "No. 1001 changed the warehouse stock to 9 at 14:54; your count of 7 was not recorded.",
			"On the server now: warehouse stock 9 · No. 1001 at 14:54",
			"Yours, not applied: counted 7 (the warehouse showed %d) · reason: 盘点", "Count again", "Set it to my 7"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			f := newFixture(t)
			if err := assets.SetupLanguage(c.lang); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { assets.SetupLanguage(assets.Chinese) })
			srv := newShopServer(t)
			p, v := countProduct(t)
			srv.act("1001", otherAt, shop.KindStockSet, p.ID, shop.StockSet{SKU: v.SKU, Expected: v.Warehouse, Warehouse: 9, Reason: "盘点"})

			d := f.desk
			d.Show(SectionStock)
			if err := waited(func(done func(error)) { d.stock.recordCount(p.ID, v.SKU, v.Warehouse, 7, "盘点", done) }); err != nil {
				t.Fatal(err)
			}
			m := f.push(srv)
			dlg := f.openProblems()
			if got := dlg.sentence(0); got != c.sentence {
				t.Errorf("the sentence is %q; want %q", got, c.sentence)
			}
			card := joined(dlg.list)
			for _, want := range []string{c.theirs, strings.Replace(c.mine, "%d", strconv.Itoa(v.Warehouse), 1), p.Name, v.Label()} {
				if !strings.Contains(card, want) {
					t.Errorf("the card lacks %q: %s", want, card)
				}
			}
			for _, raw := range []string{"expected", "warehouse:", p.ID, "T14:54", "+08:00", "SKU " + v.SKU + " has"} {
				if strings.Contains(card, raw) {
					t.Errorf("the card shows %q: %s", raw, card)
				}
			}

			// Count again: the stock item, with the count form on the figure the server has.
			test.Tap(dlg.button(t, m.ID, c.again))
			f.drain()
			if d.Current() != SectionStock || d.stock.open == nil || d.stock.open.ID != p.ID {
				t.Fatalf("count again shows section %d with %v open", d.Current(), d.stock.open)
			}
			form := strings.Join(chatTexts(f.win.Canvas().Overlays().Top()), " | ")
			if !strings.Contains(form, pick(c.lang, "货架实点数", "Counted on the shelf")) || !strings.Contains(form, "9") {
				t.Errorf("count again did not open the count form on 9: %s", form)
			}
			chatCloseOverlays(f.win)

			// Apply mine on top: stock.set 9 → 7, recorded as a new action; the problem is answered.
			dlg = f.openProblems()
			test.Tap(dlg.button(t, m.ID, c.mineBtn))
			f.drain()
			out := f.outbox()
			last := out[len(out)-1]
			var set shop.StockSet
			if last.ID == m.ID || last.Kind != shop.KindStockSet || json.Unmarshal(last.Data, &set) != nil ||
				set != (shop.StockSet{SKU: v.SKU, Expected: 9, Warehouse: 7, Reason: "盘点"}) {
				t.Errorf("apply mine recorded %+v %+v", last, set)
			}
			if probs, _ := f.db.Problems(); len(probs) != 0 {
				t.Errorf("%d problems left after applying mine", len(probs))
			}
			if got, _ := f.db.Product(p.ID); got.Variants[0].Warehouse != 7 {
				t.Errorf("the warehouse shows %d after applying mine", got.Variants[0].Warehouse)
			}
		})
	}
}

// pick is the text of the language.
func pick(l, zh, en string) string {
	if l == assets.English {
		return en
	}
	return zh
}

// convOf is a demo conversation of the customer.
func convOf(t *testing.T, customerID string) (shop.Conversation, bool) {
	t.Helper()
	for _, r := range demoRecords(t) {
		var c shop.Conversation
		if r.Type == shop.TypeConversation && r.Decode(&c) == nil && c.CustomerID == customerID {
			return c, true
		}
	}
	return shop.Conversation{}, false
}

// orderWithConv is a demo order that ok accepts whose customer has a conversation.
func orderWithConv(t *testing.T, ok func(shop.Order) bool) (shop.Order, shop.Conversation) {
	t.Helper()
	for _, r := range demoRecords(t) {
		var o shop.Order
		if r.Type != shop.TypeOrder || r.Decode(&o) != nil || !ok(o) {
			continue
		}
		if c, found := convOf(t, o.CustomerID); found {
			return o, c
		}
	}
	t.Fatal("the demo shop has no order that fits with a conversation")
	return shop.Order{}, shop.Conversation{}
}

// problemCase is one kind of refused action: what the other desk (or the platform) did on the
// server, what this desk did, the sentence the dialog says, its buttons, and the button to
// take with what it must do.
type problemCase struct {
	name     string
	setup    func(t *testing.T, f *fixture, srv *shopServer) (sentence string, buttons []string)
	tap      string
	afterTap func(t *testing.T, f *fixture, m shop.Mutation)
}

// Every kind that can conflict with what the server holds (DESIGN.md's conflict rules: stock
// compare-and-set and adjustments, the claim of a conversation, the three state machines, the
// order actions that depend on the order's state) and a rejection: each is told in its own
// sentence, with the steps that fit, which do what they say.
func TestProblemWordingPerKind(t *testing.T) {
	reason := "破损"
	cases := []problemCase{
		{name: "stock.adjust", setup: func(t *testing.T, f *fixture, srv *shopServer) (string, []string) {
			p, v := countProduct(t)
			srv.act("1001", otherAt, shop.KindStockSet, p.ID, shop.StockSet{SKU: v.SKU, Expected: v.Warehouse, Warehouse: 1, Reason: "盘点"})
			f.record(desk.Action{Kind: shop.KindStockAdjust, Entity: p.ID, Data: shop.StockAdjust{SKU: v.SKU, Delta: -3, Reason: reason}})
			return "工号 1001 在 14:54 改过库存，仓库只剩 1 件，减不了 3 件，您的调整未生效。", []string{"打开库存", "知道了"}
		}, tap: "打开库存", afterTap: func(t *testing.T, f *fixture, m shop.Mutation) {
			if f.desk.Current() != SectionStock || f.desk.stock.open == nil || f.desk.stock.open.ID != m.Entity {
				t.Errorf("open the stock item shows section %d with %v", f.desk.Current(), f.desk.stock.open)
			}
		}},
		{name: "chat.claim", setup: func(t *testing.T, f *fixture, srv *shopServer) (string, []string) {
			c := demoFind(t, shop.TypeConversation, func(c shop.Conversation) bool { return c.Assignee == "1002" || c.Assignee == "" })
			took := c // another desk claimed it first (its claim is on the server, not yet pulled here)
			took.Assignee, took.AssignedAt = "1001", otherAt
			srv.change(shop.TypeConversation, c.ID, took)
			f.record(desk.Action{Kind: shop.KindChatClaim, Entity: c.ID})
			return "工号 1001 在 14:54 已接待这位顾客，会话仍由其负责。", []string{"打开会话", "知道了"}
		}, tap: "打开会话", afterTap: func(t *testing.T, f *fixture, m shop.Mutation) {
			if f.desk.Current() != SectionChat || f.desk.chat.open == nil || f.desk.chat.open.ID != m.Entity {
				t.Errorf("open the conversation shows section %d with %v", f.desk.Current(), f.desk.chat.open)
			}
		}},
		{name: "review.move", setup: func(t *testing.T, f *fixture, srv *shopServer) (string, []string) {
			r := demoFind(t, shop.TypeReview, func(r shop.Review) bool { return r.State == shop.ReviewNew })
			srv.act("1001", otherAt, shop.KindReviewMove, r.ID, shop.Move{From: "new", To: "contacted"})
			f.record(desk.Action{Kind: shop.KindReviewMove, Entity: r.ID, Data: shop.Move{From: "new", To: "unreachable", Note: "电话没人接"}})
			return "工号 1001 在 14:54 把这条评价改为「已联系」，您的「待跟进 → 联系不上」未生效。", []string{"仍改为「联系不上」", "打开评价", "知道了"}
		}, tap: "仍改为「联系不上」", afterTap: func(t *testing.T, f *fixture, m shop.Mutation) {
			out := f.outbox()
			last := out[len(out)-1]
			var mv shop.Move
			if last.ID == m.ID || last.Kind != shop.KindReviewMove || json.Unmarshal(last.Data, &mv) != nil ||
				mv != (shop.Move{From: "contacted", To: "unreachable", Note: "电话没人接"}) {
				t.Errorf("apply mine recorded %s %s", last.Kind, last.Data)
			}
			if probs, _ := f.db.Problems(); len(probs) != 0 {
				t.Errorf("%d problems left after applying mine", len(probs))
			}
		}},
		{name: "case.move", setup: func(t *testing.T, f *fixture, srv *shopServer) (string, []string) {
			c := demoFind(t, shop.TypeCase, func(c shop.AfterSalesCase) bool { return c.State == shop.CaseOpen })
			srv.act("1001", otherAt, shop.KindCaseMove, c.ID, shop.Move{From: "open", To: "refunded"})
			f.record(desk.Action{Kind: shop.KindCaseMove, Entity: c.ID, Data: shop.Move{From: "open", To: "waiting_warehouse"}})
			return "工号 1001 在 14:54 把这个售后单改为「已退款」，您的「待处理 → 等待仓库」未生效。", []string{"打开订单", "知道了"}
		}, tap: "打开订单", afterTap: func(t *testing.T, f *fixture, m shop.Mutation) {
			var ac shop.AfterSalesCase
			if _, ok, err := f.dk.Get(f.desk.env.ctx, shop.TypeCase, m.Entity, &ac); !ok || err != nil {
				t.Fatalf("the case: %v", err)
			}
			if f.desk.Current() != SectionOrders || f.desk.orders.search.Text != ac.OrderID {
				t.Errorf("open the order shows section %d searching %q; want order %s", f.desk.Current(), f.desk.orders.search.Text, ac.OrderID)
			}
		}},
		{name: "complaint.move", setup: func(t *testing.T, f *fixture, srv *shopServer) (string, []string) {
			c := demoFind(t, shop.TypeComplaint, func(c shop.Complaint) bool { return c.State == shop.ComplaintOpen })
			srv.act("1001", otherAt, shop.KindComplaintMove, c.ID, shop.Move{From: "open", To: "in_progress"})
			f.record(desk.Action{Kind: shop.KindComplaintMove, Entity: c.ID, Data: shop.Move{From: "open", To: "in_progress"}})
			return "工号 1001 在 14:54 把这条投诉改为「处理中」，您的「待处理 → 处理中」未生效。", []string{"打开顾客", "知道了"}
		}, tap: "打开顾客", afterTap: func(t *testing.T, f *fixture, m shop.Mutation) {
			var c shop.Complaint
			f.dk.Get(f.desk.env.ctx, shop.TypeComplaint, m.Entity, &c)
			if f.desk.Current() != SectionCustomers || f.desk.custs.open == nil || f.desk.custs.open.ID != c.CustomerID {
				t.Errorf("open the customer shows section %d with %v; want %s", f.desk.Current(), f.desk.custs.open, c.CustomerID)
			}
		}},
		{name: "order.address", setup: func(t *testing.T, f *fixture, srv *shopServer) (string, []string) {
			o := demoFind(t, shop.TypeOrder, func(o shop.Order) bool { return o.Status == shop.StatusPaid && o.AddressCheck == "" })
			shipped := o
			shipped.Status, shipped.ShippedAt = shop.StatusShipped, otherAt
			srv.change(shop.TypeOrder, o.ID, shipped)
			f.record(desk.Action{Kind: shop.KindOrderAddress, Entity: o.ID, Data: shop.AddressCheckSet{NoteID: shop.NewID(), Result: shop.AddressConfirmed}})
			return "订单 " + o.ID + " 现在是「已发货」，地址已不能再改，您的地址核对未生效。", []string{"打开订单", "知道了"}
		}, tap: "打开订单", afterTap: func(t *testing.T, f *fixture, m shop.Mutation) {
			f.drain()
			if f.desk.Current() != SectionOrders || f.desk.orders.open == nil || f.desk.orders.open.ID != m.Entity {
				t.Errorf("open the order shows section %d with %v", f.desk.Current(), f.desk.orders.open)
			}
		}},
		{name: "order.remind", setup: func(t *testing.T, f *fixture, srv *shopServer) (string, []string) {
			o, c := orderWithConv(t, func(o shop.Order) bool { return o.Status == shop.StatusUnpaid && o.RemindedAt.IsZero() })
			srv.act("1001", otherAt, shop.KindOrderRemind, o.ID, shop.Remind{MessageID: shop.NewID(), ConversationID: c.ID, Text: "亲，记得付款哦"})
			f.record(desk.Action{Kind: shop.KindOrderRemind, Entity: o.ID, Data: shop.Remind{MessageID: shop.NewID(), ConversationID: c.ID, Text: "您的订单还没付款"}})
			return "订单 " + o.ID + " 已在 14:54 催付过，您的催付消息没有发出。", []string{"再催一次", "打开订单", "知道了"}
		}, tap: "再催一次", afterTap: func(t *testing.T, f *fixture, m shop.Mutation) {
			out := f.outbox()
			last := out[len(out)-1]
			var mine, again shop.Remind
			json.Unmarshal(m.Data, &mine)
			if last.ID == m.ID || last.Kind != shop.KindOrderRemind || json.Unmarshal(last.Data, &again) != nil ||
				!again.Force || again.Text != mine.Text || again.MessageID == mine.MessageID {
				t.Errorf("remind again recorded %s %s", last.Kind, last.Data)
			}
		}},
		{name: "order.close", setup: func(t *testing.T, f *fixture, srv *shopServer) (string, []string) {
			o := demoFind(t, shop.TypeOrder, func(o shop.Order) bool { return o.Status == shop.StatusUnpaid })
			paid := o
			paid.Status, paid.PaidAt = shop.StatusPaid, otherAt
			srv.change(shop.TypeOrder, o.ID, paid)
			f.record(desk.Action{Kind: shop.KindOrderClose, Entity: o.ID, Data: shop.OrderCloseData{NoteID: shop.NewID(), Reason: "重复下单"}})
			return "订单 " + o.ID + " 现在是「已付款」，只有待付款的订单能关闭，订单没有关闭。", []string{"打开订单", "知道了"}
		}},
		{name: "order.ship_notice", setup: func(t *testing.T, f *fixture, srv *shopServer) (string, []string) {
			o, c := orderWithConv(t, func(o shop.Order) bool { return o.Status == shop.StatusShipped && o.ShipNoticeAt.IsZero() })
			srv.act("1001", otherAt, shop.KindOrderShipNote, o.ID, shop.ShipNotice{MessageID: shop.NewID(), ConversationID: c.ID, Text: "已发货"})
			f.record(desk.Action{Kind: shop.KindOrderShipNote, Entity: o.ID, Data: shop.ShipNotice{MessageID: shop.NewID(), ConversationID: c.ID, Text: "您的包裹已发出"}})
			return "订单 " + o.ID + " 的发货通知已在 14:54 发过，您的这条没有发出。", []string{"再发一次", "打开订单", "知道了"}
		}, tap: "知道了", afterTap: func(t *testing.T, f *fixture, m shop.Mutation) {
			if probs, _ := f.db.Problems(); len(probs) != 0 {
				t.Errorf("%d problems left after dismissing", len(probs))
			}
			if n := len(f.outbox()); n != 0 {
				t.Errorf("dismissing recorded %d actions", n)
			}
		}},
		{name: "rejected: SKU gone", setup: func(t *testing.T, f *fixture, srv *shopServer) (string, []string) {
			first, _ := countProduct(t)
			p := demoFind(t, shop.TypeProduct, func(p shop.Product) bool { return p.ID != first.ID && len(p.Variants) > 0 })
			v := p.Variants[0]
			renamed := p
			renamed.Variants = append([]shop.Variant{}, p.Variants...)
			renamed.Variants[0].SKU = v.SKU + "-NEW"
			srv.change(shop.TypeProduct, p.ID, renamed)
			f.record(desk.Action{Kind: shop.KindStockSet, Entity: p.ID, Data: shop.StockSet{SKU: v.SKU, Expected: v.Warehouse, Warehouse: 2, Reason: "盘点"}})
			return "服务器没有接受您的「库存盘点」：商品已没有规格 " + v.SKU + "。", []string{"打开库存", "知道了"}
		}},
	}
	// One desk and one server for all: each case's problem is dismissed before the next.
	f := newFixture(t)
	srv := newShopServer(t)
	defer func() { f.t = t }()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			want, buttons := c.setup(t, f, srv)
			m := f.push(srv)
			dlg := f.openProblems()
			if got := dlg.sentence(0); got != want {
				t.Errorf("the sentence is %q; want %q", got, want)
			}
			var got []string
			for _, b := range dlg.steps[m.ID] {
				got = append(got, b.Text)
			}
			if strings.Join(got, "|") != strings.Join(buttons, "|") {
				t.Errorf("the buttons are %q; want %q", got, buttons)
			}
			card := joined(dlg.list)
			for _, raw := range []string{m.ID, "+08:00", "Z ", "{", "_id", "\"", "now, not"} {
				if strings.Contains(card, raw) {
					t.Errorf("the card shows %q: %s", raw, card)
				}
			}
			if c.tap != "" {
				test.Tap(dlg.button(t, m.ID, c.tap))
				f.drain()
				c.afterTap(t, f, m)
			}
			chatCloseOverlays(f.win)
			if probs, _ := f.db.Problems(); len(probs) > 0 {
				dlg = f.openProblems()
				test.Tap(dlg.button(t, probs[0].MutationID, "知道了"))
				f.drain()
			}
			if probs, _ := f.db.Problems(); len(probs) > 0 {
				t.Fatalf("%d problems left after dismissing", len(probs))
			}
			// The actions a step recorded are answered, so the next case's push is its own.
			if out := f.outbox(); len(out) > 0 {
				acks := make([]localdb.Ack, len(out))
				for i, m := range out {
					acks[i] = localdb.Ack{ID: m.ID, Status: localdb.AckApplied}
				}
				if err := f.db.Acknowledge(acks); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// An answer the desk's engine makes itself (a change too large to send) and one whose words
// the desk does not know: readable sentences, the unknown words kept small under them.
func TestProblemRejectionWords(t *testing.T) {
	f := newFixture(t)
	o := demoFind(t, shop.TypeOrder, func(o shop.Order) bool { return o.Status == shop.StatusPaid })
	f.record(desk.Action{Kind: shop.KindOrderNote, Entity: o.ID, Data: shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagRed, Text: "加急"}})
	f.record(desk.Action{Kind: shop.KindOrderNote, Entity: o.ID, Data: shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagBlue, Text: "已改地址"}})
	out := f.outbox()
	if err := f.db.Acknowledge([]localdb.Ack{
		{ID: out[0].ID, Status: localdb.AckRejected, Reason: "this change is too large for the server"},
		{ID: out[1].ID, Status: localdb.AckRejected, Reason: "shop is suspended"},
	}); err != nil {
		t.Fatal(err)
	}
	f.drain()
	f.desk.Refresh(nil)
	dlg := f.openProblems()
	all := dlg.sentence(0) + " | " + dlg.sentence(1)
	for _, want := range []string{"服务器没有接受您的「订单备注」：内容太大，服务器无法接收。", "服务器没有接受您的「订单备注」。"} {
		if !strings.Contains(all, want) {
			t.Errorf("the sentences %q lack %q", all, want)
		}
	}
	card := joined(dlg.list)
	if !strings.Contains(card, "服务器原话：shop is suspended") || strings.Contains(card, "服务器原话：this change") {
		t.Errorf("the server's words are shown wrong: %s", card)
	}
	for _, want := range []string{"您的（未生效）：红旗 · 加急", "您的（未生效）：蓝旗 · 已改地址", "订单 " + o.ID} {
		if !strings.Contains(card, want) {
			t.Errorf("the card lacks %q: %s", want, card)
		}
	}
}

// A refusal shown as the action is recorded (the desk's own rules, before any sync) is told
// in the window's words too, not in the rules' English.
func TestRefusalDialogInWords(t *testing.T) {
	f := newFixture(t)
	o := demoFind(t, shop.TypeOrder, func(o shop.Order) bool { return o.Status == shop.StatusPaid })
	f.desk.env.apply(shop.KindOrderNote, o.ID, 0, shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagRed, Text: " "}, nil)
	f.drain()
	got := strings.Join(chatTexts(f.win.Canvas().Overlays().Top()), " | ")
	if !strings.Contains(got, "操作被拒绝：备注不能为空。") || strings.Contains(got, "is empty") {
		t.Errorf("the refusal says %q", got)
	}
}

// Every reason the rules can give has words on the desk, in both languages, with its
// arguments in place.
func TestEveryReasonHasWords(t *testing.T) {
	t.Cleanup(func() { assets.SetupLanguage(assets.Chinese) })
	for _, l := range []string{assets.Chinese, assets.English} {
		if err := assets.SetupLanguage(l); err != nil {
			t.Fatal(err)
		}
		for _, code := range shop.ReasonCodes() {
			r := shop.Reason{Code: code, Args: []string{"note", "40", "41", "42", "43"}}
			got := reasonText(r)
			if got == "" || strings.Contains(got, "%!") || strings.Contains(got, "field.") || strings.Contains(got, "entity.") {
				t.Errorf("%s: reason %s reads %q", l, code, got)
			}
		}
	}
}
