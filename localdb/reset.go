package localdb

import (
	"fmt"

	"kefu/shop"
)

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
	err := db.bdb.DropPrefix([]byte(prefixEntity), []byte(prefixIndex), []byte(prefixSearch))
	db.gcMu.Unlock()
	db.searchDropped()
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
