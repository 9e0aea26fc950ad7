package screens

import (
	"context"
	"kefu/shop"
)

// ChatMoreData is what the chat workspace reads besides the conversations and messages: the
// shop and its staff, quick phrases and auto-replies, and what the customer panel shows.
type ChatMoreData interface {
	Shop(ctx context.Context) (shop.Shop, error)
	StaffList(ctx context.Context) ([]shop.Staff, error)
	Phrases(ctx context.Context, staff string) ([]shop.QuickPhrase, error)
	AutoReplies(ctx context.Context) (shop.AutoReplies, bool, error)
	OrdersOf(ctx context.Context, customerID string, limit int) ([]shop.Order, error)
	Notes(ctx context.Context, orderID string) ([]shop.OrderNote, error)
	CasesOf(ctx context.Context, orderID string) ([]shop.AfterSalesCase, error)
	ReviewsOf(ctx context.Context, customerID string, limit int) ([]shop.Review, error)
	SearchProducts(ctx context.Context, q string, limit int) ([]shop.Product, error)
	Product(ctx context.Context, id string) (shop.Product, error)
}
