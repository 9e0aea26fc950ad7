package badgerstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"kefu/server/store"
	"kefu/shop"
)

// v1Writer writes records into a raw Badger directory the way format 1 did (release 0.1.0's
// Put): the data in the record key, the feed entry a reference to it.
type v1Writer struct {
	t   *testing.T
	db  *badger.DB
	seq map[string]int64
}

func (w *v1Writer) put(shopID string, recs ...shop.Record) {
	w.t.Helper()
	r := &badgerRead{shop: shopID}
	err := w.db.Update(func(txn *badger.Txn) error {
		for _, rec := range recs {
			ref := recordKeyPart(rec.Type, rec.ID)
			rk := r.key(secRecord, ref)
			if item, err := txn.Get(rk); err == nil {
				old, err := item.ValueCopy(nil)
				if err != nil {
					return err
				}
				if err := txn.Delete(r.key(secFeed, string(old[:8]))); err != nil {
					return err
				}
			} else if !errors.Is(err, badger.ErrKeyNotFound) {
				return err
			}
			w.seq[shopID]++
			seq := w.seq[shopID]
			v := make([]byte, 9, 9+len(rec.Data))
			binary.BigEndian.PutUint64(v, uint64(seq))
			if rec.Deleted {
				v[8] = flagDeleted
			} else {
				v = append(v, rec.Data...)
			}
			if err := txn.Set(rk, v); err != nil {
				return err
			}
			if err := txn.Set(r.key(secFeed, string(seqBytes(seq))), []byte(ref)); err != nil {
				return err
			}
			if err := txn.Set(r.key(secSeq, ""), seqBytes(seq)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// openRaw opens dir with Badger alone.
func openRaw(t *testing.T, dir string) *badger.DB {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// v1Shop writes a small shop of format 1 into db: shop "s1" with updated, deleted and revived
// entities, and shop "s2" (no account) with one record. It returns the feed each shop must
// show and one record to look up.
func v1Shop(t *testing.T, db *badger.DB) map[string][]string {
	w := &v1Writer{t: t, db: db, seq: map[string]int64{}}
	if err := db.Update(func(txn *badger.Txn) error { return txn.Set([]byte("a/s1"), []byte(`{"id":"s1"}`)) }); err != nil {
		t.Fatal(err)
	}
	rec := func(typ shop.EntityType, id, data string) shop.Record {
		return shop.Record{Type: typ, ID: id, Data: []byte(data)}
	}
	w.put("s1", rec(shop.TypeCustomer, "c1", `{"v":1}`), rec(shop.TypeOrder, "o1", `{"v":1}`))
	w.put("s1", rec(shop.TypeCustomer, "c1", `{"v":2}`), rec(shop.TypePhrase, "p1", `{"v":1}`))
	w.put("s1", shop.Record{Type: shop.TypePhrase, ID: "p1", Deleted: true})
	w.put("s1", rec(shop.TypeNote, "n1", `{"text":"备注"}`))
	w.put("s2", rec(shop.TypeNote, "n1", `{"other":true}`), rec(shop.TypeNote, "n2", ``))
	return map[string][]string{
		"s1": {`order/o1@2 {"v":1}`, `customer/c1@3 {"v":2}`, `phrase/p1@5 deleted`, `note/n1@6 {"text":"备注"}`},
		"s2": {`note/n1@1 {"other":true}`, `note/n2@2 `},
	}
}

// feedOf lists a shop's feed as "type/id@seq data" (or "deleted").
func feedOf(t *testing.T, st store.Store, shopID string) []string {
	t.Helper()
	var out []string
	err := st.View(t.Context(), shopID, func(tx store.ReadTx) error {
		return tx.Feed(0, func(r shop.Record) bool {
			s := fmt.Sprintf("%s/%s@%d ", r.Type, r.ID, r.Seq)
			if r.Deleted {
				s += "deleted"
			} else {
				s += string(r.Data)
			}
			out = append(out, s)
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkV1Shop checks that st shows the shop v1Shop wrote, and that it goes on from there.
func checkV1Shop(t *testing.T, st store.Store, want map[string][]string) {
	t.Helper()
	for shopID, w := range want {
		if got := feedOf(t, st, shopID); fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("shop %s: feed %q, want %q", shopID, got, w)
		}
	}
	err := st.View(t.Context(), "s1", func(tx store.ReadTx) error {
		rec, found, err := tx.Record(shop.TypeCustomer, "c1")
		if err != nil || !found || rec.Seq != 3 || string(rec.Data) != `{"v":2}` {
			t.Errorf("Record customer c1 = %+v, %v, %v", rec, found, err)
		}
		rec, found, err = tx.Record(shop.TypePhrase, "p1")
		if err != nil || !found || !rec.Deleted || rec.Seq != 5 || len(rec.Data) != 0 {
			t.Errorf("Record phrase p1 = %+v, %v, %v", rec, found, err)
		}
		if seq, err := tx.Seq(); err != nil || seq != 6 {
			t.Errorf("Seq = %d, %v; want 6", seq, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Writing on: a new version of a migrated entity replaces its migrated feed entry.
	err = st.Update(t.Context(), "s1", func(tx store.Tx) error {
		_, err := tx.Put(shop.Record{Type: shop.TypeOrder, ID: "o1", Data: []byte(`{"v":2}`)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := feedOf(t, st, "s1")
	wantAfter := append(append([]string(nil), want["s1"][1:]...), `order/o1@7 {"v":2}`)
	if fmt.Sprint(got) != fmt.Sprint(wantAfter) {
		t.Errorf("feed after a Put: %q, want %q", got, wantAfter)
	}
}

// formatOf reads the version key of a closed directory.
func formatOf(t *testing.T, dir string) string {
	t.Helper()
	db := openRaw(t, dir)
	defer db.Close()
	var v []byte
	err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(formatKey)
		if err != nil {
			return err
		}
		v, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(v)
}

// TestMigrateFormat1 checks that Open moves a format-1 directory (unmarked, as release 0.1.0
// left it, and marked 1) to this format: the same feed, records and seqs, and writes go on.
func TestMigrateFormat1(t *testing.T) {
	for _, mark := range []string{"", "1"} {
		t.Run("mark="+mark, func(t *testing.T) {
			dir := t.TempDir()
			db := openRaw(t, dir)
			want := v1Shop(t, db)
			if mark != "" {
				if err := db.Update(func(txn *badger.Txn) error { return txn.Set(formatKey, []byte(mark)) }); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			st, err := Open(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			checkV1Shop(t, st, want)
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			if v := formatOf(t, dir); v != strconv.Itoa(FormatVersion) {
				t.Errorf("format key %q after the migration, want %d", v, FormatVersion)
			}
		})
	}
}

// TestMigrateCutShort checks that a migration stopped part way (some entities converted, the
// version key not written yet) is finished by the next Open.
func TestMigrateCutShort(t *testing.T) {
	dir := t.TempDir()
	db := openRaw(t, dir)
	want := v1Shop(t, db)
	// Convert the first two feed entries of s1 only, as a migration killed after its first
	// transaction would have.
	r := &badgerRead{shop: "s1"}
	var cs []conversion
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: r.key(secFeed, "")})
		defer it.Close()
		for it.Rewind(); it.Valid() && len(cs) < 2; it.Next() {
			ref, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			rk := r.key(secRecord, string(ref))
			ritem, err := txn.Get(rk)
			if err != nil {
				return err
			}
			v, err := ritem.ValueCopy(nil)
			if err != nil {
				return err
			}
			cs = append(cs, conversion{fk: it.Item().KeyCopy(nil), fv: append(append(ref, 0, v[8]), v[9:]...), rk: rk,
				rv: recordHead(int64(binary.BigEndian.Uint64(v)), v[8])})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := writeConversions(db, cs); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checkV1Shop(t, st, want)
}

// TestMigrateManyRecords checks a migration of more records than one of its transactions
// holds, and records larger than its byte budget.
func TestMigrateManyRecords(t *testing.T) {
	dir := t.TempDir()
	db := openRaw(t, dir)
	w := &v1Writer{t: t, db: db, seq: map[string]int64{}}
	big := `{"text":"` + string(bytes.Repeat([]byte("x"), migrateBytes/2)) + `"}`
	const n = 2*migrateBatch + 17
	for i := 0; i < n; i += 100 {
		var recs []shop.Record
		for j := i; j < min(i+100, n); j++ {
			data := fmt.Sprintf(`{"n":%d}`, j)
			if j%700 == 0 {
				data = big
			}
			recs = append(recs, shop.Record{Type: shop.TypeMessage, ID: fmt.Sprintf("m%05d", j), Data: []byte(data)})
		}
		w.put("s1", recs...)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := 0
	err = st.View(t.Context(), "s1", func(tx store.ReadTx) error {
		return tx.Feed(0, func(r shop.Record) bool {
			want := fmt.Sprintf(`{"n":%d}`, got)
			if got%700 == 0 {
				want = big
			}
			if r.ID != fmt.Sprintf("m%05d", got) || r.Seq != int64(got+1) || string(r.Data) != want {
				t.Errorf("feed entry %d: %s %s@%d (%d bytes)", got, r.Type, r.ID, r.Seq, len(r.Data))
				return false
			}
			got++
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Errorf("feed holds %d records after the migration, want %d", got, n)
	}
}

// TestRestoreFormat1Backup checks that a backup of a format-1 store restores into this format.
func TestRestoreFormat1Backup(t *testing.T) {
	dir := t.TempDir()
	db := openRaw(t, dir)
	want := v1Shop(t, db)
	var backup bytes.Buffer
	if _, err := db.Backup(&backup, 0); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Restore(t.Context(), &backup); err != nil {
		t.Fatal(err)
	}
	checkV1Shop(t, st, want)
}
