package desk

import (
	"context"
	"errors"
	"testing"
	"time"

	"kefu/internal/testkit"
	"kefu/localdb"
	"kefu/shop"
)

// kpiRecords are two staff members and one chat: the customer waits 15 minutes for 1002.
func kpiRecords() []shop.Record {
	return []shop.Record{
		shop.NewRecord(shop.TypeStaff, "1001", shop.Staff{Number: "1001", Name: "王晓", Role: shop.RoleOwner}),
		shop.NewRecord(shop.TypeStaff, "1002", shop.Staff{Number: "1002", Name: "小王", Role: shop.RoleAgent}),
		shop.NewRecord(shop.TypeCustomer, "c1", shop.Customer{ID: "c1", Nick: "小鱼儿", CreatedAt: t0}),
		shop.NewRecord(shop.TypeConversation, "v1", shop.Conversation{ID: "v1", CustomerID: "c1", LastAt: t0.Add(15 * time.Minute)}),
		shop.NewRecord(shop.TypeMessage, "m1", shop.Message{ID: "m1", ConversationID: "v1", From: shop.FromCustomer, Text: "在吗", At: t0}),
		shop.NewRecord(shop.TypeMessage, "m2", shop.Message{ID: "m2", ConversationID: "v1", From: shop.FromStaff, Staff: "1002", Text: "在", At: t0.Add(15 * time.Minute)}),
		shop.NewRecord(shop.TypeMessage, "m3", shop.Message{ID: "m3", ConversationID: "v1", From: shop.FromStaff, Staff: "1001", Text: "您好", At: t0.Add(16 * time.Minute)}),
		shop.NewRecord(shop.TypeCall, "k1", shop.CallLog{ID: "k1", Staff: "1001", At: t0}),
	}
}

func dayOf(t time.Time) (time.Time, time.Time) {
	from := shop.PeriodDay.Start(t, shop.ShopZone)
	return from, shop.PeriodDay.Next(from)
}

// An offline stretch the sync status reports is recorded when the desk is back online, and
// the KPIs leave it out of the agent's response time.
func TestOfflineStretchIsRecordedAndExcluded(t *testing.T) {
	d, _, clock := newDesk(t, localdb.Options{}, kpiRecords()...)
	ctx, cancel := context.WithCancel(context.Background())
	status, stopped := d.watchOutages(ctx, "1002")
	t.Cleanup(func() { cancel(); <-stopped })
	status(SyncStatus{State: "online"})
	clock.Advance(2 * time.Minute)
	status(SyncStatus{State: "offline", Since: t0.Add(2 * time.Minute)})
	clock.Advance(10 * time.Minute)
	status(SyncStatus{State: "offline", Since: t0.Add(2 * time.Minute)}) // still offline: nothing yet
	status(SyncStatus{State: "online"})
	from, to := dayOf(t0)
	var f shop.StaffFigures
	testkit.WaitFor(t, "the offline stretch recorded", func() bool {
		rep, err := d.KPIs(context.Background(), from, to, shop.PeriodDay)
		if err != nil {
			t.Fatal(err)
		}
		f, _ = rep.Total.Of("1002")
		return f.Excluded > 0
	})
	if f.FirstResponse() != 5*time.Minute || f.Excluded != 600 {
		t.Errorf("first response %v with %vs excluded, want 5m and 600s (15m less the 10m offline)", f.FirstResponse(), f.Excluded)
	}
	// A blip shorter than minOutage is not recorded.
	status(SyncStatus{State: "offline", Since: clock.Now()})
	clock.Advance(minOutage / 2)
	status(SyncStatus{State: "online"})
	d.watchOutagesFlush(t)
	rep, _ := d.KPIs(context.Background(), from, to, shop.PeriodDay)
	if g, _ := rep.Total.Of("1002"); g.Excluded != 600 {
		t.Errorf("a blip changed the excluded time to %vs", g.Excluded)
	}
}

// watchOutagesFlush waits until the outbox stops growing (what the watch had to record is in).
func (d *Desk) watchOutagesFlush(t *testing.T) {
	t.Helper()
	n := -1
	testkit.WaitFor(t, "the outbox to settle", func() bool {
		m := d.OutboxLen()
		settled := m == n
		n = m
		time.Sleep(20 * time.Millisecond)
		return settled
	})
}

// A heartbeat left by a desk that stopped without quitting is a gap recorded at the next
// start; quitting cleanly clears it.
func TestClosedDeskGapIsRecorded(t *testing.T) {
	d, db, _ := newDesk(t, localdb.Options{}, kpiRecords()...)
	if err := db.SetMeta(heartbeatMeta, "1002|"+t0.Add(-3*time.Minute).UTC().Format(time.RFC3339Nano)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, stopped := d.watchOutages(ctx, "1002")
	if n := d.OutboxLen(); n != 1 {
		t.Fatalf("outbox has %d actions after a start with a 3-minute-old heartbeat, want the outage", n)
	}
	if v, _ := db.Meta(heartbeatMeta); v == "" {
		t.Error("no heartbeat while the desk runs")
	}
	cancel()
	<-stopped
	if v, _ := db.Meta(heartbeatMeta); v != "" {
		t.Errorf("heartbeat %q left after quitting cleanly", v)
	}
	// Another staff member's heartbeat, or a fresh one, is not a gap of this one's.
	for _, hb := range []string{"1001|" + t0.Add(-time.Hour).UTC().Format(time.RFC3339Nano), "1002|" + t0.Add(-time.Minute).UTC().Format(time.RFC3339Nano)} {
		if err := db.SetMeta(heartbeatMeta, hb); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		_, stopped := d.watchOutages(ctx, "1002")
		cancel()
		<-stopped
		if n := d.OutboxLen(); n != 1 {
			t.Errorf("heartbeat %q recorded a gap (outbox %d)", hb, n)
		}
	}
}

// An agent sees her own figures only and cannot set weights or close a month; a manager
// sees everyone's and keeps a finished month's ranking.
func TestKPIsAndRankingByRole(t *testing.T) {
	d, _, clock := newDesk(t, localdb.Options{}, kpiRecords()...)
	from, to := dayOf(t0)
	rep, err := d.KPIs(context.Background(), from, to, shop.PeriodDay)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Total.Staff) != 1 || rep.Total.Staff[0].Staff != "1002" || rep.Total.Team.Handled != 0 {
		t.Errorf("agent's report %+v, want her own figures only", rep.Total)
	}
	if err := d.SetRankingWeights(context.Background(), shop.RankingWeights{Response: 1}); !errors.Is(err, ErrManagersOnly) {
		t.Errorf("agent setting weights: %v", err)
	}
	d.mu.Lock()
	d.staff = shop.Staff{Number: "1001", Role: shop.RoleOwner}
	d.mu.Unlock()
	rep, _ = d.KPIs(context.Background(), from, to, shop.PeriodDay)
	if len(rep.Total.Staff) != 2 || rep.Total.Team.Handled != 1 {
		t.Errorf("owner's report %+v, want both and the team", rep.Total)
	}
	if err := d.SetRankingWeights(context.Background(), shop.RankingWeights{Quota: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CloseMonth(context.Background(), t0); err == nil {
		t.Error("closed a month that is not over")
	}
	clock.Advance(5 * 24 * time.Hour) // into December
	live, err := d.Ranking(context.Background(), t0)
	if err != nil || live.Closed() || !live.Over || live.Weights.Quota != 1 {
		t.Fatalf("November's ranking before closing %+v %v", live, err)
	}
	kept, err := d.CloseMonth(context.Background(), t0)
	if err != nil || !kept.Closed() || kept.ID != "2026-11" {
		t.Fatalf("closing November: %+v %v", kept, err)
	}
	if err := d.SetRankingWeights(context.Background(), shop.RankingWeights{Response: 1}); err != nil {
		t.Fatal(err)
	}
	again, _ := d.Ranking(context.Background(), t0)
	if !again.Closed() || again.Weights.Quota != 1 {
		t.Errorf("November after new weights %+v, want the kept snapshot", again.Ranking)
	}
}
