package localdb

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// migrate brings a store written with schema version from (older than SchemaVersion) up to
// date, then records the new version. Every step may run again: a migration cut short by a
// crash is simply repeated at the next Open. The outbox is never touched.
func (db *DB) migrate(from int) error {
	if from < 2 {
		if err := db.backfill(ixReviewCust); err != nil {
			return err
		}
	}
	if from < 4 {
		// The order lookup indexes gained the creation time (3), then the list row (4): the
		// old keys go, new ones come.
		lookups := []*index{ixOrderNumber, ixOrderNick, ixOrderPhone, ixOrderReceiver}
		var prefixes [][]byte
		for _, ix := range lookups {
			prefixes = append(prefixes, ixPrefix(ix))
		}
		if err := db.bdb.DropPrefix(prefixes...); err != nil {
			return fmt.Errorf("dropping the old order indexes: %w", err)
		}
		if err := db.backfill(lookups...); err != nil {
			return err
		}
	}
	if from < 5 {
		// Reviews gained the index of when each one started waiting for follow-up (5).
		if err := db.backfill(ixReviewWait); err != nil {
			return err
		}
	}
	if from < 6 {
		// Calls, handovers and concessions gained their indexes (6): records of these types
		// a desk stored before are indexed now.
		if err := db.backfill(ixCallStaff, ixCallCustomer, ixCallBack, ixHandoverOpen, ixHandoverDone,
			ixConcessionWaiting, ixConcessionOrder, ixConcessionChat, ixConcessionDecided); err != nil {
			return err
		}
	}
	if from < 7 {
		// Messages and conversations gained their KPI rows (7, kpi_rows.go).
		if err := db.backfillKPIRows(); err != nil {
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

// backfill writes the keys of the given indexes for every entity the desk shows, from the
// entities' index specs, for indexes added or changed by a newer schema (the old keys of a
// changed index must be dropped first). Writers must be kept out meanwhile (Open, or holding the
// writers' lock), or a concurrent write could leave a stale key behind.
func (db *DB) backfill(ixs ...*index) error {
	want := map[*index]bool{}
	var types []shop.EntityType
	for _, ix := range ixs {
		if !slices.Contains(types, ix.entity) {
			types = append(types, ix.entity)
		}
		want[ix] = true
	}
	for _, t := range types {
		if err := db.backfillType(t, func(ix *index) bool { return want[ix] }); err != nil {
			return fmt.Errorf("indexing %s: %w", t, err)
		}
	}
	return nil
}

// backfillType writes the keys of the indexes want accepts for every entity of type t.
func (db *DB) backfillType(t shop.EntityType, want func(*index) bool) error {
	spec := specs[t]
	wb := db.bdb.NewWriteBatch()
	defer wb.Cancel()
	err := db.bdb.View(func(txn *badger.Txn) error {
		return eachEntity(txn, t, func(id string, data []byte) error {
			for _, ik := range spec.indexKeys(id, data, want) {
				if err := wb.Set(ik, []byte{}); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	return wb.Flush()
}
