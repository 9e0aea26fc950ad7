package badgerstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/dgraph-io/badger/v4"

	"kefu/server/store"
)

// Moving and keeping a store's data: what store.Store looks up by key only, listed whole, for
// moving it to another engine (kefu-store migrate): credentials, customer chat tokens and
// staff tokens; and backups of the whole store while it serves (kefu-store backup).

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

// ErrNotEmpty is returned by Restore for a store that holds data.
var ErrNotEmpty = errors.New("the store is not empty")

// Backup writes a full backup of the store to w (Badger's backup format): a consistent
// snapshot, taken while the store serves. A ctx that ends stops it with its error.
func (s *Store) Backup(ctx context.Context, w io.Writer) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	_, err := s.db.Backup(ctxWriter{ctx, w}, 0)
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// ctxWriter fails its writes once ctx ends.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(b)
}

// Restore loads a backup made by Backup into the store, which must be empty (ErrNotEmpty).
func (s *Store) Restore(ctx context.Context, r io.Reader) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	empty := true
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if !bytes.Equal(it.Item().Key(), formatKey) { // a new store holds only its format
				empty = false
				break
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !empty {
		return ErrNotEmpty
	}
	if err := s.db.Load(r, 256); err != nil {
		return fmt.Errorf("loading the backup: %w", err)
	}
	if err := checkFormat(s.db, s.log, true); err != nil { // a backup of a newer kefu-store, or of an older one
		return fmt.Errorf("loading the backup: %w", err)
	}
	return s.db.Sync()
}
