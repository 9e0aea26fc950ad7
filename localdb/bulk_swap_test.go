package localdb

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// holdBulkAt makes the bulk import's Finish stop at step until the returned release is
// called; reached is closed when Finish gets there.
func holdBulkAt(t *testing.T, step string) (reached <-chan struct{}, release func()) {
	at, goOn := make(chan struct{}), make(chan struct{})
	bulkHook = func(s string) {
		if s == step {
			close(at)
			<-goOn
		}
	}
	t.Cleanup(func() { bulkHook = func(string) {} })
	released := false
	return at, func() {
		if !released {
			released = true
			close(goOn)
		}
	}
}

// firstSyncWhile runs a bulk first sync of feed into db (the first page applied page by page,
// the rest bulk-loaded) and calls during, on this goroutine, while Finish holds the load at
// the hook step; the staff actions in during must not wait for the load.
func firstSyncWhile(t *testing.T, db *DB, feed []shop.Record, step string, during func()) {
	t.Helper()
	b, err := db.BeginBulkImport(feed[bulkPage-1].Seq)
	if err != nil {
		t.Fatal(err)
	}
	if err := pages(feed[bulkPage:], bulkPage, b.Add); err != nil {
		t.Fatal(err)
	}
	reached, release := holdBulkAt(t, step)
	defer release()
	finished := make(chan error, 1)
	go func() { finished <- b.Finish() }()
	select {
	case <-reached:
	case err := <-finished:
		t.Fatalf("Finish returned before the step %s: %v", step, err)
	}
	during() // with today's lock held over the load this waits for ever
	release()
	if err := <-finished; err != nil {
		t.Fatal(err)
	}
}

// withServerNote is feed with, at its end, the server's record of the note that m (a staff
// action on a desk holding the feed's first page) creates: the feed a desk pulls when its
// outbox was pushed while it pulled.
func withServerNote(t *testing.T, feed []shop.Record, m shop.Mutation, id string) []shop.Record {
	db := openMem(t)
	db.now = func() time.Time { return clock }
	if err := db.ApplyChanges(feed[:bulkPage], feed[bulkPage-1].Seq); err != nil {
		t.Fatal(err)
	}
	apply(t, db, m)
	var data []byte
	if err := db.bdb.View(func(txn *badger.Txn) error {
		v, ok, err := getRaw(txn, entityKey(shop.TypeNote, id))
		if err != nil || !ok {
			t.Fatalf("the note %s was not stored: %v", id, err)
		}
		st, err := decodeState(v)
		data = bytes.Clone(st.data)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	last := int64(0)
	for _, r := range feed {
		last = max(last, r.Seq)
	}
	return append(slices.Clip(feed), shop.Record{Type: shop.TypeNote, ID: id, Seq: last + 1, Data: data})
}

// Staff actions made while the bulk import loads the new store (a note on an order the store
// holds, a note that the staged feed also brings, a setting written and one deleted)
// neither wait for the load nor get lost in the swap: the store afterwards is exactly the one
// ApplyChanges makes of the same feed with the same actions, on disk (reopened, the old store's
// files gone) and in memory.
func TestBulkFinishKeepsStaffWritesMadeDuringTheLoad(t *testing.T) {
	feed := bulkFeed(t)
	held := crashNote(t, feed)
	staged := noteMut(t, feed[0].ID, "n-staged", shop.FlagBlue, "同步中写的第二条备注")
	staged.ID = "019a0000-0000-7000-8000-00000000c4a6"
	for _, r := range feed[:bulkPage] {
		if r.Type == shop.TypeOrder {
			staged = noteMut(t, r.ID, "n-staged", shop.FlagBlue, "同步中写的第二条备注")
			staged.ID = "019a0000-0000-7000-8000-00000000c4a6"
		}
	}
	// The feed brings the server's record of the second note, which the desk creates only
	// after the load's snapshot: the load stores it, and the catch-up must not replace it
	// with the desk's pending copy (ApplyChanges applies it over the pending one).
	feed = withServerNote(t, feed, staged, "n-staged")
	before := func(t *testing.T, db *DB) {
		db.now = func() time.Time { return clock }
		if err := db.ApplyChanges(feed[:bulkPage], feed[bulkPage-1].Seq); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"gone", "kept"} {
			if err := db.SetMeta(k, "before"); err != nil {
				t.Fatal(err)
			}
		}
	}
	actions := func(t *testing.T, db *DB) {
		apply(t, db, held)
		apply(t, db, staged)
		if err := db.SetMeta("gone", ""); err != nil {
			t.Fatal(err)
		}
		if err := db.SetMeta("new", "during"); err != nil {
			t.Fatal(err)
		}
	}
	want := openMem(t)
	before(t, want)
	actions(t, want)
	if err := pages(feed[bulkPage:], bulkPage, want.ApplyChanges); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, db *DB) {
		t.Helper()
		if db.OutboxLen() != 2 {
			t.Errorf("outbox %d, want the two notes", db.OutboxLen())
		}
		for k, v := range map[string]string{"gone": "", "kept": "before", "new": "during"} {
			if got, err := db.Meta(k); err != nil || got != v {
				t.Errorf("meta %s = %q, %v; want %q", k, got, err, v)
			}
		}
		checkConsistent(t, db)
		sameStores(t, want, db)
	}
	for _, step := range []string{"marked", "flushed"} {
		t.Run("memory/"+step, func(t *testing.T) {
			db := openMem(t)
			before(t, db)
			firstSyncWhile(t, db, feed, step, func() { actions(t, db) })
			check(t, db)
		})
		t.Run("disk/"+step, func(t *testing.T) {
			dir := t.TempDir()
			db := openDir(t, dir)
			before(t, db)
			if err := os.WriteFile(filepath.Join(dir, "desk.log"), []byte("the desk's own file\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			firstSyncWhile(t, db, feed, step, func() { actions(t, db) })
			check(t, db)
			db.Close()
			name, err := readStorePointer(dir)
			if err != nil || name == "" {
				t.Fatalf("store pointer %q, %v after the swap", name, err)
			}
			for _, gone := range []string{"MANIFEST", "KEYREGISTRY", bulkDirName} {
				if _, err := os.Stat(filepath.Join(dir, gone)); !os.IsNotExist(err) {
					t.Errorf("%s of the replaced store is still in the data directory: %v", gone, err)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "desk.log")); err != nil {
				t.Errorf("the swap removed a file of the desk's: %v", err)
			}
			db = openDir(t, dir)
			db.now = func() time.Time { return clock }
			check(t, db)
		})
	}
}
