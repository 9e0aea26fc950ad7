package localdb

import (
	"bytes"

	badger "github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// EachRecord calls fn with every entity the desk shows (its own view: the server's state with
// pending actions on top), in key order, with its version as Seq. It stops at fn's first
// error and returns it. Checks that compare a desk with the server (the fault soak) use it.
func (db *DB) EachRecord(fn func(shop.Record) error) error {
	return db.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixEntity)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			k, ok := parseEntityKey(item.Key())
			if !ok {
				continue
			}
			raw, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			st, err := decodeState(raw)
			if err != nil {
				return err
			}
			if !st.exists() {
				continue
			}
			if err := fn(shop.Record{Type: k.T, ID: k.ID, Seq: st.version, Data: bytes.Clone(st.data)}); err != nil {
				return err
			}
		}
		return nil
	})
}
