package server

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

// BenchmarkMutations pushes batches of 100 mutations (notes, messages, stock adjustments and
// customer edits) over loopback HTTP to a server on disk; one op is one batch.
// Run: go test -tags migrated_fynedo -run '^$' -bench Mutations ./server/
func BenchmarkMutations(b *testing.B) {
	e := newEnv(b, b.TempDir())
	token := e.login("alpha", "1001")
	batches := make([][]shop.Mutation, b.N)
	for i := range batches {
		batch := make([]shop.Mutation, 0, 100)
		for j := 0; j < 25; j++ {
			batch = append(batch,
				mut(b, shop.KindOrderNote, alphaOrder, 0, shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.Flag(j % 6), Text: "已核对地址，可以发货"}),
				mut(b, shop.KindChatSend, "c-1", 0, shop.ChatSend{MessageID: shop.NewID(), Text: "亲，已经为您备注了，今天发货～"}),
				mut(b, shop.KindStockAdjust, "p-1", 0, shop.StockAdjust{SKU: "p-1-130", Delta: 1, Reason: "入库"}),
				mut(b, shop.KindCustomerSet, "u-1", 0, shop.CustomerSet{Memo: ptr(fmt.Sprintf("第%d次", i*25+j))}),
			)
		}
		batches[i] = batch
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		res := e.push(token, batches[i]...)
		if res[99].Status != storeapi.StatusApplied {
			b.Fatalf("status %s: %s", res[99].Status, res[99].Reason)
		}
	}
	b.ReportMetric(float64(b.N*100)/time.Since(start).Seconds(), "mutations/s")
}

// BenchmarkLongPollFanout has desks long-polling one shop's feed while a customer sends a
// message through the chat endpoint (POST /c/{shop}/api/messages over loopback); it reports how
// long after the send started each desk had the change (p50, p95, max over all desks and
// rounds). One op is one round. Clients and server share the machine's cores.
// Run: go test -tags migrated_fynedo -run '^$' -bench LongPoll ./server/
func BenchmarkLongPollFanout(b *testing.B) {
	for _, desks := range []int{1, 200} {
		b.Run(fmt.Sprintf("desks=%d", desks), func(b *testing.B) { benchFanout(b, desks) })
	}
}

func benchFanout(b *testing.B, desks int) {
	e := newEnv(b, b.TempDir())
	tr := &http.Transport{MaxIdleConnsPerHost: desks + 10, MaxIdleConns: desks + 10}
	defer tr.CloseIdleConnections()
	e.client = &http.Client{Transport: tr} // no spec validation in the measurement
	tokens := []string{e.login("alpha", "1001"), e.login("alpha", "1002")}
	var start storeapi.ChatStartResponse
	e.call("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: "压测客人"}, 200, &start)
	cursor := e.changes(tokens[0], 0, 1, 0).Total

	var lat []time.Duration
	b.ResetTimer()
	for round := 0; round < b.N; round++ {
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			sent time.Time
			next int64
		)
		sentCh := make(chan struct{})
		for d := 0; d < desks; d++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var cr storeapi.ChangesResponse
				err := e.tryCall("GET", fmt.Sprintf("%s?after=%d&wait=30", storeapi.PathChanges, cursor), tokens[d%2], nil, 200, &cr)
				got := time.Now()
				<-sentCh
				mu.Lock()
				defer mu.Unlock()
				if err != nil || len(cr.Changes) == 0 {
					b.Errorf("desk %d: %d changes, %v", d, len(cr.Changes), err)
					return
				}
				lat = append(lat, got.Sub(sent))
				next = cr.Next
			}()
		}
		waitFor(b, func() bool { return e.srv.waitingForTest() >= float64(desks) })
		if round%50 == 49 {
			e.clock.Advance(time.Minute) // the chat's rate limit: 60 messages a minute
		}
		sent = time.Now()
		close(sentCh)
		msg := storeapi.ChatSendRequest{Token: start.Token, Text: fmt.Sprintf("第%d条：在吗？", round)}
		if err := e.tryCall("POST", "/c/alpha/api/messages", "", msg, 200, nil); err != nil {
			b.Fatal(err)
		}
		wg.Wait()
		if b.Failed() {
			return
		}
		cursor = next
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(1), "max-ms")
}
