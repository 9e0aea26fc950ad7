package localdb

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
	"kefu/shop/demoshop"
)

// bulkFeed is the Small demo shop's feed followed by what a feed pulled during changes holds:
// entities sent again with newer states (a renamed customer, a product whose SKU changed, so
// that its index keys move), a deleted entity, a record older than one already sent, and
// records without a type or id (skipped).
func bulkFeed(t *testing.T) []shop.Record {
	t.Helper()
	srv := newServer()
	if err := demoshop.Generate(demoshop.Small, 11, clock, func(r shop.Record) error {
		srv.put(r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	all := srv.since(0)
	var cust, prod, gone shop.Record
	for _, r := range all {
		switch {
		case r.Type == shop.TypeCustomer && cust.ID == "":
			cust = r
		case r.Type == shop.TypeProduct && prod.ID == "":
			prod = r
		case r.Type == shop.TypeOrder && gone.ID == "":
			gone = r
		}
	}
	var c shop.Customer
	var p shop.Product
	if err := cust.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if err := prod.Decode(&p); err != nil {
		t.Fatal(err)
	}
	c.Nick, c.Phone = "改名的顾客", "13900001111"
	if len(p.Variants) == 0 {
		t.Fatal("a product without variants")
	}
	p.Variants[0].SKU, p.Name = "NEW-SKU-1", "新名字的商品"
	seq := srv.seq
	next := func() int64 { seq++; return seq }
	renamed := shop.NewRecord(shop.TypeCustomer, c.ID, c)
	renamed.Seq = next()
	newSKU := shop.NewRecord(shop.TypeProduct, p.ID, p)
	newSKU.Seq = next()
	deleted := shop.Record{Type: shop.TypeOrder, ID: gone.ID, Seq: next(), Deleted: true}
	stale := cust // older than renamed: ignored
	return append(all, renamed, newSKU, deleted, stale, shop.Record{ID: "x"}, shop.Record{Type: shop.TypeOrder})
}

// dumpStore lists every key and value of a store, in key order, but for the search index's
// (the write path and the background build number their docs differently by design).
func dumpStore(t *testing.T, db *DB) [][2][]byte {
	t.Helper()
	var kvs [][2][]byte
	err := db.bdb.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if bytes.HasPrefix(it.Item().Key(), []byte(prefixSearch)) {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			kvs = append(kvs, [2][]byte{it.Item().KeyCopy(nil), v})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return kvs
}

// sameStores fails unless a and b hold exactly the same keys with the same values.
func sameStores(t *testing.T, a, b *DB) {
	t.Helper()
	ka, kb := dumpStore(t, a), dumpStore(t, b)
	n := 0
	for i := 0; i < max(len(ka), len(kb)) && n < 10; i++ {
		switch {
		case i >= len(ka):
			t.Errorf("only the bulk-loaded store has %q", kb[i][0])
			n++
		case i >= len(kb):
			t.Errorf("only the ApplyChanges store has %q", ka[i][0])
			n++
		case !bytes.Equal(ka[i][0], kb[i][0]):
			t.Errorf("key %d: %q (ApplyChanges) and %q (bulk)", i, ka[i][0], kb[i][0])
			n++
		case !bytes.Equal(ka[i][1], kb[i][1]):
			t.Errorf("%q: values differ: %q (ApplyChanges) and %q (bulk)", ka[i][0], ka[i][1], kb[i][1])
			n++
		}
	}
	if len(ka) != len(kb) {
		t.Errorf("%d keys written by ApplyChanges, %d by the bulk import", len(ka), len(kb))
	}
	if len(ka) < 1000 {
		t.Errorf("only %d keys compared", len(ka))
	}
}

func pages(recs []shop.Record, size int, fn func(page []shop.Record, next int64) error) error {
	for i := 0; i < len(recs); i += size {
		page := recs[i:min(i+size, len(recs))]
		next := int64(0)
		for _, r := range page {
			next = max(next, r.Seq)
		}
		if err := fn(page, next); err != nil {
			return err
		}
	}
	return nil
}

// A store loaded by the bulk import holds exactly the keys and values that ApplyChanges writes
// for the same pages (entities, every index key, the cursor, settings), on disk and in memory,
// and reads the same.
func TestBulkImportMatchesApplyChanges(t *testing.T) {
	feed := bulkFeed(t)
	for _, mem := range []bool{false, true} {
		t.Run(fmt.Sprintf("inmemory=%v", mem), func(t *testing.T) {
			open := func() *DB {
				if mem {
					return openMem(t)
				}
				return openDir(t, t.TempDir())
			}
			want, got := open(), open()
			for _, db := range []*DB{want, got} {
				if err := db.SetMeta("desk.setting", "一个设置"); err != nil {
					t.Fatal(err)
				}
			}
			if err := pages(feed, 500, want.ApplyChanges); err != nil {
				t.Fatal(err)
			}
			b, err := got.BeginBulkImport(0)
			if err != nil {
				t.Fatal(err)
			}
			if err := pages(feed, 500, b.Add); err != nil {
				t.Fatal(err)
			}
			if n, _ := got.Cursor(); n != 0 {
				t.Errorf("cursor %d before Finish, want 0", n)
			}
			if err := b.Finish(); err != nil {
				t.Fatal(err)
			}
			sameStores(t, want, got)
			checkConsistent(t, got)
			if ps, _ := got.SearchProducts("NEW-SKU-1", 0); len(ps) != 1 {
				t.Errorf("the product search index after the bulk import finds %d products by the new SKU", len(ps))
			}
			if !mem {
				if _, err := os.Stat(filepath.Join(got.Dir(), bulkDirName)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the staging folder is still there: %v", err)
				}
			}
			// The store takes a staff action as any other.
			o, err := got.SearchOrders("", OrderFilter{}, 1)
			if err != nil || len(o) == 0 {
				t.Fatalf("orders after the import: %v", err)
			}
			apply(t, got, noteMut(t, o[0].ID, "n-after", shop.FlagGreen, "导入后的备注"))
			checkConsistent(t, got)
		})
	}
}

// Entities the store holds when the import begins (a first page applied as it came, and a note
// typed meanwhile, still pending) are not bulk-loaded: their records go through ApplyChanges'
// path afterwards, which rebases the pending note on top. The result is key for key what
// ApplyChanges alone makes of the same pages and the same note.
func TestBulkImportKeepsWhatTheStoreHolds(t *testing.T) {
	feed := bulkFeed(t)
	var order string
	cut := 0
	for i, r := range feed {
		if r.Type == shop.TypeOrder {
			order, cut = r.ID, i+1
			break
		}
	}
	if order == "" || cut >= len(feed)/2 {
		t.Fatalf("the first order is record %d of %d", cut, len(feed))
	}
	first, rest := feed[:cut], feed[cut:]
	note := noteMut(t, order, "n-bulk", shop.FlagRed, "离线备注")
	want, got := openDir(t, t.TempDir()), openDir(t, t.TempDir())
	for _, db := range []*DB{want, got} {
		if err := pages(first, 1000, db.ApplyChanges); err != nil {
			t.Fatal(err)
		}
		apply(t, db, note)
	}
	if err := pages(rest, 700, want.ApplyChanges); err != nil {
		t.Fatal(err)
	}
	from, _ := got.Cursor()
	b, err := got.BeginBulkImport(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := pages(rest, 700, b.Add); err != nil {
		t.Fatal(err)
	}
	if err := b.Finish(); err != nil {
		t.Fatal(err)
	}
	sameStores(t, want, got)
	checkConsistent(t, got)
	if got.OutboxLen() != 1 {
		t.Errorf("outbox %d after the import, want the note", got.OutboxLen())
	}
}

// A bulk import refuses a store that caches many entities or whose cursor moved, and one that
// is reset while it stages records is dropped without storing anything.
func TestBulkImportRefusesAndDrops(t *testing.T) {
	db := openMem(t)
	if _, err := db.BeginBulkImport(5); !errors.Is(err, ErrBulkNotEmpty) {
		t.Errorf("BeginBulkImport from another cursor: %v", err)
	}
	b, err := db.BeginBulkImport(0)
	if err != nil {
		t.Fatal(err)
	}
	feed := bulkFeed(t)
	if err := b.Add(feed[:100], feed[99].Seq); err != nil {
		t.Fatal(err)
	}
	if err := db.ResetCache(); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(feed[100:200], feed[199].Seq); !errors.Is(err, ErrBulkStale) {
		t.Errorf("Add after a reset: %v", err)
	}
	if err := b.Finish(); !errors.Is(err, ErrBulkStale) && !errors.Is(err, ErrClosed) {
		t.Errorf("Finish after a reset: %v", err)
	}
	if n, _ := db.Cursor(); n != 0 {
		t.Errorf("cursor %d after a dropped import", n)
	}
	var ents int
	db.EachRecord(func(shop.Record) error { ents++; return nil })
	if ents != 0 {
		t.Errorf("%d entities stored by a dropped import", ents)
	}
}
