package pgstore

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"kefu/server/store"
	"kefu/shop"
)

// The feed's tail in memory (store.RecentFeed). A long poll woken by a commit reads the
// records that commit wrote; with many desks on several servers, those reads were a good part
// of PostgreSQL's work and kept woken polls waiting for pooled connections. So every Update's
// notification carries the records it committed (when they fit in one NOTIFY payload), and each
// Store keeps, per shop, the newest commits it has seen: its own, added once COMMIT returned,
// and the other servers', added from their notifications before Watch reports them.
//
// What makes it safe is contiguity, not delivery: a commit's records are all of the feed's
// records with seqs in (start, end], where start is the counter the Update locked, and a shop's
// commits follow each other (the next one's start is this one's end). A tail only takes a
// commit that starts where it ends, or ends where it starts; one that comes early waits in
// pending (this server's own, added when its COMMIT returned before the notification of the
// commit before it was read; and every own commit until a notification has told the tail where
// the feed is). A Store takes its own notifications too: one may come before its COMMIT
// returned, and the server must find the commit in the tail when Watch tells of it. A commit
// that never comes — its records did not fit in a payload, the listening connection was down,
// a Load or an older kefu-store wrote it — leaves a gap that nothing after it crosses:
// ReadRecent answers only for a range the tail holds whole, and otherwise the server reads
// PostgreSQL as before. A hint or a poll that shows the counter past the tail starts it again
// there, and so does a pending list that fills up behind a gap (at its earliest commit).

// Bounds of the tails.
const (
	tailCommits   = 256       // commits kept per shop
	tailBytes     = 256 << 10 // record data kept per shop
	tailAllBytes  = 32 << 20  // record data kept for all shops; beyond it the least used go
	tailPending   = 64        // commits waiting behind a gap before the tail starts again
	maxNoteBytes  = 7900      // a payload must stay under NOTIFY's 8000 bytes
	tailRecordFix = 64        // bytes counted per record besides its data
)

// tailCommit is one commit's records: the feed's records with seqs in (start, end], in seq
// order.
type tailCommit struct {
	start, end int64
	recs       []shop.Record
	bytes      int
}

// feedTail is a shop's newest commits, contiguous from from to to.
type feedTail struct {
	from, to int64 // the commits held cover seqs (from, to]; none held when commits is empty
	// known says the shop's feed is known to be at to, at least: a notification or a poll
	// told of it. Before that the tail takes only notified commits, which come in commit
	// order; this server's own wait in pending, for they may come before the notifications
	// of earlier commits are read.
	known   bool
	commits []tailCommit
	bytes   int
	pending map[int64]tailCommit // by start: commits that came before the one they follow
	used    uint64               // the tails' clock when last added to or read
}

// tails is every shop's feedTail in one Store.
type tails struct {
	shops map[string]*feedTail
	bytes int
	clock uint64
}

// add takes commit c of shopID into its tail: notified, or this server's own.
func (ts *tails) add(shopID string, c tailCommit, own bool) {
	if c.end > c.start {
		ts.change(shopID, func(t *feedTail) { t.add(c, own) })
	}
}

// passed tells shopID's tail that its counter reached seq.
func (ts *tails) passed(shopID string, seq int64) {
	if t := ts.shops[shopID]; t != nil {
		ts.change(shopID, func(t *feedTail) { t.passed(seq) })
	}
}

// change runs fn on shopID's tail, made if need be, and keeps the count of bytes.
func (ts *tails) change(shopID string, fn func(*feedTail)) {
	if ts.shops == nil {
		ts.shops = map[string]*feedTail{}
	}
	t := ts.shops[shopID]
	if t == nil {
		t = &feedTail{}
		ts.shops[shopID] = t
	}
	ts.clock++
	t.used = ts.clock
	before := t.bytes + t.pendingBytes()
	fn(t)
	ts.bytes += t.bytes + t.pendingBytes() - before
	if ts.bytes > tailAllBytes {
		ts.evict(shopID)
	}
}

// evict drops the least used tails (never keep's) until those left hold half of tailAllBytes.
func (ts *tails) evict(keep string) {
	ids := make([]string, 0, len(ts.shops))
	for id := range ts.shops {
		if id != keep {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Compare(ts.shops[a].used, ts.shops[b].used) })
	for _, id := range ids {
		if ts.bytes <= tailAllBytes/2 {
			return
		}
		t := ts.shops[id]
		ts.bytes -= t.bytes + t.pendingBytes()
		delete(ts.shops, id)
	}
}

func (t *feedTail) pendingBytes() int {
	n := 0
	for _, c := range t.pending {
		n += c.bytes
	}
	return n
}

// add takes c if it starts where the tail ends (then the pending commits it connects),
// keeps it pending if it starts later, and ignores it if the tail holds it already; own says
// it is this server's own commit, added when its COMMIT returned.
func (t *feedTail) add(c tailCommit, own bool) {
	switch {
	case !t.known && own:
		t.wait(c)
		return
	case !t.known:
		t.from, t.to, t.known = c.start, c.start, true // the first notified commit
	case c.end == t.from && len(t.commits) > 0:
		// The one before the first held: the tail began with this server's own commit, added
		// before the notification of the commit before it was read.
		t.commits = slices.Insert(t.commits, 0, c)
		t.bytes += c.bytes
		t.from = c.start
		t.connect()
		return
	case c.end <= t.to:
		return // held already (this server's own commit, notified back) or passed
	case c.start < t.to: // overlaps what is held: cannot be; start again from it
		t.reset(c.start)
	case c.start > t.to:
		t.wait(c)
		return
	}
	t.push(c)
	t.connect()
}

// wait keeps c pending until the commit before it comes; when too many wait, the gap before
// them does not close, and the tail starts again at the earliest.
func (t *feedTail) wait(c tailCommit) {
	if t.pending == nil {
		t.pending = map[int64]tailCommit{}
	}
	t.pending[c.start] = c
	if len(t.pending) > tailPending {
		t.reset(slices.Min(slices.Collect(maps.Keys(t.pending))))
		t.connect()
	}
}

// passed tells the tail that the shop's counter reached seq, a commit's end (a notification
// without records, or a poll of the counters): commits up to seq that it does not hold will
// not come, so it starts again at seq.
func (t *feedTail) passed(seq int64) {
	if seq > t.to {
		t.reset(seq)
		t.connect()
	}
}

// connect appends the pending commits that follow on, forgets those passed, and keeps the tail
// within its bounds.
func (t *feedTail) connect() {
	for {
		next, ok := t.pending[t.to]
		if !ok {
			break
		}
		delete(t.pending, next.start)
		t.push(next)
	}
	for start := range t.pending {
		if start < t.to {
			delete(t.pending, start)
		}
	}
	for len(t.commits) > tailCommits || (t.bytes > tailBytes && len(t.commits) > 1) {
		t.bytes -= t.commits[0].bytes
		t.commits = slices.Delete(t.commits, 0, 1)
		t.from = t.commits[0].start
	}
}

// reset empties the tail, which starts again at seq from; pending commits stay.
func (t *feedTail) reset(from int64) {
	t.commits, t.bytes, t.from, t.to, t.known = nil, 0, from, from, true
}

// push appends c, which starts at t.to.
func (t *feedTail) push(c tailCommit) {
	t.commits = append(t.commits, c)
	t.bytes += c.bytes
	t.to = c.end
}

// read returns the feed's records in (after, upto], each entity once at its latest state up
// to upto, or false unless the tail holds the whole range.
func (t *feedTail) read(after, upto int64) ([]shop.Record, bool) {
	if t == nil || len(t.commits) == 0 || after < t.from || upto > t.to || after > upto {
		return nil, false
	}
	i, _ := slices.BinarySearchFunc(t.commits, after, func(c tailCommit, seq int64) int {
		switch {
		case c.end <= seq:
			return -1
		case c.start > seq:
			return 1
		}
		return 0
	})
	var out []shop.Record
	commits := 0
	for _, c := range t.commits[i:] {
		if c.start >= upto {
			break
		}
		commits++
		for _, rec := range c.recs {
			if rec.Seq > after && rec.Seq <= upto {
				out = append(out, rec)
			}
		}
	}
	if commits > 1 && len(out) > 1 {
		// Commits after the first can change an entity again: its latest state only.
		last := make(map[recordKey]int64, len(out))
		for _, rec := range out {
			last[recordKey{rec.Type, rec.ID}] = rec.Seq
		}
		out = slices.DeleteFunc(out, func(rec shop.Record) bool { return last[recordKey{rec.Type, rec.ID}] != rec.Seq })
	}
	return out, true
}

var _ store.RecentFeed = (*Store)(nil)

// ReadRecent implements store.RecentFeed from the shop's tail.
func (s *Store) ReadRecent(shopID string, after, upto int64, fn func(shop.Record) bool) bool {
	if s.opts.NoFeedTail || s.closed.Load() {
		return false
	}
	s.tailMu.Lock()
	t := s.tails.shops[shopID]
	var recs []shop.Record
	ok := t != nil
	if ok {
		if recs, ok = t.read(after, upto); ok {
			s.tails.clock++
			t.used = s.tails.clock
		}
	}
	s.tailMu.Unlock()
	if !ok {
		return false
	}
	s.phases.recent.Add(1)
	for _, rec := range recs {
		if !fn(rec) {
			break
		}
	}
	return true
}

// addTail takes a commit of shopID into its tail: notified, or this Store's own.
func (s *Store) addTail(shopID string, c tailCommit, own bool) {
	if s.opts.NoFeedTail {
		return
	}
	s.tailMu.Lock()
	s.tails.add(shopID, c, own)
	s.tailMu.Unlock()
}

// tailPassed tells shopID's tail that its counter reached seq.
func (s *Store) tailPassed(shopID string, seq int64) {
	if s.opts.NoFeedTail {
		return
	}
	s.tailMu.Lock()
	s.tails.passed(shopID, seq)
	s.tailMu.Unlock()
}

// newCommit is the tailCommit of the records an Update wrote, counter start to end.
func newCommit(start, end int64, written map[recordKey]shop.Record) tailCommit {
	c := tailCommit{start: start, end: end, recs: make([]shop.Record, 0, len(written))}
	for _, rec := range written {
		c.recs = append(c.recs, rec)
		c.bytes += len(rec.Data) + tailRecordFix
	}
	slices.SortFunc(c.recs, func(a, b shop.Record) int { return cmp.Compare(a.Seq, b.Seq) })
	return c
}

// A notification's payload is either "shop seq" (the hint: an older kefu-store's, or a commit
// whose records do not fit) or a commit note: fields split by noteField (US), the commit's
// header and then each record led by noteRecord (RS):
//
//	RS shop US start US seq { RS type US id US seq US commit US deleted("d" or "") US data }
//
// JSON never holds either byte unescaped, and names or ids that do go as the hint, so the
// split is exact; it is cheaper to read than JSON, which every server does for every commit.
const (
	noteRecord = "\x1e"
	noteField  = "\x1f"
)

// notePayload is the notification of commit c of shopID: its records when they fit, else the
// hint.
func (s *Store) notePayload(shopID string, c tailCommit) string {
	hint := shopID + " " + strconv.FormatInt(c.end, 10)
	if s.opts.NoFeedTail {
		return hint
	}
	clean := func(f string) bool { return !strings.ContainsAny(f, noteRecord+noteField) }
	size := 64 + len(shopID)
	for _, rec := range c.recs {
		if size += len(rec.Data) + len(rec.ID) + 64; size > maxNoteBytes || !clean(rec.ID) || !clean(string(rec.Type)) || !clean(string(rec.Data)) {
			return hint
		}
	}
	if !clean(shopID) {
		return hint
	}
	b := make([]byte, 0, size)
	b = append(b, noteRecord...)
	b = append(b, shopID...)
	b = strconv.AppendInt(append(b, noteField...), c.start, 10)
	b = strconv.AppendInt(append(b, noteField...), c.end, 10)
	for _, rec := range c.recs {
		b = append(append(b, noteRecord...), rec.Type...)
		b = append(append(b, noteField...), rec.ID...)
		b = strconv.AppendInt(append(b, noteField...), rec.Seq, 10)
		b = strconv.AppendInt(append(b, noteField...), rec.Commit, 10)
		b = append(b, noteField...)
		if rec.Deleted {
			b = append(b, 'd')
		}
		b = append(append(b, noteField...), rec.Data...)
	}
	if len(b) > maxNoteBytes {
		return hint
	}
	return string(b)
}

// readNote reads a notification's payload: the shop and seq it tells of, and for a commit note
// the commit to take into the tail.
func readNote(p string) (shopID string, seq int64, c *tailCommit, ok bool) {
	if !strings.HasPrefix(p, noteRecord) {
		shopID, seq, ok = parsePayload(p)
		return shopID, seq, nil, ok
	}
	parts := strings.Split(p[len(noteRecord):], noteRecord)
	head := strings.Split(parts[0], noteField)
	if len(head) != 3 || head[0] == "" {
		return "", 0, nil, false
	}
	start, err1 := strconv.ParseInt(head[1], 10, 64)
	end, err2 := strconv.ParseInt(head[2], 10, 64)
	if err1 != nil || err2 != nil {
		return "", 0, nil, false
	}
	tc := tailCommit{start: start, end: end, recs: make([]shop.Record, 0, len(parts)-1)}
	for _, part := range parts[1:] {
		f := strings.SplitN(part, noteField, 6)
		if len(f) != 6 {
			return "", 0, nil, false
		}
		rec := shop.Record{Type: shop.EntityType(f[0]), ID: f[1], Deleted: f[4] == "d"}
		rec.Seq, err1 = strconv.ParseInt(f[2], 10, 64)
		rec.Commit, err2 = strconv.ParseInt(f[3], 10, 64)
		if err1 != nil || err2 != nil {
			return "", 0, nil, false
		}
		if f[5] != "" {
			rec.Data = json.RawMessage(f[5])
		}
		tc.recs = append(tc.recs, rec)
		tc.bytes += len(rec.Data) + tailRecordFix
	}
	return head[0], end, &tc, true
}
