package server

import (
	"encoding/json"
	"fmt"
	"strings"

	"kefu/shop"
)

// The server's indexes, kept by putRecord for every record it writes (mutations, customer
// chat, seeding). Keys only, parts separated by NUL (ids and nicks never contain it):
//
//	nick\x00{nick}\x00{customer id}        customers by nick (the chat page finds them)
//	conv\x00{customer id}\x00{conv id}     conversations by customer
//	msg\x00{conv id}\x00{seq:016x}\x00{id} messages of a conversation in feed order
const (
	idxNick = "nick\x00"
	idxConv = "conv\x00"
	idxMsg  = "msg\x00"
)

// indexed reports whether records of type t have index keys.
func indexed(t shop.EntityType) bool {
	return t == shop.TypeCustomer || t == shop.TypeConversation || t == shop.TypeMessage
}

// indexKeys lists the index keys of a stored record (rec.Seq set). Deleted records and data
// that does not decode have none.
func indexKeys(rec shop.Record) []string {
	if rec.Deleted || len(rec.Data) == 0 {
		return nil
	}
	switch rec.Type {
	case shop.TypeCustomer:
		var c struct {
			Nick string `json:"nick"`
		}
		if json.Unmarshal(rec.Data, &c) != nil || c.Nick == "" {
			return nil
		}
		return []string{idxNick + c.Nick + "\x00" + rec.ID}
	case shop.TypeConversation:
		var c struct {
			CustomerID string `json:"customer_id"`
		}
		if json.Unmarshal(rec.Data, &c) != nil || c.CustomerID == "" {
			return nil
		}
		return []string{idxConv + c.CustomerID + "\x00" + rec.ID}
	case shop.TypeMessage:
		var m struct {
			ConversationID string `json:"conversation_id"`
		}
		if json.Unmarshal(rec.Data, &m) != nil || m.ConversationID == "" {
			return nil
		}
		return []string{msgIndexKey(m.ConversationID, rec.Seq, rec.ID)}
	}
	return nil
}

func msgIndexKey(convID string, seq int64, msgID string) string {
	return fmt.Sprintf("%s%s\x00%016x\x00%s", idxMsg, convID, seq, msgID)
}

// lastPart is the part of an index key after its last NUL.
func lastPart(key string) string {
	return key[strings.LastIndexByte(key, 0)+1:]
}

// customersByNick lists the ids of the customers with this nick.
func customersByNick(tx ReadTx, nick string) ([]string, error) {
	var ids []string
	err := tx.Index(idxNick+nick+"\x00", "", func(k string) bool {
		ids = append(ids, lastPart(k))
		return len(ids) < 100
	})
	return ids, err
}

// conversationsOf lists the ids of a customer's conversations.
func conversationsOf(tx ReadTx, customerID string) ([]string, error) {
	var ids []string
	err := tx.Index(idxConv+customerID+"\x00", "", func(k string) bool {
		ids = append(ids, lastPart(k))
		return len(ids) < 100
	})
	return ids, err
}

// messagesOf calls fn with the ids of a conversation's messages whose seq is greater than
// after and at most upto, in feed order, until fn returns false.
func messagesOf(tx ReadTx, convID string, after, upto int64, fn func(id string) bool) error {
	prefix := idxMsg + convID + "\x00"
	limit := fmt.Sprintf("%016x\x01", upto)
	return tx.Index(prefix, fmt.Sprintf("%016x\x01", after), func(k string) bool {
		rest := k[len(prefix):]
		if rest >= limit {
			return false
		}
		return fn(lastPart(k))
	})
}
