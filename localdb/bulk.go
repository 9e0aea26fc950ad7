package localdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"

	"kefu/shop"
)

// The bulk import: a first full sync's change feed staged on disk and loaded into the store in
// one pass with Badger's StreamWriter, which writes the finished tables straight to the LSM's
// last level: no memtables, no level-0 tables, no compactions. Writing the same 1.3M records
// page by page with ApplyChanges had Badger build and compact tables all through the sync
// (half its CPU time, most of its memory).
//
// While the feed is pulled, BulkImport.Add stages its records in sorted runs (bulkrun.go): files
// in a folder of the data directory, never memory-mapped. Finish merges them and writes exactly
// the keys ApplyChanges would have written for the same records: the winning state of each
// entity (ApplyChanges' rule: a record older than the one already held is ignored, a deleted
// one removes the entity), its index keys from the entity type's index spec, and the cursor;
// every key the store already holds (settings, the outbox, problems, entities already cached)
// is kept as it is. Records of entities the store already holds are not bulk-loaded but applied
// afterwards with ApplyChanges' own code, which rebases pending ones.
//
// The desk stays usable meanwhile: Finish reads the live store in one read transaction (its
// snapshot), and StreamWriter loads the snapshot's keys and the staged records into a second,
// empty store (the next store folder, swap.go; a second in-memory store for an in-memory one)
// while the live store serves reads and writes. Then, with the store to itself for a moment,
// Finish copies into the new store every key the live store changed after the snapshot
// (deletions too; an entity the load stored from the feed that the desk wrote meanwhile keeps
// the desk's version, and its loaded record is applied afterwards like those of the entities
// held before), and swaps the stores by renaming the store pointer file.
//
// Crash safety: the live store is never written by the load. A desk that stops before the
// pointer's rename opens the old store, with its cursor and everything written meanwhile, and
// the next sync pulls the feed again (Open removes the unfinished new store); one that stops
// after it opens the new store, complete (Open removes the old one). A desk that stops while
// staging has lost nothing: the staged records are thrown away and pulled again. The marker
// file is that of older desks, which loaded the live store in place: recoverBulk still puts
// back what such a desk held when it stopped during the load.

const (
	bulkDirName = "bulkimport" // the staging folder inside the data directory
	bulkMarker  = "loading"    // an older desk's: present while it replaced the store's contents
	bulkKept    = "kept.run"   // the keys the store held at Finish's snapshot
)

// bulkHook is called at the steps of Finish: "marked" (the live store's snapshot is written),
// "streaming" (the new store's entities are loaded, their index keys not), "flushed" (the new
// store is loaded), "caughtup" (with the lock held: the changes made meanwhile are copied),
// "pointed" (the store pointer names the new store) and "swapped" (the old store is closed, not
// yet removed). The crash test stops the process there; the swap test holds the load there.
var bulkHook = func(step string) {}

// MaxBulkCached is the most entities a store may hold when a bulk import begins: their keys are
// kept in memory while Finish runs.
const MaxBulkCached = 100_000

var (
	// ErrBulkNotEmpty is returned by BeginBulkImport for a store that caches too many entities
	// for a bulk import (or whose cursor moved since it was read): pull page by page instead.
	ErrBulkNotEmpty = errors.New("the store already holds too much for a bulk import")
	// ErrBulkStale is returned by BulkImport.Add and Finish when the cache was reset after the
	// import began; nothing was stored, and the feed must be pulled again from the new cursor.
	ErrBulkStale = errors.New("the cache was reset during the bulk import")
)

// BulkImport is a first full sync under way: the feed pages after cursor From, staged and not
// yet visible. Use it from one goroutine: Add each page, then Finish (or Abort).
type BulkImport struct {
	db      *DB
	dir     string // staging folder
	from    int64
	next    int64 // the cursor after the last page added
	records int64
	closed  bool

	// Pages are staged by a goroutine of their own, so that the sync engine fetches and
	// decodes the next page meanwhile.
	pages  chan []shop.Record
	staged chan error // the staging goroutine's result once pages is closed
	failed error      // the first staging error seen
	ents   *sorter    // owned by the staging goroutine

	restoreLimit func() // puts back the process's memory limit (limitMemory)
}

// BeginBulkImport starts a bulk import of the change feed after cursor from, which must be the
// store's cursor. It returns ErrBulkNotEmpty when the store caches more than MaxBulkCached
// entities or its cursor is not from.
func (db *DB) BeginBulkImport(from int64) (*BulkImport, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	var cursor int64
	n := 0
	err := db.bdb.View(func(txn *badger.Txn) error {
		v, ok, err := getRaw(txn, keyCursor)
		if err != nil {
			return err
		}
		if ok && len(v) == 8 {
			cursor = int64(binary.BigEndian.Uint64(v))
		}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixEntity)})
		defer it.Close()
		for it.Rewind(); it.Valid() && n <= MaxBulkCached; it.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: starting a bulk import: %w", err)
	}
	if n > MaxBulkCached || cursor != from {
		return nil, ErrBulkNotEmpty
	}
	dir, err := db.bulkDir(true)
	if err != nil {
		return nil, fmt.Errorf("localdb: starting a bulk import: %w", err)
	}
	b := &BulkImport{db: db, dir: dir, from: from, next: from, ents: newSorter(dir, "records"),
		pages: make(chan []shop.Record, 1), staged: make(chan error, 1), restoreLimit: limitMemory()}
	go b.stage(b.pages)
	return b, nil
}

// stage writes the pages Add hands over to the sorted runs, each record with its index keys
// (computed here, while the engine pulls the next page, rather than in Finish). After an error
// it takes the remaining pages without writing them; Finish reports the error.
func (b *BulkImport) stage(pages <-chan []shop.Record) {
	var err error
	var val []byte
	for recs := range pages {
		for _, r := range recs {
			if err != nil {
				break
			}
			var ixs [][]byte
			if !r.Deleted {
				ixs = indexKeys(r.Type, r.ID, r.Data)
			}
			val = appendStaged(val[:0], r, ixs)
			err = b.ents.add(entityKey(r.Type, r.ID), val)
		}
	}
	if err == nil {
		_, err = b.ents.finish()
	} else {
		b.ents.finish()
	}
	b.staged <- err
}

// stopStaging waits for the staging goroutine to write what it was given.
func (b *BulkImport) stopStaging() error {
	if b.pages != nil {
		close(b.pages)
		b.pages = nil
		if err := <-b.staged; err != nil && b.failed == nil {
			b.failed = err
		}
	}
	return b.failed
}

// bulkDir makes an empty staging folder: inside the data directory, or a temporary one for an
// in-memory store. A folder left by an import that did not finish is emptied (recoverBulk has
// already restored the store if it had to).
func (db *DB) bulkDir(fresh bool) (string, error) {
	if db.dir == "" {
		return os.MkdirTemp("", "kefu-bulk-")
	}
	dir := filepath.Join(db.dir, bulkDirName)
	if fresh {
		if err := os.RemoveAll(dir); err != nil {
			return "", diskError(err)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", diskError(err)
	}
	return dir, nil
}

// From is the cursor the import started from; Next the cursor after the pages added so far.
func (b *BulkImport) From() int64 { return b.from }

// Next is the cursor after the pages added so far: the next page is pulled from there.
func (b *BulkImport) Next() int64 { return b.next }

// Records is the number of records staged so far.
func (b *BulkImport) Records() int64 { return b.records }

// Add stages one page of the change feed and the cursor after it. Nothing is visible before
// Finish.
func (b *BulkImport) Add(recs []shop.Record, next int64) error {
	if b.closed {
		return fmt.Errorf("localdb: bulk import: %w", ErrClosed)
	}
	if b.db.resetSinceCursor.Load() {
		return ErrBulkStale
	}
	page := make([]shop.Record, 0, len(recs))
	for _, r := range recs {
		if r.Type != "" && r.ID != "" {
			page = append(page, r)
		}
	}
	b.pages <- page // the records' data is not copied: the caller must not change it
	b.records += int64(len(page))
	b.next = next
	return nil
}

// A staged record's value: a flags byte (1: deleted), the seq as a varint, the number of index
// keys and each (uvarint length, key), then the data.
func appendStaged(b []byte, r shop.Record, ixs [][]byte) []byte {
	var flags byte
	if r.Deleted {
		flags = 1
	}
	b = append(b, flags)
	b = binary.AppendVarint(b, r.Seq)
	b = binary.AppendUvarint(b, uint64(len(ixs)))
	for _, k := range ixs {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
	}
	return append(b, r.Data...)
}

// staged is a staged record read back; its slices point into the run's buffer.
type staged struct {
	deleted bool
	seq     int64
	ixs     [][]byte
	data    []byte
}

func parseStaged(v []byte, st *staged) error {
	bad := fmt.Errorf("staged record of %d bytes: %w", len(v), ErrCorrupt)
	if len(v) < 3 {
		return bad
	}
	st.deleted = v[0]&1 != 0
	seq, n := binary.Varint(v[1:])
	if n <= 0 {
		return bad
	}
	st.seq, v = seq, v[1+n:]
	cnt, n := binary.Uvarint(v)
	if n <= 0 || cnt > uint64(len(v)) {
		return bad
	}
	v = v[n:]
	st.ixs = st.ixs[:0]
	for range cnt {
		l, n := binary.Uvarint(v)
		if n <= 0 || uint64(len(v)-n) < l {
			return bad
		}
		st.ixs = append(st.ixs, v[n:n+int(l)])
		v = v[n+int(l):]
	}
	st.data = v
	return nil
}

// Abort throws the staged records away. The store is as it was before BeginBulkImport.
func (b *BulkImport) Abort() {
	if b.closed {
		return
	}
	b.closed = true
	b.stopStaging()
	os.RemoveAll(b.dir)
	b.restoreLimit()
}

// bulkMemoryLimit is the soft memory limit (debug.SetMemoryLimit) of a process that has none
// while a bulk import runs, from BeginBulkImport to Finish or Abort. Without one the Go heap
// of the sync engine alone (the bench's sync child) grew as the collector let it while the
// pages were decoded and staged and the runs merged: its peak was 104 MB in one run and 161 MB
// in the next (80 / 142 MB anonymous). What a bulk import keeps live is small (a page or two of
// decoded records, the sorter's 4 MB buffer, one read buffer per run, the table StreamWriter is
// building), so the limit costs little collection. A process with a limit of its own (the desk
// sets one, memory.go) keeps it: a limit near the live heap of a desk with its window open
// would make the window's goroutine pay for collections.
const bulkMemoryLimit = 96 << 20

// limitMemory sets the process's soft memory limit to bulkMemoryLimit when it has none, and
// returns the function that takes it off again (unless someone changed it meanwhile).
func limitMemory() (restore func()) {
	old := debug.SetMemoryLimit(-1)
	if old != math.MaxInt64 {
		return func() {}
	}
	debug.SetMemoryLimit(bulkMemoryLimit)
	return func() {
		if debug.SetMemoryLimit(-1) == bulkMemoryLimit {
			debug.SetMemoryLimit(old)
		}
	}
}

// Finish stores what was staged, as ApplyChanges would have stored the same pages one after
// another, and the cursor Next. Reads and writes go on while the staged records are loaded into
// a new store; they wait only while the changes made meanwhile are copied into it and it is
// swapped in. Subscribers hear of every entity type afterwards.
func (b *BulkImport) Finish() error {
	if b.closed {
		return fmt.Errorf("localdb: bulk import: %w", ErrClosed)
	}
	b.closed = true
	defer os.RemoveAll(b.dir)
	defer b.restoreLimit()
	db := b.db
	if err := b.stopStaging(); err != nil {
		return fmt.Errorf("localdb: staging the feed: %w", err)
	}
	if err := checkSpace(db.freeSpace, db.dir); err != nil {
		return err
	}
	// The load bypasses the search index's write path: the index is marked for a rebuild
	// before the store is replaced (a crash during the load leaves it marked) and again after,
	// so that a build batch run in between does not leave loaded records behind its cursor.
	if err := db.writing(); err != nil {
		return err
	}
	err := db.searchNeedsRebuild()
	db.doneWriting()
	if err != nil {
		return err
	}
	deferred, err := b.replace(b.ents.runs)
	if err != nil {
		return err
	}
	if err := db.writing(); err != nil {
		return err
	}
	defer db.doneWriting()
	if err := db.searchNeedsRebuild(); err != nil {
		return err
	}
	if len(deferred) > 0 {
		// Entities the store held already: ApplyChanges' own path (with the rebase of pending
		// ones), which also stores the cursor.
		if _, _, err := db.applyChanges(deferred, b.next); err != nil {
			return fmt.Errorf("localdb: bulk import: %w", err)
		}
	}
	if err := db.loadProducts(); err != nil {
		return fmt.Errorf("localdb: bulk import: loading products: %w", err)
	}
	db.commits.Add(1)
	db.notify(Change{Types: append([]shop.EntityType(nil), shop.EntityTypes...), FromServer: true})
	return nil
}

// replace loads the kept keys and the staged records into a second store while the live one
// keeps serving reads and writes, and swaps it in. The kept keys are what the live store held
// at the snapshot taken first (read under the read side of the lifetime lock, in one read
// transaction); the load itself holds no lock. Only the catch-up (the keys the live store
// changed after the snapshot, copied into the new store) and the swap take the write side of
// the lifetime lock, without the writers' lock: every holder of the writers' lock holds the
// read side, so a Finish that held the writers' lock while it waited for the write side waited
// forever for a staff action waiting for the writers' lock.
func (b *BulkImport) replace(runs []string) ([]shop.Record, error) {
	db := b.db
	keptPath := filepath.Join(b.dir, bulkKept)
	ts, live, err := b.snapshot(keptPath)
	if err != nil {
		return nil, err
	}
	bulkHook("marked")
	nw, name, err := db.openStagingStore()
	if err != nil {
		return nil, fmt.Errorf("localdb: bulk import: opening the new store: %w", err)
	}
	swapped := false
	defer func() {
		if !swapped {
			db.dropStagingStore(nw, name)
		}
	}()
	// The load's garbage (decoded runs, StreamWriter's copies, finished table buffers) is
	// short-lived and its live heap small: a lower GC target for its few seconds keeps the heap
	// near that live heap instead of letting it grow to twice it.
	if old := debug.SetGCPercent(bulkGCPercent); old >= 0 && old < bulkGCPercent {
		debug.SetGCPercent(old)
	} else {
		defer debug.SetGCPercent(old)
	}
	deferred, err := b.load(runs, keptPath, live, nw, storePath(db.dir, name))
	if err != nil {
		return nil, fmt.Errorf("localdb: bulk import: %w", err)
	}
	bulkHook("flushed")

	old, oldName, err := b.swap(nw, name, ts, live, &deferred)
	if err != nil {
		return nil, err
	}
	swapped = true
	// The old store is closed and removed with the lock released: nothing reads it any more.
	if err := old.Close(); err != nil {
		log.Printf("localdb: closing the store replaced by the first sync: %v", err)
	}
	if db.dir != "" {
		bulkHook("swapped")
		if err := removeOtherStores(db.dir, name); err != nil {
			log.Printf("localdb: removing the store %q replaced by the first sync: %v", oldName, err)
		}
	}
	return deferred, nil
}

// swap copies into the loaded store nw what the live store changed after the snapshot ts
// (adding to deferred the loaded entities the desk changed meanwhile) and puts nw in its place,
// with the store to itself. It returns the old store, still open, and its folder.
func (b *BulkImport) swap(nw *badger.DB, name string, ts uint64, live map[string]bool, deferred *[]shop.Record) (*badger.DB, string, error) {
	db := b.db
	db.life.Lock()
	defer db.life.Unlock()
	if db.closed {
		return nil, "", ErrClosed
	}
	if db.resetSinceCursor.Load() {
		return nil, "", ErrBulkStale
	}
	more, err := catchUp(db.bdb, nw, ts, live)
	if err != nil {
		return nil, "", fmt.Errorf("localdb: bulk import: %w", err)
	}
	if err := nw.Sync(); err != nil {
		return nil, "", fmt.Errorf("localdb: bulk import: %w", diskError(err))
	}
	bulkHook("caughtup")
	db.gcMu.Lock() // (taken inside life: Close waits for the value-log GC holding life)
	defer db.gcMu.Unlock()
	if db.dir != "" {
		// The swap's commit point: before the rename the old store opens, after it the new.
		if err := writeStorePointer(db.dir, name); err != nil {
			if cur, _ := readStorePointer(db.dir); cur != name { // (else renamed, not synced)
				return nil, "", fmt.Errorf("localdb: bulk import: %w", err)
			}
		}
		bulkHook("pointed")
	}
	*deferred = append(*deferred, more...)
	old, oldName := db.bdb, db.storeName
	db.bdb, db.storeName = nw, name
	return old, oldName, nil
}

// snapshot writes every key the live store holds to a run file at path (synced) and returns
// the read timestamp it was read at and the entities among the keys.
func (b *BulkImport) snapshot(path string) (uint64, map[string]bool, error) {
	db := b.db
	if err := db.enter(); err != nil {
		return 0, nil, err
	}
	defer db.leave()
	if db.resetSinceCursor.Load() {
		return 0, nil, ErrBulkStale
	}
	txn := db.bdb.NewTransaction(false)
	defer txn.Discard()
	live, err := keepAll(txn, path)
	if err != nil {
		return 0, nil, fmt.Errorf("localdb: bulk import: %w", err)
	}
	return txn.ReadTs(), live, nil
}

// keepAll writes every key txn sees to a run file at path (synced) and returns the entities
// among them.
func keepAll(txn *badger.Txn, path string) (map[string]bool, error) {
	w, err := createRun(path)
	if err != nil {
		return nil, err
	}
	live := map[string]bool{}
	err = func() error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			k := item.Key()
			if bytes.HasPrefix(k, []byte(prefixEntity)) {
				live[string(k)] = true
			}
			if err := item.Value(func(v []byte) error { return w.write(k, v) }); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		w.f.Close()
		return nil, err
	}
	if err := w.close(true); err != nil {
		return nil, err
	}
	return live, nil
}

// bulkGCPercent is the GC target (GOGC) while a bulk import loads the store.
const bulkGCPercent = 25

// streamBatch is how many bytes of keys and values go to StreamWriter at a time.
const streamBatch = 1 << 20

// streamOut feeds StreamWriter key-sorted pairs in batches.
type streamOut struct {
	dir  string // the store's directory ("" in memory)
	sw   *badger.StreamWriter
	buf  *z.Buffer
	last []byte
	kv   pb.KV
}

func newStreamOut(bdb *badger.DB, dir string) (*streamOut, error) {
	sw := bdb.NewStreamWriter()
	if err := sw.Prepare(); err != nil {
		return nil, err
	}
	return &streamOut{dir: dir, sw: sw, buf: z.NewBuffer(streamBatch+streamBatch/4, "localdb.bulk")}, nil
}

func (o *streamOut) put(k, v []byte) error {
	if o.last != nil && bytes.Compare(k, o.last) <= 0 {
		return fmt.Errorf("bulk keys out of order: %q after %q", k, o.last)
	}
	o.last = append(o.last[:0], k...)
	o.kv = pb.KV{Key: k, Value: v, Version: 1}
	badger.KVToBuffer(&o.kv, o.buf)
	if o.buf.LenNoPadding() >= streamBatch {
		return o.flush()
	}
	return nil
}

func (o *streamOut) flush() error {
	if o.buf.LenNoPadding() == 0 {
		return nil
	}
	err := o.sw.Write(o.buf)
	o.buf.Reset()
	dropMappedTables(o.dir) // the tables written so far are not read during the import
	return err
}

// finish writes what is buffered and flushes StreamWriter.
func (o *streamOut) finish() error {
	err := o.flush()
	if err == nil {
		err = o.sw.Flush()
		dropMappedTables(o.dir)
	} else {
		o.sw.Cancel()
	}
	o.buf.Release()
	return err
}

func (o *streamOut) cancel() {
	o.sw.Cancel()
	o.buf.Release()
}

// load fills the empty store into (its folder intoDir, "" in memory): the kept keys, and the
// staged entities with their index keys, all in key order through StreamWriter. Staged records
// of entities the store held (live) are returned, in feed order, for ApplyChanges' path.
func (b *BulkImport) load(runs []string, keptPath string, live map[string]bool, into *badger.DB, intoDir string) ([]shop.Record, error) {
	kept, err := openRun(keptPath, 0)
	if err != nil {
		return nil, diskError(err)
	}
	defer kept.f.Close()
	keptOK := true
	nextKept := func() error {
		err := kept.next()
		if err != nil {
			keptOK = false
			if isEOF(err) {
				return nil
			}
		}
		return err
	}
	if err := nextKept(); err != nil {
		return nil, err
	}
	out, err := newStreamOut(into, intoDir)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			out.cancel()
		}
	}()
	// keptUpTo writes the kept pairs whose keys sort before limit (all of them when nil); the
	// cursor is written in its place unless deferred records will store it.
	var deferred []shop.Record
	cursorDone := false
	putCursor := func() error {
		cursorDone = true
		if len(deferred) > 0 {
			return nil // ApplyChanges stores it after the deferred records
		}
		return out.put(keyCursor, u64(uint64(b.next)))
	}
	keptUpTo := func(limit []byte) error {
		for keptOK && (limit == nil || bytes.Compare(kept.key, limit) < 0) {
			if !cursorDone && bytes.Compare(kept.key, keyCursor) >= 0 {
				if err := putCursor(); err != nil {
					return err
				}
				if bytes.Equal(kept.key, keyCursor) {
					if len(deferred) > 0 {
						if err := out.put(kept.key, kept.value); err != nil {
							return err
						}
					}
					if err := nextKept(); err != nil {
						return err
					}
					continue
				}
			}
			if err := out.put(kept.key, kept.value); err != nil {
				return err
			}
			if err := nextKept(); err != nil {
				return err
			}
		}
		return nil
	}

	// The entities, in key order: for each, its staged records in feed order.
	m, err := mergeRuns(runs)
	if err != nil {
		return nil, err
	}
	defer m.close()
	ix := newSorter(b.dir, "index")
	var key []byte
	var st staged
	var curIxs [][]byte
	for {
		k, _, more := m.peek()
		if !more {
			break
		}
		key = append(key[:0], k...)
		var cur state
		curIxs = curIxs[:0]
		isLive := live[string(key)]
		for {
			k, v, more := m.peek()
			if !more || !bytes.Equal(k, key) {
				break
			}
			if err := parseStaged(v, &st); err != nil {
				return nil, err
			}
			seq := st.seq
			if isLive {
				ek, _ := parseEntityKey(key)
				deferred = append(deferred, shop.Record{Type: ek.T, ID: ek.ID, Seq: seq, Deleted: st.deleted, Data: bytes.Clone(st.data)})
			} else if seq <= 0 || !cur.found || cur.version <= seq { // serverRecord's rule
				switch {
				case st.deleted:
					cur = state{}
				case seq == 0:
					cur = state{found: true, version: cur.version, data: append(cur.data[:0:0], st.data...)}
				default:
					cur = state{found: true, version: seq, data: append(cur.data[:0:0], st.data...)}
				}
				curIxs = curIxs[:0]
				for _, ik := range st.ixs {
					curIxs = append(curIxs, bytes.Clone(ik))
				}
			}
			if err := m.pop(); err != nil {
				return nil, err
			}
		}
		if isLive || !cur.found {
			continue
		}
		if err := keptUpTo(key); err != nil {
			return nil, err
		}
		if err := out.put(key, encodeState(cur)); err != nil {
			return nil, err
		}
		for _, ik := range curIxs {
			if err := ix.add(ik, nil); err != nil {
				return nil, err
			}
		}
	}
	m.close()
	bulkHook("streaming") // the entities are written, the index keys not yet
	// The index keys, in key order (with those of the kept entities).
	ixRuns, err := ix.finish()
	if err != nil {
		return nil, err
	}
	im, err := mergeRuns(ixRuns)
	if err != nil {
		return nil, err
	}
	defer im.close()
	var last []byte
	for {
		k, _, more := im.peek()
		if !more {
			break
		}
		if last == nil || !bytes.Equal(k, last) {
			if err := keptUpTo(k); err != nil {
				return nil, err
			}
			if !(keptOK && bytes.Equal(kept.key, k)) {
				if err := out.put(k, []byte{}); err != nil {
					return nil, err
				}
			}
			last = append(last[:0], k...)
		}
		if err := im.pop(); err != nil {
			return nil, err
		}
	}
	// The rest of the kept keys (settings, outbox, problems...), with the cursor.
	if err := keptUpTo(nil); err != nil {
		return nil, err
	}
	if !cursorDone {
		if err := putCursor(); err != nil {
			return nil, err
		}
	}
	ok = true
	if err := out.finish(); err != nil {
		return nil, err
	}
	return deferred, nil
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }

// recoverBulk puts back the keys a store held before a bulk import's Finish that did not
// complete (the marker file is still there), and removes a staging folder left behind.
func (db *DB) recoverBulk() error {
	if db.dir == "" {
		return nil
	}
	dir := filepath.Join(db.dir, bulkDirName)
	if _, err := os.Stat(filepath.Join(dir, bulkMarker)); err != nil {
		os.RemoveAll(dir) // staged records of a sync that stopped: pulled again
		return nil
	}
	kept, err := openRun(filepath.Join(dir, bulkKept), 0)
	if err != nil {
		return fmt.Errorf("restoring the store after an interrupted first sync: %w", err)
	}
	defer kept.f.Close()
	out, err := newStreamOut(db.bdb, storePath(db.dir, db.storeName))
	if err != nil {
		return err
	}
	for {
		err := kept.next()
		if isEOF(err) {
			break
		}
		if err == nil {
			err = out.put(kept.key, kept.value)
		}
		if err != nil {
			out.cancel()
			return fmt.Errorf("restoring the store after an interrupted first sync: %w", err)
		}
	}
	if err := out.finish(); err != nil {
		return fmt.Errorf("restoring the store after an interrupted first sync: %w", err)
	}
	return os.RemoveAll(dir)
}
