package localdb

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// A full disk is reported before Badger writes (a write through its memory maps on a full disk
// kills the process): Apply, SetMeta and ApplyChanges fail with ErrDiskFull, nothing is
// written, and the same action succeeds once there is room again. Open on a full disk fails the
// same way. The disk's free space is played through Options.FreeSpace.
func TestDiskFullRefusesWritesAndKeepsTheOutbox(t *testing.T) {
	dir := t.TempDir()
	var full atomic.Bool
	free := func(string) (uint64, error) {
		if full.Load() {
			return 5 << 20, nil
		}
		return 50 << 30, nil
	}
	db, err := Open(Options{Dir: dir, FreeSpace: free})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seeded(t, db)
	apply(t, db, noteMut(t, "2026112701", "n1", shop.FlagRed, "第一条"))
	before, _ := db.Outbox(0)

	full.Store(true)
	m := noteMut(t, "2026112701", "n2", shop.FlagYellow, "磁盘满时写的备注")
	_, err = db.Apply(m)
	if !errors.Is(err, ErrDiskFull) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Apply on a full disk: %v; want ErrDiskFull wrapping ENOSPC", err)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("the error %q does not name the folder", err)
	}
	if err := db.SetMeta("k", "v"); !errors.Is(err, ErrDiskFull) {
		t.Errorf("SetMeta on a full disk: %v", err)
	}
	if err := db.ApplyChanges(nil, 99); !errors.Is(err, ErrDiskFull) {
		t.Errorf("ApplyChanges on a full disk: %v", err)
	}
	after, _ := db.Outbox(0)
	if len(after) != len(before) || db.OutboxLen() != len(before) {
		t.Fatalf("outbox %d → %d (count %d) on a full disk", len(before), len(after), db.OutboxLen())
	}
	if notes, _ := db.Notes("2026112701"); len(notes) != 1 {
		t.Errorf("%d notes after the refused one; want 1", len(notes))
	}
	if _, err := Open(Options{Dir: t.TempDir(), FreeSpace: free}); !errors.Is(err, ErrDiskFull) {
		t.Errorf("Open on a full disk: %v", err)
	}

	full.Store(false) // space freed: the same action goes through
	apply(t, db, m)
	if after, _ := db.Outbox(0); len(after) != len(before)+1 || after[len(after)-1].ID != m.ID {
		t.Fatalf("after freeing space the outbox holds %d", len(after))
	}
}

// The operating system's errors, as they reach localdb directly or through Badger's wrapping
// (which keeps only their text), are classified as ErrDiskFull or ErrReadOnly.
func TestDiskErrorClassification(t *testing.T) {
	pathErr := func(e syscall.Errno) error { return &fs.PathError{Op: "write", Path: "/d/000001.vlog", Err: e} }
	badgerWrap := func(err error) error { return fmt.Errorf("While opening memtable err: %+v", err) } // as y.Wrap does
	cases := []struct {
		err  error
		want error
	}{
		{pathErr(syscall.ENOSPC), ErrDiskFull},
		{badgerWrap(pathErr(syscall.ENOSPC)), ErrDiskFull},
		{pathErr(syscall.EDQUOT), ErrDiskFull},
		{pathErr(syscall.EROFS), ErrReadOnly},
		{badgerWrap(pathErr(syscall.EROFS)), ErrReadOnly},
		{pathErr(syscall.EACCES), ErrReadOnly},
		{pathErr(syscall.ENOTDIR), ErrReadOnly},
		{errors.New("something else"), nil},
	}
	for _, c := range cases {
		got := diskError(c.err)
		for _, s := range []error{ErrDiskFull, ErrReadOnly} {
			if errors.Is(got, s) != (s == c.want) {
				t.Errorf("%v: classified as %v; want %v", c.err, got, c.want)
			}
		}
		if c.want != nil && !strings.Contains(got.Error(), c.err.Error()) {
			t.Errorf("%v: the classified error %q lost the original", c.err, got)
		}
	}
}

// A data directory that cannot be created (here a regular file stands where a folder of its
// path should be: tests run as root, so a chmod would not stop them) is ErrReadOnly, naming it.
func TestOpenWhereNoFolderCanBeMade(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(file, "kefu-desk")
	_, err := Open(Options{Dir: dir})
	if !errors.Is(err, ErrReadOnly) || !errors.Is(err, syscall.ENOTDIR) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Open under a file: %v; want ErrReadOnly naming %s", err, dir)
	}
}

// writeStore makes a store in dir with a few pending actions and closes it, so its data is in a
// table file on disk.
func writeStore(t *testing.T, dir string) {
	t.Helper()
	db := openDir(t, dir)
	seeded(t, db)
	for i := 0; i < 20; i++ {
		apply(t, db, noteMut(t, "2026112701", fmt.Sprintf("n%d", i), shop.FlagBlue, "备注"))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// A store whose files are really damaged opens as ErrCorrupt, never as a crash: garbage over
// the MANIFEST, over a table's footer (Badger would panic on a goroutine of its own), a schema
// key that is not a number.
func TestDamagedStoreIsErrCorrupt(t *testing.T) {
	garbage := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7 + 3)
		}
		return b
	}
	damage := map[string]func(t *testing.T, dir string){
		"manifest": func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "MANIFEST"), garbage(200), 0o600); err != nil {
				t.Fatal(err)
			}
		},
		"table footer": func(t *testing.T, dir string) {
			tables, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
			if len(tables) == 0 {
				t.Fatal("no table file to damage")
			}
			b, err := os.ReadFile(tables[0])
			if err != nil {
				t.Fatal(err)
			}
			copy(b[len(b)-64:], garbage(64))
			if err := os.WriteFile(tables[0], b, 0o600); err != nil {
				t.Fatal(err)
			}
		},
		"schema key": func(t *testing.T, dir string) {
			bdb, err := badger.Open(badgerOptions(Options{Dir: dir}))
			if err != nil {
				t.Fatal(err)
			}
			if err := bdb.Update(func(txn *badger.Txn) error { return txn.Set(keySchema, []byte("\x00\xffgarbage")) }); err != nil {
				t.Fatal(err)
			}
			bdb.Close()
		},
	}
	for name, fn := range damage {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeStore(t, dir)
			fn(t, dir)
			_, err := Open(Options{Dir: dir})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open: %v; want ErrCorrupt", err)
			}
			if errors.Is(err, ErrLocked) || errors.Is(err, ErrNewerSchema) {
				t.Fatalf("Open: %v is also another kind", err)
			}
		})
	}
}

// dump is every key and value of a closed store, read with Badger directly.
func dump(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	bdb, err := badger.Open(badgerOptions(Options{Dir: dir}))
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	kv := map[string][]byte{}
	err = bdb.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			kv[string(it.Item().KeyCopy(nil))] = v
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return kv
}

// A store written by a newer Kefu Desk (a higher schema version, or a newer Badger format) is
// refused with ErrNewerSchema, and nothing in it changes.
func TestNewerStoreIsLeftUntouched(t *testing.T) {
	t.Run("schema version", func(t *testing.T) {
		dir := t.TempDir()
		writeStore(t, dir)
		bdb, err := badger.Open(badgerOptions(Options{Dir: dir}))
		if err != nil {
			t.Fatal(err)
		}
		newer := []byte(strconv.Itoa(SchemaVersion + 1))
		if err := bdb.Update(func(txn *badger.Txn) error { return txn.Set(keySchema, newer) }); err != nil {
			t.Fatal(err)
		}
		bdb.Close()
		before := dump(t, dir)
		if _, err := Open(Options{Dir: dir}); !errors.Is(err, ErrNewerSchema) || errors.Is(err, ErrCorrupt) {
			t.Fatalf("Open: %v; want only ErrNewerSchema", err)
		}
		after := dump(t, dir)
		if len(after) != len(before) {
			t.Fatalf("%d keys before the refused open, %d after", len(before), len(after))
		}
		for k, v := range before {
			if !bytes.Equal(after[k], v) {
				t.Errorf("key %q changed: %q → %q", k, v, after[k])
			}
		}
		if !bytes.Equal(after[string(keySchema)], newer) {
			t.Errorf("schema is %q after the refused open", after[string(keySchema)])
		}
	})
	t.Run("badger format", func(t *testing.T) {
		dir := t.TempDir()
		writeStore(t, dir)
		path := filepath.Join(dir, "MANIFEST")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b[6], b[7] = 0x00, 0x63 // the MANIFEST's format version, after "Bdgr" and the external magic
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(Options{Dir: dir}); !errors.Is(err, ErrNewerSchema) || errors.Is(err, ErrCorrupt) {
			t.Fatalf("Open: %v; want only ErrNewerSchema", err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(after, b) {
			t.Error("the refused open changed the MANIFEST")
		}
	})
}

// A desk killed between creating a memtable file and sizing it leaves an empty one, which
// Badger refuses to open; the store opens anyway, with every action it held.
func TestEmptyMemtableFileAfterACrash(t *testing.T) {
	dir := t.TempDir()
	writeStore(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "00009.mem"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatalf("Open with an empty memtable file: %v", err)
	}
	defer db.Close()
	if n := db.OutboxLen(); n != 20 {
		t.Errorf("%d pending actions after the reopen; want 20", n)
	}
}
