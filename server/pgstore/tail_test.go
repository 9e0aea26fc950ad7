package pgstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/server/store"
	"kefu/shop"
)

// history is every commit of one shop, in seq order, and answers what the feed held at a seq:
// the model a tail's reads are checked against.
type history []tailCommit

// feedAt is the feed after seq after as it stood when seq upto had just committed: each
// entity once, at its latest record up to upto, if that is after after.
func (h history) feedAt(after, upto int64) []shop.Record {
	latest := map[recordKey]shop.Record{}
	for _, c := range h {
		if c.end > upto {
			break
		}
		for _, rec := range c.recs {
			latest[recordKey{rec.Type, rec.ID}] = rec
		}
	}
	var out []shop.Record
	for _, rec := range latest {
		if rec.Seq > after {
			out = append(out, rec)
		}
	}
	slices.SortFunc(out, func(a, b shop.Record) int { return int(a.Seq - b.Seq) })
	return out
}

// randomHistory makes n commits of 1–4 records each over a few entities, so that later commits
// change and delete what earlier ones wrote.
func randomHistory(rng *rand.Rand, n int) history {
	var h history
	seq := int64(0)
	for range n {
		c := tailCommit{start: seq}
		written := map[recordKey]shop.Record{}
		for range 1 + rng.IntN(4) {
			seq++
			k := recordKey{shop.TypeNote, fmt.Sprintf("n%d", rng.IntN(12))}
			rec := shop.Record{Type: k.typ, ID: k.id, Seq: seq, Commit: c.start + 1}
			if rng.IntN(5) == 0 {
				rec.Deleted = true
			} else {
				rec.Data = []byte(fmt.Sprintf(`{"v":%d}`, seq))
			}
			written[k] = rec
		}
		c = newCommit(c.start, seq, written)
		h = append(h, c)
	}
	return h
}

// TestTailAnswersOnlyWhatItHoldsWhole: commits come to a tail out of order, twice, or never (a
// payload too large, a connection down: then maybe a hint of the counter, maybe nothing); after
// each arrival, every range the tail answers for holds exactly the feed as it stood at the
// range's end, and never a range across a commit that did not come. Without the contiguity
// check a read across a lost commit would miss its records.
func TestTailAnswersOnlyWhatItHoldsWhole(t *testing.T) {
	for run := range 40 {
		rng := rand.New(rand.NewPCG(uint64(run), 7))
		h := randomHistory(rng, 60)
		hinted := run%2 == 0 // every lost commit is hinted (passed), or none is
		// Arrival: each commit once (own) and maybe again (notified back), some lost, some
		// swapped with their neighbour. A hint has no records (recs nil, start -1).
		var arrivals []tailCommit
		lost := map[int]bool{}
		for i, c := range h {
			if rng.IntN(15) == 0 {
				lost[i] = true
				if hinted {
					arrivals = append(arrivals, tailCommit{start: -1, end: c.end})
				}
				continue
			}
			arrivals = append(arrivals, c)
			if rng.IntN(3) == 0 {
				arrivals = append(arrivals, c)
			}
		}
		for i := 1; i < len(arrivals); i++ {
			if rng.IntN(4) == 0 && arrivals[i].start >= 0 && arrivals[i-1].start >= 0 {
				arrivals[i-1], arrivals[i] = arrivals[i], arrivals[i-1]
			}
		}
		var ts tails
		for k, c := range arrivals {
			if c.start < 0 {
				ts.passed("s", c.end)
			} else {
				ts.add("s", c, k%2 == 0)
			}
			tail := ts.shops["s"]
			for range 150 { // ranges between commits, and from inside one
				a, b := rng.IntN(len(h)), rng.IntN(len(h))
				after, upto := h[min(a, b)].start, h[max(a, b)].end
				if rng.IntN(4) == 0 && h[min(a, b)].end-after > 1 {
					after++
				}
				got, ok := tail.read(after, upto)
				if !ok {
					continue
				}
				if d := sameRecords(got, h.feedAt(after, upto)); d != "" {
					t.Fatalf("run %d, arrival %d: read (%d, %d]: %s", run, k, after, upto, d)
				}
				for i, c := range h {
					if lost[i] && c.end > after && c.start < upto {
						t.Fatalf("run %d: read (%d, %d] answered across lost commit (%d, %d]", run, after, upto, c.start, c.end)
					}
				}
			}
		}
		// With every loss hinted, the tail holds the newest commits once they came.
		if n := len(h); hinted && !lost[n-1] && !lost[n-2] {
			tail := ts.shops["s"]
			if _, ok := tail.read(h[n-2].start, h[n-1].end); !ok {
				t.Errorf("run %d: the last two commits are not answered: tail (%d, %d], %d pending", run, tail.from, tail.to, len(tail.pending))
			}
		}
	}
}

// TestTailStartsAgainAfterAGap: behind a commit that never comes and is never hinted, the tail
// waits with up to tailPending commits, then starts again at the earliest of them.
func TestTailStartsAgainAfterAGap(t *testing.T) {
	h := randomHistory(rand.New(rand.NewPCG(1, 2)), 3+tailPending+1)
	var ts tails
	ts.add("s", h[0], false)
	ts.add("s", h[1], false)
	for i, c := range h[3:] { // h[2] is lost
		ts.add("s", c, false)
		_, ok := ts.shops["s"].read(h[3].start, c.end)
		if want := i == tailPending; ok != want {
			t.Fatalf("after %d commits behind the gap: answered %v, want %v", i+1, ok, want)
		}
	}
	if _, ok := ts.shops["s"].read(h[1].start, h[1].end); ok {
		t.Fatal("the commits before the gap are still answered after starting again")
	}
}

// TestTailBounds: a shop's tail keeps its newest commits within tailCommits and tailBytes,
// and answers nothing older; all shops' tails stay within tailAllBytes.
func TestTailBounds(t *testing.T) {
	var ts tails
	seq := int64(0)
	big := strings.Repeat("x", 1000)
	for range 3 * tailCommits {
		c := newCommit(seq, seq+1, map[recordKey]shop.Record{{shop.TypeNote, "n"}: {Type: shop.TypeNote, ID: "n", Seq: seq + 1, Data: []byte(`"` + big + `"`)}})
		ts.add("s", c, false)
		seq++
	}
	tail := ts.shops["s"]
	if len(tail.commits) > tailCommits || tail.bytes > tailBytes {
		t.Fatalf("tail holds %d commits, %d bytes", len(tail.commits), tail.bytes)
	}
	if _, ok := tail.read(0, seq); ok {
		t.Fatal("the tail answered for commits it dropped")
	}
	if got, ok := tail.read(seq-1, seq); !ok || len(got) != 1 || got[0].Seq != seq {
		t.Fatalf("newest commit: %v %v", got, ok)
	}
	for i := 0; ts.bytes <= tailAllBytes && i < 1000; i++ {
		id := fmt.Sprint("shop", i)
		for j := range int64(tailBytes / 1100) {
			ts.add(id, newCommit(j, j+1, map[recordKey]shop.Record{{shop.TypeNote, "n"}: {Type: shop.TypeNote, ID: "n", Seq: j + 1, Data: []byte(`"` + big + `"`)}}), false)
		}
	}
	sum := 0
	for _, t := range ts.shops {
		sum += t.bytes + t.pendingBytes()
	}
	if sum != ts.bytes || ts.bytes > tailAllBytes {
		t.Fatalf("tails hold %d bytes, counted %d, bound %d", sum, ts.bytes, tailAllBytes)
	}
}

// TestCommitNotes: a commit's notification carries its records (Chinese text, a tombstone,
// the commit of each) and reads back as the same commit; one too large for a payload goes as
// the hint "shop seq".
func TestCommitNotes(t *testing.T) {
	a := &Store{}
	c := newCommit(41, 44, map[recordKey]shop.Record{
		{shop.TypeNote, "n1"}:     {Type: shop.TypeNote, ID: "n1", Seq: 42, Commit: 42, Data: []byte(`{"text":"换货，加急 \"快\""}`)},
		{shop.TypeCustomer, "c1"}: {Type: shop.TypeCustomer, ID: "c1", Seq: 44, Commit: 43, Deleted: true},
	})
	p := a.notePayload("店铺 1", c)
	shopID, seq, got, ok := readNote(p)
	if !ok || shopID != "店铺 1" || seq != 44 || got == nil || got.start != 41 || got.end != 44 {
		t.Fatalf("read back %q %d %+v %v from %s", shopID, seq, got, ok, p)
	}
	if d := sameRecords(got.recs, c.recs); d != "" || got.recs[0].Commit != 42 || got.recs[1].Commit != 43 {
		t.Fatalf("records: %s %+v", d, got.recs)
	}
	large := newCommit(0, 1, map[recordKey]shop.Record{{shop.TypeNote, "n"}: {Type: shop.TypeNote, ID: "n", Seq: 1, Commit: 1, Data: []byte(`"` + strings.Repeat("长", 3000) + `"`)}})
	if p := a.notePayload("shop", large); p != "shop 1" {
		t.Fatalf("large commit's payload: %d bytes", len(p))
	}
	if shopID, seq, c, ok := readNote("shop 1"); !ok || shopID != "shop" || seq != 1 || c != nil {
		t.Fatalf("hint: %q %d %v %v", shopID, seq, c, ok)
	}
	odd := newCommit(1, 2, map[recordKey]shop.Record{{shop.TypeNote, "a\x1fb"}: {Type: shop.TypeNote, ID: "a\x1fb", Seq: 2, Commit: 2, Data: []byte(`{}`)}})
	if p := a.notePayload("shop", odd); p != "shop 2" {
		t.Fatalf("an id holding a separator went as %q", p)
	}
	for _, bad := range []string{"\x1e", "\x1eshop\x1f1", "\x1eshop\x1f1\x1f2\x1enote\x1fn\x1f2", "\x1eshop\x1fx\x1f2"} {
		if _, _, _, ok := readNote(bad); ok {
			t.Errorf("read the broken note %q", bad)
		}
	}
}

// TestReadRecentFollowsWritersOfTwoServers: two Stores on one database, each with its Watch
// running, and writers on both. When Watch tells a Store of a commit, that Store already
// holds it: ReadRecent answers from the counter the reader had to the one told of. And what
// either Store answers equals what ReadFeed reads (the writers write new entities only, so a
// read's later moves cannot differ).
func TestReadRecentFollowsWritersOfTwoServers(t *testing.T) {
	dsn := pg.Need(t).Schema(t)
	stores := []*Store{open(t, dsn, Options{}), open(t, dsn, Options{})}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const shopID = "agency"
	type told struct {
		from, to int64
		answered bool
	}
	var mu sync.Mutex
	tolds := make([][]told, 2)
	listening := make(chan struct{}, 2)
	var watchers sync.WaitGroup
	for i, st := range stores {
		watchers.Add(1)
		go func() {
			defer watchers.Done()
			var last int64
			first := true
			st.Watch(ctx, func(s string, seq int64) {
				if s != shopID || seq <= last {
					return
				}
				if first { // the first poll, on listening
					first = false
					last = seq
					listening <- struct{}{}
					return
				}
				ok := st.ReadRecent(shopID, last, seq, func(shop.Record) bool { return true })
				mu.Lock()
				tolds[i] = append(tolds[i], told{last, seq, ok})
				mu.Unlock()
				last = seq
			})
		}()
	}
	if err := stores[0].Update(ctx, shopID, func(tx store.Tx) error {
		_, err := tx.Put(shop.Record{Type: shop.TypeNote, ID: "first", Data: []byte(`{}`)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	<-listening
	<-listening
	var writers sync.WaitGroup
	for w := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			st := stores[w%2]
			for n := range 40 {
				err := st.Update(ctx, shopID, func(tx store.Tx) error {
					for k := range 1 + n%3 {
						if _, err := tx.Put(shop.Record{Type: shop.TypeNote, ID: fmt.Sprintf("w%d-%d-%d", w, n, k), Data: []byte(`{"t":"备注"}`)}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	writers.Wait()
	var final int64
	if err := stores[0].View(ctx, shopID, func(tx store.ReadTx) error {
		var err error
		final, err = tx.Seq()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		done := len(tolds[0]) > 0 && len(tolds[1]) > 0 && tolds[0][len(tolds[0])-1].to == final && tolds[1][len(tolds[1])-1].to == final
		mu.Unlock()
		if done || time.Now().After(deadline) {
			break
		}
	}
	cancel()
	watchers.Wait()
	// A listener that falls behind its own Store's commits (a loaded machine) makes the tail
	// start again later, so the ranges checked are those from where it starts now; they are
	// most of the test's commits (tailPending of them may wait behind a slow listener).
	for i, ts := range tolds {
		if len(ts) == 0 || ts[len(ts)-1].to != final {
			t.Fatalf("store %d was not told of seq %d: %+v", i, final, ts)
		}
		tl := stores[i].tails.shops[shopID]
		if tl == nil || tl.to != final || final-tl.from < final/3 {
			t.Fatalf("store %d: its tail holds too little of the feed up to %d: %+v", i, final, tl)
		}
		for _, x := range ts {
			if !x.answered && x.from >= tl.from {
				t.Errorf("store %d, told of (%d, %d]: ReadRecent did not answer (tail now (%d, %d])", i, x.from, x.to, tl.from, tl.to)
			}
		}
		for after := tl.from; after < final; after += 7 {
			var got []shop.Record
			if !stores[i].ReadRecent(shopID, after, final, func(r shop.Record) bool { got = append(got, r); return true }) {
				t.Errorf("store %d: ReadRecent(%d, %d) did not answer", i, after, final)
				continue
			}
			if d := sameRecords(got, readFeedOf(t, stores[i], shopID, after, -1)); d != "" {
				t.Errorf("store %d, after %d: %s", i, after, d)
			}
		}
		if stores[i].ReadRecent(shopID, tl.from-1, final, func(shop.Record) bool { return true }) && tl.from > 0 {
			t.Errorf("store %d: ReadRecent answered from before its tail", i)
		}
	}
}
