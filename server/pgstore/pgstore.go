// Package pgstore is the store server's storage on PostgreSQL (pgx v5): a store.Store that
// several kefu-store processes can share, for agencies that serve many shops and for shops
// that outgrow one embedded Badger directory. It passes the conformance suite of
// kefu/server/storetest.
//
// # How it keeps the contracts
//
// Every table is keyed by shop first (kefu_tokens, looked up by hash before its shop is known,
// is the one exception), so that Citus can distribute the tables by shop and CockroachDB or
// YugabyteDB can range-split them. Open creates the schema, or migrates it, in one
// transaction per version recorded in kefu_schema.
//
// A shop's change feed has no gaps under concurrent writers, on one server or many. The
// classic trap is a global sequence: two transactions take seqs 10 and 11, 11 commits first,
// a desk reads it and moves its cursor to 11, then 10 commits and that desk never sees it.
// Instead every Update begins by locking the shop's counter row (kefu_shops, created on first
// use) with SELECT … FOR UPDATE, numbers its Puts from it and writes the new value back in the
// same transaction. Updates of one shop therefore commit one at a time in seq order, and a
// reader's snapshot (View: REPEATABLE READ, taken by its first statement, which reads the
// counter row) holds a prefix of the feed: every seq up to the counter it read, no later one,
// and never part of a commit. No advisory locks, no xid or xmin arithmetic: only row locks and
// snapshots, which every PostgreSQL-compatible engine has.
//
// Updates run at READ COMMITTED: once the counter row is locked, each statement sees every
// commit of the shop before it, so a mutation pushed to two servers at once is decided once
// and the second finds its result (exactly once, as on Badger). Serialization failures
// (SQLSTATE 40001) and deadlocks (40P01) are retried with a new transaction, so fn may run
// more than once; it must not have effects outside the Tx that a second run would repeat
// (the server's do not). A commit is durable when it returns (synchronous_commit), so Sync
// only checks the store is open.
//
// Servers sharing a database learn of each other's commits through Watch (store.Watcher):
// every Update that wrote records sends NOTIFY kefu_changes_{schema} inside its transaction,
// delivered at commit, with the records it committed when they fit in a payload (else "shop
// seq"); Watch LISTENs and also reads the counters every Options.PollEvery, which catches
// notifications lost while its connection was down. Each Store keeps the newest commits it
// was told of, and its own, per shop (tail.go, store.RecentFeed), so that a long poll woken by
// a commit is answered from memory; the records are used only where they join up with the
// commits before them without a gap, and otherwise the server re-reads the feed by cursor. Staff tokens and chat
// tokens are in the database, so a desk or a customer may reach any server (a staff token read
// is remembered for 2 s: see tokenCacheFor); so are the rate
// limits' counts (store.RateCounter: kefu_rates, one row per key and window, bumped by one
// upsert that reads the previous window's row too), so that n servers allow what one would.
//
// # Round trips
//
// On a busy database the cost of a write is its round trips, and the time its shop's counter
// row stays locked is the shop's throughput. So an Update sends BEGIN with the counter's lock
// in one round trip; its writes wait in memory and go with the counter's update, NOTIFY and
// COMMIT in one more (before that only when a read could see them); Record and Result answer
// from what the transaction read or wrote before; the server names a push's results and
// target records, read in the round trip that begins the transaction (store.PreloadUpdater),
// and applies the whole push in one Update. Records, results and each index's entries go as
// one multi-row statement each (unnest of arrays). A push of n mutations thus takes two round
// trips plus the Decide reads the read ahead did not cover, where it took about eight per
// mutation; a view takes three (the last, its ROLLBACK, after View has returned). A staff
// token read is remembered for 2 s. Updates of one shop queue in the process
// before they take a pooled connection, so that the waiters of one busy shop do not hold the
// pool while other shops could run. Statements are prepared once per connection (pgx's
// statement cache).
//
// Durability: a commit waits for its WAL flush (synchronous_commit on). With many shops
// committing at once, PostgreSQL's group commit (commit_delay, e.g. 200 µs, with
// commit_siblings 5) lets one flush cover several commits; that is the deployment's setting,
// not this package's (the tests' throwaway server runs with fsync off).
//
// # CockroachDB and other engines
//
// The SQL is PostgreSQL's common ground; for CockroachDB these statements change:
//
//   - kefu_rates is global, like kefu_tokens: distribute it by key (Citus) or leave it
//     range-split by key (CockroachDB); its statements are single-row upserts.
//   - NOTIFY and LISTEN do not exist: set Options.NoNotify, so Watch polls kefu_shops (one
//     small SELECT every PollEvery, 50 ms by default), or replace Watch's LISTEN with a
//     changefeed on kefu_shops (CREATE CHANGEFEED FOR TABLE kefu_shops, read with
//     EXPERIMENTAL CHANGEFEED FOR on a core changefeed connection).
//   - text COLLATE "C" becomes STRING (CockroachDB compares strings bytewise already) and
//     bytea becomes BYTES; bigint and boolean stay.
//   - Views run at SERIALIZABLE there (REPEATABLE READ is an alias of it in older versions),
//     which keeps the snapshot contract; Updates' SELECT … FOR UPDATE and INSERT … ON
//     CONFLICT work as they are, and 40001 retries matter more (CockroachDB restarts
//     transactions more often), which Update already does.
//   - The schema's DDL runs one statement per transaction there (no transactional DDL across
//     several statements); the version row is still the guard.
//
// YugabyteDB runs the PostgreSQL statements as they are, LISTEN/NOTIFY excepted in older
// versions (NoNotify again). Citus needs the tables distributed by shop
// (create_distributed_table('kefu_records', 'shop') …) and kefu_tokens made a reference
// table; the per-shop statements then run on one worker each.
package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// Options tune a Store. The zero value is right for PostgreSQL.
type Options struct {
	// Logger receives the store's warnings; nil means slog.Default().
	Logger *slog.Logger
	// NoNotify turns LISTEN/NOTIFY off (engines without it, such as CockroachDB): Updates send
	// no notification and Watch polls the shops' counters every PollEvery.
	NoNotify bool
	// PollEvery is how often Watch reads the shops' counters: with notifications a safety net
	// (default 2 s), without them the wake-up itself (default 50 ms).
	PollEvery time.Duration
	// FeedConns, if positive, is how many of the pool's connections (pool_max_conns, 32 by
	// default) are kept for the long polls' feed reads (ReadFeed) in a pool of their own, so
	// that a burst of reads never waits behind Updates nor Updates behind reads; 0 lets them
	// share one pool. It must be less than the pool's size. In the scale bench (2 shared cores)
	// 8 of 32 made the woken polls' reads quicker but the two-server p95 worse (the pushes'
	// connections are the scarcer), so sharing is the default.
	FeedConns int
	// NoFeedTail keeps no commits in memory for the long polls (see tail.go): every woken
	// poll reads PostgreSQL, and notifications carry only "shop seq". For comparison in the
	// scale bench; the tails cost at most 256 KiB of record data per shop, 32 MiB in all.
	NoFeedTail bool
}

// Store is the store.Store kept in PostgreSQL.
type Store struct {
	pool    *pgxpool.Pool
	feeds   *pgxpool.Pool // ReadFeed's connections: pool itself unless Options.FeedConns
	cfg     *pgxpool.Config
	opts    Options
	log     *slog.Logger
	channel string // the NOTIFY channel: kefu_changes_{schema}
	phases  phaseTimes
	closed  atomic.Bool
	// feedByView has ReadFeed read in a View, as the server did before store.FeedReader:
	// the scale bench's comparison ($KEFU_SCALE_VIEWFEED).
	feedByView bool

	mu      sync.Mutex
	indexes map[string]store.Index // declared indexes, by name

	gatesMu sync.Mutex
	gates   map[string]*shopGate  // the shops with an Update running or waiting here
	queues  map[string]*shopQueue // the shops' Updates waiting to go as one transaction

	tailMu sync.Mutex // guards tails
	tails  tails      // the shops' newest commits (tail.go)

	tokensMu sync.Mutex
	tokens   map[string]cachedToken // staff tokens read lately, by hash
}

// tokenCacheFor is how long Token answers from memory for a token it read: every request of a
// desk looks its token up, and a long-polling desk asks several times a second. A token
// deleted through another server may thus still be found here for that long; kefu-store
// deletes a token only once it has expired (and the server checks the expiry on every use),
// and PutToken and DeleteToken through this Store take effect here at once.
const tokenCacheFor = 2 * time.Second

// tokenCacheMax bounds the cache; when full it is emptied.
const tokenCacheMax = 10000

// cachedToken is a token as read from the database, and when.
type cachedToken struct {
	info store.TokenInfo
	read time.Time
}

// shopGate lets one Update of a shop at a time through in this process. The counter row's
// lock already serialises them; the gate makes the others wait here rather than on that lock
// while holding a pooled connection, which would leave the pool to one shop's waiters while
// other shops' Updates could run.
type shopGate struct {
	turn  chan struct{} // holds a token while an Update of the shop runs
	users int           // Updates running or waiting; the gate goes when none is left
}

// enterShop waits for shop shopID's turn in this process (or for ctx to end) and returns the
// function that ends it.
func (s *Store) enterShop(ctx context.Context, shopID string) (func(), error) {
	s.gatesMu.Lock()
	g := s.gates[shopID]
	if g == nil {
		g = &shopGate{turn: make(chan struct{}, 1)}
		s.gates[shopID] = g
	}
	g.users++
	s.gatesMu.Unlock()
	leave := func() {
		s.gatesMu.Lock()
		if g.users--; g.users == 0 {
			delete(s.gates, shopID)
		}
		s.gatesMu.Unlock()
	}
	select {
	case g.turn <- struct{}{}:
		return func() { <-g.turn; leave() }, nil
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
}

var _ store.Store = (*Store)(nil)
var _ store.Watcher = (*Store)(nil)
var _ store.PreloadUpdater = (*Store)(nil)

// Errors of the PostgreSQL store.
var (
	// ErrSchemaTooNew is returned by Open when the database's schema is of a later version
	// than this program knows: a newer kefu-store migrated it.
	ErrSchemaTooNew = errors.New("the database's schema is newer than this kefu-store")
	// ErrShopExists is returned by Load for a shop that already holds data.
	ErrShopExists = errors.New("the shop already holds data in PostgreSQL")
)

// Open connects to the database at dsn (a PostgreSQL URL or key=value string; pgxpool's
// pool_max_conns and the like work) and creates or migrates the schema. The tables go to the
// first schema of the search_path.
func Open(ctx context.Context, dsn string, o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.PollEvery <= 0 {
		o.PollEvery = 2 * time.Second
		if o.NoNotify {
			o.PollEvery = 50 * time.Millisecond
		}
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres DSN: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = 32
	}
	// A context that ends cancels the statement on the server (a lock wait ends at once) and
	// keeps the connection, rather than cutting it.
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 2 * time.Second}
	}
	var feedCfg *pgxpool.Config
	if o.FeedConns > 0 {
		if o.FeedConns >= int(cfg.MaxConns) {
			return nil, fmt.Errorf("postgres: %d connections for feed reads of a pool of %d: %w", o.FeedConns, cfg.MaxConns, store.ErrInvalid)
		}
		feedCfg = cfg.Copy()
		feedCfg.MaxConns = int32(o.FeedConns)
		feedCfg.MinConns = min(feedCfg.MinConns, feedCfg.MaxConns)
		cfg.MaxConns -= int32(o.FeedConns)
		cfg.MinConns = min(cfg.MinConns, cfg.MaxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to postgres: %w", err)
	}
	feeds := pool
	if feedCfg != nil {
		if feeds, err = pgxpool.NewWithConfig(ctx, feedCfg); err != nil {
			pool.Close()
			return nil, fmt.Errorf("connecting to postgres: %w", err)
		}
	}
	s := &Store{pool: pool, feeds: feeds, cfg: cfg, opts: o, log: o.Logger, indexes: map[string]store.Index{}, gates: map[string]*shopGate{}, queues: map[string]*shopQueue{}, tokens: map[string]cachedToken{}}
	if err := s.migrate(ctx); err != nil {
		s.closePools()
		return nil, err
	}
	var schema string
	if err := pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		s.closePools()
		return nil, fmt.Errorf("reading the schema name: %w", err)
	}
	s.channel = "kefu_changes_" + schema
	return s, nil
}

// enter checks that the store is open and ctx is not done.
func (s *Store) enter(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

// fail is err of a statement, as ctx's error when ctx ended (a cancelled statement fails with
// its own error), wrapped with what was done.
func fail(ctx context.Context, what string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%s: %w", what, cerr)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// retryable reports a serialization failure or a deadlock: the transaction can run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// maxAttempts bounds the runs of one Update (or schema step) on retryable failures.
const maxAttempts = 20

// retry runs once until it succeeds, fails otherwise than retryably, ctx ends or the attempts
// run out, with a short growing pause between attempts.
func retry(ctx context.Context, once func() error) error {
	for attempt := 1; ; attempt++ {
		err := once()
		if err == nil || !retryable(err) || attempt == maxAttempts || ctx.Err() != nil {
			return err
		}
		pause := time.NewTimer(time.Duration(attempt) * time.Millisecond)
		select {
		case <-pause.C:
		case <-ctx.Done():
			pause.Stop()
			return err
		}
	}
}

// rollback ends a transaction that did not commit; it runs whatever ctx says.
func rollback(tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = tx.Rollback(ctx) // a failed rollback leaves a broken connection, which the pool drops
}

// A transaction of Update or View runs on a pooled connection that it begins itself, so that
// BEGIN goes in one round trip with the statement after it (the counter row's lock or read),
// and Update's writes go in one round trip with the counter's update, the NOTIFY and COMMIT:
// a mutation costs the round trips of its reads plus two, not one per statement.

// begin acquires a connection and runs BEGIN (with mode) and the counter's read of shop in one
// round trip; found is false without a counter row. The caller ends the transaction with end.
//
// extra, if not nil, queues more statements to run after the counter's read in the same round
// trip (on the connection it is given) and returns the function that reads their answers,
// which runs only when the counter row was found.
func (s *Store) begin(ctx context.Context, mode, counterSQL, shopID string, extra func(*pgx.Conn, *pgx.Batch) func(pgx.BatchResults) error) (c *pgxpool.Conn, seq int64, found bool, err error) {
	t0 := time.Now()
	c, err = s.pool.Acquire(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	acq, beg := &s.phases.acquire, &s.phases.begin
	if mode[len(mode)-1] == 'Y' { // READ ONLY: a view
		acq, beg = &s.phases.viewAcquire, &s.phases.viewBegin
	}
	t0 = add(acq, t0)
	defer add(beg, t0)
	b := &pgx.Batch{}
	b.Queue(mode)
	b.Queue(counterSQL, shopID)
	var readExtra func(pgx.BatchResults) error
	if extra != nil {
		readExtra = extra(c.Conn(), b)
	}
	br := c.Conn().SendBatch(ctx, b)
	_, err = br.Exec()
	if err == nil {
		err = br.QueryRow().Scan(&seq)
	}
	if err == nil && readExtra != nil {
		err = readExtra(br)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	found = err == nil
	if errors.Is(err, pgx.ErrNoRows) {
		err = nil
	}
	if err != nil {
		end(c)
		return nil, 0, false, err
	}
	return c, seq, found, nil
}

// end rolls back what c's transaction left open, if anything, and returns c to the pool; a
// connection that cannot roll back is closed (the pool then drops it). It runs whatever the
// transaction's ctx says.
func end(c *pgxpool.Conn) {
	conn := c.Conn()
	if !conn.IsClosed() && conn.PgConn().TxStatus() != 'I' {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
			conn.Close(ctx)
		}
		cancel()
	}
	c.Release()
}

// Update implements store.Store. Updates of one shop that wait together run as one
// transaction (see group.go).
func (s *Store) Update(ctx context.Context, shopID string, fn func(store.Tx) error) error {
	return s.update(ctx, shopID, nil, fn)
}

// UpdatePreloaded implements store.PreloadUpdater: the results and records named are read in
// the round trip that begins the transaction, after the counter row's lock, so that they are
// the latest committed.
func (s *Store) UpdatePreloaded(ctx context.Context, shopID string, results []string, records []store.RecordKey, fn func(store.Tx) error) error {
	return s.update(ctx, shopID, &preloadKeys{results: results, records: records}, fn)
}

// preloadKeys is what an Update reads ahead.
type preloadKeys struct {
	results []string
	records []store.RecordKey
}

// The statements that lock a shop's counter row and create it on first use.
const (
	lockCounterSQL   = `SELECT seq FROM kefu_shops WHERE shop = $1 FOR UPDATE`
	createCounterSQL = `INSERT INTO kefu_shops (shop, seq) VALUES ($1, 0) ON CONFLICT (shop) DO NOTHING`
	readCounterSQL   = `SELECT seq FROM kefu_shops WHERE shop = $1`
)

// lockShop locks shop shopID's counter row in tx, creating it on first use, and returns its
// seq (Load's transaction).
func lockShop(ctx context.Context, tx pgx.Tx, shopID string) (int64, error) {
	var seq int64
	err := tx.QueryRow(ctx, lockCounterSQL, shopID).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		if _, err := tx.Exec(ctx, createCounterSQL, shopID); err != nil {
			return 0, fail(ctx, "creating the shop's counter", err)
		}
		err = tx.QueryRow(ctx, lockCounterSQL, shopID).Scan(&seq)
	}
	if err != nil {
		return 0, fail(ctx, "locking the shop's counter", err)
	}
	return seq, nil
}

func (s *Store) updateOnce(ctx context.Context, shopID string, pre *preloadKeys, fn func(store.Tx) error) (err error) {
	s.phases.txs.Add(1)
	w := &pgTx{pgRead: pgRead{st: s, ctx: ctx, shop: shopID}}
	var extra func(*pgx.Conn, *pgx.Batch) func(pgx.BatchResults) error
	if pre != nil {
		extra = func(conn *pgx.Conn, b *pgx.Batch) func(pgx.BatchResults) error {
			w.q = conn
			return w.planPreload(b, pre.results, pre.records)
		}
	}
	c, seq, found, err := s.begin(ctx, "BEGIN ISOLATION LEVEL READ COMMITTED", lockCounterSQL, shopID, extra)
	if err != nil {
		return fail(ctx, "beginning an update", err)
	}
	defer end(c)
	conn := c.Conn()
	w.q, w.seq, w.start, w.commit = conn, seq, seq, seq+1
	if !found {
		// The reads ahead ran without the lock: read again once it is held.
		w.forgetPreload()
		// Two first Updates of a shop: the second's insert waits for the first to end.
		if _, err := conn.Exec(ctx, createCounterSQL, shopID); err != nil {
			return fail(ctx, "creating the shop's counter", err)
		}
		if err := conn.QueryRow(ctx, lockCounterSQL, shopID).Scan(&seq); err != nil {
			return fail(ctx, "locking the shop's counter", err)
		}
		w.seq, w.start, w.commit = seq, seq, seq+1
		if pre != nil {
			if err := w.preload(pre.results, pre.records); err != nil {
				return err
			}
		}
	}
	t0 := time.Now()
	if err := fn(w); err != nil {
		return err
	}
	t0 = add(&s.phases.fn, t0)
	defer add(&s.phases.commit, t0)
	if err := ctx.Err(); err != nil {
		return err // a ctx that ended during fn rolls the update back
	}
	var commit tailCommit
	if w.seq != w.start {
		commit = newCommit(w.start, w.seq, w.written)
		w.queue("advancing the shop's counter", `UPDATE kefu_shops SET seq = $2 WHERE shop = $1`, shopID, w.seq)
		if !s.opts.NoNotify {
			w.queue("notifying", `SELECT pg_notify($1, $2)`, s.channel, s.notePayload(shopID, commit))
		}
	}
	w.queue("committing", "COMMIT")
	if err := w.flush(); err != nil {
		return fail(ctx, "committing", err)
	}
	s.addTail(shopID, commit, true)
	return nil
}

// View implements store.Store.
func (s *Store) View(ctx context.Context, shopID string, fn func(store.ReadTx) error) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	s.phases.views.Add(1)
	defer add(&s.phases.viewTotal, time.Now())
	return retry(ctx, func() error {
		// The counter's read takes the snapshot: it is taken now, as View begins.
		c, seq, _, err := s.begin(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", readCounterSQL, shopID, nil)
		if err != nil {
			return fail(ctx, "beginning a view", err)
		}
		// The read-only transaction's ROLLBACK need not hold up the caller: it runs after View
		// returns, and the connection goes back to the pool when it is done.
		defer func() { go end(c) }()
		return fn(&pgRead{st: s, ctx: ctx, q: c.Conn(), shop: shopID, seq: seq})
	})
}

// Shops implements store.Store.
func (s *Store) Shops(ctx context.Context) ([]string, error) {
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT shop FROM kefu_accounts ORDER BY shop`)
	if err != nil {
		return nil, fail(ctx, "listing shops", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fail(ctx, "listing shops", err)
	}
	return ids, nil
}

// unixNano is t in nanoseconds since 1970, clamped to int64 (the zero time is the minimum).
func unixNano(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// PutToken implements store.Store.
func (s *Store) PutToken(ctx context.Context, hash string, t store.TokenInfo) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	defer s.forgetToken(hash)
	_, err = s.pool.Exec(ctx, `INSERT INTO kefu_tokens (hash, shop, expires_ns, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (hash) DO UPDATE SET shop = excluded.shop, expires_ns = excluded.expires_ns, data = excluded.data`,
		hash, t.Shop, unixNano(t.Expires), b)
	if err != nil {
		return fail(ctx, "storing a token", err)
	}
	return nil
}

// Token implements store.Store.
func (s *Store) Token(ctx context.Context, hash string) (store.TokenInfo, bool, error) {
	var t store.TokenInfo
	if err := s.enter(ctx); err != nil {
		return t, false, err
	}
	s.tokensMu.Lock()
	c, ok := s.tokens[hash]
	s.tokensMu.Unlock()
	if ok && time.Since(c.read) < tokenCacheFor {
		return c.info, true, nil
	}
	read := time.Now()
	found, err := getJSON(ctx, s.pool, &t, `SELECT data FROM kefu_tokens WHERE hash = $1`, hash)
	s.tokensMu.Lock()
	defer s.tokensMu.Unlock()
	switch {
	case err == nil && found:
		if len(s.tokens) >= tokenCacheMax {
			clear(s.tokens)
		}
		s.tokens[hash] = cachedToken{info: t, read: read}
	default:
		delete(s.tokens, hash)
	}
	return t, found, err
}

// forgetToken drops a token from the cache (it changed through this Store).
func (s *Store) forgetToken(hash string) {
	s.tokensMu.Lock()
	delete(s.tokens, hash)
	s.tokensMu.Unlock()
}

// DeleteToken implements store.Store.
func (s *Store) DeleteToken(ctx context.Context, hash string) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.forgetToken(hash)
	if _, err := s.pool.Exec(ctx, `DELETE FROM kefu_tokens WHERE hash = $1`, hash); err != nil {
		return fail(ctx, "deleting a token", err)
	}
	return nil
}

// DeleteExpiredTokens implements store.Store.
func (s *Store) DeleteExpiredTokens(ctx context.Context, now time.Time) (int, error) {
	if err := s.enter(ctx); err != nil {
		return 0, err
	}
	s.tokensMu.Lock()
	for hash, c := range s.tokens {
		if !c.info.Expires.After(now) {
			delete(s.tokens, hash)
		}
	}
	s.tokensMu.Unlock()
	tag, err := s.pool.Exec(ctx, `DELETE FROM kefu_tokens WHERE expires_ns <= $1`, unixNano(now))
	if err != nil {
		return 0, fail(ctx, "deleting expired tokens", err)
	}
	return int(tag.RowsAffected()), nil
}

// Sync implements store.Store: a PostgreSQL commit is durable when it returns.
func (s *Store) Sync(ctx context.Context) error { return s.enter(ctx) }

// Close implements store.Store.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.closePools()
	return nil
}

// closePools closes the pool and the feed reads' own, if any.
func (s *Store) closePools() {
	if s.feeds != s.pool {
		s.feeds.Close()
	}
	s.pool.Close()
}

// querier runs statements: a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// getJSON reads one bytea column holding JSON into v; found is false without a row.
func getJSON(ctx context.Context, q querier, v any, sql string, args ...any) (bool, error) {
	var b []byte
	err := q.QueryRow(ctx, sql, args...).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fail(ctx, "reading", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("decoding %T: %w", v, err)
	}
	return true, nil
}

// pageRows is how many rows Feed, Results and Scan read per statement: fn runs between
// statements, so it may read the transaction too.
const pageRows = 256

// pgRead is a ReadTx on a PostgreSQL transaction.
type pgRead struct {
	st   *Store
	ctx  context.Context
	q    *pgx.Conn // in the transaction Update or View began
	shop string
	seq  int64 // the counter read when the transaction began, plus its own Puts
}

func (r *pgRead) getJSON(v any, sql string, args ...any) (bool, error) {
	if err := r.ctx.Err(); err != nil {
		return false, err
	}
	return getJSON(r.ctx, r.q, v, sql, args...)
}

func (r *pgRead) Account() (store.ShopAccount, bool, error) {
	var a store.ShopAccount
	found, err := r.getJSON(&a, `SELECT data FROM kefu_accounts WHERE shop = $1`, r.shop)
	return a, found, err
}

func (r *pgRead) Seq() (int64, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.seq, nil
}

func (r *pgRead) Record(t shop.EntityType, id string) (shop.Record, bool, error) {
	if err := r.ctx.Err(); err != nil {
		return shop.Record{}, false, err
	}
	rec := shop.Record{Type: t, ID: id}
	var data []byte
	err := r.q.QueryRow(r.ctx, `SELECT seq, deleted, data FROM kefu_records WHERE shop = $1 AND type = $2 AND id = $3`, r.shop, string(t), id).
		Scan(&rec.Seq, &rec.Deleted, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.Record{}, false, nil
	}
	if err != nil {
		return shop.Record{}, false, fail(r.ctx, "reading a record", err)
	}
	if len(data) > 0 {
		rec.Data = json.RawMessage(data)
	}
	return rec, true, nil
}

func (r *pgRead) Feed(after int64, fn func(shop.Record) bool) error {
	for {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		rows, err := r.q.Query(r.ctx, `SELECT type, id, seq, deleted, data, commit_seq FROM kefu_records
			WHERE shop = $1 AND seq > $2 ORDER BY seq LIMIT $3`, r.shop, after, pageRows)
		if err != nil {
			return fail(r.ctx, "reading the feed", err)
		}
		page, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (shop.Record, error) {
			var rec shop.Record
			var typ string
			var data []byte
			err := row.Scan(&typ, &rec.ID, &rec.Seq, &rec.Deleted, &data, &rec.Commit)
			rec.Type = shop.EntityType(typ)
			if rec.Commit == 0 { // written before schema version 3: taken as its own commit
				rec.Commit = rec.Seq
			}
			if len(data) > 0 {
				rec.Data = json.RawMessage(data)
			}
			return rec, err
		})
		if err != nil {
			return fail(r.ctx, "reading the feed", err)
		}
		for _, rec := range page {
			if !fn(rec) {
				return nil
			}
			after = rec.Seq
		}
		if len(page) < pageRows {
			return nil
		}
	}
}

func (r *pgRead) Credential(staff string) (store.Credential, bool, error) {
	var c store.Credential
	found, err := r.getJSON(&c, `SELECT data FROM kefu_credentials WHERE shop = $1 AND staff = $2`, r.shop, staff)
	return c, found, err
}

func (r *pgRead) Result(mutationID string) (storeapi.Result, bool, error) {
	var res storeapi.Result
	found, err := r.getJSON(&res, `SELECT data FROM kefu_results WHERE shop = $1 AND id = $2`, r.shop, mutationID)
	return res, found, err
}

func (r *pgRead) Results(fn func(storeapi.Result) bool) error {
	after, first := "", true
	for {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		rows, err := r.q.Query(r.ctx, `SELECT id, data FROM kefu_results WHERE shop = $1 AND ($2 OR id > $3) ORDER BY id LIMIT $4`,
			r.shop, first, after, pageRows)
		if err != nil {
			return fail(r.ctx, "reading results", err)
		}
		type row struct {
			id   string
			data []byte
		}
		page, err := pgx.CollectRows(rows, func(cr pgx.CollectableRow) (row, error) {
			var x row
			return x, cr.Scan(&x.id, &x.data)
		})
		if err != nil {
			return fail(r.ctx, "reading results", err)
		}
		for _, x := range page {
			var res storeapi.Result
			if err := json.Unmarshal(x.data, &res); err != nil {
				return fmt.Errorf("shop %s: decoding result %q: %w", r.shop, x.id, err)
			}
			if !fn(res) {
				return nil
			}
			after, first = x.id, false
		}
		if len(page) < pageRows {
			return nil
		}
	}
}

func (r *pgRead) ChatToken(hash string) (store.ChatToken, bool, error) {
	var t store.ChatToken
	found, err := r.getJSON(&t, `SELECT data FROM kefu_chat_tokens WHERE shop = $1 AND hash = $2`, r.shop, hash)
	return t, found, err
}

func (r *pgRead) Scan(index string, q store.Query, fn func(store.Entry) bool) error {
	ix, err := r.st.index(index)
	if err != nil {
		return err
	}
	if err := ix.CheckQuery(q); err != nil {
		return err
	}
	cols := fieldColumns(ix)
	args := []any{r.shop}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	var where strings.Builder
	where.WriteString("shop = $1")
	for i, v := range q.Prefix {
		fmt.Fprintf(&where, " AND %s = %s", cols[i], arg(v))
	}
	if q.Min != nil {
		fmt.Fprintf(&where, " AND %s >= %s", cols[len(q.Prefix)], arg(q.Min))
	}
	if q.Max != nil {
		fmt.Fprintf(&where, " AND %s <= %s", cols[len(q.Prefix)], arg(q.Max))
	}
	all := append(cols, "id")
	list := strings.Join(all, ", ")
	fixed := len(args)
	var last []any // the last entry read: the next page begins after it
	for {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		args = args[:fixed]
		sql := "SELECT " + list + " FROM " + indexTable(ix.Name) + " WHERE " + where.String()
		if last != nil {
			marks := make([]string, len(last))
			for i, v := range last {
				marks[i] = arg(v)
			}
			sql += " AND (" + list + ") > (" + strings.Join(marks, ", ") + ")"
		}
		sql += " ORDER BY " + list + " LIMIT " + strconv.Itoa(pageRows)
		rows, err := r.q.Query(r.ctx, sql, args...)
		if err != nil {
			return fail(r.ctx, "scanning index "+ix.Name, err)
		}
		page, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Entry, error) {
			dest := make([]any, len(all))
			vals := make([]any, len(ix.Fields))
			var id string
			for i, f := range ix.Fields {
				if f.Kind == store.Int {
					dest[i] = new(int64)
				} else {
					dest[i] = new(string)
				}
			}
			dest[len(ix.Fields)] = &id
			if err := row.Scan(dest...); err != nil {
				return store.Entry{}, err
			}
			for i := range ix.Fields {
				switch p := dest[i].(type) {
				case *int64:
					vals[i] = *p
				case *string:
					vals[i] = *p
				}
			}
			return store.Entry{Key: vals, ID: id}, nil
		})
		if err != nil {
			return fail(r.ctx, "scanning index "+ix.Name, err)
		}
		for _, e := range page {
			if !fn(e) {
				return nil
			}
		}
		if len(page) < pageRows {
			return nil
		}
		e := page[len(page)-1]
		last = append(append([]any{}, e.Key...), e.ID)
	}
}

// pgTx is a Tx on a PostgreSQL read-write transaction that holds the shop's counter row.
//
// Its writes are not sent one by one: they wait in pending and go in one round trip, with the
// counter's update and COMMIT at the end of Update, or before a read they could change
// (Feed, Scan, Account…). Record and Result answer from what the transaction wrote or read
// before: while it holds the counter row no other transaction writes the shop's records or
// results (every write of a shop is an Update or a Load, which lock that row first), so what
// it read stays true until it ends.
type pgTx struct {
	pgRead
	start   int64 // the counter when the Update began
	commit  int64 // the first seq of the running store.Update (one of a group: beginCommit)
	pending pgx.Batch
	whats   []string // what each pending statement does, for its error
	// The Puts and PutResults not sent yet, the latest of each entity or id (an entity Put
	// twice keeps its last seq only, as the compacted feed would): they go as one multi-row
	// statement each, ahead of pending.
	putRecords map[recordKey]shop.Record
	putResults map[string][]byte
	entries    map[string]map[string]entryChange // index → entry (as JSON) → its last change
	records    map[recordKey]cachedRecord
	results    map[string]cachedResult
	// written is every entity the transaction Put, at its last seq (with its commit): the
	// records its commit adds to the feed, for the feed's tail and the notification.
	written map[recordKey]shop.Record
}

// recordKey names an entity of the shop.
type recordKey struct {
	typ shop.EntityType
	id  string
}

// cachedRecord is what Record answers for an entity the transaction read or wrote.
type cachedRecord struct {
	rec   shop.Record
	found bool
}

// cachedResult is what Result answers for a mutation id the transaction read or wrote.
type cachedResult struct {
	res   storeapi.Result
	found bool
}

// exec queues a write of the transaction, once its ctx is checked; flush sends it.
func (w *pgTx) exec(what, sql string, args ...any) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	w.queue(what, sql, args...)
	return nil
}

// queue adds a statement to the pending ones.
func (w *pgTx) queue(what, sql string, args ...any) {
	w.pending.Queue(sql, args...)
	w.whats = append(w.whats, what)
}

// Multi-row upserts of records and results, from arrays (one prepared statement whatever the
// number of rows).
const (
	putRecordsSQL = `INSERT INTO kefu_records (shop, type, id, seq, deleted, data, commit_seq)
		SELECT $1, u.type, u.id, u.seq, u.deleted, u.data, u.commit_seq FROM unnest($2::text[], $3::text[], $4::bigint[], $5::boolean[], $6::bytea[], $7::bigint[]) AS u (type, id, seq, deleted, data, commit_seq)
		ON CONFLICT (shop, type, id) DO UPDATE SET seq = excluded.seq, deleted = excluded.deleted, data = excluded.data, commit_seq = excluded.commit_seq`
	putResultsSQL = `INSERT INTO kefu_results (shop, id, data)
		SELECT $1, u.id, u.data FROM unnest($2::text[], $3::bytea[]) AS u (id, data)
		ON CONFLICT (shop, id) DO UPDATE SET data = excluded.data`
)

// takeWrites returns the batch to send: the records' and results' upserts, then pending.
func (w *pgTx) takeWrites() (pgx.Batch, []string) {
	var b pgx.Batch
	var whats []string
	if n := len(w.putRecords); n > 0 {
		types, ids, seqs, deleted, data, commits := make([]string, 0, n), make([]string, 0, n), make([]int64, 0, n), make([]bool, 0, n), make([][]byte, 0, n), make([]int64, 0, n)
		for _, rec := range w.putRecords {
			types, ids, seqs, deleted = append(types, string(rec.Type)), append(ids, rec.ID), append(seqs, rec.Seq), append(deleted, rec.Deleted)
			data, commits = append(data, []byte(rec.Data)), append(commits, rec.Commit)
		}
		b.Queue(putRecordsSQL, w.shop, types, ids, seqs, deleted, data, commits)
		whats = append(whats, "storing records")
		w.putRecords = nil
	}
	if n := len(w.putResults); n > 0 {
		ids, data := make([]string, 0, n), make([][]byte, 0, n)
		for id, b := range w.putResults {
			ids, data = append(ids, id), append(data, b)
		}
		b.Queue(putResultsSQL, w.shop, ids, data)
		whats = append(whats, "storing results")
		w.putResults = nil
	}
	w.queueEntries(&b, &whats)
	b.QueuedQueries = append(b.QueuedQueries, w.pending.QueuedQueries...)
	whats = append(whats, w.whats...)
	w.pending, w.whats = pgx.Batch{}, nil
	return b, whats
}

// flush sends the pending statements in one round trip and reads their outcomes; the first
// failure is returned (the server skips the statements after it, COMMIT included).
func (w *pgTx) flush() error {
	b, whats := w.takeWrites() // pgx reads the batch while its results are read
	n := b.Len()
	if n == 0 {
		return nil
	}
	br := w.q.SendBatch(w.ctx, &b)
	var err error
	for i := 0; i < n && err == nil; i++ {
		if _, e := br.Exec(); e != nil {
			err = fail(w.ctx, whats[i], e)
		}
	}
	if cerr := br.Close(); err == nil && cerr != nil {
		err = fail(w.ctx, "sending the transaction's writes", cerr)
	}
	return err
}

// flushed is flush before a read that the pending writes could change.
func (w *pgTx) flushed() error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	return w.flush()
}

func (w *pgTx) Account() (store.ShopAccount, bool, error) {
	if err := w.flushed(); err != nil {
		return store.ShopAccount{}, false, err
	}
	return w.pgRead.Account()
}

func (w *pgTx) Record(t shop.EntityType, id string) (shop.Record, bool, error) {
	if err := w.ctx.Err(); err != nil {
		return shop.Record{}, false, err
	}
	k := recordKey{t, id}
	if c, ok := w.records[k]; ok {
		return c.rec, c.found, nil
	}
	rec, found, err := w.pgRead.Record(t, id)
	if err != nil {
		return rec, found, err
	}
	if w.records == nil {
		w.records = map[recordKey]cachedRecord{}
	}
	w.records[k] = cachedRecord{rec: rec, found: found}
	return rec, found, nil
}

// preload has one round trip read the results and the records asked for (and any record of
// those types with those ids), which Result and Record then answer from memory, found or not.
func (w *pgTx) preload(results []string, records []store.RecordKey) error {
	if err := w.flushed(); err != nil {
		return err
	}
	b := &pgx.Batch{}
	read := w.planPreload(b, results, records)
	br := w.q.SendBatch(w.ctx, b)
	err := read(br)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		w.forgetPreload()
		return fail(w.ctx, "reading ahead", err)
	}
	return nil
}

// forgetPreload drops what the transaction knows of its records and results (a read ahead
// failed, so what it marked missing may not be); its reads go to the database again. Nothing
// may be pending.
func (w *pgTx) forgetPreload() { w.records, w.results = nil, nil }

// planPreload queues into b the reads of preload and marks what they ask for as missing; the
// function it returns reads their answers from the batch's results, in order.
func (w *pgTx) planPreload(b *pgx.Batch, results []string, records []store.RecordKey) func(pgx.BatchResults) error {
	if w.records == nil {
		w.records = map[recordKey]cachedRecord{}
	}
	if w.results == nil {
		w.results = map[string]cachedResult{}
	}
	var resultIDs, types, ids []string
	for _, id := range results {
		if _, ok := w.results[id]; !ok {
			resultIDs = append(resultIDs, id)
			w.results[id] = cachedResult{} // not found, unless read below
		}
	}
	seenType := map[shop.EntityType]bool{}
	for _, k := range records {
		if _, ok := w.records[recordKey{k.Type, k.ID}]; ok {
			continue
		}
		w.records[recordKey{k.Type, k.ID}] = cachedRecord{} // not found, unless read below
		ids = append(ids, k.ID)
		if !seenType[k.Type] {
			seenType[k.Type] = true
			types = append(types, string(k.Type))
		}
	}
	b.Queue(`SELECT id, data FROM kefu_results WHERE shop = $1 AND id = ANY($2)`, w.shop, resultIDs)
	b.Queue(`SELECT type, id, seq, deleted, data FROM kefu_records WHERE shop = $1 AND type = ANY($2) AND id = ANY($3)`, w.shop, types, ids)
	return func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var data []byte
			if err := rows.Scan(&id, &data); err != nil {
				rows.Close()
				return err
			}
			var res storeapi.Result
			if err := json.Unmarshal(data, &res); err != nil {
				rows.Close()
				return fmt.Errorf("decoding result %q: %w", id, err)
			}
			w.results[id] = cachedResult{res: res, found: true}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = br.Query()
		if err != nil {
			return err
		}
		for rows.Next() {
			var rec shop.Record
			var typ string
			var data []byte
			if err := rows.Scan(&typ, &rec.ID, &rec.Seq, &rec.Deleted, &data); err != nil {
				rows.Close()
				return err
			}
			rec.Type = shop.EntityType(typ)
			if len(data) > 0 {
				rec.Data = json.RawMessage(data)
			}
			w.records[recordKey{rec.Type, rec.ID}] = cachedRecord{rec: rec, found: true}
		}
		return rows.Err()
	}
}

func (w *pgTx) Feed(after int64, fn func(shop.Record) bool) error {
	if err := w.flushed(); err != nil {
		return err
	}
	return w.pgRead.Feed(after, fn)
}

func (w *pgTx) Credential(staff string) (store.Credential, bool, error) {
	if err := w.flushed(); err != nil {
		return store.Credential{}, false, err
	}
	return w.pgRead.Credential(staff)
}

func (w *pgTx) Result(mutationID string) (storeapi.Result, bool, error) {
	if err := w.ctx.Err(); err != nil {
		return storeapi.Result{}, false, err
	}
	if c, ok := w.results[mutationID]; ok {
		return c.res, c.found, nil
	}
	res, found, err := w.pgRead.Result(mutationID)
	if err != nil {
		return res, found, err
	}
	if w.results == nil {
		w.results = map[string]cachedResult{}
	}
	w.results[mutationID] = cachedResult{res: res, found: found}
	return res, found, nil
}

func (w *pgTx) Results(fn func(storeapi.Result) bool) error {
	if err := w.flushed(); err != nil {
		return err
	}
	return w.pgRead.Results(fn)
}

func (w *pgTx) ChatToken(hash string) (store.ChatToken, bool, error) {
	if err := w.flushed(); err != nil {
		return store.ChatToken{}, false, err
	}
	return w.pgRead.ChatToken(hash)
}

func (w *pgTx) Scan(index string, q store.Query, fn func(store.Entry) bool) error {
	if err := w.flushed(); err != nil {
		return err
	}
	return w.pgRead.Scan(index, q, fn)
}

// putJSON upserts v as the data of the row keyed (shop, key) of table.
func (w *pgTx) putJSON(table, keyCol, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w.exec("storing into "+table, `INSERT INTO `+table+` (shop, `+keyCol+`, data) VALUES ($1, $2, $3)
		ON CONFLICT (shop, `+keyCol+`) DO UPDATE SET data = excluded.data`, w.shop, key, b)
}

func (w *pgTx) PutAccount(a store.ShopAccount) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return w.exec("storing the account", `INSERT INTO kefu_accounts (shop, data) VALUES ($1, $2)
		ON CONFLICT (shop) DO UPDATE SET data = excluded.data`, w.shop, b)
}

func (w *pgTx) PutCredential(c store.Credential) error {
	return w.putJSON("kefu_credentials", "staff", c.Staff, c)
}

func (w *pgTx) Put(rec shop.Record) (int64, error) {
	if !rec.Type.Known() {
		return 0, fmt.Errorf("storing %s %s: unknown entity type: %w", rec.Type, rec.ID, store.ErrInvalid)
	}
	if rec.ID == "" || strings.ContainsRune(rec.ID, 0) {
		return 0, fmt.Errorf("storing %s %q: invalid id: %w", rec.Type, rec.ID, store.ErrInvalid)
	}
	seq := w.seq + 1
	var data []byte
	if !rec.Deleted {
		data = rec.Data
	}
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	data = slices.Clone(data) // the caller may reuse its buffer before the write is sent
	w.seq = seq
	stored := shop.Record{Type: rec.Type, ID: rec.ID, Seq: seq, Deleted: rec.Deleted}
	if len(data) > 0 {
		stored.Data = json.RawMessage(data)
	}
	if w.records == nil {
		w.records = map[recordKey]cachedRecord{}
	}
	if w.putRecords == nil {
		w.putRecords = map[recordKey]shop.Record{}
	}
	k := recordKey{rec.Type, rec.ID}
	w.records[k] = cachedRecord{rec: stored, found: true}
	stored.Commit = w.commit // for the feed only: Record answers as if read back
	w.putRecords[k] = stored
	if w.written == nil {
		w.written = map[recordKey]shop.Record{}
	}
	w.written[k] = stored
	return seq, nil
}

// beginCommit starts the next store.Update of a group: the records it puts are its own commit
// in the feed (shop.Record.Commit), so that a page of changes may end between the group's
// Updates.
func (w *pgTx) beginCommit() { w.commit = w.seq + 1 }

func (w *pgTx) PutResult(r storeapi.Result) error {
	// What Result gives back is what a read of the stored JSON would: the value decoded.
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	var stored storeapi.Result
	if err := json.Unmarshal(b, &stored); err != nil {
		return fmt.Errorf("decoding result %q: %w", r.ID, err)
	}
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if w.putResults == nil {
		w.putResults = map[string][]byte{}
	}
	w.putResults[r.ID] = b
	if w.results == nil {
		w.results = map[string]cachedResult{}
	}
	w.results[r.ID] = cachedResult{res: stored, found: true}
	return nil
}

func (w *pgTx) PutChatToken(hash string, t store.ChatToken) error {
	return w.putJSON("kefu_chat_tokens", "hash", hash, t)
}

// entryArgs checks e against its declared index and returns the index and the statement's
// arguments: shop, key values, id.
func (w *pgTx) entryArgs(index string, e store.Entry) (store.Index, []any, error) {
	if err := w.ctx.Err(); err != nil {
		return store.Index{}, nil, err
	}
	ix, err := w.st.index(index)
	if err != nil {
		return ix, nil, err
	}
	if err := ix.CheckEntry(e); err != nil {
		return ix, nil, err
	}
	return ix, append(append([]any{w.shop}, e.Key...), e.ID), nil
}

func (w *pgTx) AddEntry(index string, e store.Entry) error { return w.entryOp(index, e, true) }

func (w *pgTx) RemoveEntry(index string, e store.Entry) error { return w.entryOp(index, e, false) }

// entryChange is the last AddEntry (add) or RemoveEntry of one index entry in a transaction.
type entryChange struct {
	add   bool
	entry store.Entry
}

// entryOp records an AddEntry or RemoveEntry to send with the transaction's other writes. Of
// the changes of one entry only the last matters, and changes of different entries commute:
// they go as one multi-row insert and one multi-row delete per index.
func (w *pgTx) entryOp(index string, e store.Entry, add bool) error {
	ix, _, err := w.entryArgs(index, e)
	if err != nil {
		return err
	}
	key, err := json.Marshal(append(append([]any{}, e.Key...), e.ID))
	if err != nil {
		return err
	}
	if w.entries == nil {
		w.entries = map[string]map[string]entryChange{}
	}
	m := w.entries[ix.Name]
	if m == nil {
		m = map[string]entryChange{}
		w.entries[ix.Name] = m
	}
	m[string(key)] = entryChange{add: add, entry: store.Entry{Key: append([]any(nil), e.Key...), ID: e.ID}}
	return nil
}

// queueEntries adds to b the multi-row statements of the pending index changes.
func (w *pgTx) queueEntries(b *pgx.Batch, whats *[]string) {
	for name, changes := range w.entries {
		ix, err := w.st.index(name)
		if err != nil {
			continue // checked by entryOp; indexes are never forgotten
		}
		cols := strings.Join(fieldColumns(ix), ", ")
		for _, add := range []bool{false, true} {
			arrays := make([]any, len(ix.Fields)+1)
			casts := make([]string, len(arrays))
			for i, f := range ix.Fields {
				if f.Kind == store.Int {
					arrays[i], casts[i] = []int64{}, fmt.Sprintf("$%d::bigint[]", i+2)
				} else {
					arrays[i], casts[i] = []string{}, fmt.Sprintf("$%d::text[]", i+2)
				}
			}
			ids := []string{}
			casts[len(ix.Fields)] = fmt.Sprintf("$%d::text[]", len(ix.Fields)+2)
			n := 0
			for _, c := range changes {
				if c.add != add {
					continue
				}
				n++
				for i, v := range c.entry.Key {
					switch a := arrays[i].(type) {
					case []int64:
						arrays[i] = append(a, v.(int64))
					case []string:
						arrays[i] = append(a, v.(string))
					}
				}
				ids = append(ids, c.entry.ID)
			}
			if n == 0 {
				continue
			}
			arrays[len(ix.Fields)] = ids
			rows := "SELECT * FROM unnest(" + strings.Join(casts, ", ") + ")"
			if add {
				b.Queue(`INSERT INTO `+indexTable(ix.Name)+` (shop, `+cols+`, id) SELECT $1, u.* FROM (`+rows+`) AS u ON CONFLICT DO NOTHING`,
					append([]any{w.shop}, arrays...)...)
				*whats = append(*whats, "adding entries of index "+ix.Name)
			} else {
				b.Queue(`DELETE FROM `+indexTable(ix.Name)+` WHERE shop = $1 AND (`+cols+`, id) IN (`+rows+`)`,
					append([]any{w.shop}, arrays...)...)
				*whats = append(*whats, "removing entries of index "+ix.Name)
			}
		}
	}
	w.entries = nil
}
