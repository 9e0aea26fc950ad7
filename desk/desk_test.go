package desk

import (
	"context"
	"errors"
	gosync "sync"
	"testing"
	"time"

	"kefu/internal/testkit"
	"kefu/localdb"
	"kefu/shop"
)

// t0 is the tests' shop time.
var t0 = time.Date(2026, 11, 27, 15, 0, 0, 0, shop.ShopZone)

// advanceUntil moves the clock on a job step at a time until cond holds, failing after ten
// seconds. (The jobs may be between two steps when the clock moves; moving it on again lets
// them take the next.)
func advanceUntil(t *testing.T, c *testkit.Clock, what string, cond func() bool) {
	t.Helper()
	testkit.WaitFor(t, what, func() bool {
		if cond() {
			return true
		}
		c.Advance(jobStep)
		return false
	})
}

// newDesk is a desk on an in-memory store holding recs, working as staff 1002.
func newDesk(t *testing.T, opts localdb.Options, recs ...shop.Record) (*Desk, *localdb.DB, *testkit.Clock) {
	t.Helper()
	opts.InMemory = true
	db, err := localdb.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for i := range recs {
		recs[i].Seq = int64(i + 1)
	}
	if err := db.ApplyChanges(recs, int64(len(recs))); err != nil {
		t.Fatal(err)
	}
	clock := testkit.NewClock(t0)
	d, err := Open(Params{Store: db, Staff: shop.Staff{Number: "1002", Name: "小王"}, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d, db, clock
}

// shopRecords is a small shop: customers c1…c5, c1–c3 with a conversation each (c3 two),
// c4 without one, c5 opted out; c2 had a staff message today.
func shopRecords() []shop.Record {
	return []shop.Record{
		shop.NewRecord(shop.TypeCustomer, "c1", shop.Customer{ID: "c1", Nick: "小鱼儿", Name: "王芳", Birthday: "11-27", CreatedAt: t0}),
		shop.NewRecord(shop.TypeCustomer, "c2", shop.Customer{ID: "c2", Nick: "LucyC", Birthday: "1990-11-30", CreatedAt: t0}),
		shop.NewRecord(shop.TypeCustomer, "c3", shop.Customer{ID: "c3", Nick: "lucky猫", VIP: 3, Tags: []string{"老客"}, CreatedAt: t0}),
		shop.NewRecord(shop.TypeCustomer, "c4", shop.Customer{ID: "c4", Nick: "无聊天", CreatedAt: t0}),
		shop.NewRecord(shop.TypeCustomer, "c5", shop.Customer{ID: "c5", Nick: "不打扰", OptOut: true, CreatedAt: t0}),
		shop.NewRecord(shop.TypeConversation, "v1", shop.Conversation{ID: "v1", CustomerID: "c1", Nick: "小鱼儿", LastAt: t0.Add(-time.Hour)}),
		shop.NewRecord(shop.TypeConversation, "v2", shop.Conversation{ID: "v2", CustomerID: "c2", Nick: "LucyC", LastAt: t0.Add(-time.Hour)}),
		shop.NewRecord(shop.TypeConversation, "v3", shop.Conversation{ID: "v3", CustomerID: "c3", Nick: "lucky猫", LastAt: t0.Add(-2 * time.Hour)}),
		shop.NewRecord(shop.TypeConversation, "v4", shop.Conversation{ID: "v4", CustomerID: "c3", Nick: "lucky猫", LastAt: t0.Add(-time.Minute)}),
		shop.NewRecord(shop.TypeConversation, "v5", shop.Conversation{ID: "v5", CustomerID: "c5", Nick: "不打扰", LastAt: t0}),
		shop.NewRecord(shop.TypeMessage, "m1", shop.Message{ID: "m1", ConversationID: "v2", From: shop.FromStaff, Staff: "1001", Text: "昨天", At: t0.Add(-24 * time.Hour)}),
		shop.NewRecord(shop.TypeMessage, "m2", shop.Message{ID: "m2", ConversationID: "v2", From: shop.FromStaff, Staff: "1001", Text: "今天", At: t0.Add(-time.Hour)}),
		shop.NewRecord(shop.TypeOrder, "2026112701", shop.Order{ID: "2026112701", CustomerID: "c2", Nick: "LucyC", Status: shop.StatusPaid,
			Total: 60000, CreatedAt: t0.Add(-time.Hour)}),
	}
}

func customers(ms []Member) []shop.Customer {
	out := make([]shop.Customer, len(ms))
	for i, m := range ms {
		out[i] = m.Customer
	}
	return out
}

func memberIDs(ms []Member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Customer.ID)
	}
	return out
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

func TestGroupRules(t *testing.T) {
	d, _, _ := newDesk(t, localdb.Options{}, shopRecords()...)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		g    shop.Group
		want []string
	}{
		{"money and recency", shop.Group{ID: "g1", Rule: &shop.GroupRule{MinSpent: 50000, WithinDays: 30}}, []string{"c2"}},
		{"more money than anyone spent", shop.Group{ID: "g2", Rule: &shop.GroupRule{MinSpent: 90000}}, nil},
		{"VIP and tag", shop.Group{ID: "g3", Rule: &shop.GroupRule{MinVIP: 2, Tag: "老客"}}, []string{"c3"}},
		{"manual group nobody lists", shop.Group{ID: "g4"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			ms, err := d.GroupMembers(ctx, c.g, t0)
			if err != nil {
				t.Fatal(err)
			}
			if got := memberIDs(ms); len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
				t.Fatalf("members %v; want %v", got, c.want)
			}
		})
	}
	all, err := d.AllCustomers(ctx)
	if err != nil || len(all) != 5 {
		t.Fatalf("all customers: %d, %v", len(all), err)
	}
}

func TestPlanBulkOptOutCapAndNoChat(t *testing.T) {
	d, _, _ := newDesk(t, localdb.Options{}, shopRecords()...)
	ctx := context.Background()
	all, err := d.AllCustomers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := d.PlanBulk(ctx, BulkRequest{Members: customers(all), Template: "{nick}，新品到了", DailyCap: 1, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if plan.OptedOut != 1 || plan.NoChat != 1 || plan.Capped != 1 || len(plan.Sends) != 2 {
		t.Fatalf("plan: %d sends, opted out %d, no chat %d, capped %d; want 2, 1, 1, 1", len(plan.Sends), plan.OptedOut, plan.NoChat, plan.Capped)
	}
	for _, s := range plan.Sends {
		if s.Customer.ID == "c3" && (s.ConversationID != "v4" || s.Text != "lucky猫，新品到了") {
			t.Fatalf("c3's send goes into the latest conversation: %+v", s)
		}
	}
	free, err := d.PlanBulk(ctx, BulkRequest{Members: customers(all), Template: "x", Now: t0})
	if err != nil || len(free.Sends) != 3 {
		t.Fatalf("no cap: %d sends, %v", len(free.Sends), err)
	}
}

// A bulk send runs on the desk's own goroutine, a batch a step of the desk's clock, and
// reports its progress; no window is involved.
func TestBulkSendIsAJobOnTheClock(t *testing.T) {
	var recs []shop.Record
	const n = 250
	for i := range n {
		id := "c" + string(rune('A'+i/26)) + string(rune('a'+i%26))
		recs = append(recs,
			shop.NewRecord(shop.TypeCustomer, id, shop.Customer{ID: id, Nick: id, CreatedAt: t0}),
			shop.NewRecord(shop.TypeConversation, "v"+id, shop.Conversation{ID: "v" + id, CustomerID: id, Nick: id, LastAt: t0}))
	}
	d, db, clock := newDesk(t, localdb.Options{}, recs...)
	ctx := context.Background()
	var mu gosync.Mutex
	var got []JobProgress
	d.SetJobProgress(func(p JobProgress) {
		mu.Lock()
		got = append(got, p)
		mu.Unlock()
	})
	last := func() (JobProgress, int) {
		mu.Lock()
		defer mu.Unlock()
		if len(got) == 0 {
			return JobProgress{}, 0
		}
		return got[len(got)-1], len(got)
	}
	all, err := d.AllCustomers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := d.PlanBulk(ctx, BulkRequest{Members: customers(all), Template: "{nick}您好", Now: t0})
	if err != nil || len(plan.Sends) != n {
		t.Fatalf("plan of %d sends, %v", len(plan.Sends), err)
	}
	d.SendBulk("上新", plan)
	testkit.WaitFor(t, "the first batch, at once", func() bool { _, n := last(); return n > 0 })
	if p, _ := last(); p.Recorded != 100 || p.Finished {
		t.Fatalf("the first report is %+v; want 100 recorded", p)
	}
	advanceUntil(t, clock, "the send to finish", func() bool { p, _ := last(); return p.Finished })
	mu.Lock()
	for i, p := range got {
		if want := min(100*(i+1), n); p.Recorded != want || db.OutboxLen() < want {
			t.Fatalf("report %d: %+v; want %d recorded", i, p, want)
		}
	}
	mu.Unlock()
	p, reports := last()
	if !p.Finished || p.Failed != 0 || p.Total != n || p.Waiting != n || p.Title != "上新" || reports != 3 || d.Sending() {
		t.Fatalf("last report %+v after %d reports", p, reports)
	}
	out, err := db.Outbox(0)
	if err != nil || out[0].Kind != shop.KindChatSend || out[0].Staff != "1002" || !out[0].At.Equal(t0) {
		t.Fatalf("first mutation %+v, %v", out[0], err)
	}
}

// The day's birthday greetings go out by themselves once the clock passes the rule's time,
// and once a day only.
func TestAutomaticBirthdayGreetings(t *testing.T) {
	d, db, clock := newDesk(t, localdb.Options{}, shopRecords()...)
	ctx := context.Background()
	due, err := d.BirthdaysDue(ctx, BirthdayRule{Days: 3}, t0)
	if err != nil || len(due) != 1 || due[0].ID != "c2" {
		t.Fatalf("birthdays in 3 days: %+v, %v", due, err)
	}
	clock.Advance(59*time.Minute + 50*time.Second) // 15:59:50
	d.SetBirthdays(BirthdayRule{Text: "{name}生日快乐", Auto: true, At: "16:00", Title: "生日"})
	sixteen := time.Date(2026, 11, 27, 16, 0, 0, 0, shop.ShopZone)
	advanceUntil(t, clock, "the greeting", func() bool {
		if clock.Now().Before(sixteen) && db.OutboxLen() != 0 {
			t.Fatalf("a greeting went out at %s, before 16:00", clock.Now())
		}
		return db.OutboxLen() == 1
	})
	out, _ := db.Outbox(0)
	if out[0].Entity != "v1" {
		t.Fatalf("the greeting went to %s; want c1's conversation v1", out[0].Entity)
	}
	later := clock.Now().Add(10 * jobStep)
	advanceUntil(t, clock, "ten more steps", func() bool { return !clock.Now().Before(later) })
	if n := db.OutboxLen(); n != 1 {
		t.Fatalf("%d greetings the same day; want 1", n)
	}
}

// A full disk comes back from Apply as the desk's ErrDiskFull, and nothing is recorded.
func TestApplyOnAFullDisk(t *testing.T) {
	free := uint64(1 << 40)
	var mu gosync.Mutex
	d, db, _ := newDesk(t, localdb.Options{FreeSpace: func(string) (uint64, error) {
		mu.Lock()
		defer mu.Unlock()
		return free, nil
	}}, shopRecords()...)
	ctx := context.Background()
	changes := 0
	cancel := d.Subscribe(func(Change) { changes++ })
	defer cancel()
	if _, err := d.Apply(ctx, Action{Kind: shop.KindChatRead, Entity: "v1"}); err != nil {
		t.Fatal(err)
	}
	if changes == 0 {
		t.Fatal("the listeners were not told of the action")
	}
	mu.Lock()
	free = 0
	mu.Unlock()
	_, err := d.Apply(ctx, Action{Kind: shop.KindChatRead, Entity: "v2"})
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("Apply on a full disk: %v; want ErrDiskFull", err)
	}
	if n := db.OutboxLen(); n != 1 {
		t.Fatalf("%d in the outbox; want only the first action", n)
	}
}
