package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// The write path: every write of the server runs in one store transaction of its shop
// (update), is made durable, and only then announced to the shop's long polls (commit).
// Mutations are applied exactly once: their results are recorded by id in the transaction
// that writes their records.

// write runs fn in one store transaction of the shop and commits it: durable, then announced.
func (s *Server) write(ctx context.Context, shopID string, fn func(store.Tx) error) error {
	seq, err := s.update(ctx, shopID, fn)
	if err != nil {
		return err
	}
	return s.commit(ctx, shopID, seq)
}

// update runs fn in one store transaction of the shop. It returns the shop's new seq when the
// transaction wrote records (0 when it did not). The write is not durable nor announced until
// commit.
func (s *Server) update(ctx context.Context, shopID string, fn func(store.Tx) error) (int64, error) {
	return s.updateWith(ctx, shopID, nil, nil, fn)
}

// updateWith is update, with the results and records fn will read named ahead for a store
// that can read them as the transaction begins (store.PreloadUpdater).
func (s *Server) updateWith(ctx context.Context, shopID string, results []string, records []store.RecordKey, fn func(store.Tx) error) (int64, error) {
	var before, after int64
	run := s.store.Update
	if pu, ok := s.store.(store.PreloadUpdater); ok && len(results)+len(records) > 0 {
		run = func(ctx context.Context, shopID string, fn func(store.Tx) error) error {
			return pu.UpdatePreloaded(ctx, shopID, results, records, fn)
		}
	}
	err := run(ctx, shopID, func(tx store.Tx) error {
		var err error
		if before, err = tx.Seq(); err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		after, err = tx.Seq()
		return err
	})
	if err != nil || after == before {
		return 0, err
	}
	return after, nil
}

// commit makes the committed transactions durable, then wakes the shop's long polls for seq
// (if not 0): no desk ever sees a change that a power cut could still take back.
func (s *Server) commit(ctx context.Context, shopID string, seq int64) error {
	if err := s.store.Sync(ctx); err != nil {
		return err
	}
	if seq > 0 {
		s.publish(shopID, seq)
		s.webhooks.poke() // a message for a channel's webhook may be queued
	}
	return nil
}

// txReader lets shop.Decide read a transaction; deleted entities do not exist.
type txReader struct{ tx store.ReadTx }

func (r txReader) Get(t shop.EntityType, id string, v any) (int64, bool, error) {
	rec, found, err := r.tx.Record(t, id)
	if err != nil || !found || rec.Deleted {
		return 0, false, err
	}
	if err := json.Unmarshal(rec.Data, v); err != nil {
		return 0, false, fmt.Errorf("decoding %s %s: %w", t, id, err)
	}
	return rec.Seq, true, nil
}

// ApplyBatch applies mutations of staff member staff to shop shopID in order, each exactly
// once (see Apply), then makes them durable and wakes the shop's long polls. The batch is
// applied in one store transaction (one lock of the shop, one commit, one wake-up); should
// that fail, each mutation is applied in a transaction of its own, so that on a storage error
// the mutations before it stay applied, and the error is returned. A batch that began is not
// cut short when its request ends: what was applied is recorded either way.
func (s *Server) ApplyBatch(shopID, staff string, ms []shop.Mutation) ([]storeapi.Result, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.inflight.Done()
	ctx := context.Background()
	var results []storeapi.Result
	ids, keys := preloadKeys(ms)
	newest, err := s.updateWith(ctx, shopID, ids, keys, func(tx store.Tx) error {
		results = make([]storeapi.Result, 0, len(ms)) // the store may run fn again
		for _, m := range ms {
			res, err := s.applyIn(tx, staff, m)
			if err != nil {
				return err
			}
			results = append(results, res)
		}
		return nil
	})
	if err != nil && len(ms) > 1 {
		results, newest, err = s.applyEach(ctx, shopID, staff, ms)
	}
	if err == nil {
		for _, res := range results {
			s.metrics.mutations.WithLabelValues(string(res.Status)).Inc()
		}
	}
	if cerr := s.commit(ctx, shopID, newest); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return results, nil
}

// preloadKeys are the mutation ids and target entities of ms, for a store.PreloadUpdater.
func preloadKeys(ms []shop.Mutation) (ids []string, keys []store.RecordKey) {
	ids = make([]string, 0, len(ms))
	keys = make([]store.RecordKey, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.ID)
		if spec, ok := m.Kind.Spec(); ok && m.Entity != "" {
			keys = append(keys, store.RecordKey{Type: spec.Entity, ID: m.Entity})
		}
	}
	return ids, keys
}

// applyEach applies mutations one transaction each, until a storage error; newest is the
// shop's newest seq they wrote.
func (s *Server) applyEach(ctx context.Context, shopID, staff string, ms []shop.Mutation) (results []storeapi.Result, newest int64, err error) {
	for _, m := range ms {
		var res storeapi.Result
		var seq int64
		res, seq, err = s.apply(ctx, shopID, staff, m)
		if err != nil {
			break
		}
		newest = max(newest, seq)
		results = append(results, res)
	}
	return results, newest, err
}

// Apply applies one mutation of staff member staff to shop shopID, exactly once, and commits
// it. A mutation id seen before gets its first result back as a duplicate and changes nothing;
// otherwise shop.Decide decides it, and its records and its result are written in one
// transaction. The mutation's Staff is replaced by staff. The error is a storage error;
// refusals are results.
func (s *Server) Apply(shopID, staff string, m shop.Mutation) (storeapi.Result, error) {
	res, err := s.ApplyBatch(shopID, staff, []shop.Mutation{m})
	if err != nil {
		return storeapi.Result{}, err
	}
	return res[0], nil
}

// apply decides and writes one mutation without committing; seq is the shop's new seq when it
// wrote records.
func (s *Server) apply(ctx context.Context, shopID, staff string, m shop.Mutation) (res storeapi.Result, seq int64, err error) {
	seq, err = s.update(ctx, shopID, func(tx store.Tx) error {
		res, err = s.applyIn(tx, staff, m)
		return err
	})
	if err != nil {
		return storeapi.Result{}, 0, err
	}
	return res, seq, nil
}

// applyIn decides and writes one mutation of staff member staff in tx (see Apply).
func (s *Server) applyIn(tx store.Tx, staff string, m shop.Mutation) (res storeapi.Result, err error) {
	m.Staff = staff
	if err := shop.Validate(m); err != nil {
		// Without a valid envelope there may be no id to remember it by; the answer is the
		// same every time anyway.
		return storeapi.Result{ID: m.ID, Status: storeapi.StatusRejected, Reason: reason(err)}, nil
	}
	err = func() error {
		first, found, err := tx.Result(m.ID)
		if err != nil {
			return err
		}
		if found {
			res = first
			res.First, res.Status = first.Status, storeapi.StatusDuplicate
			return nil
		}
		res = storeapi.Result{ID: m.ID}
		out, err := shop.Decide(txReader{tx}, m, s.now())
		switch {
		case errors.Is(err, shop.ErrRejected):
			res.Status, res.Reason = storeapi.StatusRejected, reason(err)
		case err != nil:
			return err
		case out.Conflict != nil:
			c := *out.Conflict
			c.Current = make([]shop.Record, len(out.Conflict.Current))
			for i, cur := range out.Conflict.Current {
				// Decide builds the current state from what it read; give it its version.
				if stored, found, err := tx.Record(cur.Type, cur.ID); err != nil {
					return err
				} else if found {
					cur.Seq = stored.Seq
				}
				c.Current[i] = cur
			}
			res.Status, res.Conflict = storeapi.StatusConflict, &c
		default:
			for _, rec := range out.Records {
				seq, err := putRecord(tx, rec)
				if err != nil {
					return err
				}
				res.Seq = seq
			}
			res.Status, res.Overwrote = storeapi.StatusApplied, out.Overwrote
		}
		return tx.PutResult(res)
	}()
	if err != nil {
		return storeapi.Result{}, err
	}
	return res, nil
}

// reason is the text a person reads for a rejected mutation.
func reason(err error) string {
	var re *shop.RejectError
	if errors.As(err, &re) {
		return re.Reason
	}
	return err.Error()
}
