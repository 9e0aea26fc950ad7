package localdb

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// ComplaintsOf lists a customer's complaints, newest first.
func (db *DB) ComplaintsOf(customerID string) ([]shop.Complaint, error) {
	var out []shop.Complaint
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanIDs(txn, ixComplaintCust, ixValuePrefix(ixComplaintCust, customerID, true), true, func(id string) bool {
			ids = append(ids, id)
			return true
		})
		var err error
		out, err = loadIDs[shop.Complaint](txn, shop.TypeComplaint, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: complaints of %s: %w", customerID, err)
	}
	return out, nil
}
