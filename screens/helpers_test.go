package screens

import (
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
	"kefu/localdb"
	"kefu/shop"
	"kefu/shop/demoshop"
)

// The local store is what main.go passes as the desk's Data.
var _ Data = (*localdb.DB)(nil)

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
	db    *localdb.DB
	win   fyne.Window
	desk  *Desk
	staff shop.Staff
	kicks int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, localdb.Options{InMemory: true})
}

// newFixtureWith is newFixture on a store opened with opts.
func newFixtureWith(t *testing.T, opts localdb.Options) *fixture {
	t.Helper()
	if err := assets.SetupLanguage(assets.Chinese); err != nil {
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
		if s.Number == "1002" {
			f.staff = s
		}
	}
	if f.staff.Number == "" {
		t.Fatalf("the demo shop has no staff 1002: %+v", staff)
	}
	f.win = test.NewTempWindow(t, nil)
	f.desk = NewDesk(Params{Data: f.db, Staff: f.staff, Window: f.win, App: a,
		Now: func() time.Time { return testNow }, Kick: func() { f.kicks++ }, ManualTick: true})
	f.win.SetContent(f.desk.Content())
	f.win.Resize(fyne.NewSize(1280, 780))
	// As main.go does: store changes come back to the desk (here on the test's goroutine).
	cancel := f.db.Subscribe(func(c localdb.Change) { f.desk.Refresh(c.Types) })
	t.Cleanup(cancel)
	t.Cleanup(f.desk.Close)
	return f
}

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
