package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"kefu/localdb"
	"kefu/shop"
	"kefu/storeapi"
)

// Store is what the engine needs from the desk's local store; *localdb.DB implements it.
type Store interface {
	// Outbox returns up to limit pending mutations, oldest first.
	Outbox(limit int) ([]shop.Mutation, error)
	// OutboxLen is the number of pending mutations.
	OutboxLen() int
	// Acknowledge removes answered mutations from the outbox (conflicts and rejections undo
	// their local effect and are kept as problems).
	Acknowledge(acks []localdb.Ack) error
	// ApplyChanges stores records from the change feed and the new cursor.
	ApplyChanges(recs []shop.Record, next int64) error
	// Cursor is the feed sequence the store has pulled up to.
	Cursor() (int64, error)
	// Meta and SetMeta keep small settings with the data.
	Meta(key string) (string, error)
	SetMeta(key, value string) error
}

// problemLister is implemented by stores that keep the problems acknowledged mutations left
// (*localdb.DB does); the engine counts them for Status.Problems.
type problemLister interface {
	Problems() ([]localdb.Problem, error)
}

// The desk's store is what the engine syncs.
var (
	_ Store         = (*localdb.DB)(nil)
	_ problemLister = (*localdb.DB)(nil)
)

// MetaLastSync is the Store meta key under which the engine keeps the time of the last
// completed pull (RFC 3339), so the status shows it after a restart.
const MetaLastSync = "sync.last_sync"

// Defaults of Params.
const (
	DefaultBatchSize  = 200
	DefaultPullLimit  = 2000
	DefaultWait       = 25 * time.Second
	DefaultMinBackoff = 250 * time.Millisecond
	DefaultMaxBackoff = 30 * time.Second
	DefaultProbeEvery = time.Second
)

// requestTimeout bounds one request (beyond the long poll's own wait).
const requestTimeout = 60 * time.Second

// Params configures an Engine.
type Params struct {
	Store       Store  // the desk's local store (required)
	BaseURL     string // the store server, e.g. https://store.example.com (required)
	Token       string // bearer token from Login; empty starts the engine signed out
	StaffNumber string // the signed-in staff member (for logs)
	// OnStatus, if set, is called with every new status, on Run's goroutine, never after Run
	// has returned. It must not block for long and must not call Run.
	OnStatus   func(Status)
	BatchSize  int           // mutations per push (default 200, at most storeapi.MaxBatch)
	PullLimit  int           // changes per pull (default 2000, at most storeapi.MaxChangesLimit)
	Wait       time.Duration // long-poll wait (default 25 s, at most storeapi.MaxWaitSeconds)
	MinBackoff time.Duration // first pause after a failure (default 250 ms)
	MaxBackoff time.Duration // longest pause between retries (default 30 s)
	HTTPClient *http.Client  // optional; copied, never changed
	Logger     *log.Logger   // optional; nil discards
	Clock      Clock         // optional; nil is SystemClock (tests move a clock of their own)
	// ProbeEvery is how often, during a pause between retries while the server does not answer,
	// the engine asks it whether it answers again with a cheap health probe (GET /healthz); each
	// wait is jittered by ±25% (so at most 1.25 s with the default of 1 s). A probe that finds the
	// server back ends the pause and resets the backoff, so the desk is online again within about
	// ProbeEvery of the server answering. Negative turns probing off (the backoff alone).
	ProbeEvery time.Duration

	bulkMin int64 // tests: how far behind a bulk import starts (0: bulkMinChanges; < 0: never)
}

// Engine syncs one local store with a store server. Create it with New, start it with Run; Kick,
// SetToken and Status may be called from any goroutine.
type Engine struct {
	p     Params
	store Store
	api   *retryClient
	clock Clock
	log   *log.Logger

	kick     chan struct{} // a local mutation was recorded
	wake     chan struct{} // ReconnectNow was called
	tokenSet chan struct{} // SetToken was called
	running  atomic.Bool

	mu         sync.Mutex
	token      string
	signedOut  bool
	status     Status
	pollCancel context.CancelFunc // cancels a waiting long poll; nil when none

	// Owned by Run's goroutine.
	localBo      backoff   // pauses after failures found once the server answered (see failed)
	batch        int       // current batch size (halved after a 413)
	caughtUp     bool      // the last pull reached the end of the feed
	held         error     // a push the server refused as a whole (a 4xx); nil when none
	heldUntil    time.Time // when to try a held push again (a Kick tries at once)
	lastSaved    time.Time // when MetaLastSync was last written
	lastLogged   string    // the last retryable error logged (each is logged once in a row)
	warnedBehind bool      // the server's feed was found behind the cursor (logged once)
	warnedStaff  bool
	probeFailed  bool     // a health probe found no store since the server last answered
	full         fullSync // a first full sync under way (fullsync.go)
}

// New checks p, fills in defaults and makes an engine. It does not contact the server.
func New(p Params) (*Engine, error) {
	if p.Store == nil {
		return nil, errors.New("sync: Params.Store is nil")
	}
	if p.BatchSize <= 0 {
		p.BatchSize = DefaultBatchSize
	}
	p.BatchSize = min(p.BatchSize, storeapi.MaxBatch)
	if p.PullLimit <= 0 {
		p.PullLimit = DefaultPullLimit
	}
	p.PullLimit = min(p.PullLimit, storeapi.MaxChangesLimit)
	if p.Wait <= 0 {
		p.Wait = DefaultWait
	}
	p.Wait = min(p.Wait, storeapi.MaxWaitSeconds*time.Second)
	if p.MinBackoff <= 0 {
		p.MinBackoff = DefaultMinBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultMaxBackoff
	}
	if p.ProbeEvery == 0 {
		p.ProbeEvery = DefaultProbeEvery
	}
	p.MaxBackoff = max(p.MaxBackoff, p.MinBackoff)
	logger := p.Logger
	if logger == nil {
		logger = discardLogger
	}
	if p.Clock == nil {
		p.Clock = SystemClock{}
	}
	api, err := newAPIClient(p.BaseURL, p.HTTPClient, logger, "kefu-desk/"+strconv.Itoa(storeapi.Version))
	if err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	e := &Engine{
		p: p, store: p.Store, clock: p.Clock, log: logger,
		kick: make(chan struct{}, 1), wake: make(chan struct{}, 1), tokenSet: make(chan struct{}, 1),
		token: p.Token, signedOut: p.Token == "",
		localBo: backoff{min: p.MinBackoff, max: p.MaxBackoff},
		batch:   p.BatchSize,
	}
	e.api = newRetryClient(api, p.Clock, p.MinBackoff, p.MaxBackoff)
	// A Kick cuts a pause short (a new change is worth a try), unless the server asked for
	// the pause with Retry-After; it also cuts a waiting long poll short.
	e.api.Pause = e.retryPause
	e.api.Report = e.retrying
	e.api.LongPoll = e.longPoll
	e.status = Status{State: StateSyncing, Pending: p.Store.OutboxLen()}
	if e.signedOut {
		e.status.State = StateSignedOut
	}
	if v, err := p.Store.Meta(MetaLastSync); err == nil && v != "" {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			e.status.LastSync = t
		}
	}
	return e, nil
}

// Status returns the current status (once Run has returned, the last one it reported).
func (e *Engine) Status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status
}

// Kick tells the engine a local mutation was recorded: a waiting long poll (or a pause between
// retries) is cut short and the outbox is pushed at once. It never blocks.
func (e *Engine) Kick() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
	e.mu.Lock()
	if e.pollCancel != nil {
		e.pollCancel()
	}
	e.mu.Unlock()
}

// ReconnectNow asks the engine to try the server again at once (the staff member's "reconnect
// now", or a change of the computer's network): a pause between retries ends, even one the
// server asked for, the backoff starts over, and a waiting long poll is cut short and asked
// again (a long poll on a connection the network change left dead would otherwise wait for its
// timeout). It never blocks.
func (e *Engine) ReconnectNow() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
	e.mu.Lock()
	if e.pollCancel != nil {
		e.pollCancel()
	}
	e.mu.Unlock()
}

// SetToken gives the engine a new token (after the staff member signed in again); a signed-out
// engine starts syncing again.
func (e *Engine) SetToken(token string) {
	e.mu.Lock()
	e.token, e.signedOut = token, token == ""
	e.mu.Unlock()
	select {
	case e.tokenSet <- struct{}{}:
	default:
	}
}

// Run syncs until ctx is cancelled, then returns nil (ErrRunning if Run is already running). Its
// only goroutine of its own fetches the next page ahead during a first full sync (fullsync.go);
// when Run returns, no request is in flight and OnStatus will not be called again.
func (e *Engine) Run(ctx context.Context) error {
	if !e.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer e.running.Store(false)
	defer e.api.closeIdle()
	defer e.dropBulk()
	e.full = fullSync{}
	e.caughtUp, e.held, e.lastLogged, e.batch, e.probeFailed = false, nil, "", e.p.BatchSize, false
	e.resetBackoff()
	e.mu.Lock()
	if !e.signedOut {
		e.status.State, e.status.Since = StateSyncing, time.Time{}
	}
	e.mu.Unlock()
	if e.p.OnStatus != nil {
		e.p.OnStatus(e.Status()) // the first status, so the UI shows where the engine starts
	}
	for ctx.Err() == nil {
		if e.takeKick() {
			e.heldUntil = time.Time{} // a new mutation: try a held push again
		}
		e.refreshCounts()
		token, ok := e.currentToken()
		if !ok {
			e.setStatus(func(s *Status) {
				s.State, s.Since, s.Done, s.Total, s.NextTry = StateSignedOut, time.Time{}, 0, 0, time.Time{}
			})
			e.pause(ctx, 0, true)
			continue
		}
		pushed, err := e.push(ctx, token)
		if err == nil && pushed {
			e.succeeded()
			continue
		}
		if err != nil && !e.failed(ctx, err, token, true) {
			continue
		}
		if err := e.pull(ctx, token); err != nil {
			e.failed(ctx, err, token, false)
		}
	}
	return nil
}

// errKicked: a long poll or a pause between retries was cut short by Kick (or SetToken).
var errKicked = errors.New("cut short for a push")

// failed handles an error of a push or pull. It returns true when the loop may go on to pull
// (a push the server refused as a whole: it applied none of it).
func (e *Engine) failed(ctx context.Context, err error, token string, pushing bool) bool {
	switch {
	case ctx.Err() != nil, errors.Is(err, errKicked):
		return false
	case statusOf(err) == http.StatusUnauthorized && !errors.Is(err, ErrNotKefuStore):
		// (A 401 page that is not the store's, a captive portal's, does not sign the desk out.)
		e.mu.Lock()
		stale := e.token != token // SetToken came meanwhile: try the new token
		e.signedOut = e.signedOut || !stale
		e.mu.Unlock()
		if stale {
			return false
		}
		e.log.Printf("sync: signed out: %v", err)
		e.setStatus(func(s *Status) {
			s.State, s.Since, s.Done, s.Total, s.NextTry = StateSignedOut, time.Time{}, 0, 0, time.Time{}
			s.Err, s.Cause = fmt.Errorf("%w: %w", ErrSignedOut, err).Error(), CauseSignedOut
		})
		return false
	case retryable(err):
		// The client has retried what the wire and the server failed at (see retryClient);
		// what comes here went wrong after the server answered: the local store failed, or the
		// answer did not match the batch. It is retried from the top of the loop.
		d := e.localBo.next(0)
		e.retrying(err, d)
		e.pause(ctx, d, true)
		return false
	case pushing:
		// A 4xx other than 401/408/429 for a whole batch is a bug of this desk (or a server
		// that disagrees with it): report it, do not resend it in a loop. The server applied
		// none of the batch, so pulling is safe meanwhile.
		e.log.Printf("sync: push refused: %v", err)
		e.held, e.heldUntil = err, e.clock.Now().Add(e.p.MaxBackoff)
		e.setStatus(func(s *Status) { s.Err, s.Cause = "changes not sent: "+err.Error(), CauseOf(err) })
		return true
	default:
		e.log.Printf("sync: pull refused: %v", err)
		e.setStatus(func(s *Status) { s.Err, s.Cause = "changes not received: "+err.Error(), CauseOf(err) })
		e.pause(ctx, e.p.MaxBackoff, true)
		return false
	}
}

// retrying reports a failure that will be retried after d: in the log (once in a row: offline
// for hours is one line, not thousands) and as the offline state in the status.
func (e *Engine) retrying(err error, d time.Duration) {
	e.caughtUp = false
	if msg := err.Error(); msg != e.lastLogged {
		e.lastLogged = msg
		e.log.Printf("sync: %v (retrying)", err)
	}
	e.setStatus(func(s *Status) {
		if !errors.Is(err, ErrLocal) && s.State != StateOffline {
			s.State, s.Since, s.Done, s.Total = StateOffline, e.clock.Now(), 0, 0
		}
		s.Err, s.Cause = err.Error(), CauseOf(err)
	})
}

// succeeded records a successful exchange with the server.
func (e *Engine) succeeded() {
	e.localBo.reset()
	e.probeFailed = false
	if e.lastLogged != "" {
		e.log.Printf("sync: the server answers again")
		e.lastLogged = ""
	}
	e.setStatus(func(s *Status) {
		if s.State == StateOffline || s.State == StateSignedOut {
			s.State, s.Since = StateSyncing, time.Time{}
		}
		s.NextTry = time.Time{}
		s.Err, s.Cause = "", CauseNone
		if e.held != nil {
			s.Err, s.Cause = "changes not sent: "+e.held.Error(), CauseOf(e.held)
		}
	})
}

// push sends one batch of the outbox and acknowledges the answers. It reports whether it did
// anything (false with a nil error: nothing to push now).
func (e *Engine) push(ctx context.Context, token string) (bool, error) {
	if e.held != nil && e.clock.Now().Before(e.heldUntil) {
		return false, nil
	}
	batch, err := e.store.Outbox(e.batch)
	if err != nil {
		return false, fmt.Errorf("%w: reading the outbox: %w", ErrLocal, err)
	}
	if len(batch) == 0 {
		e.held = nil
		return false, nil
	}
	e.checkStaff(batch)
	batch, body, bad := encodeBatch(batch, maxBatchBytes)
	if len(bad) > 0 {
		// A mutation whose data cannot be encoded can never be sent: answer it here.
		return true, e.ackLocal(bad...)
	}
	key := batch[0].ID + "+" + strconv.Itoa(len(batch)) // the same batch gets the same key
	resp, err := e.api.push(ctx, token, body, key)
	if statusOf(err) == http.StatusRequestEntityTooLarge {
		if len(batch) > 1 {
			e.batch = max(1, len(batch)/2)
			e.log.Printf("sync: batch of %d too large for the server; trying %d", len(batch), e.batch)
			return true, nil
		}
		return true, e.ackLocal(localdb.Ack{ID: batch[0].ID, Status: localdb.AckRejected,
			Reason: "this change is too large for the server"})
	}
	if err != nil {
		return false, err
	}
	e.held = nil
	acks, mismatch := matchResults(batch, resp.Results)
	if len(acks) > 0 {
		if err := e.store.Acknowledge(acks); err != nil {
			return false, fmt.Errorf("%w: acknowledging %d mutations: %w", ErrLocal, len(acks), err)
		}
		e.refreshCounts()
	}
	if mismatch != nil {
		return false, fmt.Errorf("%w: %w", ErrNotKefuStore, mismatch)
	}
	return true, nil
}

// matchResults pairs results with the batch's mutations by id. It returns the acks it could
// make, and an error when the answer is not one result per mutation with a known status.
func matchResults(batch []shop.Mutation, results []storeapi.Result) ([]localdb.Ack, error) {
	byID := make(map[string]storeapi.Result, len(results))
	for _, r := range results {
		byID[r.ID] = r
	}
	var acks []localdb.Ack
	var bad error
	for _, m := range batch {
		r, ok := byID[m.ID]
		if !ok {
			bad = fmt.Errorf("no result for mutation %s", m.ID)
			continue
		}
		a, err := ackOf(r)
		if err != nil {
			bad = err
			continue
		}
		acks = append(acks, a)
	}
	if bad == nil && len(results) != len(batch) {
		bad = fmt.Errorf("%d results for %d mutations", len(results), len(batch))
	}
	return acks, bad
}

// ackOf maps a server result to a local acknowledgement. A duplicate whose first outcome was a
// conflict or rejection is acknowledged as that outcome, so its local effect is undone.
func ackOf(r storeapi.Result) (localdb.Ack, error) {
	st := r.Status
	if st == storeapi.StatusDuplicate && (r.First == storeapi.StatusConflict || r.First == storeapi.StatusRejected) {
		st = r.First
	}
	a := localdb.Ack{ID: r.ID, Status: localdb.AckStatus(st), Reason: r.Reason, Conflict: r.Conflict}
	switch st {
	case storeapi.StatusApplied, storeapi.StatusDuplicate:
	case storeapi.StatusConflict:
		if a.Conflict == nil {
			a.Conflict = &shop.Conflict{Reason: r.Reason}
		}
		if a.Reason == "" {
			a.Reason = a.Conflict.Reason
		}
	case storeapi.StatusRejected:
		if a.Reason == "" {
			a.Reason = "refused by the server"
		}
	default:
		return localdb.Ack{}, fmt.Errorf("mutation %s: unknown status %q", r.ID, r.Status)
	}
	return a, nil
}

// maxBatchBytes keeps a batch's body well under the server's limit (storeapi.MaxBodyBytes).
const maxBatchBytes = storeapi.MaxBodyBytes / 2

// encodeBatch encodes the longest prefix of batch whose body stays within maxBytes (at least one
// mutation) as a storeapi.MutationsRequest. Mutations that cannot be encoded are returned as
// rejections instead (and nothing is encoded then).
func encodeBatch(batch []shop.Mutation, maxBytes int) ([]shop.Mutation, []byte, []localdb.Ack) {
	var bad []localdb.Ack
	body := []byte(`{"mutations":[`)
	n := 0
	for _, m := range batch {
		b, err := json.Marshal(m)
		if err != nil {
			bad = append(bad, localdb.Ack{ID: m.ID, Status: localdb.AckRejected,
				Reason: "this change cannot be sent: " + err.Error()})
			continue
		}
		if len(bad) > 0 || (n > 0 && len(body)+len(b)+2 > maxBytes) {
			continue
		}
		if n > 0 {
			body = append(body, ',')
		}
		body = append(body, b...)
		n++
	}
	if len(bad) > 0 {
		return nil, nil, bad
	}
	return batch[:n], append(body, ']', '}'), nil
}

// ackLocal acknowledges mutations the engine answers itself (they can never be sent).
func (e *Engine) ackLocal(acks ...localdb.Ack) error {
	for _, a := range acks {
		e.log.Printf("sync: mutation %s cannot be sent: %s", a.ID, a.Reason)
	}
	if err := e.store.Acknowledge(acks); err != nil {
		return fmt.Errorf("%w: acknowledging: %w", ErrLocal, err)
	}
	e.refreshCounts()
	return nil
}

// checkStaff logs (once) when the outbox holds mutations made by another staff member than the
// one signed in: the server records them under the signed-in staff member's number.
func (e *Engine) checkStaff(batch []shop.Mutation) {
	if e.warnedStaff || e.p.StaffNumber == "" {
		return
	}
	for _, m := range batch {
		if m.Staff != "" && m.Staff != e.p.StaffNumber {
			e.warnedStaff = true
			e.log.Printf("sync: the outbox holds changes by staff %s; they are sent signed in as %s", m.Staff, e.p.StaffNumber)
			return
		}
	}
}

// pull asks the change feed for what follows the cursor, waiting for news when the desk is
// caught up, and applies it.
func (e *Engine) pull(ctx context.Context, token string) error {
	cursor, err := e.pullCursor()
	if err != nil {
		return fmt.Errorf("%w: reading the cursor: %w", ErrLocal, err)
	}
	var wait time.Duration
	if e.caughtUp {
		wait = e.p.Wait
		if e.held != nil {
			wait = min(wait, e.heldUntil.Sub(e.clock.Now()))
		}
	}
	resp, err := e.changes(ctx, token, cursor, wait)
	if err != nil {
		return err
	}
	behind := resp.Total < cursor && len(resp.Changes) == 0
	if behind && !e.warnedBehind {
		// The server's feed ends before this desk's cursor: it was restored from an older
		// backup, or another server answers at this address. Changes up to the cursor will not
		// come again; re-downloading the shop data (localdb ResetCache) fixes it.
		e.warnedBehind = true
		e.log.Printf("sync: the server's change feed ends at %d, before this desk's cursor %d", resp.Total, cursor)
	}
	if err := e.applyPage(token, resp); err != nil {
		return fmt.Errorf("%w: applying %d changes: %w", ErrLocal, len(resp.Changes), err)
	}
	e.caughtUp = !resp.More
	e.succeeded()
	now := e.clock.Now()
	online := false
	e.setStatus(func(s *Status) {
		s.LastSync = now
		if resp.More {
			s.State, s.Done, s.Total = StateSyncing, resp.Next, max(resp.Total, resp.Next)
			s.Left = e.timeLeft(s.Done, s.Total)
			return
		}
		online = s.State != StateOnline
		s.State, s.Done, s.Total, s.Left = StateOnline, 0, 0, 0
		e.full.started = time.Time{}
		if behind {
			s.Err, s.Cause = ErrFeedBehind.Error(), CauseFeedBehind
		}
	})
	if online || now.Sub(e.lastSaved) >= time.Minute {
		e.lastSaved = now
		if err := e.store.SetMeta(MetaLastSync, now.UTC().Format(time.RFC3339Nano)); err != nil {
			e.log.Printf("sync: saving the last sync time: %v", err)
		}
	}
	return nil
}

// pause waits d (0: until woken), or until ctx is cancelled or a SetToken, or, when kickable,
// a Kick. It returns nil when d has passed, ctx's error when ctx ended, and errKicked when a Kick
// or SetToken woke it.
func (e *Engine) pause(ctx context.Context, d time.Duration, kickable bool) error {
	var timeout <-chan time.Time
	if d > 0 {
		t := e.clock.NewTimer(d)
		defer t.Stop()
		timeout = t.C()
	}
	kick := e.kick
	if !kickable {
		kick = nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timeout:
		return nil
	case <-kick:
		// A staff action is a sign of life: try at once, and back off from the start again.
		e.heldUntil = time.Time{}
		e.resetBackoff()
		return errKicked
	case <-e.wake:
		e.heldUntil = time.Time{}
		e.resetBackoff()
		return errKicked
	case <-e.tokenSet:
		return errKicked
	}
}

// longPoll makes the context of a long poll, which Kick cancels (at once when a Kick is pending
// already). The returned func is called when the poll is over.
func (e *Engine) longPoll(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	e.mu.Lock()
	e.pollCancel = cancel
	e.mu.Unlock()
	if len(e.kick) > 0 || len(e.wake) > 0 {
		cancel()
	}
	return ctx, func() {
		e.mu.Lock()
		e.pollCancel = nil
		e.mu.Unlock()
		cancel()
	}
}

// takeKick consumes a pending Kick, reporting whether there was one.
func (e *Engine) takeKick() bool {
	select {
	case <-e.kick:
		return true
	default:
		return false
	}
}

// currentToken returns the token, and false when signed out.
func (e *Engine) currentToken() (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.signedOut {
		return "", false
	}
	select {
	case <-e.tokenSet: // already taken into account
	default:
	}
	return e.token, true
}

// refreshCounts updates Pending and Problems from the store.
func (e *Engine) refreshCounts() {
	pending := e.store.OutboxLen()
	problems := -1
	if pl, ok := e.store.(problemLister); ok {
		if ps, err := pl.Problems(); err == nil {
			problems = len(ps)
		}
	}
	e.setStatus(func(s *Status) {
		s.Pending = pending
		if problems >= 0 {
			s.Problems = problems
		}
	})
}

// setStatus changes the status and reports it if it changed. Only Run's goroutine calls it.
func (e *Engine) setStatus(change func(*Status)) {
	e.mu.Lock()
	old := e.status
	change(&e.status)
	s := e.status
	e.mu.Unlock()
	if s != old && e.p.OnStatus != nil {
		e.p.OnStatus(s)
	}
}
