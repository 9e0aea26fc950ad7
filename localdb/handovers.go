package localdb

import (
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// handoverKeyed is what the handover indexes read of a handover.
type handoverKeyed struct {
	At    time.Time `json:"at"`
	AckBy string    `json:"ack_by"`
}

var handoverSpec = specFor[handoverKeyed](shop.TypeHandover)

// The handover indexes.
var (
	// ixHandoverOpen: when an unacknowledged handover was written.
	ixHandoverOpen = handoverSpec.index("hvo", byTime, func(_ string, h *handoverKeyed) (string, time.Time, bool) {
		return "", h.At, h.AckBy == ""
	})
	// ixHandoverDone: when an acknowledged one was written.
	ixHandoverDone = handoverSpec.index("hvd", byTime, func(_ string, h *handoverKeyed) (string, time.Time, bool) {
		return "", h.At, h.AckBy != ""
	})
)

// Handovers lists the shift handovers: the unacknowledged ones first, then, unless openOnly,
// the acknowledged ones; newest first within each, at most limit in all (all when <= 0).
func (db *DB) Handovers(openOnly bool, limit int) ([]shop.Handover, error) {
	var out []shop.Handover
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		collect := func(id string) bool { ids = append(ids, id); return !full(len(ids), limit) }
		scanIDs(txn, ixHandoverOpen, ixPrefix(ixHandoverOpen), true, collect)
		if !openOnly && !full(len(ids), limit) {
			scanIDs(txn, ixHandoverDone, ixPrefix(ixHandoverDone), true, collect)
		}
		var err error
		out, err = loadIDs[shop.Handover](txn, shop.TypeHandover, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: handovers: %w", err)
	}
	return out, nil
}
