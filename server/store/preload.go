package store

import (
	"context"

	"kefu/shop"
)

// PreloadUpdater is implemented by a store whose Update can read ahead, in the round trip
// that begins the transaction, what fn is about to read: the server hands it a batch of
// mutations' ids and the entities they name, so that their Result and Record reads answer
// from memory instead of one round trip each (PostgreSQL), and the shop's lock is held for
// fewer round trips. It is Update otherwise; an engine whose reads are cheap (Badger) does
// not implement it.
type PreloadUpdater interface {
	UpdatePreloaded(ctx context.Context, shopID string, results []string, records []RecordKey, fn func(Tx) error) error
}

// RecordKey names an entity of a shop.
type RecordKey struct {
	Type shop.EntityType
	ID   string
}
