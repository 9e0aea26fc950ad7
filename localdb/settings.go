package localdb

import (
	"fmt"
	"sort"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// Shop returns the shop the data belongs to.
func (db *DB) Shop() (shop.Shop, error) {
	var s shop.Shop
	var ok bool
	err := db.view(func(txn *badger.Txn) error {
		all, err := listAll[shop.Shop](txn, shop.TypeShop)
		if len(all) > 0 {
			s, ok = all[0], true
		}
		return err
	})
	if err != nil {
		return s, fmt.Errorf("localdb: shop: %w", err)
	}
	if !ok {
		return s, fmt.Errorf("localdb: shop: %w", ErrNotFound)
	}
	return s, nil
}

// StaffList lists the shop's staff by staff number.
func (db *DB) StaffList() ([]shop.Staff, error) {
	var out []shop.Staff
	err := db.view(func(txn *badger.Txn) (err error) {
		out, err = listAll[shop.Staff](txn, shop.TypeStaff)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: staff: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

// Phrases lists the quick phrases a staff member may use: shop-wide ones and their own; most
// used first, then by manual order and shortcut.
func (db *DB) Phrases(staff string) ([]shop.QuickPhrase, error) {
	var out []shop.QuickPhrase
	err := db.view(func(txn *badger.Txn) error {
		all, err := listAll[shop.QuickPhrase](txn, shop.TypePhrase)
		for _, p := range all {
			if p.Owner == "" || p.Owner == staff {
				out = append(out, p)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: phrases: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Uses != b.Uses:
			return a.Uses > b.Uses
		case a.Order != b.Order:
			return a.Order < b.Order
		case a.Shortcut != b.Shortcut:
			return a.Shortcut < b.Shortcut
		}
		return a.ID < b.ID
	})
	return out, nil
}

// AutoReplies returns the shop's auto-reply rules and whether they are set.
func (db *DB) AutoReplies() (shop.AutoReplies, bool, error) {
	var a shop.AutoReplies
	var ok bool
	err := db.view(func(txn *badger.Txn) (err error) {
		a, ok, err = load[shop.AutoReplies](txn, shop.TypeAutoReply, shop.AutoRepliesID)
		return err
	})
	if err != nil {
		return a, false, fmt.Errorf("localdb: auto-replies: %w", err)
	}
	return a, ok, nil
}
