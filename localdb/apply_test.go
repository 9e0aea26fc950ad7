package localdb

import (
	"errors"
	"sync"
	"testing"
	"time"

	"kefu/shop"
)

func TestApplyWritesEntityIndexesAndOutbox(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		seeded(t, db)
		var mu sync.Mutex
		var changes []Change
		cancel := db.Subscribe(func(c Change) { mu.Lock(); changes = append(changes, c); mu.Unlock() })
		m := noteMut(t, "2026112701", "n1", shop.FlagPurple, "发顺丰")
		apply(t, db, m)

		o := mustOrder(t, db, "2026112701")
		if o.Flag != shop.FlagPurple || o.NoteCount != 1 || o.FlagBy != "1001" {
			t.Errorf("order after note: flag %v count %d by %q", o.Flag, o.NoteCount, o.FlagBy)
		}
		if v, _, _ := db.Get(shop.TypeOrder, o.ID, nil); v == 0 {
			t.Error("a pending entity keeps the version it had; got 0")
		}
		if got := noteIDs(t, db, o.ID); !eq(got, []string{"n1"}) {
			t.Errorf("notes = %v", got)
		}
		purple := shop.FlagPurple
		if os, _ := db.SearchOrders("", OrderFilter{Flag: &purple}, 10); !eq(orderIDs(os), []string{o.ID}) {
			t.Errorf("flag index: %v", orderIDs(os))
		}
		if !db.IsPending(shop.TypeOrder, o.ID) || !db.IsPending(shop.TypeNote, "n1") || db.IsPending(shop.TypeOrder, "2026112702") {
			t.Error("IsPending wrong")
		}
		ob, err := db.Outbox(0)
		if err != nil || len(ob) != 1 || ob[0].ID != m.ID || db.OutboxLen() != 1 {
			t.Fatalf("outbox = %v, %v (len %d)", ob, err, db.OutboxLen())
		}
		mu.Lock()
		if len(changes) != 1 || changes[0].FromServer || !eq(typeStrings(changes[0].Types), []string{"order", "note"}) {
			t.Errorf("changes = %+v", changes)
		}
		mu.Unlock()
		cancel()
		apply(t, db, noteMut(t, "2026112701", "n2", shop.FlagRed, "再确认"))
		mu.Lock()
		if len(changes) != 1 {
			t.Errorf("cancelled subscriber still called: %d", len(changes))
		}
		mu.Unlock()
		checkConsistent(t, db)
	})
}

func typeStrings(ts []shop.EntityType) []string {
	var out []string
	for _, t := range ts {
		out = append(out, string(t))
	}
	return out
}

func TestApplyConflictAndRejectionStoreNothing(t *testing.T) {
	db := openMem(t)
	seeded(t, db)
	// v2 is claimed by 1002: 1001's claim conflicts.
	out, err := db.Apply(mut(t, shop.KindChatClaim, "v2", "1001", nil))
	if err != nil || out.Conflict == nil || out.Conflict.By != "1002" {
		t.Fatalf("claim: %+v, %v", out, err)
	}
	// An order that does not exist: rejected.
	_, err = db.Apply(noteMut(t, "nope", "n1", shop.FlagRed, "x"))
	if !isRejected(err) {
		t.Fatalf("note on missing order: %v", err)
	}
	if db.OutboxLen() != 0 || db.IsPending(shop.TypeConversation, "v2") {
		t.Fatal("a conflict or rejection stored something")
	}
	// The same mutation twice: the second is rejected.
	m := noteMut(t, "2026112701", "n1", shop.FlagRed, "x")
	apply(t, db, m)
	if _, err := db.Apply(m); !isRejected(err) {
		t.Fatalf("duplicate apply: %v", err)
	}
	if db.OutboxLen() != 1 {
		t.Fatalf("outbox %d", db.OutboxLen())
	}
	checkConsistent(t, db)
}

func TestOutboxOrder(t *testing.T) {
	db := openMem(t)
	seeded(t, db)
	var want []string
	for i, id := range []string{"n3", "n1", "n2"} {
		m := noteMut(t, "2026112702", id, shop.Flag(i), "note "+id)
		want = append(want, m.ID)
		apply(t, db, m)
	}
	m := mut(t, shop.KindChatSend, "v1", "1001", shop.ChatSend{MessageID: "m2", Text: "您好"})
	want = append(want, m.ID)
	apply(t, db, m)
	ob, err := db.Outbox(0)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(ob, func(m shop.Mutation) string { return m.ID }); !eq(got, want) {
		t.Fatalf("outbox order %v, want %v", got, want)
	}
	if ob, _ := db.Outbox(2); len(ob) != 2 || ob[1].ID != want[1] {
		t.Fatalf("Outbox(2) = %d", len(ob))
	}
	// Acknowledging the second leaves the others in order.
	if err := db.Acknowledge([]Ack{{ID: want[1], Status: AckApplied}}); err != nil {
		t.Fatal(err)
	}
	ob, _ = db.Outbox(0)
	if got := ids(ob, func(m shop.Mutation) string { return m.ID }); !eq(got, []string{want[0], want[2], want[3]}) {
		t.Fatalf("after ack: %v", got)
	}
	checkConsistent(t, db)
}

func TestAcknowledgeAppliedAndDuplicate(t *testing.T) {
	for _, status := range []AckStatus{AckApplied, AckDuplicate} {
		t.Run(string(status), func(t *testing.T) {
			db := openMem(t)
			srv := seeded(t, db)
			m := noteMut(t, "2026112701", "n1", shop.FlagRed, "急")
			apply(t, db, m)
			srv.apply(t, m, clock)
			var got []Change
			db.Subscribe(func(c Change) { got = append(got, c) })
			if err := db.Acknowledge([]Ack{{ID: m.ID, Status: status}, {ID: "unknown", Status: AckApplied}}); err != nil {
				t.Fatal(err)
			}
			if db.OutboxLen() != 0 || db.IsPending(shop.TypeOrder, "2026112701") || db.IsPending(shop.TypeNote, "n1") {
				t.Fatal("still pending after the ack")
			}
			// Applied: the local effect stays until the feed brings the server's state.
			// Duplicate: the server's state shows (the feed may already hold the effect; here it
			// does not yet, so the effect shows again with the next pull).
			o := mustOrder(t, db, "2026112701")
			if status == AckApplied && (o.Flag != shop.FlagRed || o.NoteCount != 1) {
				t.Errorf("order after ack: %+v", o)
			}
			if status == AckDuplicate && (o.Flag != shop.FlagGrey || o.NoteCount != 0 || len(noteIDs(t, db, o.ID)) != 0) {
				t.Errorf("order after duplicate ack: %+v", o)
			}
			pull(t, db, srv)
			if o := mustOrder(t, db, "2026112701"); o.Flag != shop.FlagRed || o.NoteCount != 1 || !eq(noteIDs(t, db, o.ID), []string{"n1"}) {
				t.Errorf("order after pull: %+v", o)
			}
			if len(got) != 2 || !got[0].FromServer {
				t.Errorf("notifications %+v", got)
			}
			if ps, _ := db.Problems(); len(ps) != 0 {
				t.Errorf("problems %v", ps)
			}
			checkConsistent(t, db)
		})
	}
	db := openMem(t)
	if err := db.Acknowledge([]Ack{{ID: "x", Status: "weird"}}); err == nil {
		t.Fatal("unknown status accepted")
	}
}

func TestAcknowledgeConflictRestoresServerState(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		srv := seeded(t, db)
		order := "2026112701"
		note := noteMut(t, order, "n1", shop.FlagRed, "先别发")
		apply(t, db, note)
		addr := mut(t, shop.KindOrderAddress, order, "1001", shop.AddressCheckSet{NoteID: "n2", Result: shop.AddressConfirmed})
		apply(t, db, addr)
		if o := mustOrder(t, db, order); o.AddressCheck != shop.AddressConfirmed || o.NoteCount != 2 {
			t.Fatalf("before: %+v", o)
		}
		// Meanwhile on the server the order was paid and shipped by 1002.
		var so shop.Order
		srv.Get(shop.TypeOrder, order, &so)
		so.Status, so.ShippedAt = shop.StatusShipped, t0.Add(30*time.Minute)
		cur := srv.add(shop.TypeOrder, order, so)
		conflict := &shop.Conflict{Reason: "order is shipped; its address can no longer change", By: "1002", At: t0.Add(30 * time.Minute), Current: []shop.Record{cur}}
		if err := db.Acknowledge([]Ack{{ID: addr.ID, Status: AckConflict, Conflict: conflict}}); err != nil {
			t.Fatal(err)
		}
		o := mustOrder(t, db, order)
		// Server state (shipped, no address check) with the still-pending note on top.
		if o.Status != shop.StatusShipped || o.AddressCheck != "" || o.Flag != shop.FlagRed || o.NoteCount != 1 {
			t.Errorf("after conflict: status %s check %q flag %v notes %d", o.Status, o.AddressCheck, o.Flag, o.NoteCount)
		}
		if v, _, _ := db.Get(shop.TypeOrder, order, nil); v != cur.Seq {
			t.Errorf("version %d, want the conflict's %d", v, cur.Seq)
		}
		if got := noteIDs(t, db, order); !eq(got, []string{"n1"}) {
			t.Errorf("notes %v: the address note must go, the pending note stay", got)
		}
		if db.IsPending(shop.TypeNote, "n2") || !db.IsPending(shop.TypeOrder, order) || db.OutboxLen() != 1 {
			t.Error("pending state wrong after conflict")
		}
		ps, err := db.Problems()
		if err != nil || len(ps) != 1 {
			t.Fatalf("problems %v %v", ps, err)
		}
		p := ps[0]
		if p.MutationID != addr.ID || p.Status != AckConflict || p.By != "1002" || !p.At.Equal(conflict.At) ||
			p.Reason != conflict.Reason || p.Kind != shop.KindOrderAddress || p.Entity != order || len(p.Current) != 1 || string(p.Data) != string(addr.Data) {
			t.Errorf("problem %+v", p)
		}
		checkConsistent(t, db)

		// The note is acknowledged; the feed then brings the server's final state.
		if err := db.Acknowledge([]Ack{{ID: note.ID, Status: AckApplied}}); err != nil {
			t.Fatal(err)
		}
		srv.apply(t, note, clock)
		pull(t, db, srv)
		if o := mustOrder(t, db, order); o.Flag != shop.FlagRed || o.NoteCount != 1 || o.Status != shop.StatusShipped {
			t.Errorf("final %+v", o)
		}
		if err := db.DismissProblem(addr.ID); err != nil {
			t.Fatal(err)
		}
		if ps, _ := db.Problems(); len(ps) != 0 {
			t.Errorf("problems after dismiss: %v", ps)
		}
		checkConsistent(t, db)
	})
}

func TestAcknowledgeRejectedUndoesCreation(t *testing.T) {
	db := openMem(t)
	seeded(t, db)
	add := mut(t, shop.KindCustomerAdd, "c9", "1001", shop.Customer{Nick: "新客户", Phone: "13600000000"})
	apply(t, db, add)
	if cs, _ := db.SearchCustomers("新客", 10); len(cs) != 1 {
		t.Fatalf("new customer not found: %v", cs)
	}
	if err := db.Acknowledge([]Ack{{ID: add.ID, Status: AckRejected, Reason: "customer already exists"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Customer("c9"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rejected customer still there: %v", err)
	}
	if cs, _ := db.SearchCustomers("新客", 10); len(cs) != 0 {
		t.Fatalf("rejected customer still indexed: %v", cs)
	}
	ps, _ := db.Problems()
	if len(ps) != 1 || ps[0].Reason != "customer already exists" || ps[0].Status != AckRejected || !ps[0].At.Equal(clock) {
		t.Fatalf("problems %+v", ps)
	}
	checkConsistent(t, db)
}

func TestPendingDeleteAndRejectedDelete(t *testing.T) {
	db := openMem(t)
	seeded(t, db)
	del := mut(t, shop.KindPhraseDelete, "ph1", "1001", nil)
	apply(t, db, del)
	if ps, _ := db.Phrases("1001"); len(ps) != 1 || ps[0].ID != "ph2" {
		t.Fatalf("phrases after delete: %v", ps)
	}
	if !db.IsPending(shop.TypePhrase, "ph1") {
		t.Fatal("a pending delete is pending")
	}
	checkConsistent(t, db)
	if err := db.Acknowledge([]Ack{{ID: del.ID, Status: AckRejected, Reason: "no"}}); err != nil {
		t.Fatal(err)
	}
	if ps, _ := db.Phrases("1001"); len(ps) != 2 {
		t.Fatalf("phrases after rejected delete: %v", ps)
	}
	checkConsistent(t, db)
}
