package localdb

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// keySpendIndexed marks a store whose spend index covers the orders written before the index
// existed (see ensureSpendIndex).
var keySpendIndexed = []byte("m/ixspend")

// spendCounts reports whether an order in status s counts in a customer's figures; the rule is
// shop.CustomerStats.Add's.
func spendCounts(s shop.OrderStatus) bool {
	var st shop.CustomerStats
	st.Add(shop.Order{Status: s})
	return st.Orders == 1
}

// spendValue is the value part of an ixOrderSpend key.
func spendValue(customerID string, total shop.Cents) string {
	return customerID + "\x01" + strconv.FormatInt(int64(total), 10)
}

// parseSpendKey splits an ixOrderSpend key into customer id, total and created time.
func parseSpendKey(k []byte) (string, shop.Cents, time.Time, bool) {
	rest := k[len(ixOrderSpend.prefix):]
	end := bytes.IndexByte(rest, 0)
	if end < 0 || len(rest) < end+1+8 {
		return "", 0, time.Time{}, false
	}
	val := rest[:end]
	sep := bytes.LastIndexByte(val, 1)
	if sep < 0 {
		return "", 0, time.Time{}, false
	}
	total, err := strconv.ParseInt(string(val[sep+1:]), 10, 64)
	if err != nil {
		return "", 0, time.Time{}, false
	}
	return string(val[:sep]), shop.Cents(total), keyTime(rest[end+1 : end+9]), true
}

// keyTime decodes timeKey.
func keyTime(b []byte) time.Time {
	v := binary.BigEndian.Uint64(b)
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(v^(1<<63)))
}

// ensureSpendIndex writes the spend index keys of every stored order once per store, for stores
// filled before the index existed. Later writes keep the index in step themselves.
func (db *DB) ensureSpendIndex() error {
	done := false
	if err := db.view(func(txn *badger.Txn) (err error) {
		_, done, err = getRaw(txn, keySpendIndexed)
		return err
	}); err != nil || done {
		return err
	}
	if err := db.writing(); err != nil {
		return err
	}
	defer db.doneWriting()
	if err := db.backfill(ixOrderSpend); err != nil {
		return fmt.Errorf("indexing order totals: %w", err)
	}
	if _, err := db.update(func(w *wtx) error { return w.set(keySpendIndexed, []byte{1}) }); err != nil {
		return fmt.Errorf("indexing order totals: %w", err)
	}
	return nil
}

// customerKeyed is what the customer indexes read of a customer.
type customerKeyed struct {
	Nick  string `json:"nick"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

var customerSpec = specFor[customerKeyed](shop.TypeCustomer)

// The customer indexes.
var (
	// ixCustNick: lower(nick).
	ixCustNick = customerSpec.index("cnk", byValue, func(_ string, c *customerKeyed) (string, time.Time, bool) {
		return lowerASCII(c.Nick), time.Time{}, c.Nick != ""
	})
	// ixCustName: lower(name).
	ixCustName = customerSpec.index("cnm", byValue, func(_ string, c *customerKeyed) (string, time.Time, bool) {
		return lowerASCII(c.Name), time.Time{}, c.Name != ""
	})
	// ixCustPhone: the phone's digits.
	ixCustPhone = customerSpec.index("cph", byValue, func(_ string, c *customerKeyed) (string, time.Time, bool) {
		p := digits(c.Phone)
		return p, time.Time{}, p != ""
	})
)

// SearchCustomers finds customers whose nick or name starts with q (ASCII case-insensitive) or
// whose phone starts with q's digits: exact matches first, then by nick (ASCII case-insensitive).
// An empty q lists customers by nick. At most limit (all when <= 0).
func (db *DB) SearchCustomers(q string, limit int) ([]shop.Customer, error) {
	var out []shop.Customer
	err := db.view(func(txn *badger.Txn) error {
		q = queryKey(q)
		var ids []string
		seen := map[string]bool{}
		collect := func(ix *index, prefix []byte, max int) {
			n := 0
			scanIDs(txn, ix, prefix, false, func(id string) bool {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
				n++
				return n < max
			})
		}
		if q == "" {
			max := maxFilterScan
			if limit > 0 {
				max = limit
			}
			collect(ixCustNick, ixPrefix(ixCustNick), max)
			var err error
			out, err = loadIDs[shop.Customer](txn, shop.TypeCustomer, ids)
			return err
		}
		collect(ixCustNick, ixValuePrefix(ixCustNick, q, false), maxCandidates)
		collect(ixCustName, ixValuePrefix(ixCustName, q, false), maxCandidates)
		d := digits(q)
		if phoneLike(q) {
			collect(ixCustPhone, ixValuePrefix(ixCustPhone, d, false), maxCandidates)
		}
		cs, err := loadIDs[shop.Customer](txn, shop.TypeCustomer, ids)
		if err != nil {
			return err
		}
		exact := func(c shop.Customer) bool {
			return lowerASCII(c.Nick) == q || lowerASCII(c.Name) == q || (phoneLike(q) && digits(c.Phone) == d)
		}
		sort.SliceStable(cs, func(i, j int) bool {
			ei, ej := exact(cs[i]), exact(cs[j])
			if ei != ej {
				return ei
			}
			if ni, nj := lowerASCII(cs[i].Nick), lowerASCII(cs[j].Nick); ni != nj {
				return ni < nj
			}
			return cs[i].ID < cs[j].ID
		})
		if limit > 0 && len(cs) > limit {
			cs = cs[:limit]
		}
		out = cs
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: searching customers: %w", err)
	}
	return out, nil
}

// Customer returns one customer.
func (db *DB) Customer(id string) (shop.Customer, error) {
	return getTyped[shop.Customer](db, shop.TypeCustomer, id)
}

// Groups lists the customer groups by name.
func (db *DB) Groups() ([]shop.Group, error) {
	var out []shop.Group
	err := db.view(func(txn *badger.Txn) (err error) {
		out, err = listAll[shop.Group](txn, shop.TypeGroup)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: groups: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// CustomerStats derives a customer's figures (paid orders, total spent, last purchase) from
// all their orders.
func (db *DB) CustomerStats(customerID string) (shop.CustomerStats, error) {
	var st shop.CustomerStats
	if err := db.ensureSpendIndex(); err != nil {
		return st, fmt.Errorf("localdb: figures of %s: %w", customerID, err)
	}
	err := db.view(func(txn *badger.Txn) error {
		scanKeys(txn, ixValuePrefix(ixOrderSpend, customerID+"\x01", false), false, nil, func(k []byte) bool {
			if id, total, at, ok := parseSpendKey(k); ok && id == customerID {
				addSpend(&st, total, at)
			}
			return true
		})
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("localdb: figures of %s: %w", customerID, err)
	}
	return st, nil
}

// addSpend counts one counted order into figures.
func addSpend(st *shop.CustomerStats, total shop.Cents, at time.Time) {
	st.Orders++
	st.Spent += total
	if at.After(st.LastOrder) {
		st.LastOrder = at
	}
}

// allStats reads the figures of every customer with a counted order.
func allStats(txn *badger.Txn) map[string]shop.CustomerStats {
	out := map[string]shop.CustomerStats{}
	var curID string
	var cur shop.CustomerStats
	flush := func() {
		if curID != "" {
			out[curID] = cur
		}
	}
	scanKeys(txn, ixPrefix(ixOrderSpend), false, nil, func(k []byte) bool {
		id, total, at, ok := parseSpendKey(k)
		if !ok {
			return true
		}
		if id != curID {
			flush()
			curID, cur = id, shop.CustomerStats{}
		}
		addSpend(&cur, total, at)
		return true
	})
	flush()
	return out
}

// CustomerFigures is a customer with the figures of their counted orders (shop.CustomerStats).
type CustomerFigures struct {
	Customer shop.Customer
	Stats    shop.CustomerStats
}

// CustomerScan says which customers Customers lists. Both functions are optional; the rules
// they apply (customer groups, say) belong to the caller.
type CustomerScan struct {
	// Candidate, when set, limits the scan to customers with counted orders whose figures it
	// accepts: the others are passed over without reading their values.
	Candidate func(st shop.CustomerStats) bool
	// Keep decides from a customer decoded in part (ID, VIP, Tags and Groups only) and their
	// figures whether the customer is listed; nil lists every candidate.
	Keep func(c shop.Customer, st shop.CustomerStats) bool
}

// Customers lists the customers s selects, by nick, with their figures (which come from the
// spend index, so they follow the orders as they sync).
func (db *DB) Customers(s CustomerScan) ([]CustomerFigures, error) {
	if err := db.ensureSpendIndex(); err != nil {
		return nil, fmt.Errorf("localdb: customers: %w", err)
	}
	var out []CustomerFigures
	err := db.view(func(txn *badger.Txn) error {
		stats := allStats(txn)
		var candidates map[string]bool
		if s.Candidate != nil {
			candidates = make(map[string]bool, len(stats))
			for id, st := range stats {
				if s.Candidate(st) {
					candidates[id] = true
				}
			}
		}
		prefix := typePrefix(shop.TypeCustomer)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: candidates == nil, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.ValidForPrefix(prefix); it.Next() {
			item := it.Item()
			if candidates != nil && !candidates[string(item.Key()[len(prefix):])] {
				continue
			}
			err := item.Value(func(v []byte) error {
				st, err := decodeState(v)
				if err != nil || !st.exists() {
					return err
				}
				// A slim decode first: most customers are decided by these fields.
				var slim struct {
					ID     string   `json:"id"`
					VIP    int      `json:"vip"`
					Tags   []string `json:"tags"`
					Groups []string `json:"groups"`
				}
				if err := json.Unmarshal(st.data, &slim); err != nil {
					return fmt.Errorf("decoding customer: %w", err)
				}
				if s.Keep != nil && !s.Keep(shop.Customer{ID: slim.ID, VIP: slim.VIP, Tags: slim.Tags, Groups: slim.Groups}, stats[slim.ID]) {
					return nil
				}
				var c shop.Customer
				if err := json.Unmarshal(st.data, &c); err != nil {
					return fmt.Errorf("decoding customer: %w", err)
				}
				out = append(out, CustomerFigures{Customer: c, Stats: stats[c.ID]})
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: customers: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := lowerASCII(out[i].Customer.Nick), lowerASCII(out[j].Customer.Nick)
		if a != b {
			return a < b
		}
		return out[i].Customer.ID < out[j].Customer.ID
	})
	return out, nil
}

// Group returns one customer group.
func (db *DB) Group(id string) (shop.Group, error) {
	return getTyped[shop.Group](db, shop.TypeGroup, id)
}

// Complaints lists the complaints created in [from, to) (zero bounds do not limit), newest
// first.
func (db *DB) Complaints(from, to time.Time) ([]shop.Complaint, error) {
	var out []shop.Complaint
	err := db.view(func(txn *badger.Txn) error {
		all, err := listAll[shop.Complaint](txn, shop.TypeComplaint)
		for _, c := range all {
			if (!from.IsZero() && c.CreatedAt.Before(from)) || (!to.IsZero() && !c.CreatedAt.Before(to)) {
				continue
			}
			out = append(out, c)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: complaints: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

// StaffMessagesOn counts the staff messages sent to a customer, in any of their conversations,
// on the shop day of now (pending ones included).
func (db *DB) StaffMessagesOn(customerID string, now time.Time) (int, error) {
	t := now.In(shop.ShopZone)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, shop.ShopZone)
	n := 0
	err := db.view(func(txn *badger.Txn) error {
		var convs []string
		scanIDs(txn, ixConvCustomer, ixValuePrefix(ixConvCustomer, customerID, true), false, func(id string) bool {
			convs = append(convs, id)
			return true
		})
		for _, cid := range convs {
			var ids []string
			prefix := ixValuePrefix(ixMessageConv, cid, true)
			seek := append(append([]byte(nil), prefix...), timeKey(day)...)
			scanKeys(txn, prefix, false, seek, func(k []byte) bool {
				if id, ok := ixID(ixMessageConv, k); ok {
					ids = append(ids, id)
				}
				return true
			})
			ms, err := loadIDs[shop.Message](txn, shop.TypeMessage, ids)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if m.From == shop.FromStaff && shop.SameShopDay(m.At, now) {
					n++
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("localdb: messages to %s today: %w", customerID, err)
	}
	return n, nil
}
