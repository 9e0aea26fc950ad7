package screens

import (
	"context"

	"kefu/shop"
)

// StockLowData is what the stock section's low-stock list reads.
type StockLowData interface {
	// LowStockProducts lists the products at or under their low-stock threshold, by name.
	LowStockProducts(ctx context.Context, limit int) ([]shop.Product, error)
}

// stockSource is everything the stock section reads.
type stockSource interface {
	StockData
	StockLowData
}
