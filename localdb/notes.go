package localdb

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// Notes lists an order's notes, newest first.
func (db *DB) Notes(orderID string) ([]shop.OrderNote, error) {
	var out []shop.OrderNote
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanIDs(txn, ixNoteOrder, ixValuePrefix(ixNoteOrder, orderID, true), true, func(id string) bool {
			ids = append(ids, id)
			return true
		})
		var err error
		out, err = loadIDs[shop.OrderNote](txn, shop.TypeNote, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: notes of %s: %w", orderID, err)
	}
	return out, nil
}
