package localdb

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

// prodEntry is what the in-memory product search needs of one product.
type prodEntry struct {
	id       string
	name     string // as shown, for sorting
	lname    string // lowerASCII(name)
	skus     []string
	barcodes []string
}

func newProdEntry(id string, data []byte) *prodEntry {
	var p struct {
		Name     string `json:"name"`
		Variants []struct {
			SKU     string `json:"sku"`
			Barcode string `json:"barcode"`
		} `json:"variants"`
	}
	_ = json.Unmarshal(data, &p) // an undecodable product is still findable by nothing but its id
	e := &prodEntry{id: id, name: p.Name, lname: lowerASCII(p.Name)}
	for _, v := range p.Variants {
		if v.SKU != "" {
			e.skus = append(e.skus, lowerASCII(v.SKU))
		}
		if v.Barcode != "" {
			e.barcodes = append(e.barcodes, lowerASCII(v.Barcode))
		}
	}
	return e
}

// productIndex is the in-memory search index over products (≤ 50k SKUs fit easily), built at
// Open and updated after every committed write that changes a product.
type productIndex struct {
	mu     sync.RWMutex
	byID   map[string]*prodEntry
	sorted []*prodEntry // by name then id; nil when it must be rebuilt
}

func newProductIndex() *productIndex { return &productIndex{byID: map[string]*prodEntry{}} }

// update applies changes: a nil entry removes the product.
func (x *productIndex) update(changes map[string]*prodEntry) {
	if len(changes) == 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for id, e := range changes {
		if e == nil {
			delete(x.byID, id)
		} else {
			x.byID[id] = e
		}
	}
	x.sorted = nil
}

func (x *productIndex) reset(entries map[string]*prodEntry) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.byID, x.sorted = entries, nil
}

func (x *productIndex) len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byID)
}

func entryLess(a, b *prodEntry) bool {
	if a.name != b.name {
		return a.name < b.name
	}
	return a.id < b.id
}

// byName returns all entries sorted by name.
func (x *productIndex) byName() []*prodEntry {
	x.mu.RLock()
	s := x.sorted
	x.mu.RUnlock()
	if s != nil {
		return s
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.sorted == nil {
		s := make([]*prodEntry, 0, len(x.byID))
		for _, e := range x.byID {
			s = append(s, e)
		}
		sort.Slice(s, func(i, j int) bool { return entryLess(s[i], s[j]) })
		x.sorted = s
	}
	return x.sorted
}

// Match ranks of a product search.
const (
	rankExact     = iota // a SKU or barcode equals the query
	rankPrefix           // a SKU or the name starts with the query
	rankSubstring        // the name contains the query
	rankNone
)

func (e *prodEntry) rank(q string) int {
	for _, s := range e.skus {
		if s == q {
			return rankExact
		}
	}
	for _, b := range e.barcodes {
		if b == q {
			return rankExact
		}
	}
	if strings.HasPrefix(e.lname, q) {
		return rankPrefix
	}
	for _, s := range e.skus {
		if strings.HasPrefix(s, q) {
			return rankPrefix
		}
	}
	if strings.Contains(e.lname, q) {
		return rankSubstring
	}
	return rankNone
}

// search returns the ids of the best matches for q (already lowercased and trimmed).
func (x *productIndex) search(q string, limit int) []string {
	all := x.byName()
	var ids []string
	if q == "" {
		for _, e := range all {
			if limit > 0 && len(ids) >= limit {
				break
			}
			ids = append(ids, e.id)
		}
		return ids
	}
	// all is sorted by name, so a stable pass per rank keeps name order within a rank.
	var buckets [rankNone][]string
	for _, e := range all {
		if r := e.rank(q); r < rankNone {
			buckets[r] = append(buckets[r], e.id)
		}
	}
	for _, b := range buckets {
		for _, id := range b {
			if limit > 0 && len(ids) >= limit {
				return ids
			}
			ids = append(ids, id)
		}
	}
	return ids
}
