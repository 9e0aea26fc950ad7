package pgstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"kefu/server/store"
	"kefu/shop"
)

// feedOf is shop shopID's feed after seq after as View+Feed reads it, stopping after max
// records (max < 0: all).
func feedOf(t testing.TB, st *Store, shopID string, after int64, max int) []shop.Record {
	t.Helper()
	out, add := collectUpTo(max)
	err := st.View(t.Context(), shopID, func(tx store.ReadTx) error { return tx.Feed(after, add) })
	if err != nil {
		t.Fatal(err)
	}
	return *out
}

// readFeedOf is the same read with ReadFeed.
func readFeedOf(t *testing.T, st *Store, shopID string, after int64, max int) []shop.Record {
	t.Helper()
	out, add := collectUpTo(max)
	if err := st.ReadFeed(t.Context(), shopID, after, add); err != nil {
		t.Fatal(err)
	}
	return *out
}

// collectUpTo returns a feed callback that keeps the first max records it is given, and them.
func collectUpTo(max int) (*[]shop.Record, func(shop.Record) bool) {
	var out []shop.Record
	return &out, func(r shop.Record) bool {
		if len(out) == max {
			return false
		}
		out = append(out, r)
		return true
	}
}

// sameRecords reports the first difference between two reads of a feed, or "".
func sameRecords(got, want []shop.Record) string {
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.Type != w.Type || g.ID != w.ID || g.Seq != w.Seq || g.Deleted != w.Deleted || string(g.Data) != string(w.Data) {
			return fmt.Sprintf("record %d: got %s %s seq %d deleted %v %s, want %s %s seq %d deleted %v %s",
				i, g.Type, g.ID, g.Seq, g.Deleted, g.Data, w.Type, w.ID, w.Seq, w.Deleted, w.Data)
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("got %d records, want %d", len(got), len(want))
	}
	return ""
}

// TestReadFeedMatchesView: on a store at rest, ReadFeed gives exactly what View+Feed gives,
// from any cursor, over several statements' worth of records (pageRows), with entities
// overwritten and deleted (the compacted feed's moves and tombstones), another shop's records
// beside them, and a reader that stops early.
func TestReadFeedMatchesView(t *testing.T) {
	st := open(t, "", Options{})
	ctx := t.Context()
	const entities = 3*pageRows + 17
	for _, shopID := range []string{"shop", "other"} {
		for from := 0; from < entities; from += 100 {
			err := st.Update(ctx, shopID, func(tx store.Tx) error {
				for i := from; i < min(from+100, entities); i++ {
					if _, err := tx.Put(shop.Record{Type: shop.TypeNote, ID: fmt.Sprintf("n%04d", i), Data: []byte(fmt.Sprintf(`{"v":%d}`, i))}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	// Every seventh entity written again (it moves to the feed's end), every eleventh deleted.
	err := st.Update(ctx, "shop", func(tx store.Tx) error {
		for i := 0; i < entities; i += 7 {
			if _, err := tx.Put(shop.Record{Type: shop.TypeNote, ID: fmt.Sprintf("n%04d", i), Data: []byte(`{"again":true}`)}); err != nil {
				return err
			}
		}
		for i := 3; i < entities; i += 11 {
			if _, err := tx.Put(shop.Record{Type: shop.TypeNote, ID: fmt.Sprintf("n%04d", i), Deleted: true}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := feedOf(t, st, "shop", 0, -1)
	if len(all) != entities {
		t.Fatalf("the feed holds %d records, want one per entity (%d)", len(all), entities)
	}
	last := all[len(all)-1].Seq
	for _, after := range []int64{0, 1, pageRows - 1, pageRows, pageRows + 1, 2*pageRows + 5, last - 60, last - 1, last, last + 10} {
		for _, max := range []int{-1, 0, 1, pageRows, pageRows + 3} {
			if d := sameRecords(readFeedOf(t, st, "shop", after, max), feedOf(t, st, "shop", after, max)); d != "" {
				t.Fatalf("after %d, stopping after %d: %s", after, max, d)
			}
		}
	}
	if d := sameRecords(readFeedOf(t, st, "other", 0, -1), feedOf(t, st, "other", 0, -1)); d != "" {
		t.Fatalf("the other shop: %s", d)
	}
	if got := readFeedOf(t, st, "nobody", 0, -1); len(got) != 0 {
		t.Fatalf("a shop never written has %d records", len(got))
	}
}

// TestReadFeedContextAndClose: ReadFeed fails with the context's error once it is done, and
// with store.ErrClosed after Close.
func TestReadFeedContextAndClose(t *testing.T) {
	st := open(t, "", Options{})
	err := st.Update(t.Context(), "shop", func(tx store.Tx) error {
		_, err := tx.Put(shop.Record{Type: shop.TypeNote, ID: "n", Data: []byte(`{}`)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := st.ReadFeed(ctx, "shop", 0, func(shop.Record) bool { return true }); !errors.Is(err, context.Canceled) {
		t.Fatalf("ReadFeed with a cancelled context: %v, want context.Canceled", err)
	}
	st.Close()
	if err := st.ReadFeed(t.Context(), "shop", 0, func(shop.Record) bool { return true }); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("ReadFeed after Close: %v, want store.ErrClosed", err)
	}
}

// TestReadFeedFollowsWritersOfTwoServers is the server's use of ReadFeed under load: two
// Stores on one schema (two servers) commit Updates that write and overwrite a small set of
// entities, while a reader on a third follows the feed by cursor as readChanges does: it
// learns a seq every change up to which has committed (here the counter, read by a View
// first), reads from its cursor with ReadFeed and stops there. When the writers are done and
// the reader has caught up, what it holds must be the shop's final state, entity by entity:
// a change it skipped (a record moved past its stop while it read) came to it later.
func TestReadFeedFollowsWritersOfTwoServers(t *testing.T) {
	dsn := pg.Need(t).Schema(t)
	writers := []*Store{open(t, dsn, Options{}), open(t, dsn, Options{})}
	reader := open(t, dsn, Options{})
	ctx := t.Context()
	const perWriter, commits, entities = 3, 40, 150
	var wg sync.WaitGroup
	errs := make(chan error, len(writers)*perWriter)
	for w := range len(writers) * perWriter {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for c := range commits {
				err := writers[w%len(writers)].Update(ctx, "shop", func(tx store.Tx) error {
					for range 1 + rng.IntN(2*pageRows/3) { // some commits span a statement's page
						rec := shop.Record{Type: shop.TypeNote, ID: fmt.Sprintf("n%03d", rng.IntN(entities)), Data: []byte(fmt.Sprintf(`{"by":"%d-%d"}`, w, c))}
						if rng.IntN(9) == 0 {
							rec.Deleted, rec.Data = true, nil
						}
						if _, err := tx.Put(rec); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	stop := make(chan struct{})
	go func() { wg.Wait(); close(stop) }()
	held := map[string]shop.Record{}
	var cursor int64
	reads := 0
	for done := false; !done; reads++ {
		select {
		case <-stop:
			done = true // one more read after the last commit
		default:
		}
		var upto int64
		if err := reader.View(ctx, "shop", func(tx store.ReadTx) error { var err error; upto, err = tx.Seq(); return err }); err != nil {
			t.Fatal(err)
		}
		err := reader.ReadFeed(ctx, "shop", cursor, func(r shop.Record) bool {
			if r.Seq > upto {
				return false
			}
			if r.Seq <= cursor {
				t.Errorf("record %s at seq %d after the cursor %d: not in seq order", r.ID, r.Seq, cursor)
			}
			held[r.ID] = r
			cursor = r.Seq
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	final := feedOf(t, reader, "shop", 0, -1)
	for _, want := range final {
		got, ok := held[want.ID]
		if !ok {
			t.Errorf("the reader never got %s (seq %d)", want.ID, want.Seq)
			continue
		}
		if d := sameRecords([]shop.Record{got}, []shop.Record{want}); d != "" {
			t.Errorf("%s: %s", want.ID, d)
		}
	}
	if len(held) != len(final) {
		t.Errorf("the reader holds %d entities, the shop %d", len(held), len(final))
	}
	t.Logf("%d reads followed %d records", reads, cursor)
}

// BenchmarkFeedRead is the CPU a long poll's read costs, PostgreSQL's and the client's, with
// View+Feed and with ReadFeed: the read of a woken long poll, a few records after a cursor.
// CPU time rather than latency, so that neighbours on the cores change it little:
//
//	go test -tags migrated_fynedo -run '^$' -bench FeedRead ./server/pgstore/
func BenchmarkFeedRead(b *testing.B) {
	st := open(b, "", Options{})
	ctx := b.Context()
	for range 20 {
		err := st.Update(ctx, "shop", func(tx store.Tx) error {
			for i := range 4 {
				if _, err := tx.Put(shop.Record{Type: shop.TypeCustomer, ID: fmt.Sprintf("c%d-%d", i, rand.IntN(1e9)), Data: []byte(`{"nick":"客户"}`)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	last := feedOf(b, st, "shop", 0, -1)
	after := last[len(last)-5].Seq // the last commit's records: what a woken poll reads
	reads := map[string]func() error{
		"view": func() error {
			return st.View(ctx, "shop", func(tx store.ReadTx) error {
				return tx.Feed(after, func(shop.Record) bool { return true })
			})
		},
		"readfeed": func() error { return st.ReadFeed(ctx, "shop", after, func(shop.Record) bool { return true }) },
	}
	for _, name := range []string{"view", "readfeed"} {
		b.Run(name, func(b *testing.B) {
			read := reads[name]
			from := readCPU(pg.Dir)
			for b.Loop() {
				if err := read(); err != nil {
					b.Fatal(err)
				}
			}
			time.Sleep(20 * time.Millisecond) // a View's ROLLBACK runs after it returns
			to := readCPU(pg.Dir)
			b.ReportMetric(float64((to.postgres-from.postgres).Microseconds())/float64(b.N), "pg-cpu-µs/op")
			b.ReportMetric(float64((to.self-from.self).Microseconds())/float64(b.N), "client-cpu-µs/op")
		})
	}
}

// TestFeedConns: with Options.FeedConns the feed reads have a pool of their own, taken from
// the pool's size: ReadFeed reads there what View+Feed reads, while every connection of the
// Updates' pool is held; a share as large as the pool is refused.
func TestFeedConns(t *testing.T) {
	dsn := pg.Need(t).Schema(t)
	st := open(t, dsn+"&pool_max_conns=3", Options{FeedConns: 1})
	ctx := t.Context()
	err := st.Update(ctx, "shop", func(tx store.Tx) error {
		_, err := tx.Put(shop.Record{Type: shop.TypeNote, ID: "n", Data: []byte(`{"v":1}`)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.pool.Config().MaxConns, int32(2); got != want {
		t.Fatalf("the Updates' pool has %d connections, want %d", got, want)
	}
	var held []*pgxpool.Conn
	for range 2 {
		c, err := st.pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	got := readFeedOf(t, st, "shop", 0, -1)
	for _, c := range held {
		c.Release()
	}
	if d := sameRecords(got, feedOf(t, st, "shop", 0, -1)); d != "" {
		t.Fatal(d)
	}
	if _, err := Open(ctx, dsn+"&pool_max_conns=3", Options{FeedConns: 3}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("Open with every connection kept for feed reads: %v, want store.ErrInvalid", err)
	}
}
