package pgstore

import (
	"context"
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
// the others all commit, and the feed numbers their records 1, 2, 3… without a gap.
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
				return nil
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
	want := []string{"first"}
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
	err := st.View(context.Background(), shopID, func(tx store.ReadTx) error {
		return tx.Feed(0, func(rec shop.Record) bool {
			if rec.Type == shop.TypeCustomer {
				got = append(got, rec.ID)
			}
			seqs = append(seqs, rec.Seq)
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("feed holds %v, want %v", got, want)
	}
	for i, seq := range seqs {
		if seq != int64(i+1) {
			t.Fatalf("feed seqs %v: want 1, 2, 3… without a gap", seqs)
		}
	}
}
