package localdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// Bounds of the in-memory work a query may do after its index scan.
const (
	maxCandidates = 2000    // ids collected per prefix index for a search
	maxFilterScan = 100_000 // index entries read while filtering a listing in memory
)

// scanKeys walks the keys with prefix (forward from seek, or backward from seek when reverse;
// nil seek = the whole prefix), calling fn until it returns false. The key passed to fn is
// only valid during the call.
func scanKeys(txn *badger.Txn, prefix []byte, reverse bool, seek []byte, fn func(key []byte) bool) {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, Reverse: reverse})
	defer it.Close()
	if seek == nil {
		seek = prefix
		if reverse {
			seek = append(append([]byte(nil), prefix...), bytes.Repeat([]byte{0xff}, 16)...)
		}
	}
	for it.Seek(seek); it.ValidForPrefix(prefix); it.Next() {
		if !fn(it.Item().Key()) {
			return
		}
	}
}

// scanIDs walks an index (see scanKeys) and passes each entity id to fn.
func scanIDs(txn *badger.Txn, name string, prefix []byte, reverse bool, fn func(id string) bool) {
	scanKeys(txn, prefix, reverse, nil, func(k []byte) bool {
		id, ok := ixID(name, k)
		if !ok {
			return true
		}
		return fn(id)
	})
}

// load reads an entity of type t into a new T.
func load[T any](txn *badger.Txn, t shop.EntityType, id string) (T, bool, error) {
	var v T
	_, ok, err := getEntity(txn, t, id, &v)
	return v, ok, err
}

// loadIDs reads the entities with the given ids, skipping missing ones.
func loadIDs[T any](txn *badger.Txn, t shop.EntityType, ids []string) ([]T, error) {
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		v, ok, err := load[T](txn, t, id)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// eachEntity walks all live entities of type t in id order.
func eachEntity(txn *badger.Txn, t shop.EntityType, fn func(id string, data []byte) error) error {
	prefix := typePrefix(t)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Rewind(); it.ValidForPrefix(prefix); it.Next() {
		id := string(it.Item().Key()[len(prefix):])
		err := it.Item().Value(func(v []byte) error {
			st, err := decodeState(v)
			if err != nil || !st.exists() {
				return err
			}
			return fn(id, st.data)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// listAll decodes all live entities of type t.
func listAll[T any](txn *badger.Txn, t shop.EntityType) ([]T, error) {
	var out []T
	err := eachEntity(txn, t, func(_ string, data []byte) error {
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("decoding %s: %w", t, err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// getTyped is the body of the typed getters.
func getTyped[T any](db *DB, t shop.EntityType, id string) (T, error) {
	var v T
	var ok bool
	err := db.view(func(txn *badger.Txn) (err error) {
		v, ok, err = load[T](txn, t, id)
		return err
	})
	if err != nil {
		return v, fmt.Errorf("localdb: %s %s: %w", t, id, err)
	}
	if !ok {
		return v, fmt.Errorf("localdb: %s %s: %w", t, id, ErrNotFound)
	}
	return v, nil
}

func full(n, limit int) bool { return limit > 0 && n >= limit }

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

// ConversationFilter selects conversations for the chat list.
type ConversationFilter string

// Conversation filters.
const (
	FilterWaiting ConversationFilter = "waiting" // WaitingSince set and not closed
	FilterMine    ConversationFilter = "mine"    // Assignee == staff
	FilterAll     ConversationFilter = "all"     // not closed
	FilterClosed  ConversationFilter = "closed"  // closed
)

func (f ConversationFilter) match(c shop.Conversation, staff string) bool {
	switch f {
	case FilterWaiting:
		return convWaiting(c)
	case FilterMine:
		return c.Assignee == staff
	case FilterClosed:
		return c.Closed
	}
	return !c.Closed
}

// convLess is the chat list order: waiting ones first, longest wait first; then the others,
// newest last message first.
func convLess(a, b shop.Conversation) bool {
	wa, wb := convWaiting(a), convWaiting(b)
	switch {
	case wa != wb:
		return wa
	case wa && !a.WaitingSince.Equal(b.WaitingSince):
		return a.WaitingSince.Before(b.WaitingSince)
	case !wa && !a.LastAt.Equal(b.LastAt):
		return a.LastAt.After(b.LastAt)
	}
	return a.ID < b.ID
}

// Conversations lists up to limit conversations (all when limit <= 0): waiting ones first,
// longest wait first (WaitingSince ascending); then the others by LastAt, newest first.
// "mine" = Assignee == staff (closed ones included); "waiting" = WaitingSince set and not
// closed; "all" (or "") = not closed; "closed" = closed. A query keeps the conversations whose
// nick starts with it or contains it (ASCII case-insensitive); when 2,000 nicks start with it,
// only those are considered.
func (db *DB) Conversations(f ConversationFilter, staff string, query string, limit int) ([]shop.Conversation, error) {
	switch f {
	case FilterWaiting, FilterMine, FilterAll, FilterClosed, "":
	default:
		return nil, fmt.Errorf("localdb: unknown conversation filter %q", f)
	}
	var out []shop.Conversation
	err := db.view(func(txn *badger.Txn) error {
		q := lowerASCII(strings.TrimSpace(query))
		if q != "" {
			var err error
			out, err = db.searchConversations(txn, f, staff, q, limit)
			return err
		}
		var ferr error
		take := func(id string) bool {
			c, ok, err := load[shop.Conversation](txn, shop.TypeConversation, id)
			if err != nil {
				ferr = err
				return false
			}
			if ok {
				out = append(out, c)
			}
			return !full(len(out), limit)
		}
		type part struct {
			name    string
			prefix  []byte
			reverse bool
		}
		var parts []part
		switch f {
		case FilterWaiting:
			parts = []part{{ixConvWaiting, ixPrefix(ixConvWaiting), false}}
		case FilterMine:
			parts = []part{{ixConvMineWait, ixValuePrefix(ixConvMineWait, staff, true), false},
				{ixConvMineLast, ixValuePrefix(ixConvMineLast, staff, true), true}}
		case FilterClosed:
			parts = []part{{ixConvClosed, ixPrefix(ixConvClosed), true}}
		default:
			parts = []part{{ixConvWaiting, ixPrefix(ixConvWaiting), false}, {ixConvOpen, ixPrefix(ixConvOpen), true}}
		}
		for _, p := range parts {
			if full(len(out), limit) || ferr != nil {
				break
			}
			scanIDs(txn, p.name, p.prefix, p.reverse, take)
		}
		return ferr
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: conversations: %w", err)
	}
	return out, nil
}

func (db *DB) searchConversations(txn *badger.Txn, f ConversationFilter, staff, q string, limit int) ([]shop.Conversation, error) {
	seen := map[string]bool{}
	var ids []string
	scanKeys(txn, ixValuePrefix(ixConvNick, q, false), false, nil, func(k []byte) bool {
		if id, ok := ixID(ixConvNick, k); ok && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
		return len(ids) < maxCandidates
	})
	qb := []byte(q)
	if len(ids) >= maxCandidates { // enough nicks start with q: skip the substring pass
		qb = nil
	}
	scanKeys(txn, ixPrefix(ixConvNick), false, nil, func(k []byte) bool {
		if qb == nil {
			return false
		}
		rest := k[len(prefixIndex)+len(ixConvNick)+1:]
		if i := bytes.IndexByte(rest, 0); i > 0 && bytes.Contains(rest[:i], qb) {
			if id, ok := ixID(ixConvNick, k); ok && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		return len(ids) < 2*maxCandidates
	})
	cs, err := loadIDs[shop.Conversation](txn, shop.TypeConversation, ids)
	if err != nil {
		return nil, err
	}
	out := cs[:0]
	for _, c := range cs {
		if f.match(c, staff) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return convLess(out[i], out[j]) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// WaitingCount counts the conversations waiting for a reply.
func (db *DB) WaitingCount() (int, error) {
	n := 0
	err := db.view(func(txn *badger.Txn) error {
		scanKeys(txn, ixPrefix(ixConvWaiting), false, nil, func([]byte) bool { n++; return true })
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("localdb: waiting count: %w", err)
	}
	return n, nil
}

// Conversation returns one conversation.
func (db *DB) Conversation(id string) (shop.Conversation, error) {
	return getTyped[shop.Conversation](db, shop.TypeConversation, id)
}

// ConversationsOf lists a customer's conversations, newest last message first.
func (db *DB) ConversationsOf(customerID string) ([]shop.Conversation, error) {
	var out []shop.Conversation
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanIDs(txn, ixConvCustomer, ixValuePrefix(ixConvCustomer, customerID, true), false, func(id string) bool {
			ids = append(ids, id)
			return true
		})
		var err error
		out, err = loadIDs[shop.Conversation](txn, shop.TypeConversation, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: conversations of %s: %w", customerID, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LastAt.After(out[j].LastAt) })
	return out, nil
}

// Messages returns the limit (all when <= 0) newest messages of a conversation older than
// message `before` ("" = the newest), oldest first (ordered by At then ID). It reads only the
// messages it returns. A `before` that is not a message of the conversation is an error
// wrapping ErrNotFound.
func (db *DB) Messages(convID, before string, limit int) ([]shop.Message, error) {
	var out []shop.Message
	err := db.view(func(txn *badger.Txn) error {
		prefix := ixValuePrefix(ixMessageConv, convID, true)
		var seek []byte
		if before != "" {
			m, ok, err := load[shop.Message](txn, shop.TypeMessage, before)
			if err != nil {
				return err
			}
			if !ok || m.ConversationID != convID {
				return fmt.Errorf("message %s in conversation %s: %w", before, convID, ErrNotFound)
			}
			seek = ixKey(ixMessageConv, convID, m.At, before)
		}
		var ids []string
		scanKeys(txn, prefix, true, seek, func(k []byte) bool {
			if seek != nil && bytes.Equal(k, seek) {
				return true
			}
			if id, ok := ixID(ixMessageConv, k); ok {
				ids = append(ids, id)
			}
			return !full(len(ids), limit)
		})
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
		var err error
		out, err = loadIDs[shop.Message](txn, shop.TypeMessage, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: messages: %w", err)
	}
	return out, nil
}

// OrderFilter narrows SearchOrders. Zero fields do not filter.
type OrderFilter struct {
	Status     shop.OrderStatus
	Flag       *shop.Flag
	Payment    shop.Payment
	AfterSales bool // only orders with an after-sales case
}

func hasCase(txn *badger.Txn, orderID string) bool {
	found := false
	scanKeys(txn, ixValuePrefix(ixCaseOrder, orderID, true), false, nil, func([]byte) bool { found = true; return false })
	return found
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
// the order's creation time, so only the orders shown (and those the filters turn down) are
// read.
func (db *DB) SearchOrders(q string, f OrderFilter, limit int) ([]shop.Order, error) {
	var out []shop.Order
	err := db.view(func(txn *badger.Txn) error {
		q = lowerASCII(strings.TrimSpace(q))
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

// searchOrdersByKey gathers the orders whose number, nick, phone or receiver starts with q from
// the index keys alone, newest first by the creation time in the keys, then reads them in that
// order until limit orders pass the filters.
func searchOrdersByKey(txn *badger.Txn, q string, f OrderFilter, limit int, out *[]shop.Order) error {
	type candidate struct {
		id string
		at []byte // creation time as stored in the index key
	}
	var cands []candidate
	seen := map[string]bool{}
	collect := func(name string, prefix []byte) {
		n := 0
		scanKeys(txn, prefix, false, nil, func(k []byte) bool {
			if id, ok := ixID(name, k); ok && !seen[id] {
				seen[id] = true
				cands = append(cands, candidate{id, ixTime(name, k)})
			}
			n++
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
	for _, c := range cands {
		o, ok, err := load[shop.Order](txn, shop.TypeOrder, c.id)
		if err != nil {
			return err
		}
		if ok && f.match(txn, o) {
			*out = append(*out, o)
			if full(len(*out), limit) {
				break
			}
		}
	}
	return nil
}

// listOrders lists orders newest first through the most selective index the filter allows,
// checking the rest of the filter in memory.
func (db *DB) listOrders(txn *badger.Txn, f OrderFilter, limit int, out *[]shop.Order) error {
	name, prefix := ixOrderCreated, ixPrefix(ixOrderCreated)
	switch {
	case f.Payment == shop.PayCOD:
		name, prefix = ixOrderPayment, ixValuePrefix(ixOrderPayment, string(f.Payment), true)
	case f.Flag != nil && *f.Flag != shop.FlagGrey:
		name, prefix = ixOrderFlag, ixValuePrefix(ixOrderFlag, strconv.Itoa(int(*f.Flag)), true)
	case f.Status != "":
		name, prefix = ixOrderStatus, ixValuePrefix(ixOrderStatus, string(f.Status), true)
	case f.Payment != "":
		name, prefix = ixOrderPayment, ixValuePrefix(ixOrderPayment, string(f.Payment), true)
	case f.Flag != nil:
		name, prefix = ixOrderFlag, ixValuePrefix(ixOrderFlag, strconv.Itoa(int(*f.Flag)), true)
	}
	var ferr error
	scanned := 0
	scanIDs(txn, name, prefix, true, func(id string) bool {
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
	var out []shop.Order
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanIDs(txn, ixOrderCustomer, ixValuePrefix(ixOrderCustomer, customerID, true), true, func(id string) bool {
			ids = append(ids, id)
			return !full(len(ids), limit)
		})
		var err error
		out, err = loadIDs[shop.Order](txn, shop.TypeOrder, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: orders of %s: %w", customerID, err)
	}
	return out, nil
}

// Notes lists an order's notes, newest first.
func (db *DB) Notes(orderID string) ([]shop.OrderNote, error) {
	var out []shop.OrderNote
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanIDs(txn, ixNoteOrder, ixValuePrefix(ixNoteOrder, orderID, true), true, func(id string) bool {
			ids = append(ids, id)
			return true
		})
		var err error
		out, err = loadIDs[shop.OrderNote](txn, shop.TypeNote, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: notes of %s: %w", orderID, err)
	}
	return out, nil
}

// SearchProducts finds products by name substring, SKU prefix or exact barcode (ASCII
// case-insensitive) from the in-memory search index: exact SKU or barcode matches first, then
// prefix matches (SKU or name), then name substrings, by name within each; an empty q lists
// products by name. At most limit (all when <= 0). Pinyin finds Chinese names too (full,
// initials or a mix; see products.go). The products come from the index's own decoded copies.
func (db *DB) SearchProducts(q string, limit int) ([]shop.Product, error) {
	if err := db.products.wait(); err != nil {
		return nil, fmt.Errorf("localdb: product search: %w", err)
	}
	return db.products.search(lowerASCII(strings.TrimSpace(q)), limit), nil
}

// Product returns one product.
func (db *DB) Product(id string) (shop.Product, error) {
	return getTyped[shop.Product](db, shop.TypeProduct, id)
}

// SearchCustomers finds customers whose nick or name starts with q (ASCII case-insensitive) or
// whose phone starts with q's digits: exact matches first, then by nick (ASCII case-insensitive).
// An empty q lists customers by nick. At most limit (all when <= 0).
func (db *DB) SearchCustomers(q string, limit int) ([]shop.Customer, error) {
	var out []shop.Customer
	err := db.view(func(txn *badger.Txn) error {
		q = lowerASCII(strings.TrimSpace(q))
		var ids []string
		seen := map[string]bool{}
		collect := func(name string, prefix []byte, max int) {
			n := 0
			scanIDs(txn, name, prefix, false, func(id string) bool {
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

// ReviewFilter narrows Reviews. Zero fields do not filter; Query matches the buyer's nick or
// the review text (substring) or the order number (prefix), ASCII case-insensitive.
type ReviewFilter struct {
	Rating    shop.Rating
	Stars     int // 1..5: only reviews with exactly these stars
	State     shop.ReviewState
	ProductID string
	Query     string
}

func (f ReviewFilter) match(r shop.Review, q string) bool {
	if f.Rating != "" && r.Rating() != f.Rating {
		return false
	}
	if f.Stars != 0 && r.Stars != f.Stars {
		return false
	}
	if f.State != "" && r.State != f.State {
		return false
	}
	if f.ProductID != "" && r.ProductID != f.ProductID {
		return false
	}
	if q == "" {
		return true
	}
	return strings.Contains(lowerASCII(r.Nick), q) || strings.Contains(lowerASCII(r.Text), q) ||
		strings.HasPrefix(lowerASCII(r.OrderID), q)
}

// Reviews lists reviews for the inbox: unanswered ones first, then answered ones, newest first
// within each; at most limit (all when <= 0).
func (db *DB) Reviews(f ReviewFilter, limit int) ([]shop.Review, error) {
	var out []shop.Review
	err := db.view(func(txn *badger.Txn) error {
		q := lowerASCII(strings.TrimSpace(f.Query))
		var ferr error
		scanned := 0
		take := func(id string) bool {
			scanned++
			r, ok, err := load[shop.Review](txn, shop.TypeReview, id)
			if err != nil {
				ferr = err
				return false
			}
			if ok && f.match(r, q) {
				out = append(out, r)
			}
			return !full(len(out), limit) && scanned < maxFilterScan
		}
		scanIDs(txn, ixReviewOpen, ixPrefix(ixReviewOpen), true, take)
		if ferr == nil && !full(len(out), limit) && scanned < maxFilterScan {
			scanIDs(txn, ixReviewAnswer, ixPrefix(ixReviewAnswer), true, take)
		}
		return ferr
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: reviews: %w", err)
	}
	return out, nil
}

// Review returns one review.
func (db *DB) Review(id string) (shop.Review, error) {
	return getTyped[shop.Review](db, shop.TypeReview, id)
}

// EvidenceOf lists the evidence locked for a review, oldest first.
func (db *DB) EvidenceOf(reviewID string) ([]shop.Evidence, error) {
	var out []shop.Evidence
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanIDs(txn, ixEvidence, ixValuePrefix(ixEvidence, reviewID, true), false, func(id string) bool {
			ids = append(ids, id)
			return true
		})
		var err error
		out, err = loadIDs[shop.Evidence](txn, shop.TypeEvidence, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: evidence of %s: %w", reviewID, err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LockedAt.Before(out[j].LockedAt) })
	return out, nil
}

// Cases lists after-sales cases: unfinished ones first (needing attention first, then soonest
// due), then, unless openOnly, finished ones most recently moved first; at most limit (all
// when <= 0).
func (db *DB) Cases(openOnly bool, limit int) ([]shop.AfterSalesCase, error) {
	now := db.now()
	var out []shop.AfterSalesCase
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanIDs(txn, ixCaseOpen, ixPrefix(ixCaseOpen), false, func(id string) bool {
			ids = append(ids, id)
			return true
		})
		open, err := loadIDs[shop.AfterSalesCase](txn, shop.TypeCase, ids)
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
			out = out[:limit]
			return nil
		}
		if openOnly {
			return nil
		}
		ids = ids[:0]
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
	var out []shop.AfterSalesCase
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanIDs(txn, ixCaseOrder, ixValuePrefix(ixCaseOrder, orderID, true), false, func(id string) bool {
			ids = append(ids, id)
			return true
		})
		var err error
		out, err = loadIDs[shop.AfterSalesCase](txn, shop.TypeCase, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: cases of %s: %w", orderID, err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

// Case returns one after-sales case.
func (db *DB) Case(id string) (shop.AfterSalesCase, error) {
	return getTyped[shop.AfterSalesCase](db, shop.TypeCase, id)
}

// ComplaintsOf lists a customer's complaints, newest first.
func (db *DB) ComplaintsOf(customerID string) ([]shop.Complaint, error) {
	var out []shop.Complaint
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanIDs(txn, ixComplaintCust, ixValuePrefix(ixComplaintCust, customerID, true), true, func(id string) bool {
			ids = append(ids, id)
			return true
		})
		var err error
		out, err = loadIDs[shop.Complaint](txn, shop.TypeComplaint, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: complaints of %s: %w", customerID, err)
	}
	return out, nil
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
