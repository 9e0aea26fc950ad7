package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

// maxPageBytes caps the record data of one page of changes; a page always holds at least one
// change, and More says when it stopped early.
const maxPageBytes = 8 << 20

// queryInt reads an integer query parameter within [lo, hi], or def when it is absent.
func queryInt(r *http.Request, name string, def, lo, hi int64) (int64, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}

// handleChanges answers GET /v1/changes?after=SEQ&limit=N&wait=SECONDS.
func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request, tok TokenInfo) {
	after, ok := queryInt(r, "after", 0, 0, 1<<62)
	if !ok {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "after must be a sequence number (an integer ≥ 0)")
		return
	}
	limit, ok := queryInt(r, "limit", storeapi.DefaultLimit, 1, storeapi.MaxChangesLimit)
	if !ok {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "limit must be an integer from 1 to %d", storeapi.MaxChangesLimit)
		return
	}
	wait, ok := queryInt(r, "wait", 0, 0, storeapi.MaxWaitSeconds)
	if !ok {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "wait must be a number of seconds from 0 to %d", storeapi.MaxWaitSeconds)
		return
	}
	body, err := s.changes(r.Context(), tok.Shop, after, int(limit), time.Duration(wait)*time.Second)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeBody(w, http.StatusOK, body)
}

// changes reads the shop's feed after seq, up to the newest published seq, as the JSON of a
// storeapi.ChangesResponse; with wait > 0 and nothing to read it waits for a change until wait
// ends, the request ends or the server closes.
func (s *Server) changes(ctx context.Context, shopID string, after int64, limit int, wait time.Duration) ([]byte, error) {
	st, err := s.state(shopID)
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
			return s.readChanges(st, shopID, after, limit, newest)
		}
		if timer == nil {
			timer = time.NewTimer(wait)
		}
		s.metrics.waiting.Inc()
		select {
		case <-changed:
			s.metrics.waiting.Dec()
			continue
		case <-timer.C:
		case <-ctx.Done():
		case <-s.closing:
		}
		s.metrics.waiting.Dec()
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
		body, err, same := c.body, c.err, c.key == key
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
func (s *Server) readChanges(st *shopState, shopID string, after int64, limit int, upto int64) ([]byte, error) {
	return st.page.get(pageKey{after: after, upto: upto, limit: limit}, func() ([]byte, error) {
		resp := storeapi.ChangesResponse{Changes: []shop.Record{}, Next: after, Total: upto}
		err := s.store.View(shopID, func(tx ReadTx) error {
			size := 0
			return tx.Feed(after, func(rec shop.Record) bool {
				if rec.Seq > upto {
					return false
				}
				if len(resp.Changes) >= limit || (size+len(rec.Data) > maxPageBytes && len(resp.Changes) > 0) {
					resp.More = true
					return false
				}
				size += len(rec.Data)
				resp.Changes = append(resp.Changes, rec)
				resp.Next = rec.Seq
				return true
			})
		})
		if err != nil {
			return nil, err
		}
		return json.Marshal(resp)
	})
}
