package localdb

import "fmt"

// ProductName is a product's id and name: what a product picker lists.
type ProductName struct {
	ID   string
	Name string
}

// ProductNames lists every product's id and name, by name (then id), from the in-memory
// product index: a filter that only names products does not need a copy of each product.
func (db *DB) ProductNames() ([]ProductName, error) {
	if err := db.products.wait(); err != nil {
		return nil, fmt.Errorf("localdb: product names: %w", err)
	}
	return db.products.names(), nil
}

// names returns the id and name of every product, by name then id. The strings are the
// index's own (strings do not change), so the list costs one slice.
func (x *productIndex) names() []ProductName {
	s := x.snapshot()
	out := make([]ProductName, len(s.entries))
	for i, e := range s.entries {
		out[i] = ProductName{ID: e.id, Name: e.name}
	}
	return out
}
