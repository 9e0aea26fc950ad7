package localdb

import (
	"fmt"
	"sort"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// API channels and deliveries come from the feed like every entity (channel and delivery
// records, stored under e/channel/ and e/delivery/); they have no indexes: a shop has a few
// channels, and a delivery is read by its message's id.

// Channels lists the shop's API channels by name.
func (db *DB) Channels() ([]shop.Channel, error) {
	var out []shop.Channel
	err := db.view(func(txn *badger.Txn) (err error) {
		out, err = listAll[shop.Channel](txn, shop.TypeChannel)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: channels: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Deliveries reads the deliveries of the messages with the given ids (a delivery's id is its
// message's), in one snapshot; messages without one (the customer's, the chat page's) are left
// out.
func (db *DB) Deliveries(messageIDs []string) (map[string]shop.Delivery, error) {
	out := make(map[string]shop.Delivery, len(messageIDs))
	err := db.view(func(txn *badger.Txn) error {
		ds, err := loadIDs[shop.Delivery](txn, shop.TypeDelivery, messageIDs)
		for _, d := range ds {
			out[d.ID] = d
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: deliveries: %w", err)
	}
	return out, nil
}
