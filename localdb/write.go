package localdb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// wtx is one read-write transaction with the bookkeeping every write path shares: index
// maintenance, pending markers, the product search index, and what to tell subscribers.
type wtx struct {
	db       *DB
	txn      *badger.Txn
	now      time.Time
	count    int64                      // entries written, as Badger counts them
	size     int64                      // estimated bytes written, as Badger estimates them
	types    map[shop.EntityType]bool   // types whose local view changed
	products map[string]*prodEntry      // product search changes (nil: removed)
	marks    map[entKey]map[uint64]bool // pending markers, loaded on first need
	problems bool
	outDelta int64 // change of the outbox length
	// lazy skips the sync after the commit: for server data (the change feed), which a crash
	// can only cut to a consistent prefix (records and cursor commit together in Badger's
	// write-ahead log) and the next pull fetches again.
	lazy bool
}

func (db *DB) newWtx() *wtx {
	return &wtx{db: db, txn: db.bdb.NewTransaction(true), now: db.now(),
		types: map[shop.EntityType]bool{}, products: map[string]*prodEntry{}}
}

// commit commits the transaction and, on success, publishes its in-memory effects. Unless lazy,
// it returns only once the write is on disk (Badger's SyncWrites is off so that the change
// feed can be imported without a sync per page; staff actions are synced here).
func (w *wtx) commit() error {
	if err := w.txn.Commit(); err != nil {
		return err
	}
	if !w.lazy {
		if err := w.db.bdb.Sync(); err != nil {
			return fmt.Errorf("syncing to disk: %w", err)
		}
		w.db.syncs.Add(1)
	}
	w.db.products.update(w.products)
	w.db.outLen.Add(w.outDelta)
	w.db.commits.Add(1)
	return nil
}

func (w *wtx) discard() { w.txn.Discard() }

func (w *wtx) account(k, v []byte) {
	vs := len(v)
	if vs >= 1<<20 { // stored in the value log: Badger counts a value pointer
		vs = 12
	}
	w.count++
	w.size += int64(len(k) + vs + 2 + 10)
}

// room reports whether n more bytes of records (and their index keys) comfortably fit in the
// transaction under Badger's batch limits.
func (w *wtx) room(n int) bool {
	maxCount, maxSize := w.db.bdb.MaxBatchCount(), w.db.bdb.MaxBatchSize()
	return w.count+200 < maxCount*8/10 && w.size+int64(n)+16<<10 < maxSize*8/10
}

func (w *wtx) set(k, v []byte) error {
	w.account(k, v)
	return w.txn.Set(k, v)
}

func (w *wtx) del(k []byte) error {
	w.account(k, nil)
	return w.txn.Delete(k)
}

func (w *wtx) getState(key []byte) (state, error) {
	v, ok, err := getRaw(w.txn, key)
	if err != nil || !ok {
		return state{}, err
	}
	return decodeState(v)
}

func (w *wtx) getE(k entKey) (state, error) { return w.getState(entityKey(k.T, k.ID)) }
func (w *wtx) getS(k entKey) (state, error) { return w.getState(serverKey(k.T, k.ID)) }

// Get makes the transaction a shop.Reader: the local view including this transaction's writes.
func (w *wtx) Get(t shop.EntityType, id string, v any) (int64, bool, error) {
	st, err := w.getE(entKey{t, id})
	if err != nil || !st.exists() {
		return 0, false, err
	}
	if v != nil {
		if err := json.Unmarshal(st.data, v); err != nil {
			return 0, false, fmt.Errorf("decoding %s %s: %w", t, id, err)
		}
	}
	return st.version, true, nil
}

// setEntity replaces the e/ state old of entity k by nw (not found: deleted), keeping the
// secondary indexes (from the entity type's index spec: the keys of old that nw does not have go,
// those it adds come) and the product search index in step. Every write of e/ goes through it.
func (w *wtx) setEntity(k entKey, old, nw state) error {
	if !(old.exists() && nw.exists() && bytes.Equal(old.data, nw.data)) {
		var oldKeys, newKeys [][]byte
		if old.exists() {
			oldKeys = indexKeys(k.T, k.ID, old.data)
		}
		if nw.exists() {
			newKeys = indexKeys(k.T, k.ID, nw.data)
		}
		keep := make(map[string]bool, len(newKeys))
		for _, nk := range newKeys {
			keep[string(nk)] = true
		}
		had := make(map[string]bool, len(oldKeys))
		for _, ok := range oldKeys {
			had[string(ok)] = true
			if !keep[string(ok)] {
				if err := w.del(ok); err != nil {
					return err
				}
			}
		}
		for _, nk := range newKeys {
			if !had[string(nk)] {
				if err := w.set(nk, []byte{}); err != nil {
					return err
				}
			}
		}
		if k.T == shop.TypeProduct {
			w.productChanged(k.ID, nw)
		}
		if err := w.indexLive(k, old, nw); err != nil {
			return err
		}
	}
	w.types[k.T] = true
	key := entityKey(k.T, k.ID)
	if !nw.found {
		if !old.found {
			return nil
		}
		return w.del(key)
	}
	return w.set(key, encodeState(nw))
}

// writeLocal writes a record produced by pending mutation seq: it saves the server's state of
// the entity to s/ the first time a pending mutation touches it, writes the record to e/ as
// pending (keeping the version the entity had) and adds the pending marker.
func (w *wtx) writeLocal(rec shop.Record, seq uint64) error {
	k := entKey{rec.Type, rec.ID}
	cur, err := w.getE(k)
	if err != nil {
		return err
	}
	if !cur.pending {
		srv := state{found: true, absent: !cur.exists(), version: cur.version, data: cur.data}
		if err := w.set(serverKey(k.T, k.ID), encodeState(srv)); err != nil {
			return err
		}
	}
	nw := state{found: true, pending: true, absent: rec.Deleted, version: cur.version, data: rec.Data}
	if rec.Deleted {
		nw.data = nil
	}
	if err := w.setEntity(k, cur, nw); err != nil {
		return err
	}
	return w.addMarker(k, seq)
}

// serverRecord stores a server record. For an entity without pending mutations it becomes the
// local view; for a pending one it becomes the server copy in s/, and rebase reports true: the
// caller must rebase the entity. A record older than the stored server state is ignored. A
// record with Seq 0 (a conflict's current state) keeps the stored version.
func (w *wtx) serverRecord(rec shop.Record) (rebase bool, err error) {
	k := entKey{rec.Type, rec.ID}
	cur, err := w.getE(k)
	if err != nil {
		return false, err
	}
	w.types[k.T] = true
	if cur.pending {
		srv, err := w.getS(k)
		if err != nil {
			return false, err
		}
		if rec.Seq > 0 && srv.found && srv.version > rec.Seq {
			return false, nil
		}
		v := rec.Seq
		if v == 0 {
			v = srv.version
		}
		nw := state{found: true, absent: rec.Deleted, version: v, data: rec.Data}
		if rec.Deleted {
			nw.data = nil
		}
		return true, w.set(serverKey(k.T, k.ID), encodeState(nw))
	}
	if rec.Seq > 0 && cur.found && cur.version > rec.Seq {
		return false, nil
	}
	if rec.Deleted {
		return false, w.setEntity(k, cur, state{})
	}
	v := rec.Seq
	if v == 0 {
		v = cur.version
	}
	return false, w.setEntity(k, cur, state{found: true, version: v, data: rec.Data})
}

// markers returns the pending markers, loading them on first use (one iterator per
// transaction: Badger sorts all pending writes for every iterator of a read-write txn).
func (w *wtx) markers() (map[entKey]map[uint64]bool, error) {
	if w.marks != nil {
		return w.marks, nil
	}
	m := map[entKey]map[uint64]bool{}
	it := w.txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixPending)})
	for it.Rewind(); it.Valid(); it.Next() {
		k, seq, ok := parsePendingKey(it.Item().Key())
		if !ok {
			continue
		}
		if m[k] == nil {
			m[k] = map[uint64]bool{}
		}
		m[k][seq] = true
	}
	it.Close()
	w.marks = m
	return m, nil
}

func (w *wtx) addMarker(k entKey, seq uint64) error {
	if w.marks != nil {
		if w.marks[k] == nil {
			w.marks[k] = map[uint64]bool{}
		}
		if w.marks[k][seq] {
			return nil
		}
		w.marks[k][seq] = true
	}
	return w.set(pendingKey(k, seq), []byte{})
}

func (w *wtx) removeMarker(k entKey, seq uint64) error {
	if w.marks != nil {
		delete(w.marks[k], seq)
		if len(w.marks[k]) == 0 {
			delete(w.marks, k)
		}
	}
	return w.del(pendingKey(k, seq))
}

// clearPending makes an entity with no pending mutation left a plain cached entity: its e/
// state stays (until the feed brings the server's), its s/ copy goes.
func (w *wtx) clearPending(k entKey) error {
	cur, err := w.getE(k)
	if err != nil || !cur.pending {
		return err
	}
	nw := state{found: true, version: cur.version, data: cur.data}
	if cur.absent {
		nw = state{}
	}
	if err := w.setEntity(k, cur, nw); err != nil {
		return err
	}
	return w.del(serverKey(k.T, k.ID))
}

// resetToServer sets a pending entity's e/ state back to its server copy (still pending).
func (w *wtx) resetToServer(k entKey) error {
	cur, err := w.getE(k)
	if err != nil || !cur.pending {
		return err
	}
	srv, err := w.getS(k)
	if err != nil {
		return err
	}
	if !srv.found {
		srv = state{found: true, absent: true}
	}
	return w.setEntity(k, cur, state{found: true, pending: true, absent: srv.absent, version: srv.version, data: srv.data})
}

// applyOutcome writes the records of pending mutation seq and returns the entities written.
func (w *wtx) applyOutcome(out shop.Outcome, seq uint64) ([]entKey, error) {
	var touched []entKey
	for _, r := range out.Records {
		if err := w.writeLocal(r, seq); err != nil {
			return nil, err
		}
		touched = appendKey(touched, entKey{r.Type, r.ID})
	}
	return touched, nil
}

func appendKey(ks []entKey, k entKey) []entKey {
	for _, x := range ks {
		if x == k {
			return ks
		}
	}
	return append(ks, k)
}

func (w *wtx) changedTypes() []shop.EntityType {
	ts := make([]shop.EntityType, 0, len(w.types))
	for _, t := range shop.EntityTypes {
		if w.types[t] {
			ts = append(ts, t)
		}
	}
	for t := range w.types {
		if !t.Known() {
			ts = append(ts, t)
		}
	}
	return ts
}

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
