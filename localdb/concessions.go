package localdb

import (
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// concessionKeyed is what the concession indexes read of a concession.
type concessionKeyed struct {
	OrderID        string               `json:"order_id"`
	ConversationID string               `json:"conversation_id"`
	Staff          string               `json:"staff"`
	At             time.Time            `json:"at"`
	State          shop.ConcessionState `json:"state"`
	DecidedAt      time.Time            `json:"decided_at"`
}

var concessionSpec = specFor[concessionKeyed](shop.TypeConcession)

// The concession indexes.
var (
	// ixConcessionWaiting: when a request still waiting for a manager was made.
	ixConcessionWaiting = concessionSpec.index("cnw", byTime, func(_ string, c *concessionKeyed) (string, time.Time, bool) {
		return "", c.At, c.State == shop.ConcessionRequested
	})
	// ixConcessionOrder: the order + when.
	ixConcessionOrder = concessionSpec.index("cno", byValueTime, func(_ string, c *concessionKeyed) (string, time.Time, bool) {
		return c.OrderID, c.At, c.OrderID != ""
	})
	// ixConcessionChat: the conversation it was asked in + when.
	ixConcessionChat = concessionSpec.index("cnc", byValueTime, func(_ string, c *concessionKeyed) (string, time.Time, bool) {
		return c.ConversationID, c.At, c.ConversationID != ""
	})
	// ixConcessionDecided: who asked + when a manager decided.
	ixConcessionDecided = concessionSpec.index("cnd", byValueTime, func(_ string, c *concessionKeyed) (string, time.Time, bool) {
		return c.Staff, c.DecidedAt, c.Staff != "" && (c.State == shop.ConcessionApproved || c.State == shop.ConcessionDeclined)
	})
)

// ConcessionRequests lists the concessions waiting for a manager's decision, oldest first,
// at most limit (all when <= 0).
func (db *DB) ConcessionRequests(limit int) ([]shop.Concession, error) {
	var out []shop.Concession
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanIDs(txn, ixConcessionWaiting, ixPrefix(ixConcessionWaiting), false, func(id string) bool {
			ids = append(ids, id)
			return !full(len(ids), limit)
		})
		var err error
		out, err = loadIDs[shop.Concession](txn, shop.TypeConcession, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: concession requests: %w", err)
	}
	return out, nil
}

// ConcessionRequestCount counts the concessions waiting for a manager, from the index alone.
func (db *DB) ConcessionRequestCount() (int, error) {
	n := 0
	err := db.view(func(txn *badger.Txn) error {
		scanKeys(txn, ixPrefix(ixConcessionWaiting), false, nil, func([]byte) bool { n++; return true })
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("localdb: counting concession requests: %w", err)
	}
	return n, nil
}

// ConcessionsOf lists an order's concessions, newest first.
func (db *DB) ConcessionsOf(orderID string) ([]shop.Concession, error) {
	return listByValue[shop.Concession](db, "concessions of "+orderID, ixConcessionOrder, orderID, true, 0)
}

// ConcessionsIn lists the concessions asked for in a conversation, newest first.
func (db *DB) ConcessionsIn(convID string) ([]shop.Concession, error) {
	return listByValue[shop.Concession](db, "concessions in "+convID, ixConcessionChat, convID, true, 0)
}

// ConcessionsDecidedFor lists staff member staff's concessions a manager decided at or after
// since, oldest decision first.
func (db *DB) ConcessionsDecidedFor(staff string, since time.Time) ([]shop.Concession, error) {
	var out []shop.Concession
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanValueTime(txn, ixConcessionDecided, staff, since, maxTime, func(id string) bool { ids = append(ids, id); return true })
		var err error
		out, err = loadIDs[shop.Concession](txn, shop.TypeConcession, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: concessions decided for %s: %w", staff, err)
	}
	return out, nil
}

// TeamSettings returns the shop's team settings; the zero settings (every default) while no
// manager has set any.
func (db *DB) TeamSettings() (shop.TeamSettings, error) {
	var t shop.TeamSettings
	if _, _, err := db.Get(shop.TypeTeam, shop.TeamID, &t); err != nil {
		return t, fmt.Errorf("localdb: team settings: %w", err)
	}
	t.ID = shop.TeamID
	return t, nil
}

// ConcessionDay returns what staff member staff gave within her limits on the shop day of at.
func (db *DB) ConcessionDay(staff string, at time.Time) (shop.ConcessionDay, error) {
	var t shop.ConcessionTally
	if _, _, err := db.Get(shop.TypeConcessionTally, staff, &t); err != nil {
		return shop.ConcessionDay{}, fmt.Errorf("localdb: concessions of %s: %w", staff, err)
	}
	return t.On(at), nil
}
