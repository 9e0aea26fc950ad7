package badgerstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"kefu/server/store"
)

// What store.Store looks up by key only, listed whole, for moving a store's data to another
// engine (kefu-store migrate): credentials, customer chat tokens and staff tokens.

// each calls fn with the key suffix and the value of every key under prefix, in key order,
// until fn returns false.
func (s *Store) each(ctx context.Context, prefix []byte, fn func(rest string, v []byte) (bool, error)) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			more, err := fn(string(it.Item().Key()[len(prefix):]), v)
			if err != nil || !more {
				return err
			}
		}
		return nil
	})
}

// eachJSON is each with the values decoded into a new T.
func eachJSON[T any](ctx context.Context, s *Store, prefix []byte, fn func(rest string, v T) bool) error {
	return s.each(ctx, prefix, func(rest string, b []byte) (bool, error) {
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return false, fmt.Errorf("decoding %s%s: %w", prefix, rest, err)
		}
		return fn(rest, v), nil
	})
}

func shopPrefix(shopID string, sec byte) []byte {
	return (&badgerRead{shop: shopID}).key(sec, "")
}

// Credentials calls fn with every staff credential of shop shopID, in staff number order,
// until fn returns false.
func (s *Store) Credentials(ctx context.Context, shopID string, fn func(store.Credential) bool) error {
	return eachJSON(ctx, s, shopPrefix(shopID, secCredential), func(_ string, c store.Credential) bool { return fn(c) })
}

// ChatTokens calls fn with every customer chat token of shop shopID and its hash, until fn
// returns false.
func (s *Store) ChatTokens(ctx context.Context, shopID string, fn func(hash string, t store.ChatToken) bool) error {
	return eachJSON(ctx, s, shopPrefix(shopID, secChatToken), fn)
}

// Tokens calls fn with every staff token and its hash, until fn returns false.
func (s *Store) Tokens(ctx context.Context, fn func(hash string, t store.TokenInfo) bool) error {
	return eachJSON(ctx, s, tokenKey(""), fn)
}
