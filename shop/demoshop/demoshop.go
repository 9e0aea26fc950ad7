// Package demoshop generates a realistic Chinese online shop, 小熊童装旗舰店, a children's-clothing
// shop on Taobao, deterministically from a seed: staff, auto-replies and quick phrases, products
// with SKUs, barcodes and drifting stock, customers, orders in every state with their notes,
// after-sales cases, reviews, complaints and chats.
//
// The store server seeds `kefu-store --demo` and `kefu --demo` with the Small shop, so that a
// newcomer sees a shop with real work on every screen: unpaid orders to remind, addresses to
// check, cash-on-delivery calls to make, an exchange forgotten for three weeks, bad reviews to
// follow up and customers waiting in the chat. The benchmarks use the Large shop.
//
// Generate streams the records; it keeps only small per-customer and per-order summaries, so
// even the Large shop (about 1.3 million records) needs little memory. Dates are relative to
// the time passed in, so the demo always looks current.
//
// Ids: staff 1001 (王晓, owner), 1002 and 1003; customers u000001…; products p000001… with SKUs
// such as KD-000123-RED-120; orders are 16-digit platform numbers starting with the day they were
// placed; customer u000123 chats in conversation c000123 (older, closed conversations of the same
// customer, when a size has more conversations than customers, are c000123-1, c000123-2, …);
// cases as-000001…, reviews rv-000001…, complaints cp-000001…; order notes and chat messages
// have UUIDv7 ids made from their time, like the ones desks make.
package demoshop

import (
	"errors"
	"fmt"
	"time"

	"kefu/shop"
)

// ShopID is the id of the demo shop.
const ShopID = "demo"

// Size says how many of each record the demo shop has. Reviews, Cases and Complaints are upper
// bounds: there are only as many as the orders allow.
type Size struct {
	Customers          int
	Products           int
	VariantsPerProduct int // 1 to 40
	Orders             int
	// Conversations is the number of chats: one per chatting customer while there are at most
	// as many as customers; beyond that, customers also have older, closed conversations.
	Conversations int
	Messages      int // about; each conversation has at least one
	Reviews       int
	Cases         int
	Complaints    int
}

// Small is the demo shop of `kefu --demo`: every screen has work, and it loads in a moment.
var Small = Size{Customers: 300, Products: 40, VariantsPerProduct: 8, Orders: 600, Conversations: 120,
	Messages: 2000, Reviews: 80, Cases: 25, Complaints: 15}

// Large is the shop of the benchmarks: 50,000 SKUs, 100,000 orders and a million chat messages.
var Large = Size{Customers: 20_000, Products: 5_000, VariantsPerProduct: 10, Orders: 100_000, Conversations: 60_000,
	Messages: 1_000_000, Reviews: 5_000, Cases: 2_000, Complaints: 1_000}

// ErrSize is returned for a Size the generator cannot make.
var ErrSize = errors.New("demoshop: size out of range")

// Validate reports whether the generator can make a shop of this size.
func (s Size) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrSize}, args...)...)
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"customers", s.Customers}, {"products", s.Products}, {"variants per product", s.VariantsPerProduct},
		{"orders", s.Orders}, {"conversations", s.Conversations}, {"messages", s.Messages},
		{"reviews", s.Reviews}, {"cases", s.Cases}, {"complaints", s.Complaints}} {
		if f.n < 0 {
			return bad("%s is negative", f.name)
		}
	}
	switch {
	case s.Customers > 999_999:
		return bad("%d customers; at most 999,999", s.Customers)
	case s.Products > min(999_999, maxProducts()):
		return bad("%d products; at most %d", s.Products, min(999_999, maxProducts()))
	case s.Products > 0 && (s.VariantsPerProduct < 1 || s.VariantsPerProduct > 40):
		return bad("%d variants per product; 1 to 40", s.VariantsPerProduct)
	case s.Products*s.VariantsPerProduct > 1_000_000:
		return bad("%d SKUs; at most 1,000,000", s.Products*s.VariantsPerProduct)
	case s.Orders > 10_000_000:
		return bad("%d orders; at most 10,000,000", s.Orders)
	case s.Orders > 0 && (s.Customers == 0 || s.Products == 0):
		return bad("orders need customers and products")
	case s.Conversations > 5*s.Customers:
		return bad("%d conversations for %d customers; at most 5 per customer", s.Conversations, s.Customers)
	case s.Conversations > 0 && s.Products == 0:
		return bad("conversations need products to talk about")
	case s.Messages > 1000*s.Conversations:
		return bad("%d messages in %d conversations; at most 1,000 per conversation on average", s.Messages, s.Conversations)
	case s.Complaints > 0 && s.Orders == 0:
		return bad("complaints need orders")
	}
	return nil
}

// gen holds the generator's state: the catalog, customer profiles, and per-order and
// per-conversation summaries. Everything else is made when it is emitted.
type gen struct {
	size  Size
	seed  int64
	now   time.Time
	rules shop.AutoReplies

	products    []product
	bestsellers perm // product popularity rank → product

	customers []customer
	phones    perm
	buyers    perm // order-taking rank → customer: the first ranks buy most

	orderNums, trackNums perm
	orders               []orderSum
	reserved             []int32 // per SKU (product × VariantsPerProduct + variant)
	stats                []custStats

	convs        []convPlan
	waiting      int // conversations whose customer is waiting for an answer
	scenarioCust []int
	remindAt     map[int32]time.Time
	shipNoticeAt map[int32]time.Time

	reviewOrders    []int32
	cases           []plannedCase
	complaintOrders []int32
}

// Generate emits every record of the demo shop in dependency order (shop, staff, auto-replies,
// phrases, groups, products, customers, orders, notes, cases, reviews, evidence, complaints,
// conversations, messages), deterministically from seed; dates are relative to now. The records
// have Seq 0: the store assigns sequence numbers. Generate stops at the first error emit
// returns, and returns it wrapped.
func Generate(size Size, seed int64, now time.Time, emit func(shop.Record) error) error {
	if err := size.Validate(); err != nil {
		return err
	}
	g := &gen{size: size, seed: seed, now: now.Truncate(time.Second).In(shop.ShopZone)}
	g.rules = autoReplies(g.now)
	pr := newRNG(seed, streamPerm, 0)
	g.buyers = newPerm(&pr, uint64(max(size.Customers, 1)))
	g.orderNums = newPerm(&pr, 100_000_000)
	g.trackNums = newPerm(&pr, 100_000_000)

	g.buildCatalog()
	g.buildCustomers()
	g.pickChatters()
	g.planOrders()
	g.planConversations()
	g.planAfterSales()
	return g.emitAll(emit)
}

func (g *gen) emitAll(emit func(shop.Record) error) error {
	put := func(t shop.EntityType, id string, v any) error {
		if err := emit(shop.NewRecord(t, id, v)); err != nil {
			return fmt.Errorf("demoshop: emitting %s %s: %w", t, id, err)
		}
		return nil
	}
	if err := put(shop.TypeShop, ShopID, g.shopRecord()); err != nil {
		return err
	}
	for _, s := range g.staffRecords() {
		if err := put(shop.TypeStaff, s.ID(), s); err != nil {
			return err
		}
	}
	if err := put(shop.TypeAutoReply, g.rules.ID, g.rules); err != nil {
		return err
	}
	for _, p := range g.phraseRecords() {
		if err := put(shop.TypePhrase, p.ID, p); err != nil {
			return err
		}
	}
	for _, gr := range groupRecords() {
		if err := put(shop.TypeGroup, gr.ID, gr); err != nil {
			return err
		}
	}
	for p := range g.products {
		if err := put(shop.TypeProduct, g.products[p].ID, g.productRecord(p)); err != nil {
			return err
		}
	}
	for c := range g.customers {
		if err := put(shop.TypeCustomer, g.customers[c].ID, g.customerRecord(c)); err != nil {
			return err
		}
	}
	for i := range g.orders {
		p := g.planOrder(i)
		if err := put(shop.TypeOrder, p.o.ID, g.orderRecord(&p, i)); err != nil {
			return err
		}
	}
	for i := range g.orders {
		p := g.planOrder(i)
		for _, n := range p.notes {
			if err := put(shop.TypeNote, n.ID, n); err != nil {
				return err
			}
		}
	}
	for k := range g.cases {
		c := g.caseRecord(k)
		if err := put(shop.TypeCase, c.ID, c); err != nil {
			return err
		}
	}
	var evidence []shop.Evidence
	for k := range g.reviewOrders {
		rv, ev := g.reviewRecord(k)
		if err := put(shop.TypeReview, rv.ID, rv); err != nil {
			return err
		}
		evidence = append(evidence, ev...)
	}
	for _, e := range evidence {
		if err := put(shop.TypeEvidence, e.ID, e); err != nil {
			return err
		}
	}
	for k := range g.complaintOrders {
		c := g.complaintRecord(k)
		if err := put(shop.TypeComplaint, c.ID, c); err != nil {
			return err
		}
	}
	var buf []shop.Message
	for k := range g.convs {
		buf = g.messages(k, buf)
		c := g.conversationRecord(k, buf)
		if err := put(shop.TypeConversation, c.ID, c); err != nil {
			return err
		}
	}
	for k := range g.convs {
		buf = g.messages(k, buf)
		for _, m := range buf {
			if err := put(shop.TypeMessage, m.ID, m); err != nil {
				return err
			}
		}
	}
	return g.teamRecords(put)
}
