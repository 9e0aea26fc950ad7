package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"kefu/server/store"
	"kefu/shop"
)

// TestGroupedUpdates queues a shop's Updates behind one that holds its turn, so that they go as
// one group, with every third failing: the failing ones get their own errors and leave nothing,
// the others all commit, each seeing the writes of those before it (a shared count they all
// bump ends at their number), and the shop's seq counts exactly their Puts.
func TestGroupedUpdates(t *testing.T) {
	st := open(t, "", Options{})
	ctx := t.Context()
	const shopID, queued = "grouped", 12
	if err := st.Update(ctx, shopID, func(tx store.Tx) error {
		return tx.PutAccount(store.ShopAccount{ID: shopID})
	}); err != nil {
		t.Fatal(err)
	}
	hold, held := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := st.Update(ctx, shopID, func(tx store.Tx) error {
			close(held)
			<-hold
			_, err := tx.Put(shop.NewRecord(shop.TypeCustomer, "first", shop.Customer{Nick: "first"}))
			return err
		})
		if err != nil {
			t.Error(err)
		}
	}()
	<-held
	errFailed := errors.New("this update fails")
	errs := make([]error, queued)
	for i := range queued {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.Update(ctx, shopID, func(tx store.Tx) error {
				id := fmt.Sprintf("c%02d", i)
				if _, err := tx.Put(shop.NewRecord(shop.TypeCustomer, id, shop.Customer{Nick: id})); err != nil {
					return err
				}
				if i%3 == 0 {
					return errFailed
				}
				count, found, err := tx.Record(shop.TypeCustomer, "count")
				if err != nil {
					return err
				}
				var c shop.Customer
				if found {
					if err := json.Unmarshal(count.Data, &c); err != nil {
						return err
					}
				}
				c.Nick += "+"
				_, err = tx.Put(shop.NewRecord(shop.TypeCustomer, "count", c))
				return err
			})
		}()
	}
	for { // until every one waits in the shop's queue
		st.gatesMu.Lock()
		n := 0
		if q := st.queues[shopID]; q != nil {
			n = len(q.jobs)
		}
		st.gatesMu.Unlock()
		if n == queued {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(hold)
	wg.Wait()
	want := []string{"first", "count"}
	for i, err := range errs {
		if i%3 == 0 {
			if !errors.Is(err, errFailed) {
				t.Errorf("update %d: %v, want its own error", i, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("update %d: %v", i, err)
		}
		want = append(want, fmt.Sprintf("c%02d", i))
	}
	var got []string
	var seqs []int64
	var count shop.Customer
	err := st.View(context.Background(), shopID, func(tx store.ReadTx) error {
		return tx.Feed(0, func(rec shop.Record) bool {
			if rec.Type == shop.TypeCustomer {
				got = append(got, rec.ID)
			}
			if rec.ID == "count" {
				_ = json.Unmarshal(rec.Data, &count)
			}
			seqs = append(seqs, rec.Seq)
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if bumps := len(want) - 2; len(count.Nick) != bumps {
		t.Errorf("the shared count is %q, want %d bumps", count.Nick, bumps)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("feed holds %v, want %v", got, want)
	}
	// Seqs are 1, 2, 3… over the Puts that committed (the feed keeps an entity's latest only):
	// "first", then two each (a customer, the count) for the Updates that did not fail.
	if !slices.IsSorted(seqs) || seqs[len(seqs)-1] != int64(1+2*(len(want)-2)) {
		t.Errorf("feed seqs %v: want them rising to %d", seqs, 1+2*(len(want)-2))
	}
}
