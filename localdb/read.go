package localdb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// Bounds of the in-memory work a query may do after its index scan.
const (
	maxCandidates = 2000    // ids collected per prefix index for a search
	maxFilterScan = 100_000 // index entries read while filtering a listing in memory
)

// scanKeys walks the keys with prefix (forward from seek, or backward from seek when reverse;
// nil seek = the whole prefix), calling fn until it returns false. The key passed to fn is
// only valid during the call.
func scanKeys(txn *badger.Txn, prefix []byte, reverse bool, seek []byte, fn func(key []byte) bool) {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, Reverse: reverse})
	defer it.Close()
	if seek == nil {
		seek = prefix
		if reverse {
			seek = append(append([]byte(nil), prefix...), bytes.Repeat([]byte{0xff}, 16)...)
		}
	}
	for it.Seek(seek); it.ValidForPrefix(prefix); it.Next() {
		if !fn(it.Item().Key()) {
			return
		}
	}
}

// scanIDs walks an index (see scanKeys) and passes each entity id to fn.
func scanIDs(txn *badger.Txn, ix *index, prefix []byte, reverse bool, fn func(id string) bool) {
	scanKeys(txn, prefix, reverse, nil, func(k []byte) bool {
		id, ok := ixID(ix, k)
		if !ok {
			return true
		}
		return fn(id)
	})
}

// load reads an entity of type t into a new T.
func load[T any](txn *badger.Txn, t shop.EntityType, id string) (T, bool, error) {
	var v T
	_, ok, err := getEntity(txn, t, id, &v)
	return v, ok, err
}

// loadIDs reads the entities with the given ids, skipping missing ones.
func loadIDs[T any](txn *badger.Txn, t shop.EntityType, ids []string) ([]T, error) {
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		v, ok, err := load[T](txn, t, id)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// eachEntity walks all live entities of type t in id order.
func eachEntity(txn *badger.Txn, t shop.EntityType, fn func(id string, data []byte) error) error {
	prefix := typePrefix(t)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Rewind(); it.ValidForPrefix(prefix); it.Next() {
		id := string(it.Item().Key()[len(prefix):])
		err := it.Item().Value(func(v []byte) error {
			st, err := decodeState(v)
			if err != nil || !st.exists() {
				return err
			}
			return fn(id, st.data)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// listAll decodes all live entities of type t.
func listAll[T any](txn *badger.Txn, t shop.EntityType) ([]T, error) {
	var out []T
	err := eachEntity(txn, t, func(_ string, data []byte) error {
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("decoding %s: %w", t, err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// getTyped is the body of the typed getters.
func getTyped[T any](db *DB, t shop.EntityType, id string) (T, error) {
	var v T
	var ok bool
	err := db.view(func(txn *badger.Txn) (err error) {
		v, ok, err = load[T](txn, t, id)
		return err
	})
	if err != nil {
		return v, fmt.Errorf("localdb: %s %s: %w", t, id, err)
	}
	if !ok {
		return v, fmt.Errorf("localdb: %s %s: %w", t, id, ErrNotFound)
	}
	return v, nil
}

func full(n, limit int) bool { return limit > 0 && n >= limit }

// DB reads like the server: shop.Decide runs against it.
var _ shop.Reader = (*DB)(nil)

// Get reads the local view of entity (t, id) into v (server state with pending local
// mutations on top); it makes DB a shop.Reader. A missing entity is not an error.
func (db *DB) Get(t shop.EntityType, id string, v any) (version int64, found bool, err error) {
	err = db.view(func(txn *badger.Txn) error {
		version, found, err = getEntity(txn, t, id, v)
		return err
	})
	return version, found, err
}

func getEntity(txn *badger.Txn, t shop.EntityType, id string, v any) (int64, bool, error) {
	raw, ok, err := getRaw(txn, entityKey(t, id))
	if err != nil || !ok {
		return 0, false, err
	}
	st, err := decodeState(raw)
	if err != nil || !st.exists() {
		return 0, false, err
	}
	if v != nil {
		if err := json.Unmarshal(st.data, v); err != nil {
			return 0, false, fmt.Errorf("localdb: decoding %s %s: %w", t, id, err)
		}
	}
	return st.version, true, nil
}

func getRaw(txn *badger.Txn, key []byte) ([]byte, bool, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	v, err := item.ValueCopy(nil)
	return v, err == nil, err
}

func countPrefix(txn *badger.Txn, prefix []byte) (int, error) {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		n++
	}
	return n, nil
}

// idsByValue lists the ids under one value of index ix, in key order (reversed when reverse),
// at most limit (all when <= 0).
func idsByValue(txn *badger.Txn, ix *index, value string, reverse bool, limit int) []string {
	var ids []string
	scanIDs(txn, ix, ixValuePrefix(ix, value, true), reverse, func(id string) bool {
		ids = append(ids, id)
		return !full(len(ids), limit)
	})
	return ids
}

// listByValue reads the entities under one value of index ix (see idsByValue); what names the
// list in errors.
func listByValue[T any](db *DB, what string, ix *index, value string, reverse bool, limit int) ([]T, error) {
	var out []T
	err := db.view(func(txn *badger.Txn) (err error) {
		out, err = loadIDs[T](txn, ix.entity, idsByValue(txn, ix, value, reverse, limit))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: %s: %w", what, err)
	}
	return out, nil
}
