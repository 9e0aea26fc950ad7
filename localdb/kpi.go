package localdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// The reads behind the team's KPIs (shop.KPIAccumulator): everything the figures of a period
// need, read in one transaction. Chat messages and orders, the bulk of a shop, are read only
// for the period's window (shop.KPIWindow) through indexes that order them by time: the
// conversations last active from the window's start on (and the waiting ones all) and the
// messages of the window, through their KPI rows (kpi_rows.go: small keys in time order, no
// record decoded), and the orders created in the window (ixOrderCreated). The smaller record
// types (notes, cases, reviews, complaints, calls, outages, staff) are walked whole; the
// accumulator keeps what falls in the period.

// newKPIAccumulator is an accumulator for [from, to) in buckets of period, with the shop's
// business hours and team settings as the desk holds them.
func newKPIAccumulator(txn *badger.Txn, from, to time.Time, period shop.Period) (*shop.KPIAccumulator, error) {
	hours, _, err := load[shop.AutoReplies](txn, shop.TypeAutoReply, shop.AutoRepliesID)
	if err != nil {
		return nil, err
	}
	team, _, err := load[shop.TeamSettings](txn, shop.TypeTeam, shop.TeamID)
	if err != nil {
		return nil, err
	}
	return shop.NewKPIAccumulator(shop.KPIOptions{From: from, To: to, Period: period, Hours: hours, Team: team}), nil
}

// KPIReport computes the team's KPIs for [from, to) in buckets of period, from the desk's
// view of the data (its pending actions included).
func (db *DB) KPIReport(from, to time.Time, period shop.Period) (shop.KPIReport, error) {
	var rep shop.KPIReport
	err := db.view(func(txn *badger.Txn) error {
		acc, err := newKPIAccumulator(txn, from, to, period)
		if err != nil {
			return err
		}
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
	var orders []string
	scanKeys(txn, ixPrefix(ixOrderCreated), false, ixKey(ixOrderCreated, "", winFrom, ""), func(k []byte) bool {
		if bytes.Compare(ixTime(ixOrderCreated, k), timeKey(winTo)) >= 0 {
			return false
		}
		if id, ok := ixID(ixOrderCreated, k); ok {
			orders = append(orders, id)
		}
		return true
	})
	err := loadSorted(txn, shop.TypeOrder, orders, func(id string, data []byte) error {
		o, err := decodeOrderKPI(data)
		if err != nil {
			return fmt.Errorf("decoding order %s: %w", id, err)
		}
		acc.AddOrder(shop.Order{ID: id, CustomerID: o.CustomerID, CreatedAt: o.CreatedAt})
		return nil
	})
	if err != nil {
		return err
	}
	err = eachEntity(txn, shop.TypeNote, func(id string, data []byte) error {
		n, err := decodeNoteKPI(data)
		if err != nil {
			return fmt.Errorf("decoding note %s: %w", id, err)
		}
		acc.AddNote(n)
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range []shop.EntityType{shop.TypeStaff, shop.TypeCase, shop.TypeReview,
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
// messages, from their KPI rows (kpi_rows.go): small keys in time order, no record decoded.
func feedConvMessages(txn *badger.Txn, acc *shop.KPIAccumulator, winFrom, winTo time.Time) error {
	var waiting []string
	scanIDs(txn, ixConvWaiting, ixPrefix(ixConvWaiting), false, func(id string) bool {
		waiting = append(waiting, id)
		return true
	})
	return feedConvRows(txn, acc, waiting, winFrom, winTo)
}

// loadSorted calls fn with the stored data of the live entities of type t among ids, in id
// order (ids is sorted in place), through one iterator moved by seekNear.
func loadSorted(txn *badger.Txn, t shop.EntityType, ids []string, fn func(id string, data []byte) error) error {
	slices.Sort(ids)
	return loadSortedIDs(txn, t, ids, func(i int, data []byte) error { return fn(ids[i], data) })
}

// loadSortedIDs is loadSorted for ids sorted already; fn gets the index of the id.
func loadSortedIDs(txn *badger.Txn, t shop.EntityType, ids []string, fn func(i int, data []byte) error) error {
	prefix := typePrefix(t)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	key := make([]byte, 0, 128)
	for i, id := range ids {
		if i > 0 && id == ids[i-1] {
			continue
		}
		key = append(append(key[:0], prefix...), id...)
		seekNear(it, prefix, key)
		if !it.ValidForPrefix(prefix) || !bytes.Equal(it.Item().Key(), key) {
			continue
		}
		err := it.Item().Value(func(v []byte) error {
			st, err := decodeState(v)
			if err != nil || !st.exists() {
				return err
			}
			return fn(i, st.data)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// seekNear moves it to the first key at or after key, for keys asked for in increasing order:
// it steps forward when the key lies a few steps ahead (as the next id of one period's
// time-ordered records does) and seeks otherwise, since a seek costs what a few dozen steps do.
// An iterator that was never moved (or ran off prefix) seeks.
func seekNear(it *badger.Iterator, prefix, key []byte) {
	const maxSteps = 32
	if !it.ValidForPrefix(prefix) || bytes.Compare(it.Item().Key(), key) > 0 {
		it.Seek(key)
		return
	}
	for steps := 0; it.ValidForPrefix(prefix) && bytes.Compare(it.Item().Key(), key) < 0; steps++ {
		if steps == maxSteps {
			it.Seek(key)
			return
		}
		it.Next()
	}
}

// Markers of the fields decodeMsgKPI reads in a stored message. The JSON encoder escapes every
// quote inside a string, so a marker can only be found where its field is.
var (
	markFrom  = []byte(`"from":"`)
	markStaff = []byte(`"staff":"`)
	markAt    = []byte(`"at":"`)
)

// decodeMsgKPI reads a message's sender, staff number and time, finding the fields in the JSON
// the store keeps rather than decoding it all (the text can be long); data that does not look
// as expected is decoded in full.
func decodeMsgKPI(data []byte) (msgKPI, error) {
	var m msgKPI
	from, ok1 := plainField(data, markFrom)
	at, ok2 := plainField(data, markAt)
	staff, ok3 := plainField(data, markStaff)
	if ok1 && ok2 {
		t, err := time.Parse(time.RFC3339Nano, string(at))
		if err == nil {
			m.From, m.At = shop.Sender(from), t
			if ok3 {
				m.Staff = string(staff)
			}
			return m, nil
		}
	}
	err := json.Unmarshal(data, &m)
	return m, err
}

var (
	markSystem   = []byte(`"system":true`)
	markCustomer = []byte(`"customer_id":"`)
	markAssignee = []byte(`"assignee":"`)
	markCreated  = []byte(`"created_at":"`)
)

// decodeConvKPI reads a conversation's customer and assignee as decodeMsgKPI reads a message.
func decodeConvKPI(data []byte) (convKPI, error) {
	var c convKPI
	if cust, ok := plainField(data, markCustomer); ok {
		who, _ := plainField(data, markAssignee)
		return convKPI{CustomerID: string(cust), Assignee: string(who)}, nil
	}
	err := json.Unmarshal(data, &c)
	return c, err
}

// decodeOrderKPI reads an order's customer and creation time as decodeMsgKPI reads a message.
func decodeOrderKPI(data []byte) (orderCustomer, error) {
	cust, ok1 := plainField(data, markCustomer)
	at, ok2 := plainField(data, markCreated)
	if ok1 && ok2 {
		if t, err := time.Parse(time.RFC3339Nano, string(at)); err == nil {
			return orderCustomer{CustomerID: string(cust), CreatedAt: t}, nil
		}
	}
	var o orderCustomer
	err := json.Unmarshal(data, &o)
	return o, err
}

// decodeNoteKPI reads a note's staff number, time and whether it is a system note as
// decodeMsgKPI reads a message; a note that does not look as expected is decoded in full.
func decodeNoteKPI(data []byte) (shop.OrderNote, error) {
	at, ok := plainField(data, markAt)
	if ok {
		if t, err := time.Parse(time.RFC3339Nano, string(at)); err == nil {
			staff, _ := plainField(data, markStaff)
			return shop.OrderNote{Staff: string(staff), At: t, System: bytes.Contains(data, markSystem)}, nil
		}
	}
	var n shop.OrderNote
	err := json.Unmarshal(data, &n)
	return n, err
}

// plainField returns the string value after marker, when it holds no escapes.
func plainField(data, marker []byte) ([]byte, bool) {
	i := bytes.Index(data, marker)
	if i < 0 {
		return nil, false
	}
	rest := data[i+len(marker):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || bytes.IndexByte(rest[:j], '\\') >= 0 {
		return nil, false
	}
	return rest[:j], true
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
