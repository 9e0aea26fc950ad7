package localdb

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// Apply records a staff action: it runs shop.Decide on the local view with now from the store's clock (Options.Now);
// on success it writes the records, their indexes and appends m to the durable outbox in one
// Badger transaction, synced to disk before it returns, then notifies subscribers. A Conflict outcome or a
// rejection stores nothing (returned as Outcome.Conflict / an error wrapping shop.ErrRejected).
func (db *DB) Apply(m shop.Mutation) (shop.Outcome, error) {
	if err := db.writing(); err != nil {
		return shop.Outcome{}, err
	}
	var out shop.Outcome
	w, err := db.update(func(w *wtx) error {
		out = shop.Outcome{}
		if _, dup, err := w.seqOf(m.ID); err != nil {
			return err
		} else if dup {
			return &shop.RejectError{Reason: fmt.Sprintf("mutation %s is already in the outbox", m.ID)}
		}
		o, err := shop.Decide(w, m, w.now)
		if err != nil {
			return err
		}
		out = o
		if o.Conflict != nil {
			return errNoCommit
		}
		seq, err := w.nextSeq()
		if err != nil {
			return err
		}
		touched, err := w.applyOutcome(o, seq)
		if err != nil {
			return err
		}
		if err := w.saveEnv(seq, &envelope{M: m, Touched: touched}); err != nil {
			return err
		}
		w.outDelta++
		return w.set(outIDKey(m.ID), u64(seq))
	})
	db.doneWriting()
	if errors.Is(err, errNoCommit) {
		return out, nil
	}
	if err != nil {
		if errors.Is(err, shop.ErrRejected) {
			return shop.Outcome{}, err
		}
		return shop.Outcome{}, fmt.Errorf("localdb: applying %s %s: %w", m.Kind, m.ID, err)
	}
	db.notify(Change{Types: w.changedTypes()})
	return out, nil
}

// Outbox returns up to limit (all when limit <= 0) mutations waiting for the server, oldest first.
func (db *DB) Outbox(limit int) ([]shop.Mutation, error) {
	var ms []shop.Mutation
	err := db.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixOutbox), PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if limit > 0 && len(ms) >= limit {
				break
			}
			var e envelope
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &e) }); err != nil {
				return fmt.Errorf("outbox entry %x: %v: %w", it.Item().Key(), err, ErrCorrupt)
			}
			ms = append(ms, e.M)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: outbox: %w", err)
	}
	return ms, nil
}

// OutboxLen is the number of mutations waiting for the server.
func (db *DB) OutboxLen() int { return int(db.outLen.Load()) }

// AckStatus is the server's answer to one pushed mutation (the words of storeapi.Status).
type AckStatus string

// Acknowledgement statuses.
const (
	AckApplied   AckStatus = "applied"
	AckDuplicate AckStatus = "duplicate"
	AckConflict  AckStatus = "conflict"
	AckRejected  AckStatus = "rejected"
)

// Ack is the server's answer to one pushed mutation.
type Ack struct {
	ID       string         // mutation id
	Status   AckStatus      // applied, duplicate, conflict or rejected
	Reason   string         // for rejected
	Conflict *shop.Conflict // for conflict (Current holds the server's records)
}

// Acknowledge removes acknowledged mutations from the outbox. For applied ones the local
// effect stays (until the feed brings the server's state). A duplicate was applied earlier, so
// the feed may already have brought its effect into the server copies: the entities it wrote
// are rebased without it (reset to the server's state, the remaining pending mutations replayed)
// so that nothing counts twice; an effect the feed has not brought yet shows again with the next
// pull. Conflict and rejected ones store the conflict's current records as server state, rebase
// the entities the mutation wrote (its effect disappears) and keep a Problem for the UI. Unknown
// ids are ignored (already acknowledged).
func (db *DB) Acknowledge(acks []Ack) error {
	for _, a := range acks {
		switch a.Status {
		case AckApplied, AckDuplicate, AckConflict, AckRejected:
		default:
			return fmt.Errorf("localdb: acknowledgement of %s has unknown status %q", a.ID, a.Status)
		}
	}
	if err := db.writing(); err != nil {
		return err
	}
	w, err := db.update(func(w *wtx) error {
		marks, err := w.markers()
		if err != nil {
			return err
		}
		for _, a := range acks {
			seq, ok, err := w.seqOf(a.ID)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			e, err := w.loadEnv(seq)
			if err != nil {
				return err
			}
			if err := w.del(outboxKey(seq)); err != nil {
				return err
			}
			if err := w.del(outIDKey(a.ID)); err != nil {
				return err
			}
			w.outDelta--
			for _, k := range e.Touched {
				w.types[k.T] = true
				if err := w.removeMarker(k, seq); err != nil {
					return err
				}
			}
			if a.Status == AckApplied {
				for _, k := range e.Touched {
					if len(marks[k]) == 0 {
						if err := w.clearPending(k); err != nil {
							return err
						}
					}
				}
				continue
			}
			set := append([]entKey(nil), e.Touched...)
			if a.Conflict != nil {
				for _, r := range a.Conflict.Current {
					if r.Type == "" || r.ID == "" {
						continue
					}
					hit, err := w.serverRecord(r)
					if err != nil {
						return err
					}
					if hit {
						set = appendKey(set, entKey{r.Type, r.ID})
					}
				}
			}
			if err := w.rebase(set); err != nil {
				return err
			}
			if a.Status == AckDuplicate {
				continue
			}
			if err := w.putProblem(e.M, a); err != nil {
				return err
			}
		}
		return nil
	})
	db.doneWriting()
	if err != nil {
		return fmt.Errorf("localdb: acknowledging: %w", err)
	}
	db.notify(Change{Types: w.changedTypes(), FromServer: true, Problems: w.problems})
	return nil
}

// IsPending reports whether a not-yet-acknowledged mutation wrote entity (t, id).
func (db *DB) IsPending(t shop.EntityType, id string) bool {
	pending := false
	_ = db.view(func(txn *badger.Txn) error {
		prefix := pendingPrefix(entKey{t, id})
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if len(it.Item().Key()) == len(prefix)+8 {
				pending = true
				return nil
			}
		}
		return nil
	})
	return pending
}

// envelope is an outbox entry: the mutation and the entities its local effect wrote.
type envelope struct {
	M       shop.Mutation `json:"m"`
	Touched []entKey      `json:"touched,omitempty"`
}

func (w *wtx) loadEnv(seq uint64) (*envelope, error) {
	v, ok, err := getRaw(w.txn, outboxKey(seq))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("outbox entry %d is missing: %w", seq, ErrCorrupt)
	}
	var e envelope
	if err := json.Unmarshal(v, &e); err != nil {
		return nil, fmt.Errorf("outbox entry %d: %v: %w", seq, err, ErrCorrupt)
	}
	return &e, nil
}

func (w *wtx) saveEnv(seq uint64, e *envelope) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return w.set(outboxKey(seq), b)
}

// seqOf finds a mutation's outbox sequence.
func (w *wtx) seqOf(id string) (uint64, bool, error) {
	v, ok, err := getRaw(w.txn, outIDKey(id))
	if err != nil || !ok {
		return 0, false, err
	}
	if len(v) != 8 {
		return 0, false, fmt.Errorf("outbox id %s: %w", id, ErrCorrupt)
	}
	return binary.BigEndian.Uint64(v), true, nil
}

// nextSeq takes the next outbox sequence; the counter is written in this transaction.
func (w *wtx) nextSeq() (uint64, error) {
	v, ok, err := getRaw(w.txn, keyOutSeq)
	if err != nil {
		return 0, err
	}
	var n uint64
	if ok && len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	return n, w.set(keyOutSeq, u64(n))
}
