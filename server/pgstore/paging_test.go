package pgstore

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"kefu/server/pgstore/pgtest"
	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// Commits larger than a page of changes, made through another server while a desk pages the
// feed with a limit of 2: a page never ends inside a commit (one that reaches its limit in a
// commit carries on to the commit's last record), so every page holds whole commits of 5
// notes, in order, with nothing of another commit between and nothing lost; no commit is seen
// in part.
func TestPagingSmallerThanCommits(t *testing.T) {
	a, _, token := twoInstances(t, Options{})
	other := open(t, a.dsn, Options{}) // a third writer on the database, as another server
	const writers, commits, perCommit = 3, 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range commits {
				err := other.Update(t.Context(), "agency", func(tx store.Tx) error {
					for j := range perCommit {
						id := fmt.Sprintf("c%d-%d-%d", w, c, j)
						if _, err := tx.Put(shop.Record{Type: shop.TypeNote, ID: id, Data: []byte(`{}`)}); err != nil {
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
	var stream []string // the notes in the order the pages brought them
	var cursor int64
	pages := 0
	for len(stream) < writers*commits*perCommit {
		var cr storeapi.ChangesResponse
		err := pgtest.Call(a.url, "GET", fmt.Sprintf("%s?after=%d&limit=2&wait=5", storeapi.PathChanges, cursor), token, nil, &cr, 200)
		if err != nil {
			t.Fatal(err)
		}
		if len(cr.Changes) == 0 {
			t.Fatalf("a long poll ended with nothing after %d of %d notes", len(stream), writers*commits*perCommit)
		}
		if len(cr.Changes) > 2-1+perCommit {
			t.Fatalf("a page of %d changes with limit 2: more than finishing the commit its limit fell in", len(cr.Changes))
		}
		pages++
		notes := 0
		for _, rec := range cr.Changes {
			if rec.Type == shop.TypeNote {
				stream = append(stream, rec.ID)
				notes++
			}
		}
		if notes != 0 && notes != perCommit {
			t.Fatalf("a page of %d changes holds %d notes, not one whole commit of %d: %v", len(cr.Changes), notes, perCommit, stream[len(stream)-notes:])
		}
		cursor = cr.Next
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := 0; i < len(stream); i += perCommit {
		var w, c int
		if _, err := fmt.Sscanf(stream[i], "c%d-%d-0", &w, &c); err != nil {
			t.Fatalf("note %d of the stream is %s, not the first of a commit: %v", i, stream[i], err)
		}
		for j := range perCommit {
			if want := fmt.Sprintf("c%d-%d-%d", w, c, j); i+j >= len(stream) || stream[i+j] != want {
				t.Fatalf("after %s the stream has %v, want %s: a commit was split or mixed with another", stream[i], stream[i:min(i+perCommit, len(stream))], want)
			}
		}
	}
	sorted := slices.Clone(stream)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != writers*commits*perCommit {
		t.Fatalf("%d distinct notes in %d", len(slices.Compact(sorted)), len(stream))
	}
	t.Logf("%d notes of %d commits in %d pages", len(stream), writers*commits, pages)
}
