package localdb

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"kefu/shop"
)

func searchIDs(t *testing.T, db *DB, q SearchQuery) []string {
	t.Helper()
	res, err := db.Search(q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

func waitIndexed(t *testing.T, db *DB) {
	t.Helper()
	if err := db.WaitSearchIndexed(time.Minute); err != nil {
		t.Fatal(err)
	}
}

// TestSearchFindsWhatIsWrittenOfflineAndByTheFeed: a message sent with the desk offline (in
// the outbox only) is found at once, and so is one the feed brings; an order number inside a
// message, an English word by its prefix and a Chinese phrase without spaces all find theirs,
// and a phrase whose bigrams are present but apart does not.
func TestSearchFindsWhatIsWrittenOfflineAndByTheFeed(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		s := seeded(t, db)
		waitIndexed(t, db)
		apply(t, db, mut(t, shop.KindChatSend, "v1", "1001", shop.ChatSend{MessageID: "m-off",
			Text: "上次说的那个发错货的事，订单2026112701我们补发"}))
		if got := searchIDs(t, db, SearchQuery{Text: "发错货"}); !eq(got, []string{"m-off"}) {
			t.Fatalf("offline message by a Chinese phrase: %v", got)
		}
		if got := searchIDs(t, db, SearchQuery{Text: "6112701"}); !eq(got, []string{"m-off"}) {
			t.Fatalf("offline message by part of an order number: %v", got)
		}
		if got := searchIDs(t, db, SearchQuery{Text: "错的货"}); len(got) != 0 {
			t.Fatalf("a phrase the text does not hold: %v", got)
		}
		s.add(shop.TypeMessage, "m-feed", shop.Message{ID: "m-feed", ConversationID: "v2", From: shop.FromCustomer,
			Text: "Where is my REFUND? 发错货了", At: t0.Add(time.Minute)})
		pull(t, db, s)
		if got := searchIDs(t, db, SearchQuery{Text: "refu"}); !eq(got, []string{"m-feed"}) {
			t.Fatalf("feed message by an English word's prefix: %v", got)
		}
		got := searchIDs(t, db, SearchQuery{Text: "发错货"})
		if !eq(got, []string{"m-feed", "m-off"}) && !eq(got, []string{"m-off", "m-feed"}) {
			t.Fatalf("both messages by the phrase: %v", got)
		}
		// Filters: kind, staff, customer, date.
		if got := searchIDs(t, db, SearchQuery{Text: "发错货", Staff: "1001"}); !eq(got, []string{"m-off"}) {
			t.Fatalf("by staff: %v", got)
		}
		if got := searchIDs(t, db, SearchQuery{Text: "发错货", Customer: "c2"}); !eq(got, []string{"m-feed"}) {
			t.Fatalf("by customer: %v", got)
		}
		if got := searchIDs(t, db, SearchQuery{Text: "发错货", Kinds: []SearchKind{SearchNote}}); len(got) != 0 {
			t.Fatalf("notes only: %v", got)
		}
		if got := searchIDs(t, db, SearchQuery{Text: "发错货", From: t0.Add(30 * time.Second)}); !eq(got, []string{"m-feed"}) {
			t.Fatalf("from a time: %v", got)
		}
	})
}

// TestSearchCoversEveryKindAndHighlights: seeded reviews, replies, cases and complaints are
// found by the background build, notes by the write path; the snippet marks the hit.
func TestSearchCoversEveryKindAndHighlights(t *testing.T) {
	db := openMem(t)
	s := demo()
	s.add(shop.TypeComplaint, "cp1", shop.Complaint{ID: "cp1", CustomerID: "c1", Category: shop.ComplaintCategory("delivery"),
		Description: "快递员态度差", Owner: "1002", CreatedAt: t0, UpdatedAt: t0})
	s.add(shop.TypeCase, "k9", shop.AfterSalesCase{ID: "k9", OrderID: "2026112701", CustomerID: "c1", Kind: shop.CaseWrong,
		Owner: "1002", Summary: "发错颜色", CreatedAt: t0, UpdatedAt: t0,
		Steps: []shop.Step{{To: "waiting_warehouse", Staff: "1002", At: t0, Note: "仓库说明天补发"}}})
	pull(t, db, s)
	waitIndexed(t, db)
	apply(t, db, noteMut(t, "2026112701", "n-s", shop.FlagRed, "客户要求明天补发，电话13800000001"))
	cases := []struct {
		q    string
		want []string
	}{
		{"颜色不对", []string{"r1"}},
		{"谢谢", []string{"r2"}},
		{"态度", []string{"cp1"}},
		{"明天补发", []string{"n-s", "k9"}},
		{"13800000001", []string{"n-s"}},
	}
	for _, c := range cases {
		got := searchIDs(t, db, SearchQuery{Text: c.q})
		slices.Sort(got)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !eq(got, want) {
			t.Errorf("%q: got %v, want %v", c.q, got, want)
		}
	}
	res, err := db.Search(SearchQuery{Text: "补发"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		rs := []rune(h.Snippet)
		if len(h.Marks) == 0 || string(rs[h.Marks[0][0]:h.Marks[0][1]]) != "补发" {
			t.Errorf("%s: snippet %q marks %v", h.ID, h.Snippet, h.Marks)
		}
	}
	if res.Hits[0].ID != "n-s" || res.Hits[0].Kind != SearchNote || res.Hits[0].CustomerID != "c1" {
		t.Errorf("newest first, a note of c1's order: %+v", res.Hits[0])
	}
}

// TestSearchBuildSurvivesACrash: a store of many messages written without the write path (as
// the bulk import does) is indexed in batches; the build stopped after one batch and the store
// reopened (a crash) goes on from its progress, and in the end every message is found exactly
// once, newest first.
func TestSearchBuildSurvivesACrash(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, db)
	const n = buildBatch + 500
	wb := db.bdb.NewWriteBatch()
	for i := 0; i < n; i++ {
		m := shop.Message{ID: fmt.Sprintf("m%06d", i), ConversationID: "v1", From: shop.FromCustomer,
			Text: fmt.Sprintf("第%d条：订单%d什么时候发货", i, 9000000+i), At: t0.Add(time.Duration(i) * time.Second)}
		r := shop.NewRecord(shop.TypeMessage, m.ID, m)
		if err := wb.Set(entityKey(r.Type, r.ID), encodeState(state{found: true, version: 1, data: r.Data})); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.Flush(); err != nil {
		t.Fatal(err)
	}
	db.search.hook = func() bool { return false } // the desk dies after the first batch
	db.search.mu.Lock()
	db.search.mu.Unlock()
	if err := db.searchNeedsRebuild(); err != nil {
		t.Fatal(err)
	}
	for db.search.running.Load() {
		time.Sleep(time.Millisecond)
	}
	if err := db.buildSearch(); err != nil {
		t.Fatal(err)
	}
	done, pct, err := db.SearchProgress()
	if err != nil || done || pct <= 0 {
		t.Fatalf("after one batch: done %v, %d%%, %v", done, pct, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openDir(t, dir)
	waitIndexed(t, db)
	for _, i := range []int{0, buildBatch - 1, buildBatch, n - 1} {
		want := fmt.Sprintf("m%06d", i)
		if got := searchIDs(t, db, SearchQuery{Text: fmt.Sprint(9000000 + i)}); !eq(got, []string{want}) {
			t.Errorf("order %d: %v, want [%s]", 9000000+i, got, want)
		}
	}
	res, err := db.Search(SearchQuery{Text: "什么时候", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.ID)
	}
	want := []string{fmt.Sprintf("m%06d", n-1), fmt.Sprintf("m%06d", n-2), fmt.Sprintf("m%06d", n-3),
		fmt.Sprintf("m%06d", n-4), fmt.Sprintf("m%06d", n-5)}
	if !eq(got, want) || !res.More {
		t.Errorf("newest five: %v (more %v), want %v", got, res.More, want)
	}
}

// TestSearchResetDropsAndRebuilds: after ResetCache and a fresh pull, what the shop holds is
// found again and nothing twice.
func TestSearchResetDropsAndRebuilds(t *testing.T) {
	db := openMem(t)
	s := seeded(t, db)
	waitIndexed(t, db)
	if err := db.ResetCache(); err != nil {
		t.Fatal(err)
	}
	if got := searchIDs(t, db, SearchQuery{Text: "颜色"}); len(got) != 0 {
		t.Fatalf("after the reset: %v", got)
	}
	pull(t, db, s)
	waitIndexed(t, db)
	if got := searchIDs(t, db, SearchQuery{Text: "颜色"}); !eq(got, []string{"r1"}) {
		t.Fatalf("after the pull: %v", got)
	}
}

// TestSearchBuildLetsABulkImportIn: a bulk import's Finish holds the writers' lock and then
// waits for every reader to leave; a background batch that is storing its progress right then
// must not hold the store open while it waits for the writers' lock (it deadlocked so: the
// test then never ends).
func TestSearchBuildLetsABulkImportIn(t *testing.T) {
	db := openMem(t)
	waitIndexed(t, db)
	seeded(t, db)
	reached, proceed, built := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	db.search.mu.Lock()
	db.search.beforeProgress = func() {
		db.search.beforeProgress = nil
		close(reached)
		<-proceed
	}
	db.search.mu.Unlock()
	if err := db.searchNeedsRebuild(); err != nil {
		t.Fatal(err)
	}
	go func() { built <- db.buildSearch() }()
	<-reached
	db.wmu.Lock() // as Finish: the writers' lock first …
	close(proceed)
	db.life.Lock() // … then every reader out
	db.life.Unlock()
	db.wmu.Unlock()
	if err := <-built; err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, db)
	if got := searchIDs(t, db, SearchQuery{Text: "颜色不对"}); !eq(got, []string{"r1"}) {
		t.Fatalf("after the rebuild: %v", got)
	}
}
