package server

import (
	"context"
	"errors"

	"kefu/server/store"
)

// Several servers on one store: when the store is a store.Watcher (PostgreSQL), the server
// learns of the commits made through the others and wakes its long polls for them (the feed's
// and the customer chat's), which then re-read the feed by cursor.

// watchStore starts following the store's commits, when it can tell of them, until Close.
func (s *Server) watchStore() {
	w, ok := s.store.(store.Watcher)
	if !ok {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.inflight.Add(1) // Close waits for Watch to return before it closes the store
	go func() {
		<-s.closing
		cancel()
	}()
	go func() {
		defer s.inflight.Done()
		if err := w.Watch(ctx, s.committedElsewhere); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, store.ErrClosed) {
			s.log.Warn("watching the store for other servers' commits", "err", err)
		}
	}()
}

// committedElsewhere publishes a commit the store told of. Only shops this server holds in
// memory need it: another loads its newest seq from the store when first used.
func (s *Server) committedElsewhere(shopID string, seq int64) {
	s.mu.Lock()
	_, ok := s.shops[shopID]
	s.mu.Unlock()
	if ok {
		s.publish(shopID, seq)
	}
}
