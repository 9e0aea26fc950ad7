package localdb

import (
	"bytes"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// callKeyed is what the call indexes read of a call log.
type callKeyed struct {
	Staff      string          `json:"staff"`
	At         time.Time       `json:"at"`
	CustomerID string          `json:"customer_id"`
	Result     shop.CallResult `json:"result"`
	CallBackAt time.Time       `json:"call_back_at"`
}

var callSpec = specFor[callKeyed](shop.TypeCall)

// The call indexes.
var (
	// ixCallStaff: who called + when (the week's calls against the quota).
	ixCallStaff = callSpec.index("cls", byValueTime, func(_ string, c *callKeyed) (string, time.Time, bool) {
		return c.Staff, c.At, c.Staff != ""
	})
	// ixCallCustomer: the customer called + when (a promised call-back is kept once the
	// customer was called again).
	ixCallCustomer = callSpec.index("clc", byValueTime, func(_ string, c *callKeyed) (string, time.Time, bool) {
		return c.CustomerID, c.At, c.CustomerID != ""
	})
	// ixCallBack: when a promised call-back is due.
	ixCallBack = callSpec.index("clb", byTime, func(_ string, c *callKeyed) (string, time.Time, bool) {
		return "", c.CallBackAt, c.Result == shop.CallCallBack && !c.CallBackAt.IsZero()
	})
)

// scanValueTime walks the ids under one value of a value+time index whose time lies in
// [from, to), oldest first, until fn returns false.
func scanValueTime(txn *badger.Txn, ix *index, value string, from, to time.Time, fn func(id string) bool) {
	prefix := ixValuePrefix(ix, value, true)
	seek := append(bytes.Clone(prefix), timeKey(from)...)
	end := timeKey(to)
	scanKeys(txn, prefix, false, seek, func(k []byte) bool {
		if bytes.Compare(ixTime(ix, k), end) >= 0 {
			return false
		}
		id, ok := ixID(ix, k)
		return !ok || fn(id)
	})
}

// CallsOf lists the calls staff member staff made in [from, to), newest first.
func (db *DB) CallsOf(staff string, from, to time.Time) ([]shop.CallLog, error) {
	var out []shop.CallLog
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanValueTime(txn, ixCallStaff, staff, from, to, func(id string) bool { ids = append(ids, id); return true })
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
		var err error
		out, err = loadIDs[shop.CallLog](txn, shop.TypeCall, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: calls of %s: %w", staff, err)
	}
	return out, nil
}

// CallCount counts the calls staff member staff made in [from, to), from the index alone.
func (db *DB) CallCount(staff string, from, to time.Time) (int, error) {
	n := 0
	err := db.view(func(txn *badger.Txn) error {
		scanValueTime(txn, ixCallStaff, staff, from, to, func(string) bool { n++; return true })
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("localdb: counting calls of %s: %w", staff, err)
	}
	return n, nil
}

// CallsWith lists the calls to a customer, newest first, at most limit (all when <= 0).
func (db *DB) CallsWith(customerID string, limit int) ([]shop.CallLog, error) {
	return listByValue[shop.CallLog](db, "calls with "+customerID, ixCallCustomer, customerID, true, limit)
}

// CallBacksOpen lists the promised call-backs still to make at now, soonest first: those due
// after now minus shop.CallBackDue whose customer nobody has called since the promise.
func (db *DB) CallBacksOpen(now time.Time) ([]shop.CallLog, error) {
	var out []shop.CallLog
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		seek := append(ixPrefix(ixCallBack), timeKey(now.Add(-shop.CallBackDue))...)
		scanKeys(txn, ixPrefix(ixCallBack), false, seek, func(k []byte) bool {
			if id, ok := ixID(ixCallBack, k); ok {
				ids = append(ids, id)
			}
			return len(ids) < maxCandidates
		})
		calls, err := loadIDs[shop.CallLog](txn, shop.TypeCall, ids)
		if err != nil {
			return err
		}
		for _, c := range calls {
			later := false
			scanValueTime(txn, ixCallCustomer, c.CustomerID, c.At.Add(time.Nanosecond), maxTime, func(id string) bool {
				later = id != c.ID
				return !later
			})
			if !later {
				out = append(out, c)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: open call-backs: %w", err)
	}
	return out, nil
}

// maxTime is later than any time an index holds.
var maxTime = time.Date(2261, 1, 1, 0, 0, 0, 0, time.UTC)
