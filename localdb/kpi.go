package localdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// The reads behind the team's KPIs (shop.KPIAccumulator): everything the figures of a period
// need, read in one transaction. Chat messages and orders, the bulk of a shop, are read only
// for the period's window (shop.KPIWindow) through the indexes that order them by time: the
// conversations by their last message (ixConvOpen, ixConvClosed, newest first, stopping at the
// window; the waiting ones all), then each conversation's messages of the window
// (ixMessageConv), and the orders created in the window (ixOrderCreated). The smaller record
// types (notes, cases, reviews, complaints, calls, outages, staff) are walked whole; the
// accumulator keeps what falls in the period.

// KPIReport computes the team's KPIs for [from, to) in buckets of period, from the desk's
// view of the data (its pending actions included).
func (db *DB) KPIReport(from, to time.Time, period shop.Period) (shop.KPIReport, error) {
	var rep shop.KPIReport
	err := db.view(func(txn *badger.Txn) error {
		hours, _, err := load[shop.AutoReplies](txn, shop.TypeAutoReply, shop.AutoRepliesID)
		if err != nil {
			return err
		}
		team, _, err := load[shop.TeamSettings](txn, shop.TypeTeam, shop.TeamID)
		if err != nil {
			return err
		}
		acc := shop.NewKPIAccumulator(shop.KPIOptions{From: from, To: to, Period: period, Hours: hours, Team: team})
		if err := feedKPIs(txn, acc, from, to); err != nil {
			return err
		}
		rep = acc.Report()
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("localdb: KPIs %s..%s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	return rep, nil
}

// feedKPIs feeds acc everything the KPIs of [from, to) read.
func feedKPIs(txn *badger.Txn, acc *shop.KPIAccumulator, from, to time.Time) error {
	winFrom, winTo := shop.KPIWindow(from, to)
	if err := feedConvMessages(txn, acc, winFrom, winTo); err != nil {
		return err
	}
	var ferr error
	scanKeys(txn, ixPrefix(ixOrderCreated), false, ixKey(ixOrderCreated, "", winFrom, ""), func(k []byte) bool {
		if bytes.Compare(ixTime(ixOrderCreated, k), timeKey(winTo)) >= 0 {
			return false
		}
		id, ok := ixID(ixOrderCreated, k)
		if !ok {
			return true
		}
		o, found, err := load[orderCustomer](txn, shop.TypeOrder, id)
		if err != nil {
			ferr = err
			return false
		}
		if found {
			acc.AddOrder(shop.Order{ID: id, CustomerID: o.CustomerID, CreatedAt: o.CreatedAt})
		}
		return true
	})
	if ferr != nil {
		return ferr
	}
	for _, t := range []shop.EntityType{shop.TypeStaff, shop.TypeNote, shop.TypeCase, shop.TypeReview,
		shop.TypeComplaint, shop.TypeCall, shop.TypeOutage} {
		err := eachEntity(txn, t, func(id string, data []byte) error {
			return acc.AddRecord(shop.Record{Type: t, ID: id, Data: json.RawMessage(data)})
		})
		if err != nil {
			return fmt.Errorf("reading %s: %w", t, err)
		}
	}
	return nil
}

// convKPI is what the KPIs read of a conversation.
type convKPI struct {
	CustomerID string `json:"customer_id"`
	Assignee   string `json:"assignee"`
}

// msgKPI is what the KPIs read of a message (not its text or card).
type msgKPI struct {
	From  shop.Sender `json:"from"`
	Staff string      `json:"staff"`
	At    time.Time   `json:"at"`
}

// orderCustomer is what the KPIs read of an order.
type orderCustomer struct {
	CustomerID string    `json:"customer_id"`
	CreatedAt  time.Time `json:"created_at"`
}

// feedConvMessages feeds acc the conversations with messages in [winFrom, winTo) and those
// messages.
func feedConvMessages(txn *badger.Txn, acc *shop.KPIAccumulator, winFrom, winTo time.Time) error {
	var ids []string
	scanIDs(txn, ixConvWaiting, ixPrefix(ixConvWaiting), false, func(id string) bool {
		ids = append(ids, id)
		return true
	})
	fromKey := timeKey(winFrom)
	for _, ix := range []*index{ixConvOpen, ixConvClosed} {
		scanKeys(txn, ixPrefix(ix), true, nil, func(k []byte) bool {
			if bytes.Compare(ixTime(ix, k), fromKey) < 0 {
				return false // older conversations have nothing in the window
			}
			if id, ok := ixID(ix, k); ok {
				ids = append(ids, id)
			}
			return true
		})
	}
	for _, id := range ids {
		c, found, err := load[convKPI](txn, shop.TypeConversation, id)
		if err != nil {
			return err
		}
		if !found {
			continue
		}
		acc.AddConversation(shop.Conversation{ID: id, CustomerID: c.CustomerID, Assignee: c.Assignee})
		prefix := ixValuePrefix(ixMessageConv, id, true)
		var mids []string
		scanKeys(txn, prefix, false, ixKey(ixMessageConv, id, winFrom, ""), func(k []byte) bool {
			if bytes.Compare(ixTime(ixMessageConv, k), timeKey(winTo)) >= 0 {
				return false
			}
			if mid, ok := ixID(ixMessageConv, k); ok {
				mids = append(mids, mid)
			}
			return true
		})
		for _, mid := range mids {
			m, found, err := load[msgKPI](txn, shop.TypeMessage, mid)
			if err != nil {
				return err
			}
			if found {
				acc.AddMessage(shop.Message{ID: mid, ConversationID: id, From: m.From, Staff: m.Staff, At: m.At})
			}
		}
	}
	return nil
}

// ClosedRanking returns the ranking kept when month ("2006-01") was closed, and whether it
// was.
func (db *DB) ClosedRanking(month string) (shop.Ranking, bool, error) {
	var r shop.Ranking
	var ok bool
	err := db.view(func(txn *badger.Txn) (err error) {
		r, ok, err = load[shop.Ranking](txn, shop.TypeRanking, month)
		return err
	})
	if err != nil {
		return r, false, fmt.Errorf("localdb: ranking %s: %w", month, err)
	}
	return r, ok, nil
}

// TeamWeights returns the ranking's weights in force (the defaults until a manager sets them).
func (db *DB) TeamWeights() (shop.RankingWeights, error) {
	var t shop.TeamSettings
	err := db.view(func(txn *badger.Txn) (err error) {
		t, _, err = load[shop.TeamSettings](txn, shop.TypeTeam, shop.TeamID)
		return err
	})
	if err != nil {
		return shop.RankingWeights{}, fmt.Errorf("localdb: team settings: %w", err)
	}
	return t.RankingWeights(), nil
}
