package server

import (
	"context"
	"encoding/json"

	"kefu/server/store"
	"kefu/shop"
)

// The server's indexes, declared to the store by New and kept up to date by putRecord for
// every record the server writes (mutations, customer chat, imports):
//
//	nick  (nick, customer id)             customers by nick (the chat page finds them)
//	conv  (customer id, conversation id)  conversations by customer
//	msg   (conversation id, seq, message id)  messages of a conversation in feed order
//
// The last field of each is the entry's id. The names and fields are those of the indexes a
// store kept before they were declared, so a Badger store keeps its entries.
var (
	idxNick = store.Index{Name: "nick", Fields: []store.Field{{Name: "nick", Kind: store.String}}}
	idxConv = store.Index{Name: "conv", Fields: []store.Field{{Name: "customer_id", Kind: store.String}}}
	idxMsg  = store.Index{Name: "msg", Fields: []store.Field{{Name: "conversation_id", Kind: store.String}, {Name: "seq", Kind: store.Int}}}
)

// indexSpec is how one entity type's records are indexed: the key's first value is the
// string field field of the record's data, and with seq its second is the record's seq.
type indexSpec struct {
	index store.Index
	field string
	seq   bool
}

// indexSpecs are the server's indexes by the entity type they index.
var indexSpecs = map[shop.EntityType]indexSpec{
	shop.TypeCustomer:     {index: idxNick, field: "nick"},
	shop.TypeConversation: {index: idxConv, field: "customer_id"},
	shop.TypeMessage:      {index: idxMsg, field: "conversation_id", seq: true},
	shop.TypeChannel:      {index: idxChannel, field: "name"},
}

// declareIndexes declares the server's indexes to the store.
func declareIndexes(ctx context.Context, st store.Store) error {
	return st.Declare(ctx, append([]store.Index{idxNick, idxConv, idxMsg}, channelIndexes...)...)
}

// indexEntry is the index entry of a stored record; deleted records, data that does not
// decode and values the index cannot hold (a NUL in a nick) have none.
func indexEntry(spec indexSpec, rec shop.Record) (store.Entry, bool) {
	if rec.Deleted || len(rec.Data) == 0 {
		return store.Entry{}, false
	}
	var fields map[string]json.RawMessage
	var v string
	if json.Unmarshal(rec.Data, &fields) != nil || json.Unmarshal(fields[spec.field], &v) != nil || v == "" {
		return store.Entry{}, false
	}
	e := store.Entry{Key: []any{v}, ID: rec.ID}
	if spec.seq {
		e.Key = append(e.Key, rec.Seq)
	}
	if spec.index.CheckEntry(e) != nil {
		return store.Entry{}, false
	}
	return e, true
}

func sameEntry(a, b store.Entry) bool {
	if a.ID != b.ID || len(a.Key) != len(b.Key) {
		return false
	}
	for i := range a.Key {
		if a.Key[i] != b.Key[i] {
			return false
		}
	}
	return true
}

// putRecord stores a record under the shop's next seq and keeps the indexes up to date,
// and what channels keep of customers and messages (afterPut, channel.go).
func putRecord(tx store.Tx, rec shop.Record) (int64, error) {
	spec, indexed := indexSpecs[rec.Type]
	hooked := rec.Type == shop.TypeCustomer || rec.Type == shop.TypeMessage
	var old store.Entry
	var prev shop.Record
	hadOld, found := false, false
	if indexed || hooked {
		var err error
		prev, found, err = tx.Record(rec.Type, rec.ID)
		if err != nil {
			return 0, err
		}
		if found && indexed {
			old, hadOld = indexEntry(spec, prev)
		}
	}
	seq, err := tx.Put(rec)
	if err != nil {
		return seq, err
	}
	rec.Seq = seq
	if hooked {
		if err := afterPut(tx, prev, found, rec); err != nil {
			return 0, err
		}
	}
	if !indexed {
		return seq, nil
	}
	next, hasNext := indexEntry(spec, rec)
	if hadOld && !(hasNext && sameEntry(old, next)) {
		if err := tx.RemoveEntry(spec.index.Name, old); err != nil {
			return 0, err
		}
	}
	if hasNext {
		if err := tx.AddEntry(spec.index.Name, next); err != nil {
			return 0, err
		}
	}
	return seq, nil
}

// customersByNick lists the ids of the customers with this nick (at most 100).
func customersByNick(tx store.ReadTx, nick string) ([]string, error) {
	return entryIDs(tx, idxNick, nick)
}

// conversationsOf lists the ids of a customer's conversations (at most 100).
func conversationsOf(tx store.ReadTx, customerID string) ([]string, error) {
	return entryIDs(tx, idxConv, customerID)
}

// entryIDs lists the ids of the first 100 entries of ix under key value v.
func entryIDs(tx store.ReadTx, ix store.Index, v string) ([]string, error) {
	var ids []string
	if ix.CheckQuery(store.Query{Prefix: []any{v}}) != nil {
		return nil, nil // a value no entry can have
	}
	err := tx.Scan(ix.Name, store.Query{Prefix: []any{v}}, func(e store.Entry) bool {
		ids = append(ids, e.ID)
		return len(ids) < 100
	})
	return ids, err
}

// messagesOf calls fn with the ids of a conversation's messages whose seq is greater than
// after and at most upto, in feed order, until fn returns false.
func messagesOf(tx store.ReadTx, convID string, after, upto int64, fn func(id string) bool) error {
	q := store.Query{Prefix: []any{convID}, Min: max(after, 0) + 1, Max: upto}
	if after >= upto || idxMsg.CheckQuery(q) != nil {
		return nil
	}
	return tx.Scan(idxMsg.Name, q, func(e store.Entry) bool { return fn(e.ID) })
}
