package sync

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"kefu/localdb"
	"kefu/storeapi"
)

// The first full sync. When the store is (nearly) empty and the feed holds a whole shop, the
// engine applies the first page as it comes, so the desk shows the shop's settings, staff and
// first records at once, then stages the following pages with the store's bulk import
// (localdb.BulkImport) and loads them in one pass when the feed's end is reached. Writing a
// large shop page by page had Badger build and compact its tables all along: the 1.3M records
// of the benchmark shop took 80–150 s and the engine peaked near 1 GB. Local actions go on
// meanwhile (they are pushed between pages, as always); the pages staged become visible when
// the load is done, and the status shows the progress and the time left throughout.

// bulkStore is a Store that can take a first full sync in bulk (*localdb.DB is one).
type bulkStore interface {
	BeginBulkImport(from int64) (*localdb.BulkImport, error)
}

var _ bulkStore = (*localdb.DB)(nil)

// bulkMinChanges is how far behind the feed's end a store must be (in feed sequence numbers)
// for the engine to pull it with a bulk import instead of page by page.
const bulkMinChanges = 20_000

// fullSync is the engine's state of a first full sync under way (owned by Run's goroutine).
type fullSync struct {
	bulk     *localdb.BulkImport // nil when pages are applied as they come
	refused  bool                // the store refused a bulk import: do not ask again this Run
	started  time.Time           // when the large pull began (for the time left)
	fromDone int64               // the feed position it began at
	ahead    *prefetch           // the next pages, fetched while this one is staged
}

// prefetch fetches the feed's pages ahead, one after another on a goroutine of its own, while
// a bulk import stages the pages before them: the server reads and encodes one page and the
// desk decodes another while the engine stages a third (with only the next page asked for,
// the server's work and the desk's decoding of a page took turns). It holds at most one
// fetched page not yet taken, and stops at the feed's end or its first error; a page it
// failed to fetch is asked for again the usual way (with retries).
type prefetch struct {
	cancel context.CancelFunc
	pages  chan fetchedPage // closed when the goroutine stops
	done   chan struct{}
}

// fetchedPage is one page prefetch fetched: the answer to the page after cursor after.
type fetchedPage struct {
	after int64
	resp  storeapi.ChangesResponse
	err   error
}

// askAhead starts fetching the pages after cursor after.
func (e *Engine) askAhead(token string, after int64) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &prefetch{cancel: cancel, pages: make(chan fetchedPage, 1), done: make(chan struct{})}
	e.full.ahead = p
	go func() {
		defer close(p.done)
		defer close(p.pages)
		for {
			page := e.fetchPage(ctx, token, after)
			select {
			case p.pages <- page:
			case <-ctx.Done():
				return
			}
			if page.err != nil || !page.resp.More || page.resp.Next <= after {
				return
			}
			after = page.resp.Next
		}
	}()
}

// fetchPage asks once for the page after cursor after (prefetch's request).
func (e *Engine) fetchPage(ctx context.Context, token string, after int64) fetchedPage {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	q := url.Values{}
	q.Set("after", strconv.FormatInt(after, 10))
	q.Set("limit", strconv.Itoa(e.p.PullLimit))
	resp, err := e.api.api.changesPage(ctx, token, q)
	return fetchedPage{after: after, resp: resp, err: err}
}

// dropAhead stops fetching pages ahead and waits for its goroutine.
func (e *Engine) dropAhead() {
	if p := e.full.ahead; p != nil {
		e.full.ahead = nil
		p.cancel()
		for range p.pages {
		}
		<-p.done
	}
}

// changes reads the page after cursor: the one fetched ahead if it is that page and came (or
// comes) without error, else through the retrying client (and the pages ahead are dropped).
func (e *Engine) changes(ctx context.Context, token string, cursor int64, wait time.Duration) (storeapi.ChangesResponse, error) {
	if p := e.full.ahead; p != nil && wait == 0 {
		select {
		case page, ok := <-p.pages:
			if ok && page.after == cursor && page.err == nil {
				if !page.resp.More {
					e.dropAhead() // its goroutine has stopped
				}
				return page.resp, nil
			}
		case <-ctx.Done():
		}
	}
	e.dropAhead()
	return e.api.changes(ctx, token, cursor, e.p.PullLimit, wait)
}

// pullCursor is the feed position to pull from: the store's cursor, or the end of what a bulk
// import has staged.
func (e *Engine) pullCursor() (int64, error) {
	if e.full.bulk != nil {
		return e.full.bulk.Next(), nil
	}
	return e.store.Cursor()
}

// applyPage stores one page of the change feed: as it comes, or staged in a bulk import (which
// it begins after the first page of a large pull into an empty store, and finishes at the
// feed's end).
func (e *Engine) applyPage(token string, resp storeapi.ChangesResponse) error {
	if b := e.full.bulk; b != nil {
		if resp.More && e.full.ahead == nil {
			e.askAhead(token, resp.Next)
		}
		err := b.Add(resp.Changes, resp.Next)
		if err == nil && !resp.More {
			start := e.clock.Now()
			e.full.bulk = nil
			err = b.Finish()
			if err == nil {
				e.log.Printf("sync: first full sync: %d records loaded in %v", b.Records(), e.clock.Now().Sub(start).Round(time.Millisecond))
			}
		}
		if err != nil {
			e.dropBulk()
			if errors.Is(err, localdb.ErrBulkStale) {
				return nil // the cache was reset: the next pull starts again from its cursor
			}
			return fmt.Errorf("%w: %w", ErrLocal, err)
		}
		return nil
	}
	if err := e.store.ApplyChanges(resp.Changes, resp.Next); err != nil {
		return err
	}
	bs, ok := e.store.(bulkStore)
	least := e.p.bulkMin
	if least == 0 {
		least = bulkMinChanges
	}
	if !ok || e.full.refused || least < 0 || !resp.More || resp.Total-resp.Next < least {
		return nil
	}
	b, err := bs.BeginBulkImport(resp.Next)
	switch {
	case errors.Is(err, localdb.ErrBulkNotEmpty):
		e.full.refused = true
	case err != nil:
		e.full.refused = true
		e.log.Printf("sync: pulling page by page: %v", err)
	default:
		e.full.bulk = b
	}
	return nil
}

// dropBulk throws away a bulk import's staged pages and a page asked for ahead (Run is over,
// or the import failed).
func (e *Engine) dropBulk() {
	e.dropAhead()
	if e.full.bulk != nil {
		e.full.bulk.Abort()
		e.full.bulk = nil
	}
}

// timeLeft estimates how long a large pull that has reached done of total still takes, from
// its pace so far (0 while that is unknown).
func (e *Engine) timeLeft(done, total int64) time.Duration {
	now := e.clock.Now()
	if e.full.started.IsZero() || done < e.full.fromDone {
		e.full.started, e.full.fromDone = now, done
		return 0
	}
	elapsed, moved := now.Sub(e.full.started), done-e.full.fromDone
	if moved <= 0 || elapsed <= 0 || total <= done {
		return 0
	}
	return time.Duration(float64(elapsed) * float64(total-done) / float64(moved)).Round(time.Second)
}
