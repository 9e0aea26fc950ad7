package localdb

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"kefu/shop"
)

// chatListRows is how many rows the chat section reads for its list (screens.chatListLimit).
const chatListRows = 200

// BenchmarkConversationResort measures the chat list's re-sort on a store with 60,000
// conversations (3,000 of them waiting): a customer message arrives for a conversation that
// was answered (from the change feed, outside the timer) and the list is read again, in the
// new order, as the chat section does. The change alternates between moving a conversation to
// the head of the waiting ones (its customer wrote while the desk was offline) and to the end
// of them. It reports the p99 of the re-read besides the mean.
func BenchmarkConversationResort(b *testing.B) {
	db := openDir(b, b.TempDir())
	var seq int64
	const total, waitingEvery = 60_000, 20
	recs := make([]shop.Record, 0, 5000)
	flush := func() {
		if err := db.ApplyChanges(recs, seq); err != nil {
			b.Fatal(err)
		}
		recs = recs[:0]
	}
	convs := make([]shop.Conversation, total)
	for i := range total {
		c := shop.Conversation{ID: fmt.Sprintf("v%06d", i), CustomerID: fmt.Sprintf("c%06d", i),
			Nick: fmt.Sprintf("buyer%06d", i), LastAt: t0.Add(-time.Duration(i) * time.Second), LastText: "好的，谢谢"}
		if i%waitingEvery == 0 {
			c.WaitingSince = c.LastAt
		}
		convs[i] = c
		seq++
		r := shop.NewRecord(shop.TypeConversation, c.ID, c)
		r.Seq = seq
		recs = append(recs, r)
		if len(recs) == cap(recs) {
			flush()
		}
	}
	flush()
	oldest := t0.Add(-time.Duration(total) * time.Second)

	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := convs[1+2*((i*7)%(total/2-1))] // an odd index: never waiting
		at := t0.Add(time.Duration(i) * time.Millisecond)
		if i%2 == 0 {
			at = oldest.Add(-time.Duration(i+1) * time.Second) // waited longer than anyone
		}
		c.WaitingSince, c.LastAt, c.LastText, c.Unread = at, at, "在吗？", 1
		seq++
		r := shop.NewRecord(shop.TypeConversation, c.ID, c)
		r.Seq = seq
		if err := db.ApplyChanges([]shop.Record{r}, seq); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		list, err := db.Conversations(FilterAll, "", "", chatListRows)
		lat = append(lat, time.Since(start))
		b.StopTimer()
		if err != nil || len(list) != chatListRows {
			b.Fatalf("%d conversations, %v", len(list), err)
		}
		if i%2 == 0 && list[0].ID != c.ID {
			b.Fatalf("the conversation waiting longest is %s; want %s", list[0].ID, c.ID)
		}
		// Put it back as answered, for the next round.
		c.WaitingSince, c.Unread = time.Time{}, 0
		seq++
		r = shop.NewRecord(shop.TypeConversation, c.ID, c)
		r.Seq = seq
		if err := db.ApplyChanges([]shop.Record{r}, seq); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
}
