package server

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
	"kefu/storeapi"
)

// Key layout. Shop ids never contain '/', so a shop's prefix is unambiguous.
//
//	a/{shop}                   account (JSON ShopAccount): the list of shops
//	t/{sha256 hex}             staff token (JSON TokenInfo)
//	s/{shop}/q                 newest seq (8 bytes, big endian)
//	s/{shop}/r/{type}\x00{id}  record: seq (8 bytes), flags (1 byte), data (JSON)
//	s/{shop}/f/{seq}           feed entry (8-byte big-endian seq) → {type}\x00{id}
//	s/{shop}/p/{staff}         credential (JSON Credential)
//	s/{shop}/m/{mutation id}   first result of a mutation (JSON storeapi.Result)
//	s/{shop}/c/{sha256 hex}    customer chat token (JSON ChatToken)
//	s/{shop}/i/{key}           index key, empty value
const (
	secSeq        = 'q'
	secRecord     = 'r'
	secFeed       = 'f'
	secCredential = 'p'
	secResult     = 'm'
	secChatToken  = 'c'
	secIndex      = 'i'

	flagDeleted = 1
)

// BadgerStore is the Store kept in a Badger v4 database.
type BadgerStore struct {
	db     *badger.DB
	closed atomic.Bool

	mu    sync.Mutex
	locks map[string]*sync.Mutex // per-shop write locks
}

// OpenBadger opens (or creates) the Badger store in dir, or an in-memory one when dir is "".
// Options suit a small machine: 32 MB memtables, 64 MB value-log files, small caches. Only one
// process can open a directory; a second gets an error saying so.
func OpenBadger(dir string, log *slog.Logger) (*BadgerStore, error) {
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
		WithDetectConflicts(false). // writers of one shop are serialised by BadgerStore itself
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
	return &BadgerStore{db: db, locks: map[string]*sync.Mutex{}}, nil
}

// emptyLogFile reports whether err is Badger refusing a log file it found empty: the
// z.NewFile error ("Create a new file") of ristretto's OpenMmapFile, when a value-log or
// memtable file has no size yet.
func emptyLogFile(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Create a new file") &&
		(strings.Contains(msg, "vlog.open") || strings.Contains(msg, "while opening memtables"))
}

// RunGC reclaims value-log space: it runs Badger's value-log GC until nothing is left to do.
func (s *BadgerStore) RunGC() error {
	if s.closed.Load() {
		return ErrStoreClosed
	}
	for {
		err := s.db.RunValueLogGC(0.7)
		if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("value log gc: %w", err)
		}
	}
}

func (s *BadgerStore) shopLock(shopID string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.locks[shopID]
	if !ok {
		l = new(sync.Mutex)
		s.locks[shopID] = l
	}
	return l
}

// Update implements Store.
func (s *BadgerStore) Update(shopID string, fn func(Tx) error) error {
	if s.closed.Load() {
		return ErrStoreClosed
	}
	l := s.shopLock(shopID)
	l.Lock()
	defer l.Unlock()
	return s.db.Update(func(txn *badger.Txn) error {
		return fn(&badgerTx{badgerRead: badgerRead{txn: txn, shop: shopID}})
	})
}

// View implements Store.
func (s *BadgerStore) View(shopID string, fn func(ReadTx) error) error {
	if s.closed.Load() {
		return ErrStoreClosed
	}
	return s.db.View(func(txn *badger.Txn) error {
		return fn(&badgerRead{txn: txn, shop: shopID})
	})
}

// Shops implements Store.
func (s *BadgerStore) Shops() ([]string, error) {
	if s.closed.Load() {
		return nil, ErrStoreClosed
	}
	var ids []string
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("a/")})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			ids = append(ids, string(it.Item().Key()[2:]))
		}
		return nil
	})
	return ids, err
}

func tokenKey(hash string) []byte { return []byte("t/" + hash) }

// PutToken implements Store.
func (s *BadgerStore) PutToken(hash string, t TokenInfo) error {
	if s.closed.Load() {
		return ErrStoreClosed
	}
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.db.Update(func(txn *badger.Txn) error { return txn.Set(tokenKey(hash), b) })
}

// Token implements Store.
func (s *BadgerStore) Token(hash string) (TokenInfo, bool, error) {
	var t TokenInfo
	if s.closed.Load() {
		return t, false, ErrStoreClosed
	}
	var found bool
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		found, err = getJSON(txn, tokenKey(hash), &t)
		return err
	})
	return t, found, err
}

// DeleteToken implements Store.
func (s *BadgerStore) DeleteToken(hash string) error {
	if s.closed.Load() {
		return ErrStoreClosed
	}
	return s.db.Update(func(txn *badger.Txn) error { return txn.Delete(tokenKey(hash)) })
}

// DeleteExpiredTokens implements Store.
func (s *BadgerStore) DeleteExpiredTokens(now time.Time) (int, error) {
	if s.closed.Load() {
		return 0, ErrStoreClosed
	}
	var expired [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("t/"), PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var t TokenInfo
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

// Sync implements Store.
func (s *BadgerStore) Sync() error {
	if s.closed.Load() {
		return ErrStoreClosed
	}
	return s.db.Sync()
}

// Close implements Store.
func (s *BadgerStore) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.db.Close()
}

// badgerRead is a ReadTx on a Badger transaction.
type badgerRead struct {
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

func (r *badgerRead) Account() (ShopAccount, bool, error) {
	var a ShopAccount
	found, err := getJSON(r.txn, []byte("a/"+r.shop), &a)
	return a, found, err
}

func (r *badgerRead) Seq() (int64, error) {
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

func decodeRecord(t shop.EntityType, id string, v []byte) (shop.Record, error) {
	if len(v) < 9 {
		return shop.Record{}, fmt.Errorf("record %s %s is truncated", t, id)
	}
	rec := shop.Record{Type: t, ID: id, Seq: int64(binary.BigEndian.Uint64(v)), Deleted: v[8]&flagDeleted != 0}
	if len(v) > 9 {
		rec.Data = json.RawMessage(bytes.Clone(v[9:]))
	}
	return rec, nil
}

func (r *badgerRead) Record(t shop.EntityType, id string) (shop.Record, bool, error) {
	item, err := r.txn.Get(r.key(secRecord, recordKeyPart(t, id)))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return shop.Record{}, false, nil
	}
	if err != nil {
		return shop.Record{}, false, err
	}
	var rec shop.Record
	err = item.Value(func(v []byte) error {
		var err error
		rec, err = decodeRecord(t, id, v)
		return err
	})
	return rec, err == nil, err
}

func (r *badgerRead) Feed(after int64, fn func(shop.Record) bool) error {
	prefix := r.key(secFeed, "")
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 256})
	defer it.Close()
	for it.Seek(append(bytes.Clone(prefix), seqBytes(after+1)...)); it.Valid(); it.Next() {
		var ref []byte
		if err := it.Item().Value(func(v []byte) error { ref = bytes.Clone(v); return nil }); err != nil {
			return err
		}
		t, id, ok := strings.Cut(string(ref), "\x00")
		if !ok {
			return fmt.Errorf("shop %s: feed entry %q is malformed", r.shop, ref)
		}
		rec, found, err := r.Record(shop.EntityType(t), id)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("shop %s: feed entry for %s %s has no record", r.shop, t, id)
		}
		if !fn(rec) {
			return nil
		}
	}
	return nil
}

func (r *badgerRead) Credential(staff string) (Credential, bool, error) {
	var c Credential
	found, err := getJSON(r.txn, r.key(secCredential, staff), &c)
	return c, found, err
}

func (r *badgerRead) Result(mutationID string) (storeapi.Result, bool, error) {
	var res storeapi.Result
	found, err := getJSON(r.txn, r.key(secResult, mutationID), &res)
	return res, found, err
}

func (r *badgerRead) ChatToken(hash string) (ChatToken, bool, error) {
	var t ChatToken
	found, err := getJSON(r.txn, r.key(secChatToken, hash), &t)
	return t, found, err
}

func (r *badgerRead) Index(prefix, from string, fn func(key string) bool) error {
	p := r.key(secIndex, prefix)
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: p})
	defer it.Close()
	skip := len(r.key(secIndex, ""))
	for it.Seek(r.key(secIndex, prefix+from)); it.Valid(); it.Next() {
		if !fn(string(it.Item().Key()[skip:])) {
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
}

func (w *badgerTx) setJSON(key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w.txn.Set(key, b)
}

func (w *badgerTx) PutAccount(a ShopAccount) error {
	return w.setJSON([]byte("a/"+w.shop), a)
}

func (w *badgerTx) PutCredential(c Credential) error {
	return w.setJSON(w.key(secCredential, c.Staff), c)
}

func (w *badgerTx) Seq() (int64, error) {
	if w.seqSet {
		return w.seq, nil
	}
	seq, err := w.badgerRead.Seq()
	if err != nil {
		return 0, err
	}
	w.seq, w.seqSet = seq, true
	return seq, nil
}

func (w *badgerTx) Put(rec shop.Record) (int64, error) {
	if !rec.Type.Known() {
		return 0, fmt.Errorf("storing %s %s: unknown entity type", rec.Type, rec.ID)
	}
	if rec.ID == "" || strings.ContainsRune(rec.ID, 0) {
		return 0, fmt.Errorf("storing %s %q: invalid id", rec.Type, rec.ID)
	}
	seq, err := w.Seq()
	if err != nil {
		return 0, err
	}
	rk := w.key(secRecord, recordKeyPart(rec.Type, rec.ID))
	old, found, err := w.Record(rec.Type, rec.ID)
	if err != nil {
		return 0, err
	}
	if found {
		if err := w.txn.Delete(w.key(secFeed, string(seqBytes(old.Seq)))); err != nil {
			return 0, err
		}
	}
	seq++
	v := make([]byte, 9, 9+len(rec.Data))
	binary.BigEndian.PutUint64(v, uint64(seq))
	if rec.Deleted {
		v[8] = flagDeleted
	} else {
		v = append(v, rec.Data...)
	}
	if err := w.txn.Set(rk, v); err != nil {
		return 0, err
	}
	if err := w.txn.Set(w.key(secFeed, string(seqBytes(seq))), []byte(recordKeyPart(rec.Type, rec.ID))); err != nil {
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

func (w *badgerTx) PutChatToken(hash string, t ChatToken) error {
	return w.setJSON(w.key(secChatToken, hash), t)
}

func (w *badgerTx) SetIndex(key string) error {
	return w.txn.Set(w.key(secIndex, key), nil)
}

func (w *badgerTx) DeleteIndex(key string) error {
	return w.txn.Delete(w.key(secIndex, key))
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
