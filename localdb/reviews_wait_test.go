package localdb

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// waitShop adds to the demo shop reviews of every kind the untouched rule tells apart: bad,
// neutral and good ones (some good ones with a complaint word), new and moved on, written at
// many times, some updated later than written, one with a zero time.
func waitShop() *server {
	s := demo()
	states := []shop.ReviewState{shop.ReviewNew, shop.ReviewNew, shop.ReviewContacted, shop.ReviewNew, shop.ReviewResolved}
	texts := []string{"一般", "很好", "质量差，要退款", "arrived broken", "还行"}
	for i := range 60 {
		r := shop.Review{ID: fmt.Sprintf("w%02d", i), OrderID: "2026112603", CustomerID: "c2", Nick: "LucyC", ProductID: "p1",
			Stars: 1 + i%5, Text: texts[i%len(texts)], State: states[i%len(states)], At: t0.Add(-time.Duration(i*37) * time.Minute)}
		if i%4 == 1 {
			r.UpdatedAt = r.At.Add(time.Duration(i*11) * time.Minute)
		}
		if i == 59 {
			r.At = time.Time{}
		}
		s.add(shop.TypeReview, r.ID, r)
	}
	return s
}

// untouchedByScan is the untouched reviews at now found the slow way: every review read and
// judged by shop.Review.Untouched.
func untouchedByScan(t *testing.T, db *DB, now time.Time, after time.Duration) []string {
	t.Helper()
	all, err := db.Reviews(ReviewFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range all {
		if r.Untouched(now, after) {
			out = append(out, r.ID)
		}
	}
	sort.Strings(out)
	return out
}

// checkUntouched compares UntouchedReviews and ReviewReminders with a full scan at many times
// and delays, the exact boundaries included.
func checkUntouched(t *testing.T, db *DB) {
	t.Helper()
	all, err := db.Reviews(ReviewFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	times := []time.Time{t0.Add(-48 * time.Hour), t0.Add(-5 * time.Hour), t0, t0.Add(10 * time.Minute), t0.Add(3 * time.Hour), t0.Add(40 * time.Hour)}
	delays := []time.Duration{0, time.Hour, 4 * time.Hour, 24 * time.Hour}
	// A time exactly one delay after a review's wait began is the boundary: not yet untouched.
	for _, r := range all[:10] {
		last := r.At
		if r.UpdatedAt.After(last) {
			last = r.UpdatedAt
		}
		times = append(times, last.Add(time.Hour), last.Add(time.Hour+time.Nanosecond))
	}
	nonzero := 0
	for _, now := range times {
		for _, after := range delays {
			want := untouchedByScan(t, db, now, after)
			n, err := db.UntouchedReviews(now, after)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(want) {
				t.Errorf("at %v, after %v: UntouchedReviews = %d; a full scan finds %d %v", now, after, n, len(want), want)
			}
			rs, err := db.ReviewReminders(now, after, 0)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(rs, func(r shop.Review) string { return r.ID })
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("at %v, after %v: ReviewReminders = %v; a full scan finds %v", now, after, got, want)
			}
			if n > 0 && n < len(all) {
				nonzero++
			}
		}
	}
	if nonzero < 5 {
		t.Fatalf("only %d of the times checked had some but not all reviews untouched: the test shop does not test the index", nonzero)
	}
}

// TestUntouchedReviewsMatchAFullScan: the count from the index is the number of reviews the
// rule finds untouched, at many times, before and after reviews are moved, replied to,
// rewritten by the server and deleted.
func TestUntouchedReviewsMatchAFullScan(t *testing.T) {
	db := openMem(t)
	s := waitShop()
	pull(t, db, s)
	checkUntouched(t, db)

	// Staff touch some: a move out of new, and a reply (which leaves the state new).
	apply(t, db, mut(t, shop.KindReviewMove, "w00", "1002", shop.Move{From: "new", To: "contacted"}))
	apply(t, db, mut(t, shop.KindReviewMove, "r1", "1002", shop.Move{From: "new", To: "contacted"}))
	checkUntouched(t, db)
	if n, _ := db.UntouchedReviews(t0.Add(3*time.Hour), time.Hour); n == 0 {
		t.Fatal("no review untouched 3 h later")
	}

	// The server rewrites one (stars up: good now), updates one (its wait starts again) and
	// deletes one.
	var w05, w06 shop.Review
	if _, _, err := db.Get(shop.TypeReview, "w05", &w05); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Get(shop.TypeReview, "w06", &w06); err != nil {
		t.Fatal(err)
	}
	w05.Stars, w05.Text = 5, "很好"
	w06.UpdatedAt = t0.Add(2 * time.Hour)
	s.add(shop.TypeReview, w05.ID, w05)
	s.add(shop.TypeReview, w06.ID, w06)
	s.put(shop.Record{Type: shop.TypeReview, ID: "w10", Deleted: true})
	pull(t, db, s)
	checkUntouched(t, db)
	checkConsistent(t, db)
}

// TestOpenMigratesSchema4: a store of schema 4 has no review wait index; Open writes it, and
// the count matches a full scan again.
func TestOpenMigratesSchema4(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	pull(t, db, waitShop())
	if err := db.bdb.DropPrefix(ixPrefix(ixReviewWait)); err != nil {
		t.Fatal(err)
	}
	if err := db.bdb.Update(func(txn *badger.Txn) error { return txn.Set(keySchema, []byte("4")) }); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.UntouchedReviews(t0.Add(40*time.Hour), time.Hour); n != 0 {
		t.Fatalf("the schema-4 store still has the index (%d untouched)", n)
	}
	db.Close()

	db2 := openDir(t, dir)
	if n, _ := db2.UntouchedReviews(t0.Add(40*time.Hour), time.Hour); n == 0 {
		t.Fatal("after the upgrade no review is untouched 40 h later")
	}
	checkUntouched(t, db2)
	checkConsistent(t, db2)
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

// TestProductNames: every product's id and name, by name, and a renamed product moves.
func TestProductNames(t *testing.T) {
	db := openMem(t)
	s := seeded(t, db)
	got, err := db.ProductNames()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := db.SearchProducts("", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ps) || len(got) != 4 {
		t.Fatalf("ProductNames gave %d; the shop has %d products (want 4)", len(got), len(ps))
	}
	for i := range got {
		if got[i].ID != ps[i].ID || got[i].Name != ps[i].Name {
			t.Errorf("name %d is %+v; the product is %s %q", i, got[i], ps[i].ID, ps[i].Name)
		}
		if i > 0 && got[i-1].Name > got[i].Name {
			t.Errorf("not by name: %q before %q", got[i-1].Name, got[i].Name)
		}
	}
	s.add(shop.TypeProduct, "p4", shop.Product{ID: "p4", Name: "儿童袜子", Variants: []shop.Variant{{SKU: "SOCK-1", Warehouse: 1}}})
	pull(t, db, s)
	got, _ = db.ProductNames()
	i := slices.IndexFunc(got, func(n ProductName) bool { return n.ID == "p4" })
	if i < 0 || got[i].Name != "儿童袜子" {
		t.Fatalf("after the rename the names are %+v", got)
	}
}

// TestCasesKeepsOnlyTheListedCases: a list cut to its limit holds no more cases than it gives
// (a slice of every open case would keep them all in memory while the list is shown).
func TestCasesKeepsOnlyTheListedCases(t *testing.T) {
	db := openMem(t)
	seeded(t, db)
	all, err := db.Cases(true, 0)
	if err != nil || len(all) < 2 {
		t.Fatalf("open cases: %d, %v", len(all), err)
	}
	got, err := db.Cases(true, 1)
	if err != nil || len(got) != 1 || got[0].ID != all[0].ID {
		t.Fatalf("Cases(open, 1) = %+v, %v; want %s", got, err, all[0].ID)
	}
	if cap(got) != 1 {
		t.Fatalf("Cases(open, 1) holds room for %d cases", cap(got))
	}
}
