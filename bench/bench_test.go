package bench

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"kefu/localdb"
)

// The benchmarks below run on a copy of the cached large desk store (made by kefu-bench;
// KEFU_BENCH_CACHE names the cache directory, default ../.cache/bench): one op is one
// keystroke's stock search, one order lookup, or opening one conversation, as the desk's
// sections ask for them. They skip when there is no cache.
//
//	go test -tags migrated_fynedo -run '^$' -bench Large -benchmem ./bench/

var large struct {
	once   sync.Once
	db     *localdb.DB
	sample deskSample
	dir    string
	err    error
}

// largeDesk opens a copy of the cached large desk store, once for all benchmarks.
func largeDesk(b testing.TB) (*localdb.DB, deskSample) {
	b.Helper()
	large.once.Do(func() {
		dir := os.Getenv("KEFU_BENCH_CACHE")
		if dir == "" {
			dir = filepath.Join("..", ".cache", "bench")
		}
		fp, err := Fingerprint()
		if err != nil {
			large.err = err
			return
		}
		c := cache{dir: dir}
		if _, ok := c.current(fp); !ok {
			return
		}
		tmp, err := os.MkdirTemp("", "kefu-bench-desk-")
		if err != nil {
			large.err = err
			return
		}
		large.dir = tmp
		if large.err = copyDir(c.deskDir(), filepath.Join(tmp, "desk")); large.err != nil {
			return
		}
		if large.db, large.err = localdb.Open(localdb.Options{Dir: filepath.Join(tmp, "desk")}); large.err != nil {
			return
		}
		large.sample, large.err = sampleDesk(large.db, newRand(1))
	})
	if large.err != nil {
		b.Fatal(large.err)
	}
	if large.db == nil {
		b.Skip("no current large shop in the cache: run `go run ./cmd/kefu-bench` once (make bench does)")
	}
	return large.db, large.sample
}

func TestMain(m *testing.M) {
	code := m.Run()
	if large.db != nil {
		large.db.Close()
	}
	if large.dir != "" {
		os.RemoveAll(large.dir)
	}
	os.Exit(code)
}

// BenchmarkLargeStockSearch: one op is the Stock section's search after one keystroke.
func BenchmarkLargeStockSearch(b *testing.B) {
	db, s := largeDesk(b)
	qs := stockQueries(s.products, stockProducts, newRand(2))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := db.SearchProducts(qs[i%len(qs)], stockListLimit); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkLargeOrderLookup: one op is an order lookup by number, phone or nick, reading the
// list rows (as the bench's order lookup figure does).
func BenchmarkLargeOrderLookup(b *testing.B) {
	db, s := largeDesk(b)
	qs := orderQueries(s.orders, orderLookups, newRand(3))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := db.SearchOrderRows(qs[i%len(qs)].q, localdb.OrderFilter{}, orderListLimit); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkLargeOpenConversation: one op is reading a conversation's latest 50 messages.
func BenchmarkLargeOpenConversation(b *testing.B) {
	db, s := largeDesk(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := db.Messages(s.convs[i%len(s.convs)].ID, "", threadPageLimit); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
