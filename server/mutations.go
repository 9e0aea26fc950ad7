package server

import (
	"errors"
	"net/http"

	"kefu/shop"
	"kefu/storeapi"
)

// handleMutations applies a batch of mutations in order, each exactly once.
func (s *Server) handleMutations(w http.ResponseWriter, r *http.Request, tok TokenInfo) {
	var req storeapi.MutationsRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Mutations == nil {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "the body needs a \"mutations\" list")
		return
	}
	if n := len(req.Mutations); n > storeapi.MaxBatch {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "%d mutations in one request; at most %d", n, storeapi.MaxBatch)
		return
	}
	results, err := s.ApplyBatch(tok.Shop, tok.Staff, req.Mutations)
	if err != nil {
		// The mutations before the failure are applied and recorded; a retry of the whole
		// batch gets them as duplicates.
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, storeapi.MutationsResponse{Results: results})
}

// ApplyBatch applies mutations of staff member staff to shop shopID in order, each exactly
// once (see Apply), then makes them durable and wakes the shop's long polls. On a storage
// error the mutations before it stay applied, and the error is returned.
func (s *Server) ApplyBatch(shopID, staff string, ms []shop.Mutation) ([]storeapi.Result, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.inflight.Done()
	results := make([]storeapi.Result, 0, len(ms))
	var newest int64
	var err error
	for _, m := range ms {
		var res storeapi.Result
		var seq int64
		res, seq, err = s.apply(shopID, staff, m)
		if err != nil {
			break
		}
		newest = max(newest, seq)
		s.metrics.mutations.WithLabelValues(string(res.Status)).Inc()
		results = append(results, res)
	}
	if cerr := s.commit(shopID, newest); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return results, nil
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
func (s *Server) apply(shopID, staff string, m shop.Mutation) (res storeapi.Result, seq int64, err error) {
	m.Staff = staff
	if err := shop.Validate(m); err != nil {
		// Without a valid envelope there may be no id to remember it by; the answer is the
		// same every time anyway.
		return storeapi.Result{ID: m.ID, Status: storeapi.StatusRejected, Reason: reason(err)}, 0, nil
	}
	seq, err = s.update(shopID, func(tx Tx) error {
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
	})
	if err != nil {
		return storeapi.Result{}, 0, err
	}
	return res, seq, nil
}

// reason is the text a person reads for a rejected mutation.
func reason(err error) string {
	var re *shop.RejectError
	if errors.As(err, &re) {
		return re.Reason
	}
	return err.Error()
}
