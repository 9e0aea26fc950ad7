package screens

import (
	"kefu/shop"
)

// ChatMoreData is what the chat workspace reads besides the conversations and messages: the
// shop and its staff, quick phrases and auto-replies, and what the customer panel shows.
type ChatMoreData interface {
	Shop() (shop.Shop, error)
	StaffList() ([]shop.Staff, error)
	Phrases(staff string) ([]shop.QuickPhrase, error)
	AutoReplies() (shop.AutoReplies, bool, error)
	OrdersOf(customerID string, limit int) ([]shop.Order, error)
	Notes(orderID string) ([]shop.OrderNote, error)
	CasesOf(orderID string) ([]shop.AfterSalesCase, error)
	ReviewsOf(customerID string, limit int) ([]shop.Review, error)
	SearchProducts(q string, limit int) ([]shop.Product, error)
	Product(id string) (shop.Product, error)
}
