package screens

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// tapDialogButton taps the button labelled text in the window's dialogs and runs what it
// hands back.
func tapDialogButton(t *testing.T, f *fixture, text string) {
	t.Helper()
	test.Tap(overlayButton(t, f.win, text))
	f.drain()
}

// lastOut is the newest mutation of the outbox, which must be of kind k; its data decodes
// into v.
func lastOut(t *testing.T, f *fixture, k shop.Kind, v any) shop.Mutation {
	t.Helper()
	out := f.outbox()
	if len(out) == 0 {
		t.Fatalf("the outbox is empty; want %s", k)
	}
	m := out[len(out)-1]
	if m.Kind != k {
		t.Fatalf("the outbox ends with %s on %s; want %s", m.Kind, m.Entity, k)
	}
	if v != nil {
		if err := json.Unmarshal(m.Data, v); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// feed brings records to the desk as the server's change feed would.
func feed(t *testing.T, f *fixture, recs ...shop.Record) {
	t.Helper()
	cursor, err := f.db.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		cursor++
		recs[i].Seq = cursor
	}
	if err := f.db.ApplyChanges(recs, cursor); err != nil {
		t.Fatal(err)
	}
	f.drain()
}

// TestLogCallsAgainstTheWeeklyQuota: the status bar shows agent 1002's calls this week against
// the quota; she logs a payment-reminder call from an unpaid order (2:30, a note) and a COD
// confirmation call offered after the COD outcome, the figure counts them, and a tap on it
// lists the week's calls.
func TestLogCallsAgainstTheWeeklyQuota(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	week := shop.WeekStart(testNow)
	before, err := f.db.CallCount("1002", week, week.AddDate(0, 0, 7))
	if err != nil || before == 0 {
		t.Fatalf("the demo shop's calls of 1002 this week: %d, %v", before, err)
	}
	if got, want := d.teamWork.calls.Text, "电话 "+strconv.Itoa(before)+"/200"; got != want {
		t.Fatalf("the status bar says %q; want %q", got, want)
	}

	unpaid := findOrder(t, f, func(o shop.Order) bool { return o.Status == shop.StatusUnpaid && o.Payment == shop.PayOnline })
	d.Show(SectionOrders)
	d.orders.openOrder(unpaid.ID)
	tapButton(t, d.orders.actions, lang.L("Log call"))
	items := d.teamWork.dialogItems
	if sel := items[1].Widget.(*widget.Select); sel.Selected != callPurposeName(shop.CallPayment) {
		t.Errorf("the purpose offered for an unpaid order is %q", sel.Selected)
	}
	test.Type(items[3].Widget.(*deskEntry), "2:30")
	test.Type(items[5].Widget.(*deskEntry), "客户说晚上付款")
	d.teamWork.dialog.Submit()
	f.drain()
	var p shop.CallLogData
	lastOut(t, f, shop.KindCallLog, &p)
	if p.OrderID != unpaid.ID || p.Purpose != shop.CallPayment || p.Result != shop.CallReached || p.Seconds != 150 || p.Note != "客户说晚上付款" {
		t.Fatalf("the call logged: %+v", p)
	}
	if got, want := d.teamWork.calls.Text, "电话 "+strconv.Itoa(before+1)+"/200"; got != want {
		t.Errorf("after the call the status bar says %q; want %q", got, want)
	}

	// The COD outcome offers its call to the log, prefilled.
	cod := findOrder(t, f, func(o shop.Order) bool { return shop.CODPending(o) })
	d.orders.openOrder(cod.ID)
	tapButton(t, d.orders.actions, systemNoteText(string(shop.CallConfirmed)))
	tapButton(t, d.orders.actions, lang.L("Log the COD call"))
	items = d.teamWork.dialogItems
	if r := items[2].Widget.(*widget.Select).Selected; r != callResultName(shop.CallAgreed) {
		t.Errorf("the COD call's result is offered as %q", r)
	}
	// A promised call-back needs its time; the choice is offered once the result says so.
	items[2].Widget.(*widget.Select).SetSelected(callResultName(shop.CallCallBack))
	if back := items[4].Widget.(*widget.Select); back.Disabled() || back.SelectedIndex() != 0 {
		t.Errorf("the call-back time is not offered: disabled %v, selected %d", back.Disabled(), back.SelectedIndex())
	}
	d.teamWork.dialog.Submit()
	f.drain()
	lastOut(t, f, shop.KindCallLog, &p)
	if p.OrderID != cod.ID || p.Purpose != shop.CallCOD || p.Result != shop.CallCallBack || !p.CallBackAt.Equal(testNow.Add(time.Hour)) {
		t.Fatalf("the COD call logged: %+v", p)
	}

	test.Tap(d.teamWork.calls)
	f.drain()
	list := d.teamWork.callList
	if list == nil || !strings.Contains(list.head.Text, strconv.Itoa(before+2)) {
		t.Fatalf("the week's call list: %+v", list)
	}
	if rows := joined(list.list); !strings.Contains(rows, cod.ID) || !strings.Contains(rows, "2:30") || !strings.Contains(rows, "客户说晚上付款") {
		t.Errorf("the week's call list lacks the new calls: %s", rows)
	}
}

// TestHandoverBannerAndWriting: a handover of agent 1003 for whoever comes next is on top of
// 1002's desk until she acknowledges it; then she hands her own shift over from the window's
// menu, the open work listed for her to keep or drop.
func TestHandoverBannerAndWriting(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	if d.teamWork.banner.Visible() {
		t.Fatalf("1002's own demo handover is on her banner: %s", joined(d.teamWork.banner))
	}
	feed(t, f, shop.NewRecord(shop.TypeHandover, "hv-test", shop.Handover{ID: "hv-test", From: "1003", At: testNow.Add(-time.Hour),
		Note: "晚班注意：小鱼儿的换货还在等仓库", Items: []shop.HandoverItem{{Type: shop.TypeOrder, ID: "o-x", Text: "未付款，待催付"}}}))
	if !d.teamWork.banner.Visible() || !strings.Contains(joined(d.teamWork.banner), "晚班注意") || !strings.Contains(joined(d.teamWork.banner), "待催付的订单：未付款，待催付") {
		t.Fatalf("the banner: visible %v, %s", d.teamWork.banner.Visible(), joined(d.teamWork.banner))
	}
	tapButton(t, d.teamWork.banner, lang.L("Acknowledge"))
	m := lastOut(t, f, shop.KindHandoverAck, nil)
	if m.Entity != "hv-test" {
		t.Fatalf("acknowledged %s", m.Entity)
	}
	if d.teamWork.banner.Visible() {
		t.Errorf("the acknowledged handover is still on top: %s", joined(d.teamWork.banner))
	}
	if h, _, err := getEntity[shop.Handover](f.desk.env.ctx, f.dk, shop.TypeHandover, "hv-test"); err != nil || h.AckBy != "1002" {
		t.Errorf("the handover: %+v, %v", h, err)
	}

	menuItem(t, f.win, lang.L("Hand over the shift…")).Action()
	f.drain()
	h := d.teamWork.handing
	if h == nil || len(h.items) == 0 {
		t.Fatal("the handover dialog found no open work in the demo shop")
	}
	kinds := map[shop.EntityType]bool{}
	for _, it := range h.items {
		kinds[it.Type] = true
	}
	for _, k := range []shop.EntityType{shop.TypeConversation, shop.TypeOrder, shop.TypeCall} {
		if !kinds[k] {
			t.Errorf("the open work has no %s: %+v", k, h.items)
		}
	}
	dropped := h.items[0]
	test.Tap(h.checks[0]) // done already: untick
	test.Type(h.note, "早班交接：两位客户等尺码")
	tapDialogButton(t, f, lang.L("Hand over"))
	var p shop.HandoverWrite
	lastOut(t, f, shop.KindHandoverWrite, &p)
	if p.Note != "早班交接：两位客户等尺码" || len(p.Items) != len(h.items)-1 || p.To != "" {
		t.Fatalf("the handover written: %+v", p)
	}
	for _, it := range p.Items {
		if it == dropped {
			t.Errorf("the unticked item %+v was handed over", dropped)
		}
	}
}

// TestConcessionFromChatWithinAndAboveLimits: from a chat the agent gives ¥5 free shipping on
// the customer's unpaid order (within ¥10: applied, noted on the order), then asks ¥30 (a
// request); when the manager's decline comes through the feed she is notified and the chat
// panel shows the answer.
func TestConcessionFromChatWithinAndAboveLimits(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	var notes []*fyne.Notification
	d.teamWork.notify = func(n *fyne.Notification) { notes = append(notes, n) }
	var conv shop.Conversation
	ord := findOrder(t, f, func(o shop.Order) bool {
		convs, _ := f.db.ConversationsOf(o.CustomerID)
		if o.Status != shop.StatusUnpaid || o.Total < 5000 || len(convs) == 0 {
			return false
		}
		conv = convs[0]
		return true
	})
	d.chat.show(conv)
	f.drain()
	tapButton(t, d.chat.panel.work, lang.L("Concession"))
	items := d.teamWork.dialogItems
	order := items[0].Widget.(*widget.Select)
	order.SetSelectedIndex(indexOfPrefix(order.Options, ord.ID))
	items[1].Widget.(*widget.Select).SetSelected(concessionKindName(shop.ConcessionFreeShipping))
	amount := items[2].Widget.(*deskEntry)
	amount.SetText("")
	test.Type(amount, "5")
	verdict := items[5].Widget.(*widget.Label)
	if verdict.Text != lang.L("Within your limits: applied at once and noted on the order.") {
		t.Errorf("¥5 within ¥10 is judged %q", verdict.Text)
	}
	items[3].Widget.(*deskSelectEntry).SetText(lang.L("A few yuan short of free shipping"))
	d.teamWork.dialog.Submit()
	f.drain()
	var p shop.ConcessionGive
	give := lastOut(t, f, shop.KindConcessionGive, &p)
	if p.OrderID != ord.ID || p.ConversationID != conv.ID || p.Kind != shop.ConcessionFreeShipping || p.Amount != 500 || p.Reason != "差几块钱包邮" {
		t.Fatalf("the concession given: %+v", p)
	}
	if c, _, _ := getEntity[shop.Concession](d.env.ctx, f.dk, shop.TypeConcession, give.Entity); c.State != shop.ConcessionApplied {
		t.Fatalf("¥5 within the limits is %s", c.State)
	}
	if o, _ := f.db.Order(ord.ID); o.Conceded != 500 {
		t.Errorf("the order's conceded total: %s", o.Conceded)
	}
	if strip := joined(d.chat.panel.work); !strings.Contains(strip, "包邮 ¥5.00 · 已生效") {
		t.Errorf("the chat panel's strip: %s", strip)
	}

	// ¥30 is above ¥10 per order: a request.
	tapButton(t, d.chat.panel.work, lang.L("Concession"))
	items = d.teamWork.dialogItems
	items[0].Widget.(*widget.Select).SetSelectedIndex(indexOfPrefix(items[0].Widget.(*widget.Select).Options, ord.ID))
	items[1].Widget.(*widget.Select).SetSelected(concessionKindName(shop.ConcessionPriceCut))
	test.Type(items[2].Widget.(*deskEntry), "30")
	if v := items[5].Widget.(*widget.Label).Text; v != lang.L("Above your limits: it becomes a request a manager approves or declines.") {
		t.Errorf("¥30 is judged %q", v)
	}
	items[3].Widget.(*deskSelectEntry).SetText("老客户")
	d.teamWork.dialog.Submit()
	f.drain()
	req := lastOut(t, f, shop.KindConcessionGive, nil)
	c, _, _ := getEntity[shop.Concession](d.env.ctx, f.dk, shop.TypeConcession, req.Entity)
	if c.State != shop.ConcessionRequested {
		t.Fatalf("¥30 is %s", c.State)
	}

	// The manager declines on her desk; the feed brings it here.
	c.State, c.DecidedBy, c.DecidedAt, c.Answer = shop.ConcessionDeclined, "1001", testNow.Add(time.Minute), "今天活动价，不能再改了"
	feed(t, f, shop.NewRecord(shop.TypeConcession, c.ID, c))
	if len(notes) != 1 || notes[0].Title != "让利被拒绝" || !strings.Contains(notes[0].Content, "今天活动价，不能再改了") {
		t.Fatalf("notifications: %+v", notes)
	}
	if strip := joined(d.chat.panel.work); !strings.Contains(strip, "已拒绝") || !strings.Contains(strip, "工号 1001 答复 · 今天活动价，不能再改了") {
		t.Errorf("the chat panel does not show the answer: %s", strip)
	}
	// Told once.
	feed(t, f, shop.NewRecord(shop.TypeConcession, c.ID, c))
	if len(notes) != 1 {
		t.Errorf("the decision was told %d times", len(notes))
	}
}

func indexOfPrefix(options []string, prefix string) int {
	for i, o := range options {
		if strings.HasPrefix(o, prefix) {
			return i
		}
	}
	return -1
}

// TestManagerApprovesAndSetsTheTeam: the owner's status bar shows the demo's request waiting;
// she approves it with an answer from the approvals dialog, and sets agent 1002's quota and
// limits in the team settings. An agent has neither.
func TestManagerApprovesAndSetsTheTeam(t *testing.T) {
	f := newTeamFixture(t, "1001")
	d := f.desk
	if !d.teamWork.approvals.Visible() || d.teamWork.approvals.Text != "待审批 1" {
		t.Fatalf("the owner's status bar: approvals visible %v, %q", d.teamWork.approvals.Visible(), d.teamWork.approvals.Text)
	}
	test.Tap(d.teamWork.approvals)
	a := d.teamWork.approvalsDlg
	if a == nil || len(a.rows) != 1 || !strings.Contains(joined(a.list), "老客户差几块包邮，申请包邮") {
		t.Fatalf("the approvals dialog: %+v", a)
	}
	r := a.rows["cn-000001"]
	test.Type(r.answer, "同意，下次注意")
	test.Tap(r.approve)
	f.drain()
	var p shop.ConcessionDecide
	m := lastOut(t, f, shop.KindConcessionApprove, &p)
	if m.Entity != "cn-000001" || p.Answer != "同意，下次注意" || p.NoteID == "" {
		t.Fatalf("the approval recorded: %s %+v", m.Entity, p)
	}
	if d.teamWork.approvals.Visible() || len(a.rows) != 0 || !strings.Contains(a.head.Text, "没有待审批的让利") {
		t.Errorf("after approving: button visible %v, %d rows, %q", d.teamWork.approvals.Visible(), len(a.rows), a.head.Text)
	}
	if c, _, _ := getEntity[shop.Concession](d.env.ctx, f.dk, shop.TypeConcession, "cn-000001"); c.State != shop.ConcessionApproved || c.DecidedBy != "1001" {
		t.Errorf("the concession: %+v", c)
	}

	menuItem(t, f.win, lang.L("Team settings…")).Action()
	f.drain()
	s := d.teamWork.settings
	if s == nil || len(s.rows) != 3 {
		t.Fatalf("the team settings: %+v", s)
	}
	for _, row := range s.rows {
		if row.staff.Number != "1002" {
			continue
		}
		row.quota.SetText("")
		test.Type(row.quota, "150")
		row.perOrder.SetText("")
		test.Type(row.perOrder, "20")
	}
	tapDialogButton(t, f, lang.L("Save"))
	team, err := f.db.TeamSettings()
	if err != nil || team.QuotaOf("1002") != 150 || team.LimitOf("1002") != (shop.ConcessionLimit{PerOrder: 2000, PerDay: 5000}) || team.QuotaOf("1003") != 200 {
		t.Fatalf("the team settings stored: %+v, %v", team, err)
	}
	kinds := map[shop.Kind]int{}
	for _, m := range f.outbox() {
		kinds[m.Kind]++
	}
	if kinds[shop.KindTeamSetQuota] != 1 || kinds[shop.KindTeamSetLimits] != 1 {
		t.Errorf("the settings recorded: %v", kinds)
	}

	agent := newFixture(t)
	if agent.desk.teamWork.approvals.Visible() {
		t.Error("an agent sees the approvals")
	}
	for _, it := range agent.win.MainMenu().Items[0].Items {
		if it.Label == lang.L("Team settings…") || it.Label == lang.L("Concession requests…") {
			t.Errorf("an agent's menu has %q", it.Label)
		}
	}
}
