package localdb

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// errNoCommit ends an update without committing anything (not an error for the caller).
var errNoCommit = errors.New("nothing to commit")

// maxConflictRetries bounds the retries of a transaction that Badger reports as conflicting.
const maxConflictRetries = 10

// update runs fn in a fresh read-write transaction and commits it, retrying on
// badger.ErrConflict. The caller holds db.wmu.
func (db *DB) update(fn func(w *wtx) error) (*wtx, error) {
	for attempt := 0; ; attempt++ {
		w := db.newWtx()
		err := fn(w)
		if err == nil {
			err = w.commit()
		}
		w.discard()
		if errors.Is(err, badger.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		return w, diskError(err)
	}
}

// writing enters a write operation: the store must be open and its disk not full (ErrDiskFull);
// writers are serialised.
func (db *DB) writing() error {
	if err := db.enter(); err != nil {
		return err
	}
	if err := checkSpace(db.freeSpace, db.dir); err != nil {
		db.leave()
		return err
	}
	db.wmu.Lock()
	return nil
}

func (db *DB) doneWriting() {
	db.wmu.Unlock()
	db.leave()
}

// DB reads like the server: shop.Decide runs against it.
var _ shop.Reader = (*DB)(nil)

// Get reads the local view of entity (t, id) into v (server state with pending local
// mutations on top); it makes DB a shop.Reader. A missing entity is not an error.
func (db *DB) Get(t shop.EntityType, id string, v any) (version int64, found bool, err error) {
	err = db.view(func(txn *badger.Txn) error {
		version, found, err = getEntity(txn, t, id, v)
		return err
	})
	return version, found, err
}

func getEntity(txn *badger.Txn, t shop.EntityType, id string, v any) (int64, bool, error) {
	raw, ok, err := getRaw(txn, entityKey(t, id))
	if err != nil || !ok {
		return 0, false, err
	}
	st, err := decodeState(raw)
	if err != nil || !st.exists() {
		return 0, false, err
	}
	if v != nil {
		if err := json.Unmarshal(st.data, v); err != nil {
			return 0, false, fmt.Errorf("localdb: decoding %s %s: %w", t, id, err)
		}
	}
	return st.version, true, nil
}

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

// Problem is a pushed mutation the server did not apply, kept for the UI to show.
type Problem struct {
	MutationID string          `json:"mutation_id"`
	Kind       shop.Kind       `json:"kind"`
	Entity     string          `json:"entity"`
	Status     AckStatus       `json:"status"`
	Reason     string          `json:"reason,omitempty"`
	By         string          `json:"by,omitempty"` // staff number that made the state it conflicted with
	At         time.Time       `json:"at"`           // when that state was made (else when the answer came)
	Data       json.RawMessage `json:"data,omitempty"`
	Current    []shop.Record   `json:"current,omitempty"`
}

type storedProblem struct {
	Problem  Problem   `json:"problem"`
	Recorded time.Time `json:"recorded"`
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

func (w *wtx) putProblem(m shop.Mutation, a Ack) error {
	p := Problem{MutationID: m.ID, Kind: m.Kind, Entity: m.Entity, Status: a.Status, Reason: a.Reason, Data: m.Data}
	if c := a.Conflict; c != nil {
		if p.Reason == "" {
			p.Reason = c.Reason
		}
		p.By, p.At, p.Current = c.By, c.At, c.Current
	}
	if p.At.IsZero() {
		p.At = w.now
	}
	b, err := json.Marshal(storedProblem{Problem: p, Recorded: w.now})
	if err != nil {
		return err
	}
	w.problems = true
	return w.set(problemKey(m.ID), b)
}

// Problems lists the pushed mutations the server did not apply, newest first.
func (db *DB) Problems() ([]Problem, error) {
	var sps []storedProblem
	err := db.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixProblem), PrefetchValues: true, PrefetchSize: 50})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var sp storedProblem
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &sp) }); err != nil {
				return fmt.Errorf("problem %s: %v: %w", it.Item().Key(), err, ErrCorrupt)
			}
			sps = append(sps, sp)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: problems: %w", err)
	}
	sort.SliceStable(sps, func(i, j int) bool {
		if !sps[i].Recorded.Equal(sps[j].Recorded) {
			return sps[i].Recorded.After(sps[j].Recorded)
		}
		return sps[i].Problem.MutationID > sps[j].Problem.MutationID
	})
	ps := make([]Problem, len(sps))
	for i, sp := range sps {
		ps[i] = sp.Problem
	}
	return ps, nil
}

// DismissProblem forgets a Problem (the staff member has seen it).
func (db *DB) DismissProblem(mutationID string) error {
	if err := db.writing(); err != nil {
		return err
	}
	_, err := db.update(func(w *wtx) error { return w.del(problemKey(mutationID)) })
	db.doneWriting()
	if err != nil {
		return fmt.Errorf("localdb: dismissing problem %s: %w", mutationID, err)
	}
	db.notify(Change{Problems: true})
	return nil
}

// ApplyChanges stores server records from the change feed and the new cursor next. Records of
// entities without pending local mutations replace the local view (Deleted ones remove it);
// records of pending entities become their server copy, and those entities are rebased: reset
// to the server's state with the pending mutations replayed on top. All of it happens in one
// transaction unless Badger's transaction size limit forces several; then each transaction
// holds whole records with their rebase, and only the last one stores the cursor, so a crash
// never skips a record.
func (db *DB) ApplyChanges(recs []shop.Record, next int64) error {
	if err := db.writing(); err != nil {
		return err
	}
	if db.resetSinceCursor.Load() {
		// Pulled from a cursor that ResetCache has dropped since: the sync engine reads the
		// cursor again (now 0) and pulls the shop from the start.
		db.doneWriting()
		return nil
	}
	types := map[shop.EntityType]bool{}
	start, limit := 0, len(recs)
	var err error
	for {
		rest := recs[start:]
		n := min(len(rest), limit)
		consumed := 0
		var w *wtx
		w, err = db.update(func(w *wtx) error {
			w.lazy = true
			consumed = 0
			var set []entKey
			seen := map[entKey]bool{}
			for i := 0; i < n; i++ {
				r := rest[i]
				if i > 0 && !w.room(len(r.Data)) {
					break
				}
				consumed++
				if r.Type == "" || r.ID == "" {
					continue
				}
				hit, err := w.serverRecord(r)
				if err != nil {
					return err
				}
				if k := (entKey{r.Type, r.ID}); hit && !seen[k] {
					seen[k] = true
					set = append(set, k)
				}
			}
			if err := w.rebase(set); err != nil {
				return err
			}
			if consumed == len(rest) {
				return w.set(keyCursor, u64(uint64(next)))
			}
			return nil
		})
		if errors.Is(err, badger.ErrTxnTooBig) && n > 1 {
			limit = n / 2
			continue
		}
		if err != nil {
			break
		}
		for t := range w.types {
			types[t] = true
		}
		start += consumed
		if start >= len(recs) {
			break
		}
	}
	db.doneWriting()
	if err != nil {
		if start > 0 { // earlier transactions committed: their changes are visible
			db.notify(Change{Types: typeList(types), FromServer: true})
		}
		return fmt.Errorf("localdb: applying %d changes: %w", len(recs), err)
	}
	db.notify(Change{Types: typeList(types), FromServer: true})
	return nil
}

func typeList(m map[shop.EntityType]bool) []shop.EntityType {
	var ts []shop.EntityType
	for _, t := range shop.EntityTypes {
		if m[t] {
			ts = append(ts, t)
		}
	}
	return ts
}

// Cursor is the change-feed position stored by the last ApplyChanges (0 on a fresh store).
func (db *DB) Cursor() (int64, error) {
	db.resetSinceCursor.Store(false)
	var c int64
	err := db.view(func(txn *badger.Txn) error {
		v, ok, err := getRaw(txn, keyCursor)
		if ok && len(v) == 8 {
			c = int64(binary.BigEndian.Uint64(v))
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("localdb: cursor: %w", err)
	}
	return c, nil
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

// ResetCache is "re-download shop data": it drops every cached entity, its indexes and the
// cursor, and keeps the outbox and its effects (pending entities are rebuilt from their server
// copies with the pending mutations replayed). Problems and settings stay. If the desk stops
// half way, Open finishes the job.
func (db *DB) ResetCache() error {
	if err := db.writing(); err != nil {
		return err
	}
	db.resetSinceCursor.Store(true)
	_, err := db.update(func(w *wtx) error {
		if err := w.set(keyResetting, []byte{1}); err != nil {
			return err
		}
		return w.del(keyCursor)
	})
	if err == nil {
		_, err = db.finishReset()
	}
	if err == nil {
		err = db.loadProducts()
	}
	db.doneWriting()
	if err != nil {
		return fmt.Errorf("localdb: resetting the cache: %w", err)
	}
	db.notify(Change{Types: append([]shop.EntityType(nil), shop.EntityTypes...)})
	return nil
}

// finishReset drops the entity and index keyspaces and rebuilds the pending entities from their
// server copies (with version 0: the server will send its states again) and the outbox.
func (db *DB) finishReset() (*wtx, error) {
	db.gcMu.Lock()
	err := db.bdb.DropPrefix([]byte(prefixEntity), []byte(prefixIndex))
	db.gcMu.Unlock()
	if err != nil {
		return nil, err
	}
	return db.update(func(w *wtx) error {
		marks, err := w.markers()
		if err != nil {
			return err
		}
		set := make(map[entKey]bool, len(marks))
		for k := range marks {
			set[k] = true
		}
		keys := sortedKeys(set)
		for _, k := range keys {
			srv, err := w.getS(k)
			if err != nil {
				return err
			}
			if !srv.found {
				srv = state{found: true, absent: true}
			}
			srv.version = 0
			if err := w.set(serverKey(k.T, k.ID), encodeState(srv)); err != nil {
				return err
			}
			srv.pending = true
			if err := w.setEntity(k, state{}, srv); err != nil {
				return err
			}
		}
		if err := w.rebase(keys); err != nil {
			return err
		}
		return w.del(keyResetting)
	})
}
