package screens

import (
	"context"
	"time"

	"kefu/desk"
	"kefu/shop"
)

// The interfaces below are what the screens need from the running desk (*desk.Desk satisfies
// them all). Their queries are ctx-first and use the desk's filter and result types; the
// screens never reach the storage behind them.

// Writer records staff actions and reports which local changes still wait for the server.
type Writer interface {
	// Get decodes the entity's current local state into v (see shop.Reader).
	Get(ctx context.Context, t shop.EntityType, id string, v any) (version int64, found bool, err error)
	// Apply records a staff action, wakes sync and returns what it did; a conflict comes back
	// in the outcome.
	Apply(ctx context.Context, a desk.Action) (shop.Outcome, error)
	// IsPending reports whether a not-yet-acknowledged mutation wrote the entity.
	IsPending(t shop.EntityType, id string) bool
	// OutboxLen is the number of mutations waiting for the server.
	OutboxLen() int
}

// ChatData is what the chat section reads.
type ChatData interface {
	Conversations(ctx context.Context, f desk.ConversationFilter, staff string, query string, limit int) ([]shop.Conversation, error)
	Messages(ctx context.Context, convID, before string, limit int) ([]shop.Message, error)
	Customer(ctx context.Context, id string) (shop.Customer, error)
}

// OrderData is what the orders section reads.
type OrderData interface {
	SearchOrderRows(ctx context.Context, q string, f desk.OrderFilter, limit int) ([]desk.OrderRow, error)
	Notes(ctx context.Context, orderID string) ([]shop.OrderNote, error)
	CasesOf(ctx context.Context, orderID string) ([]shop.AfterSalesCase, error)
}

// StockData is what the stock section reads.
type StockData interface {
	SearchProducts(ctx context.Context, q string, limit int) ([]shop.Product, error)
	Product(ctx context.Context, id string) (shop.Product, error)
}

// ReviewData is what the reviews section reads.
type ReviewData interface {
	Reviews(ctx context.Context, f desk.ReviewFilter, limit int) ([]shop.Review, error)
	Product(ctx context.Context, id string) (shop.Product, error)
}

// CustomerData is what the customers section reads.
type CustomerData interface {
	SearchCustomers(ctx context.Context, q string, limit int) ([]shop.Customer, error)
	Customer(ctx context.Context, id string) (shop.Customer, error)
	OrdersOf(ctx context.Context, customerID string, limit int) ([]shop.Order, error)
}

// StatusData is what the status bar and the problems dialog read.
type StatusData interface {
	WaitingCount(ctx context.Context) (int, error)
	Conversations(ctx context.Context, f desk.ConversationFilter, staff string, query string, limit int) ([]shop.Conversation, error)
	Problems(ctx context.Context) ([]desk.Problem, error)
	DismissProblem(ctx context.Context, mutationID string) error
}

// JobData is how the screens start and follow the desk's background jobs: bulk sends,
// birthday greetings and shipment notices.
type JobData interface {
	SendBulk(title string, p desk.BulkPlan)
	Sending() bool
	SetJobProgress(fn func(desk.JobProgress))
	SetBirthdays(r desk.BirthdayRule)
	BirthdaysDue(ctx context.Context, r desk.BirthdayRule, now time.Time) ([]shop.Customer, error)
	SendBirthdays(ctx context.Context, r desk.BirthdayRule) (int, error)
	SetShipNotices(s desk.ShipNotices)
	OrderText(ctx context.Context, shortcut, fallback string, ord shop.Order) string
}

// Data is everything the desk reads and writes; *desk.Desk satisfies it.
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
	JobData
	ImportData
	ChannelData
	ChannelAdmin
	TeamWorkData
}

var _ Data = (*desk.Desk)(nil)
