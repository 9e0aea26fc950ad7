package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"kefu/server/store"
	"kefu/shop"
)

// The feed's commits: each record's Commit is the first seq of the Update that wrote it, so
// that a page of the change feed (the server's readChanges) can end only between commits.

// pageFeed reads the shop's whole feed in pages of limit records as the server pages it: a
// page that is full carries on while the feed's next record comes from the same commit as its
// last one (store.SameCommit).
func pageFeed(t *testing.T, st store.Store, shopID string, limit int) [][]shop.Record {
	t.Helper()
	var pages [][]shop.Record
	after := int64(0)
	for {
		var page []shop.Record
		mustView(t, st, shopID, func(tx store.ReadTx) error {
			return tx.Feed(after, func(rec shop.Record) bool {
				if len(page) >= limit && !store.SameCommit(page[len(page)-1], rec) {
					return false
				}
				page = append(page, rec)
				return true
			})
		})
		if len(page) == 0 {
			return pages
		}
		pages = append(pages, page)
		after = page[len(page)-1].Seq
	}
}

// checkPages checks pages of the feed against the commits that wrote it: wrote maps each
// entity's id to the first seq of the Update that last wrote it, want is every id the feed
// holds. Each record must carry its commit, every id must come once, and no commit may be
// split across two pages.
func checkPages(t *testing.T, pages [][]shop.Record, wrote map[string]int64, want []string) {
	t.Helper()
	var got []string
	pageOf := map[int64]int{} // commit → the page that holds its records
	for i, page := range pages {
		for _, rec := range page {
			got = append(got, rec.ID)
			if rec.Commit != wrote[rec.ID] {
				t.Errorf("%s %s at seq %d: commit %d, want %d (the first seq of the Update that wrote it)", rec.Type, rec.ID, rec.Seq, rec.Commit, wrote[rec.ID])
			}
			if p, seen := pageOf[wrote[rec.ID]]; seen && p != i {
				t.Errorf("the commit from seq %d is split: %s on page %d, its other records on page %d", wrote[rec.ID], rec.ID, i, p)
			}
			pageOf[wrote[rec.ID]] = i
		}
	}
	slices.Sort(got)
	sorted := slices.Sorted(slices.Values(want))
	if !slices.Equal(got, sorted) {
		t.Errorf("the pages hold %v, want each of %v once", got, sorted)
	}
}

// testFeedCommits writes commits of 5 records (one of them writes an entity twice), then
// commits that move records of earlier ones on (the last record of one commit, the first of
// another), and a commit of one record; pages of limit 2 must each end at a commit's end and
// hold every entity once.
func testFeedCommits(t *testing.T, st store.Store) {
	wrote := map[string]int64{}
	var ids []string
	commit := func(recIDs ...string) {
		t.Helper()
		seqs := put(t, st, shopA, func() []shop.Record {
			recs := make([]shop.Record, len(recIDs))
			for i, id := range recIDs {
				recs[i] = record(shop.TypeNote, id, fmt.Sprintf(`{"at":%d}`, i))
			}
			return recs
		}()...)
		for _, id := range recIDs {
			if _, known := wrote[id]; !known {
				ids = append(ids, id)
			}
			wrote[id] = seqs[0]
		}
	}
	for c := range 6 {
		var recIDs []string
		for j := range 5 {
			recIDs = append(recIDs, fmt.Sprintf("c%d-%d", c, j))
		}
		commit(recIDs...)
	}
	commit("d-0", "d-1", "d-0", "d-2", "d-3") // d-0 twice: the feed holds its second Put
	commit("c1-4", "c2-0", "m-0", "m-1", "m-2")
	commit("solo")
	commit("c3-4", "m-3", "m-4", "m-5", "m-6")
	for _, limit := range []int{1, 2, 3, 5, 7} {
		pages := pageFeed(t, st, shopA, limit)
		checkPages(t, pages, wrote, ids)
		for i, page := range pages {
			// A page never goes past its limit but to finish the commit it reached it in.
			if len(page) > limit && page[limit-1].Commit != page[len(page)-1].Commit {
				t.Errorf("limit %d: page %d holds %d records, past the commit its limit fell in", limit, i, len(page))
			}
		}
	}
	// A feed read from inside a commit (an old cursor) carries on from there.
	all := feed(t, st, shopA, 0)
	mid := all[1].Seq // the second record of the first commit still whole
	rest := feed(t, st, shopA, mid)
	if len(rest) != len(all)-2 || rest[0].Commit != all[0].Commit {
		t.Errorf("the feed after seq %d: %d records from commit %d, want %d from commit %d", mid, len(rest), rest[0].Commit, len(all)-2, all[0].Commit)
	}
}

// testFeedCommitsConcurrent runs small Updates from several goroutines at once (an engine may
// commit those that wait together in one transaction) and checks that each record's Commit is
// still its own Update's first seq.
func testFeedCommitsConcurrent(t *testing.T, st store.Store) {
	const writers, rounds, perUpdate = 6, 8, 3
	var mu sync.Mutex
	wrote := map[string]int64{}
	var ids []string
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				err := st.Update(context.Background(), shopA, func(tx store.Tx) error {
					first, err := tx.Seq()
					if err != nil {
						return err
					}
					var mine []string
					for j := range perUpdate {
						id := fmt.Sprintf("w%d-%d-%d", w, r, j)
						if _, err := tx.Put(record(shop.TypeNote, id, `{}`)); err != nil {
							return err
						}
						mine = append(mine, id)
					}
					mu.Lock() // fn may run again: the last run is the one committed
					for _, id := range mine {
						if _, known := wrote[id]; !known {
							ids = append(ids, id)
						}
						wrote[id] = first + 1
					}
					mu.Unlock()
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkPages(t, pageFeed(t, st, shopA, 2), wrote, ids)
}
