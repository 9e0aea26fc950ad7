package localdb

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// The KPI rows: compact index entries that hold what the KPIs read of a chat message and of a
// conversation, so that a month's KPIs scan small keys in time order instead of seeking and
// decoding ~400k stored records (schema version 7). They are ordinary index entries (empty
// values, kept by the index specs), so every write path keeps them with the records they come
// from: Apply and the feed import, rebase, ResetCache, the bulk first sync's staging
// (indexKeys) and the migration's backfill.
//
// A message row is i/km/<16 hex digits of timeKey(at)><kind>\x00<message id>, where kind is \x01
// followed by the sender, \x01, the staff number, \x01 and the conversation id, or \x02 alone
// (a field holds a NUL or \x01 byte): the KPIs then read the record itself. A conversation row
// is i/kc/<16 hex digits of timeKey(last at)><kind>\x00<conversation id>, kind \x01 followed by
// the customer id, \x01 and the assignee, or \x02 alone. Both sort by time, so a window is one
// seek and a walk.

// Kinds of KPI row.
const (
	kpiRowFields = "\x01" // the fields follow
	kpiRowRecord = "\x02" // read the record
)

// kpiRowSafe reports whether s can be a field of a KPI row.
func kpiRowSafe(s string) bool { return !strings.ContainsAny(s, "\x00\x01") }

// ixKPIMessage: the KPI row of a chat message.
var ixKPIMessage = messageSpec.index("km", byValue, func(_ string, m *messageKeyed) (string, time.Time, bool) {
	v := kpiRowHex(m.At)
	if kpiRowSafe(string(m.From)) && kpiRowSafe(m.Staff) && kpiRowSafe(m.ConversationID) {
		return v + kpiRowFields + string(m.From) + "\x01" + m.Staff + "\x01" + m.ConversationID, time.Time{}, true
	}
	return v + kpiRowRecord, time.Time{}, true
})

// ixKPIConversation: the KPI row of a conversation.
var ixKPIConversation = convSpec.index("kc", byValue, func(_ string, c *shop.Conversation) (string, time.Time, bool) {
	v := kpiRowHex(c.LastAt)
	if kpiRowSafe(c.CustomerID) && kpiRowSafe(c.Assignee) {
		return v + kpiRowFields + c.CustomerID + "\x01" + c.Assignee, time.Time{}, true
	}
	return v + kpiRowRecord, time.Time{}, true
})

// backfillKPIRows writes the KPI rows of a store written before they existed, logging how long
// it took (it reads every message and conversation once).
func (db *DB) backfillKPIRows() error {
	start := time.Now()
	if err := db.bdb.DropPrefix(ixPrefix(ixKPIMessage), ixPrefix(ixKPIConversation)); err != nil {
		return fmt.Errorf("dropping partial KPI rows: %w", err)
	}
	if err := db.backfill(ixKPIMessage, ixKPIConversation); err != nil {
		return err
	}
	log.Printf("localdb: built the KPI rows of the stored messages and conversations in %s", time.Since(start).Round(time.Millisecond))
	return nil
}

// kpiTimeHex is the hex time part of a KPI message row for t.
func kpiTimeHex(t time.Time) []byte {
	return []byte(kpiRowHex(t))
}

// kpiRowTime decodes the 16 hex digits of a KPI row's time; zero and clamped times decode to
// times outside every KPI window.
func kpiRowTime(h []byte) (time.Time, bool) {
	var b [8]byte
	if len(h) != 16 {
		return time.Time{}, false
	}
	if _, err := hex.Decode(b[:], h); err != nil {
		return time.Time{}, false
	}
	u := binary.BigEndian.Uint64(b[:])
	if u == 0 {
		return time.Time{}, true
	}
	return time.Unix(0, int64(u^(1<<63))), true
}

// interner returns one string per distinct byte content (staff numbers, senders, customers),
// so that a month of rows does not allocate a string per field.
type interner map[string]string

func (in interner) str(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// kpiRow splits a KPI row's key (after the index prefix) into its time, its kind with the
// fields after it, and the entity id.
func kpiRow(rest []byte) (at time.Time, fields []byte, id string, ok bool) {
	if len(rest) < 17 {
		return at, nil, "", false
	}
	at, ok = kpiRowTime(rest[:16])
	fields, tail, ok2 := bytes.Cut(rest[16:], []byte{0})
	if !ok || !ok2 || len(fields) == 0 || len(tail) == 0 {
		return at, nil, "", false
	}
	return at, fields, string(tail), true
}

// feedConvRows feeds acc, from their KPI rows, the conversations that may have messages in
// [winFrom, winTo) (those last active from winFrom on, and the waiting ones: those of
// ixConvWaiting, here waiting) and the messages of that window in those conversations. Rows
// that say to read the record are read whole.
func feedConvRows(txn *badger.Txn, acc *shop.KPIAccumulator, waiting []string, winFrom, winTo time.Time) error {
	strs := interner{}
	convs := map[string]bool{}
	var convRecords, msgRecords []string
	fromHex, toHex := kpiTimeHex(winFrom), kpiTimeHex(winTo)

	cprefix := ixPrefix(ixKPIConversation)
	cit := txn.NewIterator(badger.IteratorOptions{Prefix: cprefix})
	for cit.Seek(append(bytes.Clone(cprefix), fromHex...)); cit.ValidForPrefix(cprefix); cit.Next() {
		_, fields, id, ok := kpiRow(cit.Item().Key()[len(cprefix):])
		if !ok || convs[id] {
			continue
		}
		convs[id] = true
		if fields[0] == kpiRowFields[0] {
			cust, who, _ := bytes.Cut(fields[1:], []byte{1})
			acc.AddConversation(shop.Conversation{ID: id, CustomerID: strs.str(cust), Assignee: strs.str(who)})
		} else {
			convRecords = append(convRecords, id)
		}
	}
	cit.Close()
	for _, id := range waiting {
		if !convs[id] {
			convs[id] = true
			convRecords = append(convRecords, id) // waiting since before the window: a few
		}
	}
	err := loadSorted(txn, shop.TypeConversation, convRecords, func(id string, data []byte) error {
		c, err := decodeConvKPI(data)
		if err != nil {
			return fmt.Errorf("decoding conversation %s: %w", id, err)
		}
		acc.AddConversation(shop.Conversation{ID: id, CustomerID: c.CustomerID, Assignee: c.Assignee})
		return nil
	})
	if err != nil {
		return err
	}

	mprefix := ixPrefix(ixKPIMessage)
	mit := txn.NewIterator(badger.IteratorOptions{Prefix: mprefix})
	defer mit.Close()
	for mit.Seek(append(bytes.Clone(mprefix), fromHex...)); mit.ValidForPrefix(mprefix); mit.Next() {
		rest := mit.Item().Key()[len(mprefix):]
		if len(rest) < 16 || bytes.Compare(rest[:16], toHex) >= 0 {
			break
		}
		at, fields, mid, ok := kpiRow(rest)
		if !ok {
			continue
		}
		if fields[0] != kpiRowFields[0] {
			msgRecords = append(msgRecords, mid)
			continue
		}
		f := bytes.SplitN(fields[1:], []byte{1}, 3)
		if len(f) != 3 || !convs[string(f[2])] {
			continue
		}
		acc.AddMessage(shop.Message{ID: mid, ConversationID: strs.str(f[2]), From: shop.Sender(strs.str(f[0])), Staff: strs.str(f[1]), At: at})
	}
	return loadSorted(txn, shop.TypeMessage, msgRecords, func(mid string, data []byte) error {
		var m shop.Message
		if err := json.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("decoding message %s: %w", mid, err)
		}
		if convs[m.ConversationID] {
			acc.AddMessage(shop.Message{ID: mid, ConversationID: m.ConversationID, From: m.From, Staff: m.Staff, At: m.At})
		}
		return nil
	})
}

// kpiRowHex is the time part of a KPI row for t, as a string.
func kpiRowHex(t time.Time) string { return hex.EncodeToString(timeKey(t)) }
