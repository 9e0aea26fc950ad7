package screens

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kefu/localdb"
	"kefu/shop"
)

// findButton finds the button with the text under o.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	switch x := o.(type) {
	case *widget.Button:
		if x.Text == text {
			return x
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}

// tapButton taps the button with the text in the open order's actions.
func tapButton(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	b := findButton(o, text)
	if b == nil {
		t.Fatalf("no button %q in %s", text, joined(o))
	}
	test.Tap(b)
}

// serverEcho answers the outbox's order notes as the server does: it acknowledges them as
// applied and brings the order and the note back through the change feed (the local view of
// them is what the server decided: same rules, same state).
func serverEcho(t *testing.T, f *fixture) {
	t.Helper()
	out := f.outbox()
	cursor, err := f.db.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	acks := make([]localdb.Ack, 0, len(out))
	var recs []shop.Record
	for _, m := range out {
		acks = append(acks, localdb.Ack{ID: m.ID, Status: localdb.AckApplied})
		var p shop.OrderNoteAdd
		if err := json.Unmarshal(m.Data, &p); err != nil {
			t.Fatal(err)
		}
		for _, ref := range []struct {
			t  shop.EntityType
			id string
		}{{shop.TypeOrder, m.Entity}, {shop.TypeNote, p.NoteID}} {
			var raw json.RawMessage
			if _, ok, err := f.db.Get(ref.t, ref.id, &raw); err != nil || !ok {
				t.Fatalf("%s %s: found %v, %v", ref.t, ref.id, ok, err)
			}
			cursor++
			recs = append(recs, shop.Record{Type: ref.t, ID: ref.id, Seq: cursor, Data: raw})
		}
	}
	if err := f.db.Acknowledge(acks); err != nil {
		t.Fatal(err)
	}
	f.drain()
	if err := f.db.ApplyChanges(recs, cursor); err != nil {
		t.Fatal(err)
	}
}

// TestRedFlagNoteByPhoneOfflineAndOnline: the staff member finds an order by the receiver's
// phone, adds a red-flag note with a reason and sees it at the top of the history with their
// staff number and the time, marked pending while offline, and still there, no longer pending,
// once the server has it.
func TestRedFlagNoteByPhoneOfflineAndOnline(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	orders, err := f.db.SearchOrders("", localdb.OrderFilter{Status: shop.StatusPaid}, 50)
	if err != nil || len(orders) < 10 {
		t.Fatalf("paid orders: %d, %v", len(orders), err)
	}
	want := orders[7]
	d.Show(SectionOrders)
	test.Type(d.orders.search, want.Address.Phone)
	i := d.orders.list.index(want.ID)
	if i < 0 {
		t.Fatalf("searching phone %s did not list order %s", want.Address.Phone, want.ID)
	}
	d.orders.picker.pick(i)
	if d.orders.open == nil || d.orders.open.ID != want.ID {
		t.Fatalf("picking %s did not open it", want.ID)
	}

	d.orders.noteFlag.SetSelectedIndex(int(shop.FlagRed))
	test.Type(d.orders.noteReason, "顾客来电要求改发顺丰")
	test.Type(d.orders.noteText, "改发顺丰，运费已补")
	test.Tap(d.orders.noteAdd)

	when := fmtFull(testNow)
	check := func(stage string, pending bool) {
		t.Helper()
		if len(d.orders.history.Objects) == 0 {
			t.Fatalf("%s: the history is empty", stage)
		}
		top := joined(d.orders.history.Objects[0])
		for _, s := range []string{"改发顺丰，运费已补", "顾客来电要求改发顺丰", staffLabel("1002"), flagName(shop.FlagRed), when} {
			if !strings.Contains(top, s) {
				t.Errorf("%s: the newest note %q lacks %q", stage, top, s)
			}
		}
		if got := strings.Contains(top, lang.L("Pending")); got != pending {
			t.Errorf("%s: the note shows pending %v; want %v: %s", stage, got, pending, top)
		}
		info := joined(d.orders.info)
		if !strings.Contains(info, flagName(shop.FlagRed)) || !strings.Contains(info, staffLabel("1002")) {
			t.Errorf("%s: the flag line does not show red set by 1002: %s", stage, info)
		}
	}
	check("offline", true)
	if n := len(f.outbox()); n != 1 {
		t.Fatalf("the outbox holds %d mutations; want the note", n)
	}

	serverEcho(t, f)
	d.Tick()
	if d.orders.open == nil || d.orders.open.ID != want.ID {
		t.Fatal("the order closed when the server answered")
	}
	check("online", false)
}

// TestAddressCheckList: the work list of paid orders with an unchecked address; confirming one
// with the customer's courier takes it off the list and writes a note.
func TestAddressCheckList(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	d.Show(SectionOrders)
	d.orders.status.SetSelectedIndex(indexOfString(d.orders.statuses, orderFilterAddress))
	if len(d.orders.orders) == 0 {
		t.Fatal("the demo shop has no paid order with an unchecked address")
	}
	for _, r := range d.orders.orders {
		o, err := f.db.Order(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != o.Status || o.Status != shop.StatusPaid || o.AddressCheck != shop.AddressUnchecked {
			t.Fatalf("the address list shows %s (row %s, stored %s, check %q)", o.ID, r.Status, o.Status, o.AddressCheck)
		}
	}
	ord := d.orders.orders[0]
	n := len(d.orders.orders)
	if d.orders.open == nil || d.orders.open.ID != ord.ID {
		t.Fatal("the first order of the list is not open")
	}
	tapButton(t, d.orders.actions, lang.L("Address is right"))
	courier := d.orders.dialogItems[1].Widget.(*deskSelectEntry)
	courier.SetText("顺丰速运")
	d.orders.dialog.Submit()

	if len(d.orders.orders) != n-1 || d.orders.list.index(ord.ID) >= 0 {
		t.Errorf("the confirmed order is still listed (%d → %d)", n, len(d.orders.orders))
	}
	stored, err := f.db.Order(ord.ID)
	if err != nil || stored.AddressCheck != shop.AddressConfirmed || stored.AddressCheckBy != "1002" || stored.Courier != "顺丰速运" {
		t.Errorf("stored order: check %q by %q courier %q (%v)", stored.AddressCheck, stored.AddressCheckBy, stored.Courier, err)
	}
	notes, err := f.db.Notes(ord.ID)
	if err != nil || len(notes) == 0 || !notes[0].System || notes[0].Reason != "address confirmed" {
		t.Errorf("no system note for the check: %+v, %v", notes, err)
	}

	// Changing the address of another order keeps the old and the new one in the note.
	other, err := f.db.Order(d.orders.orders[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	d.orders.picker.pick(0)
	if d.orders.open == nil || d.orders.open.ID != other.ID || d.orders.open.Address.Detail != other.Address.Detail {
		t.Fatalf("picking the first row opened %+v; want the full order %s", d.orders.open, other.ID)
	}
	tapButton(t, d.orders.actions, lang.L("Change address"))
	detail := d.orders.dialogItems[5].Widget.(*deskEntry)
	detail.SetText("西湖区文三路 99 号 3 单元")
	d.orders.dialog.Submit()
	stored, err = f.db.Order(other.ID)
	if err != nil || stored.AddressCheck != shop.AddressChanged || stored.Address.Detail != "西湖区文三路 99 号 3 单元" {
		t.Fatalf("changed order: %+v (%v)", stored.Address, err)
	}
	notes, _ = f.db.Notes(other.ID)
	if len(notes) == 0 || !strings.Contains(notes[0].Text, other.Address.Detail) || !strings.Contains(notes[0].Text, "西湖区文三路 99 号 3 单元") {
		t.Errorf("the note does not hold the old and new address: %+v", notes)
	}
}

func indexOfString(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

// TestCODCallUnpaidAndShipNotice: the COD list and call outcome, the payment reminder (once a
// day unless confirmed again), closing an unpaid order with a reason, the shipment notice.
func TestCODCallUnpaidAndShipNotice(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	d.Show(SectionOrders)

	d.orders.status.SetSelectedIndex(indexOfString(d.orders.statuses, orderFilterCOD))
	if len(d.orders.orders) == 0 {
		t.Fatal("the demo shop has no COD order to confirm")
	}
	cod := d.orders.orders[0]
	if cod.Payment != shop.PayCOD || cod.CODCall == shop.CallConfirmed {
		t.Fatalf("the COD list shows %+v", cod)
	}
	tapButton(t, d.orders.actions, systemNoteText(string(shop.CallConfirmed)))
	if d.orders.list.index(cod.ID) >= 0 {
		t.Error("the confirmed COD order is still listed")
	}
	if o, _ := f.db.Order(cod.ID); o.CODCall != shop.CallConfirmed || o.CODCallBy != "1002" || !o.CODCallAt.Equal(testNow) {
		t.Errorf("COD call stored as %q by %q at %v", o.CODCall, o.CODCallBy, o.CODCallAt)
	}

	// Unpaid: remind (the message goes into the customer's conversation, queued), then close.
	unpaid := findOrder(t, f, func(o shop.Order) bool {
		convs, _ := f.db.ConversationsOf(o.CustomerID)
		return o.Status == shop.StatusUnpaid && len(convs) > 0 && !shop.SameShopDay(o.RemindedAt, testNow)
	})
	d.orders.openOrder(unpaid.ID)
	tapButton(t, d.orders.actions, lang.L("Remind to pay"))
	text := d.orders.dialogItems[0].Widget.(*deskEntry).Text
	if !strings.Contains(text, unpaid.ID) {
		t.Errorf("the reminder %q does not name the order", text)
	}
	d.orders.dialog.Submit()
	out := f.outbox()
	m := out[len(out)-1]
	if m.Kind != shop.KindOrderRemind || m.Entity != unpaid.ID || strings.Contains(string(m.Data), `"force"`) {
		t.Fatalf("the outbox ends with %s on %s: %s", m.Kind, m.Entity, m.Data)
	}
	convs, _ := f.db.ConversationsOf(unpaid.CustomerID)
	msgs, err := f.db.Messages(convs[0].ID, "", 1)
	if err != nil || len(msgs) != 1 || msgs[0].Text != text || msgs[0].Staff != "1002" {
		t.Errorf("the reminder is not the conversation's newest message: %+v, %v", msgs, err)
	}
	if !strings.Contains(joined(d.orders.actions), fmt.Sprintf(lang.L("Last reminded %s"), fmtWhen(testNow, testNow))) {
		t.Errorf("the order does not say when it was reminded: %s", joined(d.orders.actions))
	}
	// A second reminder the same day needs a confirmation and is sent forced.
	tapButton(t, d.orders.actions, lang.L("Remind to pay"))
	if w, ok := d.orders.dialogItems[0].Widget.(*widget.Label); !ok || !strings.Contains(w.Text, fmtClock(testNow)) {
		t.Fatalf("the second reminder does not warn: %#v", d.orders.dialogItems[0].Widget)
	}
	d.orders.dialog.Submit()
	out = f.outbox()
	if m := out[len(out)-1]; m.Kind != shop.KindOrderRemind || !strings.Contains(string(m.Data), `"force":true`) {
		t.Errorf("the second reminder was not forced: %s", m.Data)
	}

	tapButton(t, d.orders.actions, lang.L("Close order"))
	reason := d.orders.dialogItems[0].Widget.(*deskSelectEntry)
	d.orders.dialog.Submit() // no reason: nothing recorded
	if o, _ := f.db.Order(unpaid.ID); o.Status != shop.StatusUnpaid {
		t.Fatal("the order was closed without a reason")
	}
	reason.SetText(lang.L("Duplicate order"))
	d.orders.dialog.Submit()
	if o, _ := f.db.Order(unpaid.ID); o.Status != shop.StatusClosed || o.CloseReason != lang.L("Duplicate order") {
		t.Errorf("closed order: %s %q", o.Status, o.CloseReason)
	}

	// Shipped: the notice carries courier and tracking number.
	shipped := findOrder(t, f, func(o shop.Order) bool {
		convs, _ := f.db.ConversationsOf(o.CustomerID)
		return o.Status == shop.StatusShipped && o.Tracking != "" && o.ShipNoticeAt.IsZero() && len(convs) > 0
	})
	d.orders.openOrder(shipped.ID)
	tapButton(t, d.orders.actions, lang.L("Send shipment notice"))
	out = f.outbox()
	if m := out[len(out)-1]; m.Kind != shop.KindOrderShipNote || !strings.Contains(string(m.Data), shipped.Tracking) || !strings.Contains(string(m.Data), shipped.Courier) {
		t.Errorf("shipment notice: %s %s", m.Kind, m.Data)
	}
	if o, _ := f.db.Order(shipped.ID); !o.ShipNoticeAt.Equal(testNow) {
		t.Errorf("ShipNoticeAt %v", o.ShipNoticeAt)
	}
}

// findOrder finds an order of the demo shop.
func findOrder(t *testing.T, f *fixture, keep func(shop.Order) bool) shop.Order {
	t.Helper()
	all, err := f.db.SearchOrders("", localdb.OrderFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all {
		if keep(o) {
			return o
		}
	}
	t.Fatal("the demo shop has no such order")
	return shop.Order{}
}

// TestAutoShipNotice: with the setting on, an order that ships gets its notice without anybody
// pressing a button, once; with it off, nothing is sent.
func TestAutoShipNotice(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	paid := findOrder(t, f, func(o shop.Order) bool {
		convs, _ := f.db.ConversationsOf(o.CustomerID)
		return o.Status == shop.StatusPaid && len(convs) > 0
	})
	ship := func(id string, seq int64, at time.Time) {
		var o shop.Order
		if _, _, err := f.db.Get(shop.TypeOrder, id, &o); err != nil {
			t.Fatal(err)
		}
		o.Status, o.Courier, o.Tracking, o.ShippedAt = shop.StatusShipped, "中通快递", fmt.Sprintf("ZT%d", seq), at
		r := shop.NewRecord(shop.TypeOrder, id, o)
		cursor, _ := f.db.Cursor()
		r.Seq = cursor + 1
		if err := f.db.ApplyChanges([]shop.Record{r}, r.Seq); err != nil {
			t.Fatal(err)
		}
		f.drain()
	}
	before := len(f.outbox())
	ship(paid.ID, 1, testNow.Add(-time.Minute)) // before the setting is turned on
	if len(f.outbox()) != before {
		t.Fatal("a shipment notice went out with the setting off")
	}

	d.Show(SectionOrders)
	d.orders.autoShip.SetChecked(true)
	paid2 := findOrder(t, f, func(o shop.Order) bool {
		convs, _ := f.db.ConversationsOf(o.CustomerID)
		return o.Status == shop.StatusPaid && o.ID != paid.ID && len(convs) > 0
	})
	d.Show(SectionChat) // the notice goes out whatever section is shown
	ship(paid2.ID, 2, testNow)
	f.waitFor("the shipment notice", func() bool { return len(f.outbox()) > before })
	out := f.outbox()
	if len(out) != before+1 {
		t.Fatalf("the outbox grew by %d; want one notice", len(out)-before)
	}
	if m := out[len(out)-1]; m.Kind != shop.KindOrderShipNote || m.Entity != paid2.ID || !strings.Contains(string(m.Data), "ZT2") {
		t.Errorf("the notice is %s on %s: %s", m.Kind, m.Entity, m.Data)
	}
	// More changes do not send it again.
	idle := f.clock.Afters()
	ship(paid2.ID, 2, testNow)
	f.waitFor("the desk's jobs to look at the change", func() bool { return f.clock.Afters() > idle })
	if len(f.outbox()) != before+1 {
		t.Error("the notice was sent twice")
	}
}

// TestCasesOverdueSurfaced (which checks the CSV exports first): the forgotten exchange of the demo shop (untouched for weeks) and
// overdue cases are counted in the status bar and listed first; the status bar opens the
// list; every move the state allows is offered, a stale move is a conflict that changes
// nothing.
func TestCasesOverdueSurfaced(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	checkExport(t, f)
	want, err := f.db.CasesNeedingAttention(testNow)
	if err != nil || want == 0 {
		t.Fatalf("the demo shop has %d cases needing attention (%v)", want, err)
	}
	if !d.status.cases.Visible() || d.status.cases.Text != fmt.Sprintf(lang.L("%d after-sales cases need attention"), want) {
		t.Fatalf("the status bar shows %q (visible %v); want %d cases", d.status.cases.Text, d.status.cases.Visible(), want)
	}
	test.Tap(d.status.cases)
	if d.Current() != SectionOrders || d.orders.tabs.Selected() != d.orders.casesTab {
		t.Fatal("the status bar button did not open the case list")
	}
	cl := d.orders.cases
	if cl.attn != want || !strings.Contains(d.orders.casesTab.Text, fmt.Sprint(want)) {
		t.Errorf("the tab says %q, list counts %d; want %d", d.orders.casesTab.Text, cl.attn, want)
	}
	for i, k := range cl.cases {
		if (i < want) != k.NeedsAttention(testNow) {
			t.Fatalf("case %d (%s, %s) is out of place: the %d needing attention must come first", i, k.ID, k.State, want)
		}
	}
	// The exchange waiting 20 days is among the first, in red, saying why.
	found := false
	for _, k := range cl.cases[:want] {
		if k.Kind == shop.CaseExchange && testNow.Sub(caseLastMove(k)) > 20*24*time.Hour {
			found = true
			cl.picker.pick(cl.indexOf(k.ID))
			if got := joined(cl.detail); !strings.Contains(got, fmt.Sprintf(lang.L("Untouched since %s"), fmtWhen(caseLastMove(k), testNow))) &&
				!strings.Contains(got, fmt.Sprintf(lang.L("Overdue since %s"), fmtWhen(k.Due, testNow))) {
				t.Errorf("the forgotten exchange does not say why it is on top: %s", got)
			}
			r := newHeadedRow().(*headedRow)
			cl.updateRow(cl.indexOf(k.ID), r)
			if r.title.Importance != widget.DangerImportance {
				t.Error("the forgotten exchange is not red in the list")
			}
		}
	}
	if !found {
		t.Fatal("the exchange untouched for 20 days is not at the top")
	}

	// The moves offered are exactly the legal ones; taking one records it.
	k := *cl.open
	var offered []string
	for _, o := range cl.moves.Objects {
		if b, ok := o.(*widget.Button); ok {
			offered = append(offered, b.Text)
		}
	}
	var legal []string
	for _, s := range shop.CaseNext(k.State) {
		legal = append(legal, caseStateName(s))
	}
	if strings.Join(offered, ",") != strings.Join(legal, ",") {
		t.Errorf("moves offered %v; legal %v", offered, legal)
	}
	stale := cl.version
	test.Type(cl.note, "已告知顾客 140 码缺货，改换 150 码")
	tapButton(t, cl.moves, caseStateName(shop.CaseWaitingCustomer))
	moved, err := f.db.Case(k.ID)
	if err != nil || moved.State != shop.CaseWaitingCustomer || moved.Steps[len(moved.Steps)-1].Staff != "1002" {
		t.Fatalf("the case is %s after the move (%v)", moved.State, err)
	}
	if cl.open.State != shop.CaseWaitingCustomer || !strings.Contains(joined(cl.detail), "已告知顾客 140 码缺货，改换 150 码") {
		t.Errorf("the detail does not show the move: %s", joined(cl.detail))
	}
	if moved.NeedsAttention(testNow) && moved.Due.After(testNow) {
		t.Error("the moved case still counts as untouched")
	}

	// A desk that still sees the old state asks for an illegal move: a conflict, nothing changes.
	n := len(f.outbox())
	m, err := shop.NewMutation(shop.KindCaseMove, k.ID, "1002", testNow, shop.Move{From: string(k.State), To: string(shop.CaseResolved)})
	if err != nil {
		t.Fatal(err)
	}
	m.Base = stale
	res, err := f.db.Apply(m)
	if err != nil || res.Conflict == nil {
		t.Fatalf("a stale move was not a conflict: %+v, %v", res, err)
	}
	if len(f.outbox()) != n {
		t.Error("the conflicting move was queued")
	}
	if c, _ := f.db.Case(k.ID); c.State != shop.CaseWaitingCustomer {
		t.Errorf("the conflicting move changed the case to %s", c.State)
	}
}

// checkExport: the order and case exports are UTF-8 CSV with a BOM, one row per listed item,
// the numbers written so Excel keeps them as text (export_test.go checks the rest).
func checkExport(t *testing.T, f *fixture) {
	t.Helper()
	d := f.desk
	d.Show(SectionOrders)
	var buf bytes.Buffer
	orders, err := listedOrders(d.env.ctx, d.env.writer, d.orders.orders)
	if err != nil {
		t.Fatal(err)
	}
	if err := orderTable(orders, nil).WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte(utf8BOM)) {
		t.Fatal("the order export has no BOM")
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes()[len(utf8BOM):])).ReadAll()
	if err != nil || len(rows) != len(d.orders.orders)+1 || rows[1][0] != `="`+d.orders.orders[0].ID+`"` || rows[0][0] != "订单号" {
		t.Fatalf("order export: %d rows, %v", len(rows), err)
	}
	cl := d.orders.cases
	cl.load()
	buf.Reset()
	if err := cl.caseTable(cl.cases).WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err = csv.NewReader(bytes.NewReader(buf.Bytes()[len(utf8BOM):])).ReadAll()
	if err != nil || len(rows) != len(cl.cases)+1 || rows[1][0] != `="`+cl.cases[0].ID+`"` || rows[1][6] == "" {
		t.Fatalf("case export: %d rows, %v", len(rows), err)
	}
}

// TestOrderStateWording: a cash-on-delivery order is not called paid: it reads 货到付款 · 待确认
// until its call confirms it; the address check (地址无误) is offered only once an order is
// paid or its COD call confirmed it, while an unpaid order can still have its address changed.
func TestOrderStateWording(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	d.Show(SectionOrders)
	orders, err := f.db.SearchOrders("", localdb.OrderFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var cod, unpaid, paid *shop.Order
	for i := range orders {
		o := &orders[i]
		switch {
		case cod == nil && shop.CODPending(*o):
			cod = o
		case unpaid == nil && o.Status == shop.StatusUnpaid && o.Payment == shop.PayOnline:
			unpaid = o
		case paid == nil && o.Status == shop.StatusPaid && o.Payment == shop.PayOnline:
			paid = o
		}
	}
	if cod == nil || unpaid == nil || paid == nil {
		t.Fatalf("the demo shop lacks a pending COD (%v), unpaid (%v) or paid (%v) order", cod != nil, unpaid != nil, paid != nil)
	}
	if got := orderStateName(*cod); got != "货到付款 · 待确认" || strings.Contains(got, "已付款") {
		t.Errorf("a COD order to confirm reads %q", got)
	}
	confirmed := *cod
	confirmed.CODCall = shop.CallConfirmed
	if got := orderStateName(confirmed); got != "货到付款 · 已确认" {
		t.Errorf("a confirmed COD order reads %q", got)
	}
	for _, c := range []struct {
		o     *shop.Order
		check bool
	}{{unpaid, false}, {cod, false}, {paid, true}} {
		d.orders.show(c.o.ID)
		f.drain()
		if got := findButton(d.orders.actions, "地址无误") != nil; got != c.check {
			t.Errorf("order %s (%s, %s): address check offered %v; want %v", c.o.ID, c.o.Status, c.o.Payment, got, c.check)
		}
		if c.o.Status == shop.StatusUnpaid && findButton(d.orders.actions, "修改地址") == nil {
			t.Errorf("unpaid order %s: the address cannot be changed", c.o.ID)
		}
		if c.o == cod && !strings.Contains(joined(d.orders.info), "货到付款 · 待确认") {
			t.Errorf("the COD order's detail does not say 货到付款 · 待确认: %s", joined(d.orders.info))
		}
	}
}

// TestOrderListRowsOpenTheFullOrder: a lookup lists the orders' rows (as the stored orders give
// them: number, nick, receiver, phone, status, payment, flag, total, time), each drawn from its
// row; picking one reads the full order, items and address included, into the detail pane.
func TestOrderListRowsOpenTheFullOrder(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	orders, err := f.db.SearchOrders("", localdb.OrderFilter{}, 100)
	if err != nil || len(orders) < 50 {
		t.Fatalf("orders: %d, %v", len(orders), err)
	}
	want := orders[41]
	d.Show(SectionOrders)
	for _, q := range []string{want.Nick, want.ID[:10], ""} {
		test.Type(d.orders.search, "")
		d.orders.search.SetText(q)
		if len(d.orders.orders) == 0 {
			t.Fatalf("searching %q lists nothing", q)
		}
		for i, r := range d.orders.orders {
			full, err := f.db.Order(r.ID)
			if err != nil {
				t.Fatalf("listed row %s: %v", r.ID, err)
			}
			w := localdb.RowOf(full)
			if !r.CreatedAt.Equal(w.CreatedAt) {
				t.Errorf("searching %q: row %s created %v; the order %v", q, r.ID, r.CreatedAt, w.CreatedAt)
			}
			r.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
			if r != w {
				t.Errorf("searching %q: row %+v; the stored order gives %+v", q, r, w)
			}
			if i > 0 && d.orders.orders[i-1].CreatedAt.Before(d.orders.orders[i].CreatedAt) {
				t.Errorf("searching %q: not newest first at %d", q, i)
			}
		}
	}
	d.orders.search.SetText(want.Nick)
	i := d.orders.list.index(want.ID)
	if i < 0 {
		t.Fatalf("searching nick %q did not list %s", want.Nick, want.ID)
	}
	row := newOrderRow()
	d.orders.updateRow(i, row)
	drawn := joined(row.(*orderRow).number) + joined(row.(*orderRow).status) + joined(row.(*orderRow).detail) + joined(row.(*orderRow).total)
	for _, s := range []string{want.ID, orderStateName(want), want.Nick, want.Address.Receiver, want.Total.String()} {
		if !strings.Contains(drawn, s) {
			t.Errorf("the row of %s reads %q: no %q", want.ID, drawn, s)
		}
	}
	d.orders.picker.pick(i)
	if d.orders.open == nil || d.orders.open.ID != want.ID || len(d.orders.open.Items) != len(want.Items) || d.orders.open.Address != want.Address {
		t.Fatalf("picking %s opened %+v; want the full order", want.ID, d.orders.open)
	}
	info := joined(d.orders.info)
	for _, s := range []string{want.ID, want.Address.Detail, want.Items[0].Name, want.Total.String()} {
		if !strings.Contains(info, s) {
			t.Errorf("the open order's detail lacks %q: %s", s, info)
		}
	}

	// A work list's rows are those of its orders too.
	d.orders.search.SetText("")
	d.orders.status.SetSelectedIndex(indexOfString(d.orders.statuses, orderFilterCOD))
	if len(d.orders.orders) == 0 {
		t.Fatal("the COD work list is empty")
	}
	for _, r := range d.orders.orders {
		full, _ := f.db.Order(r.ID)
		if r.Payment != shop.PayCOD || full.Payment != shop.PayCOD || r.CODCall != full.CODCall || r.Phone != full.Address.Phone {
			t.Errorf("COD row %+v; stored %s %s %s", r, full.Payment, full.CODCall, full.Address.Phone)
		}
	}
}
