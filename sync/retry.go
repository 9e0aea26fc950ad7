package sync

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

// retryClient is the store API client with retries, after restic's retry backend
// (internal/backend/retry): each call is attempted until it succeeds, fails permanently or is
// given up, with capped exponential backoff and jitter between attempts.
//
//   - The context is checked before every attempt, and an attempt that failed because the
//     context ended is not retried.
//   - Permanent errors are returned at once (see retryable): a 4xx other than 408 and 429 — a
//     refused token or login (401, 403), a refused batch (400, 413) — and anything that is not
//     a failure of the wire or the server.
//   - A Retry-After the server sent (429, 503) is honoured, capped at maxRetryAfter.
//   - Every retry is reported through Report before its pause; Pause waits, and may give up
//     early (the engine's Kick, SetToken).
//
// The retries are this type's alone: resty is set to make one attempt per call (its
// SetRetryCount(0); an AddRetryCondition would replace resty's default condition rather than add
// to it), and bodies are bytes, so every attempt sends the same body and Idempotency-Key (resty
// cannot resend an io.Reader body). The backoff grows over consecutive failed attempts and
// starts over after a success.
type retryClient struct {
	api   *apiClient
	clock Clock
	bo    backoff
	// Pause waits d before the next attempt and returns nil, or returns an error to give the
	// call up (the error is returned to the caller). serverAsked is set when the server asked
	// for the pause with Retry-After. Nil waits d on clock, or until ctx ends.
	Pause func(ctx context.Context, d time.Duration, serverAsked bool) error
	// Report, if set, is told of every failed attempt that will be retried after d.
	Report func(err error, d time.Duration)
	// LongPoll, if set, makes the context of a long poll's attempt from the call's: a long poll
	// whose context is cancelled while the call's is not (the engine's Kick) ends with errKicked.
	// The returned func is called when the attempt is over.
	LongPoll func(ctx context.Context) (context.Context, func())
}

// newRetryClient wraps api with retries whose pauses run from min to max on clock.
func newRetryClient(api *apiClient, clock Clock, min, max time.Duration) *retryClient {
	return &retryClient{api: api, clock: clock, bo: backoff{min: min, max: max}}
}

// closeIdle closes the client's idle keep-alive connections (and their goroutines).
func (r *retryClient) closeIdle() { r.api.closeIdle() }

// retry runs op until it succeeds or fails permanently, the context ends, or Pause gives up; op
// is told how many attempts came before.
func (r *retryClient) retry(ctx context.Context, op func(ctx context.Context, attempt int) error) error {
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := op(ctx, attempt)
		if err == nil {
			r.bo.reset()
			return nil
		}
		if ctx.Err() != nil || !retryable(err) {
			return err
		}
		ra := retryAfter(err)
		d := r.bo.next(ra)
		if r.Report != nil {
			r.Report(err, d)
		}
		if perr := r.pause(ctx, d, ra > 0); perr != nil {
			return perr
		}
	}
}

// pause is Pause, or a plain wait on the clock.
func (r *retryClient) pause(ctx context.Context, d time.Duration, serverAsked bool) error {
	if r.Pause != nil {
		return r.Pause(ctx, d, serverAsked)
	}
	t := r.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C():
		return nil
	}
}

// push posts one encoded batch of mutations (a storeapi.MutationsRequest) under idempotency key
// key; every attempt sends the same bytes and key, so the server applies each mutation once.
func (r *retryClient) push(ctx context.Context, token string, body []byte, key string) (storeapi.MutationsResponse, error) {
	var resp storeapi.MutationsResponse
	err := r.retry(ctx, func(ctx context.Context, _ int) error {
		resp = storeapi.MutationsResponse{}
		reqCtx, cancel := context.WithTimeout(ctx, requestTimeout)
		defer cancel()
		return r.api.call(reqCtx, http.MethodPost, storeapi.PathMutations, token, nil, body, key, &resp)
	})
	return resp, err
}

// changesAnswer is storeapi.ChangesResponse with its cursor required: JSON of another shape
// (another API at the address) would otherwise read as an empty page at cursor 0, and set the
// desk's cursor back.
type changesAnswer struct {
	Changes []shop.Record `json:"changes"`
	Next    *int64        `json:"next"`
	More    bool          `json:"more"`
	Total   int64         `json:"total"`
}

// changes reads up to limit changes after cursor after from the change feed. The first attempt
// waits up to wait for news (a long poll, rounded up to whole seconds, under LongPoll's
// context); a retry asks without waiting, so a server that answers again is seen at once. An
// answer without a valid cursor is not a Kefu store's (ErrNotKefuStore, retried).
func (r *retryClient) changes(ctx context.Context, token string, after int64, limit int, wait time.Duration) (storeapi.ChangesResponse, error) {
	var resp storeapi.ChangesResponse
	err := r.retry(ctx, func(ctx context.Context, attempt int) error {
		q := url.Values{}
		q.Set("after", strconv.FormatInt(after, 10))
		q.Set("limit", strconv.Itoa(limit))
		secs := int64(0)
		if wait > 0 && attempt == 0 {
			secs = int64((wait + time.Second - 1) / time.Second)
			q.Set("wait", strconv.FormatInt(secs, 10))
		}
		reqCtx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second+requestTimeout)
		defer cancel()
		if secs > 0 && r.LongPoll != nil {
			var done func()
			reqCtx, done = r.LongPoll(reqCtx)
			defer done()
		}
		var err error
		resp, err = r.api.changesPage(reqCtx, token, q)
		if err != nil && ctx.Err() == nil && errors.Is(reqCtx.Err(), context.Canceled) {
			return errKicked
		}
		return err
	})
	return resp, err
}

// changesPage asks once for the change feed page that query names. An answer without a valid
// cursor is not a Kefu store's (ErrNotKefuStore).
func (c *apiClient) changesPage(ctx context.Context, token string, query url.Values) (storeapi.ChangesResponse, error) {
	var ans changesAnswer
	if err := c.call(ctx, http.MethodGet, storeapi.PathChanges, token, query, nil, "", &ans); err != nil {
		return storeapi.ChangesResponse{}, err
	}
	switch {
	case ans.Next == nil:
		return storeapi.ChangesResponse{}, fmt.Errorf("%w: its change feed answer has no cursor", ErrNotKefuStore)
	case *ans.Next < 0:
		return storeapi.ChangesResponse{}, fmt.Errorf("%w: change feed cursor %d", ErrNotKefuStore, *ans.Next)
	}
	return storeapi.ChangesResponse{Changes: ans.Changes, Next: *ans.Next, More: ans.More, Total: ans.Total}, nil
}

// retryable reports whether err may go away by itself: no answer, a server-side error, a timeout
// or rate limit, or an answer that was not the store's (a captive portal, a proxy page).
func retryable(err error) bool {
	if errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNotKefuStore) || errors.Is(err, ErrLocal) {
		return true
	}
	var se *ServerError
	if errors.As(err, &se) {
		return se.StatusCode >= 500 || se.StatusCode == http.StatusRequestTimeout ||
			se.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// retryAfter is the wait the server asked for with err, or 0.
func retryAfter(err error) time.Duration {
	var se *ServerError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

// statusOf is the HTTP status of a server error answer, or 0.
func statusOf(err error) int {
	var se *ServerError
	if errors.As(err, &se) {
		return se.StatusCode
	}
	return 0
}

// maxRetryAfter caps how long a Retry-After may keep the desk from trying again.
const maxRetryAfter = 10 * time.Minute

// backoff computes capped exponential pauses with jitter: the n-th consecutive failure waits a
// random time between half and all of min·2ⁿ, at most max (and at least a Retry-After asked for).
type backoff struct {
	min, max time.Duration
	n        int
}

// next returns the pause before the next attempt; after is a Retry-After the server asked for.
func (b *backoff) next(after time.Duration) time.Duration {
	d := b.max
	if b.n < 32 {
		if x := b.min << b.n; x > 0 && x < b.max {
			d = x
		}
	}
	b.n++
	d = d/2 + rand.N(d/2+1)
	if after > d {
		d = min(after, maxRetryAfter)
	}
	return d
}

// reset starts over after a success.
func (b *backoff) reset() { b.n = 0 }
