package localdb

import (
	"encoding/json"
	"testing"
	"time"

	"kefu/shop"
)

// TestEachRecordShowsTheDesksView: EachRecord lists every entity the desk shows, including a
// pending one made offline, with the version the getters report, and not the server copy kept
// for the rebase.
func TestEachRecordShowsTheDesksView(t *testing.T) {
	db := openMem(t)
	s := seeded(t, db)
	order := "2026112701"
	apply(t, db, mut(t, shop.KindOrderNote, order, "1001", shop.OrderNoteAdd{NoteID: "n-each", Flag: shop.FlagRed, Text: "改发顺丰"}))

	seen := map[string]shop.Record{}
	if err := db.EachRecord(func(r shop.Record) error {
		seen[string(r.Type)+"/"+r.ID] = r
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) < len(s.recs) {
		t.Fatalf("EachRecord listed %d entities; the server sent %d", len(seen), len(s.recs))
	}
	r, ok := seen["order/"+order]
	if !ok {
		t.Fatal("the noted order is not listed")
	}
	var o shop.Order
	if err := json.Unmarshal(r.Data, &o); err != nil || o.Flag != shop.FlagRed {
		t.Fatalf("the listed order has flag %v (%v); the pending note set red", o.Flag, err)
	}
	ver, _, err := db.Get(shop.TypeOrder, order, nil)
	if err != nil || ver != r.Seq {
		t.Fatalf("listed version %d, Get says %d (%v)", r.Seq, ver, err)
	}
	if _, ok := seen["note/n-each"]; !ok {
		t.Error("the pending note itself is not listed")
	}
}

// TestOptionsNowIsTheDesksClock: a store opened with a clock writes that clock's time.
func TestOptionsNowIsTheDesksClock(t *testing.T) {
	skewed := time.Date(2026, 11, 27, 8, 0, 0, 0, shop.ShopZone)
	db, err := Open(Options{InMemory: true, Now: func() time.Time { return skewed }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.now(); !got.Equal(skewed) {
		t.Fatalf("the store's clock says %v; want %v", got, skewed)
	}
}

// TestStaffActionsSyncAndTheFeedDoesNot: Apply returns only after its commit is synced to
// disk; a page of the change feed commits without a sync.
func TestStaffActionsSyncAndTheFeedDoesNot(t *testing.T) {
	db := openDir(t, t.TempDir())
	s := demo()
	before := db.syncs.Load()
	pull(t, db, s)
	if got := db.syncs.Load(); got != before {
		t.Fatalf("pulling the feed synced %d times; want none", got-before)
	}
	apply(t, db, mut(t, shop.KindOrderNote, "2026112701", "1001", shop.OrderNoteAdd{NoteID: "n-sync", Flag: shop.FlagRed, Text: "同步"}))
	if got := db.syncs.Load(); got != before+1 {
		t.Fatalf("a staff action synced %d times; want 1", got-before)
	}
}
