package pgstore

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu/server"
	"kefu/server/pgstore/pgtest"
	"kefu/shop"
	"kefu/storeapi"
)

// The scale bench (issue 22): an agency's 50 shops with 4 desks each, on one or two servers
// sharing one PostgreSQL database. Every desk pushes customer.add mutations one at a time and
// long-polls its shop's feed; the rows are mutations applied per second in all, and the
// change-to-desk p95: from a push's start until every other desk of the shop has the change.
//
//	go test -tags migrated_fynedo -run '^$' -bench Scale ./server/pgstore/
const (
	scaleShops = 50
	scaleDesks = 4
)

func BenchmarkScale(b *testing.B) {
	for _, servers := range []int{1, 2} {
		b.Run(fmt.Sprintf("servers=%d", servers), func(b *testing.B) { benchScale(b, servers) })
	}
}

// scaleDesk is one desk of the bench: its server, its token and its shop's index.
type scaleDesk struct {
	url, token string
	shop       int
}

func benchScale(b *testing.B, servers int) {
	dsn := pg.Need(b).Schema(b)
	var urls []string
	var first *instance
	for i := 0; i < servers; i++ {
		in := startInstance(b, dsn, Options{})
		urls = append(urls, in.url)
		if first == nil {
			first = in
		}
	}
	var desks []scaleDesk
	for s := 0; s < scaleShops; s++ {
		id := fmt.Sprintf("shop%02d", s)
		var staff []server.StaffLogin
		for d := 0; d < scaleDesks; d++ {
			staff = append(staff, server.StaffLogin{Staff: shop.Staff{Number: fmt.Sprint(1001 + d), Name: "客服", Role: shop.RoleOwner}, Password: "secret-pass"})
		}
		_, err := first.srv.ImportShop(b.Context(), server.ShopAccount{ID: id}, func(emit func(shop.Record) error) error {
			return emit(shop.NewRecord(shop.TypeShop, id, shop.Shop{ID: id, Name: id}))
		}, staff)
		if err != nil {
			b.Fatal(err)
		}
		for d := 0; d < scaleDesks; d++ {
			url := urls[(s*scaleDesks+d)%servers]
			token, err := pgtest.Login(url, id, fmt.Sprint(1001+d), "secret-pass")
			if err != nil {
				b.Fatal(err)
			}
			desks = append(desks, scaleDesk{url: url, token: token, shop: s})
		}
	}
	http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = 2 * len(desks)

	// sent[shop][entity] is when the push of a mutation began; seen counts the other desks
	// that have it, and the last one's arrival is the change's delay.
	type change struct {
		at   time.Time
		seen atomic.Int32
	}
	var mu sync.Mutex
	sent := make([]map[string]*change, scaleShops)
	for i := range sent {
		sent[i] = map[string]*change{}
	}
	var delays []time.Duration
	var budget atomic.Int64
	budget.Store(int64(b.N))
	stop := make(chan struct{})
	var pollers, pushers sync.WaitGroup
	errs := make(chan error, 2*len(desks))
	cursors := make([]atomic.Int64, len(desks))
	b.ResetTimer()
	start := time.Now()
	for i, d := range desks {
		pollers.Add(1)
		go func() { // the desk's long poll
			defer pollers.Done()
			var cursor int64
			for {
				select {
				case <-stop:
					return
				default:
				}
				cr, err := pgtest.Changes(d.url, d.token, cursor, 1)
				if err != nil {
					errs <- err
					return
				}
				now := time.Now()
				mu.Lock()
				for _, rec := range cr.Changes {
					if c := sent[d.shop][rec.ID]; c != nil && c.seen.Add(1) == scaleDesks-1 {
						delays = append(delays, now.Sub(c.at))
					}
				}
				mu.Unlock()
				cursor = cr.Next
				cursors[i].Store(cursor)
			}
		}()
		pushers.Add(1)
		go func() { // the desk's work
			defer pushers.Done()
			for n := 0; budget.Add(-1) >= 0; n++ {
				entity := fmt.Sprintf("d%d-%d", i, n)
				m, err := shop.NewMutation(shop.KindCustomerAdd, entity, "", time.Now(), shop.Customer{Nick: entity})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				sent[d.shop][entity] = &change{at: time.Now()}
				mu.Unlock()
				res, err := pgtest.Push(d.url, d.token, m)
				if err != nil || res[0].Status != storeapi.StatusApplied {
					errs <- fmt.Errorf("push: %+v, %v", res, err)
					return
				}
			}
		}()
	}
	pushers.Wait()
	elapsed := time.Since(start)
	// The last changes reach the desks within a few long polls.
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(delays)
		mu.Unlock()
		if n >= b.N || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	pollers.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(delays) < b.N {
		for i, d := range desks {
			if cr, err := pgtest.Changes(d.url, d.token, cursors[i].Load(), 0); err != nil || len(cr.Changes) > 0 {
				b.Errorf("desk %d (shop %d, %s) has %d changes after its cursor %d it never got (total %d), %v", i, d.shop, d.url, len(cr.Changes), cursors[i].Load(), cr.Total, err)
			}
		}
		short := 0
		for sh, m := range sent {
			for id, c := range m {
				if c.seen.Load() < scaleDesks-1 {
					if short++; short < 5 {
						b.Errorf("shop %d change %s seen by %d desks", sh, id, c.seen.Load())
					}
				}
			}
		}
		b.Fatalf("%d of %d changes reached every other desk of their shop (%d short)", len(delays), b.N, short)
	}
	slices.Sort(delays)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "mutations/s")
	b.ReportMetric(float64(delays[len(delays)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(0, "ns/op")
}
