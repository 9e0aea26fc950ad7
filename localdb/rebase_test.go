package localdb

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"kefu/shop"
)

func TestApplyChangesWithoutPending(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		srv := seeded(t, db)
		if c, _ := db.Cursor(); c != srv.seq {
			t.Fatalf("cursor %d, want %d", c, srv.seq)
		}
		var o shop.Order
		v, ok, err := db.Get(shop.TypeOrder, "2026112704", &o)
		if err != nil || !ok || o.Nick != "lucky猫" || v != srv.recs[entKey{shop.TypeOrder, "2026112704"}].Seq {
			t.Fatalf("get: %v %v %v %+v", v, ok, err, o)
		}
		// A change and a deletion.
		o.Status, o.Address.Phone = shop.StatusShipped, "13700000000"
		srv.add(shop.TypeOrder, o.ID, o)
		srv.put(shop.Record{Type: shop.TypePhrase, ID: "ph1", Deleted: true})
		var changes []Change
		db.Subscribe(func(c Change) { changes = append(changes, c) })
		pull(t, db, srv)
		if got := mustOrder(t, db, o.ID); got.Status != shop.StatusShipped {
			t.Errorf("status %s", got.Status)
		}
		if os, _ := db.SearchOrders("137123", OrderFilter{}, 10); len(os) != 0 {
			t.Errorf("old phone still indexed: %v", orderIDs(os))
		}
		if os, _ := db.SearchOrders("1370000", OrderFilter{}, 10); !eq(orderIDs(os), []string{o.ID}) {
			t.Errorf("new phone not indexed: %v", orderIDs(os))
		}
		if os, _ := db.SearchOrders("", OrderFilter{Status: shop.StatusPaid}, 10); len(os) != 0 {
			t.Errorf("old status still indexed: %v", orderIDs(os))
		}
		if ps, _ := db.Phrases(""); len(ps) != 1 {
			t.Errorf("deleted phrase still listed: %v", ps)
		}
		if len(changes) != 1 || !changes[0].FromServer || !eq(typeStrings(changes[0].Types), []string{"phrase", "order"}) {
			t.Errorf("changes %+v", changes)
		}
		// An older state than the stored one is ignored; the same one again is harmless.
		stale := shop.NewRecord(shop.TypeOrder, o.ID, shop.Order{ID: o.ID, Status: shop.StatusUnpaid})
		stale.Seq = 3
		if err := db.ApplyChanges([]shop.Record{stale}, srv.seq); err != nil {
			t.Fatal(err)
		}
		if got := mustOrder(t, db, o.ID); got.Status != shop.StatusShipped {
			t.Errorf("stale record applied: %s", got.Status)
		}
		if err := db.ApplyChanges(srv.since(0), srv.seq); err != nil {
			t.Fatal(err)
		}
		checkConsistent(t, db)
	})
}

// The heart of offline-first: a note made offline survives a server change to the same order.
func TestPendingNoteSurvivesServerChange(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		srv := seeded(t, db)
		order := "2026112701"
		note := noteMut(t, order, "n-desk", shop.FlagRed, "客户要求改发顺丰")
		apply(t, db, note)

		// Another desk flags the order yellow with its own note; the server applies it first.
		other := mut(t, shop.KindOrderNote, order, "1002", shop.OrderNoteAdd{NoteID: "n-other", Flag: shop.FlagYellow, Text: "缺货"})
		other.At = t0.Add(10 * time.Minute)
		srv.apply(t, other, t0.Add(10*time.Minute))
		pull(t, db, srv)

		o := mustOrder(t, db, order)
		if o.Flag != shop.FlagRed || o.FlagBy != "1001" {
			t.Errorf("flag %v by %s: the pending note's flag must show on top", o.Flag, o.FlagBy)
		}
		if o.NoteCount != 2 {
			t.Errorf("NoteCount %d, want 2 (server's note + pending note)", o.NoteCount)
		}
		notes := noteIDs(t, db, order)
		if len(notes) != 2 || !contains(notes, "n-desk") || !contains(notes, "n-other") {
			t.Errorf("notes %v", notes)
		}
		// The server's copy says yellow until the pending note is acknowledged.
		if s := serverCopy[shop.Order](t, db, shop.TypeOrder, order); s.Flag != shop.FlagYellow || s.NoteCount != 1 {
			t.Errorf("server copy %+v", s)
		}
		if v, _, _ := db.Get(shop.TypeOrder, order, nil); v != srv.recs[entKey{shop.TypeOrder, order}].Seq {
			t.Errorf("version %d: a rebased entity carries the server's version", v)
		}
		if db.OutboxLen() != 1 || !db.IsPending(shop.TypeNote, "n-desk") {
			t.Error("the pending note left the outbox")
		}
		checkConsistent(t, db)

		// Push, ack, pull: the server's state (with the note applied after the yellow one).
		srv.apply(t, note, clock)
		if err := db.Acknowledge([]Ack{{ID: note.ID, Status: AckApplied}}); err != nil {
			t.Fatal(err)
		}
		pull(t, db, srv)
		o = mustOrder(t, db, order)
		if o.Flag != shop.FlagRed || o.NoteCount != 2 || db.IsPending(shop.TypeOrder, order) {
			t.Errorf("final order %+v", o)
		}
		if v, _, _ := db.Get(shop.TypeOrder, order, nil); v != srv.recs[entKey{shop.TypeOrder, order}].Seq {
			t.Errorf("final version %d", v)
		}
		checkConsistent(t, db)
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// serverCopy reads the s/ copy of a pending entity.
func serverCopy[T any](t *testing.T, db *DB, typ shop.EntityType, id string) T {
	t.Helper()
	var v T
	w := db.newWtx()
	defer w.discard()
	st, err := w.getS(entKey{typ, id})
	if err != nil || !st.exists() {
		t.Fatalf("no server copy of %s %s: %v", typ, id, err)
	}
	if err := json.Unmarshal(st.data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// A crash between the server applying a mutation and the ack arriving: the feed brings the
// mutation's own records while it is still in the outbox.
func TestFeedCarriesOwnPendingMutation(t *testing.T) {
	db := openMem(t)
	srv := seeded(t, db)
	order := "2026112701"
	note := noteMut(t, order, "n1", shop.FlagGreen, "已核对")
	apply(t, db, note)
	srv.apply(t, note, clock)
	pull(t, db, srv)
	o := mustOrder(t, db, order)
	if o.NoteCount != 1 || o.Flag != shop.FlagGreen {
		t.Errorf("order %+v: the note must count once", o)
	}
	if got := noteIDs(t, db, order); !eq(got, []string{"n1"}) {
		t.Errorf("notes %v", got)
	}
	if db.OutboxLen() != 1 {
		t.Error("the mutation must stay in the outbox until acknowledged")
	}
	checkConsistent(t, db)
	if err := db.Acknowledge([]Ack{{ID: note.ID, Status: AckDuplicate}}); err != nil {
		t.Fatal(err)
	}
	if db.OutboxLen() != 0 || db.IsPending(shop.TypeOrder, order) || db.IsPending(shop.TypeNote, "n1") {
		t.Error("still pending after the duplicate ack")
	}
	if o := mustOrder(t, db, order); o.NoteCount != 1 {
		t.Errorf("after ack %+v", o)
	}
	checkConsistent(t, db)
}

// Rebase follows mutations transitively: a reminder writes the order, a message and the
// conversation; a chat message writes the conversation too.
func TestRebaseTransitive(t *testing.T) {
	db := openMem(t)
	srv := seeded(t, db)
	remind := mut(t, shop.KindOrderRemind, "2026112701", "1001", shop.Remind{MessageID: "m-r", ConversationID: "v1", Text: "亲，记得付款哦"})
	apply(t, db, remind)
	send := mut(t, shop.KindChatSend, "v1", "1001", shop.ChatSend{MessageID: "m-s", Text: "还在吗"})
	apply(t, db, send)
	// The customer writes again; the server updates only the conversation.
	var c shop.Conversation
	srv.Get(shop.TypeConversation, "v1", &c)
	recs, err := shop.CustomerWrites(srv, "v1", "m-c", "我马上付", t0.Add(2*time.Minute), func() string { return "auto" })
	if err != nil {
		t.Fatal(err)
	}
	srv.put(recs...)
	pull(t, db, srv)
	conv, err := db.Conversation("v1")
	if err != nil {
		t.Fatal(err)
	}
	// Server: 2 messages (m1, m-c); pending on top: m-r, m-s.
	if conv.Messages != 4 || !conv.WaitingSince.IsZero() || conv.Unread != 0 || conv.Assignee != "1001" {
		t.Errorf("conversation %+v", conv)
	}
	ms, err := db.Messages("v1", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(ms, func(m shop.Message) string { return m.ID }); !eq(got, []string{"m1", "m-r", "m-s", "m-c"}) {
		t.Errorf("messages %v", got)
	}
	if o := mustOrder(t, db, "2026112701"); !o.RemindedAt.Equal(t0) {
		t.Errorf("reminded at %v", o.RemindedAt)
	}
	// Waiting index: v1 is answered locally, so it is not waiting.
	if n, _ := db.WaitingCount(); n != 1 {
		t.Errorf("waiting %d", n)
	}
	checkConsistent(t, db)
}

// A pending mutation whose replay conflicts stays in the outbox with no effect shown.
func TestReplayConflictHidesEffectKeepsMutation(t *testing.T) {
	db := openMem(t)
	srv := seeded(t, db)
	claim := mut(t, shop.KindChatClaim, "v1", "1001", nil)
	apply(t, db, claim)
	if c, _ := db.Conversation("v1"); c.Assignee != "1001" {
		t.Fatalf("claim not shown: %+v", c)
	}
	// 1002 claims it on the server first.
	srv.apply(t, mut(t, shop.KindChatClaim, "v1", "1002", nil), t0.Add(time.Minute))
	pull(t, db, srv)
	if c, _ := db.Conversation("v1"); c.Assignee != "1002" {
		t.Errorf("assignee %q: the server's claim shows while ours would conflict", c.Assignee)
	}
	if db.OutboxLen() != 1 {
		t.Error("the mutation left the outbox")
	}
	if cs, _ := db.Conversations(FilterMine, "1002", "", 10); !eq(convIDs(cs), []string{"v2", "v1"}) {
		t.Errorf("mine(1002) = %v", convIDs(cs))
	}
	checkConsistent(t, db)
	out := srv.apply(t, claim, clock)
	if out.Conflict == nil {
		t.Fatal("server accepted a second claim")
	}
	if err := db.Acknowledge([]Ack{{ID: claim.ID, Status: AckConflict, Conflict: out.Conflict}}); err != nil {
		t.Fatal(err)
	}
	if db.OutboxLen() != 0 || db.IsPending(shop.TypeConversation, "v1") {
		t.Error("still pending")
	}
	if c, _ := db.Conversation("v1"); c.Assignee != "1002" {
		t.Errorf("assignee %q after conflict", c.Assignee)
	}
	checkConsistent(t, db)
}

func TestMessageMovesWhenAtChanges(t *testing.T) {
	db := openMem(t)
	srv := seeded(t, db)
	for i := 0; i < 3; i++ {
		id := []string{"ma", "mb", "mc"}[i]
		srv.add(shop.TypeMessage, id, shop.Message{ID: id, ConversationID: "v1", From: shop.FromCustomer, Text: id, At: t0.Add(time.Duration(i+1) * time.Minute)})
	}
	pull(t, db, srv)
	// The desk sends at 10:00 by its (slow) clock: shown before ma..mc.
	send := mut(t, shop.KindChatSend, "v1", "1001", shop.ChatSend{MessageID: "m-desk", Text: "好的"})
	send.At = t0.Add(-time.Minute)
	apply(t, db, send)
	msgs := func() []string {
		ms, err := db.Messages("v1", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		return ids(ms, func(m shop.Message) string { return m.ID })
	}
	if got := msgs(); !eq(got, []string{"m1", "m-desk", "ma", "mb", "mc"}) {
		t.Fatalf("before: %v", got)
	}
	// The server stamps it later; its record replaces the desk's.
	if err := db.Acknowledge([]Ack{{ID: send.ID, Status: AckApplied}}); err != nil {
		t.Fatal(err)
	}
	srv.apply(t, send, t0.Add(-time.Minute))
	var m shop.Message
	srv.Get(shop.TypeMessage, "m-desk", &m)
	m.At = t0.Add(150 * time.Second)
	srv.add(shop.TypeMessage, m.ID, m)
	pull(t, db, srv)
	if got := msgs(); !eq(got, []string{"m1", "ma", "mb", "m-desk", "mc"}) {
		t.Fatalf("after: %v", got)
	}
	checkConsistent(t, db)
}

func TestApplyChangesChunksLargeBatches(t *testing.T) {
	db := openMem(t)
	srv := demo()
	big := strings.Repeat("长", 60_000) // ~180 kB of JSON per record
	for i := 0; i < 24; i++ {
		id := "big" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		srv.add(shop.TypeEvidence, id, shop.Evidence{ID: id, ReviewID: "r1", Kind: "chat", Title: "聊天记录", Text: big})
	}
	var changes []Change
	db.Subscribe(func(c Change) { changes = append(changes, c) })
	before := db.commits.Load()
	pull(t, db, srv)
	if n := db.commits.Load() - before; n < 2 {
		t.Errorf("%d transactions for 4 MB of records: Badger's limit is %d bytes", n, db.bdb.MaxBatchSize())
	}
	if len(changes) != 1 {
		t.Errorf("%d notifications for one call", len(changes))
	}
	ev, err := db.EvidenceOf("r1")
	if err != nil || len(ev) != 24 {
		t.Fatalf("evidence %d, %v", len(ev), err)
	}
	if c, _ := db.Cursor(); c != srv.seq {
		t.Fatalf("cursor %d", c)
	}
	checkConsistent(t, db)
}

func TestApplyChangesChunkKeepsCursorUntilLast(t *testing.T) {
	db := openMem(t)
	// Simulate the state after a crash between chunks: only the first chunk's records stored,
	// the cursor not advanced, so the whole batch comes again and is applied idempotently.
	srv := demo()
	recs := srv.since(0)
	if err := db.ApplyChanges(recs[:5], 0); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Cursor(); c != 0 {
		t.Fatalf("cursor %d", c)
	}
	if err := db.ApplyChanges(recs, srv.seq); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Order("2026112701"); err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, db)
}

func TestResetCacheKeepsOutbox(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		srv := seeded(t, db)
		note := noteMut(t, "2026112701", "n1", shop.FlagBlue, "改地址")
		apply(t, db, note)
		rej := mut(t, shop.KindCustomerAdd, "c9", "1001", shop.Customer{Nick: "x"})
		apply(t, db, rej)
		if err := db.Acknowledge([]Ack{{ID: rej.ID, Status: AckRejected, Reason: "r"}}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetMeta("server", "https://kefu.example"); err != nil {
			t.Fatal(err)
		}
		if err := db.ResetCache(); err != nil {
			t.Fatal(err)
		}
		if c, _ := db.Cursor(); c != 0 {
			t.Errorf("cursor %d", c)
		}
		if _, err := db.Order("2026112702"); !errors.Is(err, ErrNotFound) {
			t.Errorf("cached order kept: %v", err)
		}
		if ps, _ := db.SearchProducts("", 0); len(ps) != 0 {
			t.Errorf("products kept: %d", len(ps))
		}
		// The pending note and its order stay.
		if o := mustOrder(t, db, "2026112701"); o.Flag != shop.FlagBlue || o.NoteCount != 1 {
			t.Errorf("pending order %+v", o)
		}
		if got := noteIDs(t, db, "2026112701"); !eq(got, []string{"n1"}) {
			t.Errorf("notes %v", got)
		}
		if ob, _ := db.Outbox(0); len(ob) != 1 || ob[0].ID != note.ID {
			t.Errorf("outbox %v", ob)
		}
		if ps, _ := db.Problems(); len(ps) != 1 {
			t.Errorf("problems %d", len(ps))
		}
		if v, _ := db.Meta("server"); v != "https://kefu.example" {
			t.Errorf("meta %q", v)
		}
		checkConsistent(t, db)
		pull(t, db, srv)
		if o := mustOrder(t, db, "2026112701"); o.Flag != shop.FlagBlue || o.NoteCount != 1 {
			t.Errorf("after re-download %+v", o)
		}
		if ps, _ := db.SearchProducts("", 0); len(ps) != 4 {
			t.Errorf("products %d", len(ps))
		}
		checkConsistent(t, db)
	})
}

// TestPageFromBeforeResetIsDropped: a long poll in flight while the staff member re-downloads
// the shop must not write its old cursor back, or the shop would never be pulled from the start.
func TestPageFromBeforeResetIsDropped(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		srv := seeded(t, db)
		c, err := db.Cursor() // the engine reads the cursor and sends its long poll
		if err != nil || c == 0 {
			t.Fatalf("cursor %d, %v", c, err)
		}
		page := srv.since(c)
		if err := db.ResetCache(); err != nil { // meanwhile: re-download shop data
			t.Fatal(err)
		}
		if err := db.ApplyChanges(page, srv.seq); err != nil { // the poll answers
			t.Fatal(err)
		}
		if c, _ := db.Cursor(); c != 0 {
			t.Fatalf("a page pulled before the reset moved the cursor to %d", c)
		}
		pull(t, db, srv)
		if c, _ := db.Cursor(); c != srv.seq {
			t.Fatalf("after a fresh pull the cursor is %d, want %d", c, srv.seq)
		}
		if _, err := db.Order("2026112702"); err != nil {
			t.Fatalf("the shop was not downloaded again: %v", err)
		}
		checkConsistent(t, db)
	})
}
