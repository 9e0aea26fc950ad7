package localdb

import (
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// callAt is a call.log of staff to customer made at at.
func callAt(t *testing.T, staff, customer string, at time.Time, result shop.CallResult, back time.Time) shop.Mutation {
	t.Helper()
	m := mut(t, shop.KindCallLog, shop.NewID(), staff, shop.CallLogData{CustomerID: customer, Purpose: shop.CallRetention, Result: result, CallBackAt: back})
	m.At = at
	return m
}

func TestCallsByStaffAndWeek(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		seeded(t, db)
		week := shop.WeekStart(t0) // t0 is a Friday
		for _, m := range []shop.Mutation{
			callAt(t, "1002", "c1", week.Add(-time.Minute), shop.CallReached, time.Time{}), // last week
			callAt(t, "1002", "c1", week, shop.CallReached, time.Time{}),
			callAt(t, "1002", "c2", week.Add(50*time.Hour), shop.CallNoPickup, time.Time{}),
			callAt(t, "1001", "c2", week.Add(51*time.Hour), shop.CallReached, time.Time{}),
			callAt(t, "1002", "c3", t0.Add(-time.Hour), shop.CallCallBack, t0.Add(3*time.Hour)),
		} {
			apply(t, db, m)
		}
		end := week.AddDate(0, 0, 7)
		if n, err := db.CallCount("1002", week, end); err != nil || n != 3 {
			t.Fatalf("1002's calls this week: %d, %v; want 3", n, err)
		}
		calls, err := db.CallsOf("1002", week, end)
		if err != nil || len(calls) != 3 || calls[0].CustomerID != "c3" || calls[2].CustomerID != "c1" || !calls[2].At.Equal(week) {
			t.Fatalf("1002's calls this week, newest first: %+v, %v", calls, err)
		}
		if n, _ := db.CallCount("1002", week.AddDate(0, 0, -7), week); n != 1 {
			t.Errorf("1002's calls last week: %d; want 1", n)
		}
		// The promised call-back is open until the customer is called again.
		open, err := db.CallBacksOpen(t0)
		if err != nil || len(open) != 1 || open[0].CustomerID != "c3" {
			t.Fatalf("open call-backs: %+v, %v", open, err)
		}
		if later, _ := db.CallBacksOpen(t0.Add(shop.CallBackDue + 4*time.Hour)); len(later) != 0 {
			t.Errorf("a call-back days overdue is still open work: %+v", later)
		}
		apply(t, db, callAt(t, "1001", "c3", t0.Add(10*time.Minute), shop.CallReached, time.Time{}))
		if open, _ := db.CallBacksOpen(t0); len(open) != 0 {
			t.Errorf("the call-back is still open after the customer was called again: %+v", open)
		}
		if with, _ := db.CallsWith("c3", 0); len(with) != 2 {
			t.Errorf("calls with c3: %d; want 2", len(with))
		}
		checkConsistent(t, db)
	})
}

func TestHandoversUnacknowledgedFirst(t *testing.T) {
	db := openMem(t)
	s := seeded(t, db)
	for i, id := range []string{"h1", "h2", "h3"} {
		s.add(shop.TypeHandover, id, shop.Handover{ID: id, From: "1001", At: t0.Add(time.Duration(i) * time.Hour), Note: "交接 " + id})
	}
	pull(t, db, s)
	apply(t, db, mut(t, shop.KindHandoverAck, "h3", "1002", nil)) // the newest, acknowledged on this desk
	open, err := db.Handovers(true, 0)
	if err != nil || len(open) != 2 || open[0].ID != "h2" || open[1].ID != "h1" {
		t.Fatalf("open handovers: %+v, %v", open, err)
	}
	all, _ := db.Handovers(false, 0)
	if len(all) != 3 || all[2].ID != "h3" || all[2].AckBy != "1002" {
		t.Fatalf("all handovers, the acknowledged last: %+v", all)
	}
	if two, _ := db.Handovers(false, 2); len(two) != 2 {
		t.Errorf("limit 2 gave %d", len(two))
	}
	checkConsistent(t, db)
}

// TestConcessionViewFollowsTheServer: this desk gives ¥8 within its limits and shows it
// applied; the server had another desk's ¥45 of the same staff member's day already, so it
// decides the ¥8 is a request: once the feed brings that, the desk shows a request waiting
// for a manager, and the order's total without it.
func TestConcessionViewFollowsTheServer(t *testing.T) {
	db := openMem(t)
	s := seeded(t, db)
	give := func(order string, amount shop.Cents) shop.Mutation {
		return mut(t, shop.KindConcessionGive, shop.NewID(), "1002", shop.ConcessionGive{NoteID: shop.NewID(), OrderID: order,
			ConversationID: "v1", Kind: shop.ConcessionPriceCut, Amount: amount, Reason: "差几块包邮"})
	}
	mine := give("2026112701", 800)
	apply(t, db, mine)
	if cs, _ := db.ConcessionsOf("2026112701"); len(cs) != 1 || cs[0].State != shop.ConcessionApplied {
		t.Fatalf("the desk's own view: %+v", cs)
	}
	if o := mustOrder(t, db, "2026112701"); o.Conceded != 800 {
		t.Fatalf("the order locally: conceded %s", o.Conceded)
	}
	if n, _ := db.ConcessionRequestCount(); n != 0 {
		t.Fatalf("%d requests before the server spoke", n)
	}

	// Meanwhile the other desk's ¥45 (on another order) reached the server first.
	s.add(shop.TypeOrder, "2026112799", shop.Order{ID: "2026112799", CustomerID: "c1", Status: shop.StatusUnpaid, Total: 9900})
	other := give("2026112799", 1000)
	other.Data = []byte(`{"note_id":"n-other","order_id":"2026112799","kind":"price_cut","amount":900,"reason":"老客户"}`)
	s.apply(t, other, t0)
	s.add(shop.TypeConcessionTally, "1002", shop.ConcessionTally{ID: "1002", Days: map[string]shop.ConcessionDay{shop.ShopDay(t0): {Given: 4500, Count: 3}}})
	if out := s.apply(t, mine, t0); out.Conflict != nil {
		t.Fatal(out.Conflict.Reason)
	}
	pull(t, db, s)
	if err := db.Acknowledge([]Ack{{ID: mine.ID, Status: AckApplied}}); err != nil {
		t.Fatal(err)
	}
	cs, err := db.ConcessionsOf("2026112701")
	if err != nil || len(cs) != 1 || cs[0].State != shop.ConcessionRequested {
		t.Fatalf("after the feed the desk shows %+v, %v; want a request", cs, err)
	}
	if o := mustOrder(t, db, "2026112701"); o.Conceded != 0 {
		t.Errorf("the order after the feed: conceded %s", o.Conceded)
	}
	reqs, err := db.ConcessionRequests(0)
	if err != nil || len(reqs) != 1 || reqs[0].ID != mine.Entity {
		t.Fatalf("requests: %+v, %v", reqs, err)
	}
	if in, _ := db.ConcessionsIn("v1"); len(in) != 1 {
		t.Errorf("concessions in v1: %+v", in)
	}
	if day, _ := db.ConcessionDay("1002", t0); day.Given != 4500 {
		t.Errorf("the day after the feed: %+v", day)
	}

	// A manager declines it on the server: the requester's desk lists the decision.
	s.apply(t, mut(t, shop.KindConcessionDecline, mine.Entity, "1001", shop.ConcessionDecide{NoteID: "n-decline", Answer: "今天额度用完了"}), t0.Add(time.Minute))
	pull(t, db, s)
	if n, _ := db.ConcessionRequestCount(); n != 0 {
		t.Errorf("%d requests after the decision", n)
	}
	dec, err := db.ConcessionsDecidedFor("1002", t0)
	if err != nil || len(dec) != 1 || dec[0].State != shop.ConcessionDeclined || dec[0].Answer != "今天额度用完了" {
		t.Fatalf("decided for 1002: %+v, %v", dec, err)
	}
	if later, _ := db.ConcessionsDecidedFor("1002", t0.Add(time.Hour)); len(later) != 0 {
		t.Errorf("decided after an hour later: %+v", later)
	}
	checkConsistent(t, db)
}

// TestOpenMigratesSchema5: a store of schema 5 holding calls, handovers and concessions
// without their indexes gets them at Open.
func TestOpenMigratesSchema5(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	s := seeded(t, db)
	s.add(shop.TypeCall, "call-1", shop.CallLog{ID: "call-1", Staff: "1002", CustomerID: "c1", At: t0, Purpose: shop.CallCOD, Result: shop.CallAgreed})
	s.add(shop.TypeHandover, "h1", shop.Handover{ID: "h1", From: "1001", At: t0, Note: "交接"})
	s.add(shop.TypeConcession, "cn1", shop.Concession{ID: "cn1", OrderID: "2026112701", Staff: "1002", At: t0, State: shop.ConcessionRequested, Amount: 100})
	pull(t, db, s)
	var prefixes [][]byte
	for _, ix := range []*index{ixCallStaff, ixCallCustomer, ixCallBack, ixHandoverOpen, ixHandoverDone, ixConcessionWaiting, ixConcessionOrder, ixConcessionChat, ixConcessionDecided} {
		prefixes = append(prefixes, ixPrefix(ix))
	}
	if err := db.bdb.DropPrefix(prefixes...); err != nil {
		t.Fatal(err)
	}
	if err := db.bdb.Update(func(txn *badger.Txn) error { return txn.Set(keySchema, []byte("5")) }); err != nil {
		t.Fatal(err)
	}
	if hs, _ := db.Handovers(false, 0); len(hs) != 0 {
		t.Fatal("the schema-5 store still has the handover index")
	}
	db.Close()
	db2 := openDir(t, dir)
	if n, _ := db2.CallCount("1002", t0, t0.Add(time.Hour)); n != 1 {
		t.Errorf("calls after the upgrade: %d", n)
	}
	if hs, _ := db2.Handovers(true, 0); len(hs) != 1 {
		t.Errorf("open handovers after the upgrade: %d", len(hs))
	}
	if rs, _ := db2.ConcessionRequests(0); len(rs) != 1 {
		t.Errorf("concession requests after the upgrade: %d", len(rs))
	}
}
