package localdb

import (
	"testing"
	"time"

	"kefu/shop"
)

func TestCustomerStatsFromOrders(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		s := seeded(t, db)
		// c1: one unpaid (not counted) and one shipped order of 0 fen; add a paid one.
		s.add(shop.TypeOrder, "2026112705", shop.Order{ID: "2026112705", CustomerID: "c1", Nick: "小鱼儿", Status: shop.StatusPaid,
			Total: 25600, CreatedAt: t0.Add(-30 * time.Minute)})
		s.add(shop.TypeOrder, "2026112706", shop.Order{ID: "2026112706", CustomerID: "c1", Nick: "小鱼儿", Status: shop.StatusClosed,
			Total: 99900, CreatedAt: t0})
		pull(t, db, s)
		st, err := db.CustomerStats("c1")
		if err != nil {
			t.Fatal(err)
		}
		orders, err := db.OrdersOf("c1", 0)
		if err != nil {
			t.Fatal(err)
		}
		want := shop.StatsOf(orders)
		if !st.LastOrder.Equal(want.LastOrder) || st.Orders != want.Orders || st.Spent != want.Spent {
			t.Fatalf("figures %+v, from the orders %+v", st, want)
		}
		if st.Orders != 2 || st.Spent != 25600 || st.Average() != 12800 || !st.LastOrder.Equal(t0.Add(-30*time.Minute)) {
			t.Fatalf("figures %+v: want 2 orders, ¥256, average ¥128, last at t0-30m", st)
		}
		// A customer id that is a prefix of another's does not take its orders.
		s.add(shop.TypeCustomer, "c", shop.Customer{ID: "c", Nick: "c", CreatedAt: t0})
		pull(t, db, s)
		if st, err := db.CustomerStats("c"); err != nil || st.Orders != 0 {
			t.Fatalf("customer c: %+v, %v", st, err)
		}
		checkConsistent(t, db)
	})
}

func TestRuleGroupFollowsSyncedOrders(t *testing.T) {
	db := openMem(t)
	s := seeded(t, db)
	now := t0
	g := shop.Group{ID: "g1", Name: "大客户", Rule: &shop.GroupRule{MinSpent: 50000, WithinDays: 30}}
	members := func() []string {
		t.Helper()
		ms, err := db.GroupMembers(g, now)
		if err != nil {
			t.Fatal(err)
		}
		return ids(ms, func(m Member) string { return m.Customer.ID })
	}
	if got := members(); len(got) != 0 {
		t.Fatalf("members before any big order: %v", got)
	}
	// An order of ¥600 for c2 arrives through the change feed.
	s.add(shop.TypeOrder, "2026112710", shop.Order{ID: "2026112710", CustomerID: "c2", Nick: "LucyC", Status: shop.StatusPaid,
		Total: 60000, CreatedAt: t0.Add(-time.Hour)})
	pull(t, db, s)
	if got := members(); !eq(got, []string{"c2"}) {
		t.Fatalf("members after c2's order synced: %v, want [c2]", got)
	}
	// The order is closed on the server: c2 leaves the group.
	s.add(shop.TypeOrder, "2026112710", shop.Order{ID: "2026112710", CustomerID: "c2", Nick: "LucyC", Status: shop.StatusClosed,
		Total: 60000, CreatedAt: t0.Add(-time.Hour)})
	pull(t, db, s)
	if got := members(); len(got) != 0 {
		t.Fatalf("members after the order closed: %v", got)
	}
	// Old orders do not count for "bought in the last 30 days".
	s.add(shop.TypeCustomer, "c9", shop.Customer{ID: "c9", Nick: "老顾客", CreatedAt: t0})
	s.add(shop.TypeOrder, "2026010101", shop.Order{ID: "2026010101", CustomerID: "c9", Status: shop.StatusCompleted,
		Total: 90000, CreatedAt: t0.Add(-60 * 24 * time.Hour)})
	pull(t, db, s)
	if got := members(); len(got) != 0 {
		t.Fatalf("members with only an old order: %v", got)
	}
	// VIP and tag rules read the profile.
	s.add(shop.TypeCustomer, "c3", shop.Customer{ID: "c3", Nick: "lucky猫", VIP: 3, Tags: []string{"老客"}, CreatedAt: t0})
	pull(t, db, s)
	g = shop.Group{ID: "g2", Name: "VIP", Rule: &shop.GroupRule{MinVIP: 2, Tag: "老客"}}
	if got := members(); !eq(got, []string{"c3"}) {
		t.Fatalf("VIP tag group: %v", got)
	}
	// A manual group lists the customers that name it.
	apply(t, db, mut(t, shop.KindCustomerSet, "c1", "1002", shop.CustomerSet{Groups: &[]string{"g3"}}))
	g = shop.Group{ID: "g3", Name: "手动"}
	if got := members(); !eq(got, []string{"c1"}) {
		t.Fatalf("manual group: %v", got)
	}
}

func TestSpendIndexBackfill(t *testing.T) {
	db := openMem(t)
	seeded(t, db)
	// A store written before the spend index existed: drop its keys and the mark.
	if err := db.bdb.DropPrefix(ixPrefix(ixOrderSpend), keySpendIndexed); err != nil {
		t.Fatal(err)
	}
	st, err := db.CustomerStats("c3")
	if err != nil {
		t.Fatal(err)
	}
	if st.Orders != 1 {
		t.Fatalf("c3 after backfill: %+v, want 1 order", st)
	}
	checkConsistent(t, db)
}

func TestFillFor(t *testing.T) {
	c := shop.Customer{Nick: "小鱼儿", Name: "王芳"}
	if got := FillFor("{name}您好，{nick}的新品到了 {order}", c); got != "王芳您好，小鱼儿的新品到了 {order}" {
		t.Fatalf("filled: %q", got)
	}
	if got := FillFor("{name}您好", shop.Customer{Nick: "LucyC"}); got != "LucyC您好" {
		t.Fatalf("without a name: %q", got)
	}
}

func TestPlanBulkOptOutCapAndNoChat(t *testing.T) {
	db := openMem(t)
	s := seeded(t, db)
	s.add(shop.TypeCustomer, "c4", shop.Customer{ID: "c4", Nick: "无聊天", CreatedAt: t0})
	s.add(shop.TypeCustomer, "c5", shop.Customer{ID: "c5", Nick: "不打扰", OptOut: true, CreatedAt: t0})
	s.add(shop.TypeConversation, "v6", shop.Conversation{ID: "v6", CustomerID: "c5", Nick: "不打扰", LastAt: t0})
	// c2 had a staff message yesterday (does not count) and one today.
	s.add(shop.TypeMessage, "m2", shop.Message{ID: "m2", ConversationID: "v2", From: shop.FromStaff, Staff: "1001", Text: "昨天", At: t0.Add(-24 * time.Hour)})
	s.add(shop.TypeMessage, "m3", shop.Message{ID: "m3", ConversationID: "v5", From: shop.FromStaff, Staff: "1001", Text: "今天", At: t0.Add(-time.Hour)})
	s.add(shop.TypeMessage, "m4", shop.Message{ID: "m4", ConversationID: "v2", From: shop.FromCustomer, Text: "你好", At: t0.Add(-time.Minute)})
	pull(t, db, s)
	all, err := db.AllCustomers()
	if err != nil {
		t.Fatal(err)
	}
	var members []shop.Customer
	for _, m := range all {
		members = append(members, m.Customer)
	}
	if len(members) != 5 {
		t.Fatalf("%d customers", len(members))
	}
	if n, err := db.StaffMessagesOn("c2", t0); err != nil || n != 1 {
		t.Fatalf("c2's staff messages today: %d, %v; want 1", n, err)
	}
	plan, err := db.PlanBulk(BulkRequest{Members: members, Template: "{nick}，新品到了", DailyCap: 1, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if plan.OptedOut != 1 || plan.NoChat != 1 || plan.Capped != 1 || len(plan.Sends) != 2 {
		t.Fatalf("plan: %d sends, opted out %d, no chat %d, capped %d; want 2, 1, 1, 1", len(plan.Sends), plan.OptedOut, plan.NoChat, plan.Capped)
	}
	// c3 has two conversations: the message goes into the most recent one (v4).
	for _, snd := range plan.Sends {
		if snd.Customer.ID == "c3" && (snd.ConversationID != "v4" || snd.Text != "lucky猫，新品到了") {
			t.Fatalf("c3's send: %+v", snd)
		}
	}
	// Sending the plan counts against the cap: a second bulk today reaches nobody.
	for _, snd := range plan.Sends {
		m, err := BulkMutation(snd, "1002", t0)
		if err != nil {
			t.Fatal(err)
		}
		apply(t, db, m)
	}
	again, err := db.PlanBulk(BulkRequest{Members: members, Template: "再来一条", DailyCap: 1, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Sends) != 0 || again.Capped != 3 {
		t.Fatalf("second plan: %d sends, %d capped; want 0, 3", len(again.Sends), again.Capped)
	}
	// Without a cap everyone with a chat who did not opt out gets it.
	free, err := db.PlanBulk(BulkRequest{Members: members, Template: "x", Now: t0})
	if err != nil || len(free.Sends) != 3 {
		t.Fatalf("no cap: %d sends, %v", len(free.Sends), err)
	}
}

func TestComplaintsInPeriod(t *testing.T) {
	db := openMem(t)
	seeded(t, db)
	for i, cat := range []shop.ComplaintCategory{shop.ComplaintQuality, shop.ComplaintService} {
		m := mut(t, shop.KindComplaintOpen, shop.NewID(), "1002", shop.Complaint{CustomerID: "c1", Category: cat, Description: "问题"})
		m.At = t0.Add(time.Duration(-i*48) * time.Hour)
		apply(t, db, m)
	}
	all, err := db.Complaints(time.Time{}, time.Time{})
	if err != nil || len(all) != 2 || all[0].Category != shop.ComplaintQuality {
		t.Fatalf("all complaints: %+v, %v", all, err)
	}
	recent, err := db.Complaints(t0.Add(-24*time.Hour), t0.Add(time.Hour))
	if err != nil || len(recent) != 1 {
		t.Fatalf("complaints of the last day: %+v, %v", recent, err)
	}
}
