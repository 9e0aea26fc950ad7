package screens

import (
	"kefu/localdb"
	"kefu/shop"
)

// The interfaces below are what the screens need from the desk's local store. Their methods
// have the local store's signatures, so the store itself is passed in. Only the store's plain
// query types (filters, Problem) are used from package localdb; the screens never reach its
// storage.

// Writer records staff actions and reports which local changes still wait for the server.
type Writer interface {
	// Get decodes the entity's current local state into v (see shop.Reader).
	Get(t shop.EntityType, id string, v any) (version int64, found bool, err error)
	// Apply records a staff action in the local store and its outbox.
	Apply(m shop.Mutation) (shop.Outcome, error)
	// IsPending reports whether a not-yet-acknowledged mutation wrote the entity.
	IsPending(t shop.EntityType, id string) bool
	// OutboxLen is the number of mutations waiting for the server.
	OutboxLen() int
}

// ChatData is what the chat section reads.
type ChatData interface {
	Conversations(f localdb.ConversationFilter, staff string, query string, limit int) ([]shop.Conversation, error)
	Messages(convID, before string, limit int) ([]shop.Message, error)
	Customer(id string) (shop.Customer, error)
}

// OrderData is what the orders section reads.
type OrderData interface {
	SearchOrders(q string, f localdb.OrderFilter, limit int) ([]shop.Order, error)
	Notes(orderID string) ([]shop.OrderNote, error)
	CasesOf(orderID string) ([]shop.AfterSalesCase, error)
}

// StockData is what the stock section reads.
type StockData interface {
	SearchProducts(q string, limit int) ([]shop.Product, error)
	Product(id string) (shop.Product, error)
}

// ReviewData is what the reviews section reads.
type ReviewData interface {
	Reviews(f localdb.ReviewFilter, limit int) ([]shop.Review, error)
	Product(id string) (shop.Product, error)
}

// CustomerData is what the customers section reads.
type CustomerData interface {
	SearchCustomers(q string, limit int) ([]shop.Customer, error)
	Customer(id string) (shop.Customer, error)
	OrdersOf(customerID string, limit int) ([]shop.Order, error)
}

// StatusData is what the status bar and the problems dialog read.
type StatusData interface {
	WaitingCount() (int, error)
	Conversations(f localdb.ConversationFilter, staff string, query string, limit int) ([]shop.Conversation, error)
	Problems() ([]localdb.Problem, error)
	DismissProblem(mutationID string) error
}

// Data is everything the desk reads and writes; *localdb.DB satisfies it.
type Data interface {
	Writer
	ChatData
	ChatMoreData
	OrderData
	OrderWorkData
	StockData
	StockLowData
	ReviewData
	ReviewWorkData
	CustomerData
	CustomerWorkData
	StatusData
}
