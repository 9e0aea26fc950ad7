package localdb

import (
	"encoding/binary"
	"encoding/json"
	"iter"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
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
	// head0 the same for the first unit alone. A snapshot's filters are built from them and py.
	heads, head0 uint64
	// avail is the product's total available stock and lowStock its threshold, for the
	// low-stock list.
	avail, lowStock int
}

func newProdEntry(id string, data []byte) *prodEntry {
	p := &shop.Product{}
	_ = json.Unmarshal(data, p) // an undecodable product is still findable by nothing but its id
	e := &prodEntry{id: id, name: p.Name, lname: lowerASCII(p.Name), lowStock: p.LowStock}
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

// searchKeys yields each SKU and barcode of the entry, lowercased, with its kind; the keys are
// substrings of the entry's packed string (no copies).
func (e *prodEntry) searchKeys() iter.Seq2[byte, string] {
	return func(yield func(byte, string) bool) {
		r := productReader{s: e.keys}
		for len(r.s) > 0 {
			kind := r.s[0]
			r.s = r.s[1:]
			k := r.str()
			if r.err != nil || !yield(kind, k) {
				return // r.err: never, appendSearchKey wrote it
			}
		}
	}
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
			reach := unitReach(py, start, n, q, o)
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

// unitReach is the query offsets past o that the n readings of one unit of py (the first at
// py[start]) spell from q[o] on, each as a bit: a reading that matches x letters reaches o+x.
func unitReach(py string, start, n int, q string, o int) uint64 {
	var reach uint64
	for j, k := start, 0; k < n; k++ {
		l := int(py[j])
		r := py[j+1 : j+1+l]
		j += 1 + l
		for x := 0; x < l && o+x < len(q) && q[o+x] == r[x]; x++ {
			reach |= 1 << (o + x + 1)
		}
	}
	return reach
}

// pinyinStarts reports whether pinyinRank(py, q) is rankPrefix: whether q spells consecutive
// characters of the name from its first one. It follows only the matches that start there, and
// stops as soon as none is left, so a name that does not start with q costs a unit or two.
func pinyinStarts(py string, q string) bool {
	full := uint64(1) << len(q)
	from := uint64(1) // the query offsets reached by a match from the first unit
	for i := 0; i < len(py) && from != 0; {
		n := int(py[i])
		i++
		var next uint64
		for m := from; m != 0; m &= m - 1 {
			next |= unitReach(py, i, n, q, bits.TrailingZeros64(m))
		}
		if next&full != 0 {
			return true
		}
		for k := 0; k < n; k++ {
			i += 1 + int(py[i])
		}
		from = next
	}
	return false
}

// skuRef points from a lowercased SKU or barcode to its product (an index into entries); a
// snapshot build sorts them and keeps them as a keyList.
type skuRef struct {
	key  string
	prod int32
}

// keyList is a snapshot's SKUs or barcodes, lowercased and sorted (then by product), with the
// index in entries of each one's product: two parallel slices, so that marking the products of
// a range of keys reads 4 bytes a key.
type keyList struct {
	keys  []string
	prods []int32
}

// newKeyList sorts refs and splits them into a keyList.
func newKeyList(refs []skuRef) keyList {
	sort.Slice(refs, func(i, j int) bool {
		return refs[i].key < refs[j].key || refs[i].key == refs[j].key && refs[i].prod < refs[j].prod
	})
	l := keyList{keys: make([]string, len(refs)), prods: make([]int32, len(refs))}
	for i, r := range refs {
		l.keys[i], l.prods[i] = r.key, r.prod
	}
	return l
}

// prefixRange returns the positions [lo, hi) of the keys that start with q; those equal to q
// come first.
func (l *keyList) prefixRange(q string) (lo, hi int) {
	lo = sort.SearchStrings(l.keys, q)
	hi = lo + sort.Search(len(l.keys)-lo, func(i int) bool { return !strings.HasPrefix(l.keys[lo+i], q) })
	return lo, hi
}

// prodSnapshot is the searchable form of the index, rebuilt after products change: the
// entries by name, their SKUs and barcodes sorted for prefix and exact lookups, and the filters
// that narrow a query's name and pinyin matching (productsearch_filter.go), built by the first
// search that needs them: listing products, the low-stock list and an empty query do not.
type prodSnapshot struct {
	entries     []*prodEntry
	byLname     []int32 // the entries' indexes by lname (then index): a query's name prefixes are a range
	skus        keyList
	codes       keyList
	filtersOnce sync.Once
	filtersMade *prodFilters // see filters
	// last is what the latest search of this snapshot that learned something learned about its
	// pinyin query, which narrows the next keystroke's (see lastPinyin); it goes with the
	// snapshot when products change.
	last atomic.Pointer[lastPinyin]
}

// filters returns the snapshot's filters, building them on the first call.
func (s *prodSnapshot) filters() *prodFilters {
	s.filtersOnce.Do(func() { s.filtersMade = buildFilters(s.entries) })
	return s.filtersMade
}

// namePrefixRange returns the positions [lo, hi) in byLname of the entries whose lname starts
// with q.
func (s *prodSnapshot) namePrefixRange(q string) (lo, hi int) {
	lname := func(k int) string { return s.entries[s.byLname[k]].lname }
	lo = sort.Search(len(s.byLname), func(k int) bool { return lname(k) >= q })
	hi = lo + sort.Search(len(s.byLname)-lo, func(k int) bool { return !strings.HasPrefix(lname(lo+k), q) })
	return lo, hi
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
	skus, codes := make([]skuRef, 0, nsku), make([]skuRef, 0, ncode)
	for i, e := range s.entries {
		for kind, k := range e.searchKeys() {
			if kind == keySKU {
				skus = append(skus, skuRef{k, int32(i)})
			} else {
				codes = append(codes, skuRef{k, int32(i)})
			}
		}
	}
	s.skus, s.codes = newKeyList(skus), newKeyList(codes)
	s.byLname = make([]int32, len(s.entries))
	for i := range s.byLname {
		s.byLname[i] = int32(i)
	}
	sort.Slice(s.byLname, func(i, j int) bool {
		a, b := s.entries[s.byLname[i]], s.entries[s.byLname[j]]
		return a.lname < b.lname || a.lname == b.lname && s.byLname[i] < s.byLname[j]
	})
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

// hasSKUPrefix reports whether one of the entry's SKUs starts with q.
func (e *prodEntry) hasSKUPrefix(q string) bool {
	for kind, k := range e.searchKeys() {
		if kind == keySKU && strings.HasPrefix(k, q) {
			return true
		}
	}
	return false
}

// searchScratch is the working memory of one search, reused through searchScratchPool so that
// a keystroke allocates little more than the products it returns: bitmaps of entries (one bit
// each, in name order) and lists of entry indexes.
type searchScratch struct {
	cand   []uint64 // the entries a phase of find matches
	sku    []uint64 // the entries with a SKU that starts with the query (unless skuScan)
	starts []uint64 // the entries whose name starts with the query
	names  []uint64 // the entries whose name can contain the query (nameCandidates)
	pinyin []uint64 // the entries whose pinyin can match the query (pinyinCandidates)
	exact  []int32  // the entries with a SKU or barcode equal to the query, ascending
	prefix []int32  // the other entries that rank prefix, in name order
	sub    []int32  // the entries that rank substring, in name order
}

var searchScratchPool = sync.Pool{New: func() any { return new(searchScratch) }}

// zeroed returns b resized to n words, all zero.
func zeroed(b []uint64, n int) []uint64 {
	if cap(b) < n {
		return make([]uint64, n)
	}
	b = b[:n]
	clear(b)
	return b
}

func (sc *searchScratch) reset(words int) {
	sc.cand, sc.sku = zeroed(sc.cand, words), zeroed(sc.sku, words)
	sc.starts, sc.names, sc.pinyin = zeroed(sc.starts, words), zeroed(sc.names, words), zeroed(sc.pinyin, words)
	sc.exact, sc.prefix, sc.sub = sc.exact[:0], sc.prefix[:0], sc.sub[:0]
}

func bitSet(b []uint64, i int) bool { return b[i>>6]&(1<<(i&63)) != 0 }

func setBit(b []uint64, i int32) { b[i>>6] |= 1 << (i & 63) }

// clearBits clears the bits of the entries in list.
func clearBits(b []uint64, list []int32) {
	for _, i := range list {
		b[i>>6] &^= 1 << (i & 63)
	}
}

// skuScanFactor decides how a query's SKU prefixes are found. Marking the products of the keys
// in the query's range costs a little per key; checking the SKUs of each product matched in
// name order costs more per product, but the match stops at the limit. With r keys in the range
// of k keys in all, about limit·k/r products are checked before the limit: the check wins when
// r² > skuScanFactor·limit·k (the first keystrokes of a SKU, "kd-0", have every SKU in range).
const skuScanFactor = 40

// find ranks the entries for q (lowercased and trimmed, not empty) into sc: the exact matches
// (a SKU or barcode equals q), then the prefix and the substring matches, each in name order,
// the first limit results in all (every match when limit <= 0).
//
// SKUs and barcodes are looked up first, and the filters give the entries whose name or pinyin
// can match. The prefix matches are then sought among the SKU matches and the entries whose
// name or pinyin can start with q, in name order, until they complete the first limit results:
// the entries after those cannot be among them. Only when they do not are the substring
// matches sought, among the name and pinyin candidates left, until the limit. So a query that
// many names contain ("to": 儿童…) matches about limit of them, not all.
func (s *prodSnapshot) find(q string, limit int, sc *searchScratch, prev *lastPinyin) *lastPinyin {
	f := s.filters()
	sc.reset(f.words)
	lo, hi := s.skus.prefixRange(q)
	for k := lo; k < hi && s.skus.keys[k] == q; k++ {
		sc.exact = append(sc.exact, s.skus.prods[k])
	}
	skuScan := limit > 0 && int64(hi-lo)*int64(hi-lo) > skuScanFactor*int64(limit)*int64(len(s.skus.keys))
	if !skuScan {
		for _, p := range s.skus.prods[lo:hi] {
			setBit(sc.sku, p)
		}
	}
	for k := sort.SearchStrings(s.codes.keys, q); k < len(s.codes.keys) && s.codes.keys[k] == q; k++ {
		sc.exact = append(sc.exact, s.codes.prods[k])
	}
	slices.Sort(sc.exact)
	sc.exact = slices.Compact(sc.exact)
	need := limit - len(sc.exact) // prefix and substring matches that complete the first limit results
	if limit > 0 && need <= 0 {
		return nil
	}

	names, allNames := f.nameCandidates(q)
	if allNames {
		copy(sc.names, f.allEntries)
	}
	for _, i := range names {
		setBit(sc.names, i)
	}
	pq := pinyinQuery(q)
	matchPinyin := pq != "" && f.pinyinCandidates(pq, sc.pinyin)
	if matchPinyin {
		prev.narrow(pq, sc.pinyin)
	}
	var head0 []uint64 // the entries whose first character has a reading starting with pq[0]
	if matchPinyin {
		head0 = f.head0[symbolOf(pq[0])]
	}

	// The prefix matches: a SKU, the name or the pinyin from the name's first character.
	if skuScan {
		copy(sc.cand, f.allEntries)
	} else {
		copy(sc.cand, sc.sku)
	}
	lo, hi = s.namePrefixRange(q)
	for _, i := range s.byLname[lo:hi] {
		setBit(sc.starts, i)
		setBit(sc.cand, i)
	}
	if head0 != nil {
		for w, b := range sc.pinyin {
			sc.cand[w] |= b & head0[w]
		}
	}
	clearBits(sc.cand, sc.exact)
	for w, word := range sc.cand {
		for ; word != 0; word &= word - 1 {
			i := w<<6 | bits.TrailingZeros64(word)
			e := s.entries[i]
			if skuScan && e.hasSKUPrefix(q) || !skuScan && bitSet(sc.sku, i) ||
				bitSet(sc.starts, i) ||
				head0 != nil && bitSet(sc.pinyin, i) && bitSet(head0, i) && (len(pq) == 1 || pinyinStarts(e.py, pq)) {
				sc.prefix = append(sc.prefix, int32(i))
				if limit > 0 && len(sc.prefix) >= need {
					return nil
				}
			}
		}
	}

	// The substring matches, among the name and pinyin candidates that are no exact or prefix
	// match: every prefix match is known, so a name that contains q or pinyin that matches it
	// (pinyinRank; one letter: a first letter) makes a substring match.
	need -= len(sc.prefix)
	for w := range sc.cand {
		sc.cand[w] = sc.names[w] | sc.pinyin[w]
	}
	clearBits(sc.cand, sc.exact)
	clearBits(sc.cand, sc.prefix)
	for w, word := range sc.cand {
		for ; word != 0; word &= word - 1 {
			i := w<<6 | bits.TrailingZeros64(word)
			e := s.entries[i]
			if bitSet(sc.names, i) && strings.Contains(e.lname, q) ||
				matchPinyin && bitSet(sc.pinyin, i) && (len(pq) == 1 || pinyinRank(e.py, pq) != rankNone) {
				sc.sub = append(sc.sub, int32(i))
				if limit > 0 && len(sc.sub) >= need {
					return sc.learned(pq, matchPinyin, i+1)
				}
			}
		}
	}
	return sc.learned(pq, matchPinyin, len(s.entries))
}

// lastPinyin is what a search learned about its pinyin query, for the next keystroke's:
// staff type letter by letter, and a name whose pinyin matches "tongxi" matches "tongx" too,
// so a query that extends pq can only match the entries before upto that matched pq.
type lastPinyin struct {
	pq    string
	upto  int      // every entry before upto was matched against pq
	maybe []uint64 // those of them that may match pq: the search's results (a superset)
}

// learned returns what the search that found sc learned: the entries before upto whose pinyin
// may match pq are among its results (the substring phase matched every pinyin candidate before
// upto that was no exact or prefix match). Nil when it has no pinyin candidates to narrow.
func (sc *searchScratch) learned(pq string, matchPinyin bool, upto int) *lastPinyin {
	if !matchPinyin {
		return nil
	}
	l := &lastPinyin{pq: pq, upto: upto, maybe: make([]uint64, len(sc.pinyin))}
	for _, found := range [...][]int32{sc.exact, sc.prefix, sc.sub} {
		for _, i := range found {
			if int(i) < upto {
				setBit(l.maybe, i)
			}
		}
	}
	return l
}

// narrow clears in cand (pinyin candidates of pq) the entries that cannot match pq because
// they did not match l's query, a prefix of pq. l may be nil.
func (l *lastPinyin) narrow(pq string, cand []uint64) {
	if l == nil || !strings.HasPrefix(pq, l.pq) {
		return
	}
	full := l.upto >> 6 // the words all of whose entries are before upto
	for w := 0; w < full; w++ {
		cand[w] &= l.maybe[w]
	}
	if full < len(cand) {
		after := ^uint64(0) << (l.upto & 63) // the entries of the word from upto on
		cand[full] &= l.maybe[full] | after
	}
}

// search returns the best matches for q (already lowercased and trimmed): exact SKU or
// barcode first, then prefixes, then substrings, by name within each rank; all products by
// name when q is empty. At most limit (all when <= 0).
func (x *productIndex) search(q string, limit int) []shop.Product {
	s := x.snapshot()
	if q == "" {
		n := len(s.entries)
		if limit > 0 {
			n = min(n, limit)
		}
		if n == 0 {
			return nil
		}
		out := make([]shop.Product, n)
		for i, e := range s.entries[:n] {
			out[i] = e.product()
		}
		return out
	}
	sc := searchScratchPool.Get().(*searchScratch)
	defer searchScratchPool.Put(sc)
	if l := s.find(q, limit, sc, s.last.Load()); l != nil {
		s.last.Store(l)
	}
	n := len(sc.exact) + len(sc.prefix) + len(sc.sub)
	if limit > 0 {
		n = min(n, limit)
	}
	if n == 0 {
		return nil
	}
	out := make([]shop.Product, 0, n)
	for _, found := range [...][]int32{sc.exact, sc.prefix, sc.sub} {
		for _, i := range found {
			if len(out) == n {
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
