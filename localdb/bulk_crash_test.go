package localdb

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kefu/shop"
)

// bulkCrashEnv, when set to "DIR STEP", makes TestBulkImportCrash the child: it runs a first
// full sync of bulkFeed into DIR (the first page applied, a note typed, the rest bulk-loaded)
// and exits at once, without closing anything, at STEP of Finish (or when staging half of the
// feed, or never for "none"). It prints "done" when the sync finished.
const bulkCrashEnv = "KEFU_LOCALDB_BULK_CRASH"

const bulkPage = 700

func bulkCrashChild(t *testing.T, dir, step string) {
	bulkHook = func(s string) {
		if s == step {
			os.Exit(7)
		}
	}
	db, err := Open(Options{Dir: dir})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	db.now = func() time.Time { return clock }
	feed := bulkFeed(t)
	cursor, err := db.Cursor()
	if err != nil {
		fmt.Println("cursor:", err)
		os.Exit(3)
	}
	if cursor == 0 {
		if err := db.ApplyChanges(feed[:bulkPage], feed[bulkPage-1].Seq); err != nil {
			fmt.Println("first page:", err)
			os.Exit(3)
		}
		apply(t, db, crashNote(t, feed))
		cursor = feed[bulkPage-1].Seq
	}
	var rest []shop.Record
	for i, r := range feed {
		if r.Seq > cursor || (i >= bulkPage && r.Seq == 0) {
			rest = append(rest, r)
		}
	}
	b, err := db.BeginBulkImport(cursor)
	if err != nil {
		fmt.Println("begin:", err)
		os.Exit(3)
	}
	n := 0
	if err := pages(rest, bulkPage, func(page []shop.Record, next int64) error {
		n++
		if step == "staging" && n == 3 {
			os.Exit(7)
		}
		return b.Add(page, next)
	}); err != nil {
		fmt.Println("add:", err)
		os.Exit(3)
	}
	if err := b.Finish(); err != nil {
		fmt.Println("finish:", err)
		os.Exit(3)
	}
	fmt.Println("done")
	os.Exit(0)
}

// crashNote is the note typed on the desk during the first sync: the same mutation in every
// store, so that the outboxes compare equal.
func crashNote(t *testing.T, feed []shop.Record) shop.Mutation {
	for _, r := range feed[:bulkPage] {
		if r.Type == shop.TypeOrder {
			m := noteMut(t, r.ID, "n-crash", shop.FlagPurple, "同步中写的备注")
			m.ID = "019a0000-0000-7000-8000-00000000c4a5"
			return m
		}
	}
	t.Fatal("no order in the first page")
	return shop.Mutation{}
}

// A desk that stops at any point of a bulk first sync (while staging, after the snapshot of the
// live store, with the new store's entities written and the indexes not, after StreamWriter's
// flush, after the catch-up, right after the store pointer's rename, with the old store closed
// and not yet removed) opens again with its outbox and a consistent store (the old one or the
// new one), and finishing the sync then gives exactly the store ApplyChanges
// makes of the same feed and note.
func TestBulkImportCrash(t *testing.T) {
	if v := os.Getenv(bulkCrashEnv); v != "" {
		dir, step, _ := strings.Cut(v, " ")
		bulkCrashChild(t, dir, step)
		return
	}
	feed := bulkFeed(t)
	want := openDir(t, t.TempDir())
	if err := want.ApplyChanges(feed[:bulkPage], feed[bulkPage-1].Seq); err != nil {
		t.Fatal(err)
	}
	apply(t, want, crashNote(t, feed))
	if err := pages(feed[bulkPage:], bulkPage, want.ApplyChanges); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"staging", "marked", "streaming", "flushed", "caughtup", "pointed", "swapped"} {
		t.Run(step, func(t *testing.T) {
			dir := t.TempDir()
			run := func(step string) string {
				cmd := exec.Command(os.Args[0], "-test.run=^TestBulkImportCrash$")
				cmd.Env = append(os.Environ(), bulkCrashEnv+"="+dir+" "+step)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				cmd.Run()
				return strings.TrimSpace(out.String())
			}
			if out := run(step); strings.Contains(out, "done") {
				t.Fatalf("the child was to stop at %s but finished: %s", step, out)
			}
			db := openDir(t, dir)
			if db.OutboxLen() != 1 {
				t.Errorf("outbox %d after stopping at %s, want the note", db.OutboxLen(), step)
			}
			checkConsistent(t, db)
			if c, _ := db.Cursor(); c != feed[bulkPage-1].Seq {
				t.Errorf("cursor %d after stopping at %s, want the first page's %d", c, step, feed[bulkPage-1].Seq)
			}
			if _, err := os.Stat(filepath.Join(dir, bulkDirName)); !os.IsNotExist(err) {
				t.Errorf("the staging folder survived Open: %v", err)
			}
			db.Close()
			if out := run("none"); !strings.HasSuffix(out, "done") {
				t.Fatalf("the sync did not finish after the restart: %s", out)
			}
			sameStores(t, want, openDir(t, dir))
		})
	}
}
