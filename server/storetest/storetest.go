// Package storetest is the conformance suite of the store server's storage: every
// store.Store engine must pass Run. It checks each contract documented in package store and
// nothing an engine may do its own way (how it lays data out, when it reclaims space).
//
// An engine's package runs it from a normal test:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			st, err := Open(...) // a new, empty store
//			if err != nil {
//				t.Fatal(err)
//			}
//			return st
//		})
//	}
//
// Every subtest gets a store of its own from newStore and closes it when it ends (closing a
// closed store must return nil); no subtest depends on another or on their order, so that
// `go test -run 'TestConformance/Feed'` runs one alone. Nothing but the store.Store interface
// is used, so a PostgreSQL store runs the suite unchanged.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// Run runs every conformance test on stores made by newStore, each new and empty.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st store.Store)
	}{
		{"UpdateCommits", testUpdateCommits},
		{"UpdateRollsBackOnError", testUpdateRollsBack},
		{"ReadYourWrites", testReadYourWrites},
		{"ViewSnapshot", testViewSnapshot},
		{"ShopIsolation", testShopIsolation},
		{"Shops", testShops},
		{"SeqPerShop", testSeqPerShop},
		{"FeedOrderAndCompaction", testFeed},
		{"FeedCommits", testFeedCommits},
		{"FeedCommitsConcurrent", testFeedCommitsConcurrent},
		{"Tombstones", testTombstones},
		{"InvalidRecords", testInvalidRecords},
		{"Results", testResults},
		{"Credentials", testCredentials},
		{"Tokens", testTokens},
		{"TokenExpiry", testTokenExpiry},
		{"ChatTokens", testChatTokens},
		{"IndexDeclare", testIndexDeclare},
		{"IndexAddRemove", testIndexAddRemove},
		{"IndexScanRanges", testIndexScanRanges},
		{"IndexRollback", testIndexRollback},
		{"IndexInvalid", testIndexInvalid},
		{"ConcurrentUpdatesSerialised", testConcurrentUpdates},
		{"UpdatesOfShopsInParallel", testParallelShops},
		{"CancelledContext", testCancelled},
		{"CancelDuringUpdate", testCancelDuringUpdate},
		{"CancelWhileWaiting", testCancelWhileWaiting},
		{"Close", testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t)
			t.Cleanup(func() {
				if err := st.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, st)
		})
	}
}

// Shops the tests write to.
const (
	shopA = "shop-a"
	shopB = "shop-b"
)

// errTest is the error a test's Update returns to roll back.
var errTest = errors.New("storetest: roll back")

func ctxOf(t *testing.T) context.Context { return t.Context() }

func record(t shop.EntityType, id, data string) shop.Record {
	return shop.Record{Type: t, ID: id, Data: []byte(data)}
}

func mustUpdate(t *testing.T, st store.Store, shopID string, fn func(store.Tx) error) {
	t.Helper()
	if err := st.Update(ctxOf(t), shopID, fn); err != nil {
		t.Fatalf("Update %s: %v", shopID, err)
	}
}

func mustView(t *testing.T, st store.Store, shopID string, fn func(store.ReadTx) error) {
	t.Helper()
	if err := st.View(ctxOf(t), shopID, fn); err != nil {
		t.Fatalf("View %s: %v", shopID, err)
	}
}

// put stores records in one Update and returns their seqs.
func put(t *testing.T, st store.Store, shopID string, recs ...shop.Record) []int64 {
	t.Helper()
	var seqs []int64
	mustUpdate(t, st, shopID, func(tx store.Tx) error {
		seqs = seqs[:0]
		for _, r := range recs {
			seq, err := tx.Put(r)
			if err != nil {
				return err
			}
			seqs = append(seqs, seq)
		}
		return nil
	})
	return seqs
}

// feed reads a shop's whole feed after seq.
func feed(t *testing.T, st store.Store, shopID string, after int64) []shop.Record {
	t.Helper()
	var out []shop.Record
	mustView(t, st, shopID, func(tx store.ReadTx) error {
		return tx.Feed(after, func(r shop.Record) bool { out = append(out, r); return true })
	})
	return out
}

// get reads one record.
func get(t *testing.T, st store.Store, shopID string, typ shop.EntityType, id string) (shop.Record, bool) {
	t.Helper()
	var rec shop.Record
	var found bool
	mustView(t, st, shopID, func(tx store.ReadTx) error {
		var err error
		rec, found, err = tx.Record(typ, id)
		return err
	})
	return rec, found
}

func seqOf(t *testing.T, st store.Store, shopID string) int64 {
	t.Helper()
	var seq int64
	mustView(t, st, shopID, func(tx store.ReadTx) error {
		var err error
		seq, err = tx.Seq()
		return err
	})
	return seq
}

// feedIDs is the feed as "type/id@seq" strings.
func feedIDs(recs []shop.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = fmt.Sprintf("%s/%s@%d", r.Type, r.ID, r.Seq)
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testUpdateCommits(t *testing.T, st store.Store) {
	seqs := put(t, st, shopA, record(shop.TypeCustomer, "u1", `{"nick":"a"}`), record(shop.TypeOrder, "o1", `{"id":"o1"}`))
	if len(seqs) != 2 || seqs[0] != 1 || seqs[1] != 2 {
		t.Fatalf("seqs of the first two records: %v, want [1 2]", seqs)
	}
	rec, found := get(t, st, shopA, shop.TypeCustomer, "u1")
	if !found || rec.Seq != 1 || string(rec.Data) != `{"nick":"a"}` || rec.Deleted || rec.Type != shop.TypeCustomer || rec.ID != "u1" {
		t.Fatalf("record after commit: %+v, found %v", rec, found)
	}
	if _, found := get(t, st, shopA, shop.TypeCustomer, "nobody"); found {
		t.Fatal("a record never stored is found")
	}
	if err := st.Sync(ctxOf(t)); err != nil {
		t.Fatalf("Sync: %v", err)
	}
}

// writeEach writes one of everything a shop holds: record customer/u1 with data, the
// account, credential 1001, result m1, chat token c1 and entry ("nick", u1) of nickIndex.
func writeEach(tx store.Tx, data string) error {
	if _, err := tx.Put(record(shop.TypeCustomer, "u1", data)); err != nil {
		return err
	}
	if err := tx.PutAccount(store.ShopAccount{ID: shopA}); err != nil {
		return err
	}
	if err := tx.PutCredential(store.Credential{Staff: "1001", Hash: []byte("h")}); err != nil {
		return err
	}
	if err := tx.PutResult(storeapi.Result{ID: "m1", Status: storeapi.StatusApplied}); err != nil {
		return err
	}
	if err := tx.PutChatToken("c1", store.ChatToken{Conversation: "conv-a"}); err != nil {
		return err
	}
	return tx.AddEntry(nickIndex.Name, store.Entry{Key: []any{"nick"}, ID: "u1"})
}

// expectNothing checks that a shop holds none of what writeEach writes but the record
// customer/u1 (the caller checks that) and that its seq is seq.
func expectNothing(t *testing.T, st store.Store, shopID string, seq int64) {
	t.Helper()
	mustView(t, st, shopID, func(tx store.ReadTx) error {
		if got, err := tx.Seq(); err != nil || got != seq {
			t.Errorf("seq %d, %v; want %d", got, err, seq)
		}
		if _, found, err := tx.Account(); err != nil || found {
			t.Errorf("an account: %v, %v", found, err)
		}
		if _, found, err := tx.Credential("1001"); err != nil || found {
			t.Errorf("a credential: %v, %v", found, err)
		}
		if _, found, err := tx.Result("m1"); err != nil || found {
			t.Errorf("a result: %v, %v", found, err)
		}
		n := 0
		if err := tx.Results(func(storeapi.Result) bool { n++; return true }); err != nil || n != 0 {
			t.Errorf("%d results listed, %v", n, err)
		}
		if _, found, err := tx.ChatToken("c1"); err != nil || found {
			t.Errorf("a chat token: %v, %v", found, err)
		}
		if n := countEntries(t, tx, nickIndex.Name, store.Query{}); n != 0 {
			t.Errorf("%d index entries", n)
		}
		return nil
	})
}

func testUpdateRollsBack(t *testing.T, st store.Store) {
	put(t, st, shopA, record(shop.TypeCustomer, "u1", `{"v":1}`))
	if err := st.Declare(ctxOf(t), nickIndex); err != nil {
		t.Fatal(err)
	}
	err := st.Update(ctxOf(t), shopA, func(tx store.Tx) error {
		if err := writeEach(tx, `{"v":2}`); err != nil {
			return err
		}
		if _, err := tx.Put(record(shop.TypeCustomer, "u2", `{"v":1}`)); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", errTest)
	})
	if !errors.Is(err, errTest) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	if rec, _ := get(t, st, shopA, shop.TypeCustomer, "u1"); string(rec.Data) != `{"v":1}` || rec.Seq != 1 {
		t.Errorf("u1 after the rollback: %+v", rec)
	}
	if _, found := get(t, st, shopA, shop.TypeCustomer, "u2"); found {
		t.Error("u2 was stored by an Update that failed")
	}
	if got := feedIDs(feed(t, st, shopA, 0)); !equalStrings(got, []string{"customer/u1@1"}) {
		t.Errorf("feed after the rollback: %v", got)
	}
	expectNothing(t, st, shopA, 1)
	// The next Put gets the next seq: the rolled-back ones are not used up.
	if seqs := put(t, st, shopA, record(shop.TypeCustomer, "u3", `{}`)); seqs[0] != 2 {
		t.Errorf("seq after a rolled-back Update: %d, want 2", seqs[0])
	}
	if shops, err := st.Shops(ctxOf(t)); err != nil || len(shops) != 0 {
		t.Errorf("shops after the rollback: %v, %v", shops, err)
	}
}

func testReadYourWrites(t *testing.T, st store.Store) {
	mustUpdate(t, st, shopA, func(tx store.Tx) error {
		if seq, err := tx.Seq(); err != nil || seq != 0 {
			return fmt.Errorf("seq of a new shop: %d, %v", seq, err)
		}
		seq, err := tx.Put(record(shop.TypeNote, "n1", `{"x":1}`))
		if err != nil {
			return err
		}
		if now, err := tx.Seq(); err != nil || now != seq {
			return fmt.Errorf("seq after Put: %d, %v; Put returned %d", now, err, seq)
		}
		rec, found, err := tx.Record(shop.TypeNote, "n1")
		if err != nil || !found || rec.Seq != seq || string(rec.Data) != `{"x":1}` {
			return fmt.Errorf("the Update's own record: %+v, %v, %v", rec, found, err)
		}
		if err := tx.PutResult(storeapi.Result{ID: "m1", Status: storeapi.StatusApplied, Seq: seq}); err != nil {
			return err
		}
		if res, found, err := tx.Result("m1"); err != nil || !found || res.Seq != seq {
			return fmt.Errorf("the Update's own result: %+v, %v, %v", res, found, err)
		}
		var n int
		err = tx.Feed(0, func(shop.Record) bool { n++; return true })
		if err != nil || n != 1 {
			return fmt.Errorf("the Update's own feed: %d records, %v", n, err)
		}
		return nil
	})
}

func testViewSnapshot(t *testing.T, st store.Store) {
	put(t, st, shopA, record(shop.TypeNote, "n1", `{"v":1}`))
	inView, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- st.View(context.Background(), shopA, func(tx store.ReadTx) error {
			close(inView)
			<-release
			rec, _, err := tx.Record(shop.TypeNote, "n1")
			if err != nil {
				return err
			}
			seq, err := tx.Seq()
			if err != nil {
				return err
			}
			if string(rec.Data) != `{"v":1}` || seq != 1 {
				return fmt.Errorf("a View saw a later commit: %s at seq %d", rec.Data, seq)
			}
			return nil
		})
	}()
	<-inView
	put(t, st, shopA, record(shop.TypeNote, "n1", `{"v":2}`))
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func testShopIsolation(t *testing.T, st store.Store) {
	if err := st.Declare(ctxOf(t), nickIndex); err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, st, shopA, func(tx store.Tx) error { return writeEach(tx, `{"shop":"a"}`) })
	// Shop b sees none of it, though its ids are the same.
	if _, found := get(t, st, shopB, shop.TypeCustomer, "u1"); found {
		t.Error("shop b sees shop a's record")
	}
	if got := feed(t, st, shopB, 0); len(got) != 0 {
		t.Errorf("shop b's feed has %d records", len(got))
	}
	expectNothing(t, st, shopB, 0)
	// Shop b's writes leave shop a alone.
	seqs := put(t, st, shopB, record(shop.TypeCustomer, "u1", `{"shop":"b"}`))
	if seqs[0] != 1 {
		t.Errorf("shop b's first seq: %d, want 1", seqs[0])
	}
	if rec, _ := get(t, st, shopA, shop.TypeCustomer, "u1"); string(rec.Data) != `{"shop":"a"}` {
		t.Errorf("shop a's record after shop b wrote the same id: %s", rec.Data)
	}
	// Shops whose ids share a beginning are still apart.
	put(t, st, "shop", record(shop.TypeCustomer, "u9", `{}`))
	put(t, st, "shop-aa", record(shop.TypeCustomer, "u8", `{}`))
	if got := feedIDs(feed(t, st, shopA, 0)); !equalStrings(got, []string{"customer/u1@1"}) {
		t.Errorf("shop a's feed: %v", got)
	}
	expectNothing(t, st, "shop-aa", 1)
}

func testShops(t *testing.T, st store.Store) {
	if shops, err := st.Shops(ctxOf(t)); err != nil || len(shops) != 0 {
		t.Fatalf("shops of a new store: %v, %v", shops, err)
	}
	for _, id := range []string{"zeta", "alpha", "mid"} {
		mustUpdate(t, st, id, func(tx store.Tx) error {
			return tx.PutAccount(store.ShopAccount{ID: id, Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Demo: id == "mid"})
		})
	}
	put(t, st, "no-account", record(shop.TypeNote, "n", `{}`)) // records alone make no shop
	shops, err := st.Shops(ctxOf(t))
	if err != nil || !equalStrings(shops, []string{"alpha", "mid", "zeta"}) {
		t.Fatalf("shops: %v, %v; want [alpha mid zeta]", shops, err)
	}
	mustView(t, st, "mid", func(tx store.ReadTx) error {
		a, found, err := tx.Account()
		if err != nil || !found || a.ID != "mid" || !a.Demo || !a.Created.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
			t.Errorf("account: %+v, %v, %v", a, found, err)
		}
		return nil
	})
	// Replacing an account keeps one shop.
	mustUpdate(t, st, "mid", func(tx store.Tx) error { return tx.PutAccount(store.ShopAccount{ID: "mid"}) })
	if shops, _ := st.Shops(ctxOf(t)); len(shops) != 3 {
		t.Errorf("shops after replacing an account: %v", shops)
	}
}

func testSeqPerShop(t *testing.T, st store.Store) {
	if seq := seqOf(t, st, shopA); seq != 0 {
		t.Fatalf("seq of a new shop: %d", seq)
	}
	var last int64
	for i := 0; i < 5; i++ {
		seqs := put(t, st, shopA, record(shop.TypeNote, fmt.Sprint("n", i%2), `{}`), record(shop.TypeNote, fmt.Sprint("m", i), `{}`))
		for _, s := range seqs {
			if s != last+1 {
				t.Fatalf("seq %d after %d: not one more", s, last)
			}
			last = s
		}
	}
	if seq := seqOf(t, st, shopA); seq != last {
		t.Fatalf("Seq %d, the last Put returned %d", seq, last)
	}
	// An Update without Puts leaves the seq.
	mustUpdate(t, st, shopA, func(tx store.Tx) error { return tx.PutResult(storeapi.Result{ID: "x"}) })
	if seq := seqOf(t, st, shopA); seq != last {
		t.Fatalf("Seq %d after an Update without Puts, want %d", seq, last)
	}
	if seqs := put(t, st, shopB, record(shop.TypeNote, "n", `{}`)); seqs[0] != 1 {
		t.Fatalf("another shop's first seq: %d", seqs[0])
	}
}

func testFeed(t *testing.T, st store.Store) {
	put(t, st, shopA, record(shop.TypeCustomer, "a", `{"v":1}`), record(shop.TypeOrder, "b", `{"v":1}`))
	put(t, st, shopA, record(shop.TypeNote, "c", `{"v":1}`))
	put(t, st, shopA, record(shop.TypeCustomer, "a", `{"v":2}`))
	put(t, st, shopA, record(shop.TypeOrder, "b", `{"v":2}`), record(shop.TypeOrder, "b", `{"v":3}`))
	// Each entity once, at its latest state, in seq order.
	all := feed(t, st, shopA, 0)
	if got, want := feedIDs(all), []string{"note/c@3", "customer/a@4", "order/b@6"}; !equalStrings(got, want) {
		t.Fatalf("feed %v, want %v", got, want)
	}
	if string(all[1].Data) != `{"v":2}` || string(all[2].Data) != `{"v":3}` {
		t.Fatalf("feed data: %s, %s", all[1].Data, all[2].Data)
	}
	// The same type with another id, and the same id with another type, are other entities.
	put(t, st, shopA, record(shop.TypeCustomer, "c", `{}`))
	if got, want := feedIDs(feed(t, st, shopA, 0)), []string{"note/c@3", "customer/a@4", "order/b@6", "customer/c@7"}; !equalStrings(got, want) {
		t.Fatalf("feed %v, want %v", got, want)
	}
	// After a seq.
	for after, want := range map[int64][]string{
		3: {"customer/a@4", "order/b@6", "customer/c@7"},
		4: {"order/b@6", "customer/c@7"},
		5: {"order/b@6", "customer/c@7"},
		7: nil,
		9: nil,
	} {
		if got := feedIDs(feed(t, st, shopA, after)); !equalStrings(got, want) {
			t.Errorf("feed after %d: %v, want %v", after, got, want)
		}
	}
	// fn returning false stops it.
	var got []string
	mustView(t, st, shopA, func(tx store.ReadTx) error {
		return tx.Feed(0, func(r shop.Record) bool { got = append(got, r.ID); return len(got) < 2 })
	})
	if !equalStrings(got, []string{"c", "a"}) {
		t.Errorf("feed stopped after two: %v", got)
	}
}

func testTombstones(t *testing.T, st store.Store) {
	put(t, st, shopA, record(shop.TypePhrase, "p1", `{"text":"hi"}`), record(shop.TypePhrase, "p2", `{}`))
	seqs := put(t, st, shopA, shop.Record{Type: shop.TypePhrase, ID: "p1", Deleted: true, Data: []byte(`{"ignored":true}`)})
	rec, found := get(t, st, shopA, shop.TypePhrase, "p1")
	if !found || !rec.Deleted || len(rec.Data) != 0 || rec.Seq != seqs[0] {
		t.Fatalf("tombstone: %+v, found %v", rec, found)
	}
	if got := feedIDs(feed(t, st, shopA, 0)); !equalStrings(got, []string{"phrase/p2@2", "phrase/p1@3"}) {
		t.Fatalf("feed with a tombstone: %v", got)
	}
	if f := feed(t, st, shopA, 2); len(f) != 1 || !f[0].Deleted {
		t.Fatalf("the feed's tombstone: %+v", f)
	}
	// A deleted entity can come back.
	put(t, st, shopA, record(shop.TypePhrase, "p1", `{"text":"again"}`))
	if rec, _ := get(t, st, shopA, shop.TypePhrase, "p1"); rec.Deleted || string(rec.Data) != `{"text":"again"}` || rec.Seq != 4 {
		t.Fatalf("entity stored again after its tombstone: %+v", rec)
	}
}

func testInvalidRecords(t *testing.T, st store.Store) {
	for _, rec := range []shop.Record{
		{Type: "bogus", ID: "x", Data: []byte(`{}`)},
		{Type: shop.TypeNote, ID: "", Data: []byte(`{}`)},
		{Type: shop.TypeNote, ID: "a\x00b", Data: []byte(`{}`)},
	} {
		err := st.Update(ctxOf(t), shopA, func(tx store.Tx) error {
			_, err := tx.Put(rec)
			return err
		})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Put %s %q: %v, want ErrInvalid", rec.Type, rec.ID, err)
		}
	}
	if seq := seqOf(t, st, shopA); seq != 0 {
		t.Errorf("seq after invalid Puts: %d", seq)
	}
}

func testResults(t *testing.T, st store.Store) {
	mustUpdate(t, st, shopA, func(tx store.Tx) error {
		for _, r := range []storeapi.Result{
			{ID: "m-3", Status: storeapi.StatusRejected, Reason: "不行"},
			{ID: "m-1", Status: storeapi.StatusApplied, Seq: 7, Overwrote: &shop.Overwrite{Field: "flag", By: "1002"}},
			{ID: "m-2", Status: storeapi.StatusConflict, Conflict: &shop.Conflict{Reason: "state", Current: []shop.Record{record(shop.TypeCase, "c", `{"state":"open"}`)}}},
		} {
			if err := tx.PutResult(r); err != nil {
				return err
			}
		}
		return nil
	})
	mustView(t, st, shopA, func(tx store.ReadTx) error {
		r, found, err := tx.Result("m-1")
		if err != nil || !found || r.Status != storeapi.StatusApplied || r.Seq != 7 || r.Overwrote == nil || r.Overwrote.By != "1002" {
			t.Errorf("result m-1: %+v, %v, %v", r, found, err)
		}
		r, found, err = tx.Result("m-2")
		if err != nil || !found || r.Conflict == nil || len(r.Conflict.Current) != 1 || string(r.Conflict.Current[0].Data) != `{"state":"open"}` {
			t.Errorf("result m-2: %+v, %v, %v", r, found, err)
		}
		if r, found, err := tx.Result("m-4"); err != nil || found {
			t.Errorf("result never recorded: %+v, %v, %v", r, found, err)
		}
		var ids []string
		if err := tx.Results(func(r storeapi.Result) bool { ids = append(ids, r.ID+":"+string(r.Status)); return true }); err != nil {
			t.Error(err)
		}
		if want := []string{"m-1:applied", "m-2:conflict", "m-3:rejected"}; !equalStrings(ids, want) {
			t.Errorf("results %v, want %v", ids, want)
		}
		ids = nil
		if err := tx.Results(func(r storeapi.Result) bool { ids = append(ids, r.ID); return false }); err != nil || len(ids) != 1 {
			t.Errorf("results stopped after one: %v, %v", ids, err)
		}
		return nil
	})
	// Recording an id again replaces its result (the server records each id once; the store
	// does not refuse).
	mustUpdate(t, st, shopA, func(tx store.Tx) error {
		return tx.PutResult(storeapi.Result{ID: "m-1", Status: storeapi.StatusRejected})
	})
	mustView(t, st, shopA, func(tx store.ReadTx) error {
		if r, _, err := tx.Result("m-1"); err != nil || r.Status != storeapi.StatusRejected {
			t.Errorf("result replaced: %+v, %v", r, err)
		}
		return nil
	})
}

func testCredentials(t *testing.T, st store.Store) {
	when := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	mustUpdate(t, st, shopA, func(tx store.Tx) error {
		return tx.PutCredential(store.Credential{Staff: "1001", Hash: []byte("$2a$first"), Changed: when})
	})
	mustUpdate(t, st, shopA, func(tx store.Tx) error {
		return tx.PutCredential(store.Credential{Staff: "1002", Hash: []byte("$2a$other"), Changed: when})
	})
	mustUpdate(t, st, shopA, func(tx store.Tx) error {
		return tx.PutCredential(store.Credential{Staff: "1001", Hash: []byte("$2a$second"), Changed: when.Add(time.Hour)})
	})
	mustView(t, st, shopA, func(tx store.ReadTx) error {
		c, found, err := tx.Credential("1001")
		if err != nil || !found || string(c.Hash) != "$2a$second" || c.Staff != "1001" || !c.Changed.Equal(when.Add(time.Hour)) {
			t.Errorf("credential 1001: %+v, %v, %v", c, found, err)
		}
		if c, _, _ := tx.Credential("1002"); string(c.Hash) != "$2a$other" {
			t.Errorf("credential 1002: %+v", c)
		}
		if _, found, err := tx.Credential("1003"); err != nil || found {
			t.Errorf("credential never stored: %v, %v", found, err)
		}
		return nil
	})
}

func testTokens(t *testing.T, st store.Store) {
	ctx := ctxOf(t)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	info := store.TokenInfo{Shop: shopA, Staff: "1001", Issued: at, Expires: at.Add(time.Hour)}
	if err := st.PutToken(ctx, "hash1", info); err != nil {
		t.Fatal(err)
	}
	if err := st.PutToken(ctx, "hash2", store.TokenInfo{Shop: shopB, Staff: "2001", Issued: at, Expires: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, found, err := st.Token(ctx, "hash1")
	if err != nil || !found || got.Shop != shopA || got.Staff != "1001" || !got.Issued.Equal(at) || !got.Expires.Equal(info.Expires) {
		t.Fatalf("Token: %+v, %v, %v", got, found, err)
	}
	if _, found, err := st.Token(ctx, "nope"); err != nil || found {
		t.Fatalf("unknown token: %v, %v", found, err)
	}
	// Tokens are global: no shop's View holds them, no shop's Update removes them.
	mustUpdate(t, st, shopA, func(tx store.Tx) error { return tx.PutAccount(store.ShopAccount{ID: shopA}) })
	if err := st.DeleteToken(ctx, "hash1"); err != nil {
		t.Fatal(err)
	}
	if _, found, err := st.Token(ctx, "hash1"); err != nil || found {
		t.Fatalf("deleted token: %v, %v", found, err)
	}
	if err := st.DeleteToken(ctx, "hash1"); err != nil {
		t.Fatalf("deleting a missing token: %v", err)
	}
	if _, found, _ := st.Token(ctx, "hash2"); !found {
		t.Fatal("deleting one token removed another")
	}
	if err := st.Sync(ctx); err != nil {
		t.Fatal(err)
	}
}

func testTokenExpiry(t *testing.T, st store.Store) {
	ctx := ctxOf(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for hash, exp := range map[string]time.Time{
		"past":   now.Add(-time.Hour),
		"now":    now, // not after now: expired
		"future": now.Add(time.Nanosecond),
		"later":  now.Add(24 * time.Hour),
	} {
		if err := st.PutToken(ctx, hash, store.TokenInfo{Shop: shopA, Staff: "1001", Issued: now.Add(-48 * time.Hour), Expires: exp}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := st.DeleteExpiredTokens(ctx, now)
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpiredTokens: %d, %v; want 2", n, err)
	}
	for hash, want := range map[string]bool{"past": false, "now": false, "future": true, "later": true} {
		if _, found, err := st.Token(ctx, hash); err != nil || found != want {
			t.Errorf("token %s after the sweep: found %v (%v), want %v", hash, found, err, want)
		}
	}
	if n, err := st.DeleteExpiredTokens(ctx, now); err != nil || n != 0 {
		t.Errorf("a second sweep: %d, %v", n, err)
	}
}

func testChatTokens(t *testing.T, st store.Store) {
	exp := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	mustUpdate(t, st, shopA, func(tx store.Tx) error {
		return tx.PutChatToken("ct1", store.ChatToken{Conversation: "conv1", Customer: "u1", FromSeq: 42, Expires: exp})
	})
	mustUpdate(t, st, shopA, func(tx store.Tx) error {
		return tx.PutChatToken("ct2", store.ChatToken{Conversation: "conv2", Customer: "u2", Expires: exp})
	})
	mustView(t, st, shopA, func(tx store.ReadTx) error {
		ct, found, err := tx.ChatToken("ct1")
		if err != nil || !found || ct.Conversation != "conv1" || ct.Customer != "u1" || ct.FromSeq != 42 || !ct.Expires.Equal(exp) {
			t.Errorf("chat token: %+v, %v, %v", ct, found, err)
		}
		if ct, _, _ := tx.ChatToken("ct2"); ct.Conversation != "conv2" {
			t.Errorf("second chat token: %+v", ct)
		}
		if _, found, err := tx.ChatToken("ct3"); err != nil || found {
			t.Errorf("unknown chat token: %v, %v", found, err)
		}
		return nil
	})
	if _, found, err := st.Token(ctxOf(t), "ct1"); err != nil || found {
		t.Errorf("a chat token is found as a staff token: %v, %v", found, err)
	}
}

// The indexes the tests declare.
var (
	nickIndex = store.Index{Name: "t_nick", Fields: []store.Field{{Name: "nick", Kind: store.String}}}
	msgIndex  = store.Index{Name: "t_msg", Fields: []store.Field{{Name: "conv", Kind: store.String}, {Name: "seq", Kind: store.Int}}}
)

func countEntries(t *testing.T, tx store.ReadTx, index string, q store.Query) int {
	t.Helper()
	n := 0
	if err := tx.Scan(index, q, func(store.Entry) bool { n++; return true }); err != nil {
		t.Errorf("Scan %s: %v", index, err)
	}
	return n
}

// scan lists the entries of q as "key…/id" strings.
func scan(t *testing.T, st store.Store, shopID, index string, q store.Query) []string {
	t.Helper()
	var out []string
	mustView(t, st, shopID, func(tx store.ReadTx) error {
		return tx.Scan(index, q, func(e store.Entry) bool {
			s := ""
			for _, v := range e.Key {
				s += fmt.Sprint(v) + "/"
			}
			out = append(out, s+e.ID)
			return true
		})
	})
	return out
}

func addEntries(t *testing.T, st store.Store, shopID, index string, es ...store.Entry) {
	t.Helper()
	mustUpdate(t, st, shopID, func(tx store.Tx) error {
		for _, e := range es {
			if err := tx.AddEntry(index, e); err != nil {
				return err
			}
		}
		return nil
	})
}

func testIndexDeclare(t *testing.T, st store.Store) {
	ctx := ctxOf(t)
	if err := st.Declare(ctx, nickIndex, msgIndex); err != nil {
		t.Fatalf("Declare: %v", err)
	}
	if err := st.Declare(ctx, nickIndex); err != nil {
		t.Fatalf("declaring an index again: %v", err)
	}
	changed := store.Index{Name: nickIndex.Name, Fields: []store.Field{{Name: "nick", Kind: store.Int}}}
	if err := st.Declare(ctx, changed); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("declaring an index with other fields: %v, want ErrInvalid", err)
	}
	for _, bad := range []store.Index{
		{Name: "", Fields: []store.Field{{Name: "a", Kind: store.String}}},
		{Name: "Bad Name", Fields: []store.Field{{Name: "a", Kind: store.String}}},
		{Name: "nofields"},
		{Name: "badkind", Fields: []store.Field{{Name: "a"}}},
	} {
		if err := st.Declare(ctx, bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("declaring %+v: %v, want ErrInvalid", bad, err)
		}
	}
	// The declaration that stayed is the first.
	addEntries(t, st, shopA, nickIndex.Name, store.Entry{Key: []any{"n"}, ID: "u1"})
	if got := scan(t, st, shopA, nickIndex.Name, store.Query{}); !equalStrings(got, []string{"n/u1"}) {
		t.Errorf("entries %v", got)
	}
}

func testIndexAddRemove(t *testing.T, st store.Store) {
	if err := st.Declare(ctxOf(t), nickIndex, msgIndex); err != nil {
		t.Fatal(err)
	}
	addEntries(t, st, shopA, nickIndex.Name,
		store.Entry{Key: []any{"小鱼儿"}, ID: "u2"},
		store.Entry{Key: []any{"小鱼儿"}, ID: "u1"},
		store.Entry{Key: []any{"amy"}, ID: "u3"},
		store.Entry{Key: []any{"amy"}, ID: "u3"}, // again: one entry
	)
	if got, want := scan(t, st, shopA, nickIndex.Name, store.Query{}), []string{"amy/u3", "小鱼儿/u1", "小鱼儿/u2"}; !equalStrings(got, want) {
		t.Fatalf("entries %v, want %v", got, want)
	}
	if got, want := scan(t, st, shopA, nickIndex.Name, store.Query{Prefix: []any{"小鱼儿"}}), []string{"小鱼儿/u1", "小鱼儿/u2"}; !equalStrings(got, want) {
		t.Fatalf("entries of one nick %v, want %v", got, want)
	}
	// The same key in another index is another entry.
	addEntries(t, st, shopA, msgIndex.Name, store.Entry{Key: []any{"amy", int64(1)}, ID: "u3"})
	mustUpdate(t, st, shopA, func(tx store.Tx) error {
		if err := tx.RemoveEntry(nickIndex.Name, store.Entry{Key: []any{"小鱼儿"}, ID: "u1"}); err != nil {
			return err
		}
		return tx.RemoveEntry(nickIndex.Name, store.Entry{Key: []any{"nobody"}, ID: "u9"}) // missing: no error
	})
	if got, want := scan(t, st, shopA, nickIndex.Name, store.Query{}), []string{"amy/u3", "小鱼儿/u2"}; !equalStrings(got, want) {
		t.Fatalf("entries after a removal %v, want %v", got, want)
	}
	if got := scan(t, st, shopA, msgIndex.Name, store.Query{}); !equalStrings(got, []string{"amy/1/u3"}) {
		t.Fatalf("the other index: %v", got)
	}
	// A nick that begins another is not its prefix.
	addEntries(t, st, shopA, nickIndex.Name, store.Entry{Key: []any{"amy2"}, ID: "u4"}, store.Entry{Key: []any{"am"}, ID: "u5"})
	if got := scan(t, st, shopA, nickIndex.Name, store.Query{Prefix: []any{"amy"}}); !equalStrings(got, []string{"amy/u3"}) {
		t.Fatalf("entries of nick amy: %v", got)
	}
	// fn returning false stops the scan.
	n := 0
	mustView(t, st, shopA, func(tx store.ReadTx) error {
		return tx.Scan(nickIndex.Name, store.Query{}, func(store.Entry) bool { n++; return false })
	})
	if n != 1 {
		t.Fatalf("scan went on after fn returned false: %d entries", n)
	}
}

func testIndexScanRanges(t *testing.T, st store.Store) {
	if err := st.Declare(ctxOf(t), msgIndex); err != nil {
		t.Fatal(err)
	}
	var es []store.Entry
	for _, seq := range []int64{300, 2, 17, 16, 1 << 40, 0} {
		es = append(es, store.Entry{Key: []any{"c1", seq}, ID: fmt.Sprint("m", seq)})
	}
	es = append(es, store.Entry{Key: []any{"c0", int64(5)}, ID: "x"}, store.Entry{Key: []any{"c2", int64(5)}, ID: "y"}, store.Entry{Key: []any{"c1", int64(17)}, ID: "m17b"})
	addEntries(t, st, shopA, msgIndex.Name, es...)
	c1 := []any{"c1"}
	for _, tc := range []struct {
		q    store.Query
		want []string
	}{
		{store.Query{Prefix: c1}, []string{"c1/0/m0", "c1/2/m2", "c1/16/m16", "c1/17/m17", "c1/17/m17b", "c1/300/m300", "c1/1099511627776/m1099511627776"}},
		{store.Query{Prefix: c1, Min: int64(3)}, []string{"c1/16/m16", "c1/17/m17", "c1/17/m17b", "c1/300/m300", "c1/1099511627776/m1099511627776"}},
		{store.Query{Prefix: c1, Min: int64(16), Max: int64(17)}, []string{"c1/16/m16", "c1/17/m17", "c1/17/m17b"}},
		{store.Query{Prefix: c1, Max: int64(16)}, []string{"c1/0/m0", "c1/2/m2", "c1/16/m16"}},
		{store.Query{Prefix: c1, Min: int64(18), Max: int64(299)}, nil},
		{store.Query{Prefix: c1, Min: int64(301)}, []string{"c1/1099511627776/m1099511627776"}},
		{store.Query{Prefix: []any{"c1", int64(17)}}, []string{"c1/17/m17", "c1/17/m17b"}},
		{store.Query{Min: "c1", Max: "c1"}, []string{"c1/0/m0", "c1/2/m2", "c1/16/m16", "c1/17/m17", "c1/17/m17b", "c1/300/m300", "c1/1099511627776/m1099511627776"}},
		{store.Query{Min: "c15"}, []string{"c2/5/y"}},
		{store.Query{Max: "c0"}, []string{"c0/5/x"}},
		{store.Query{Max: "c"}, nil},
		{store.Query{Prefix: []any{"c9"}}, nil},
	} {
		if got := scan(t, st, shopA, msgIndex.Name, tc.q); !equalStrings(got, tc.want) {
			t.Errorf("scan %+v: %v, want %v", tc.q, got, tc.want)
		}
	}
}

func testIndexRollback(t *testing.T, st store.Store) {
	if err := st.Declare(ctxOf(t), nickIndex); err != nil {
		t.Fatal(err)
	}
	addEntries(t, st, shopA, nickIndex.Name, store.Entry{Key: []any{"a"}, ID: "u1"})
	err := st.Update(ctxOf(t), shopA, func(tx store.Tx) error {
		if err := tx.RemoveEntry(nickIndex.Name, store.Entry{Key: []any{"a"}, ID: "u1"}); err != nil {
			return err
		}
		if err := tx.AddEntry(nickIndex.Name, store.Entry{Key: []any{"b"}, ID: "u2"}); err != nil {
			return err
		}
		// The Update sees its own index writes.
		var got []string
		if err := tx.Scan(nickIndex.Name, store.Query{}, func(e store.Entry) bool { got = append(got, e.ID); return true }); err != nil {
			return err
		}
		if !equalStrings(got, []string{"u2"}) {
			return fmt.Errorf("the Update's own entries: %v", got)
		}
		return errTest
	})
	if !errors.Is(err, errTest) {
		t.Fatal(err)
	}
	if got := scan(t, st, shopA, nickIndex.Name, store.Query{}); !equalStrings(got, []string{"a/u1"}) {
		t.Fatalf("entries after a rollback: %v", got)
	}
}

func testIndexInvalid(t *testing.T, st store.Store) {
	if err := st.Declare(ctxOf(t), nickIndex, msgIndex); err != nil {
		t.Fatal(err)
	}
	try := func(what string, want error, fn func(tx store.Tx) error) {
		t.Helper()
		if err := st.Update(ctxOf(t), shopA, fn); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", what, err, want)
		}
	}
	noop := func(store.Entry) bool { return true }
	try("add to an undeclared index", store.ErrUnknownIndex, func(tx store.Tx) error {
		return tx.AddEntry("t_nope", store.Entry{Key: []any{"a"}, ID: "u"})
	})
	try("remove from an undeclared index", store.ErrUnknownIndex, func(tx store.Tx) error {
		return tx.RemoveEntry("t_nope", store.Entry{Key: []any{"a"}, ID: "u"})
	})
	try("scan an undeclared index", store.ErrUnknownIndex, func(tx store.Tx) error {
		return tx.Scan("t_nope", store.Query{}, noop)
	})
	for name, e := range map[string]store.Entry{
		"too few values":    {Key: []any{"c"}, ID: "m"},
		"too many values":   {Key: []any{"c", int64(1), "x"}, ID: "m"},
		"a string for int":  {Key: []any{"c", "1"}, ID: "m"},
		"an int for string": {Key: []any{int64(1), int64(1)}, ID: "m"},
		"an int not int64":  {Key: []any{"c", 1}, ID: "m"},
		"a negative int":    {Key: []any{"c", int64(-1)}, ID: "m"},
		"a NUL in a string": {Key: []any{"c\x00d", int64(1)}, ID: "m"},
		"an empty id":       {Key: []any{"c", int64(1)}, ID: ""},
		"a NUL in the id":   {Key: []any{"c", int64(1)}, ID: "m\x00"},
	} {
		try("add with "+name, store.ErrInvalid, func(tx store.Tx) error { return tx.AddEntry(msgIndex.Name, e) })
	}
	for name, q := range map[string]store.Query{
		"a long prefix":          {Prefix: []any{"c", int64(1), "x"}},
		"a prefix of wrong kind": {Prefix: []any{int64(1)}},
		"a range of wrong kind":  {Prefix: []any{"c"}, Min: "a"},
		"a range after all":      {Prefix: []any{"c", int64(1)}, Max: int64(2)},
	} {
		try("scan with "+name, store.ErrInvalid, func(tx store.Tx) error { return tx.Scan(msgIndex.Name, q, noop) })
	}
}

func testConcurrentUpdates(t *testing.T, st store.Store) {
	const writers, rounds = 8, 10
	put(t, st, shopA, record(shop.TypeNote, "counter", `0`))
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds)
	seqs := make(chan int64, writers*rounds)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				errs <- st.Update(context.Background(), shopA, func(tx store.Tx) error {
					rec, _, err := tx.Record(shop.TypeNote, "counter")
					if err != nil {
						return err
					}
					var n int
					if _, err := fmt.Sscan(string(rec.Data), &n); err != nil {
						return err
					}
					seq, err := tx.Put(record(shop.TypeNote, "counter", fmt.Sprint(n+1)))
					seqs <- seq
					return err
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(seqs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rec, _ := get(t, st, shopA, shop.TypeNote, "counter")
	if string(rec.Data) != fmt.Sprint(writers*rounds) {
		t.Fatalf("counter %s after %d serialised increments: updates of one shop overlapped", rec.Data, writers*rounds)
	}
	seen := map[int64]bool{}
	for s := range seqs {
		if seen[s] || s < 2 || s > writers*rounds+1 {
			t.Fatalf("seq %d given twice or out of range", s)
		}
		seen[s] = true
	}
	if seq := seqOf(t, st, shopA); seq != writers*rounds+1 {
		t.Fatalf("seq %d, want %d", seq, writers*rounds+1)
	}
}

// holdShop starts an Update of shopID that writes a record and holds the shop until release
// is called; it returns once the Update runs. release returns the Update's error.
func holdShop(st store.Store, shopID string) (release func() error) {
	in, end := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- st.Update(context.Background(), shopID, func(tx store.Tx) error {
			close(in)
			<-end
			_, err := tx.Put(record(shop.TypeNote, "held", `{}`))
			return err
		})
	}()
	<-in
	return func() error {
		close(end)
		return <-done
	}
}

func testParallelShops(t *testing.T, st store.Store) {
	// An Update of shop a that waits does not hold up shop b.
	release := holdShop(st, shopA)
	ctx, cancel := context.WithTimeout(ctxOf(t), time.Minute)
	defer cancel()
	err := st.Update(ctx, shopB, func(tx store.Tx) error {
		_, err := tx.Put(record(shop.TypeNote, "b", `{}`))
		return err
	})
	if rerr := release(); rerr != nil {
		t.Fatal(rerr)
	}
	if err != nil {
		t.Fatalf("shop b's Update while shop a's runs: %v", err)
	}
}

func testCancelled(t *testing.T, st store.Store) {
	put(t, st, shopA, record(shop.TypeNote, "n", `{}`))
	if err := st.PutToken(ctxOf(t), "h", store.TokenInfo{Shop: shopA, Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctxOf(t))
	cancel()
	ran := false
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v, want context.Canceled", what, err)
		}
	}
	check("Update", st.Update(ctx, shopA, func(tx store.Tx) error {
		ran = true
		_, err := tx.Put(record(shop.TypeNote, "n2", `{}`))
		return err
	}))
	check("View", st.View(ctx, shopA, func(tx store.ReadTx) error { ran = true; return nil }))
	if ran {
		t.Error("fn ran with a cancelled context")
	}
	_, err := st.Shops(ctx)
	check("Shops", err)
	check("PutToken", st.PutToken(ctx, "h2", store.TokenInfo{}))
	_, _, err = st.Token(ctx, "h")
	check("Token", err)
	check("DeleteToken", st.DeleteToken(ctx, "h"))
	_, err = st.DeleteExpiredTokens(ctx, time.Now().Add(2*time.Hour))
	check("DeleteExpiredTokens", err)
	check("Sync", st.Sync(ctx))
	check("Declare", st.Declare(ctx, nickIndex))
	// Nothing changed.
	if _, found, err := st.Token(ctxOf(t), "h"); err != nil || !found {
		t.Errorf("the token after cancelled calls: %v, %v", found, err)
	}
	if _, found := get(t, st, shopA, shop.TypeNote, "n2"); found {
		t.Error("a cancelled Update wrote")
	}
}

func testCancelDuringUpdate(t *testing.T, st store.Store) {
	ctx, cancel := context.WithCancel(ctxOf(t))
	defer cancel()
	err := st.Update(ctx, shopA, func(tx store.Tx) error {
		if _, err := tx.Put(record(shop.TypeNote, "n1", `{}`)); err != nil {
			return err
		}
		cancel()
		// fn ignores what the Tx says from now on; the Update must not commit anyway.
		tx.Put(record(shop.TypeNote, "n2", `{}`))
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Update whose ctx ended during fn: %v, want context.Canceled", err)
	}
	if seq := seqOf(t, st, shopA); seq != 0 {
		t.Fatalf("seq %d: an Update cancelled during fn committed", seq)
	}
	// The Tx's reads fail once the ctx is done.
	ctx2, cancel2 := context.WithCancel(ctxOf(t))
	err = st.View(ctx2, shopA, func(tx store.ReadTx) error {
		cancel2()
		_, _, err := tx.Record(shop.TypeNote, "n1")
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a read after the View's ctx ended: %v, want context.Canceled", err)
	}
}

func testCancelWhileWaiting(t *testing.T, st store.Store) {
	release := holdShop(st, shopA)
	ctx, cancel := context.WithTimeout(ctxOf(t), 50*time.Millisecond)
	defer cancel()
	ran := false
	err := st.Update(ctx, shopA, func(tx store.Tx) error { ran = true; return nil })
	if rerr := release(); rerr != nil {
		t.Fatal(rerr)
	}
	if !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Fatalf("an Update waiting for the shop until its deadline: %v (ran %v), want context.DeadlineExceeded", err, ran)
	}
}

func testClose(t *testing.T, st store.Store) {
	put(t, st, shopA, record(shop.TypeNote, "n", `{}`))
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
	ctx := ctxOf(t)
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after Close: %v, want store.ErrClosed", what, err)
		}
	}
	check("Update", st.Update(ctx, shopA, func(store.Tx) error { return nil }))
	check("View", st.View(ctx, shopA, func(store.ReadTx) error { return nil }))
	_, err := st.Shops(ctx)
	check("Shops", err)
	check("PutToken", st.PutToken(ctx, "h", store.TokenInfo{}))
	_, _, err = st.Token(ctx, "h")
	check("Token", err)
	check("DeleteToken", st.DeleteToken(ctx, "h"))
	_, err = st.DeleteExpiredTokens(ctx, time.Now())
	check("DeleteExpiredTokens", err)
	check("Sync", st.Sync(ctx))
	check("Declare", st.Declare(ctx, nickIndex))
}
