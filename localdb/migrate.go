package localdb

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// migrate brings a store written with schema version from (older than SchemaVersion) up to
// date, then records the new version. Every step may run again: a migration cut short by a
// crash is simply repeated at the next Open. The outbox is never touched.
func (db *DB) migrate(from int) error {
	if from < 2 {
		if err := db.reindex(shop.TypeReview, ixReviewCust); err != nil {
			return err
		}
	}
	err := db.bdb.Update(func(txn *badger.Txn) error {
		return txn.Set(keySchema, []byte(strconv.Itoa(SchemaVersion)))
	})
	if err == nil {
		err = db.bdb.Sync()
	}
	return err
}

// reindex writes the keys of the index name for every entity of type t the desk shows, for an
// index added by a newer schema.
func (db *DB) reindex(t shop.EntityType, name string) error {
	prefix := ixPrefix(name)
	wb := db.bdb.NewWriteBatch()
	defer wb.Cancel()
	err := db.bdb.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: typePrefix(t), PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k, ok := parseEntityKey(it.Item().Key())
			if !ok {
				continue
			}
			err := it.Item().Value(func(v []byte) error {
				st, err := decodeState(v)
				if err != nil || !st.exists() {
					return err
				}
				for _, ik := range indexKeys(t, k.ID, st.data) {
					if bytes.HasPrefix(ik, prefix) {
						if err := wb.Set(ik, []byte{}); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("indexing %s: %w", t, err)
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("indexing %s: %w", t, err)
	}
	return nil
}
