package screens

import (
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
	"kefu/desk"
	"kefu/internal/testkit"
	"kefu/localdb"
	"kefu/shop"
	"kefu/shop/demoshop"
)

// testNow is the desk's clock in the tests; the demo shop is generated around it.
var testNow = time.Date(2026, 5, 15, 15, 4, 5, 0, shop.ShopZone)

var (
	demoOnce sync.Once
	demoRecs []shop.Record
	demoErr  error
)

// demoRecords generates the small demo shop once for all tests.
func demoRecords(t *testing.T) []shop.Record {
	t.Helper()
	demoOnce.Do(func() {
		demoErr = demoshop.Generate(demoshop.Small, 1, testNow, func(r shop.Record) error {
			demoRecs = append(demoRecs, r)
			return nil
		})
	})
	if demoErr != nil {
		t.Fatalf("generating the demo shop: %v", demoErr)
	}
	return demoRecs
}

// newDemoStore opens an in-memory store holding the demo shop, as if pulled from the server's
// change feed with sequence numbers 1..n.
func newDemoStore(t *testing.T) *localdb.DB {
	t.Helper()
	return newDemoStoreWith(t, localdb.Options{InMemory: true})
}

// newDemoStoreWith is newDemoStore with the store's options (an in-memory store with a played
// full disk, say).
func newDemoStoreWith(t *testing.T, opts localdb.Options) *localdb.DB {
	t.Helper()
	db, err := localdb.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	recs := demoRecords(t)
	const chunk = 1000
	for i := 0; i < len(recs); i += chunk {
		j := min(i+chunk, len(recs))
		batch := make([]shop.Record, j-i)
		copy(batch, recs[i:j])
		for k := range batch {
			batch[k].Seq = int64(i + k + 1)
		}
		if err := db.ApplyChanges(batch, int64(j)); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// fixture is a desk in a test window on the demo shop, signed in as agent 1002.
type fixture struct {
	t     *testing.T
	db    *localdb.DB // the local store under the desk, for the tests to check
	dk    *desk.Desk
	clock *testkit.Clock // the desk's clock: it stands still until Step moves the jobs on
	win   fyne.Window
	desk  *Desk
	staff shop.Staff

	mu     sync.Mutex
	queued []func() // handed back to "Fyne's goroutine": run by drain on the test's goroutine
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, localdb.Options{InMemory: true})
}

// newFixtureWith is newFixture on a store opened with opts.
func newFixtureWith(t *testing.T, opts localdb.Options) *fixture {
	t.Helper()
	return newFixtureThreads(t, opts, false)
}

// newAsyncFixture is newFixture whose background work really runs in the background, as in
// the desk: nothing waits for it, and what it hands back to "Fyne's goroutine" runs when the
// test drains it (waitFor).
func newAsyncFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureThreads(t, localdb.Options{InMemory: true}, true)
}

// newFixtureThreads is newFixtureWith; async leaves the background work unwaited for.
func newFixtureThreads(t *testing.T, opts localdb.Options, async bool) *fixture {
	t.Helper()
	return newFixtureIn(t, assets.Chinese, opts, async)
}

// newFixtureIn is newFixtureThreads with the window in language code (assets.Chinese or
// assets.English).
func newFixtureIn(t *testing.T, code string, opts localdb.Options, async bool) *fixture {
	t.Helper()
	return newFixtureAs(t, "1002", code, opts, async)
}

// newTeamFixture is newFixture signed in as staff member number of the demo shop.
func newTeamFixture(t *testing.T, number string) *fixture {
	t.Helper()
	return newFixtureAs(t, number, assets.Chinese, localdb.Options{InMemory: true}, false)
}

// newFixtureAs is newFixtureIn signed in as staff member number of the demo shop.
func newFixtureAs(t *testing.T, number, code string, opts localdb.Options, async bool) *fixture {
	t.Helper()
	if err := assets.SetupLanguage(code); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	a.Settings().SetTheme(assets.Theme())
	f := &fixture{t: t, db: newDemoStoreWith(t, opts)}
	staff, err := f.db.StaffList()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range staff {
		if s.Number == number {
			f.staff = s
		}
	}
	if f.staff.Number == "" {
		t.Fatalf("the demo shop has no staff %s: %+v", number, staff)
	}
	f.clock = testkit.NewClock(testNow)
	f.dk, err = desk.Open(desk.Params{Store: f.db, Staff: f.staff, Clock: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.dk.Close)
	f.win = test.NewTempWindow(t, nil)
	threads := Threads{Go: f.goWait, Do: f.queue}
	if async {
		threads.Go = func(work func()) { go work() }
	}
	f.desk = NewDesk(Params{Data: f.dk, Staff: f.staff, Window: f.win, App: a,
		Now: func() time.Time { return testNow }, ManualTick: true, Threads: threads})
	f.win.SetContent(f.desk.Content())
	f.win.Resize(fyne.NewSize(1280, 780))
	// As main.go does: store changes come back to the desk through one hand-over to Fyne's
	// goroutine (here the test's).
	cancel := f.dk.Subscribe(func(c desk.Change) { f.queue(func() { f.desk.Refresh(c.Types) }) })
	t.Cleanup(cancel)
	t.Cleanup(f.desk.Close)
	if async {
		f.waitFor("the first section to load", func() bool { return f.desk.chat.count.String() != "" })
	} else {
		f.drain()
	}
	return f
}

// goWait is the tests' Threads.Go: the work runs on a goroutine of its own, as in the desk,
// and the test waits for it and then for what it handed back, so that a test reads the window
// as it is once the work is done.
func (f *fixture) goWait(work func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		work()
	}()
	<-done
	f.drain()
}

// queue is the tests' Threads.Do: it keeps fn for drain, which runs it on the test's goroutine.
func (f *fixture) queue(fn func()) {
	f.mu.Lock()
	f.queued = append(f.queued, fn)
	f.mu.Unlock()
}

// drain runs what was handed back to Fyne's goroutine, in order, until nothing is left.
func (f *fixture) drain() {
	for {
		f.mu.Lock()
		q := f.queued
		f.queued = nil
		f.mu.Unlock()
		if len(q) == 0 {
			return
		}
		for _, fn := range q {
			fn()
		}
	}
}

// waitFor runs what the desk hands back to the window until cond holds, failing the test
// after ten seconds.
func (f *fixture) waitFor(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("waited 10 s for %s", what)
		}
		runtime.Gosched()
	}
}

// finishJobs moves the desk's clock on, a step at a time, until its bulk sends are recorded,
// and shows their progress.
func (f *fixture) finishJobs() {
	f.t.Helper()
	f.waitFor("the bulk sends to be recorded", func() bool {
		if !f.dk.Sending() {
			return true
		}
		f.clock.Step()
		return false
	})
}

// waited runs an action that reports through a callback and returns what it reported. The
// tests' Threads.Go waits for the background work, so the callback has run when the action
// returns; an action that did not call back is an error.
func waited(action func(done func(error))) error {
	err := errNoCallback
	action(func(e error) { err = e })
	return err
}

// errNoCallback is what waited returns for an action that did not call back.
var errNoCallback = errors.New("the action did not call back")

// outbox returns the mutations waiting for the server.
func (f *fixture) outbox() []shop.Mutation {
	f.t.Helper()
	out, err := f.db.Outbox(0)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// texts collects the text of every label and canvas text under o, in order.
func texts(o fyne.CanvasObject) []string {
	var out []string
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, texts(c)...)
		}
	case *widget.Label:
		out = append(out, x.Text)
	case *wrapLabel:
		out = append(out, x.full)
	case *widget.RichText:
		out = append(out, x.String())
	case *canvas.Text:
		out = append(out, x.Text)
	case *widget.Button:
		out = append(out, x.Text)
	}
	return out
}

// joined is texts(o) on one line.
func joined(o fyne.CanvasObject) string { return strings.Join(texts(o), " | ") }

// ctrl is the desk shortcut Ctrl (Cmd on macOS) plus key.
func ctrl(key fyne.KeyName) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
}
