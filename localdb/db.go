package localdb

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"kefu/shop"
)

// SchemaVersion is the version of the keyspace this package writes. Opening a store written with
// a higher version fails with ErrNewerSchema.
//
//	1: the first keyspace
//	2: reviews are indexed by customer (ixReviewCust)
//	3: the order lookup indexes (number, nick, phone, receiver) carry the creation time
//	4: the order lookup indexes carry the order's list row too (OrderRow)
//	5: reviews are indexed by when they started waiting for follow-up (ixReviewWait)
//	6: calls, handovers and concessions are indexed (calls.go, handovers.go, concessions.go)
const SchemaVersion = 7

var (
	// ErrLocked means another process (or another Open in this one) holds the data directory.
	ErrLocked = errors.New("the data directory is in use by another Kefu Desk")
	// ErrNewerSchema means the store was written by a newer Kefu Desk.
	ErrNewerSchema = errors.New("the data was written by a newer Kefu Desk")
	// ErrNotFound is returned by the typed getters when there is no such entity.
	ErrNotFound = errors.New("not found")
	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("local store is closed")
	// ErrCorrupt marks stored data this version cannot read: damaged files, or values that do
	// not decode. Open returns it for a store Badger cannot open because of damage.
	ErrCorrupt = errors.New("local store data is corrupt")
	// ErrDiskFull means the disk holding the data directory is full, or so nearly full that the
	// store refuses to write (see minFree). Nothing was written; it wraps syscall.ENOSPC.
	ErrDiskFull = errors.New("the disk is full")
	// ErrReadOnly means the data directory cannot be created or written: a read-only disk, no
	// permission, or a file where a folder should be. It wraps the operating system's error.
	ErrReadOnly = errors.New("the data directory cannot be written")
)

// Options configures Open.
type Options struct {
	Dir      string // data directory (created if missing); ignored when InMemory
	InMemory bool   // tests
	// Now is the desk's clock for what Apply decides (timestamps it writes); nil means
	// time.Now. The fault soak runs desks with skewed clocks through it.
	Now func() time.Time
	// FreeSpace reports how many bytes are free on the disk holding the directory; nil asks the
	// operating system (and does not check an in-memory store). Below minFree, writes fail with
	// ErrDiskFull. Tests play a full disk with it.
	FreeSpace func(dir string) (uint64, error)
}

// gcInterval is how often the value log is garbage collected.
const gcInterval = 5 * time.Minute

// DB is the desk's local store: a cache of the shop's entities with their indexes, the outbox
// of staff actions not yet acknowledged by the server, and the sync cursor. It is safe for
// concurrent use; writes are serialised.
type DB struct {
	bdb       *badger.DB
	dir       string
	storeName string // the folder of dir holding Badger's files ("" for dir itself; swap.go)
	products  *productIndex
	search    *searchBuilder // the full-text search's background build (search_index.go)
	outLen    atomic.Int64
	commits   atomic.Int64 // committed write transactions (tests check chunking with it)
	syncs     atomic.Int64 // commits synced to disk (tests check which writes sync)
	// resetSinceCursor is set by ResetCache and cleared by Cursor: a page of changes pulled from
	// a cursor read before a reset is stale and must not write that old cursor back.
	resetSinceCursor atomic.Bool
	now              func() time.Time
	freeSpace        func(dir string) (uint64, error) // nil: not checked

	wmu sync.Mutex // serialises writers: Apply, ApplyChanges, Acknowledge, ResetCache, SetMeta...

	life   sync.RWMutex // read-held by every operation, write-held by Close
	closed bool

	subMu  sync.Mutex
	subs   map[int]func(Change)
	nextID int

	stop   chan struct{}
	gcDone sync.WaitGroup
	gcMu   sync.Mutex // keeps value-log GC and DropPrefix (ResetCache) apart
}

// quietLogger passes Badger's warnings and errors to the standard log package and drops the rest.
type quietLogger struct{}

func (quietLogger) Errorf(f string, a ...any) {
	log.Printf("badger: ERROR: "+strings.TrimRight(f, "\n"), a...)
}
func (quietLogger) Warningf(f string, a ...any) {
	log.Printf("badger: WARNING: "+strings.TrimRight(f, "\n"), a...)
}
func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

// badgerOptions are Badger's options tuned for a desktop: small memtables and caches, a 64 MB
// value log (mapped at twice its size), few levels and compactors. Tables are 2 MB on every
// level (TableSizeMultiplier 1) and memtables 8 MB: Badger builds each table in memory and
// keeps up to eight of those buffers pooled, so they set the peak of a bulk import (the
// 1.3M-record first sync of the large demo shop peaked at 1.4 GB resident with 16 MB
// memtables, 0.95 GB with 8 MB, in the same time). Writes are synced by wtx.commit, not by
// SyncWrites, so that the change feed is imported without a sync per page. The block cache
// is 4 MB: on the large bench shop a 16 MB one was filled (15 MB) by the product index's
// start-up read of every product, blocks nobody reads again; at 4 MB the order lookups kept
// their p99 (0.18 ms) and the live heap after every section fell by 12 MB.
func badgerOptions(o Options) badger.Options {
	dir := o.Dir
	if o.InMemory {
		dir = ""
	}
	opts := badger.DefaultOptions(dir).
		WithInMemory(o.InMemory).
		WithLogger(quietLogger{}).
		WithSyncWrites(false). // writes sync in wtx.commit; the change feed's import does not
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithMaxLevels(5).
		WithBaseLevelSize(8 << 20).
		WithBlockCacheSize(4 << 20).
		WithCompression(options.Snappy).
		WithIndexCacheSize(16 << 20).
		WithValueLogFileSize(64 << 20).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithMetricsEnabled(false).
		WithBaseTableSize(1 << 20)
	opts.TableSizeMultiplier = 1
	return opts
}

// compactAtClose makes Close compact level 0 into the levels below: the memtables a session
// flushed are merged as the desk closes, not by the compactors of the next start, which would
// otherwise merge them (and the levels that then overflow) while the window comes up and the
// sections are first read; on the large demo shop that took most of a second of CPU and left
// 84 MB of table-building buffers pooled for the rest of the session.
func compactAtClose(opts badger.Options) badger.Options {
	return opts.WithCompactL0OnClose(!opts.InMemory)
}

// Open opens (creating if needed) the store in opts.Dir, or an empty in-memory store. Its errors
// tell apart what the desk explains to its user: ErrLocked (another Kefu Desk has the
// directory), ErrReadOnly, ErrDiskFull, ErrCorrupt and ErrNewerSchema.
func Open(opts Options) (*DB, error) {
	dir := opts.Dir
	free := opts.FreeSpace
	if !opts.InMemory {
		if dir == "" {
			return nil, errors.New("localdb: no data directory given")
		}
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("localdb: creating %s: %w", dir, diskError(err))
		}
		if free == nil {
			free = diskFree
		}
	}
	if err := checkSpace(free, dir); err != nil {
		return nil, err
	}
	// The Badger files are in the folder the store pointer names (swap.go), or in dir itself.
	storeName, bdir := "", dir
	if !opts.InMemory {
		var err error
		if storeName, err = readStorePointer(dir); err != nil {
			return nil, fmt.Errorf("localdb: %s: %w", dir, err)
		}
		bdir = storePath(dir, storeName)
		if err := checkTables(bdir); err != nil {
			return nil, fmt.Errorf("localdb: %s: %w", dir, err)
		}
	}
	bdb, err := openBadger(compactAtClose(badgerOptions(Options{Dir: bdir, InMemory: opts.InMemory})))
	if err != nil && !opts.InMemory && removeEmptyLogFile(bdir, err) {
		bdb, err = openBadger(compactAtClose(badgerOptions(Options{Dir: bdir, InMemory: opts.InMemory})))
	}
	if err != nil {
		if strings.Contains(err.Error(), "Another process is using this Badger database") {
			return nil, fmt.Errorf("localdb: %s: %w", dir, ErrLocked)
		}
		return nil, fmt.Errorf("localdb: opening %s: %w", dir, openError(err))
	}
	if !opts.InMemory {
		// With the store open (and so locked), the stores the pointer does not name go: the
		// old one of a swap that stopped before removing it, a bulk import's unfinished load.
		if err := removeOtherStores(dir, storeName); err != nil {
			bdb.Close()
			return nil, fmt.Errorf("localdb: %s: %w", dir, err)
		}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	db := &DB{bdb: bdb, dir: dir, storeName: storeName, products: newProductIndex(), now: now, freeSpace: free,
		subs: map[int]func(Change){}, stop: make(chan struct{})}
	if err := db.init(); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("localdb: %s: %w", dir, openError(err))
	}
	if !opts.InMemory {
		db.gcDone.Add(1)
		go db.gcLoop()
	}
	db.startSearch()
	return db, nil
}

// openBadger opens Badger, turning a panic on its own goroutine (damaged files) into ErrCorrupt.
func openBadger(opts badger.Options) (bdb *badger.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			bdb, err = nil, fmt.Errorf("badger panicked: %v: %w", r, ErrCorrupt)
		}
	}()
	return badger.Open(opts)
}

// init checks the schema, finishes an interrupted ResetCache and loads the in-memory state.
func (db *DB) init() error {
	if err := db.recoverBulk(); err != nil {
		return err
	}
	from := 0 // the schema version of a store written by an older desk
	err := db.bdb.Update(func(txn *badger.Txn) error {
		v, ok, err := getRaw(txn, keySchema)
		if err != nil {
			return err
		}
		if ok {
			n, err := strconv.Atoi(string(v))
			if err != nil {
				return fmt.Errorf("schema version %q: %w", v, ErrCorrupt)
			}
			if n > SchemaVersion {
				return fmt.Errorf("schema version %d, this desk reads up to %d: %w", n, SchemaVersion, ErrNewerSchema)
			}
			if n == SchemaVersion {
				return nil
			}
			from = n // migrated below; the version is written once the migration is done
			return nil
		}
		// A new store: every write keeps every index from the first one, so none needs the
		// backfill of a store filled before it existed (ensureSpendIndex would otherwise read
		// every order of a store filled by the first full sync, the first time the Customers
		// section opens: on the large bench shop 100k orders' table pages and a memtable of
		// index keys, kept for the rest of the session).
		if err := txn.Set(keySpendIndexed, []byte{1}); err != nil {
			return err
		}
		return txn.Set(keySchema, []byte(strconv.Itoa(SchemaVersion)))
	})
	if err != nil {
		return err
	}
	if from > 0 {
		if err := db.migrate(from); err != nil {
			return fmt.Errorf("upgrading the store from schema version %d: %w", from, err)
		}
	}
	var resetting bool
	err = db.bdb.View(func(txn *badger.Txn) error {
		_, resetting, err = getRaw(txn, keyResetting)
		if err != nil {
			return err
		}
		n, err := countPrefix(txn, []byte(prefixOutbox))
		db.outLen.Store(int64(n))
		return err
	})
	if err != nil {
		return err
	}
	if resetting {
		if _, err := db.finishReset(); err != nil {
			return err
		}
	}
	db.loadProductsInBackground()
	return nil
}

func (db *DB) gcLoop() {
	defer db.gcDone.Done()
	t := time.NewTicker(gcInterval)
	defer t.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
			db.runGC()
		}
	}
}

// runGC rewrites value-log files until Badger finds nothing more worth rewriting.
func (db *DB) runGC() {
	for {
		select {
		case <-db.stop:
			return
		default:
		}
		if checkSpace(db.freeSpace, db.dir) != nil {
			return // rewriting the value log needs room first
		}
		db.gcMu.Lock()
		err := db.bdb.RunValueLogGC(0.7)
		db.gcMu.Unlock()
		if err != nil {
			if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) &&
				!errors.Is(err, badger.ErrGCInMemoryMode) {
				log.Printf("localdb: value log GC: %v", err)
			}
			return
		}
	}
}

// Close stops the value-log GC and closes the store. Further calls return ErrClosed.
func (db *DB) Close() error {
	db.life.Lock()
	defer db.life.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	close(db.stop)
	db.gcDone.Wait()
	if err := db.bdb.Close(); err != nil {
		return fmt.Errorf("localdb: closing %s: %w", db.dir, err)
	}
	return nil
}

// Dir is the data directory ("" for an in-memory store).
func (db *DB) Dir() string { return db.dir }

// enter takes the read side of the lifetime lock; every public operation runs inside it.
func (db *DB) enter() error {
	db.life.RLock()
	if db.closed {
		db.life.RUnlock()
		return ErrClosed
	}
	return nil
}

func (db *DB) leave() { db.life.RUnlock() }

// view runs fn in a read-only transaction.
func (db *DB) view(fn func(txn *badger.Txn) error) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	return db.bdb.View(fn)
}

// Meta returns a small setting kept with the data ("" if unset).
func (db *DB) Meta(key string) (string, error) {
	var s string
	err := db.view(func(txn *badger.Txn) error {
		v, _, err := getRaw(txn, []byte(prefixUser+key))
		s = string(v)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("localdb: meta %s: %w", key, err)
	}
	return s, nil
}

// SetMeta stores a small setting with the data; "" deletes it.
func (db *DB) SetMeta(key, value string) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	if err := checkSpace(db.freeSpace, db.dir); err != nil {
		return err
	}
	db.wmu.Lock()
	defer db.wmu.Unlock()
	err := db.bdb.Update(func(txn *badger.Txn) error {
		if value == "" {
			return txn.Delete([]byte(prefixUser + key))
		}
		return txn.Set([]byte(prefixUser+key), []byte(value))
	})
	if err == nil {
		err = db.bdb.Sync()
	}
	if err != nil {
		return fmt.Errorf("localdb: set meta %s: %w", key, diskError(err))
	}
	return nil
}

// Change tells subscribers what a committed write touched.
type Change struct {
	Types      []shop.EntityType // entity types whose local view may have changed
	FromServer bool              // the change came from the server (feed, acknowledgements)
	Problems   bool              // the Problems list changed
}

// Subscribe registers fn to be called after every committed Apply, ApplyChanges, Acknowledge,
// ResetCache and DismissProblem. fn runs on the writer's goroutine, outside any transaction;
// it must not block for long. cancel removes it.
func (db *DB) Subscribe(fn func(Change)) (cancel func()) {
	db.subMu.Lock()
	id := db.nextID
	db.nextID++
	db.subs[id] = fn
	db.subMu.Unlock()
	return func() {
		db.subMu.Lock()
		delete(db.subs, id)
		db.subMu.Unlock()
	}
}

func (db *DB) notify(c Change) {
	db.subMu.Lock()
	fns := make([]func(Change), 0, len(db.subs))
	ids := make([]int, 0, len(db.subs))
	for id := range db.subs {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		fns = append(fns, db.subs[id])
	}
	db.subMu.Unlock()
	for _, fn := range fns {
		fn(c)
	}
}
