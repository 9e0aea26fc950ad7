package localdb

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// OrderRow is what a line of an order list shows of an order: enough to draw it and to filter
// it by status, flag and payment. The order lookups read rows from their index keys alone
// (SearchOrderRows); the full order is read when it is opened.
type OrderRow struct {
	ID        string
	Nick      string
	Receiver  string
	Phone     string
	Status    shop.OrderStatus
	Payment   shop.Payment
	CODCall   shop.CallOutcome
	Flag      shop.Flag
	Total     shop.Cents
	CreatedAt time.Time
}

// RowOf is the list row of a full order.
func RowOf(o shop.Order) OrderRow {
	return OrderRow{ID: o.ID, Nick: o.Nick, Receiver: o.Address.Receiver, Phone: o.Address.Phone, Status: o.Status,
		Payment: o.Payment, CODCall: o.CODCall, Flag: o.Flag, Total: o.Total, CreatedAt: o.CreatedAt}
}

// rowSep separates the looked-up value and the fields of the row in a lookup index's value
// part; rowFields is how many fields follow the looked-up value.
const (
	rowSep    = "\x01"
	rowFields = 8
)

// rowText drops the bytes that separate the parts of a lookup key from a field of the row.
func rowText(s string) string {
	if strings.IndexByte(s, 0) < 0 && !strings.Contains(s, rowSep) {
		return s
	}
	return strings.NewReplacer("\x00", "", rowSep, "").Replace(s)
}

// lookupValue is the value part of a lookup index key: the looked-up value (already
// lowercased as the index compares), then the order's row (the id and the creation time are
// the key's own parts). Queries match the looked-up value as a prefix, which the row after it
// does not change.
func lookupValue(v, id string, o *orderKeyed) string {
	var b strings.Builder
	b.Grow(len(v) + 64)
	b.WriteString(rowText(v))
	for _, f := range []string{string(o.Status), string(o.Payment), string(o.CODCall), strconv.Itoa(int(o.Flag)),
		strconv.FormatInt(int64(o.Total), 10), o.Nick, o.Address.Receiver, o.Address.Phone} {
		b.WriteString(rowSep)
		b.WriteString(rowText(f))
	}
	return b.String()
}

// rowOfKey decodes the row a lookup index key carries, with the id and creation time of the key.
func rowOfKey(ix *index, key []byte) (OrderRow, bool) {
	id, ok := ixID(ix, key)
	if !ok {
		return OrderRow{}, false
	}
	parts := strings.Split(ixValue(ix, key), rowSep)
	if len(parts) != 1+rowFields {
		return OrderRow{}, false // a key without a row (not written by schema 4)
	}
	flag, err1 := strconv.Atoi(parts[4])
	total, err2 := strconv.ParseInt(parts[5], 10, 64)
	if err1 != nil || err2 != nil {
		return OrderRow{}, false
	}
	r := OrderRow{ID: id, Status: shop.OrderStatus(parts[1]), Payment: shop.Payment(parts[2]), CODCall: shop.CallOutcome(parts[3]),
		Flag: shop.Flag(flag), Total: shop.Cents(total), Nick: parts[6], Receiver: parts[7], Phone: parts[8]}
	if t := ixTime(ix, key); len(t) == 8 {
		r.CreatedAt = keyTime(t)
	}
	return r, true
}

// matchRow is OrderFilter.match on a row.
func (f OrderFilter) matchRow(txn *badger.Txn, r OrderRow) bool {
	if f.Status != "" && r.Status != f.Status {
		return false
	}
	if f.Flag != nil && r.Flag != *f.Flag {
		return false
	}
	if f.Payment != "" && r.Payment != f.Payment {
		return false
	}
	return !f.AfterSales || hasCase(txn, r.ID)
}

// SearchOrderRows is SearchOrders giving the list rows of the orders it finds. A query reads
// the rows from the lookup indexes' keys, without reading any order; an empty query (the
// newest orders, or the after-sales ones) reads the orders and gives their rows.
func (db *DB) SearchOrderRows(q string, f OrderFilter, limit int) ([]OrderRow, error) {
	if queryKey(q) == "" {
		orders, err := db.SearchOrders(q, f, limit)
		if err != nil {
			return nil, err
		}
		rows := make([]OrderRow, len(orders))
		for i, o := range orders {
			rows[i] = RowOf(o)
		}
		return rows, nil
	}
	var out []OrderRow
	err := db.view(func(txn *badger.Txn) error {
		out = searchOrderRows(txn, queryKey(q), f, limit)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: searching orders: %w", err)
	}
	return out, nil
}

// searchOrderRows gathers the rows of the orders whose number, nick, phone or receiver starts
// with q (lowercased) from the lookup indexes' keys, newest first by the creation time in the
// keys, keeping at most limit that pass the filters. Each index contributes at most
// maxCandidates keys.
func searchOrderRows(txn *badger.Txn, q string, f OrderFilter, limit int) []OrderRow {
	// The candidates keep their keys; only those looked at, newest first, are decoded.
	type candidate struct {
		ix  *index
		key []byte
		at  []byte // creation time as stored in the key
		id  string
	}
	var cands []candidate
	seen := map[string]bool{}
	collect := func(ix *index, prefix []byte) {
		n := 0
		scanKeys(txn, prefix, false, nil, func(k []byte) bool {
			n++
			if id, ok := ixID(ix, k); ok && !seen[id] {
				seen[id] = true
				k = bytes.Clone(k)
				cands = append(cands, candidate{ix: ix, key: k, at: ixTime(ix, k), id: id})
			}
			return n < maxCandidates
		})
	}
	collect(ixOrderNumber, ixValuePrefix(ixOrderNumber, q, false))
	collect(ixOrderNick, ixValuePrefix(ixOrderNick, q, false))
	if phoneLike(q) {
		collect(ixOrderPhone, ixValuePrefix(ixOrderPhone, digits(q), false))
	}
	collect(ixOrderReceiver, ixValuePrefix(ixOrderReceiver, q, false))
	sort.Slice(cands, func(i, j int) bool {
		if c := bytes.Compare(cands[i].at, cands[j].at); c != 0 {
			return c > 0
		}
		return cands[i].id > cands[j].id
	})
	var out []OrderRow
	for _, c := range cands {
		r, ok := rowOfKey(c.ix, c.key)
		if ok && f.matchRow(txn, r) {
			out = append(out, r)
			if full(len(out), limit) {
				break
			}
		}
	}
	return out
}
