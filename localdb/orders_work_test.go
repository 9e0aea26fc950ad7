package localdb

import (
	"testing"
	"time"

	"kefu/shop"
)

func TestOrderWorkLists(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		s := newServer()
		at := func(i int) time.Time { return t0.Add(-time.Duration(i) * time.Hour) }
		order := func(id string, i int, st shop.OrderStatus, pay shop.Payment, edit func(*shop.Order)) {
			o := shop.Order{ID: id, CustomerID: "c1", Nick: "nick" + id, Status: st, Payment: pay, CreatedAt: at(i),
				Address: shop.Address{Receiver: "王芳", Phone: "13800000000", Province: "浙江省", City: "杭州市", Detail: "文三路1号"}}
			if edit != nil {
				edit(&o)
			}
			s.add(shop.TypeOrder, id, o)
		}
		order("a1", 1, shop.StatusPaid, shop.PayOnline, nil)
		order("a2", 2, shop.StatusPaid, shop.PayOnline, func(o *shop.Order) { o.AddressCheck = shop.AddressConfirmed })
		order("a3", 3, shop.StatusPaid, shop.PayCOD, nil)
		order("a4", 4, shop.StatusUnpaid, shop.PayOnline, nil)
		order("a5", 5, shop.StatusShipped, shop.PayOnline, nil)
		order("d1", 6, shop.StatusUnpaid, shop.PayCOD, func(o *shop.Order) { o.CODCall = shop.CallNoAnswer })
		order("d2", 7, shop.StatusPaid, shop.PayCOD, func(o *shop.Order) { o.CODCall = shop.CallConfirmed; o.AddressCheck = shop.AddressChanged })
		order("d3", 8, shop.StatusShipped, shop.PayCOD, nil)
		order("s1", 9, shop.StatusShipped, shop.PayOnline, func(o *shop.Order) { o.ShippedAt = t0 })
		order("s2", 10, shop.StatusShipped, shop.PayOnline, func(o *shop.Order) { o.ShippedAt = t0; o.ShipNoticeAt = t0 })
		order("s3", 11, shop.StatusShipped, shop.PayOnline, func(o *shop.Order) { o.ShippedAt = t0.Add(-48 * time.Hour) })
		// Created long before: the shipped list stops before it (orders ship within shipWithin).
		order("s4", 40*24, shop.StatusShipped, shop.PayOnline, func(o *shop.Order) { o.ShippedAt = t0 })
		// Cash on delivery, its call confirmed: the address is due for its check (a3, not called
		// yet, is not).
		order("d4", 12, shop.StatusPaid, shop.PayCOD, func(o *shop.Order) { o.CODCall = shop.CallConfirmed })
		s.add(shop.TypeCase, "k1", shop.AfterSalesCase{ID: "k1", OrderID: "a5", State: shop.CaseOpen, Due: t0.Add(-time.Hour), CreatedAt: t0.Add(-2 * time.Hour), UpdatedAt: t0.Add(-2 * time.Hour)})
		s.add(shop.TypeCase, "k2", shop.AfterSalesCase{ID: "k2", OrderID: "a5", State: shop.CaseWaitingWarehouse, Due: t0.Add(30 * 24 * time.Hour), CreatedAt: t0.Add(-20 * 24 * time.Hour), UpdatedAt: t0.Add(-20 * 24 * time.Hour)})
		s.add(shop.TypeCase, "k3", shop.AfterSalesCase{ID: "k3", OrderID: "a5", State: shop.CaseOpen, Due: t0.Add(24 * time.Hour), CreatedAt: t0, UpdatedAt: t0})
		s.add(shop.TypeCase, "k4", shop.AfterSalesCase{ID: "k4", OrderID: "a5", State: shop.CaseResolved, Due: t0.Add(-24 * time.Hour), CreatedAt: t0.Add(-40 * 24 * time.Hour), UpdatedAt: t0.Add(-30 * 24 * time.Hour)})
		pull(t, db, s)

		got, err := db.AddressToCheck(0)
		if err != nil || !eq(orderIDs(got), []string{"a1", "d4"}) {
			t.Errorf("AddressToCheck = %v, %v; want [a1 d4]", orderIDs(got), err)
		}
		if got, err := db.AddressToCheck(1); err != nil || !eq(orderIDs(got), []string{"a1"}) {
			t.Errorf("AddressToCheck(1) = %v, %v", orderIDs(got), err)
		}
		got, err = db.CODToConfirm(0)
		if err != nil || !eq(orderIDs(got), []string{"a3", "d1"}) {
			t.Errorf("CODToConfirm = %v, %v; want [a3 d1]", orderIDs(got), err)
		}
		got, err = db.ShippedSince(t0.Add(-24*time.Hour), 0)
		if err != nil || !eq(orderIDs(got), []string{"s1"}) {
			t.Errorf("ShippedSince = %v, %v; want [s1]", orderIDs(got), err)
		}
		// k1 is overdue, k2 untouched for 20 days (the forgotten exchange); k3 is fresh and
		// k4 finished.
		if n, err := db.CasesNeedingAttention(t0); err != nil || n != 2 {
			t.Errorf("CasesNeedingAttention = %d, %v; want 2", n, err)
		}

		// A confirmed address leaves the list at once, locally.
		apply(t, db, mut(t, shop.KindOrderAddress, "a1", "1001", shop.AddressCheckSet{NoteID: shop.NewID(), Result: shop.AddressConfirmed}))
		if got, err := db.AddressToCheck(0); err != nil || !eq(orderIDs(got), []string{"d4"}) {
			t.Errorf("after the check AddressToCheck = %v, %v; want [d4]", orderIDs(got), err)
		}
	})
}
