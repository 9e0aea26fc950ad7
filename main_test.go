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
	"kefu/internal/version"
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
		screens.CauseNetworkDown:   kefusync.CauseNetworkDown,
		screens.CauseSignedOut:     kefusync.CauseSignedOut,
		screens.CauseRefused:       kefusync.CauseRefused,
		screens.CauseFeedBehind:    kefusync.CauseFeedBehind,
		screens.CauseLocal:         kefusync.CauseLocal,
	} {
		if s != string(k) {
			t.Errorf("screens says %q where sync says %q", s, k)
		}
	}
}

// kefu --version prints the version line and stops before any window opens.
func TestVersionFlag(t *testing.T) {
	for _, arg := range []string{"--version", "-version"} {
		var out, errs strings.Builder
		_, code, ok := parseArgs([]string{arg}, &out, &errs)
		if ok || code != 0 {
			t.Errorf("%s: the desk would start (%v) or exit %d", arg, ok, code)
		}
		if want := version.String("kefu") + "\n"; out.String() != want || errs.Len() != 0 {
			t.Errorf("%s printed %q (stderr %q); want %q", arg, out.String(), errs.String(), want)
		}
	}
	var out, errs strings.Builder
	if _, code, ok := parseArgs([]string{"--no-such-flag"}, &out, &errs); ok || code != 2 || !strings.Contains(errs.String(), "no-such-flag") {
		t.Errorf("a wrong flag: start %v, exit %d, said %q", ok, code, errs.String())
	}
	if o, _, ok := parseArgs(nil, &out, &errs); !ok || o.demo || o.server != "" {
		t.Errorf("no flags: start %v with %+v; want the desk to start and choose", ok, o)
	}
}

// widgets are the window's objects of type T, inside widgets too, in order.
func widgets[T fyne.CanvasObject](w fyne.Window) []T {
	var found []T
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if x, ok := o.(T); ok {
			found = append(found, x)
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
			return
		case *widget.Entry, *widget.Button, *widget.Label:
			return
		}
		if wd, ok := o.(fyne.Widget); ok {
			for _, c := range test.WidgetRenderer(wd).Objects() {
				walk(c)
			}
		}
	}
	walk(w.Content())
	return found
}

// tapButton taps the window's button labelled text, wherever it is.
func tapButton(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	for _, b := range widgets[*widget.Button](w) {
		if b.Text == text && b.Visible() {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no %q button in the window:\n%s", text, windowText(w))
}

// newWelcomeLauncher is a launcher started with no flags on data folder dir, whose background
// work runs in place.
func newWelcomeLauncher(t *testing.T, dir string) *launcher {
	t.Helper()
	l := newTestLauncher(t, dir)
	l.opts = options{data: dir}
	l.goAsync = func(f func()) { f() }
	l.present = func(r *running, l *launcher, s desk.Session) {
		// The desk's screens and sync run goroutines of their own, which the test driver's
		// fyne.Do would run beside the test: the window says who signed in instead.
		l.win.SetContent(widget.NewLabel("desk of " + s.ShopID + "/" + s.Staff.Number))
	}
	return l
}

// The first start shows the welcome page; connecting there checks the address at a real
// store, signs in and opens the desk, and the next start goes straight to that shop. Switch
// shop or server signs out and shows the welcome page again, and the start after that too.
func TestFirstStartThenStraightToLastShop(t *testing.T) {
	url, stop, err := startDemoServer(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	dir := t.TempDir()

	l := newWelcomeLauncher(t, dir)
	l.start()
	if got := windowText(l.win); !strings.Contains(got, "欢迎使用客服台") || l.failed() {
		t.Fatalf("the first start shows:\n%s", got)
	}
	tapButton(t, l.win, "连接我店铺的服务器")
	widgets[*widget.Entry](l.win)[0].SetText(url)
	tapButton(t, l.win, "检查地址并继续")
	entries := widgets[*widget.Entry](l.win)
	if got := windowText(l.win); !strings.Contains(got, "登录您的店铺") || len(entries) != 3 {
		t.Fatalf("after checking %s the window shows:\n%s", url, got)
	}
	entries[0].SetText(demoShop)
	entries[1].SetText(demoStaff)
	entries[2].SetText(demoPassword)
	tapButton(t, l.win, "登录")
	if l.desk == nil || !strings.HasPrefix(windowText(l.win), "desk of "+demoShop+"/"+demoStaff) {
		t.Fatalf("signing in did not open the desk:\n%s", windowText(l.win))
	}
	c, ok := desk.LastShop(dir)
	want := desk.ShopChoice{Server: url, Shop: demoShop, Staff: demoStaff, Dir: desk.ShopDir(dir, url, demoShop)}
	if !ok || c != want {
		t.Fatalf("remembered %+v (%v); want %+v", c, ok, want)
	}
	l.desk.close()

	// The next start: straight to the shop, signed in with the kept token.
	l2 := newWelcomeLauncher(t, dir)
	l2.start()
	if l2.desk == nil || !strings.HasPrefix(windowText(l2.win), "desk of "+demoShop+"/"+demoStaff) || l2.opts.server != url {
		t.Fatalf("the next start did not go straight to the shop:\n%s", windowText(l2.win))
	}

	// Switch shop or server: signed out, the welcome page, and so at the next start too.
	l2.switchShop()
	if got := windowText(l2.win); !strings.Contains(got, "欢迎使用客服台") || l2.desk != nil {
		t.Fatalf("after switching the window shows:\n%s", got)
	}
	if _, ok := desk.LastShop(dir); ok {
		t.Error("the shop is still opened at the next start")
	}
	// Coming back to the shop: its folder is found again, and the password is asked.
	tapButton(t, l2.win, "连接我店铺的服务器")
	if e := widgets[*widget.Entry](l2.win)[0]; e.Text != url {
		t.Errorf("the address is not prefilled: %q", e.Text)
	}
	tapButton(t, l2.win, "检查地址并继续")
	if e := widgets[*widget.Entry](l2.win); len(e) != 3 || e[1].Text != demoStaff || e[2].Text != "" {
		t.Fatalf("the sign-in form after a switch:\n%s", windowText(l2.win))
	}
	if got := desk.ShopDir(dir, url, demoShop); got != want.Dir {
		t.Errorf("the shop's folder is now %q; was %q", got, want.Dir)
	}
	d, err := desk.Open(desk.Params{Dir: filepath.Join(dir, want.Dir, "desk"), Server: url})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, ok := d.Remembered(); ok {
		t.Error("the token was kept after signing out")
	}
}

// The demo choice on the welcome page opens the demo shop, as --demo does, and the next start
// opens it again.
func TestWelcomeDemoChoice(t *testing.T) {
	dir := t.TempDir()
	l := newWelcomeLauncher(t, dir)
	l.start()
	tapButton(t, l.win, "试用演示店铺")
	if l.desk == nil || !l.desk.demo || !strings.HasPrefix(windowText(l.win), "desk of "+demoShop+"/"+demoStaff) {
		t.Fatalf("the demo choice shows:\n%s", windowText(l.win))
	}
	if c, ok := desk.LastShop(dir); !ok || !c.Demo {
		t.Errorf("remembered %+v (%v); want the demo", c, ok)
	}
	if _, err := os.Stat(filepath.Join(dir, "demo", "desk")); err != nil {
		t.Errorf("the demo's local store is not where --demo keeps it: %v", err)
	}
}
