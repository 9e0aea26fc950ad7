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
	if from < 3 {
		// The order lookup indexes gained the creation time: the old keys go, new ones come.
		lookups := []string{ixOrderNumber, ixOrderNick, ixOrderPhone, ixOrderReceiver}
		var prefixes [][]byte
		for _, name := range lookups {
			prefixes = append(prefixes, ixPrefix(name))
		}
		if err := db.bdb.DropPrefix(prefixes...); err != nil {
			return fmt.Errorf("dropping the old order indexes: %w", err)
		}
		if err := db.reindex(shop.TypeOrder, lookups...); err != nil {
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

// reindex writes the keys of the named indexes for every entity of type t the desk shows, for
// indexes added or changed by a newer schema. Writers must be kept out meanwhile (Open, or
// holding the writers' lock), or a concurrent write could leave a stale key behind.
func (db *DB) reindex(t shop.EntityType, names ...string) error {
	var prefixes [][]byte
	for _, name := range names {
		prefixes = append(prefixes, ixPrefix(name))
	}
	wb := db.bdb.NewWriteBatch()
	defer wb.Cancel()
	err := db.bdb.View(func(txn *badger.Txn) error {
		return eachEntity(txn, t, func(id string, data []byte) error {
			for _, ik := range indexKeys(t, id, data) {
				for _, p := range prefixes {
					if bytes.HasPrefix(ik, p) {
						if err := wb.Set(ik, []byte{}); err != nil {
							return err
						}
					}
				}
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("indexing %s: %w", t, err)
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("indexing %s: %w", t, err)
	}
	return nil
}
