package desk

import (
	"context"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"kefu/localdb"
	"kefu/shop"
)

// A bulk message whose template keeps a placeholder with no value for a member (an {order}:
// a bulk send knows no order) is not sent to that member: the plan counts them and names the
// placeholder.
func TestPlanBulkSkipsUnfilledPlaceholders(t *testing.T) {
	d, _, _ := newDesk(t, localdb.Options{}, shopRecords()...)
	ctx := context.Background()
	all, err := d.AllCustomers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := d.PlanBulk(ctx, BulkRequest{Members: customers(all), Template: "{nick}，您的订单{order}有新品赠送", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Sends) != 0 || plan.Unfilled != 3 || !slices.Equal(plan.Placeholders, []string{"{order}"}) {
		t.Fatalf("plan: %d sends, %d unfilled %v; want 0, 3 [{order}]", len(plan.Sends), plan.Unfilled, plan.Placeholders)
	}
	// A customer without a nick cannot be greeted by it; the others are.
	members := append(customers(all), shop.Customer{ID: "c1x", Name: ""})
	plan, err = d.PlanBulk(ctx, BulkRequest{Members: members, Template: "{nick}，新品到了", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range plan.Sends {
		if shop.HasUnfilled(s.Text) {
			t.Errorf("the plan sends %q", s.Text)
		}
	}
	if len(plan.Sends) != 3 || plan.Unfilled != 0 {
		t.Fatalf("plan: %d sends, %d unfilled; want 3, 0 (c1x has no conversation: %d)", len(plan.Sends), plan.Unfilled, plan.NoChat)
	}
}

// The automatic shipment notice goes out for an order shipped with a tracking number; one
// shipped without a tracking number would say "{tracking}" to the customer: it is skipped and
// reported once, by order.
func TestShipNoticesSkipUnfilledPlaceholders(t *testing.T) {
	recs := append(shopRecords(),
		shop.NewRecord(shop.TypeOrder, "o-track", shop.Order{ID: "o-track", CustomerID: "c1", Nick: "小鱼儿", Status: shop.StatusShipped,
			Courier: "中通", Tracking: "ZT100", ShippedAt: t0.Add(-time.Minute), CreatedAt: t0.Add(-2 * time.Hour)}),
		shop.NewRecord(shop.TypeOrder, "o-none", shop.Order{ID: "o-none", CustomerID: "c3", Nick: "lucky猫", Status: shop.StatusShipped,
			Courier: "中通", ShippedAt: t0.Add(-time.Minute), CreatedAt: t0.Add(-2 * time.Hour)}))
	d, db, clock := newDesk(t, localdb.Options{}, recs...)
	var mu gosync.Mutex
	var reports []JobProgress
	d.SetJobProgress(func(p JobProgress) {
		mu.Lock()
		reports = append(reports, p)
		mu.Unlock()
	})
	d.SetShipNotices(ShipNotices{On: true, Since: t0.Add(-time.Hour), Fallback: "您的订单{order}已由{courier}发出，运单号{tracking}"})
	skipped := func() []ShipSkip {
		mu.Lock()
		defer mu.Unlock()
		var out []ShipSkip
		for _, p := range reports {
			out = append(out, p.ShipSkipped...)
		}
		return out
	}
	advanceUntil(t, clock, "the skipped notice to be reported", func() bool { return len(skipped()) > 0 })
	got := skipped()
	if len(got) != 1 || got[0].Order != "o-none" || got[0].Nick != "lucky猫" || !slices.Equal(got[0].Placeholders, []string{"{tracking}"}) {
		t.Fatalf("skipped %+v; want o-none for {tracking}", got)
	}
	out, err := db.Outbox(0)
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	for _, m := range out {
		if m.Kind == shop.KindOrderShipNote {
			sent = append(sent, m.Entity)
			if shop.HasUnfilled(string(m.Data)) {
				t.Errorf("a notice with a placeholder is in the outbox: %s", m.Data)
			}
		}
	}
	if !slices.Equal(sent, []string{"o-track"}) {
		t.Fatalf("notices sent for %v; want o-track only", sent)
	}
	// Another change of the orders looks again: the same order is not reported twice.
	d.jobs.sendShipNotices(context.Background(), ShipNotices{On: true, Since: t0.Add(-time.Hour), Fallback: "您的订单{order}已由{courier}发出，运单号{tracking}"})
	if n := len(skipped()); n != 1 {
		t.Fatalf("the skipped notice was reported %d times", n)
	}
}
