package sync

import (
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"kefu/localdb"
	"kefu/storeapi"
)

// BenchmarkCustomerMessageToDesk measures how long a customer's message, posted through the
// public chat endpoint, takes to reach a desk's local store through the sync engine's long poll,
// on loopback: from the start of the POST until the desk's store has committed it. It reports
// the 50th and 95th percentiles in milliseconds (p50-ms, p95-ms).
func BenchmarkCustomerMessageToDesk(b *testing.B) {
	ts := newTestServer(b, nil)
	d := newDesk(b, ts, "desk", "1001", func(p *Params) { p.Wait = 25 * time.Second; p.Logger = nil })
	d.waitSynced(ts)
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer client.CloseIdleConnections()

	// The server lets one chat send 60 messages a minute: take a new chat every 50 messages.
	// Chats are opened in-process (the page's start endpoint limits starts per address); every
	// message goes through the public HTTP endpoint.
	var chat storeapi.ChatStartResponse
	var conv atomic.Value // chat.Conversation, for the subscriber
	newChat := func(i int) {
		var err error
		chat, err = ts.srv.StartChat(testShop, storeapi.ChatStartRequest{Nick: fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i)})
		if err != nil {
			b.Fatal(err)
		}
		conv.Store(chat.Conversation)
	}
	conv.Store("")

	var want atomic.Value // the text being waited for
	want.Store("")
	arrived := make(chan string, 16)
	cancel := d.db.Subscribe(func(c localdb.Change) {
		text := want.Load().(string)
		if c.FromServer && text != "" && hasMessage(d.db, conv.Load().(string), text) {
			select {
			case arrived <- text:
			default:
			}
		}
	})
	defer cancel()

	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		if i%50 == 0 {
			b.StopTimer()
			newChat(i)
			d.waitSynced(ts)
			b.StartTimer()
		}
		text := fmt.Sprintf("有现货吗 #%d", i)
		want.Store(text)
		start := time.Now()
		chatSend(b, client, ts.url(), chat.Token, text)
		timeout := time.After(20 * time.Second)
	wait:
		for {
			select {
			case got := <-arrived:
				if got == text {
					break wait
				}
			case <-timeout:
				b.Fatalf("message %d did not reach the desk", i)
			}
		}
		lat = append(lat, time.Since(start))
		want.Store("")
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
}
