package localdb

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// SearchQuery is one full-text search: every space-separated part of Text must occur in the
// record (Chinese without spaces, words by prefix, any three or more consecutive characters of
// a number). The filters are optional.
type SearchQuery struct {
	Text     string
	Kinds    []SearchKind // none: every kind
	Staff    string       // staff number that wrote or handled the record
	Customer string       // customer id
	From, To time.Time    // the record's time within [From, To) (zero: unbounded)
	Limit    int          // hits to return (default 50)
}

// SearchHit is one record that matches, with the text that holds the first part's hit.
type SearchHit struct {
	Kind       SearchKind
	Type       shop.EntityType
	ID         string
	Parent     string // the conversation (message), order (note, review, case, complaint) or review (evidence)
	CustomerID string
	Staff      string // the first staff number the record names
	At         time.Time
	Snippet    string   // the hit in its context (at most about snippetRunes runes)
	Marks      [][2]int // rune ranges [start, end) in Snippet to highlight
}

// SearchResult is a page of hits, newest first.
type SearchResult struct {
	Hits []SearchHit
	More bool // more hits than the page holds (or the candidates read before the budget ran out)
	// Complete is false while the background build is still indexing stored records; Percent
	// is how far it got. Hits are then only among what it has indexed and what was written
	// since.
	Complete bool
	Percent  int
}

// Bounds of one search.
const (
	defaultSearchLimit = 50
	maxSearchVerify    = 4000 // candidates whose stored text a search reads at most
	snippetRunes       = 80
)

// Search finds the records holding q.Text, newest first.
func (db *DB) Search(q SearchQuery) (SearchResult, error) {
	var res SearchResult
	done, pct, err := db.SearchProgress()
	if err != nil {
		return res, err
	}
	res.Complete, res.Percent = done, pct
	parts := strings.Fields(q.Text)
	if len(parts) == 0 {
		return res, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	folded := make([][]rune, len(parts))
	var terms []queryTerm
	for i, p := range parts {
		folded[i] = foldRunes(p)
		terms = append(terms, queryTerms(p)...)
	}
	if len(terms) == 0 {
		return res, nil
	}
	err = db.view(func(txn *badger.Txn) error {
		lists := make([][]uint32, 0, len(terms))
		for _, t := range terms {
			l, err := readPostings(txn, t)
			if err != nil {
				return err
			}
			if len(l) == 0 {
				return nil
			}
			lists = append(lists, l)
		}
		cands := intersect(lists)
		v := verifier{txn: txn, q: q, parts: folded, blocks: map[uint32][]byte{},
			seen: map[entKey]bool{}, parents: map[entKey]string{}}
		verified := 0
		for i := len(cands) - 1; i >= 0; i-- {
			if len(res.Hits) > limit || verified >= maxSearchVerify {
				res.More = true
				break
			}
			verified++
			hit, ok, err := v.check(cands[i])
			if err != nil {
				return err
			}
			if ok {
				res.Hits = append(res.Hits, hit)
			}
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("localdb: searching %q: %w", q.Text, err)
	}
	if len(res.Hits) > limit {
		res.Hits, res.More = res.Hits[:limit], true
	}
	slices.SortStableFunc(res.Hits, func(a, b SearchHit) int { return b.At.Compare(a.At) })
	return res, nil
}

// readPostings reads the sorted docs of a term (prefix: of every term starting with it).
func readPostings(txn *badger.Txn, t queryTerm) ([]uint32, error) {
	pre := append([]byte(prefixSearchPost), t.term...)
	if !t.prefix {
		pre = append(pre, 0)
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre})
	defer it.Close()
	var out []uint32
	sorted := true
	var last uint32
	for it.Rewind(); it.ValidForPrefix(pre); it.Next() {
		item := it.Item()
		k := item.Key()
		if len(k) < len(pre)+4 || k[len(k)-5] != 0 {
			continue
		}
		first := binary.BigEndian.Uint32(k[len(k)-4:])
		if len(out) > 0 && first <= last {
			sorted = false
		}
		err := item.Value(func(v []byte) error {
			var err error
			out, err = decodePostings(first, v, out)
			return err
		})
		if err != nil {
			return nil, err
		}
		if len(out) > 0 {
			last = out[len(out)-1]
		}
	}
	if !sorted {
		out = sortUnique(out)
	}
	return out, nil
}

// intersect is the docs in every list (each sorted), shortest list first.
func intersect(lists [][]uint32) []uint32 {
	slices.SortFunc(lists, func(a, b []uint32) int { return len(a) - len(b) })
	out := append([]uint32(nil), lists[0]...)
	for _, l := range lists[1:] {
		n, j := 0, 0
		for _, d := range out {
			for j < len(l) && l[j] < d {
				j++
			}
			if j == len(l) {
				break
			}
			if l[j] == d {
				out[n] = d
				n++
			}
		}
		out = out[:n]
		if n == 0 {
			break
		}
	}
	return out
}

// verifier confirms candidates against the stored records.
type verifier struct {
	txn     *badger.Txn
	q       SearchQuery
	parts   [][]rune
	blocks  map[uint32][]byte // doc table blocks read
	seen    map[entKey]bool
	parents map[entKey]string // customer of a conversation, order or review
}

func (v *verifier) entity(doc uint32) (entKey, bool, error) {
	bk := doc / docsPerBlock
	raw, ok := v.blocks[bk]
	if !ok {
		var err error
		if raw, _, err = getRaw(v.txn, docBlockKey(doc)); err != nil {
			return entKey{}, false, err
		}
		v.blocks[bk] = raw
	}
	return findDocEntry(raw, int(doc%docsPerBlock))
}

// customerOf is the customer behind a message's conversation, a note's order or evidence's review.
func (v *verifier) customerOf(t shop.EntityType, id string) string {
	k := entKey{t, id}
	if c, ok := v.parents[k]; ok {
		return c
	}
	var c string
	switch t {
	case shop.TypeConversation:
		x, _, _ := load[shop.Conversation](v.txn, t, id)
		c = x.CustomerID
	case shop.TypeOrder:
		x, _, _ := load[shop.Order](v.txn, t, id)
		c = x.CustomerID
	case shop.TypeReview:
		x, _, _ := load[shop.Review](v.txn, t, id)
		c = x.CustomerID
	}
	v.parents[k] = c
	return c
}

func (v *verifier) check(doc uint32) (SearchHit, bool, error) {
	k, ok, err := v.entity(doc)
	if err != nil || !ok || v.seen[k] {
		return SearchHit{}, false, err
	}
	raw, found, err := getRaw(v.txn, entityKey(k.T, k.ID))
	if err != nil || !found {
		return SearchHit{}, false, err
	}
	st, err := decodeState(raw)
	if err != nil || !st.exists() {
		return SearchHit{}, false, err
	}
	d, ok := decodeSearchDoc(k.T, st.data)
	if !ok {
		return SearchHit{}, false, nil
	}
	q := v.q
	if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, d.kind) {
		return SearchHit{}, false, nil
	}
	if q.Staff != "" && !slices.Contains(d.staff, q.Staff) {
		return SearchHit{}, false, nil
	}
	if (!q.From.IsZero() && d.at.Before(q.From)) || (!q.To.IsZero() && !d.at.Before(q.To)) {
		return SearchHit{}, false, nil
	}
	all := foldRunes(d.text())
	for _, p := range v.parts {
		if indexRunes(all, p, 0) < 0 {
			return SearchHit{}, false, nil
		}
	}
	cust := d.customer
	if cust == "" {
		switch d.kind {
		case SearchMessage:
			cust = v.customerOf(shop.TypeConversation, d.parent)
		case SearchNote:
			cust = v.customerOf(shop.TypeOrder, d.parent)
		case SearchEvidence:
			cust = v.customerOf(shop.TypeReview, d.parent)
		}
	}
	if q.Customer != "" && cust != q.Customer {
		return SearchHit{}, false, nil
	}
	v.seen[k] = true
	hit := SearchHit{Kind: d.kind, Type: k.T, ID: k.ID, Parent: d.parent, CustomerID: cust, At: d.at}
	if len(d.staff) > 0 {
		hit.Staff = d.staff[0]
	}
	hit.Snippet, hit.Marks = snippet(d.texts, v.parts)
	return hit, true, nil
}

// indexRunes is the first index of sub in s at or after from (-1: none).
func indexRunes(s, sub []rune, from int) int {
	if len(sub) == 0 {
		return -1
	}
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i] == sub[0] && slices.Equal(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// snippet cuts the text holding the first part's hit to about snippetRunes runes around it and
// marks every part's hits in the cut.
func snippet(texts []string, parts [][]rune) (string, [][2]int) {
	text := texts[0]
	for _, t := range texts {
		if indexRunes(foldRunes(t), parts[0], 0) >= 0 {
			text = t
			break
		}
	}
	orig := []rune(strings.ReplaceAll(text, "\n", " "))
	fold := foldRunes(string(orig))
	start, end := 0, len(orig)
	if len(orig) > snippetRunes {
		at := max(indexRunes(fold, parts[0], 0), 0)
		start = max(0, at-snippetRunes/3)
		end = min(len(orig), start+snippetRunes)
		start = max(0, end-snippetRunes)
	}
	var marks [][2]int
	for _, p := range parts {
		for i := indexRunes(fold, p, start); i >= 0 && i+len(p) <= end; i = indexRunes(fold, p, i+len(p)) {
			marks = append(marks, [2]int{i - start, i - start + len(p)})
		}
	}
	slices.SortFunc(marks, func(a, b [2]int) int { return a[0] - b[0] })
	// Overlapping marks (one part inside another) merge.
	merged := marks[:0]
	for _, m := range marks {
		if n := len(merged); n > 0 && m[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], m[1])
			continue
		}
		merged = append(merged, m)
	}
	s := string(orig[start:end])
	if start > 0 {
		s = "…" + s
		for i := range merged {
			merged[i][0]++
			merged[i][1]++
		}
	}
	if end < len(orig) {
		s += "…"
	}
	return s, merged
}
