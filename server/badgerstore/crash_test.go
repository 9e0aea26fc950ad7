package badgerstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"kefu/server/store"
	"kefu/shop"
)

// badgerFiles lists the files of dir with extension ext, by name.
func badgerFiles(t *testing.T, dir, ext string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*"+ext))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(m)
	return m
}

// nextFid is the file id after the largest one of the files with extension ext in dir.
func nextFid(t *testing.T, dir, ext string) int {
	t.Helper()
	n := 0
	for _, f := range badgerFiles(t, dir, ext) {
		var id int
		if _, err := fmt.Sscanf(filepath.Base(f), "%d"+ext, &id); err == nil && id >= n {
			n = id + 1
		}
	}
	return n
}

// seedStore writes one record into a new store in dir and closes it.
func seedStore(t *testing.T, dir string) {
	t.Helper()
	st, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(t.Context(), "s1", func(tx store.Tx) error {
		_, err := tx.Put(shop.NewRecord(shop.TypeShop, "s1", shop.Shop{ID: "s1", Name: "Shop"}))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// reopen opens the store in dir, checks the record seedStore wrote and writes another.
func reopen(t *testing.T, dir string) {
	t.Helper()
	st, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("the store does not open after the crash: %v", err)
	}
	defer st.Close()
	err = st.View(t.Context(), "s1", func(tx store.ReadTx) error {
		rec, found, err := tx.Record(shop.TypeShop, "s1")
		if err != nil {
			return err
		}
		if !found || !strings.Contains(string(rec.Data), `"Shop"`) {
			return fmt.Errorf("the shop record is gone: %+v", rec)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(t.Context(), "s1", func(tx store.Tx) error { // and it takes writes
		_, err := tx.Put(shop.NewRecord(shop.TypeStaff, "1001", shop.Staff{Number: "1001", Name: "王晓", Role: shop.RoleOwner}))
		return err
	})
	if err != nil {
		t.Fatalf("writing after the crash: %v", err)
	}
}

// A kefu-store killed (SIGKILL) while Badger opens its store can leave the value-log file that
// Badger was creating empty: Badger creates a new value log at every open, and sizes it and
// writes its header only after creating it. The fault soak hit it: the next start failed with
// `Open existing file: "…/000008.vlog" err: Create a new file`, and the shop stayed down.
// The store must open.
func TestOpenAfterKillWhileCreatingValueLog(t *testing.T) {
	dir := t.TempDir()
	seedStore(t, dir)
	empty := filepath.Join(dir, fmt.Sprintf("%06d.vlog", nextFid(t, dir, ".vlog")))
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	reopen(t, dir)
	reopen(t, dir) // and again, after the repair
}

// The same for a memtable's write-ahead log file: Badger creates one at open and whenever a
// memtable fills up, and a kill between creating and sizing it leaves it empty.
func TestOpenAfterKillWhileCreatingMemtable(t *testing.T) {
	dir := t.TempDir()
	seedStore(t, dir)
	empty := filepath.Join(dir, fmt.Sprintf("%05d.mem", nextFid(t, dir, ".mem")+1))
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	reopen(t, dir)
	reopen(t, dir)
}

func TestSecondProcessIsRefused(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := Open(dir, nil); err == nil || !strings.Contains(err.Error(), "already using this data directory") {
		t.Fatalf("second open: %v", err)
	}
}

// TestNewerFormatRefused checks that a data directory written by a newer kefu-store is refused
// with ErrNewerFormat and left as it was, and that an unmarked (release 0.1.0) one is marked.
func TestNewerFormatRefused(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	mark := func(v string) {
		t.Helper()
		if err := db.Update(func(txn *badger.Txn) error { return txn.Set(formatKey, []byte(v)) }); err != nil {
			t.Fatal(err)
		}
	}
	mark(strconv.Itoa(FormatVersion + 1))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, nil); !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("Open of a newer directory = %v; want ErrNewerFormat", err)
	}
	db, err = badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(txn *badger.Txn) error { return txn.Delete(formatKey) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = Open(dir, nil)
	if err != nil {
		t.Fatalf("Open of an unmarked directory: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(formatKey)
		if err != nil {
			return err
		}
		v, err := item.ValueCopy(nil)
		if string(v) != strconv.Itoa(FormatVersion) {
			t.Errorf("format key = %q; want %d", v, FormatVersion)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
