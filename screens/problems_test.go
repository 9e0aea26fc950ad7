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
