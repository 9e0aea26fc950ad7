package localdb

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

var caseSpec = specFor[shop.AfterSalesCase](shop.TypeCase)

// The after-sales case indexes.
var (
	// ixCaseOrder: order id.
	ixCaseOrder = caseSpec.index("co", byValue, func(_ string, c *shop.AfterSalesCase) (string, time.Time, bool) {
		return c.OrderID, time.Time{}, c.OrderID != ""
	})
	// ixCaseOpen: membership of the unfinished ones.
	ixCaseOpen = caseSpec.index("cx", byNothing, func(_ string, c *shop.AfterSalesCase) (string, time.Time, bool) {
		return "", time.Time{}, !c.Finished()
	})
	// ixCaseDone: when a finished one last moved.
	ixCaseDone = caseSpec.index("cf", byTime, func(_ string, c *shop.AfterSalesCase) (string, time.Time, bool) {
		return "", caseTouched(*c), c.Finished()
	})
)

func hasCase(txn *badger.Txn, orderID string) bool {
	found := false
	scanKeys(txn, ixValuePrefix(ixCaseOrder, orderID, true), false, nil, func([]byte) bool { found = true; return false })
	return found
}

// caseTouched is when a case last moved.
func caseTouched(c shop.AfterSalesCase) time.Time {
	if c.UpdatedAt.IsZero() {
		return c.CreatedAt
	}
	return c.UpdatedAt
}

// openCases reads the unfinished cases, in id order.
func openCases(txn *badger.Txn) ([]shop.AfterSalesCase, error) {
	var ids []string
	scanIDs(txn, ixCaseOpen, ixPrefix(ixCaseOpen), false, func(id string) bool {
		ids = append(ids, id)
		return true
	})
	return loadIDs[shop.AfterSalesCase](txn, shop.TypeCase, ids)
}

// Cases lists after-sales cases: unfinished ones first (needing attention first, then soonest
// due), then, unless openOnly, finished ones most recently moved first; at most limit (all
// when <= 0).
func (db *DB) Cases(openOnly bool, limit int) ([]shop.AfterSalesCase, error) {
	now := db.now()
	var out []shop.AfterSalesCase
	err := db.view(func(txn *badger.Txn) error {
		open, err := openCases(txn)
		if err != nil {
			return err
		}
		sort.Slice(open, func(i, j int) bool {
			a, b := open[i], open[j]
			if na, nb := a.NeedsAttention(now), b.NeedsAttention(now); na != nb {
				return na
			}
			if !a.Due.Equal(b.Due) {
				if a.Due.IsZero() || b.Due.IsZero() {
					return b.Due.IsZero()
				}
				return a.Due.Before(b.Due)
			}
			if !a.CreatedAt.Equal(b.CreatedAt) {
				return a.CreatedAt.Before(b.CreatedAt)
			}
			return a.ID < b.ID
		})
		out = open
		if limit > 0 && len(out) >= limit {
			// A copy: a slice of open would keep every open case alive (4 MB on the large
			// bench shop) for as long as the list is shown.
			out = slices.Clone(open[:limit])
			return nil
		}
		if openOnly {
			return nil
		}
		var ids []string
		scanIDs(txn, ixCaseDone, ixPrefix(ixCaseDone), true, func(id string) bool {
			ids = append(ids, id)
			return !full(len(out)+len(ids), limit)
		})
		done, err := loadIDs[shop.AfterSalesCase](txn, shop.TypeCase, ids)
		out = append(out, done...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: cases: %w", err)
	}
	return out, nil
}

// CasesOf lists an order's after-sales cases, newest first.
func (db *DB) CasesOf(orderID string) ([]shop.AfterSalesCase, error) {
	out, err := listByValue[shop.AfterSalesCase](db, "cases of "+orderID, ixCaseOrder, orderID, false, 0)
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, err
}

// Case returns one after-sales case.
func (db *DB) Case(id string) (shop.AfterSalesCase, error) {
	return getTyped[shop.AfterSalesCase](db, shop.TypeCase, id)
}

// CasesNeedingAttention counts the unfinished after-sales cases that are overdue or untouched
// at now (shop.AfterSalesCase.NeedsAttention).
func (db *DB) CasesNeedingAttention(now time.Time) (int, error) {
	n := 0
	err := db.view(func(txn *badger.Txn) error {
		cases, err := openCases(txn)
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
