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
