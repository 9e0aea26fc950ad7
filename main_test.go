package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/dgraph-io/badger/v4"

	"kefu/assets"
	"kefu/desk"
	"kefu/localdb"
	"kefu/screens"
	"kefu/shop"
	kefusync "kefu/sync"
)

// unreachable is a store server address nothing answers at: the tests stop at the sign-in form.
const unreachable = "http://127.0.0.1:9"

// newTestLauncher is the desk's start-up in a test window, in Chinese, on data directory dir.
func newTestLauncher(t *testing.T, dir string) *launcher {
	t.Helper()
	if err := assets.SetupLanguage(assets.Chinese); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 780))
	l := newLauncher(a, w, options{data: dir, server: unreachable})
	l.now = func() time.Time { return time.Date(2026, 11, 27, 15, 4, 5, 0, time.Local) }
	t.Cleanup(func() {
		if l.desk != nil {
			l.desk.close()
		}
	})
	return l
}

// windowText is every text the window shows, its overlays (dialogs) included.
func windowText(w fyne.Window) string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		case *widget.RichText:
			out = append(out, x.String())
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
			return
		}
		if wd, ok := o.(fyne.Widget); ok {
			for _, c := range test.WidgetRenderer(wd).Objects() {
				walk(c)
			}
		}
	}
	walk(w.Content())
	for _, o := range w.Canvas().Overlays().List() {
		walk(o)
	}
	return strings.Join(out, "\n")
}

// button finds the window's button labelled text.
func button(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, x := range c.Objects {
				walk(x)
			}
		}
	}
	walk(w.Content())
	if found == nil {
		t.Fatalf("no %q button in the window:\n%s", text, windowText(w))
	}
	return found
}

// snapshot is every file under dir with a hash of its content (the lock file aside).
func snapshot(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	files := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || e.Name() == "LOCK" {
			return err
		}
		b, err := os.ReadFile(p)
		files[p] = sha256.Sum256(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// makeStore creates a local store in dir holding one pending staff action.
func makeStore(t *testing.T, dir string) {
	t.Helper()
	db, err := localdb.Open(localdb.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	m, err := shop.NewMutation(shop.KindPhrasePut, "p1", "1001", time.Now(), shop.QuickPhrase{Shortcut: "hi", Text: "亲，在的"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Apply(m); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// A second desk on a data folder another desk has open says so in the window, touches
// nothing, and starts with Try again once the other desk is closed.
func TestSecondDeskOnTheSameFolder(t *testing.T) {
	dir := t.TempDir()
	l := newTestLauncher(t, dir)
	other, err := localdb.Open(localdb.Options{Dir: localDir(l.opts)})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.SetMeta("k", "v"); err != nil {
		t.Fatal(err)
	}
	l.start()
	got := windowText(l.win)
	for _, want := range []string{"客服台已经打开了", "这个数据文件夹已经在另一个客服台窗口中打开：\n" + dir, "请切换到那个窗口继续工作", "重试", "关闭"} {
		if !strings.Contains(got, want) {
			t.Errorf("the window lacks %q:\n%s", want, got)
		}
	}
	if l.desk != nil {
		t.Fatal("the second desk started")
	}
	if v, err := other.Meta("k"); err != nil || v != "v" {
		t.Errorf("the first desk's store reads %q, %v", v, err)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	test.Tap(button(t, l.win, "重试"))
	if l.desk == nil || !strings.Contains(windowText(l.win), "登录您的店铺") {
		t.Fatalf("Try again after the other desk closed did not start the desk:\n%s", windowText(l.win))
	}
}

// A data folder that cannot be created (a file stands where a folder of its path should be:
// tests run as root, so a chmod would not stop them) is named in the window, with what to do.
func TestDataFolderThatCannotBeWritten(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(file, "kefu-desk")
	l := newTestLauncher(t, dir)
	l.start()
	got := windowText(l.win)
	for _, want := range []string{"客服台无法在数据文件夹中保存", "客服台无法写入它的数据文件夹：磁盘是只读的", "\n" + dir + "\n", "--data参数", "重试"} {
		if !strings.Contains(got, want) {
			t.Errorf("the window lacks %q:\n%s", want, got)
		}
	}
	if l.desk != nil {
		t.Fatal("the desk started")
	}
}

// A full disk at start-up is named as such, with what to do.
func TestFullDiskAtStart(t *testing.T) {
	l := newTestLauncher(t, "/data/kefu")
	p := l.describe(fmt.Errorf("desk: 3 MB free on the disk of /data/kefu/desk: %w", desk.ErrDiskFull))
	if p.title != "磁盘已满" || !strings.Contains(p.lead, "保存这个文件夹的磁盘已满") || p.folder != "/data/kefu" ||
		!strings.Contains(p.text, "没有丢失任何数据") {
		t.Errorf("disk full: %+v", p)
	}
}

// A really damaged store (garbage over its MANIFEST) is explained; the one action moves the
// damaged folder aside — renamed with the time, its files as they were — and starts fresh,
// saying where the old folder went.
func TestDamagedStoreMovedAsideAndStartedFresh(t *testing.T) {
	dir := t.TempDir()
	l := newTestLauncher(t, dir)
	local := localDir(l.opts)
	makeStore(t, local)
	garbage := make([]byte, 300)
	for i := range garbage {
		garbage[i] = byte(i*7 + 3)
	}
	if err := os.WriteFile(filepath.Join(local, "MANIFEST"), garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, local)

	l.start()
	got := windowText(l.win)
	for _, want := range []string{"无法读取本机数据", "客服台保存在这台电脑上的数据已损坏，无法读取：\n" + local + "\n", "只改名，不删除", "移到一边，重新开始"} {
		if !strings.Contains(got, want) {
			t.Errorf("the window lacks %q:\n%s", want, got)
		}
	}
	if l.desk != nil {
		t.Fatal("the desk started on a damaged store")
	}
	if after := snapshot(t, local); len(after) != len(before) {
		t.Fatalf("looking at the damaged store changed its files: %d → %d", len(before), len(after))
	}

	test.Tap(button(t, l.win, "移到一边，重新开始"))
	aside := local + ".damaged-20261127-150405"
	moved := snapshot(t, aside)
	if len(moved) != len(before) {
		t.Fatalf("the folder moved aside holds %d files; the damaged one had %d", len(moved), len(before))
	}
	for p, h := range before {
		if moved[aside+strings.TrimPrefix(p, local)] != h {
			t.Errorf("%s changed when moved aside", p)
		}
	}
	if l.desk == nil {
		t.Fatalf("the desk did not start fresh:\n%s", windowText(l.win))
	}
	if n := l.desk.desk.OutboxLen(); n != 0 {
		t.Errorf("the fresh store has %d pending actions", n)
	}
	got = windowText(l.win)
	for _, want := range []string{"登录您的店铺", "损坏的数据已移到：\n" + aside} {
		if !strings.Contains(got, want) {
			t.Errorf("after starting fresh the window lacks %q:\n%s", want, got)
		}
	}
}

// A store written by a newer Kefu Desk is explained, with what to install, and every key and
// value in it is left as it was. (Badger's own housekeeping on open may still replace an empty
// value-log file by another: the data is what must not change.)
func TestNewerStoreLeftAsItWas(t *testing.T) {
	dir := t.TempDir()
	l := newTestLauncher(t, dir)
	local := localDir(l.opts)
	makeStore(t, local)
	// The schema version a future desk writes (localdb's keyspace: m/schema, in decimal).
	newer := strconv.Itoa(localdb.SchemaVersion + 1)
	withBadger(t, local, func(db *badger.DB) error {
		return db.Update(func(txn *badger.Txn) error { return txn.Set([]byte("m/schema"), []byte(newer)) })
	})
	before := dumpStore(t, local)

	l.start()
	got := windowText(l.win)
	for _, want := range []string{"这些数据来自更新版本的客服台", "这个文件夹中的数据是由更新版本的客服台保存的", "\n" + dir + "\n", "这里没有做任何改动", "请安装那个版本或更新版本的客服台"} {
		if !strings.Contains(got, want) {
			t.Errorf("the window lacks %q:\n%s", want, got)
		}
	}
	if l.desk != nil {
		t.Fatal("the desk started on a newer store")
	}
	after := dumpStore(t, local)
	if len(after) != len(before) {
		t.Errorf("keys %d → %d", len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%q changed: %q → %q", k, v, after[k])
		}
	}
	if after["m/schema"] != newer {
		t.Errorf("the schema is %q after the refused start", after["m/schema"])
	}
}

// withBadger runs fn on the Badger store in dir, opened directly.
func withBadger(t *testing.T, dir string, fn func(db *badger.DB) error) {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := fn(db); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// dumpStore is every key and value of the Badger store in dir.
func dumpStore(t *testing.T, dir string) map[string]string {
	t.Helper()
	kv := map[string]string{}
	withBadger(t, dir, func(db *badger.DB) error {
		return db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.DefaultIteratorOptions)
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					return err
				}
				kv[string(it.Item().Key())] = string(v)
			}
			return nil
		})
	})
	return kv
}

// The sign-in form hears of a web page at the server's address as such.
func TestSignInAtAWebPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!DOCTYPE html><title>Hotel Wi-Fi</title>"))
	}))
	defer srv.Close()
	d, err := desk.Open(desk.Params{Dir: t.TempDir(), Server: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, err = d.SignIn(context.Background(), "demo", "1001", "demo")
	var se *screens.SignInError
	if !errors.As(signInError(err), &se) || se.Cause != screens.CauseWebPage {
		t.Fatalf("%v sorted as %+v; want a web page", err, se)
	}
}

// The screens word the sync engine's causes by their values: they must stay the same.
func TestCausesMatchTheSyncEngine(t *testing.T) {
	for s, k := range map[string]kefusync.Cause{
		screens.CauseUnreachable:   kefusync.CauseUnreachable,
		screens.CauseWebPage:       kefusync.CauseWebPage,
		screens.CauseNotKefuStore:  kefusync.CauseNotKefuStore,
		screens.CauseServerError:   kefusync.CauseServerError,
		screens.CauseWrongPassword: kefusync.CauseWrongPassword,
		screens.CauseBadURL:        kefusync.CauseBadURL,
		screens.CauseDiskFull:      kefusync.CauseDiskFull,
		screens.CauseReadOnly:      kefusync.CauseReadOnly,
	} {
		if s != string(k) {
			t.Errorf("screens says %q where sync says %q", s, k)
		}
	}
}
