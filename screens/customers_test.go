package screens

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"kefu/desk"
	"kefu/shop"
)

// TestCustomersGroupBulkOffline creates a rule group, opts one member out from the profile
// editor, writes a bulk message with placeholders and sends it with no server: every message is
// a chat.send waiting in the outbox, the opted-out member is skipped and counted.
func TestCustomersGroupBulkOffline(t *testing.T) {
	f := newFixture(t)
	f.desk.Show(SectionCustomers)
	c := f.desk.custs

	g := c.editGroup(nil)
	g.name.SetText("近一年老客")
	g.kind.SetSelected(g.kind.Options[1])
	g.within.SetText("365")
	test.Tap(g.save)
	sel := c.selectedGroup()
	if sel == nil || sel.Name != "近一年老客" || sel.Rule == nil || sel.Rule.WithinDays != 365 {
		t.Fatalf("selected group after saving: %+v", sel)
	}
	members, err := f.dk.GroupMembers(context.Background(), *sel, testNow)
	if err != nil || len(members) < 2 {
		t.Fatalf("%d members, %v; the demo shop should have buyers of the last year", len(members), err)
	}
	if got := len(c.customers); got != len(members) {
		t.Fatalf("the list shows %d customers, the group has %d", got, len(members))
	}
	// Opt the first member with a chat out, through the profile editor.
	var out shop.Customer
	for _, m := range members {
		if cs, _ := f.db.ConversationsOf(m.Customer.ID); len(cs) > 0 && !m.Customer.OptOut {
			out = m.Customer
			break
		}
	}
	if out.ID == "" {
		t.Fatal("no member of the group has a conversation")
	}
	ed := c.editCustomer(out)
	ed.optOut.SetChecked(true)
	test.Tap(ed.saveBtn)
	if cu, _ := f.db.Customer(out.ID); !cu.OptOut || cu.ChangedBy != f.staff.Number || cu.ChangedWhat != "opt_out" {
		t.Fatalf("after the edit: opt out %v, changed by %q what %q", cu.OptOut, cu.ChangedBy, cu.ChangedWhat)
	}

	before := len(f.outbox())
	b := c.newBulkComposer()
	if b.group.SelectedIndex() <= 0 || b.groups[b.group.SelectedIndex()-1].ID != sel.ID {
		t.Fatalf("the composer is not on the selected group: %q", b.group.Selected)
	}
	b.cap.SetText("0")
	b.text.SetText("{name}您好，{nick}的新品到了")
	first := b.members[b.member.SelectedIndex()]
	if want := desk.FillFor("{name}您好，{nick}的新品到了", first); b.preview.Text != want || strings.Contains(want, "{") {
		t.Fatalf("preview %q, want %q", b.preview.Text, want)
	}
	optedOut := 1 // the one just opted out, and those who had already
	for _, m := range members {
		if m.Customer.OptOut {
			optedOut++
		}
	}
	outText := fmt.Sprintf("%d 位已退订", optedOut)
	if b.plan.OptedOut != optedOut || !strings.Contains(b.summary.Text, outText) {
		t.Fatalf("summary %q, opted out %d, want %d", b.summary.Text, b.plan.OptedOut, optedOut)
	}
	want := map[string]string{} // conversation → text
	for _, s := range b.plan.Sends {
		want[s.ConversationID] = s.Text
	}
	test.Tap(b.sendBtn)
	f.finishJobs()
	var sent []shop.Mutation
	for _, m := range f.outbox()[before:] {
		if m.Kind == shop.KindChatSend {
			sent = append(sent, m)
		}
	}
	if len(sent) != len(want) || len(sent) == 0 {
		t.Fatalf("%d chat.send mutations queued, %d planned", len(sent), len(want))
	}
	for _, m := range sent {
		var p shop.ChatSend
		if err := json.Unmarshal(m.Data, &p); err != nil {
			t.Fatal(err)
		}
		if want[m.Entity] != p.Text || p.MessageID == "" {
			t.Fatalf("queued %q into %s, planned %q", p.Text, m.Entity, want[m.Entity])
		}
		if cs, _ := f.db.ConversationsOf(out.ID); len(cs) > 0 && m.Entity == cs[0].ID {
			t.Fatalf("the opted-out customer %s got the message", out.Nick)
		}
	}
	if msg := c.progMsg.String(); !strings.Contains(msg, "等待发送") || !strings.Contains(msg, outText) || !c.progMsg.Visible() {
		t.Fatalf("progress line %q", msg)
	}
	if c.progress.Value != 1 {
		t.Fatalf("progress %v", c.progress.Value)
	}
	// The group still lists its members; the messages are on the profiles' conversations.
	if v, _ := f.db.Conversation(sent[0].Entity); v.LastText == "" || !f.db.IsPending(shop.TypeConversation, v.ID) {
		t.Fatalf("conversation %s after the send: %+v", v.ID, v)
	}
}

// TestCustomersSection runs the section's other checks on one desk.
func TestCustomersSection(t *testing.T) {
	f := newFixture(t)
	f.desk.Show(SectionCustomers)
	t.Run("edit", func(t *testing.T) { checkEditSendsOnlyChangedFields(t, f) })
	t.Run("complaints", func(t *testing.T) { checkComplaints(t, f) })
	t.Run("csv", func(t *testing.T) { checkCSV(t, f) })
	t.Run("cap", func(t *testing.T) { checkBulkDailyCap(t, f) })
	t.Run("rule group follows sync", func(t *testing.T) { checkRuleGroupFollowsSync(t, f) })
}

// checkRuleGroupFollowsSync: the list of a rule group shows a customer as soon as the order
// that qualifies them arrives from the server.
func checkRuleGroupFollowsSync(t *testing.T, f *fixture) {
	c := f.desk.custs
	g := c.editGroup(nil)
	g.name.SetText("超级大客户")
	g.kind.SetSelected(g.kind.Options[1])
	g.minSpent.SetText("1000000")
	test.Tap(g.save)
	if len(c.customers) != 0 {
		t.Fatalf("%d members before the big order", len(c.customers))
	}
	cs, err := f.db.SearchCustomers("", 1)
	if err != nil || len(cs) == 0 {
		t.Fatalf("no customer: %v", err)
	}
	cu := cs[0]
	cursor, err := f.db.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	o := shop.Order{ID: "9999000000001", CustomerID: cu.ID, Nick: cu.Nick, Status: shop.StatusPaid, Payment: shop.PayOnline,
		Total: 2_000_000_00, CreatedAt: testNow.Add(-time.Hour)}
	r := shop.NewRecord(shop.TypeOrder, o.ID, o)
	r.Seq = cursor + 1
	if err := f.db.ApplyChanges([]shop.Record{r}, cursor+1); err != nil {
		t.Fatal(err)
	}
	f.drain()
	f.desk.Tick()
	if len(c.customers) != 1 || c.customers[0].ID != cu.ID {
		t.Fatalf("members after the order synced: %+v", c.customers)
	}
	if !strings.Contains(c.count.String(), "1 位成员") {
		t.Fatalf("count %q", c.count.String())
	}
}

// checkBulkDailyCap: with a cap of one message a day, a second bulk send the same day reaches
// nobody and says why.
func checkBulkDailyCap(t *testing.T, f *fixture) {
	c := f.desk.custs
	b := c.newBulkComposer()
	b.cap.SetText("1")
	b.text.SetText("第一条")
	if len(b.plan.Sends) == 0 {
		t.Fatal("nobody to send to")
	}
	// Customers who had a staff message today are capped already.
	capped := b.plan.Capped
	n := len(b.plan.Sends)
	test.Tap(b.sendBtn)
	f.finishJobs()
	again := c.newBulkComposer()
	again.cap.SetText("1")
	again.text.SetText("第二条")
	if len(again.plan.Sends) != 0 || again.plan.Capped != capped+n || !again.sendBtn.Disabled() {
		t.Fatalf("second send: %d sends, %d capped (first: %d sent, %d capped)", len(again.plan.Sends), again.plan.Capped, n, capped)
	}
}

// checkEditSendsOnlyChangedFields: the profile editor sends the changed fields only.
func checkEditSendsOnlyChangedFields(t *testing.T, f *fixture) {
	c := f.desk.custs
	cu := c.customers[0]
	ed := c.editCustomer(cu)
	ed.city.SetText("  苏州  ")
	ed.tags.SetText("老客，爱买外套, 老客")
	test.Tap(ed.saveBtn)
	ob := f.outbox()
	m := ob[len(ob)-1]
	if m.Kind != shop.KindCustomerSet || m.Entity != cu.ID {
		t.Fatalf("last mutation %s on %s", m.Kind, m.Entity)
	}
	if got := string(m.Data); got != `{"city":"苏州","tags":["老客","爱买外套"]}` {
		t.Fatalf("customer.set data %s", got)
	}
	if !strings.Contains(joined(c.detail), "最后修改") && !strings.Contains(joined(c.detail), f.staff.Number) {
		t.Fatalf("the profile does not say who changed it: %s", joined(c.detail))
	}
}

// checkComplaints logs a complaint, moves it and reads the summary.
func checkComplaints(t *testing.T, f *fixture) {
	c := f.desk.custs
	cu := c.customers[0]
	form := c.logComplaint(cu)
	form.category.SetSelectedIndex(1) // service
	form.text.SetText("客服回复太慢")
	test.Tap(form.saveBtn)
	ks, err := f.db.ComplaintsOf(cu.ID)
	if err != nil || len(ks) == 0 || ks[0].Category != shop.ComplaintService || ks[0].Owner != f.staff.Number {
		t.Fatalf("complaints of %s: %+v, %v", cu.Nick, ks, err)
	}
	k := ks[0]
	c.moveComplaint(k, shop.ComplaintInProgress)
	k, _ = func() (shop.Complaint, error) { ks, err := f.db.ComplaintsOf(cu.ID); return ks[0], err }()
	if k.State != shop.ComplaintInProgress {
		t.Fatalf("state %s after the move", k.State)
	}
	if !strings.Contains(joined(c.detail), "客服回复太慢") || !strings.Contains(joined(c.detail), "处理中") {
		t.Fatalf("profile does not show the complaint: %s", joined(c.detail))
	}
	v := c.showComplaints()
	if len(v.shown) == 0 {
		t.Fatal("the summary shows no complaints")
	}
	rows := complaintSummary([]shop.Complaint{
		{Category: shop.ComplaintQuality, State: shop.ComplaintResolved},
		{Category: shop.ComplaintQuality, State: shop.ComplaintUnresolved},
		{Category: shop.ComplaintQuality, State: shop.ComplaintOpen},
		{Category: shop.ComplaintEmergency, State: shop.ComplaintResolved},
	})
	q, all := rows[0], rows[len(rows)-1]
	if q.Total != 3 || q.Resolved != 1 || q.Unresolved != 1 || q.Open != 1 || all.Total != 4 || all.Resolved != 2 || all.Rate() != 0.5 {
		t.Fatalf("summary rows %+v", rows)
	}
}

// checkCSV exports customers and complaints.
func checkCSV(t *testing.T, f *fixture) {
	c := f.desk.custs
	ms := []desk.Member{{Customer: shop.Customer{Nick: "=小鱼儿", Name: "王芳", Tags: []string{"老客"}, OptOut: true},
		Stats: shop.CustomerStats{Orders: 2, Spent: 25600, LastOrder: testNow}}}
	var buf bytes.Buffer
	if err := customerTable(ms).WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if !strings.HasPrefix(s, "\ufeff昵称,") || !strings.Contains(s, "'=小鱼儿,王芳") || !strings.Contains(s, ",256.00,128.00,") || !strings.Contains(s, "已退订") {
		t.Fatalf("customer CSV:\n%s", s)
	}
	rows := c.complaintTable(f.desk.env.ctx, []shop.Complaint{{CustomerID: "nobody", Category: shop.ComplaintQuality, State: shop.ComplaintOpen,
		Description: "线头\n很多", CreatedAt: testNow, UpdatedAt: testNow}}).Rows
	if len(rows) != 1 || rows[0][1].Text != "nobody" || rows[0][3].Text != "质量" || rows[0][6].Text != "线头 很多" {
		t.Fatalf("complaint rows %+v", rows)
	}
}
