package store

import (
	"context"

	"kefu/shop"
)

// FeedReader is implemented by a store that can read a shop's change feed without a
// transaction: PostgreSQL answers a long poll's read in one round trip (the feed's SELECT on
// its own) where View+Feed takes three (BEGIN with the counter's read, the SELECT, the
// ROLLBACK). The server uses it to read the feed up to a seq it knows is committed (a
// published seq, see the server's readChanges); an engine whose snapshots are cheap (Badger)
// does not implement it, and the server uses View+Feed.
type FeedReader interface {
	// ReadFeed calls fn like ReadTx.Feed(after, fn) in a View of shop shopID: records in
	// strictly increasing seq order, each entity once at its latest state, tombstones
	// included, until fn returns false or the feed ends. fn must not call the store.
	//
	// The reads need not be one snapshot: each statement sees every Update committed
	// before it began. So every record an Update committed before ReadFeed began, with a
	// seq greater than after, comes to fn, or a later state of its entity does (with a
	// greater seq) unless fn stopped first. For a reader that stops at a seq upto every
	// commit up to which is known to have committed before the call (what the server does),
	// that is what View+Feed gives: a change up to upto that fn does not get was replaced by
	// one after upto, which the next read from its cursor gets. Errors and contexts as for
	// View.
	ReadFeed(ctx context.Context, shopID string, after int64, fn func(shop.Record) bool) error
}

// RecentFeed is implemented by a store that keeps its shops' newest commits in memory, as
// PostgreSQL does for the commits of every server on the database (their notifications carry
// the records), so that a long poll woken by a commit is answered without a read.
type RecentFeed interface {
	// ReadRecent calls fn, as ReadFeed(shopID, after, fn) read up to seq upto would, with
	// the records of shop shopID's feed in (after, upto], in increasing seq order, each
	// entity once at its latest state up to upto, and reports true; it calls nothing and
	// reports false unless it holds every commit of that range. upto must be a published
	// seq (every commit up to it is durable). An entity changed again after upto comes at
	// its state up to upto, where a read of the store would skip it (its newer state comes
	// after upto): both are what a reader that goes on from upto ends with. fn must not call
	// the store.
	ReadRecent(shopID string, after, upto int64, fn func(shop.Record) bool) bool
}
