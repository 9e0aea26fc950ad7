package localdb

import (
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"kefu/shop"
	"kefu/shop/demoshop"
)

func TestPinyinRank(t *testing.T) {
	name := func(s string) string { py, _ := pinyinUnits(s); return py }
	for _, c := range []struct {
		name, q string
		want    int
	}{
		{"儿童外套", "ertongwaitao", rankPrefix}, // full
		{"儿童外套", "etwt", rankPrefix},         // initials
		{"儿童外套", "ertongwt", rankPrefix},     // mixed: full, then initials
		{"儿童外套", "etongwt", rankPrefix},      // mixed the other way
		{"儿童外套", "ertongwa", rankPrefix},     // a syllable still being typed
		{"儿童外套", "e", rankPrefix},
		{"儿童外套", "waitao", rankSubstring},
		{"儿童外套", "twt", rankSubstring},
		{"秋冬新款加绒儿童外套", "etwt", rankSubstring},
		{"秋冬新款加绒儿童外套", "qdxk", rankPrefix},
		{"儿童外套", "ewt", rankNone},           // 童 skipped
		{"儿童外套", "etwx", rankNone},          // 套 is not x…
		{"儿童外套", "ertongwaitaox", rankNone}, // longer than the name
		{"儿童外套", "tongr", rankNone},         // not at a syllable's start
		{"长款羽绒服", "changkuan", rankPrefix},  // 长 read chang …
		{"长款羽绒服", "zhangkuan", rankPrefix},  // … or zhang: either finds it
		{"长款羽绒服", "ckyrf", rankPrefix},
		{"加厚重磅卫衣", "zhongbang", rankSubstring}, // 重 zhong …
		{"加厚重磅卫衣", "chongbang", rankSubstring}, // … or chong
		{"绿色T恤", "lvsetx", rankPrefix},         // ü typed as v; ASCII letters are their own units
		{"男童T恤", "ntt", rankPrefix},
		{"2025新款", "2025xk", rankPrefix},
		{"", "a", rankNone},
	} {
		if got := pinyinRank(name(c.name), c.q); got != c.want {
			t.Errorf("pinyinRank(%s, %q) = %d, want %d", c.name, c.q, got, c.want)
		}
	}
	for q, want := range map[string]string{"etwt": "etwt", "er tong": "ertong", "er'tong": "ertong", "kd-1": "", "外套": "", "": ""} {
		if got := pinyinQuery(q); got != want {
			t.Errorf("pinyinQuery(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestSearchProductsPinyin(t *testing.T) {
	db := openMem(t)
	srv := seeded(t, db)
	srv.add(shop.TypeProduct, "p5", shop.Product{ID: "p5", Name: "长款羽绒服", Variants: []shop.Variant{{SKU: "YR-5", Barcode: "6900000000005", Warehouse: 4}}})
	pull(t, db, srv)
	search := func(q string) []string {
		ps, err := db.SearchProducts(q, 0)
		if err != nil {
			t.Fatal(err)
		}
		return ids(ps, func(p shop.Product) string { return p.ID })
	}
	for _, c := range []struct {
		q    string
		want []string
	}{
		// p1 儿童外套 starts with the pinyin (prefix), p3 红色儿童外套 has it inside (substring).
		{"etwt", []string{"p1", "p3"}},
		{"ertongwt", []string{"p1", "p3"}},
		{"ertongwaitao", []string{"p1", "p3"}},
		{"ETWT", []string{"p1", "p3"}},
		{"er tong", []string{"p1", "p3"}},
		{"hsetwt", []string{"p3"}},
		// WT-2 is a SKU prefix and 外套 加厚 a pinyin prefix: p2 first; then the substrings.
		{"wt", []string{"p2", "p1", "p3"}},
		{"wz", []string{"p4"}},
		{"zhangkuan", []string{"p5"}},
		{"changkuan", []string{"p5"}},
		{"ckyrf", []string{"p5"}},
		// Barcodes match exactly: the whole code finds the product first, a part finds nothing.
		{"6900000000005", []string{"p5"}},
		{"690000000000", []string{}},
		// An exact SKU beats a pinyin prefix (yr-5 is not pinyin: it has a dash).
		{"yr-5", []string{"p5"}},
		{"etwx", []string{}},
	} {
		if got := search(c.q); !eq(got, c.want) {
			t.Errorf("SearchProducts(%q) = %v, want %v", c.q, got, c.want)
		}
	}
	// Typed letter by letter, every prefix of the query keeps finding the product.
	for _, q := range []string{"ertongwaitao", "etwt", "ertongwt"} {
		for i := 1; i <= len(q); i++ {
			if got := search(q[:i]); !slices.Contains(got, "p1") {
				t.Errorf("typing %q: %q does not find p1 (%v)", q, q[:i], got)
			}
		}
	}
}

func TestSearchProductsExactFirst(t *testing.T) {
	db := openMem(t)
	srv := newServer()
	// "abc": a's SKU equals it, b's name starts with its pinyin, c's SKU starts with it, d's name
	// has it inside.
	srv.add(shop.TypeProduct, "a", shop.Product{ID: "a", Name: "袜子", Variants: []shop.Variant{{SKU: "ABC"}}})
	srv.add(shop.TypeProduct, "b", shop.Product{ID: "b", Name: "阿布丛", Variants: []shop.Variant{{SKU: "X-1"}}})
	srv.add(shop.TypeProduct, "c", shop.Product{ID: "c", Name: "帽子", Variants: []shop.Variant{{SKU: "ABC-2"}}})
	srv.add(shop.TypeProduct, "d", shop.Product{ID: "d", Name: "新abc外套", Variants: []shop.Variant{{SKU: "X-2", Barcode: "ABCD"}}})
	srv.add(shop.TypeProduct, "e", shop.Product{ID: "e", Name: "围巾", Variants: []shop.Variant{{SKU: "X-3", Barcode: "abc"}}})
	pull(t, db, srv)
	ps, err := db.SearchProducts("abc", 0)
	if err != nil {
		t.Fatal(err)
	}
	// Exact (a's SKU, e's barcode, by name: 围巾 < 袜子 in byte order), prefix (c, b by name:
	// 帽子 < 阿布丛), substring (d).
	if got := ids(ps, func(p shop.Product) string { return p.ID }); !eq(got, []string{"e", "a", "c", "b", "d"}) {
		t.Errorf("ranking: %v", got)
	}
}

func TestLowStockProducts(t *testing.T) {
	db := openMem(t)
	srv := newServer()
	srv.add(shop.TypeProduct, "a", shop.Product{ID: "a", Name: "A", LowStock: 5, Variants: []shop.Variant{{SKU: "A1", Warehouse: 3, Reserved: 1}, {SKU: "A2", Warehouse: 3}}})
	srv.add(shop.TypeProduct, "b", shop.Product{ID: "b", Name: "B", LowStock: 5, Variants: []shop.Variant{{SKU: "B1", Warehouse: 9, Reserved: 3}}})
	srv.add(shop.TypeProduct, "c", shop.Product{ID: "c", Name: "C", Variants: []shop.Variant{{SKU: "C1"}}})
	srv.add(shop.TypeProduct, "d", shop.Product{ID: "d", Name: "D", LowStock: 2, Variants: []shop.Variant{{SKU: "D1", Warehouse: 1, Reserved: 4}}})
	pull(t, db, srv)
	low := func() []string {
		ps, err := db.LowStockProducts(0)
		if err != nil {
			t.Fatal(err)
		}
		return ids(ps, func(p shop.Product) string { return p.ID })
	}
	// a: 2+3 = 5 available, at its threshold; b: 6 > 5; c: no threshold; d: none available.
	if got := low(); !eq(got, []string{"a", "d"}) {
		t.Errorf("low stock: %v", got)
	}
	// Goods in lift a above its threshold; a threshold on b puts it on the list.
	apply(t, db, mut(t, shop.KindStockAdjust, "a", "1001", shop.StockAdjust{SKU: "A1", Delta: 1, Reason: "到货"}))
	apply(t, db, mut(t, shop.KindStockLow, "b", "1001", shop.StockThreshold{LowStock: 6}))
	if got := low(); !eq(got, []string{"b", "d"}) {
		t.Errorf("after goods in and a threshold: %v", got)
	}
	if ps, _ := db.LowStockProducts(1); len(ps) != 1 {
		t.Errorf("limit: %d", len(ps))
	}
}

// largeCatalog returns the product records of the Large demo shop's catalog (5,000 products,
// 50,000 SKUs), numbered as a feed.
func largeCatalog(t testing.TB) []shop.Record {
	t.Helper()
	var recs []shop.Record
	size := demoshop.Size{Products: demoshop.Large.Products, VariantsPerProduct: demoshop.Large.VariantsPerProduct}
	err := demoshop.Generate(size, 1, clock, func(r shop.Record) error {
		if r.Type == shop.TypeProduct {
			r.Seq = int64(len(recs) + 1)
			recs = append(recs, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// indexOf builds a product index from records, as Open does.
func indexOf(recs []shop.Record) *productIndex {
	x := newProductIndex()
	entries := make(map[string]*prodEntry, len(recs))
	for _, r := range recs {
		entries[r.ID] = newProdEntry(r.ID, r.Data)
	}
	x.reset(entries)
	x.snapshot()
	return x
}

// TestProductIndexMemory measures the heap the search index of 50,000 SKUs holds: the entries
// with their pinyin, the sorted SKUs and barcodes. The target is 30 MB.
func TestProductIndexMemory(t *testing.T) {
	recs := largeCatalog(t)
	skus := 0
	for _, r := range recs {
		var p shop.Product
		if err := r.Decode(&p); err != nil {
			t.Fatal(err)
		}
		skus += len(p.Variants)
	}
	indexOf(recs[:1]) // the pinyin dictionary and the unit cache are the package's, not the index's
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	x := indexOf(recs)
	runtime.GC()
	runtime.ReadMemStats(&after)
	mb := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / 1e6
	t.Logf("product index: %d products, %d SKUs, %.1f MB of heap", x.len(), skus, mb)
	if skus != 50_000 || x.len() != 5_000 {
		t.Fatalf("catalog: %d products, %d SKUs", x.len(), skus)
	}
	if mb > 30 {
		t.Errorf("the index of %d SKUs holds %.1f MB; target ≤ 30 MB", skus, mb)
	}
	runtime.KeepAlive(x)
	runtime.KeepAlive(recs) // alive on both sides: the difference is the index alone
}

// keystrokes is what a search box holds while each word is typed, one character at a time.
func keystrokes(words ...string) []string {
	var out []string
	for _, w := range words {
		for i := range w {
			if i > 0 {
				out = append(out, w[:i])
			}
		}
		out = append(out, w)
	}
	return out
}

// BenchmarkSearchProductsKeystroke types stock searches letter by letter over the Large
// catalog (50,000 SKUs) in a store, one SearchProducts of up to 100 products per keystroke
// (one op), as the Stock section asks: SKUs, barcodes, Chinese names, full pinyin, initials and
// a mix. It reports the p99 and median per keystroke, in wall time and in the thread's CPU time
// (TestProductIndexMemory measures the index's heap).
func BenchmarkSearchProductsKeystroke(b *testing.B) {
	recs := largeCatalog(b)
	db := openMem(b)
	for i := 0; i < len(recs); i += 1000 {
		page := recs[i:min(i+1000, len(recs))]
		if err := db.ApplyChanges(page, page[len(page)-1].Seq); err != nil {
			b.Fatal(err)
		}
	}
	var words []string
	for i := 0; i < len(recs); i += 397 {
		var p shop.Product
		if err := recs[i].Decode(&p); err != nil {
			b.Fatal(err)
		}
		v := p.Variants[i%len(p.Variants)]
		py, _ := pinyinUnits(p.Name)
		var full, initials strings.Builder
		for j := 0; j < len(py); {
			n := int(py[j])
			j++
			for k := 0; k < n; k++ {
				l := int(py[j])
				if k == 0 {
					full.WriteString(py[j+1 : j+1+l])
					initials.WriteByte(py[j+1])
				}
				j += 1 + l
			}
		}
		r := []rune(p.Name)
		words = append(words, v.SKU, v.Barcode, string(r[len(r)-4:]), full.String()[:min(12, full.Len())], initials.String())
	}
	qs := keystrokes(words...)
	if err := db.products.wait(); err != nil {
		b.Fatal(err)
	}
	if got := db.products.len(); got != len(recs) {
		b.Fatalf("index holds %d products", got)
	}
	db.products.snapshot()
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start, startCPU := time.Now(), threadCPU()
		if _, err := db.SearchProducts(qs[i%len(qs)], 100); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		cpu = append(cpu, threadCPU()-startCPU)
	}
	b.StopTimer()
	pct := func(d []time.Duration, p int) float64 {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return float64(d[len(d)*p/100].Microseconds()) / 1000
	}
	// Wall time includes waiting for a core on a busy machine; the thread's CPU time is the
	// keystroke's own work.
	b.ReportMetric(pct(lat, 99), "p99-ms")
	b.ReportMetric(pct(lat, 50), "median-ms")
	if cpu[len(cpu)-1] > 0 {
		b.ReportMetric(pct(cpu, 99), "cpu-p99-ms")
		b.ReportMetric(pct(cpu, 50), "cpu-median-ms")
	}
}

// TestSearchProductsLimit checks that stopping the name scan at the limit keeps the ranking:
// the first results of a limited search are the first results of the full one.
func TestSearchProductsLimit(t *testing.T) {
	x := indexOf(largeCatalog(t)[:600])
	for _, q := range []string{"k", "kd-0001", "e", "q", "qd", "ertong", "etwt", "外套", "儿童", "x", "2"} {
		full := x.search(q, 0)
		for _, limit := range []int{1, 7, 100} {
			got := x.search(q, limit)
			if len(got) != min(limit, len(full)) {
				t.Errorf("search(%q, %d): %d results of %d", q, limit, len(got), len(full))
				continue
			}
			for i := range got {
				if got[i].ID != full[i].ID {
					t.Errorf("search(%q, %d)[%d] = %s, want %s", q, limit, i, got[i].ID, full[i].ID)
					break
				}
			}
		}
	}
}

// TestProductSearchWaitsForTheIndex: a search made at once after Open, while the index is still
// being built in the background, finds what the store holds; writes made meanwhile are in it.
func TestProductSearchWaitsForTheIndex(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	seeded(t, db)
	want, err := db.SearchProducts("", 0)
	if err != nil || len(want) == 0 {
		t.Fatalf("seeded store lists %d products (%v)", len(want), err)
	}
	db.Close()

	db2 := openDir(t, dir)
	got, err := db2.SearchProducts("", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("a search at once after Open found %d products; the store holds %d", len(got), len(want))
	}
	if err := db2.Close(); err != nil {
		t.Fatal(err)
	}
	// Closing while the index is being built does not hang or fail.
	db3, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := db3.Close(); err != nil {
		t.Fatal(err)
	}
}
