package localdb

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"kefu/shop"
)

// The full-text search index (see search_terms.go for its terms, search.go for queries).
//
//	q/d/<block>                  doc table: the entities of docs block*64 … block*64+63, each
//	                             as <doc&63><type code><id length, 0 for a UUID><id bytes>
//	q/p/<term>\0<first doc>      a posting chunk: the docs holding term from first on, as
//	                             uvarint deltas after first (empty for a chunk of one)
//	q/m/state                    the background build's progress (searchState, JSON)
//	q/m/live                     the next doc of the write path (4 bytes)
//
// Docs are dense 32-bit numbers, so a posting costs a byte or two. The background build
// numbers the stored records from 0, oldest first; the write path (Apply, ApplyChanges) numbers
// what it writes from liveBase on, in the same transaction as the record: newer records have
// higher docs, and a query walks its candidates from the highest down, newest first. A record
// whose text changes gets a new doc; the old doc's postings stay, and the stored text (which a
// query always reads) drops them. ResetCache drops the whole index with the cache; a bulk
// import (the first full sync) asks for the build to run again, since it stores records
// without the write path. The build runs in the background, in batches of buildBatch docs,
// each written with its progress; a crash repeats at most one batch.
const (
	prefixSearch      = "q/"
	prefixSearchDocs  = "q/d/"
	prefixSearchPost  = "q/p/"
	liveBase          = uint32(1) << 31
	docsPerBlock      = 64
	buildBatch        = 16 * 1024 // docs per background batch (a multiple of docsPerBlock): its postings are held in memory
	searchStateVerson = 1
	// searchAfterBulk is how long after a bulk import the build starts: reading every record
	// at once brings the store's tables into memory while the first sync winds down (on the
	// large shop the sync engine's peak went from 130 to 220 MB with the build at once).
	searchAfterBulk = 20 * time.Second
)

var (
	keySearchState = []byte("q/m/state")
	keySearchLive  = []byte("q/m/live")
)

func u32(v uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return b[:]
}

func docBlockKey(doc uint32) []byte {
	return append([]byte(prefixSearchDocs), u32(doc/docsPerBlock)...)
}

func postingKey(term string, first uint32) []byte {
	k := make([]byte, 0, len(prefixSearchPost)+len(term)+5)
	k = append(append(append(k, prefixSearchPost...), term...), 0)
	return append(k, u32(first)...)
}

// appendDocEntry adds doc's entity to a doc-table block value.
func appendDocEntry(b []byte, doc uint32, k entKey) []byte {
	b = append(b, byte(doc%docsPerBlock), searchTypeCode(k.T))
	if u, err := uuid.Parse(k.ID); err == nil && len(k.ID) == 36 && u.String() == k.ID {
		b = append(b, 0)
		return append(b, u[:]...)
	}
	id := k.ID
	if len(id) > 255 {
		id = id[:255] // ids are short; a longer one is not indexed correctly and never found
	}
	b = append(b, byte(len(id)))
	return append(b, id...)
}

// findDocEntry finds the entity of slot in a doc-table block (ok false: none there).
func findDocEntry(b []byte, slot int) (entKey, bool, error) {
	for len(b) >= 3 {
		s, code, n := int(b[0]), int(b[1]), int(b[2])
		size := n
		if n == 0 {
			size = 16
		}
		if len(b) < 3+size {
			break
		}
		if s == slot && code >= 1 && code <= len(searchTypes) {
			id := string(b[3 : 3+n])
			if n == 0 {
				id = uuid.UUID(b[3:19]).String()
			}
			return entKey{searchTypes[code-1], id}, true, nil
		}
		b = b[3+size:]
	}
	if len(b) != 0 {
		return entKey{}, false, fmt.Errorf("search doc block: %w", ErrCorrupt)
	}
	return entKey{}, false, nil
}

// encodePostings is a chunk's value: the docs after the first (in the key) as uvarint deltas.
func encodePostings(docs []uint32) []byte {
	b := make([]byte, 0, len(docs)+len(docs)/2)
	for i := 1; i < len(docs); i++ {
		b = binary.AppendUvarint(b, uint64(docs[i]-docs[i-1]))
	}
	return b
}

// decodePostings appends the docs of a chunk to out.
func decodePostings(first uint32, v []byte, out []uint32) ([]uint32, error) {
	out = append(out, first)
	d := first
	for len(v) > 0 {
		x, n := binary.Uvarint(v)
		if n <= 0 {
			return out, fmt.Errorf("search postings: %w", ErrCorrupt)
		}
		d += uint32(x)
		out = append(out, d)
		v = v[n:]
	}
	return out, nil
}

// indexLive is the write path's hook (setEntity): a searchable record whose text is new or
// changed gets a new doc and its postings, in the writing transaction.
func (w *wtx) indexLive(k entKey, old, nw state) error {
	text := searchText(k.T, nw)
	if text == "" || text == searchText(k.T, old) {
		return nil
	}
	doc := liveBase
	if v, ok, err := getRaw(w.txn, keySearchLive); err != nil {
		return err
	} else if ok && len(v) == 4 {
		doc = binary.BigEndian.Uint32(v)
	}
	if err := w.set(keySearchLive, u32(doc+1)); err != nil {
		return err
	}
	bk := docBlockKey(doc)
	block, _, err := getRaw(w.txn, bk)
	if err != nil {
		return err
	}
	if err := w.set(bk, appendDocEntry(block, doc, k)); err != nil {
		return err
	}
	terms := map[string]struct{}{}
	docTerms(text, terms)
	for t := range terms {
		if err := w.set(postingKey(t, doc), []byte{}); err != nil {
			return err
		}
	}
	return nil
}

// searchState is the background build's progress, stored with each batch it writes.
type searchState struct {
	Version int               `json:"v"`
	Next    uint32            `json:"next"`  // the next doc to number
	After   map[string]string `json:"after"` // per entity type, the last id indexed
	Done    bool              `json:"done"`
	Indexed int64             `json:"indexed"` // records indexed by this build
}

// searchBuilder runs the background build: one goroutine, woken by kick.
type searchBuilder struct {
	kick    chan struct{}
	stopped chan struct{}
	running atomic.Bool
	// epoch changes when the index is dropped (ResetCache) or a rebuild is asked for: a batch
	// read before that does not store its progress.
	epoch   atomic.Int64
	total   atomic.Int64 // records to index (an estimate, counted when the build starts)
	indexed atomic.Int64
	mu      sync.Mutex // held by a batch; tests wait on it
	// hook, in tests, runs after each batch is written; returning false stops the build there
	// (a crash between batches).
	hook func() bool
	// beforeProgress, in tests, runs when a batch's postings are written and its progress is
	// not yet.
	beforeProgress func()
}

// startSearch starts the background build (Open): it runs now if the index is not complete,
// and again whenever a reset or a bulk import asks for it.
func (db *DB) startSearch() {
	sb := &searchBuilder{kick: make(chan struct{}, 1), stopped: make(chan struct{})}
	db.search = sb
	sb.kick <- struct{}{}
	db.Subscribe(func(c Change) {
		switch {
		case len(c.Types) != len(shop.EntityTypes):
		case c.FromServer: // a bulk import: the first full sync's end is left to itself first
			time.AfterFunc(searchAfterBulk, db.kickSearch)
		default: // a reset
			db.kickSearch()
		}
	})
	go func() {
		defer close(sb.stopped)
		for {
			select {
			case <-db.stop:
				return
			case <-sb.kick:
			}
			if err := db.buildSearch(); err != nil && !errors.Is(err, ErrClosed) && !errors.Is(err, badger.ErrBlockedWrites) {
				log.Printf("localdb: building the search index: %v", err)
			}
		}
	}()
}

func (db *DB) kickSearch() {
	if db.search == nil {
		return
	}
	select {
	case db.search.kick <- struct{}{}:
	default:
	}
}

// searchNeedsRebuild marks the build not done, so that it indexes every stored record again
// (a bulk import calls it before it stores records the write path never saw). Records indexed
// already are indexed twice; queries keep one hit per record.
func (db *DB) searchNeedsRebuild() error {
	err := db.bdb.Update(func(txn *badger.Txn) error {
		st, err := readSearchState(txn)
		if err != nil {
			return err
		}
		st.Done, st.After, st.Indexed = false, nil, 0
		v, _ := json.Marshal(st)
		return txn.Set(keySearchState, v)
	})
	db.searchDropped()
	if err != nil {
		return fmt.Errorf("localdb: search index: %w", err)
	}
	return nil
}

// searchDropped tells a running batch that the index's state changed under it (ResetCache
// dropped the index; a rebuild was asked for). Callers hold the writers' lock.
func (db *DB) searchDropped() {
	if db.search != nil {
		db.search.epoch.Add(1)
	}
}

func readSearchState(txn *badger.Txn) (searchState, error) {
	st := searchState{Version: searchStateVerson}
	v, ok, err := getRaw(txn, keySearchState)
	if err != nil || !ok {
		return st, err
	}
	if err := json.Unmarshal(v, &st); err != nil {
		return st, fmt.Errorf("search state: %w", ErrCorrupt)
	}
	return st, nil
}

// buildSearch runs batches until the index covers every stored record or the store closes.
func (db *DB) buildSearch() error {
	sb := db.search
	sb.running.Store(true)
	defer sb.running.Store(false)
	counted := false
	for {
		select {
		case <-db.stop:
			return nil
		default:
		}
		done, err := db.buildBatch(&counted)
		if err != nil || done {
			return err
		}
		if sb.hook != nil && !sb.hook() {
			return nil
		}
	}
}

// searchHead is one entity type's position in the build's merge.
type searchHead struct {
	t   shop.EntityType
	it  *badger.Iterator
	pre []byte
	id  string
	doc searchDoc
	ok  bool
}

func (h *searchHead) advance() {
	h.ok = false
	for ; h.it.ValidForPrefix(h.pre); h.it.Next() {
		item := h.it.Item()
		id := string(item.Key()[len(h.pre):])
		var d searchDoc
		var ok bool
		_ = item.Value(func(v []byte) error {
			st, err := decodeState(v)
			if err != nil || !st.exists() {
				return nil
			}
			d, ok = decodeSearchDoc(h.t, st.data)
			return nil
		})
		if ok && len(d.texts) > 0 {
			h.id, h.doc, h.ok = id, d, true
			h.it.Next()
			return
		}
	}
}

// buildBatch indexes the next buildBatch records, oldest first across the searched types (each
// type read in id order; ids made on the desk are UUIDv7, so that is their time order), and
// writes their postings, doc table blocks and the progress.
func (db *DB) buildBatch(counted *bool) (bool, error) {
	if err := db.enter(); err != nil {
		return true, err
	}
	entered := true
	defer func() {
		if entered {
			db.leave()
		}
	}()
	sb := db.search
	sb.mu.Lock()
	defer sb.mu.Unlock()
	var st searchState
	epoch := sb.epoch.Load()
	postings := map[string][]uint32{}
	blocks := map[uint32][]byte{}
	exhausted := true
	err := db.bdb.View(func(txn *badger.Txn) error {
		var err error
		if st, err = readSearchState(txn); err != nil || st.Done {
			return err
		}
		if !*counted {
			*counted = true
			var n int64
			for _, t := range searchTypes {
				c, _ := countPrefix(txn, typePrefix(t))
				n += int64(c)
			}
			sb.total.Store(n)
			sb.indexed.Store(st.Indexed)
		}
		if st.Next%docsPerBlock != 0 { // blocks belong to one batch
			st.Next += docsPerBlock - st.Next%docsPerBlock
		}
		heads := make([]*searchHead, 0, len(searchTypes))
		for _, t := range searchTypes {
			pre := typePrefix(t)
			it := txn.NewIterator(badger.IteratorOptions{Prefix: pre, PrefetchValues: true, PrefetchSize: 64})
			defer it.Close()
			h := &searchHead{t: t, it: it, pre: pre}
			if after := st.After[string(t)]; after != "" {
				it.Seek(append(append([]byte(nil), pre...), after...))
				if it.ValidForPrefix(pre) && string(it.Item().Key()[len(pre):]) == after {
					it.Next()
				}
			} else {
				it.Rewind()
			}
			h.advance()
			heads = append(heads, h)
		}
		if st.After == nil {
			st.After = map[string]string{}
		}
		terms := map[string]struct{}{}
		for n := 0; n < buildBatch; n++ {
			var next *searchHead
			for _, h := range heads {
				if h.ok && (next == nil || h.doc.at.Before(next.doc.at)) {
					next = h
				}
			}
			if next == nil {
				return nil
			}
			doc := st.Next
			st.Next++
			bk := doc / docsPerBlock
			blocks[bk] = appendDocEntry(blocks[bk], doc, entKey{next.t, next.id})
			clear(terms)
			for _, s := range next.doc.texts {
				docTerms(s, terms)
			}
			for t := range terms {
				postings[t] = append(postings[t], doc)
			}
			st.After[string(next.t)] = next.id
			st.Indexed++
			next.advance()
		}
		for _, h := range heads {
			if h.ok {
				exhausted = false
			}
		}
		return nil
	})
	if err != nil {
		return true, err
	}
	if st.Done {
		return true, nil
	}
	wb := db.bdb.NewWriteBatch()
	defer wb.Cancel()
	for t, docs := range postings {
		if err := wb.Set(postingKey(t, docs[0]), encodePostings(docs)); err != nil {
			return true, err
		}
	}
	for bk, b := range blocks {
		if err := wb.Set(append([]byte(prefixSearchDocs), u32(bk)...), b); err != nil {
			return true, err
		}
	}
	if err := wb.Flush(); err != nil {
		return true, diskError(err)
	}
	if sb.beforeProgress != nil {
		sb.beforeProgress()
	}
	st.Done = exhausted
	v, _ := json.Marshal(st)
	// The progress goes after the batch it covers: a crash before it repeats the batch (the same
	// docs and keys, written again). Under the writers' lock, so that a reset or a rebuild
	// asked for meanwhile is seen; taken as writers take it (never while holding the store
	// open and waiting: the bulk import holds the writers' lock while it waits for the readers
	// to leave).
	db.leave()
	entered = false
	if err := db.writing(); err != nil {
		return true, err
	}
	stale := sb.epoch.Load() != epoch
	if !stale {
		err = db.bdb.Update(func(txn *badger.Txn) error { return txn.Set(keySearchState, v) })
	}
	db.doneWriting()
	if err != nil {
		return true, diskError(err)
	}
	if stale {
		return false, nil
	}
	sb.indexed.Store(st.Indexed)
	return exhausted, nil
}

// SearchProgress reports whether the search index covers every stored record and, if not,
// how much of them it covers (0–100). Records written since the desk started are always
// searchable.
func (db *DB) SearchProgress() (done bool, percent int, err error) {
	var st searchState
	if err := db.view(func(txn *badger.Txn) error {
		var err error
		st, err = readSearchState(txn)
		return err
	}); err != nil {
		return false, 0, fmt.Errorf("localdb: search progress: %w", err)
	}
	if st.Done {
		return true, 100, nil
	}
	total := db.search.total.Load()
	if total <= 0 {
		return false, 0, nil
	}
	return false, int(min(99, st.Indexed*100/total)), nil
}

// WaitSearchIndexed waits until the background build has indexed every stored record (tests,
// the benchmark). It returns at once if the build is not running and has nothing left to do.
func (db *DB) WaitSearchIndexed(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		done, _, err := db.SearchProgress()
		if err != nil || done {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("localdb: the search index is not built after %v", timeout)
		}
		db.kickSearch()
		time.Sleep(20 * time.Millisecond)
	}
}

// searchIndexSize is the bytes the search index's keys and values take (before Badger's
// compression): the benchmark compares it with the store's size.
func (db *DB) searchIndexSize() (keys int64, size int64, err error) {
	err = db.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixSearch)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			keys++
			size += int64(len(it.Item().Key())) + it.Item().ValueSize()
		}
		return nil
	})
	return keys, size, err
}

// sortUnique sorts docs and drops repeats.
func sortUnique(docs []uint32) []uint32 {
	if !slices.IsSorted(docs) {
		slices.Sort(docs)
	}
	return slices.Compact(docs)
}

// SearchIndexBytes returns the bytes the search index's keys and values take in the store
// (Badger's estimate of each entry, before its tables' compression): what the index adds
// to the store, measured the same whether it was just built or built long ago.
func (db *DB) SearchIndexBytes() (int64, error) {
	var n int64
	err := db.view(func(txn *badger.Txn) error {
		opt := badger.DefaultIteratorOptions
		opt.PrefetchValues = false
		opt.Prefix = []byte(prefixSearch)
		it := txn.NewIterator(opt)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n += it.Item().EstimatedSize()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("localdb: search index size: %w", err)
	}
	return n, nil
}
