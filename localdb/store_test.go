package localdb

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

func TestSecondOpenIsLocked(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	_, err := Open(Options{Dir: dir})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Fatalf("error %q does not name the directory", err)
	}
	// The first store is unharmed, and the directory is free after Close.
	if err := db.SetMeta("k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2 := openDir(t, dir)
	if v, _ := db2.Meta("k"); v != "v" {
		t.Fatalf("meta %q", v)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	err := db.bdb.Update(func(txn *badger.Txn) error { return txn.Set(keySchema, []byte("99")) })
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(Options{Dir: dir})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("open newer schema: %v", err)
	}
	// The refused open released the directory.
	if _, err := Open(Options{Dir: dir}); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("second attempt: %v", err)
	}
}

func TestDataSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	srv := seeded(t, db)
	m1 := noteMut(t, "2026112701", "n1", shop.FlagRed, "离线备注")
	apply(t, db, m1)
	m2 := mut(t, shop.KindChatSend, "v1", "1001", shop.ChatSend{MessageID: "m2", Text: "您好"})
	apply(t, db, m2)
	if err := db.SetMeta("staff", "1001"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := db.Order("2026112701"); !errors.Is(err, ErrClosed) {
		t.Fatalf("use after close: %v", err)
	}
	if _, err := db.Apply(m1); !errors.Is(err, ErrClosed) {
		t.Fatalf("apply after close: %v", err)
	}

	db = openDir(t, dir)
	if db.OutboxLen() != 2 {
		t.Fatalf("outbox len %d", db.OutboxLen())
	}
	ob, err := db.Outbox(0)
	if err != nil || len(ob) != 2 || ob[0].ID != m1.ID || ob[1].ID != m2.ID || string(ob[0].Data) != string(m1.Data) {
		t.Fatalf("outbox %v %v", ob, err)
	}
	if c, _ := db.Cursor(); c != srv.seq {
		t.Fatalf("cursor %d", c)
	}
	if o := mustOrder(t, db, "2026112701"); o.Flag != shop.FlagRed || !db.IsPending(shop.TypeOrder, o.ID) {
		t.Fatalf("order %+v", o)
	}
	if ps, _ := db.SearchProducts("外套", 0); len(ps) != 3 {
		t.Fatalf("product index after reopen: %d", len(ps))
	}
	if v, _ := db.Meta("staff"); v != "1001" {
		t.Fatalf("meta %q", v)
	}
	// The outbox sequence continues after the stored counter.
	m3 := noteMut(t, "2026112702", "n3", shop.FlagBlue, "x")
	apply(t, db, m3)
	ob, _ = db.Outbox(0)
	if len(ob) != 3 || ob[2].ID != m3.ID {
		t.Fatalf("outbox after reopen %v", ob)
	}
	// Acknowledge after the restart still finds the mutations.
	if err := db.Acknowledge([]Ack{{ID: m1.ID, Status: AckApplied}, {ID: m2.ID, Status: AckApplied}}); err != nil {
		t.Fatal(err)
	}
	if ob, _ := db.Outbox(0); len(ob) != 1 || ob[0].ID != m3.ID {
		t.Fatalf("outbox after acks %v", ob)
	}
	checkConsistent(t, db)
}

func TestInterruptedResetFinishesOnOpen(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	seeded(t, db)
	apply(t, db, noteMut(t, "2026112701", "n1", shop.FlagRed, "x"))
	// Stop as if the desk died right after ResetCache's first step.
	err := db.bdb.Update(func(txn *badger.Txn) error {
		if err := txn.Set(keyResetting, []byte{1}); err != nil {
			return err
		}
		return txn.Delete(keyCursor)
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openDir(t, dir)
	if _, err := db.Order("2026112702"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("cache not dropped: %v", err)
	}
	if o := mustOrder(t, db, "2026112701"); o.Flag != shop.FlagRed || o.NoteCount != 1 {
		t.Fatalf("pending order %+v", o)
	}
	if ps, _ := db.SearchProducts("", 0); len(ps) != 0 {
		t.Fatalf("product index %d", len(ps))
	}
	checkConsistent(t, db)
}

func TestValueLogGCRunsAndStops(t *testing.T) {
	db := openDir(t, t.TempDir())
	seeded(t, db)
	db.runGC() // nothing to collect: returns at the first ErrNoRewrite
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	mem := openMem(t)
	mem.runGC() // in-memory: Badger refuses, runGC returns
}

func TestConcurrentWritersAndReaders(t *testing.T) {
	db := openMem(t)
	srv := seeded(t, db)
	var notified atomic.Int64
	db.Subscribe(func(Change) { notified.Add(1) })
	var wg sync.WaitGroup
	const writers, each = 4, 15
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				order := []string{"2026112701", "2026112702"}[i%2]
				if _, err := db.Apply(noteMut(t, order, fmt.Sprintf("n%d-%d", w, i), shop.FlagRed, "并发")); err != nil {
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 10; i++ {
			srv.add(shop.TypeMessage, fmt.Sprintf("cm%d", i), shop.Message{ID: fmt.Sprintf("cm%d", i), ConversationID: "v1", Text: "x", At: t0})
			if err := db.ApplyChanges(srv.since(0), srv.seq); err != nil {
				t.Error(err)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 30; i++ {
			if _, err := db.SearchOrders("2026", OrderFilter{}, 10); err != nil {
				t.Error(err)
			}
			if _, err := db.Notes("2026112701"); err != nil {
				t.Error(err)
			}
			db.IsPending(shop.TypeOrder, "2026112701")
		}
	}()
	wg.Wait()
	if n := db.OutboxLen(); n != writers*each {
		t.Fatalf("outbox %d", n)
	}
	if o := mustOrder(t, db, "2026112701"); o.NoteCount != writers*8 { // i = 0, 2, …, 14 of each writer
		t.Fatalf("note count %d", o.NoteCount)
	}
	if n := len(noteIDs(t, db, "2026112701")) + len(noteIDs(t, db, "2026112702")); n != writers*each {
		t.Fatalf("%d notes", n)
	}
	if notified.Load() != writers*each+10 {
		t.Fatalf("%d notifications", notified.Load())
	}
	checkConsistent(t, db)
}
