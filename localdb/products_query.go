package localdb

import (
	"fmt"

	"kefu/shop"
)

// LowStockProducts lists the products at or under their low-stock threshold (a threshold above
// zero, and the variants' available stock adding up to no more than it), by name, from the
// in-memory product index. At most limit (all when <= 0).
func (db *DB) LowStockProducts(limit int) ([]shop.Product, error) {
	if err := db.products.wait(); err != nil {
		return nil, fmt.Errorf("localdb: low stock: %w", err)
	}
	return db.products.low(limit), nil
}
