package desk

import (
	"context"
	"encoding/json"
	"time"

	"kefu/localdb"
	"kefu/shop"
)

// read runs one query of the local store unless ctx is done, and sorts its failure.
func read[T any](ctx context.Context, q func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	v, err := q()
	if err != nil {
		return zero, classify(err)
	}
	return v, nil
}

// ConversationFilter selects conversations for the chat list.
type ConversationFilter string

// Conversation filters.
const (
	FilterWaiting ConversationFilter = "waiting" // waiting for an answer and not closed
	FilterMine    ConversationFilter = "mine"    // assigned to the staff member (closed ones too)
	FilterAll     ConversationFilter = "all"     // not closed
	FilterClosed  ConversationFilter = "closed"  // closed
)

// OrderFilter narrows SearchOrders. Zero fields do not filter.
type OrderFilter struct {
	Status     shop.OrderStatus
	Flag       *shop.Flag
	Payment    shop.Payment
	AfterSales bool // only orders with an after-sales case
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

// ProblemStatus is how the server answered a pushed mutation it did not apply.
type ProblemStatus string

// Problem statuses.
const (
	ProblemConflict ProblemStatus = "conflict" // the entity had changed: nothing was done
	ProblemRejected ProblemStatus = "rejected" // the server refused it, with a reason
)

// Problem is a pushed mutation the server did not apply, kept for the staff member to see.
type Problem struct {
	MutationID string
	Kind       shop.Kind
	Entity     string
	Status     ProblemStatus
	Reason     string          // for rejected
	By         string          // staff number that made the state it conflicted with
	At         time.Time       // when that state was made (else when the answer came)
	Data       json.RawMessage // the mutation's payload
	Current    []shop.Record   // the server's state it conflicted with
}

// Get decodes an entity's current local state into v (see shop.Reader) and returns its version.
func (d *Desk) Get(ctx context.Context, t shop.EntityType, id string, v any) (version int64, found bool, err error) {
	if err := ctx.Err(); err != nil {
		return 0, false, err
	}
	version, found, err = d.db.Get(t, id, v)
	return version, found, classify(err)
}

// Version is the local version of an entity, 0 when it is unknown (the base of an action).
func (d *Desk) Version(ctx context.Context, t shop.EntityType, id string) int64 {
	var raw json.RawMessage
	v, _, err := d.Get(ctx, t, id, &raw)
	if err != nil {
		return 0
	}
	return v
}

// IsPending reports whether an action not yet acknowledged by the server wrote the entity.
func (d *Desk) IsPending(t shop.EntityType, id string) bool { return d.db.IsPending(t, id) }

// OutboxLen is the number of actions waiting for the server.
func (d *Desk) OutboxLen() int { return d.db.OutboxLen() }

// Shop is the shop's profile.
func (d *Desk) Shop(ctx context.Context) (shop.Shop, error) { return read(ctx, d.db.Shop) }

// StaffList lists the shop's staff.
func (d *Desk) StaffList(ctx context.Context) ([]shop.Staff, error) { return read(ctx, d.db.StaffList) }

// Conversations lists up to limit conversations (all when limit <= 0) for the chat list:
// waiting ones first, longest wait first, then the others, newest message first. staff is
// whose "mine" is; query keeps the conversations whose nick starts with or contains it.
func (d *Desk) Conversations(ctx context.Context, f ConversationFilter, staff, query string, limit int) ([]shop.Conversation, error) {
	return read(ctx, func() ([]shop.Conversation, error) {
		return d.db.Conversations(localdb.ConversationFilter(f), staff, query, limit)
	})
}

// WaitingCount is the number of conversations waiting for an answer.
func (d *Desk) WaitingCount(ctx context.Context) (int, error) { return read(ctx, d.db.WaitingCount) }

// ConversationsOf lists a customer's conversations, most recent first.
func (d *Desk) ConversationsOf(ctx context.Context, customerID string) ([]shop.Conversation, error) {
	return read(ctx, func() ([]shop.Conversation, error) { return d.db.ConversationsOf(customerID) })
}

// Messages lists up to limit messages of a conversation before message id before ("" for
// the newest), oldest first.
func (d *Desk) Messages(ctx context.Context, convID, before string, limit int) ([]shop.Message, error) {
	return read(ctx, func() ([]shop.Message, error) { return d.db.Messages(convID, before, limit) })
}

// SearchOrders finds orders by number, buyer nick, phone or receiver (prefixes); an empty q
// lists orders newest first. At most limit (all when <= 0).
func (d *Desk) SearchOrders(ctx context.Context, q string, f OrderFilter, limit int) ([]shop.Order, error) {
	return read(ctx, func() ([]shop.Order, error) {
		return d.db.SearchOrders(q, localdb.OrderFilter{Status: f.Status, Flag: f.Flag, Payment: f.Payment, AfterSales: f.AfterSales}, limit)
	})
}

// OrderRow is what a line of an order list shows of an order (see localdb.OrderRow).
type OrderRow = localdb.OrderRow

// SearchOrderRows is SearchOrders giving the orders' list rows: a lookup by number, nick, phone
// or receiver reads them from the store's index keys alone, without reading the orders (open
// one with Order).
func (d *Desk) SearchOrderRows(ctx context.Context, q string, f OrderFilter, limit int) ([]OrderRow, error) {
	return read(ctx, func() ([]OrderRow, error) {
		return d.db.SearchOrderRows(q, localdb.OrderFilter{Status: f.Status, Flag: f.Flag, Payment: f.Payment, AfterSales: f.AfterSales}, limit)
	})
}

// RowOf is the list row of a full order (a work list's orders shown with the lookups' rows).
func RowOf(o shop.Order) OrderRow { return localdb.RowOf(o) }

// Order is one order.
func (d *Desk) Order(ctx context.Context, id string) (shop.Order, error) {
	return read(ctx, func() (shop.Order, error) { return d.db.Order(id) })
}

// OrdersOf lists up to limit orders of a customer, newest first.
func (d *Desk) OrdersOf(ctx context.Context, customerID string, limit int) ([]shop.Order, error) {
	return read(ctx, func() ([]shop.Order, error) { return d.db.OrdersOf(customerID, limit) })
}

// Notes lists an order's notes, oldest first.
func (d *Desk) Notes(ctx context.Context, orderID string) ([]shop.OrderNote, error) {
	return read(ctx, func() ([]shop.OrderNote, error) { return d.db.Notes(orderID) })
}

// AddressToCheck lists up to limit paid orders whose address nobody checked yet.
func (d *Desk) AddressToCheck(ctx context.Context, limit int) ([]shop.Order, error) {
	return read(ctx, func() ([]shop.Order, error) { return d.db.AddressToCheck(limit) })
}

// CODToConfirm lists up to limit cash-on-delivery orders nobody confirmed by phone yet.
func (d *Desk) CODToConfirm(ctx context.Context, limit int) ([]shop.Order, error) {
	return read(ctx, func() ([]shop.Order, error) { return d.db.CODToConfirm(limit) })
}

// ShippedSince lists up to limit orders shipped since a time that have had no shipment notice.
func (d *Desk) ShippedSince(ctx context.Context, since time.Time, limit int) ([]shop.Order, error) {
	return read(ctx, func() ([]shop.Order, error) { return d.db.ShippedSince(since, limit) })
}

// Cases lists up to limit after-sales cases (only open ones when openOnly).
func (d *Desk) Cases(ctx context.Context, openOnly bool, limit int) ([]shop.AfterSalesCase, error) {
	return read(ctx, func() ([]shop.AfterSalesCase, error) { return d.db.Cases(openOnly, limit) })
}

// CasesOf lists an order's after-sales cases.
func (d *Desk) CasesOf(ctx context.Context, orderID string) ([]shop.AfterSalesCase, error) {
	return read(ctx, func() ([]shop.AfterSalesCase, error) { return d.db.CasesOf(orderID) })
}

// CasesNeedingAttention counts the open after-sales cases that need attention at now.
func (d *Desk) CasesNeedingAttention(ctx context.Context, now time.Time) (int, error) {
	return read(ctx, func() (int, error) { return d.db.CasesNeedingAttention(now) })
}

// SearchProducts finds up to limit products by name (pinyin and its initials too), SKU or
// barcode, best match first.
func (d *Desk) SearchProducts(ctx context.Context, q string, limit int) ([]shop.Product, error) {
	return read(ctx, func() ([]shop.Product, error) { return d.db.SearchProducts(q, limit) })
}

// ProductName is a product's id and name (see localdb.ProductName).
type ProductName = localdb.ProductName

// ProductNames lists every product's id and name, by name: for a product filter, which needs
// no more of each product.
func (d *Desk) ProductNames(ctx context.Context) ([]ProductName, error) {
	return read(ctx, d.db.ProductNames)
}

// Product is one product.
func (d *Desk) Product(ctx context.Context, id string) (shop.Product, error) {
	return read(ctx, func() (shop.Product, error) { return d.db.Product(id) })
}

// LowStockProducts lists up to limit products at or under their low-stock threshold, by name.
func (d *Desk) LowStockProducts(ctx context.Context, limit int) ([]shop.Product, error) {
	return read(ctx, func() ([]shop.Product, error) { return d.db.LowStockProducts(limit) })
}

// SearchCustomers finds up to limit customers by nick, name or phone.
func (d *Desk) SearchCustomers(ctx context.Context, q string, limit int) ([]shop.Customer, error) {
	return read(ctx, func() ([]shop.Customer, error) { return d.db.SearchCustomers(q, limit) })
}

// Customer is one customer.
func (d *Desk) Customer(ctx context.Context, id string) (shop.Customer, error) {
	return read(ctx, func() (shop.Customer, error) { return d.db.Customer(id) })
}

// CustomerStats is a customer's figures from all their orders.
func (d *Desk) CustomerStats(ctx context.Context, customerID string) (shop.CustomerStats, error) {
	return read(ctx, func() (shop.CustomerStats, error) { return d.db.CustomerStats(customerID) })
}

// Groups lists the customer groups.
func (d *Desk) Groups(ctx context.Context) ([]shop.Group, error) { return read(ctx, d.db.Groups) }

// ComplaintsOf lists a customer's complaints.
func (d *Desk) ComplaintsOf(ctx context.Context, customerID string) ([]shop.Complaint, error) {
	return read(ctx, func() ([]shop.Complaint, error) { return d.db.ComplaintsOf(customerID) })
}

// Complaints lists the complaints created in [from, to) (zero bounds do not limit), newest first.
func (d *Desk) Complaints(ctx context.Context, from, to time.Time) ([]shop.Complaint, error) {
	return read(ctx, func() ([]shop.Complaint, error) { return d.db.Complaints(from, to) })
}

// Reviews lists up to limit reviews for the inbox: unanswered ones first, newest first.
func (d *Desk) Reviews(ctx context.Context, f ReviewFilter, limit int) ([]shop.Review, error) {
	return read(ctx, func() ([]shop.Review, error) {
		return d.db.Reviews(localdb.ReviewFilter{Rating: f.Rating, Stars: f.Stars, State: f.State, ProductID: f.ProductID, Query: f.Query}, limit)
	})
}

// Review is one review.
func (d *Desk) Review(ctx context.Context, id string) (shop.Review, error) {
	return read(ctx, func() (shop.Review, error) { return d.db.Review(id) })
}

// ReviewsOf lists up to limit reviews of a customer, newest first.
func (d *Desk) ReviewsOf(ctx context.Context, customerID string, limit int) ([]shop.Review, error) {
	return read(ctx, func() ([]shop.Review, error) { return d.db.ReviewsOf(customerID, limit) })
}

// ReviewReminders lists up to limit neutral and bad reviews nobody touched for after at now.
func (d *Desk) ReviewReminders(ctx context.Context, now time.Time, after time.Duration, limit int) ([]shop.Review, error) {
	return read(ctx, func() ([]shop.Review, error) { return d.db.ReviewReminders(now, after, limit) })
}

// UntouchedReviews counts the neutral and bad reviews nobody touched for after at now, from the
// store's index keys alone (cheap enough for the status bar).
func (d *Desk) UntouchedReviews(ctx context.Context, now time.Time, after time.Duration) (int, error) {
	return read(ctx, func() (int, error) { return d.db.UntouchedReviews(now, after) })
}

// EvidenceOf lists the evidence kept for a review.
func (d *Desk) EvidenceOf(ctx context.Context, reviewID string) ([]shop.Evidence, error) {
	return read(ctx, func() ([]shop.Evidence, error) { return d.db.EvidenceOf(reviewID) })
}

// Phrases lists the quick phrases a staff member sees (the shop's and their own).
func (d *Desk) Phrases(ctx context.Context, staff string) ([]shop.QuickPhrase, error) {
	return read(ctx, func() ([]shop.QuickPhrase, error) { return d.db.Phrases(staff) })
}

// AutoReplies is the shop's first-contact auto-reply, and whether one is set.
func (d *Desk) AutoReplies(ctx context.Context) (shop.AutoReplies, bool, error) {
	if err := ctx.Err(); err != nil {
		return shop.AutoReplies{}, false, err
	}
	r, ok, err := d.db.AutoReplies()
	return r, ok, classify(err)
}

// Problems lists the pushed actions the server did not apply, for the staff member to see.
func (d *Desk) Problems(ctx context.Context) ([]Problem, error) {
	ps, err := read(ctx, d.db.Problems)
	if err != nil {
		return nil, err
	}
	out := make([]Problem, len(ps))
	for i, p := range ps {
		out[i] = Problem{MutationID: p.MutationID, Kind: p.Kind, Entity: p.Entity, Status: ProblemStatus(p.Status),
			Reason: p.Reason, By: p.By, At: p.At, Data: p.Data, Current: p.Current}
	}
	return out, nil
}

// DismissProblem removes a problem the staff member has seen.
func (d *Desk) DismissProblem(ctx context.Context, mutationID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return classify(d.db.DismissProblem(mutationID))
}

// ResetCache drops the desk's copy of the shop, keeping the actions still waiting for the
// server, so that the sync engine downloads the shop again.
func (d *Desk) ResetCache(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := d.db.ResetCache(); err != nil {
		return classify(err)
	}
	d.kick()
	return nil
}
