package store

import "kefu/shop"

// Preloader is implemented by a Tx that can read ahead, in one round trip, what its caller is
// about to read: the server hands it a batch of mutations' ids and the entities they name
// before applying them, so that their Result and Record reads answer from memory instead of
// one round trip each (PostgreSQL). It changes nothing a read returns; an engine whose reads
// are cheap (Badger) does not implement it.
type Preloader interface {
	Preload(results []string, records []RecordKey) error
}

// RecordKey names an entity of a shop.
type RecordKey struct {
	Type shop.EntityType
	ID   string
}
