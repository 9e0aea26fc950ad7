package localdb

import (
	"testing"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// TestNewStoreNeedsNoSpendBackfill: a store created by this desk (then filled by a bulk first
// sync) is marked as keeping the spend index from its first write, so the first customer
// figures write nothing (no backfill reading every order) and equal those of a backfilled store.
func TestNewStoreNeedsNoSpendBackfill(t *testing.T) {
	feed := bulkFeed(t)
	db := openDir(t, t.TempDir())
	if err := db.ApplyChanges(feed[:bulkPage], feed[bulkPage-1].Seq); err != nil {
		t.Fatal(err)
	}
	bi, err := db.BeginBulkImport(feed[bulkPage-1].Seq)
	if err != nil {
		t.Fatal(err)
	}
	if err := pages(feed[bulkPage:], bulkPage, bi.Add); err != nil {
		t.Fatal(err)
	}
	if err := bi.Finish(); err != nil {
		t.Fatal(err)
	}
	var marked bool
	if err := db.bdb.View(func(txn *badger.Txn) (err error) {
		_, marked, err = getRaw(txn, keySpendIndexed)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !marked {
		t.Fatal("a store created by this desk is not marked as keeping the spend index")
	}
	var customers []string
	for _, r := range feed {
		if r.Type == shop.TypeCustomer && len(customers) < 20 {
			customers = append(customers, r.ID)
		}
	}
	before := db.commits.Load()
	var got []shop.CustomerStats
	buyers := 0
	for _, c := range customers {
		st, err := db.CustomerStats(c)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, st)
		if st.Orders > 0 {
			buyers++
		}
	}
	if buyers == 0 {
		t.Fatal("none of the customers checked has paid orders")
	}
	if n := db.commits.Load() - before; n != 0 {
		t.Errorf("the first customer figures wrote %d times; a new store needs no backfill", n)
	}
	// The same figures from a backfilled index.
	if err := db.bdb.DropPrefix(ixPrefix(ixOrderSpend), keySpendIndexed); err != nil {
		t.Fatal(err)
	}
	for i, c := range customers {
		st, err := db.CustomerStats(c)
		if err != nil {
			t.Fatal(err)
		}
		if w := got[i]; st.Orders != w.Orders || st.Spent != w.Spent || !st.LastOrder.Equal(w.LastOrder) {
			t.Errorf("customer %s: figures %+v after the backfill, %+v before", c, st, w)
		}
	}
}

// TestBulkFinishWithStaffActions: staff actions made one after another while a bulk import's
// Finish replaces the store all land in the outbox, and Finish returns (it used to wait for
// the lifetime lock while holding the writers' lock, which an action that had entered was
// waiting for: both waited forever).
func TestBulkFinishWithStaffActions(t *testing.T) {
	feed := bulkFeed(t)
	db := openDir(t, t.TempDir())
	if err := db.ApplyChanges(feed[:bulkPage], feed[bulkPage-1].Seq); err != nil {
		t.Fatal(err)
	}
	var prod shop.Product
	for _, r := range feed[:bulkPage] {
		if r.Type == shop.TypeProduct {
			if err := r.Decode(&prod); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if len(prod.Variants) < 2 {
		t.Fatal("no product with two variants in the first page")
	}
	bi, err := db.BeginBulkImport(feed[bulkPage-1].Seq)
	if err != nil {
		t.Fatal(err)
	}
	if err := pages(feed[bulkPage:], bulkPage, bi.Add); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	made := make(chan int)
	go func() {
		n := 0
		defer func() { made <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			m := mut(t, shop.KindStockAdjust, prod.ID, "1001", shop.StockAdjust{SKU: prod.Variants[1].SKU, Delta: 1, Reason: "入库"}) // bulkFeed renames the first SKU
			if _, err := db.Apply(m); err != nil {
				t.Error(err)
				return
			}
			n++
		}
	}()
	if err := bi.Finish(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	n := <-made
	if got := db.OutboxLen(); got != n {
		t.Errorf("outbox holds %d actions; %d were made", got, n)
	}
	checkConsistent(t, db)
}
