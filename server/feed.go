package server

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// The change feed and its wake-ups: the server keeps every shop's newest durable seq in
// memory with a channel that is closed (and replaced) when it grows, so that long polls of
// the feed and of the customer chat wake without polling the store.

// maxPageBytes caps the record data of one page of changes, as limit caps its records: a page
// that reaches either inside a commit carries on to the commit's last record in the feed (a
// page ends only between commits, so a desk never applies half of one), and so always holds
// at least one commit; More says when it stopped early. The server's own big writers (imports,
// demo seeding) commit in chunks, so that a commit, and so a page, stays bounded.
const maxPageBytes = 8 << 20

// shopState is what the server keeps in memory per shop: the newest seq and the channel that
// is closed (and replaced) when it grows, so that long polls wake without polling.
type shopState struct {
	mu      sync.Mutex
	seq     int64 // newest published seq: every change up to it is durable
	changed chan struct{}
	page    pageCache
	// pageBytes is the size of the last page of changes read, which the next one starts
	// with as its buffer's capacity (pages of a full sync are alike).
	pageBytes atomic.Int64
}

func (s *Server) raiseMax(seq int64) {
	for {
		cur := s.maxSeq.Load()
		if seq <= cur || s.maxSeq.CompareAndSwap(cur, seq) {
			break
		}
	}
	s.metrics.feedSeq.Set(float64(s.maxSeq.Load()))
}

// state returns the in-memory state of a shop, loading its seq on first use.
func (s *Server) state(ctx context.Context, shopID string) (*shopState, error) {
	s.mu.Lock()
	st, ok := s.shops[shopID]
	if !ok {
		st = &shopState{changed: make(chan struct{})}
		s.shops[shopID] = st
		st.mu.Lock() // loaded below, before anyone else uses it
	}
	s.mu.Unlock()
	if ok {
		return st, nil
	}
	defer st.mu.Unlock()
	err := s.store.View(ctx, shopID, func(tx store.ReadTx) error {
		var err error
		st.seq, err = tx.Seq()
		return err
	})
	if err != nil {
		s.mu.Lock()
		delete(s.shops, shopID)
		s.mu.Unlock()
		return nil, err
	}
	return st, nil
}

// watch returns the shop's newest seq and a channel closed when a newer one is committed.
func (st *shopState) watch() (int64, <-chan struct{}) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.seq, st.changed
}

// publish records that shopID's feed reached seq and wakes its long polls. It runs after the
// commit whatever the caller's context says: a durable change is always announced.
func (s *Server) publish(shopID string, seq int64) {
	st, err := s.state(context.Background(), shopID)
	if err != nil {
		s.log.Warn("publishing change", "shop", shopID, "err", err)
		return
	}
	st.mu.Lock()
	if seq > st.seq {
		st.seq = seq
		close(st.changed)
		st.changed = make(chan struct{})
	}
	st.mu.Unlock()
	s.raiseMax(seq)
}

// waitChange waits until changed is closed (true), or wait ends, ctx ends or the server
// closes (false), counting the waiter in the long-poll gauge. timer is made on first use and
// kept across calls, so that one request waits at most wait in all.
func (s *Server) waitChange(ctx context.Context, changed <-chan struct{}, timer **time.Timer, wait time.Duration) bool {
	if *timer == nil {
		*timer = time.NewTimer(wait)
	}
	s.metrics.waiting.Inc()
	defer s.metrics.waiting.Dec()
	select {
	case <-changed:
		return true
	case <-(*timer).C:
	case <-ctx.Done():
	case <-s.closing:
	}
	return false
}

// changes reads the shop's feed after seq, up to the newest published seq, as the JSON of a
// storeapi.ChangesResponse; with wait > 0 and nothing to read it waits for a change until wait
// ends, the request ends or the server closes.
func (s *Server) changes(ctx context.Context, shopID string, after int64, limit int, wait time.Duration) ([]byte, error) {
	st, err := s.state(ctx, shopID)
	if err != nil {
		return nil, err
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		newest, changed := st.watch()
		if newest > after || wait <= 0 {
			return s.readChanges(ctx, st, shopID, after, limit, newest)
		}
		if s.waitChange(ctx, changed, &timer, wait) {
			continue
		}
		return json.Marshal(storeapi.ChangesResponse{Changes: []shop.Record{}, Next: after, Total: newest})
	}
}

// pageCache is the last page of changes a shop served. When a change wakes many long polls
// from the same cursor (every desk of the shop was up to date), the first one reads and
// encodes the page and the others wait for it and send the same bytes.
type pageCache struct {
	mu    sync.Mutex
	key   pageKey
	ready chan struct{} // closed when body and err for key are set; nil before the first page
	body  []byte
	err   error
}

type pageKey struct {
	after, upto int64 // upto: the published seq the page is read at
	limit       int
}

// get returns the page for key, computing it with read unless it is (being) computed already.
func (c *pageCache) get(key pageKey, read func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if c.ready != nil && c.key == key {
		ready := c.ready
		c.mu.Unlock()
		<-ready
		c.mu.Lock()
		// The same computation: another for the same key may have begun since, body nil.
		body, err, same := c.body, c.err, c.ready == ready
		c.mu.Unlock()
		if same && err == nil {
			return body, nil
		}
		return read()
	}
	ready := make(chan struct{})
	c.key, c.ready, c.body, c.err = key, ready, nil, nil
	c.mu.Unlock()
	body, err := read()
	c.mu.Lock()
	if c.ready == ready {
		c.body, c.err = body, err
	}
	c.mu.Unlock()
	close(ready)
	return body, err
}

// readChanges encodes one page of the shop's feed after seq after, holding the changes up to
// seq upto (the published seq; later commits are not durable yet).
func (s *Server) readChanges(ctx context.Context, st *shopState, shopID string, after int64, limit int, upto int64) ([]byte, error) {
	return st.page.get(pageKey{after: after, upto: upto, limit: limit}, func() ([]byte, error) {
		var page changesPage
		if upto-after >= int64(limit) { // a full page is likely: start at the last one's size
			page.b = make([]byte, 0, min(st.pageBytes.Load()+st.pageBytes.Load()/8+64, maxPageBytes+1<<20))
		}
		page.begin(after, upto)
		err := s.readFeed(ctx, shopID, after, upto, func(rec shop.Record) bool {
			if rec.Seq > upto {
				return false
			}
			if !page.fits(rec, limit, maxPageBytes) {
				page.more = true
				return false
			}
			page.add(rec)
			return true
		})
		if err != nil {
			return nil, err
		}
		body := page.end()
		if page.n >= limit {
			st.pageBytes.Store(int64(len(body)))
		}
		return body, nil
	})
}

// readFeed calls fn with shopID's feed after seq after, for a reader that stops past the
// published seq upto: from the store's memory of its newest commits when it holds all of
// (after, upto] (store.RecentFeed: no read at all), else through its FeedReader (one round
// trip per page on PostgreSQL, no transaction) or, when it has none, in a View. Every change
// up to upto committed before the read: what FeedReader's reads (not one snapshot) need to give
// what a View gives.
func (s *Server) readFeed(ctx context.Context, shopID string, after, upto int64, fn func(shop.Record) bool) error {
	if rf, ok := s.store.(store.RecentFeed); ok && rf.ReadRecent(shopID, after, upto, fn) {
		return nil
	}
	if fr, ok := s.store.(store.FeedReader); ok {
		return fr.ReadFeed(ctx, shopID, after, fn)
	}
	return s.store.View(ctx, shopID, func(tx store.ReadTx) error { return tx.Feed(after, fn) })
}

// changesPage writes the JSON of a storeapi.ChangesResponse record by record: the same
// bytes json.Marshal would write, without its second pass over each record's data (which
// encoding/json validates and compacts again; it is JSON the server itself encoded).
type changesPage struct {
	b          []byte
	n, size    int         // records and bytes of record data so far
	next, upto int64       // the cursor after the last record; the newest published seq
	last       shop.Record // the last record added: its seq and commit only
	more       bool
}

// begin starts a page of the feed after seq after, read at published seq upto.
func (p *changesPage) begin(after, upto int64) {
	p.b = append(p.b[:0], `{"changes":[`...)
	p.next, p.upto = after, upto
}

// fits reports whether rec, the feed's next record, goes into the page: while the page holds
// fewer than limit records and, with rec, at most maxBytes of record data, or is empty; and
// whatever it holds when rec comes from the same commit as the last record added, so that a
// page ends only between commits (a desk applies a page in one transaction, and must never
// show half a commit). A page can so hold more than limit records, by at most one commit.
func (p *changesPage) fits(rec shop.Record, limit, maxBytes int) bool {
	if p.n == 0 || store.SameCommit(p.last, rec) {
		return true
	}
	return p.n < limit && p.size+len(rec.Data) <= maxBytes
}

// add appends one record.
func (p *changesPage) add(rec shop.Record) {
	if p.n > 0 {
		p.b = append(p.b, ',')
	}
	p.b = append(p.b, `{"type":`...)
	p.b = appendJSONString(p.b, string(rec.Type))
	p.b = append(p.b, `,"id":`...)
	p.b = appendJSONString(p.b, rec.ID)
	if rec.Seq != 0 {
		p.b = append(p.b, `,"seq":`...)
		p.b = strconv.AppendInt(p.b, rec.Seq, 10)
	}
	if rec.Deleted {
		p.b = append(p.b, `,"deleted":true`...)
	}
	if len(rec.Data) > 0 {
		p.b = append(p.b, `,"data":`...)
		p.b = append(p.b, rec.Data...)
	}
	p.b = append(p.b, '}')
	p.n++
	p.size += len(rec.Data)
	p.next = rec.Seq
	p.last = shop.Record{Seq: rec.Seq, Commit: rec.Commit}
}

// end finishes the page and returns its JSON.
func (p *changesPage) end() []byte {
	p.b = append(p.b, `],"next":`...)
	p.b = strconv.AppendInt(p.b, p.next, 10)
	p.b = append(p.b, `,"more":`...)
	p.b = strconv.AppendBool(p.b, p.more)
	p.b = append(p.b, `,"total":`...)
	p.b = strconv.AppendInt(p.b, p.upto, 10)
	return append(p.b, '}')
}

// appendJSONString appends s as a JSON string, as encoding/json writes it: plain ASCII as it
// is, anything else (quotes, backslashes, control and HTML characters, non-ASCII) through
// json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
