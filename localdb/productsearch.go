package localdb

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"

	"kefu/shop"
)

// prodEntry is what the in-memory product search needs of one product: its id and name, its
// lowercased name, SKUs and barcodes, its name's pinyin, and the rest of the product in the
// compact form of productcodec.go (a keystroke's results are decoded from it, not read from the
// store again; decoded products would cost about ten times the heap).
type prodEntry struct {
	id, name string
	lname    string // lowerASCII(name): the same string when that changes nothing
	// keys are the lowercased SKUs and barcodes, packed in one string (see eachKey).
	keys string
	// nsku and ncode count the SKUs and barcodes in keys.
	nsku, ncode int32
	// py is the name's pinyin, one unit per character that has a reading (Chinese characters,
	// ASCII letters and digits): a byte with the number of readings, then each reading as a
	// length byte and its ASCII letters (see pinyinUnits).
	py string
	// enc is the product without its id and name (productcodec.go); never changed once built: a
	// write makes a new entry.
	enc string
	// heads has bit i set when a unit has a reading starting with the query byte i (headBit);
	// head0 the same for the first unit alone.
	heads, head0 uint64
	// avail is the product's total available stock and lowStock its threshold, for the
	// low-stock list.
	avail, lowStock int
	// ascii is set when the name has ASCII characters: a query with ASCII characters (pinyin,
	// SKUs, barcodes) cannot be in a name without them, so its text is not searched.
	ascii bool
}

func newProdEntry(id string, data []byte) *prodEntry {
	p := &shop.Product{}
	_ = json.Unmarshal(data, p) // an undecodable product is still findable by nothing but its id
	e := &prodEntry{id: id, name: p.Name, lname: lowerASCII(p.Name), ascii: hasASCII(p.Name), lowStock: p.LowStock}
	e.py, e.heads = pinyinUnits(p.Name)
	if e.py != "" {
		e.head0 = unitHeads(e.py)
	}
	var keys []byte
	for _, v := range p.Variants {
		if v.SKU != "" {
			keys = appendSearchKey(keys, keySKU, lowerASCII(v.SKU))
			e.nsku++
		}
		if v.Barcode != "" {
			keys = appendSearchKey(keys, keyBarcode, lowerASCII(v.Barcode))
			e.ncode++
		}
		e.avail += v.Available()
	}
	e.keys = string(keys)
	enc, err := encodeProduct(p)
	if err == nil {
		e.enc = enc
	}
	return e
}

// Kinds of the keys an entry packs.
const (
	keySKU     = 0
	keyBarcode = 1
)

// appendSearchKey packs one key: its kind, its length as a uvarint and its bytes.
func appendSearchKey(b []byte, kind byte, k string) []byte {
	b = append(b, kind)
	b = binary.AppendUvarint(b, uint64(len(k)))
	return append(b, k...)
}

// eachKey calls fn with each SKU and barcode of the entry, lowercased; the keys are substrings of
// the entry's packed string (no copies).
func (e *prodEntry) eachKey(fn func(kind byte, k string)) {
	r := productReader{s: e.keys}
	for len(r.s) > 0 {
		kind := r.s[0]
		r.s = r.s[1:]
		k := r.str()
		if r.err != nil {
			return // never: appendSearchKey wrote it
		}
		fn(kind, k)
	}
}

// hasASCII reports whether s has an ASCII character.
func hasASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < utf8.RuneSelf {
			return true
		}
	}
	return false
}

// product decodes the entry's product; the caller may change it.
func (e *prodEntry) product() shop.Product {
	p := shop.Product{ID: e.id, Name: e.name}
	_ = decodeProduct(e.enc, &p) // the form was made by encodeProduct
	return p
}

// low reports whether the product is at or under its low-stock threshold.
func (e *prodEntry) low() bool { return e.lowStock > 0 && e.avail <= e.lowStock }

// headBit is the bit of heads for a query byte: a–z are bits 0–25, 0–9 bits 26–35; other bytes
// have none (0).
func headBit(c byte) uint64 {
	switch {
	case c >= 'a' && c <= 'z':
		return 1 << (c - 'a')
	case c >= '0' && c <= '9':
		return 1 << (26 + c - '0')
	}
	return 0
}

var (
	unitMu    sync.Mutex
	unitCache = map[rune]string{} // encoded unit of a rune ("" when it has no reading)
)

// pinyinArgs asks for every reading of a character (polyphones such as 长 zhang/chang and
// 重 zhong/chong), without tones; ü is written v, as pinyin input methods take it.
var pinyinArgs = pinyin.Args{Style: pinyin.Normal, Heteronym: true}

// unitOf encodes the readings of one character: Chinese characters by their pinyin, ASCII
// letters and digits by themselves (lowercase); anything else has none.
func unitOf(r rune) string {
	switch {
	case r < utf8.RuneSelf:
		c := byte(r)
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if headBit(c) == 0 {
			return ""
		}
		return string([]byte{1, 1, c})
	}
	unitMu.Lock()
	defer unitMu.Unlock()
	if u, ok := unitCache[r]; ok {
		return u
	}
	var b []byte
	for _, s := range pinyin.SinglePinyin(r, pinyinArgs) {
		if s == "" || len(s) > 255 || len(b) > 0 && b[0] == 255 {
			continue
		}
		if len(b) == 0 {
			b = append(b, 0)
		}
		b[0]++
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	u := string(b)
	unitCache[r] = u
	return u
}

// pinyinUnits encodes the name's characters that have readings, and the bitmask of the first
// letters of their readings.
func pinyinUnits(name string) (string, uint64) {
	var b strings.Builder
	var heads uint64
	for _, r := range name {
		u := unitOf(r)
		if u == "" {
			continue
		}
		b.WriteString(u)
		heads |= unitHeads(u)
	}
	return b.String(), heads
}

// unitHeads is the headBit mask of the first letters of the readings of the first unit in u.
func unitHeads(u string) uint64 {
	var heads uint64
	for i, n := 1, int(u[0]); n > 0; n-- {
		heads |= headBit(u[i+1])
		i += 1 + int(u[i])
	}
	return heads
}

// pinyinQuery returns q without spaces and apostrophes (er'tong, er tong) when what is left
// can be pinyin (ASCII letters and digits, at most 63 of them), else "".
func pinyinQuery(q string) string {
	out := make([]byte, 0, len(q))
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == ' ' || c == '\'':
		case headBit(c) != 0:
			out = append(out, c)
		default:
			return ""
		}
	}
	if len(out) == 0 || len(out) > 63 {
		return ""
	}
	return string(out)
}

// pinyinRank matches q (from pinyinQuery) against encoded units: q must spell consecutive
// characters of the name, each by a non-empty prefix of one of its readings, so full pinyin
// (ertongwaitao), initials (etwt), a mix (ertongwt) and a syllable still being typed
// (ertongwa) all find 儿童外套. It returns rankPrefix when the match can start at the name's
// first character, rankSubstring for a match further in, else rankNone.
func pinyinRank(py string, q string) int {
	full := uint64(1) << len(q)
	// anyReach holds the query offsets reached after a unit by a match starting anywhere; from
	// those reached by a match starting at the first unit.
	var anyReach, from uint64
	best := rankNone
	for i := 0; i < len(py); {
		n := int(py[i])
		i++
		start := i
		cur := anyReach | 1
		var next, nextFrom uint64
		for m := cur; m != 0; m &= m - 1 {
			o := bits.TrailingZeros64(m)
			var reach uint64
			for j, k := start, 0; k < n; k++ {
				l := int(py[j])
				r := py[j+1 : j+1+l]
				j += 1 + l
				for x := 0; x < l && o+x < len(q) && q[o+x] == r[x]; x++ {
					reach |= 1 << (o + x + 1)
				}
			}
			next |= reach
			if o == 0 && start == 1 || from&(1<<o) != 0 {
				nextFrom |= reach
			}
		}
		for k := 0; k < n; k++ {
			i += 1 + int(py[i])
		}
		if nextFrom&full != 0 {
			return rankPrefix
		}
		if next&full != 0 {
			best = rankSubstring
		}
		anyReach, from = next, nextFrom
		if best == rankSubstring && from == 0 {
			return best
		}
	}
	return best
}

// skuRef points from a lowercased SKU or barcode to its product (an index into byName).
type skuRef struct {
	key  string
	prod int32
}

// prodSnapshot is the searchable form of the index, rebuilt after products change: the
// entries by name, and their SKUs and barcodes sorted for prefix and exact lookups.
type prodSnapshot struct {
	entries []*prodEntry
	skus    []skuRef
	codes   []skuRef
}

// productIndex is the in-memory search index over products (≤ 50k SKUs fit easily), built in
// the background after Open and updated after every committed write that changes a product.
type productIndex struct {
	mu      sync.RWMutex
	byID    map[string]*prodEntry
	snap    *prodSnapshot // nil when it must be rebuilt
	ready   chan struct{} // closed when the first load has ended
	loadErr error         // why the first load failed; set before ready is closed
}

func newProductIndex() *productIndex {
	return &productIndex{byID: map[string]*prodEntry{}, ready: make(chan struct{})}
}

// loaded records the end of the first load, with its error.
func (x *productIndex) loaded(err error) {
	x.mu.Lock()
	x.loadErr = err
	x.mu.Unlock()
	close(x.ready)
}

// wait blocks until the first load has ended and returns its error. Callers must not hold the
// store's lifetime lock: the load needs it.
func (x *productIndex) wait() error {
	<-x.ready
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.loadErr
}

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
	x.snap = nil
}

func (x *productIndex) reset(entries map[string]*prodEntry) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.byID, x.snap = entries, nil
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

// snapshot returns the searchable form, rebuilding it when products changed.
func (x *productIndex) snapshot() *prodSnapshot {
	x.mu.RLock()
	s := x.snap
	x.mu.RUnlock()
	if s != nil {
		return s
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.snap != nil {
		return x.snap
	}
	s = &prodSnapshot{entries: make([]*prodEntry, 0, len(x.byID))}
	nsku, ncode := 0, 0
	for _, e := range x.byID {
		s.entries = append(s.entries, e)
		nsku += int(e.nsku)
		ncode += int(e.ncode)
	}
	sort.Slice(s.entries, func(i, j int) bool { return entryLess(s.entries[i], s.entries[j]) })
	s.skus, s.codes = make([]skuRef, 0, nsku), make([]skuRef, 0, ncode)
	for i, e := range s.entries {
		e.eachKey(func(kind byte, k string) {
			if kind == keySKU {
				s.skus = append(s.skus, skuRef{k, int32(i)})
			} else {
				s.codes = append(s.codes, skuRef{k, int32(i)})
			}
		})
	}
	byKey := func(r []skuRef) func(i, j int) bool {
		return func(i, j int) bool { return r[i].key < r[j].key || r[i].key == r[j].key && r[i].prod < r[j].prod }
	}
	sort.Slice(s.skus, byKey(s.skus))
	sort.Slice(s.codes, byKey(s.codes))
	x.snap = s
	return s
}

// Match ranks of a product search.
const (
	rankExact     = iota // a SKU or barcode equals the query
	rankPrefix           // a SKU, the name or the name's pinyin starts with the query
	rankSubstring        // the name or its pinyin contains the query
	rankNone
)

// keyRange returns the refs whose key starts with q (sorted refs).
func keyRange(refs []skuRef, q string) []skuRef {
	lo := sort.Search(len(refs), func(i int) bool { return refs[i].key >= q })
	refs = refs[lo:]
	hi := sort.Search(len(refs), func(i int) bool { return !strings.HasPrefix(refs[i].key, q) })
	return refs[:hi]
}

// rankAll ranks the products for q (lowercased and trimmed, not empty): ranks[i] is the rank
// of s.entries[i]. SKUs and barcodes are looked up first; then names are matched in name order
// until limit products (all when <= 0) rank as exact or prefix matches: the entries after those
// cannot be among the first limit results, so their names are not matched (they keep the rank
// their SKUs and barcodes gave them).
func (s *prodSnapshot) rankAll(q string, limit int) []uint8 {
	ranks := make([]uint8, len(s.entries))
	for i := range ranks {
		ranks[i] = rankNone
	}
	for _, ref := range keyRange(s.skus, q) {
		r := uint8(rankPrefix)
		if ref.key == q {
			r = rankExact
		}
		ranks[ref.prod] = min(ranks[ref.prod], r)
	}
	codes := s.codes[sort.Search(len(s.codes), func(i int) bool { return s.codes[i].key >= q }):]
	for k := 0; k < len(codes) && codes[k].key == q; k++ {
		ranks[codes[k].prod] = rankExact
	}
	pq := pinyinQuery(q)
	var head uint64
	if pq != "" {
		head = headBit(pq[0])
	}
	qASCII := hasASCII(q)
	top := 0 // entries so far that rank exact or prefix
	for i, e := range s.entries {
		r := int(ranks[i])
		if r > rankPrefix && (e.ascii || !qASCII) {
			switch strings.Index(e.lname, q) {
			case -1:
			case 0:
				r = rankPrefix
			default:
				r = min(r, rankSubstring)
			}
		}
		if r > rankPrefix && e.heads&head != 0 {
			if len(pq) == 1 {
				// One letter: the heads say it all.
				r = rankSubstring
				if e.head0&head != 0 {
					r = rankPrefix
				}
			} else {
				r = min(r, pinyinRank(e.py, pq))
			}
		}
		ranks[i] = uint8(r)
		if r <= rankPrefix {
			if top++; limit > 0 && top >= limit {
				break
			}
		}
	}
	return ranks
}

// search returns the best matches for q (already lowercased and trimmed): exact SKU or
// barcode first, then prefixes, then substrings, by name within each rank; all products by
// name when q is empty. At most limit (all when <= 0).
func (x *productIndex) search(q string, limit int) []shop.Product {
	s := x.snapshot()
	var out []shop.Product
	if q == "" {
		for _, e := range s.entries {
			if limit > 0 && len(out) >= limit {
				break
			}
			out = append(out, e.product())
		}
		return out
	}
	ranks := s.rankAll(q, limit)
	for r := uint8(rankExact); r < rankNone; r++ {
		for i, ri := range ranks {
			if ri != r {
				continue
			}
			if limit > 0 && len(out) >= limit {
				return out
			}
			out = append(out, s.entries[i].product())
		}
	}
	return out
}

// low returns the products at or under their low-stock threshold, by name.
func (x *productIndex) low(limit int) []shop.Product {
	var out []shop.Product
	for _, e := range x.snapshot().entries {
		if !e.low() {
			continue
		}
		if limit > 0 && len(out) >= limit {
			break
		}
		out = append(out, e.product())
	}
	return out
}
