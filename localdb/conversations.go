package localdb

import (
	"bytes"
	"fmt"
	"sort"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

var convSpec = specFor[shop.Conversation](shop.TypeConversation)

// The conversation indexes. A conversation is in exactly one of ixConvWaiting, ixConvOpen and
// ixConvClosed (the chat list's parts), and, when assigned, in one of ixConvMineWait and
// ixConvMineLast.
var (
	// ixConvNick: lower(nick).
	ixConvNick = convSpec.index("vn", byValue, func(_ string, c *shop.Conversation) (string, time.Time, bool) {
		return lowerASCII(c.Nick), time.Time{}, c.Nick != ""
	})
	// ixConvCustomer: customer id.
	ixConvCustomer = convSpec.index("vcu", byValue, func(_ string, c *shop.Conversation) (string, time.Time, bool) {
		return c.CustomerID, time.Time{}, c.CustomerID != ""
	})
	// ixConvWaiting: waiting since, for waiting (open) ones.
	ixConvWaiting = convSpec.index("vw", byTime, func(_ string, c *shop.Conversation) (string, time.Time, bool) {
		return "", c.WaitingSince, convWaiting(*c)
	})
	// ixConvOpen: last at, for open ones not waiting.
	ixConvOpen = convSpec.index("vo", byTime, func(_ string, c *shop.Conversation) (string, time.Time, bool) {
		return "", c.LastAt, !convWaiting(*c) && !c.Closed
	})
	// ixConvClosed: last at, for closed ones.
	ixConvClosed = convSpec.index("vc", byTime, func(_ string, c *shop.Conversation) (string, time.Time, bool) {
		return "", c.LastAt, c.Closed
	})
	// ixConvMineWait: assignee + waiting since, for waiting ones.
	ixConvMineWait = convSpec.index("vaw", byValueTime, func(_ string, c *shop.Conversation) (string, time.Time, bool) {
		return c.Assignee, c.WaitingSince, c.Assignee != "" && convWaiting(*c)
	})
	// ixConvMineLast: assignee + last at, for those not waiting.
	ixConvMineLast = convSpec.index("val", byValueTime, func(_ string, c *shop.Conversation) (string, time.Time, bool) {
		return c.Assignee, c.LastAt, c.Assignee != "" && !convWaiting(*c)
	})
)

// ConversationFilter selects conversations for the chat list.
type ConversationFilter string

// Conversation filters.
const (
	FilterWaiting ConversationFilter = "waiting" // WaitingSince set and not closed
	FilterMine    ConversationFilter = "mine"    // Assignee == staff
	FilterAll     ConversationFilter = "all"     // not closed
	FilterClosed  ConversationFilter = "closed"  // closed
)

func (f ConversationFilter) match(c shop.Conversation, staff string) bool {
	switch f {
	case FilterWaiting:
		return convWaiting(c)
	case FilterMine:
		return c.Assignee == staff
	case FilterClosed:
		return c.Closed
	}
	return !c.Closed
}

// convWaiting reports whether a conversation belongs in the waiting index.
func convWaiting(c shop.Conversation) bool { return !c.WaitingSince.IsZero() && !c.Closed }

// convLess is the chat list order: waiting ones first, longest wait first; then the others,
// newest last message first.
func convLess(a, b shop.Conversation) bool {
	wa, wb := convWaiting(a), convWaiting(b)
	switch {
	case wa != wb:
		return wa
	case wa && !a.WaitingSince.Equal(b.WaitingSince):
		return a.WaitingSince.Before(b.WaitingSince)
	case !wa && !a.LastAt.Equal(b.LastAt):
		return a.LastAt.After(b.LastAt)
	}
	return a.ID < b.ID
}

// Conversations lists up to limit conversations (all when limit <= 0): waiting ones first,
// longest wait first (WaitingSince ascending); then the others by LastAt, newest first.
// "mine" = Assignee == staff (closed ones included); "waiting" = WaitingSince set and not
// closed; "all" (or "") = not closed; "closed" = closed. A query keeps the conversations whose
// nick starts with it or contains it (ASCII case-insensitive); when 2,000 nicks start with it,
// only those are considered.
func (db *DB) Conversations(f ConversationFilter, staff string, query string, limit int) ([]shop.Conversation, error) {
	switch f {
	case FilterWaiting, FilterMine, FilterAll, FilterClosed, "":
	default:
		return nil, fmt.Errorf("localdb: unknown conversation filter %q", f)
	}
	var out []shop.Conversation
	err := db.view(func(txn *badger.Txn) error {
		q := queryKey(query)
		if q != "" {
			var err error
			out, err = db.searchConversations(txn, f, staff, q, limit)
			return err
		}
		var ferr error
		take := func(id string) bool {
			c, ok, err := load[shop.Conversation](txn, shop.TypeConversation, id)
			if err != nil {
				ferr = err
				return false
			}
			if ok {
				out = append(out, c)
			}
			return !full(len(out), limit)
		}
		type part struct {
			ix      *index
			prefix  []byte
			reverse bool
		}
		var parts []part
		switch f {
		case FilterWaiting:
			parts = []part{{ixConvWaiting, ixPrefix(ixConvWaiting), false}}
		case FilterMine:
			parts = []part{{ixConvMineWait, ixValuePrefix(ixConvMineWait, staff, true), false},
				{ixConvMineLast, ixValuePrefix(ixConvMineLast, staff, true), true}}
		case FilterClosed:
			parts = []part{{ixConvClosed, ixPrefix(ixConvClosed), true}}
		default:
			parts = []part{{ixConvWaiting, ixPrefix(ixConvWaiting), false}, {ixConvOpen, ixPrefix(ixConvOpen), true}}
		}
		for _, p := range parts {
			if full(len(out), limit) || ferr != nil {
				break
			}
			scanIDs(txn, p.ix, p.prefix, p.reverse, take)
		}
		return ferr
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: conversations: %w", err)
	}
	return out, nil
}

func (db *DB) searchConversations(txn *badger.Txn, f ConversationFilter, staff, q string, limit int) ([]shop.Conversation, error) {
	seen := map[string]bool{}
	var ids []string
	scanKeys(txn, ixValuePrefix(ixConvNick, q, false), false, nil, func(k []byte) bool {
		if id, ok := ixID(ixConvNick, k); ok && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
		return len(ids) < maxCandidates
	})
	qb := []byte(q)
	if len(ids) >= maxCandidates { // enough nicks start with q: skip the substring pass
		qb = nil
	}
	scanKeys(txn, ixPrefix(ixConvNick), false, nil, func(k []byte) bool {
		if qb == nil {
			return false
		}
		rest := k[len(ixConvNick.prefix):]
		if i := bytes.IndexByte(rest, 0); i > 0 && bytes.Contains(rest[:i], qb) {
			if id, ok := ixID(ixConvNick, k); ok && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		return len(ids) < 2*maxCandidates
	})
	cs, err := loadIDs[shop.Conversation](txn, shop.TypeConversation, ids)
	if err != nil {
		return nil, err
	}
	out := cs[:0]
	for _, c := range cs {
		if f.match(c, staff) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return convLess(out[i], out[j]) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// WaitingCount counts the conversations waiting for a reply.
func (db *DB) WaitingCount() (int, error) {
	n := 0
	err := db.view(func(txn *badger.Txn) error {
		scanKeys(txn, ixPrefix(ixConvWaiting), false, nil, func([]byte) bool { n++; return true })
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("localdb: waiting count: %w", err)
	}
	return n, nil
}

// Conversation returns one conversation.
func (db *DB) Conversation(id string) (shop.Conversation, error) {
	return getTyped[shop.Conversation](db, shop.TypeConversation, id)
}

// ConversationsOf lists a customer's conversations, newest last message first.
func (db *DB) ConversationsOf(customerID string) ([]shop.Conversation, error) {
	out, err := listByValue[shop.Conversation](db, "conversations of "+customerID, ixConvCustomer, customerID, false, 0)
	sort.Slice(out, func(i, j int) bool { return out[i].LastAt.After(out[j].LastAt) })
	return out, err
}
