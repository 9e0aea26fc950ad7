package localdb

import (
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// maxWorkScan bounds how many index entries a work list reads.
const maxWorkScan = 20_000

// shipWithin is the longest time ShippedSince expects between an order's creation and its
// shipping.
const shipWithin = 30 * 24 * time.Hour

// workList walks an order index newest first and keeps the orders keep accepts, at most limit
// (all when <= 0), stopping at the first order stop accepts (when stop is not nil).
func (db *DB) workList(what, name string, prefix []byte, limit int, keep, stop func(shop.Order) bool) ([]shop.Order, error) {
	var out []shop.Order
	err := db.view(func(txn *badger.Txn) error {
		var ferr error
		scanned := 0
		scanIDs(txn, name, prefix, true, func(id string) bool {
			scanned++
			o, ok, err := load[shop.Order](txn, shop.TypeOrder, id)
			if err != nil {
				ferr = err
				return false
			}
			if ok && stop != nil && stop(o) {
				return false
			}
			if ok && keep(o) {
				out = append(out, o)
			}
			return !full(len(out), limit) && scanned < maxWorkScan
		})
		return ferr
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: %s: %w", what, err)
	}
	return out, nil
}

// AddressToCheck lists paid orders whose address nobody has confirmed or changed yet, newest
// first, at most limit (all when <= 0). It reads the paid-status index only.
func (db *DB) AddressToCheck(limit int) ([]shop.Order, error) {
	return db.workList("orders with an address to check", ixOrderStatus, ixValuePrefix(ixOrderStatus, string(shop.StatusPaid), true), limit,
		func(o shop.Order) bool { return o.Status == shop.StatusPaid && o.AddressCheck == shop.AddressUnchecked }, nil)
}

// CODToConfirm lists cash-on-delivery orders not shipped yet whose confirmation call has not
// ended in a confirmation (never called, refused or no answer), newest first, at most limit
// (all when <= 0). It reads the payment index only.
func (db *DB) CODToConfirm(limit int) ([]shop.Order, error) {
	return db.workList("cash-on-delivery orders to confirm", ixOrderPayment, ixValuePrefix(ixOrderPayment, string(shop.PayCOD), true), limit,
		func(o shop.Order) bool {
			return o.Payment == shop.PayCOD && (o.Status == shop.StatusUnpaid || o.Status == shop.StatusPaid) && o.CODCall != shop.CallConfirmed
		}, nil)
}

// ShippedSince lists shipped orders that shipped at or after since and have had no shipment
// notice yet, at most limit (all when <= 0). It reads the shipped-status index newest first (by
// creation) and stops at orders created more than shipWithin before since.
func (db *DB) ShippedSince(since time.Time, limit int) ([]shop.Order, error) {
	return db.workList("shipped orders", ixOrderStatus, ixValuePrefix(ixOrderStatus, string(shop.StatusShipped), true), limit,
		func(o shop.Order) bool {
			return o.Status == shop.StatusShipped && o.ShipNoticeAt.IsZero() && !o.ShippedAt.Before(since)
		}, func(o shop.Order) bool { return o.CreatedAt.Before(since.Add(-shipWithin)) })
}

// CasesNeedingAttention counts the unfinished after-sales cases that are overdue or untouched
// at now (shop.AfterSalesCase.NeedsAttention).
func (db *DB) CasesNeedingAttention(now time.Time) (int, error) {
	n := 0
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanIDs(txn, ixCaseOpen, ixPrefix(ixCaseOpen), false, func(id string) bool {
			ids = append(ids, id)
			return true
		})
		cases, err := loadIDs[shop.AfterSalesCase](txn, shop.TypeCase, ids)
		for _, c := range cases {
			if c.NeedsAttention(now) {
				n++
			}
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("localdb: counting cases needing attention: %w", err)
	}
	return n, nil
}
