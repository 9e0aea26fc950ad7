package imports

import (
	"fmt"
	"time"

	"kefu/shop"
)

// Kind is what a format's records are.
type Kind string

// The kinds of records.
const (
	KindOrder     Kind = "order"      // an order (its lines too when the file has them)
	KindOrderLine Kind = "order_line" // one line of an order, from an item report
	KindProduct   Kind = "product"    // a product and some of its variants
	KindStock     Kind = "stock"      // a SKU's warehouse stock
	KindCustomer  Kind = "customer"
	KindReview    Kind = "review"
)

// Record is one normalised record of a file: exactly one of its pointers is set, as Kind says.
type Record struct {
	Line     int // the file line it starts on
	Kind     Kind
	Order    *Order
	Item     *OrderLine
	Product  *Product
	Stock    *Stock
	Customer *Customer
	Review   *Review
}

// Order is an order as the platform exports it. Its ID is the platform's order number, Nick
// the buyer's identity there (Taobao's 买家会员名, Shopify's email).
type Order struct {
	ID           string
	Source       string // taobao, shopify …
	Nick         string
	CustomerName string
	Status       shop.OrderStatus
	Payment      shop.Payment
	Total        shop.Cents // what the buyer pays, as the platform says
	Shipping     shop.Cents
	Address      shop.Address
	Courier      string
	Tracking     string
	CreatedAt    time.Time
	PaidAt       time.Time
	ShippedAt    time.Time
	CloseReason  string
	BuyerMessage string
	Memo         string // the seller memo (订单备注)
	// Items are the order's lines when the file carries them (Shopify); nil when they come
	// from another file (Taobao's item report).
	Items []shop.OrderItem
}

// OrderLine is one line of an order from an item report (宝贝报表).
type OrderLine struct {
	OrderID string
	Source  string
	Status  shop.OrderStatus // "" when the report has no status
	Item    shop.OrderItem
}

// Product is a product as a platform lists it. Key is the platform's product identity (a
// Shopify handle, a WooCommerce parent); variants are keyed by SKU code.
type Product struct {
	Key      string
	Source   string
	Name     string
	Category string
	URL      string
	// Variants carry SKU, Barcode, Color, Size, Price and Listed; warehouse stock is the ERP's.
	Variants []shop.Variant
	// VariantsOnly says the record adds variants to a product named elsewhere (a WooCommerce
	// variation): Name and Category are not the product's.
	VariantsOnly bool
}

// Stock is a SKU's stock from an ERP sheet: in the warehouse, and reserved by orders.
type Stock struct {
	SKU         string
	Barcode     string
	Warehouse   int
	Reserved    int
	HasReserved bool
}

// Customer is a buyer as a platform or Kefu's template lists them.
type Customer struct {
	Source   string
	Nick     string // the identity: Taobao nick, Shopify email
	Name     string
	Phone    string
	City     string
	Birthday string
	VIP      int
	HasVIP   bool
	Tags     []string
	Sizes    string
	Styles   string
	Memo     string
}

// Review is a buyer's review of an order (Kefu's template).
type Review struct {
	Source  string
	OrderID string
	Nick    string
	SKU     string
	Stars   int
	Text    string
	At      time.Time
}

// Refusal is a row that was not imported: the file, its line, the column and why.
type Refusal struct {
	File   string
	Line   int
	Column string
	Reason string
}

// String is the refusal as FILE:LINE: column: reason.
func (r Refusal) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", r.File, r.Line, r.Column, r.Reason)
}
