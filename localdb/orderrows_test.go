package localdb

import (
	"testing"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// sameRow reports whether two rows are the same, their creation times as instants (the keys
// keep the instant, not its location).
func sameRow(a, b OrderRow) bool {
	ta, tb := a.CreatedAt, b.CreatedAt
	a.CreatedAt, b.CreatedAt = ta.UTC(), tb.UTC()
	return a == b && ta.Equal(tb)
}

// TestSearchOrderRows: a lookup's rows, read from the index keys alone, are the rows of the
// full orders SearchOrders finds, in the same order and under the same filters; a flag set
// afterwards shows in the rows at once.
func TestSearchOrderRows(t *testing.T) {
	db := openMem(t)
	seeded(t, db)
	red := shop.FlagRed
	for _, c := range []struct {
		q string
		f OrderFilter
	}{
		{"202611270", OrderFilter{}}, {"138 0000", OrderFilter{}}, {"13912", OrderFilter{}}, {"lucy", OrderFilter{}},
		{"王", OrderFilter{}}, {"小鱼", OrderFilter{Status: shop.StatusShipped}}, {"小鱼", OrderFilter{Payment: shop.PayCOD}},
		{"2026", OrderFilter{Flag: &red}}, {"", OrderFilter{}}, {"nobody", OrderFilter{}},
	} {
		orders, err := db.SearchOrders(c.q, c.f, 0)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.SearchOrderRows(c.q, c.f, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(orders) {
			t.Fatalf("SearchOrderRows(%q, %+v) found %d rows, SearchOrders %d orders", c.q, c.f, len(rows), len(orders))
		}
		for i, o := range orders {
			if !sameRow(rows[i], RowOf(o)) {
				t.Errorf("SearchOrderRows(%q, %+v)[%d] = %+v; the order's row is %+v", c.q, c.f, i, rows[i], RowOf(o))
			}
		}
	}
	if rows, _ := db.SearchOrderRows("2026112", OrderFilter{}, 2); len(rows) != 2 || rows[0].ID != "2026112704" {
		t.Errorf("limit 2: %+v", rows)
	}

	// A note with a flag changes the order: its rows follow.
	apply(t, db, noteMut(t, "2026112701", "n-row", shop.FlagPurple, "改尺码"))
	purple := shop.FlagPurple
	rows, err := db.SearchOrderRows("2026112701", OrderFilter{Flag: &purple}, 0)
	if err != nil || len(rows) != 1 || rows[0].Flag != shop.FlagPurple {
		t.Fatalf("after the purple note the number finds %+v (%v); want the order, purple", rows, err)
	}
	if !sameRow(rows[0], RowOf(mustOrder(t, db, "2026112701"))) {
		t.Fatalf("row %+v; the order's is %+v", rows[0], RowOf(mustOrder(t, db, "2026112701")))
	}
	if rows, _ := db.SearchOrderRows("2026112701", OrderFilter{Flag: &red}, 0); len(rows) != 0 {
		t.Fatalf("the old flag still finds %+v", rows)
	}
}

// TestOrderRowsKeepAwkwardText: a nick or receiver with the bytes that separate the parts of a
// lookup key is still found, and its row shows the text without them.
func TestOrderRowsKeepAwkwardText(t *testing.T) {
	db := openMem(t)
	s := newServer()
	o := shop.Order{ID: "2026120301", CustomerID: "c1", Nick: "a\x01b\x00c", Status: shop.StatusPaid, Payment: shop.PayCOD,
		CODCall: shop.CallNoAnswer, Total: 990, CreatedAt: t0, Address: shop.Address{Receiver: "王\x01芳", Phone: "138-0000-0009"}}
	s.add(shop.TypeOrder, o.ID, o)
	pull(t, db, s)
	for _, q := range []string{"abc", "ab", "王芳", "1380000000", "2026120301"} {
		rows, err := db.SearchOrderRows(q, OrderFilter{}, 0)
		if err != nil || len(rows) != 1 {
			t.Fatalf("SearchOrderRows(%q) = %+v (%v); want the order", q, rows, err)
		}
		r := rows[0]
		if r.Nick != "abc" || r.Receiver != "王芳" || r.Phone != "138-0000-0009" || r.CODCall != shop.CallNoAnswer ||
			r.Payment != shop.PayCOD || r.Total != 990 || !r.CreatedAt.Equal(t0) {
			t.Fatalf("SearchOrderRows(%q) row %+v", q, r)
		}
	}
}

// TestOpenMigratesSchema3: a store of schema 3 (lookup keys with the creation time but no
// row) gets row-carrying lookup keys at Open, and lookups find its orders again.
func TestOpenMigratesSchema3(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	seeded(t, db)
	lookups := []*index{ixOrderNumber, ixOrderNick, ixOrderPhone, ixOrderReceiver}
	var prefixes [][]byte
	for _, ix := range lookups {
		prefixes = append(prefixes, ixPrefix(ix))
	}
	if err := db.bdb.DropPrefix(prefixes...); err != nil {
		t.Fatal(err)
	}
	o := mustOrder(t, db, "2026112701")
	// Schema 3's keys: lower(value), NUL, created, id.
	old := func(ix *index, value string) []byte {
		return append(append(append(append(ixPrefix(ix), clean(value)...), 0), timeKey(o.CreatedAt)...), o.ID...)
	}
	if err := db.bdb.Update(func(txn *badger.Txn) error {
		for _, k := range [][]byte{old(ixOrderNumber, o.ID), old(ixOrderNick, lowerASCII(o.Nick))} {
			if err := txn.Set(k, []byte{}); err != nil {
				return err
			}
		}
		return txn.Set(keySchema, []byte("3"))
	}); err != nil {
		t.Fatal(err)
	}
	if rows, _ := db.SearchOrderRows(o.ID, OrderFilter{}, 0); len(rows) != 0 {
		t.Fatalf("schema-3 keys give rows: %+v", rows)
	}
	db.Close()

	db2 := openDir(t, dir)
	for _, q := range []string{o.ID, o.Nick, o.Address.Phone} {
		rows, err := db2.SearchOrderRows(q, OrderFilter{}, 0)
		if err != nil || len(rows) == 0 || !sameRow(rows[len(rows)-1], RowOf(o)) && !sameRow(rows[0], RowOf(o)) {
			t.Fatalf("after the upgrade %q finds %+v (%v); want a row of %s", q, rows, err, o.ID)
		}
	}
}
