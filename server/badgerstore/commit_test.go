package badgerstore

import (
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"kefu/server/store"
	"kefu/shop"
)

// A format-2 directory (feed entries without their commit) opens as format 3: its records read
// as commits of their own, and the commits written after it carry their first seq.
func TestFormat2FeedReadsAsOwnCommits(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db := openRaw(t, dir)
	r := &badgerRead{shop: "s"}
	err := db.Update(func(txn *badger.Txn) error {
		for seq := int64(1); seq <= 3; seq++ { // one format-2 commit of three records
			id := fmt.Sprintf("n%d", seq)
			// Format 2's feed entry: {type}\x00{id}\x00, flags, data.
			v := append([]byte(string(shop.TypeNote)+"\x00"+id+"\x00"), 0)
			v = append(v, `{"v":2}`...)
			if err := txn.Set(r.feedKey(seq), v); err != nil {
				return err
			}
			if err := txn.Set(r.key(secRecord, recordKeyPart(shop.TypeNote, id)), recordHead(seq, 0)); err != nil {
				return err
			}
		}
		if err := txn.Set(r.key(secSeq, ""), seqBytes(3)); err != nil {
			return err
		}
		return txn.Set(formatKey, []byte("2"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := Open(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(t.Context(), "s", func(tx store.Tx) error {
		for _, id := range []string{"n2", "m1", "m2"} { // moves n2 on
			if _, err := tx.Put(shop.Record{Type: shop.TypeNote, ID: id, Data: []byte(`{"v":3}`)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = st.View(t.Context(), "s", func(tx store.ReadTx) error {
		return tx.Feed(0, func(rec shop.Record) bool {
			got = append(got, fmt.Sprintf("%s@%d/%d %s", rec.ID, rec.Seq, rec.Commit, rec.Data))
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`n1@1/1 {"v":2}`, `n3@3/3 {"v":2}`, `n2@4/4 {"v":3}`, `m1@5/4 {"v":3}`, `m2@6/4 {"v":3}`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("feed (id@seq/commit data) %v, want %v", got, want)
	}
	rec, found, err := recordOf(t, st, "s", "m2")
	if err != nil || !found || string(rec.Data) != `{"v":3}` {
		t.Errorf("record m2: %+v %v %v", rec, found, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if v := formatOf(t, dir); v != "3" {
		t.Errorf("format key %q after opening, want 3", v)
	}
}

// recordOf reads one note.
func recordOf(t *testing.T, st *Store, shopID, id string) (rec shop.Record, found bool, err error) {
	err = st.View(t.Context(), shopID, func(tx store.ReadTx) error {
		rec, found, err = tx.Record(shop.TypeNote, id)
		return err
	})
	return rec, found, err
}

// A feed entry's commit mark round-trips whatever the data begins with, and a truncated mark is
// refused.
func TestFeedValueCommit(t *testing.T) {
	for _, in := range []int64{0, 1, 127, 128, 1 << 40} {
		for _, data := range []string{"", `{"a":1}`, "\x80\x01"} {
			v := feedValue(shop.TypeOrder, "o-1", flagDeleted, in, []byte(data))
			typ, id, flags, got, d, ok := parseFeedValue(v)
			if !ok || string(typ) != string(shop.TypeOrder) || string(id) != "o-1" || flags != flagDeleted || got != in || string(d) != data {
				t.Errorf("commit %d data %q: parsed %q %q %d %d %q %v", in, data, typ, id, flags, got, d, ok)
			}
		}
	}
	v := feedValue(shop.TypeOrder, "o-1", 0, 300, nil) // a two-byte uvarint
	if _, _, _, _, _, ok := parseFeedValue(v[:len(v)-1]); ok {
		t.Error("a feed entry cut inside its commit mark was read")
	}
}
