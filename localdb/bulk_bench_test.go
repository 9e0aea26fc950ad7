package localdb

import (
	"runtime/debug"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"kefu/shop"
	"kefu/shop/demoshop"
)

// BenchmarkBulkFinishMutationWait measures how long a staff action waits while a bulk import
// loads the store (one op is one first full sync of a tenth of the Large shop, about 130k
// records, into a store on disk): the first page is applied, the rest staged, and while
// Finish runs a goroutine records goods in (a stock adjustment of a product of the first page)
// one after another. It reports the longest and the median Apply during Finish, the actions
// made, and Finish's own time.
func BenchmarkBulkFinishMutationWait(b *testing.B) {
	size := demoshop.Size{Customers: 2_000, Products: 500, VariantsPerProduct: 10, Orders: 10_000,
		Conversations: 6_000, Messages: 100_000, Reviews: 500, Cases: 200, Complaints: 100}
	var feed []shop.Record
	var seq int64
	if err := demoshop.Generate(size, 7, clock, func(r shop.Record) error {
		seq++
		r.Seq = seq
		feed = append(feed, r)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	const page = 2000
	var prod shop.Product
	for _, r := range feed[:page] {
		if r.Type == shop.TypeProduct {
			if err := r.Decode(&prod); err != nil {
				b.Fatal(err)
			}
			break
		}
	}
	if len(prod.Variants) == 0 {
		b.Fatal("no product in the first page")
	}
	// The desk runs with a memory limit of its own (and this process holds the whole feed).
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(1 << 30))
	var longest, finish time.Duration
	var waits []time.Duration
	for i := 0; i < b.N; i++ {
		db := openDir(b, b.TempDir())
		if err := db.ApplyChanges(feed[:page], feed[page-1].Seq); err != nil {
			b.Fatal(err)
		}
		bi, err := db.BeginBulkImport(feed[page-1].Seq)
		if err != nil {
			b.Fatal(err)
		}
		if err := pages(feed[page:], page, bi.Add); err != nil {
			b.Fatal(err)
		}
		var stop atomic.Bool
		done := make(chan []time.Duration)
		go func() {
			var ws []time.Duration
			for n := 0; !stop.Load(); n++ {
				m := mut(b, shop.KindStockAdjust, prod.ID, "1001", shop.StockAdjust{SKU: prod.Variants[0].SKU, Delta: 1, Reason: "入库"})
				start := time.Now()
				if _, err := db.Apply(m); err != nil {
					b.Error(err)
					break
				}
				ws = append(ws, time.Since(start))
				time.Sleep(5 * time.Millisecond) // a busy staff member, not a flood
			}
			done <- ws
		}()
		time.Sleep(20 * time.Millisecond)
		start := time.Now()
		if err := bi.Finish(); err != nil {
			b.Fatal(err)
		}
		finish += time.Since(start)
		stop.Store(true)
		ws := <-done
		for _, w := range ws {
			longest = max(longest, w)
		}
		waits = append(waits, ws...)
		db.Close()
	}
	b.ReportMetric(float64(longest.Microseconds())/1000, "longest-wait-ms")
	b.ReportMetric(float64(median(waits).Microseconds())/1000, "median-wait-ms")
	b.ReportMetric(float64(len(waits))/float64(b.N), "actions/op")
	b.ReportMetric(float64(finish.Milliseconds())/float64(b.N), "finish-ms")
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
