package screens

import (
	"context"
	"image/png"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kefu/demostore"
	"kefu/desk"
	"kefu/internal/testkit"
	"kefu/localdb"
	"kefu/server"
	"kefu/shop"
	kefusync "kefu/sync"
)

// The case end to end: a real kefu-store with the demo shop and two desks. Desk A
// (staff 1001, online) counts 9 of a SKU at 14:54; desk B (this window, staff 1002, offline
// until now) had counted 7 against the same figure. When B's sync engine pushes, the store
// answers with a conflict, and the problems dialog tells it in B's words. With
// KEFU_CONFLICT_PNG set to a path, the window with the dialog open is saved there
// (docs/conflict.png).
func TestProblemFromTwoDesksOnAStore(t *testing.T) {
	srv, err := server.New(server.Params{DataDir: t.TempDir(), Now: func() time.Time { return testNow },
		Logger: slog.New(slog.DiscardHandler), PasswordCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := demostore.Seed(ctx, srv); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })

	f := newFixture(t) // desk B: the same demo shop, as pulled before it went offline
	p, v := countProduct(t)

	// Desk A: a desk of its own on the store, signed in as 1001, at 14:54.
	dbA, err := localdb.Open(localdb.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dbA.Close() })
	deskA, err := desk.Open(desk.Params{Store: dbA, Server: hs.URL, Clock: testkit.NewClock(otherAt)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(deskA.Close)
	sess, err := deskA.SignInDemo(ctx, demostore.Shop, demostore.Owner, demostore.Password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := deskA.Start(sess, nil); err != nil {
		t.Fatal(err)
	}
	wait := testkit.Wait{Timeout: 60 * time.Second, Poll: 20 * time.Millisecond}
	var onA shop.Product
	if err := wait.Until(ctx, "desk A to pull the product", func() (bool, error) {
		_, ok, err := dbA.Get(shop.TypeProduct, p.ID, &onA)
		return ok, err
	}); err != nil {
		t.Fatal(err)
	}
	if va, _ := onA.Variant(v.SKU); va == nil || va.Warehouse != v.Warehouse {
		t.Fatalf("the store's demo shop differs from the desk's: %s has %+v on the store, %d here", v.SKU, va, v.Warehouse)
	}
	if _, err := deskA.Apply(ctx, desk.Action{Kind: shop.KindStockSet, Entity: p.ID,
		Data: shop.StockSet{SKU: v.SKU, Expected: v.Warehouse, Warehouse: 9, Reason: "盘点"}}); err != nil {
		t.Fatal(err)
	}
	if err := wait.Until(ctx, "desk A's count to reach the store", func() (bool, error) { return deskA.OutboxLen() == 0, nil }); err != nil {
		t.Fatal(err)
	}

	// Desk B counts 7 against the figure it saw, offline; then its sync engine pushes it.
	d := f.desk
	d.Show(SectionStock)
	if err := waited(func(done func(error)) { d.stock.recordCount(p.ID, v.SKU, v.Warehouse, 7, "盘点", done) }); err != nil {
		t.Fatal(err)
	}
	login, err := kefusync.Login(ctx, hs.URL, demostore.Shop, demostore.Agent, demostore.Password)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := kefusync.New(kefusync.Params{Store: f.db, BaseURL: hs.URL, Token: login.Token, StaffNumber: demostore.Agent, Wait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { defer close(ran); eng.Run(runCtx) }()
	err = wait.Until(ctx, "the store to answer desk B's count", func() (bool, error) {
		probs, err := f.db.Problems()
		return len(probs) == 1 && f.db.OutboxLen() == 0, err
	})
	stop()
	<-ran
	if err != nil {
		t.Fatal(err)
	}
	f.drain()
	d.Refresh(nil)

	dlg := f.openProblems()
	want := "工号 1001 在 14:54 把库存改为 9 件，您盘点的 7 件未生效。"
	if got := dlg.sentence(0); got != want {
		t.Errorf("the sentence is %q; want %q\n%s", got, want, joined(dlg.list))
	}
	if got, _ := f.db.Product(p.ID); got.Variants[0].Warehouse != 9 {
		t.Errorf("after the conflict desk B shows %d in the warehouse; want the store's 9", got.Variants[0].Warehouse)
	}
	if out := os.Getenv("KEFU_CONFLICT_PNG"); out != "" {
		saveCapture(t, f, out)
	}
}

// saveCapture saves the window as it is drawn now as a PNG.
func saveCapture(t *testing.T, f *fixture, path string) {
	t.Helper()
	img := f.win.Canvas().Capture()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := png.Encode(out, img); err != nil {
		t.Fatal(err)
	}
}
