package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"kefu/server/store"
	"kefu/shop"
)

// pageRecords pages recs (a feed, in seq order) the way readChanges does, with changesPage.fits
// deciding where each page ends, and returns the pages as lists of ids.
func pageRecords(recs []shop.Record, limit, maxBytes int) [][]string {
	var pages [][]string
	for i := 0; i < len(recs); {
		var p changesPage
		p.begin(0, 0)
		var ids []string
		for ; i < len(recs) && p.fits(recs[i], limit, maxBytes); i++ {
			p.add(recs[i])
			ids = append(ids, recs[i].ID)
		}
		pages = append(pages, ids)
	}
	return pages
}

// A page ends only between commits: one that reaches its limit of records, or of bytes,
// inside a commit takes the rest of that commit and no more; a page holds at least one
// commit; records of unknown commit (Commit 0) are commits of their own.
func TestPageEndsBetweenCommits(t *testing.T) {
	r := func(id string, seq, commit int64, size int) shop.Record {
		return shop.Record{Type: shop.TypeNote, ID: id, Seq: seq, Commit: commit, Data: []byte(`"` + strings.Repeat("x", size-2) + `"`)}
	}
	// Commits 1-3 (its third record moved on by commit 6), 4-5, 6-8, 9, and two records of
	// unknown commit.
	feed := []shop.Record{r("a", 1, 1, 10), r("b", 2, 1, 10), r("d", 4, 4, 10), r("e", 5, 4, 10),
		r("c", 6, 6, 10), r("f", 7, 6, 10), r("g", 8, 6, 10), r("h", 9, 9, 10), r("u1", 10, 0, 10), r("u2", 11, 0, 10)}
	for _, tc := range []struct {
		limit, maxBytes int
		want            string
	}{
		{1, 1 << 20, "[[a b] [d e] [c f g] [h] [u1] [u2]]"},
		{2, 1 << 20, "[[a b] [d e] [c f g] [h u1] [u2]]"},
		{3, 1 << 20, "[[a b d e] [c f g] [h u1 u2]]"},
		{100, 1 << 20, "[[a b d e c f g h u1 u2]]"},
		{100, 10, "[[a b] [d e] [c f g] [h] [u1] [u2]]"}, // each commit past the bytes alone
		{100, 25, "[[a b] [d e] [c f g] [h u1] [u2]]"},   // two records fit, a third only in a commit
		{100, 45, "[[a b d e] [c f g h] [u1 u2]]"},       // four fit
		{2, 1, "[[a b] [d e] [c f g] [h] [u1] [u2]]"},    // a commit larger than the bytes: one page
	} {
		if got := fmt.Sprint(pageRecords(feed, tc.limit, tc.maxBytes)); got != tc.want {
			t.Errorf("limit %d, %d bytes: pages %s, want %s", tc.limit, tc.maxBytes, got, tc.want)
		}
	}
}

// Commits of 5 records written through the server, one of them with its last record moved on
// by a later commit, paged over HTTP with a limit of 2: every page ends at a commit's end, and
// the pages hold every record once.
func TestChangesPagesEndBetweenCommits(t *testing.T) {
	e := startEnv(t, "", &testClock{t: monday10})
	e.importShop("gamma", []shop.Record{rec(shop.TypeShop, "gamma", shop.Shop{ID: "gamma", Name: "伽马"}),
		rec(shop.TypeStaff, "3001", shop.Staff{Number: "3001", Name: "周", Role: shop.RoleOwner})},
		StaffLogin{Staff: shop.Staff{Number: "3001"}, Password: pass})
	token := e.login("gamma", "3001")
	start := e.changes(token, 0, 1, 0).Total
	commitOf := map[string]int{} // note → the commit that last wrote it
	write := func(c int, ids ...string) {
		t.Helper()
		err := e.srv.write(context.Background(), "gamma", func(tx store.Tx) error {
			for _, id := range ids {
				if _, err := tx.Put(shop.Record{Type: shop.TypeNote, ID: id, Data: []byte(`{}`)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			commitOf[id] = c
		}
	}
	for c := range 4 {
		write(c, fmt.Sprintf("n%d-0", c), fmt.Sprintf("n%d-1", c), fmt.Sprintf("n%d-2", c), fmt.Sprintf("n%d-3", c), fmt.Sprintf("n%d-4", c))
	}
	write(4, "n1-4", "m-0", "m-1", "m-2", "n2-0") // moves the last of commit 1, the first of 2
	var got []string
	after := start
	for {
		cr := e.changes(token, after, 2, 0)
		var page []string
		for _, r := range cr.Changes {
			page = append(page, r.ID)
		}
		got = append(got, page...)
		if len(page) > 0 {
			last := page[len(page)-1]
			// No record of the page's last commit comes later.
			rest := e.changes(token, cr.Next, 100, 0).Changes
			for _, r := range rest {
				if commitOf[r.ID] == commitOf[last] {
					t.Errorf("page %v ends inside commit %d: %s comes after it", page, commitOf[last], r.ID)
				}
			}
			if len(page) > 2 && commitOf[page[1]] != commitOf[last] {
				t.Errorf("page %v goes past its limit of 2 but to finish the commit its limit fell in", page)
			}
		}
		after = cr.Next
		if !cr.More {
			break
		}
	}
	want := make([]string, 0, len(commitOf))
	for id := range commitOf {
		want = append(want, id)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the pages hold %v, want each of %v once", got, want)
	}
}
