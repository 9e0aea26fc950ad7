package localdb

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

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
	types, partial, err := db.applyChanges(recs, next)
	db.doneWriting()
	if err != nil {
		if partial { // earlier transactions committed: their changes are visible
			db.notify(Change{Types: types, FromServer: true})
		}
		return fmt.Errorf("localdb: applying %d changes: %w", len(recs), err)
	}
	db.notify(Change{Types: types, FromServer: true})
	return nil
}

// applyChanges is ApplyChanges' work, for a caller that holds the writer lock (ApplyChanges,
// the bulk import). It returns the entity types written and, with an error, whether some of
// the records were committed all the same.
func (db *DB) applyChanges(recs []shop.Record, next int64) ([]shop.EntityType, bool, error) {
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
	return typeList(types), err != nil && start > 0, err
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
