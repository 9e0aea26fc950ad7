package localdb

import (
	"fmt"
	"log"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// SearchProducts finds products by name substring, SKU prefix or exact barcode (ASCII
// case-insensitive) from the in-memory search index: exact SKU or barcode matches first, then
// prefix matches (SKU or name), then name substrings, by name within each; an empty q lists
// products by name. At most limit (all when <= 0). Pinyin finds Chinese names too (full,
// initials or a mix; see productsearch.go). The products are decoded from the index's compact
// forms (productcodec.go).
func (db *DB) SearchProducts(q string, limit int) ([]shop.Product, error) {
	if err := db.products.wait(); err != nil {
		return nil, fmt.Errorf("localdb: product search: %w", err)
	}
	return db.products.search(queryKey(q), limit), nil
}

// Product returns one product.
func (db *DB) Product(id string) (shop.Product, error) {
	return getTyped[shop.Product](db, shop.TypeProduct, id)
}

// LowStockProducts lists the products at or under their low-stock threshold (a threshold above
// zero, and the variants' available stock adding up to no more than it), by name, from the
// in-memory product index. At most limit (all when <= 0).
func (db *DB) LowStockProducts(limit int) ([]shop.Product, error) {
	if err := db.products.wait(); err != nil {
		return nil, fmt.Errorf("localdb: low stock: %w", err)
	}
	return db.products.low(limit), nil
}

// loadProductsInBackground builds the product search index on a goroutine of its own, so that
// opening a large shop (50k SKUs take about half a second to decode) does not hold up the
// window; a product search waits for it. It holds the writers' lock meanwhile, so no write can
// fall between the store read and the index; a Close waits for it.
func (db *DB) loadProductsInBackground() {
	go func() {
		if err := db.enter(); err != nil {
			db.products.loaded(err)
			return
		}
		db.wmu.Lock()
		err := db.loadProducts()
		db.wmu.Unlock()
		db.leave()
		if err != nil {
			log.Printf("localdb: loading the product search index: %v", err)
		}
		db.products.loaded(err)
	}()
}

// loadProducts builds the in-memory product search index.
func (db *DB) loadProducts() error {
	entries := map[string]*prodEntry{}
	err := db.bdb.View(func(txn *badger.Txn) error {
		return eachEntity(txn, shop.TypeProduct, func(id string, data []byte) error {
			entries[id] = newProdEntry(id, data)
			return nil
		})
	})
	if err != nil {
		return err
	}
	db.products.reset(entries)
	// The read went through every product's table pages, which no search reads again (it keeps
	// what it needs in memory): they stop counting as the desk's memory (about 45 MB on the
	// large bench shop).
	dropMappedTables(db.dir)
	return nil
}

// productChanged records a product write for the in-memory search index, which takes it once
// the transaction commits (wtx.commit).
func (w *wtx) productChanged(id string, nw state) {
	if nw.exists() {
		w.products[id] = newProdEntry(id, nw.data)
	} else {
		w.products[id] = nil
	}
}
