package demoshop

import (
	"crypto/sha256"
	"flag"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"kefu/shop"
)

// TestLarge generates the benchmark shop and reports its size, the time it took and the memory
// it needed. It runs only when asked for by name (go test -run Large), never in -short mode.
func TestLarge(t *testing.T) {
	if testing.Short() || !strings.Contains(flag.Lookup("test.run").Value.String(), "Large") {
		t.Skip("the Large shop takes a while: run it with -run Large")
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseHeap := ms.HeapInuse
	var peakHeap, peakSys uint64
	sample := func() {
		runtime.ReadMemStats(&ms)
		peakHeap, peakSys = max(peakHeap, ms.HeapInuse), max(peakSys, ms.Sys)
	}

	counts := map[shop.EntityType]int{}
	var bytes int64
	phones, barcodes, names, orderIDs := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	h := sha256.New()
	start := time.Now()
	n := 0
	err := Generate(Large, 1, testNow, func(r shop.Record) error {
		n++
		if n%50_000 == 0 {
			sample()
		}
		counts[r.Type]++
		bytes += int64(len(r.Data))
		h.Write(r.Data)
		switch r.Type {
		case shop.TypeCustomer:
			var c shop.Customer
			if err := r.Decode(&c); err != nil {
				return err
			}
			if c.Phone != "" {
				if phones[c.Phone] || !phoneRE.MatchString(c.Phone) {
					t.Errorf("phone %s duplicate or malformed", c.Phone)
				}
				phones[c.Phone] = true
			}
		case shop.TypeProduct:
			var p shop.Product
			if err := r.Decode(&p); err != nil {
				return err
			}
			if names[p.Name] {
				t.Errorf("product name %s twice", p.Name)
			}
			names[p.Name] = true
			for _, v := range p.Variants {
				if barcodes[v.Barcode] || !ean13OK(v.Barcode) {
					t.Errorf("barcode %s duplicate or invalid", v.Barcode)
				}
				barcodes[v.Barcode] = true
			}
		case shop.TypeOrder:
			if orderIDs[r.ID] || !orderIDRE.MatchString(r.ID) {
				t.Errorf("order id %s duplicate or malformed", r.ID)
			}
			orderIDs[r.ID] = true
		}
		return nil
	})
	elapsed := time.Since(start)
	sample()
	if err != nil {
		t.Fatal(err)
	}
	hwm := ""
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				hwm = strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
			}
		}
	}
	t.Logf("Large: %d records (%d MB of JSON) in %v; peak heap in use %d MB (%d MB before), peak from the OS %d MB, process peak RSS %s",
		n, bytes>>20, elapsed.Round(time.Millisecond), peakHeap>>20, baseHeap>>20, peakSys>>20, hwm)
	t.Logf("counts: %v", counts)
	for tp, want := range map[shop.EntityType]int{shop.TypeCustomer: Large.Customers, shop.TypeProduct: Large.Products,
		shop.TypeOrder: Large.Orders, shop.TypeConversation: Large.Conversations, shop.TypeReview: Large.Reviews,
		shop.TypeCase: Large.Cases, shop.TypeComplaint: Large.Complaints} {
		if counts[tp] != want {
			t.Errorf("%d %s records, want %d", counts[tp], tp, want)
		}
	}
	if len(barcodes) != Large.Products*Large.VariantsPerProduct {
		t.Errorf("%d SKUs, want %d", len(barcodes), Large.Products*Large.VariantsPerProduct)
	}
	if m := counts[shop.TypeMessage]; m < Large.Messages*9/10 || m > Large.Messages*11/10 {
		t.Errorf("%d messages, want about %d", m, Large.Messages)
	}
	// The generator keeps summaries, not records: a shop built in memory would need gigabytes.
	if peakHeap > 400<<20 {
		t.Errorf("peak heap %d MB: the generator is not streaming", peakHeap>>20)
	}
}

func BenchmarkGenerateSmall(b *testing.B) {
	for b.Loop() {
		if err := Generate(Small, 1, testNow, func(shop.Record) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateLarge(b *testing.B) {
	for b.Loop() {
		n := 0
		if err := Generate(Large, 1, testNow, func(shop.Record) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "records/op")
	}
}
