package localdb

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"kefu/shop"
)

// referenceRank ranks one entry for q (pq: pinyinQuery(q)) by matching everything, without the snapshot's key lists
// and filters: the definition the indexed search must keep (exact SKU or barcode, SKU prefix,
// name prefix or substring, pinyin by pinyinRank; one pinyin letter by the first letters).
func referenceRank(e *prodEntry, q, pq string) int {
	r := rankNone
	for kind, k := range e.searchKeys() {
		switch {
		case k == q:
			r = rankExact
		case kind == keySKU && strings.HasPrefix(k, q):
			r = min(r, rankPrefix)
		}
	}

	if r <= rankPrefix {
		return r
	}
	switch strings.Index(e.lname, q) {
	case -1:
	case 0:
		return rankPrefix
	default:
		r = rankSubstring
	}
	if pq == "" || e.heads&headBit(pq[0]) == 0 {
		return r
	}
	if len(pq) == 1 {
		if e.head0&headBit(pq[0]) != 0 {
			return rankPrefix
		}
		return rankSubstring
	}
	return min(r, pinyinRank(e.py, pq))
}

// referenceSearch is search by referenceRank over every entry: the ids of the exact, then the
// prefix, then the substring matches, by name within each rank, at most limit.
func referenceSearch(x *productIndex, q string, limit int) []string {
	s := x.snapshot()
	var byRank [rankNone][]string
	pq := pinyinQuery(q)
	for _, e := range s.entries {
		if r := referenceRank(e, q, pq); r < rankNone {
			byRank[r] = append(byRank[r], e.id)
		}
	}
	var out []string
	for _, ids := range byRank {
		for _, id := range ids {
			if limit > 0 && len(out) == limit {
				return out
			}
			out = append(out, id)
		}
	}
	return out
}

// oddProducts are products whose names and codes stress the filters: ASCII and mixed case in
// names, punctuation between characters, polyphones, digits, a name that is not valid UTF-8,
// a barcode that is also a SKU prefix of another product.
func oddProducts() []shop.Record {
	ps := []shop.Product{
		{ID: "o1", Name: "T恤 男款", Variants: []shop.Variant{{SKU: "TX-1", Barcode: "tx"}}},
		{ID: "o2", Name: "ABC-1 袜子", Variants: []shop.Variant{{SKU: "abc-1"}, {SKU: "ABC-12", Barcode: "6901"}}},
		{ID: "o3", Name: "长款·重磅/卫衣", Variants: []shop.Variant{{SKU: "CK-9"}}},
		{ID: "o4", Name: "2025新款 羽绒服", Variants: []shop.Variant{{SKU: "2025-1", Barcode: "2025"}}},
		{ID: "o5", Name: "bad\xff名字\xe4\xb8", Variants: []shop.Variant{{SKU: "BAD"}}},
		{ID: "o6", Name: "Café 绿色", Variants: []shop.Variant{{SKU: "lv-s"}}},
		{ID: "o7", Name: "", Variants: []shop.Variant{{SKU: "EMPTY-NAME", Barcode: "690123"}}},
		{ID: "o8", Name: "儿童外套儿童外套", Variants: []shop.Variant{{SKU: "KD-000001"}}},
	}
	var recs []shop.Record
	for _, p := range ps {
		b, err := json.Marshal(p)
		if err != nil {
			panic(err)
		}
		recs = append(recs, shop.Record{Type: shop.TypeProduct, ID: p.ID, Data: b})
	}
	return recs
}

// filterQueries is what the equivalence test types: every keystroke of the SKUs, barcodes,
// names, full pinyin and initials of some products, parts from inside them, and random
// strings over the letters pinyin uses.
func filterQueries(t *testing.T, recs []shop.Record, rng *rand.Rand) []string {
	var words []string
	for k, r := range recs {
		if k%41 != 0 && r.ID[0] != 'o' {
			continue
		}
		var p shop.Product
		if err := json.Unmarshal(r.Data, &p); err != nil {
			t.Fatal(err)
		}
		py, _ := pinyinUnits(p.Name)
		var full, initials, other strings.Builder
		for j := 0; j < len(py); {
			n := int(py[j])
			j++
			for m := 0; m < n; m++ {
				l := int(py[j])
				switch m {
				case 0:
					full.WriteString(py[j+1 : j+1+l])
					initials.WriteByte(py[j+1])
				case n - 1:
					other.WriteString(py[j+1 : j+1+l]) // another reading of a polyphone
				}
				j += 1 + l
			}
		}
		name := []rune(strings.ToLower(p.Name))
		words = append(words, p.Name, full.String(), initials.String(), other.String(), string(name[len(name)/2:]))
		if f := full.String(); len(f) > 4 {
			words = append(words, f[2:], f[len(f)/2:])
		}
		for _, v := range p.Variants[:min(2, len(p.Variants))] {
			words = append(words, strings.ToLower(v.SKU), v.Barcode, strings.ToLower(v.SKU[min(3, len(v.SKU)):]))
		}
	}
	qs := keystrokes(words...)
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789-"
	for range 200 {
		b := make([]byte, 1+rng.IntN(5))
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		qs = append(qs, string(b))
	}
	qs = append(qs, "\xff", "\xe4\xb8", "名字\xe4\xb8", "bad\xff", "\ufffd", "é", "·", "/", " ", "t 恤", "er'tong", "x")
	var out []string
	for _, q := range qs {
		if q = queryKey(q); q != "" {
			out = append(out, q)
		}
	}
	return out
}

// TestProductSearchMatchesReference: the search through the key lists and filters finds what
// matching every product finds, in the same order, with and without a limit — for every
// keystroke of SKUs, barcodes, names and their pinyin, random letters and odd names. The
// catalog is large enough (600 products, 6,000 SKUs) that the first keystrokes of a SKU
// take the per-product SKU check (skuScanFactor) and later ones the marked key range.
func TestProductSearchMatchesReference(t *testing.T) {
	recs := append(largeCatalog(t)[:600], oddProducts()...)
	x := indexOf(recs)
	qs := filterQueries(t, recs, rand.New(rand.NewPCG(1, 2)))
	found := 0
	for _, q := range qs {
		all := referenceSearch(x, q, 0)
		if len(all) > 0 {
			found++
		}
		for _, limit := range []int{0, 1, 7, 100} {
			want := all
			if limit > 0 && len(want) > limit {
				want = want[:limit]
			}
			got := ids(x.search(q, limit), func(p shop.Product) string { return p.ID })
			if !eq(got, want) {
				t.Errorf("search(%q, %d) = %v,\nwant %v", q, limit, head(got), head(want))
			}
		}
	}
	t.Logf("%d queries, %d found a product", len(qs), found)
	// Most queries find something: the test compares results, not two empty lists.
	if found < len(qs)/2 {
		t.Errorf("only %d of %d queries found a product", found, len(qs))
	}
}

// head is the start of a long id list, for error messages.
func head(ids []string) string {
	if len(ids) > 12 {
		return fmt.Sprintf("%v … (%d)", ids[:12], len(ids))
	}
	return fmt.Sprint(ids)
}

// TestProductSearchFiltersAfterWrites: the filters are rebuilt with the snapshot, so renames,
// new products and deletions are found (or not) at once, and what the search finds matches
// the reference after each change.
func TestProductSearchFiltersAfterWrites(t *testing.T) {
	x := indexOf(oddProducts())
	check := func(when string, qs ...string) {
		t.Helper()
		for _, q := range qs {
			want := referenceSearch(x, q, 0)
			if got := ids(x.search(q, 0), func(p shop.Product) string { return p.ID }); !eq(got, want) {
				t.Errorf("%s: search(%q) = %v, want %v", when, q, got, want)
			}
		}
	}
	qs := []string{"yrf", "yurongfu", "羽绒", "xk", "etwt", "wz", "袜子", "abc", "zz-1", "zhizhen"}
	check("before", qs...)
	b, _ := json.Marshal(shop.Product{ID: "o4", Name: "针织衫", Variants: []shop.Variant{{SKU: "ZZ-1"}}})
	x.update(map[string]*prodEntry{"o4": newProdEntry("o4", b), "o2": nil})
	check("after a rename and a deletion", qs...)
	if got := x.search("yrf", 0); len(got) != 0 {
		t.Errorf("the old name's pinyin still finds %v", got)
	}
	if got := x.search("zzs", 0); len(got) != 1 || got[0].ID != "o4" {
		t.Errorf("the new name's pinyin finds %v", got)
	}
	if got := x.search("袜子", 0); len(got) != 0 {
		t.Errorf("a deleted product is found: %v", got)
	}
}

// TestEachPinyinPair: the pairs of a name are the letters next to each other in a reading and
// every letter of a character's reading followed by a first letter of the next character's;
// letters two characters apart are no pair.
func TestEachPinyinPair(t *testing.T) {
	py, _ := pinyinUnits("儿童")
	got := map[string]bool{}
	eachPinyinPair(pinyinUnitsOf(py, nil), func(p int) {
		got[string([]byte{symbolName(p / pinyinSymbols), symbolName(p % pinyinSymbols)})] = true
	})
	for _, p := range []string{"er", "to", "on", "ng", "et", "rt"} {
		if !got[p] {
			t.Errorf("儿童 lacks the pair %q (has %v)", p, got)
		}
	}
	for _, p := range []string{"eo", "te", "ge", "ee"} {
		if got[p] {
			t.Errorf("儿童 has the pair %q", p)
		}
	}
	py, _ = pinyinUnits("T恤2")
	got = map[string]bool{}
	eachPinyinPair(pinyinUnitsOf(py, nil), func(p int) {
		got[string([]byte{symbolName(p / pinyinSymbols), symbolName(p % pinyinSymbols)})] = true
	})
	for _, p := range []string{"tx", "xu", "x2", "u2"} {
		if !got[p] {
			t.Errorf("T恤2 lacks the pair %q (has %v)", p, got)
		}
	}
}

// symbolName is the letter of a pinyin symbol (symbolOf's inverse).
func symbolName(s int) byte {
	if s < 26 {
		return byte('a' + s)
	}
	return byte('0' + s - 26)
}

// TestPinyinStarts: pinyinStarts tells the prefix matches of pinyinRank, for the names of a
// part of the catalog and the odd products and every keystroke of their pinyin (full, initials,
// the other readings of polyphones, from inside the name) and random letters.
func TestPinyinStarts(t *testing.T) {
	recs := append(largeCatalog(t)[:300], oddProducts()...)
	qs := filterQueries(t, recs, rand.New(rand.NewPCG(3, 4)))
	starts, checked := 0, 0
	for k, r := range recs {
		if k%7 != 0 && r.ID[0] != 'o' {
			continue
		}
		var p shop.Product
		if err := json.Unmarshal(r.Data, &p); err != nil {
			t.Fatal(err)
		}
		py, _ := pinyinUnits(p.Name)
		for _, q := range qs {
			pq := pinyinQuery(q)
			if pq == "" {
				continue
			}
			want := pinyinRank(py, pq) == rankPrefix
			if got := pinyinStarts(py, pq); got != want {
				t.Errorf("pinyinStarts(%s, %q) = %t, pinyinRank says %t", p.Name, pq, got, want)
			}
			checked++
			if want {
				starts++
			}
		}
	}
	t.Logf("%d names × queries, %d start the name", checked, starts)
	if starts < 100 {
		t.Errorf("only %d of %d start a name: the test checks little", starts, checked)
	}
}

// TestProductFiltersMemory measures the heap the search filters of the large catalog (5,000
// products, 50,000 SKUs) hold, on top of the index TestProductIndexMemory measures (a snapshot
// builds them on its first search). The target is 3 MB.
func TestProductFiltersMemory(t *testing.T) {
	x := indexOf(largeCatalog(t))
	s := x.snapshot()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f := s.filters()
	runtime.GC()
	runtime.ReadMemStats(&after)
	mb := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / 1e6
	t.Logf("search filters: %d products, %.2f MB of heap (bitmaps %.2f MB)", len(s.entries), mb, float64(f.bitmapBytes)/1e6)
	if mb > 3 {
		t.Errorf("the filters of %d products hold %.1f MB; target ≤ 3 MB", len(s.entries), mb)
	}
	if f.bitmapBytes == 0 || f != s.filters() {
		t.Errorf("the filters are not kept: %d bytes of bitmaps", f.bitmapBytes)
	}
	runtime.KeepAlive(x)
}
