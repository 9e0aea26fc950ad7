package localdb

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// orderKeyed is what the order indexes read of an order.
type orderKeyed struct {
	CustomerID string           `json:"customer_id"`
	Nick       string           `json:"nick"`
	Status     shop.OrderStatus `json:"status"`
	Payment    shop.Payment     `json:"payment"`
	Address    struct {
		Receiver string `json:"receiver"`
		Phone    string `json:"phone"`
	} `json:"address"`
	CreatedAt time.Time        `json:"created_at"`
	Flag      shop.Flag        `json:"flag"`
	Total     shop.Cents       `json:"total"`
	CODCall   shop.CallOutcome `json:"cod_call"`
}

var orderSpec = specFor[orderKeyed](shop.TypeOrder)

// The order indexes. Every one carries the creation time, so listings and lookups come newest
// first from the keys alone. The four lookup indexes (number, nick, phone, receiver) also carry
// the order's list row after the looked-up value (lookupValue, schema 4): a lookup reads its
// rows from the keys it scans, and the full order only when it is opened.
var (
	// ixOrderNumber: lower(number) + row + created, for prefix search.
	ixOrderNumber = orderSpec.index("on", byValueTime, func(id string, o *orderKeyed) (string, time.Time, bool) {
		return lookupValue(lowerASCII(id), id, o), o.CreatedAt, true
	})
	// ixOrderNick: lower(buyer nick) + row + created.
	ixOrderNick = orderSpec.index("onk", byValueTime, func(id string, o *orderKeyed) (string, time.Time, bool) {
		return lookupValue(lowerASCII(o.Nick), id, o), o.CreatedAt, o.Nick != ""
	})
	// ixOrderPhone: the address phone's digits + row + created.
	ixOrderPhone = orderSpec.index("oph", byValueTime, func(id string, o *orderKeyed) (string, time.Time, bool) {
		p := digits(o.Address.Phone)
		return lookupValue(p, id, o), o.CreatedAt, p != ""
	})
	// ixOrderReceiver: lower(receiver name) + row + created.
	ixOrderReceiver = orderSpec.index("orc", byValueTime, func(id string, o *orderKeyed) (string, time.Time, bool) {
		return lookupValue(lowerASCII(o.Address.Receiver), id, o), o.CreatedAt, o.Address.Receiver != ""
	})
	// ixOrderCustomer: customer id + created.
	ixOrderCustomer = orderSpec.index("ocu", byValueTime, func(_ string, o *orderKeyed) (string, time.Time, bool) {
		return o.CustomerID, o.CreatedAt, o.CustomerID != ""
	})
	// ixOrderCreated: created, for the newest-first listing.
	ixOrderCreated = orderSpec.index("ot", byTime, func(_ string, o *orderKeyed) (string, time.Time, bool) {
		return "", o.CreatedAt, true
	})
	// ixOrderStatus: status + created.
	ixOrderStatus = orderSpec.index("ost", byValueTime, func(_ string, o *orderKeyed) (string, time.Time, bool) {
		return string(o.Status), o.CreatedAt, true
	})
	// ixOrderFlag: flag + created.
	ixOrderFlag = orderSpec.index("ofl", byValueTime, func(_ string, o *orderKeyed) (string, time.Time, bool) {
		return strconv.Itoa(int(o.Flag)), o.CreatedAt, true
	})
	// ixOrderPayment: payment + created.
	ixOrderPayment = orderSpec.index("opy", byValueTime, func(_ string, o *orderKeyed) (string, time.Time, bool) {
		return string(o.Payment), o.CreatedAt, true
	})
	// ixOrderSpend indexes the orders that count in a customer's figures (shop.CustomerStats):
	// i/osp/<customer id>\x01<total in fen>\0<created><order id>. The figures of one customer, or
	// of every customer, come from a key-only scan of it, without decoding any order (see
	// customers.go; stores filled before it existed are backfilled by ensureSpendIndex).
	ixOrderSpend = orderSpec.index("osp", byValueTime, func(_ string, o *orderKeyed) (string, time.Time, bool) {
		return spendValue(o.CustomerID, o.Total), o.CreatedAt, o.CustomerID != "" && spendCounts(o.Status)
	})
)

// OrderFilter narrows SearchOrders. Zero fields do not filter.
type OrderFilter struct {
	Status     shop.OrderStatus
	Flag       *shop.Flag
	Payment    shop.Payment
	AfterSales bool // only orders with an after-sales case
}

func (f OrderFilter) match(txn *badger.Txn, o shop.Order) bool {
	if f.Status != "" && o.Status != f.Status {
		return false
	}
	if f.Flag != nil && o.Flag != *f.Flag {
		return false
	}
	if f.Payment != "" && o.Payment != f.Payment {
		return false
	}
	return !f.AfterSales || hasCase(txn, o.ID)
}

func orderNewer(a, b shop.Order) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.After(b.CreatedAt)
	}
	return a.ID > b.ID
}

// SearchOrders finds orders: q matches the order number (prefix), buyer nick (prefix), address
// phone (prefix, digits only) or receiver name (prefix), ASCII case-insensitive; an empty q
// lists orders newest first. Filters combine. Results are newest first, at most limit (all
// when <= 0). Each prefix index contributes at most 2,000 candidates; their index keys carry
// the order's creation time and list row, so the filters are checked on the keys and only the
// orders returned are read. SearchOrderRows gives the rows alone.
func (db *DB) SearchOrders(q string, f OrderFilter, limit int) ([]shop.Order, error) {
	var out []shop.Order
	err := db.view(func(txn *badger.Txn) error {
		q = queryKey(q)
		switch {
		case q != "":
			return searchOrdersByKey(txn, q, f, limit, &out)
		case f.AfterSales:
			var ids []string
			seen := map[string]bool{}
			scanKeys(txn, ixPrefix(ixCaseOrder), false, nil, func(k []byte) bool {
				if id := ixValue(ixCaseOrder, k); id != "" && !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
				return true
			})
			orders, err := loadIDs[shop.Order](txn, shop.TypeOrder, ids)
			if err != nil {
				return err
			}
			for _, o := range orders {
				if f.match(txn, o) {
					out = append(out, o)
				}
			}
			sort.Slice(out, func(i, j int) bool { return orderNewer(out[i], out[j]) })
			if limit > 0 && len(out) > limit {
				out = out[:limit]
			}
			return nil
		default:
			return db.listOrders(txn, f, limit, &out)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: searching orders: %w", err)
	}
	return out, nil
}

// searchOrdersByKey finds the rows of the orders whose number, nick, phone or receiver starts
// with q (searchOrderRows) and reads those orders, newest first.
func searchOrdersByKey(txn *badger.Txn, q string, f OrderFilter, limit int, out *[]shop.Order) error {
	for _, r := range searchOrderRows(txn, q, f, limit) {
		o, ok, err := load[shop.Order](txn, shop.TypeOrder, r.ID)
		if err != nil {
			return err
		}
		if ok {
			*out = append(*out, o)
		}
	}
	return nil
}

// listOrders lists orders newest first through the most selective index the filter allows,
// checking the rest of the filter in memory.
func (db *DB) listOrders(txn *badger.Txn, f OrderFilter, limit int, out *[]shop.Order) error {
	ix, prefix := ixOrderCreated, ixPrefix(ixOrderCreated)
	switch {
	case f.Payment == shop.PayCOD:
		ix, prefix = ixOrderPayment, ixValuePrefix(ixOrderPayment, string(f.Payment), true)
	case f.Flag != nil && *f.Flag != shop.FlagGrey:
		ix, prefix = ixOrderFlag, ixValuePrefix(ixOrderFlag, strconv.Itoa(int(*f.Flag)), true)
	case f.Status != "":
		ix, prefix = ixOrderStatus, ixValuePrefix(ixOrderStatus, string(f.Status), true)
	case f.Payment != "":
		ix, prefix = ixOrderPayment, ixValuePrefix(ixOrderPayment, string(f.Payment), true)
	case f.Flag != nil:
		ix, prefix = ixOrderFlag, ixValuePrefix(ixOrderFlag, strconv.Itoa(int(*f.Flag)), true)
	}
	var ferr error
	scanned := 0
	scanIDs(txn, ix, prefix, true, func(id string) bool {
		scanned++
		o, ok, err := load[shop.Order](txn, shop.TypeOrder, id)
		if err != nil {
			ferr = err
			return false
		}
		if ok && f.match(txn, o) {
			*out = append(*out, o)
		}
		return !full(len(*out), limit) && scanned < maxFilterScan
	})
	return ferr
}

// Order returns one order.
func (db *DB) Order(id string) (shop.Order, error) {
	return getTyped[shop.Order](db, shop.TypeOrder, id)
}

// OrdersOf lists a customer's orders, newest first, at most limit (all when <= 0).
func (db *DB) OrdersOf(customerID string, limit int) ([]shop.Order, error) {
	return listByValue[shop.Order](db, "orders of "+customerID, ixOrderCustomer, customerID, true, limit)
}

// maxWorkScan bounds how many index entries a work list reads.
const maxWorkScan = 20_000

// shipWithin is the longest time ShippedSince expects between an order's creation and its
// shipping.
const shipWithin = 30 * 24 * time.Hour

// workList walks an order index newest first and keeps the orders keep accepts, at most limit
// (all when <= 0), stopping at the first order stop accepts (when stop is not nil).
func (db *DB) workList(what string, ix *index, prefix []byte, limit int, keep, stop func(shop.Order) bool) ([]shop.Order, error) {
	var out []shop.Order
	err := db.view(func(txn *badger.Txn) error {
		var ferr error
		scanned := 0
		scanIDs(txn, ix, prefix, true, func(id string) bool {
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

// AddressToCheck lists paid orders whose address is due for its check (shop.AddressCheckDue:
// a cash-on-delivery order only once its call confirmed it) and nobody has confirmed or
// changed yet, newest first, at most limit (all when <= 0). It reads the paid-status index
// only (a cash-on-delivery order is paid in the shop's terms: it never waits for payment).
func (db *DB) AddressToCheck(limit int) ([]shop.Order, error) {
	return db.workList("orders with an address to check", ixOrderStatus, ixValuePrefix(ixOrderStatus, string(shop.StatusPaid), true), limit,
		func(o shop.Order) bool {
			return o.Status == shop.StatusPaid && shop.AddressCheckDue(o) && o.AddressCheck == shop.AddressUnchecked
		}, nil)
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
