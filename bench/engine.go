package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"kefu/localdb"
	"kefu/shop"
	kefusync "kefu/sync"
)

// engineRun is a sync engine running in this process on a desk store.
type engineRun struct {
	eng    *kefusync.Engine
	db     *localdb.DB
	cancel context.CancelFunc
	done   chan error
}

// startEngine runs the desk's sync engine on db against server, signed in with token.
func startEngine(ctx context.Context, db *localdb.DB, server, token, staff string) (*engineRun, error) {
	eng, err := kefusync.New(kefusync.Params{Store: db, BaseURL: server, Token: token, StaffNumber: staff})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	e := &engineRun{eng: eng, db: db, cancel: cancel, done: make(chan error, 1)}
	go func() { e.done <- eng.Run(ctx) }()
	return e, nil
}

// stop cancels the engine and waits for Run to return.
func (e *engineRun) stop() {
	e.cancel()
	<-e.done
}

// errTimeout: a bounded wait ran out.
var errTimeout = errors.New("timed out")

// waitFor polls cond every millisecond until it holds, the engine stops, or timeout passes.
func (e *engineRun) waitFor(ctx context.Context, timeout time.Duration, what string, cond func(kefusync.Status) bool) error {
	deadline := time.Now().Add(timeout)
	for {
		st := e.eng.Status()
		if cond(st) {
			return nil
		}
		select {
		case err := <-e.done:
			e.done <- err
			return fmt.Errorf("waiting for %s: the sync engine stopped: %v", what, err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("waiting %v for %s (status: %s): %w", timeout, what, st, errTimeout)
		}
	}
}

// caughtUp: online with nothing left to push.
func caughtUp(s kefusync.Status) bool { return s.State == kefusync.StateOnline && s.Pending == 0 }

// mutationMix makes n staff actions of the kinds a busy desk records, on entities of the
// sample: in turn an order note, a chat message, a stock adjustment (goods in) and a customer
// memo.
func mutationMix(s deskSample, n int, staff string, rng *rand.Rand) ([]shop.Mutation, error) {
	out := make([]shop.Mutation, 0, n)
	for i := range n {
		var (
			kind   shop.Kind
			entity string
			data   any
		)
		switch i % 4 {
		case 0:
			o := s.orders[rng.IntN(len(s.orders))]
			kind, entity = shop.KindOrderNote, o.ID
			data = shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.Flags[rng.IntN(len(shop.Flags))],
				Text: noteTexts[rng.IntN(len(noteTexts))], Reason: "核对"}
		case 1:
			c := s.convs[rng.IntN(len(s.convs))]
			kind, entity = shop.KindChatSend, c.ID
			data = shop.ChatSend{MessageID: shop.NewID(), Text: "亲，已经为您备注了，今天发货～"}
		case 2:
			p := s.products[rng.IntN(len(s.products))]
			if len(p.Variants) == 0 {
				continue
			}
			kind, entity = shop.KindStockAdjust, p.ID
			data = shop.StockAdjust{SKU: p.Variants[rng.IntN(len(p.Variants))].SKU, Delta: 1, Reason: "入库"}
		default:
			o := s.orders[rng.IntN(len(s.orders))]
			memo := fmt.Sprintf("老顾客，第%d次联系", i)
			kind, entity, data = shop.KindCustomerSet, o.CustomerID, shop.CustomerSet{Memo: &memo}
		}
		m, err := shop.NewMutation(kind, entity, staff, time.Now(), data)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
