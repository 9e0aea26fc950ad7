package pgstore

import (
	"context"
	"time"

	"kefu/server/store"
	"kefu/shop"
)

var _ store.FeedReader = (*Store)(nil)

// ReadFeed implements store.FeedReader: pgRead.Feed on a pooled connection outside any
// transaction, so that each of its statements (one per pageRows records, a single one for a
// woken long poll) is one round trip that sees every commit before it (READ COMMITTED,
// autocommit). A View would add BEGIN with the counter's read before it and ROLLBACK after.
func (s *Store) ReadFeed(ctx context.Context, shopID string, after int64, fn func(shop.Record) bool) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	if s.feedByView {
		return s.View(ctx, shopID, func(tx store.ReadTx) error { return tx.Feed(after, fn) })
	}
	s.phases.feeds.Add(1)
	t0 := time.Now()
	defer add(&s.phases.feedTotal, t0)
	c, err := s.feeds.Acquire(ctx)
	if err != nil {
		return fail(ctx, "reading the feed", err)
	}
	add(&s.phases.feedAcquire, t0)
	defer c.Release()
	// A statement is atomic: a failure leaves no transaction open, and retrying it is the
	// caller's business, as for any read (no serialization failures outside a transaction).
	r := &pgRead{st: s, ctx: ctx, q: c.Conn(), shop: shopID}
	return r.Feed(after, fn)
}
