package badgerstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Moving a version-1 directory to version 2. Version 1 kept each record's data in its record
// key (seq, flags, data) and made each feed entry a reference ({type}\x00{id}) to it; version 2
// keeps the data in the feed entry ({type}\x00{id}\x00, flags, data) and only the seq and flags
// in the record key, so that reading the feed is one sequential pass instead of a random read
// per entry.
//
// migrate walks every shop's record keys in key order (a sequential read; every record has
// its one feed entry, under the seq it holds): each record still in the version-1 form gets
// its feed entry rewritten with its data and its record key cut to the head, both in one
// transaction (with up to migrateBatch entities), so an entity is either wholly converted or
// not at all. A migration cut short (the server killed) goes on where it stopped at the next
// Open: a record head with flagInFeed is converted already, and the version key is written
// only at the end.

// The migration's transactions: at most migrateBatch entities or migrateBytes of values each.
const (
	migrateBatch = 1000
	migrateBytes = 2 << 20
)

// migrate converts every version-1 record of db to version 2 (see above). It is a no-op on a
// store already in version 2, apart from reading its record keys.
func migrate(db *badger.DB, log *slog.Logger) error {
	start := time.Now()
	var shops []string
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("s/")})
		defer it.Close()
		for it.Rewind(); it.Valid(); {
			k := it.Item().Key()
			i := bytes.IndexByte(k[2:], '/')
			if i < 0 {
				return fmt.Errorf("key %q is outside every shop's keys", k)
			}
			shop := string(k[2 : 2+i])
			shops = append(shops, shop)
			it.Seek([]byte("s/" + shop + "0")) // '0' follows '/': the next shop's keys
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("migrating the store to format %d: listing the shops: %w", FormatVersion, err)
	}
	total := 0
	for _, shopID := range shops {
		n, err := migrateShop(db, shopID, log)
		total += n
		if err != nil {
			return fmt.Errorf("migrating the store to format %d: shop %s: %w", FormatVersion, shopID, err)
		}
	}
	if total > 0 {
		log.Info("moved the store to the new format: each record now lives in the change feed",
			"format", FormatVersion, "shops", len(shops), "records", total, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// conversion is one entity's two keys in version 2: its feed entry and its record head.
type conversion struct{ fk, fv, rk, rv []byte }

// writeConversions writes the conversions in one transaction, or in halves (recursively) when
// they are too many for one.
func writeConversions(db *badger.DB, cs []conversion) error {
	err := db.Update(func(txn *badger.Txn) error {
		for _, c := range cs {
			if err := txn.Set(c.fk, c.fv); err != nil {
				return err
			}
			if err := txn.Set(c.rk, c.rv); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, badger.ErrTxnTooBig) && len(cs) > 1 {
		if err := writeConversions(db, cs[:len(cs)/2]); err != nil {
			return err
		}
		return writeConversions(db, cs[len(cs)/2:])
	}
	return err
}

// migrateShop converts the version-1 records of one shop and returns how many it converted.
func migrateShop(db *badger.DB, shopID string, log *slog.Logger) (int, error) {
	r := &badgerRead{shop: shopID}
	prefix := r.key(secRecord, "")
	var pending []conversion
	size, converted := 0, 0
	sawV1, logged := false, false // sawV1: a record with data in its key, the shop is in version 1
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := writeConversions(db, pending); err != nil {
			return err
		}
		if sawV1 && !logged {
			logged = true
			log.Info("moving the store to a new format: each record into its change feed entry (once; about a minute per million records)", "shop", shopID)
		}
		converted += len(pending)
		pending, size = pending[:0], 0
		return nil
	}
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			ref := item.Key()[len(prefix):]
			t, id, ok := bytes.Cut(ref, []byte{0})
			if !ok {
				return fmt.Errorf("record key %q is malformed", item.Key())
			}
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			if len(v) < headLen {
				return fmt.Errorf("record %s %s is truncated (%d bytes)", t, id, len(v))
			}
			flags, data := v[8], v[headLen:]
			if len(v) == headLen && flags&flagInFeed != 0 {
				continue // converted already (a migration cut short)
			}
			if flags&flagDeleted != 0 {
				data = nil
			} else {
				sawV1 = true
			}
			flags &^= flagInFeed
			c := conversion{
				fk: r.key(secFeed, string(v[:8])),
				fv: append(append(bytes.Clone(ref), 0, flags), data...),
				rk: item.KeyCopy(nil),
				rv: recordHead(int64(binary.BigEndian.Uint64(v)), flags),
			}
			if len(pending) > 0 && (len(pending) >= migrateBatch || size+len(c.fv) > migrateBytes) {
				if err := flush(); err != nil {
					return err
				}
			}
			pending = append(pending, c)
			size += len(c.fk) + len(c.fv) + len(c.rk) + len(c.rv)
		}
		return flush()
	})
	return converted, err
}
