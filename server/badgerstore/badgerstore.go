// Package badgerstore is the store server's embedded storage: a store.Store kept in a Badger
// v4 database, in a directory or in memory. It passes the conformance suite of
// kefu/server/storetest.
package badgerstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// Key layout. Shop ids never contain '/', so a shop's prefix is unambiguous.
//
//	v                          the key layout's version (decimal FormatVersion)
//	a/{shop}                   account (JSON ShopAccount): the list of shops
//	t/{sha256 hex}             staff token (JSON TokenInfo)
//	s/{shop}/q                 newest seq (8 bytes, big endian)
//	s/{shop}/r/{type}\x00{id}  record head: seq (8 bytes), flags (1 byte, flagInFeed set)
//	s/{shop}/f/{seq}           feed entry (8-byte big-endian seq) → the record itself:
//	                           {type}\x00{id}\x00, flags (1 byte), [commit], data (JSON)
//	                           commit (flagCommit set): seq minus the first seq of the
//	                           commit that wrote it, as a uvarint; without it the
//	                           entry is the first of its commit (format 3)
//	s/{shop}/p/{staff}         credential (JSON Credential)
//	s/{shop}/m/{mutation id}   result of a mutation (JSON storeapi.Result)
//	s/{shop}/c/{sha256 hex}    customer chat token (JSON ChatToken)
//	s/{shop}/i/{index}\x00{key value}\x00…\x00{id}
//	                           index entry, empty value: string values as they are, int
//	                           values as 16 lower-case hex digits, so that keys sort as
//	                           entries do (values and ids hold no NUL)
//
// A record's data lives once, in its feed entry, so that the feed (the first full sync of a
// desk reads all of it) is one sequential iteration over the f keys; the record head says
// under which seq to find it. Put deletes the entity's previous feed entry in the same
// transaction, so the feed holds each entity once (compacted).
const (
	secSeq        = 'q'
	secRecord     = 'r'
	secFeed       = 'f'
	secCredential = 'p'
	secResult     = 'm'
	secChatToken  = 'c'
	secIndex      = 'i'

	flagDeleted = 1 // a tombstone: the entity was deleted
	flagInFeed  = 2 // in a record head: the data is in the feed entry (format 2; see migrate.go)
	flagCommit  = 4 // in a feed entry: the commit's start follows the flags (format 3)

	headLen = 9 // a record head: seq and flags
)

// FormatVersion is the key layout this package reads and writes. Release 0.1.0 wrote
// version 1 without a version key, so a directory without one is version 1. Version 1 kept
// a record's data in its record key and only the entity's type and id in its feed entry;
// Open moves a version-1 directory to version 2 (migrate.go). Version 3 marks in a feed entry
// which commit wrote it (flagCommit); a version-2 entry is read as the first of its commit, so
// moving a version-2 directory to 3 only writes the version key, and an older kefu-store, which
// would take the mark for data, refuses it. A kefu-store refuses a directory of a newer version
// (ErrNewerFormat) before it writes anything there.
const FormatVersion = 3

// formatKey holds the directory's FormatVersion.
var formatKey = []byte("v")

// ErrNewerFormat is returned by Open for a data directory written by a newer kefu-store.
var ErrNewerFormat = errors.New("the data directory was written by a newer kefu-store")

// Store is the store.Store kept in a Badger v4 database.
type Store struct {
	db     *badger.DB
	log    *slog.Logger
	closed atomic.Bool

	mu      sync.Mutex
	locks   map[string]chan struct{} // per-shop write locks: a full channel is a held lock
	indexes map[string]store.Index   // declared indexes, by name
}

var _ store.Store = (*Store)(nil)
var _ store.Collector = (*Store)(nil)

// Open opens (or creates) the Badger store in dir, or an in-memory one when dir is "".
// Options suit a small machine: 32 MB memtables, 64 MB value-log files, small caches. Only one
// process can open a directory; a second gets an error saying so.
func Open(dir string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.Default()
	}
	opts := badger.DefaultOptions(dir).
		WithLogger(badgerLogger{log}).
		WithMemTableSize(32 << 20).
		WithNumMemtables(3).
		WithNumLevelZeroTables(3).
		WithNumLevelZeroTablesStall(8).
		WithBlockCacheSize(64 << 20).
		WithIndexCacheSize(32 << 20).
		WithValueLogFileSize(64 << 20).
		WithNumCompactors(2).
		WithDetectConflicts(false). // writers of one shop are serialised by Store itself
		WithSyncWrites(false)       // the server calls Sync before it answers a write
	if dir == "" {
		opts = opts.WithInMemory(true).WithDir("").WithValueDir("")
	}
	db, err := badger.Open(opts)
	if err != nil && dir != "" && emptyLogFile(err) {
		// A kefu-store killed while Badger created a log file (a value log or a memtable's
		// write-ahead log, made at every start) leaves it empty, and Badger refuses it as
		// "Create a new file" once: its failed open sizes the file and writes its header, so
		// the second open finds an empty log, as after a clean start. It never held data.
		log.Warn("the store's last log file is empty (the server was stopped while creating it); opening again", "dir", dir, "err", err)
		db, err = badger.Open(opts)
	}
	if err != nil {
		if strings.Contains(err.Error(), "Cannot acquire directory lock") || strings.Contains(err.Error(), "another process is using this Badger database") {
			return nil, fmt.Errorf("opening store %s: another kefu-store is already using this data directory: %w", dir, err)
		}
		return nil, fmt.Errorf("opening store %s: %w", dir, err)
	}
	if err := checkFormat(db, log, false); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening store %s: %w", dir, err)
	}
	return &Store{db: db, log: log, locks: map[string]chan struct{}{}, indexes: map[string]store.Index{}}, nil
}

// checkFormat refuses a directory of a newer FormatVersion, moves an older or unmarked one to
// this one (migrate) and marks it with this one. With always set it runs migrate whatever the
// version key says (after loading a backup, whose version key may not be the one that won).
func checkFormat(db *badger.DB, log *slog.Logger, always bool) error {
	var have int
	err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(formatKey)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			n, err := strconv.Atoi(string(v))
			if err != nil {
				return fmt.Errorf("reading the format version %q: %w", v, err)
			}
			have = n
			return nil
		})
	})
	if err != nil {
		return err
	}
	if have > FormatVersion {
		return fmt.Errorf("%w (format %d; this kefu-store reads format %d at most): upgrade kefu-store, or restore a backup made for this version",
			ErrNewerFormat, have, FormatVersion)
	}
	if have == FormatVersion && !always {
		return nil
	}
	if err := migrate(db, log); err != nil {
		return err
	}
	if have == FormatVersion {
		return nil
	}
	return db.Update(func(txn *badger.Txn) error {
		return txn.Set(formatKey, []byte(strconv.Itoa(FormatVersion)))
	})
}

// emptyLogFile reports whether err is Badger refusing a log file it found empty: the
// z.NewFile error ("Create a new file") of ristretto's OpenMmapFile, when a value-log or
// memtable file has no size yet.
func emptyLogFile(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Create a new file") &&
		(strings.Contains(msg, "vlog.open") || strings.Contains(msg, "while opening memtables"))
}

// enter checks that the store is open and ctx is not done.
func (s *Store) enter(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

// RunGC implements store.Collector: it runs Badger's value-log GC until nothing is left to do.
func (s *Store) RunGC(ctx context.Context) error {
	for {
		if err := s.enter(ctx); err != nil {
			return err
		}
		err := s.db.RunValueLogGC(0.7)
		if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("value log gc: %w", err)
		}
	}
}

// Declare implements store.Store. Badger needs nothing created: the declarations are kept in
// memory and checked by every index call.
func (s *Store) Declare(ctx context.Context, indexes ...store.Index) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ix := range indexes {
		if err := ix.Validate(); err != nil {
			return err
		}
		if old, ok := s.indexes[ix.Name]; ok && !old.Same(ix) {
			return fmt.Errorf("index %s is declared already with other fields: %w", ix.Name, store.ErrInvalid)
		}
	}
	for _, ix := range indexes {
		ix.Fields = append([]store.Field(nil), ix.Fields...)
		s.indexes[ix.Name] = ix
	}
	return nil
}

// index returns a declared index.
func (s *Store) index(name string) (store.Index, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, ok := s.indexes[name]
	if !ok {
		return ix, fmt.Errorf("index %q: %w", name, store.ErrUnknownIndex)
	}
	return ix, nil
}

// lock takes shop shopID's write lock, or fails when ctx ends first.
func (s *Store) lock(ctx context.Context, shopID string) (unlock func(), err error) {
	s.mu.Lock()
	l, ok := s.locks[shopID]
	if !ok {
		l = make(chan struct{}, 1)
		s.locks[shopID] = l
	}
	s.mu.Unlock()
	select {
	case l <- struct{}{}:
		return func() { <-l }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Update implements store.Store.
func (s *Store) Update(ctx context.Context, shopID string, fn func(store.Tx) error) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	unlock, err := s.lock(ctx, shopID)
	if err != nil {
		return err
	}
	defer unlock()
	return s.db.Update(func(txn *badger.Txn) error {
		if err := fn(&badgerTx{badgerRead: badgerRead{st: s, ctx: ctx, txn: txn, shop: shopID}}); err != nil {
			return err
		}
		return ctx.Err() // a ctx that ended during fn rolls the update back
	})
}

// View implements store.Store.
func (s *Store) View(ctx context.Context, shopID string, fn func(store.ReadTx) error) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	return s.db.View(func(txn *badger.Txn) error {
		return fn(&badgerRead{st: s, ctx: ctx, txn: txn, shop: shopID})
	})
}

// Shops implements store.Store.
func (s *Store) Shops(ctx context.Context) ([]string, error) {
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	var ids []string
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("a/")})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			ids = append(ids, string(it.Item().Key()[2:]))
		}
		return nil
	})
	return ids, err
}

func tokenKey(hash string) []byte { return []byte("t/" + hash) }

// PutToken implements store.Store.
func (s *Store) PutToken(ctx context.Context, hash string, t store.TokenInfo) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.db.Update(func(txn *badger.Txn) error { return txn.Set(tokenKey(hash), b) })
}

// Token implements store.Store.
func (s *Store) Token(ctx context.Context, hash string) (store.TokenInfo, bool, error) {
	var t store.TokenInfo
	if err := s.enter(ctx); err != nil {
		return t, false, err
	}
	var found bool
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		found, err = getJSON(txn, tokenKey(hash), &t)
		return err
	})
	return t, found, err
}

// DeleteToken implements store.Store.
func (s *Store) DeleteToken(ctx context.Context, hash string) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	return s.db.Update(func(txn *badger.Txn) error { return txn.Delete(tokenKey(hash)) })
}

// DeleteExpiredTokens implements store.Store.
func (s *Store) DeleteExpiredTokens(ctx context.Context, now time.Time) (int, error) {
	if err := s.enter(ctx); err != nil {
		return 0, err
	}
	var expired [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("t/"), PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var t store.TokenInfo
			err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &t) })
			if err != nil || !t.Expires.After(now) {
				expired = append(expired, it.Item().KeyCopy(nil))
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, k := range expired {
		if err := wb.Delete(k); err != nil {
			return 0, err
		}
	}
	if err := wb.Flush(); err != nil {
		return 0, err
	}
	return len(expired), nil
}

// Sync implements store.Store.
func (s *Store) Sync(ctx context.Context) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	return s.db.Sync()
}

// Close implements store.Store.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.db.Close()
}

// badgerRead is a ReadTx on a Badger transaction.
type badgerRead struct {
	st   *Store
	ctx  context.Context
	txn  *badger.Txn
	shop string
}

func (r *badgerRead) key(sec byte, rest string) []byte {
	k := make([]byte, 0, 5+len(r.shop)+len(rest))
	k = append(k, "s/"...)
	k = append(k, r.shop...)
	k = append(k, '/', sec, '/')
	return append(k, rest...)
}

func recordKeyPart(t shop.EntityType, id string) string { return string(t) + "\x00" + id }

func seqBytes(seq int64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(seq))
	return b
}

func getJSON(txn *badger.Txn, key []byte, v any) (bool, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	err = item.Value(func(b []byte) error { return json.Unmarshal(b, v) })
	if err != nil {
		return false, fmt.Errorf("reading %q: %w", key, err)
	}
	return true, nil
}

// getJSON reads a JSON value of the transaction, once its ctx is checked.
func (r *badgerRead) getJSON(key []byte, v any) (bool, error) {
	if err := r.ctx.Err(); err != nil {
		return false, err
	}
	return getJSON(r.txn, key, v)
}

func (r *badgerRead) Account() (store.ShopAccount, bool, error) {
	var a store.ShopAccount
	found, err := r.getJSON([]byte("a/"+r.shop), &a)
	return a, found, err
}

func (r *badgerRead) Seq() (int64, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	item, err := r.txn.Get(r.key(secSeq, ""))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var seq int64
	err = item.Value(func(b []byte) error {
		if len(b) != 8 {
			return fmt.Errorf("shop %s: sequence counter has %d bytes", r.shop, len(b))
		}
		seq = int64(binary.BigEndian.Uint64(b))
		return nil
	})
	return seq, err
}

// feedValue is the value of a feed entry: the record's type, id, flags, how far into its
// commit it is (inCommit: its seq minus the commit's first seq; 0 for the first) and data.
func feedValue(t shop.EntityType, id string, flags byte, inCommit int64, data []byte) []byte {
	v := make([]byte, 0, len(t)+len(id)+3+binary.MaxVarintLen64+len(data))
	v = append(v, t...)
	v = append(v, 0)
	v = append(v, id...)
	if inCommit > 0 {
		v = append(v, 0, flags|flagCommit)
		v = binary.AppendUvarint(v, uint64(inCommit))
	} else {
		v = append(v, 0, flags)
	}
	return append(v, data...)
}

// parseFeedValue splits the value of a feed entry (feedValue); data is a part of v, flags
// are without flagCommit and inCommit is 0 without it. ok is false for a value that is not
// one (a version-1 entry holds only {type}\x00{id}).
func parseFeedValue(v []byte) (t, id []byte, flags byte, inCommit int64, data []byte, ok bool) {
	i := bytes.IndexByte(v, 0)
	if i < 0 {
		return nil, nil, 0, 0, nil, false
	}
	j := bytes.IndexByte(v[i+1:], 0)
	if j < 0 || i+1+j+1 >= len(v) {
		return nil, nil, 0, 0, nil, false
	}
	j += i + 1
	flags, data = v[j+1], v[j+2:]
	if flags&flagCommit != 0 {
		n, w := binary.Uvarint(data)
		if w <= 0 || n > 1<<62 {
			return nil, nil, 0, 0, nil, false
		}
		flags, inCommit, data = flags&^flagCommit, int64(n), data[w:]
	}
	return v[:i], v[i+1 : j], flags, inCommit, data, true
}

// recordHead is the value of a record key: the entity's seq and flags, with flagInFeed.
func recordHead(seq int64, flags byte) []byte {
	v := make([]byte, headLen)
	binary.BigEndian.PutUint64(v, uint64(seq))
	v[8] = flags | flagInFeed
	return v
}

// head reads the record head of entity (t, id): its seq and flags.
func (r *badgerRead) head(t shop.EntityType, id string) (seq int64, flags byte, found bool, err error) {
	if err := r.ctx.Err(); err != nil {
		return 0, 0, false, err
	}
	item, err := r.txn.Get(r.key(secRecord, recordKeyPart(t, id)))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, err
	}
	err = item.Value(func(v []byte) error {
		if len(v) != headLen {
			return fmt.Errorf("shop %s: record %s %s: its head has %d bytes, want %d", r.shop, t, id, len(v), headLen)
		}
		seq, flags = int64(binary.BigEndian.Uint64(v)), v[8]
		return nil
	})
	return seq, flags, err == nil, err
}

func (r *badgerRead) feedKey(seq int64) []byte { return r.key(secFeed, string(seqBytes(seq))) }

func (r *badgerRead) Record(t shop.EntityType, id string) (shop.Record, bool, error) {
	seq, flags, found, err := r.head(t, id)
	if err != nil || !found {
		return shop.Record{}, false, err
	}
	rec := shop.Record{Type: t, ID: id, Seq: seq, Deleted: flags&flagDeleted != 0}
	if rec.Deleted {
		return rec, true, nil
	}
	item, err := r.txn.Get(r.feedKey(seq))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return shop.Record{}, false, fmt.Errorf("shop %s: record %s %s: its feed entry %d is missing", r.shop, t, id, seq)
	}
	if err != nil {
		return shop.Record{}, false, err
	}
	err = item.Value(func(v []byte) error {
		ft, fid, _, _, data, ok := parseFeedValue(v)
		if !ok || string(ft) != string(t) || string(fid) != id {
			return fmt.Errorf("shop %s: record %s %s: feed entry %d holds another record", r.shop, t, id, seq)
		}
		if len(data) > 0 {
			rec.Data = json.RawMessage(bytes.Clone(data))
		}
		return nil
	})
	if err != nil {
		return shop.Record{}, false, err
	}
	return rec, true, nil
}

// eachFeed calls fn with every feed entry after seq after, in seq order, until fn returns
// false: its seq and its parts (type, id, data), which are valid only during the call.
func (r *badgerRead) eachFeed(after int64, fn func(seq int64, t, id []byte, flags byte, inCommit int64, data []byte) bool) error {
	prefix := r.key(secFeed, "")
	// Values sit in the LSM tree (under Badger's value threshold): no value-log reads to
	// prefetch, and Item.Value hands out the table's bytes without a copy.
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	n := 0
	for it.Seek(append(bytes.Clone(prefix), seqBytes(max(after, 0)+1)...)); it.Valid(); it.Next() {
		if n++; n%256 == 0 {
			if err := r.ctx.Err(); err != nil {
				return err
			}
		}
		item := it.Item()
		k := item.Key()
		if len(k) != len(prefix)+8 {
			return fmt.Errorf("shop %s: feed key %q is malformed", r.shop, k)
		}
		seq := int64(binary.BigEndian.Uint64(k[len(prefix):]))
		more := true
		err := item.Value(func(v []byte) error {
			t, id, flags, inCommit, data, ok := parseFeedValue(v)
			if !ok || inCommit >= seq {
				return fmt.Errorf("shop %s: feed entry %d is malformed", r.shop, seq)
			}
			more = fn(seq, t, id, flags, inCommit, data)
			return nil
		})
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
	}
	return r.ctx.Err()
}

func (r *badgerRead) Feed(after int64, fn func(shop.Record) bool) error {
	return r.eachFeed(after, func(seq int64, t, id []byte, flags byte, inCommit int64, data []byte) bool {
		rec := shop.Record{Type: shop.EntityType(t), ID: string(id), Seq: seq, Deleted: flags&flagDeleted != 0, Commit: seq - inCommit}
		if len(data) > 0 && !rec.Deleted {
			rec.Data = json.RawMessage(bytes.Clone(data))
		}
		return fn(rec)
	})
}

func (r *badgerRead) Credential(staff string) (store.Credential, bool, error) {
	var c store.Credential
	found, err := r.getJSON(r.key(secCredential, staff), &c)
	return c, found, err
}

func (r *badgerRead) Result(mutationID string) (storeapi.Result, bool, error) {
	var res storeapi.Result
	found, err := r.getJSON(r.key(secResult, mutationID), &res)
	return res, found, err
}

func (r *badgerRead) Results(fn func(storeapi.Result) bool) error {
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: r.key(secResult, ""), PrefetchValues: true, PrefetchSize: 256})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		var res storeapi.Result
		if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &res) }); err != nil {
			return fmt.Errorf("shop %s: reading result %q: %w", r.shop, it.Item().Key(), err)
		}
		if !fn(res) {
			return nil
		}
	}
	return nil
}

func (r *badgerRead) ChatToken(hash string) (store.ChatToken, bool, error) {
	var t store.ChatToken
	found, err := r.getJSON(r.key(secChatToken, hash), &t)
	return t, found, err
}

// encodeValue is an index key value as it sits in a Badger key.
func encodeValue(v any) string {
	if n, ok := v.(int64); ok {
		return fmt.Sprintf("%016x", n)
	}
	return v.(string)
}

// entryKey is the Badger key of an index entry (checked against its index).
func (r *badgerRead) entryKey(name string, e store.Entry) []byte {
	var b strings.Builder
	b.WriteString(name)
	for _, v := range e.Key {
		b.WriteByte(0)
		b.WriteString(encodeValue(v))
	}
	b.WriteByte(0)
	b.WriteString(e.ID)
	return r.key(secIndex, b.String())
}

// decodeEntry reads an entry of ix from the part of its key after "{index}\x00".
func decodeEntry(ix store.Index, rest string) (store.Entry, error) {
	parts := strings.Split(rest, "\x00")
	if len(parts) != len(ix.Fields)+1 {
		return store.Entry{}, fmt.Errorf("index %s: entry %q has %d parts, want %d", ix.Name, rest, len(parts), len(ix.Fields)+1)
	}
	e := store.Entry{Key: make([]any, len(ix.Fields)), ID: parts[len(ix.Fields)]}
	for i, f := range ix.Fields {
		if f.Kind == store.Int {
			n, err := strconv.ParseInt(parts[i], 16, 64)
			if err != nil {
				return store.Entry{}, fmt.Errorf("index %s: entry %q: field %s: %w", ix.Name, rest, f.Name, err)
			}
			e.Key[i] = n
		} else {
			e.Key[i] = parts[i]
		}
	}
	return e, nil
}

func (r *badgerRead) Scan(index string, q store.Query, fn func(store.Entry) bool) error {
	ix, err := r.st.index(index)
	if err != nil {
		return err
	}
	if err := ix.CheckQuery(q); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(index)
	b.WriteByte(0)
	for _, v := range q.Prefix {
		b.WriteString(encodeValue(v))
		b.WriteByte(0)
	}
	prefix := r.key(secIndex, b.String())
	skip := len(r.key(secIndex, index)) + 1
	seek := prefix
	if q.Min != nil {
		seek = append(bytes.Clone(prefix), encodeValue(q.Min)...)
	}
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	for it.Seek(seek); it.Valid(); it.Next() {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		e, err := decodeEntry(ix, string(it.Item().Key()[skip:]))
		if err != nil {
			return err
		}
		if q.Max != nil && store.Compare(e.Key[len(q.Prefix)], q.Max) > 0 {
			return nil
		}
		if !fn(e) {
			return nil
		}
	}
	return nil
}

// badgerTx is a Tx on a Badger read-write transaction.
type badgerTx struct {
	badgerRead
	seq    int64 // newest seq, once read
	seqSet bool
	start  int64 // the seq before the transaction's first Put, once read
}

func (w *badgerTx) setJSON(key []byte, v any) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w.txn.Set(key, b)
}

func (w *badgerTx) PutAccount(a store.ShopAccount) error {
	return w.setJSON([]byte("a/"+w.shop), a)
}

func (w *badgerTx) PutCredential(c store.Credential) error {
	return w.setJSON(w.key(secCredential, c.Staff), c)
}

func (w *badgerTx) Seq() (int64, error) {
	if w.seqSet {
		return w.seq, w.ctx.Err()
	}
	seq, err := w.badgerRead.Seq()
	if err != nil {
		return 0, err
	}
	w.seq, w.seqSet, w.start = seq, true, seq
	return seq, nil
}

func (w *badgerTx) Put(rec shop.Record) (int64, error) {
	if !rec.Type.Known() {
		return 0, fmt.Errorf("storing %s %s: unknown entity type: %w", rec.Type, rec.ID, store.ErrInvalid)
	}
	if rec.ID == "" || strings.ContainsRune(rec.ID, 0) {
		return 0, fmt.Errorf("storing %s %q: invalid id: %w", rec.Type, rec.ID, store.ErrInvalid)
	}
	seq, err := w.Seq()
	if err != nil {
		return 0, err
	}
	oldSeq, _, found, err := w.head(rec.Type, rec.ID)
	if err != nil {
		return 0, err
	}
	if found {
		if err := w.txn.Delete(w.feedKey(oldSeq)); err != nil {
			return 0, err
		}
	}
	seq++
	var flags byte
	data := rec.Data
	if rec.Deleted {
		flags, data = flagDeleted, nil
	}
	if err := w.txn.Set(w.key(secRecord, recordKeyPart(rec.Type, rec.ID)), recordHead(seq, flags)); err != nil {
		return 0, err
	}
	if err := w.txn.Set(w.feedKey(seq), feedValue(rec.Type, rec.ID, flags, seq-(w.start+1), data)); err != nil {
		return 0, err
	}
	if err := w.txn.Set(w.key(secSeq, ""), seqBytes(seq)); err != nil {
		return 0, err
	}
	w.seq = seq
	return seq, nil
}

func (w *badgerTx) PutResult(r storeapi.Result) error {
	return w.setJSON(w.key(secResult, r.ID), r)
}

func (w *badgerTx) PutChatToken(hash string, t store.ChatToken) error {
	return w.setJSON(w.key(secChatToken, hash), t)
}

// checkedEntryKey checks e against its declared index and returns its key.
func (w *badgerTx) checkedEntryKey(index string, e store.Entry) ([]byte, error) {
	if err := w.ctx.Err(); err != nil {
		return nil, err
	}
	ix, err := w.st.index(index)
	if err != nil {
		return nil, err
	}
	if err := ix.CheckEntry(e); err != nil {
		return nil, err
	}
	return w.entryKey(index, e), nil
}

func (w *badgerTx) AddEntry(index string, e store.Entry) error {
	k, err := w.checkedEntryKey(index, e)
	if err != nil {
		return err
	}
	return w.txn.Set(k, nil)
}

func (w *badgerTx) RemoveEntry(index string, e store.Entry) error {
	k, err := w.checkedEntryKey(index, e)
	if err != nil {
		return err
	}
	return w.txn.Delete(k)
}

// badgerLogger sends Badger's warnings and errors to slog; its chatter is dropped.
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(f string, a ...any) {
	l.log.Error("badger: " + strings.TrimSpace(fmt.Sprintf(f, a...)))
}
func (l badgerLogger) Warningf(f string, a ...any) {
	msg := strings.TrimSpace(fmt.Sprintf(f, a...))
	if strings.HasPrefix(msg, "Block cache might be too small") || strings.HasPrefix(msg, "Cache life expectancy") {
		return // cache statistics Badger prints every few minutes under load; not a fault
	}
	l.log.Warn("badger: " + msg)
}
func (l badgerLogger) Infof(string, ...any)  {}
func (l badgerLogger) Debugf(string, ...any) {}
