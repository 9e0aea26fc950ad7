package localdb

import (
	"fmt"
	"testing"
	"time"

	"kefu/shop"
)

// benchBatch makes n server records of a first full sync, ids starting at base: per customer a
// conversation, two orders, a note and six messages.
func benchBatch(base, n int, seq *int64) []shop.Record {
	recs := make([]shop.Record, 0, n)
	add := func(t shop.EntityType, id string, v any) {
		*seq++
		r := shop.NewRecord(t, id, v)
		r.Seq = *seq
		recs = append(recs, r)
	}
	for i := base; len(recs) < n; i++ {
		cid := fmt.Sprintf("c%07d", i)
		at := t0.Add(-time.Duration(i) * time.Minute)
		nick := fmt.Sprintf("buyer%07d", i)
		add(shop.TypeCustomer, cid, shop.Customer{ID: cid, Nick: nick, Phone: fmt.Sprintf("138%08d", i), CreatedAt: at})
		add(shop.TypeConversation, "v"+cid, shop.Conversation{ID: "v" + cid, CustomerID: cid, Nick: nick, LastAt: at, Messages: 6})
		for j := 0; j < 2; j++ {
			oid := fmt.Sprintf("2026%07d%d", i, j)
			add(shop.TypeOrder, oid, shop.Order{ID: oid, CustomerID: cid, Nick: nick, Status: shop.StatusPaid, Payment: shop.PayOnline,
				CreatedAt: at, Total: 12800, Items: []shop.OrderItem{{ProductID: "p1", SKU: "KD-1-RED-120", Name: "儿童外套", Variant: "红 120", Qty: 1, Price: 12800}},
				Address: shop.Address{Receiver: "王芳", Phone: fmt.Sprintf("138%08d", i), Province: "浙江省", City: "杭州市", Detail: "文三路1号"}})
		}
		add(shop.TypeNote, "n"+cid, shop.OrderNote{ID: "n" + cid, OrderID: fmt.Sprintf("2026%07d0", i), Text: "已核对地址", Staff: "1001", At: at})
		for j := 0; j < 6; j++ {
			mid := fmt.Sprintf("m%s-%d", cid, j)
			add(shop.TypeMessage, mid, shop.Message{ID: mid, ConversationID: "v" + cid, From: shop.FromCustomer, Text: "请问什么时候发货？", At: at.Add(time.Duration(j) * time.Second)})
		}
	}
	return recs[:n]
}

// BenchmarkApplyChanges applies 5,000-record feed pages (a first full sync) to a store on disk.
func BenchmarkApplyChanges(b *testing.B) {
	db := openDir(b, b.TempDir())
	var seq int64
	batches := make([][]shop.Record, b.N)
	for i := range batches {
		batches[i] = benchBatch(i*1000, 5000, &seq)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := db.ApplyChanges(batches[i], seq); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(5000*b.N)/time.Since(start).Seconds(), "records/s")
}

// BenchmarkMessagesNewest50 opens the newest 50 messages of a conversation in a store holding
// 120,000 messages (100,000 of them in the conversation itself), then pages back.
func BenchmarkMessagesNewest50(b *testing.B) {
	db := openDir(b, b.TempDir())
	var seq int64
	const big, other = 100_000, 20_000
	recs := make([]shop.Record, 0, 5000)
	flush := func() {
		if err := db.ApplyChanges(recs, seq); err != nil {
			b.Fatal(err)
		}
		recs = recs[:0]
	}
	for i := 0; i < big+other; i++ {
		conv, id := "vbig", fmt.Sprintf("mbig%06d", i)
		if i >= big {
			conv, id = fmt.Sprintf("v%03d", i%200), fmt.Sprintf("mo%06d", i)
		}
		seq++
		r := shop.NewRecord(shop.TypeMessage, id, shop.Message{ID: id, ConversationID: conv, From: shop.FromCustomer,
			Text: "在吗？这件还有120的吗", At: t0.Add(time.Duration(i) * time.Second)})
		r.Seq = seq
		recs = append(recs, r)
		if len(recs) == 5000 {
			flush()
		}
	}
	flush()
	b.Run("newest", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ms, err := db.Messages("vbig", "", 50)
			if err != nil || len(ms) != 50 || ms[49].ID != fmt.Sprintf("mbig%06d", big-1) {
				b.Fatalf("%d messages, %v", len(ms), err)
			}
		}
	})
	b.Run("before", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ms, err := db.Messages("vbig", "mbig050000", 50)
			if err != nil || len(ms) != 50 || ms[0].ID != "mbig049950" {
				b.Fatalf("%d messages, %v", len(ms), err)
			}
		}
	})
}

// BenchmarkApplyNote records order notes with synced writes on disk (the cost of a staff action).
func BenchmarkApplyNote(b *testing.B) {
	db := openDir(b, b.TempDir())
	var seq int64
	if err := db.ApplyChanges(benchBatch(0, 100, &seq), seq); err != nil {
		b.Fatal(err)
	}
	ms := make([]shop.Mutation, b.N)
	for i := range ms {
		ms[i] = noteMut(b, "202600000000", fmt.Sprintf("note%d", i), shop.Flags[i%6], "已电话确认")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := db.Apply(ms[i]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueries runs the chat list, waiting count and searches on a store with 60,000
// conversations (3,000 of them waiting) and 120,000 orders.
func BenchmarkQueries(b *testing.B) {
	db := openDir(b, b.TempDir())
	var seq int64
	recs := make([]shop.Record, 0, 5000)
	for i := 0; i < 60_000; i++ {
		cid := fmt.Sprintf("c%06d", i)
		c := shop.Conversation{ID: "v" + cid, CustomerID: cid, Nick: fmt.Sprintf("buyer%06d", i), LastAt: t0.Add(-time.Duration(i) * time.Second)}
		if i%20 == 0 {
			c.WaitingSince = c.LastAt
		}
		if i%3 == 0 {
			c.Assignee = "1001"
		}
		seq++
		r := shop.NewRecord(shop.TypeConversation, c.ID, c)
		r.Seq = seq
		recs = append(recs, r)
		for j := 0; j < 2; j++ {
			oid := fmt.Sprintf("2026%06d%d", i, j)
			seq++
			r := shop.NewRecord(shop.TypeOrder, oid, shop.Order{ID: oid, CustomerID: cid, Nick: c.Nick, Status: shop.OrderStatuses[i%5],
				Payment: shop.PayOnline, CreatedAt: c.LastAt, Address: shop.Address{Receiver: "王芳", Phone: fmt.Sprintf("139%08d", i)}})
			r.Seq = seq
			recs = append(recs, r)
		}
		if len(recs) >= 4998 {
			if err := db.ApplyChanges(recs, seq); err != nil {
				b.Fatal(err)
			}
			recs = recs[:0]
		}
	}
	if err := db.ApplyChanges(recs, seq); err != nil {
		b.Fatal(err)
	}
	run := func(name string, fn func() (int, error), want int) {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				n, err := fn()
				if err != nil || n != want {
					b.Fatalf("%d results, %v", n, err)
				}
			}
		})
	}
	run("conversations-all-50", func() (int, error) { cs, err := db.Conversations(FilterAll, "", "", 50); return len(cs), err }, 50)
	run("conversations-mine-50", func() (int, error) { cs, err := db.Conversations(FilterMine, "1001", "", 50); return len(cs), err }, 50)
	run("conversations-query", func() (int, error) { cs, err := db.Conversations(FilterAll, "", "buyer01234", 50); return len(cs), err }, 10)
	run("waiting-count", func() (int, error) { return db.WaitingCount() }, 3000)
	run("orders-newest-50", func() (int, error) { os, err := db.SearchOrders("", OrderFilter{}, 50); return len(os), err }, 50)
	run("orders-phone-prefix", func() (int, error) { os, err := db.SearchOrders("1390001234", OrderFilter{}, 50); return len(os), err }, 20)
	run("orders-status-50", func() (int, error) {
		os, err := db.SearchOrders("", OrderFilter{Status: shop.StatusShipped}, 50)
		return len(os), err
	}, 50)
}
