package localdb

import (
	"strconv"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// TestReviewsOfUsesTheCustomerIndex: a customer's reviews are listed newest first, and a
// review that changes hands (another customer id) moves in the index.
func TestReviewsOfUsesTheCustomerIndex(t *testing.T) {
	db := openMem(t)
	s := seeded(t, db)
	cust, n := "c2", 2 // the demo shop's LucyC wrote r1 and r2
	rs, err := db.ReviewsOf(cust, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != n {
		t.Fatalf("ReviewsOf(%s) found %d reviews; the shop has %d", cust, len(rs), n)
	}
	for i := 1; i < len(rs); i++ {
		if rs[i].At.After(rs[i-1].At) {
			t.Fatalf("not newest first: %v before %v", rs[i-1].At, rs[i].At)
		}
	}
	// The server moves the review to another customer: the index follows.
	r := rs[0]
	r.CustomerID = "someone-else"
	s.add(shop.TypeReview, r.ID, r)
	pull(t, db, s)
	if rs2, _ := db.ReviewsOf(cust, 0); len(rs2) != n-1 {
		t.Fatalf("after the review moved, ReviewsOf(%s) found %d; want %d", cust, len(rs2), n-1)
	}
	if rs3, _ := db.ReviewsOf("someone-else", 0); len(rs3) != 1 || rs3[0].ID != r.ID {
		t.Fatalf("the moved review is not listed under its new customer: %+v", rs3)
	}
}

// TestOpenMigratesSchema1: a store written by a desk of schema 1 (no reviews-by-customer
// index, order lookup keys without time) is indexed again at Open, keeps its outbox, and
// records the current schema.
func TestOpenMigratesSchema1(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	seeded(t, db)
	cust, n := "c2", 2
	apply(t, db, mut(t, shop.KindOrderNote, "2026112701", "1001", shop.OrderNoteAdd{NoteID: "n-mig", Flag: shop.FlagRed, Text: "升级前的备注"}))
	// Make it a schema-1 store: drop the new index, write version 1.
	if err := db.bdb.DropPrefix(ixPrefix(ixReviewCust)); err != nil {
		t.Fatal(err)
	}
	// Schema 1's order lookup keys had no time: lower(value), NUL, id.
	if err := db.bdb.DropPrefix(ixPrefix(ixOrderNumber), ixPrefix(ixOrderNick), ixPrefix(ixOrderPhone), ixPrefix(ixOrderReceiver)); err != nil {
		t.Fatal(err)
	}
	old := func(ix *index, value, id string) []byte {
		return append(append(append(ixPrefix(ix), clean(value)...), 0), id...)
	}
	if err := db.bdb.Update(func(txn *badger.Txn) error {
		for _, o := range []struct{ id, nick, phone, receiver string }{
			{"2026112701", "小鱼儿", "13800000001", "王芳"}, {"2026112702", "小鱼儿", "", ""},
		} {
			for _, k := range [][]byte{old(ixOrderNumber, o.id, o.id), old(ixOrderNick, lowerASCII(o.nick), o.id)} {
				if err := txn.Set(k, []byte{}); err != nil {
					return err
				}
			}
		}
		return txn.Set(keySchema, []byte("1"))
	}); err != nil {
		t.Fatal(err)
	}
	if rs, _ := db.ReviewsOf(cust, 0); len(rs) != 0 {
		t.Fatalf("the schema-1 store still has the index (%d reviews)", len(rs))
	}
	db.Close()

	db2 := openDir(t, dir)
	rs, err := db2.ReviewsOf(cust, 0)
	if err != nil || len(rs) != n {
		t.Fatalf("after the upgrade ReviewsOf(%s) found %d reviews (%v); want %d", cust, len(rs), err, n)
	}
	orders, err := db2.SearchOrders("小鱼儿", OrderFilter{}, 0)
	if err != nil || len(orders) != 2 || orders[0].ID != "2026112702" || orders[1].ID != "2026112701" {
		t.Fatalf("after the upgrade the nick finds %+v (%v); want 2026112702 then 2026112701", orders, err)
	}
	if byPhone, _ := db2.SearchOrders("13800000001", OrderFilter{}, 1); len(byPhone) != 1 || byPhone[0].ID != "2026112702" {
		t.Fatalf("after the upgrade the phone's newest order is %+v; want 2026112702", byPhone)
	}
	if db2.OutboxLen() != 1 {
		t.Fatalf("the upgrade left %d actions in the outbox; want the 1 made before", db2.OutboxLen())
	}
	var v []byte
	if err := db2.bdb.View(func(txn *badger.Txn) error {
		var err error
		v, _, err = getRaw(txn, keySchema)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if string(v) != strconv.Itoa(SchemaVersion) {
		t.Fatalf("schema after the upgrade is %q; want %d", v, SchemaVersion)
	}
}
