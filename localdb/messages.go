package localdb

import (
	"bytes"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// messageKeyed is what the message indexes read of a message (the KPI row, kpi_rows.go, its
// sender and staff number too).
type messageKeyed struct {
	ConversationID string      `json:"conversation_id"`
	At             time.Time   `json:"at"`
	From           shop.Sender `json:"from"`
	Staff          string      `json:"staff"`
}

var messageSpec = specFor[messageKeyed](shop.TypeMessage)

// ixMessageConv: a message's conversation id + at. A message whose At changes moves in it.
var ixMessageConv = messageSpec.index("mc", byValueTime, func(_ string, m *messageKeyed) (string, time.Time, bool) {
	return m.ConversationID, m.At, true
})

// Messages returns the limit (all when <= 0) newest messages of a conversation older than
// message `before` ("" = the newest), oldest first (ordered by At then ID). It reads only the
// messages it returns. A `before` that is not a message of the conversation is an error
// wrapping ErrNotFound.
func (db *DB) Messages(convID, before string, limit int) ([]shop.Message, error) {
	var out []shop.Message
	err := db.view(func(txn *badger.Txn) error {
		prefix := ixValuePrefix(ixMessageConv, convID, true)
		var seek []byte
		if before != "" {
			m, ok, err := load[shop.Message](txn, shop.TypeMessage, before)
			if err != nil {
				return err
			}
			if !ok || m.ConversationID != convID {
				return fmt.Errorf("message %s in conversation %s: %w", before, convID, ErrNotFound)
			}
			seek = ixKey(ixMessageConv, convID, m.At, before)
		}
		var ids []string
		scanKeys(txn, prefix, true, seek, func(k []byte) bool {
			if seek != nil && bytes.Equal(k, seek) {
				return true
			}
			if id, ok := ixID(ixMessageConv, k); ok {
				ids = append(ids, id)
			}
			return !full(len(ids), limit)
		})
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
		var err error
		out, err = loadIDs[shop.Message](txn, shop.TypeMessage, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: messages: %w", err)
	}
	return out, nil
}
