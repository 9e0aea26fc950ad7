package upgrade

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kefu/internal/testkit"
	"kefu/localdb"
	"kefu/server"
	"kefu/shop"
	kefusync "kefu/sync"
)

const (
	syncedOrder  = "2026113014412174"
	pendingOrder = "2026113077582306"
	syncedText   = "0.1.0 synced note 已同步的备注"
	pendingText  = "0.1.0 pending note 待同步的备注"
)

// unpack extracts the release's data into a fresh directory.
func unpack(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return dir
		}
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(path, dir+string(filepath.Separator)) {
			t.Fatalf("%s: entry %q leaves the directory", name, h.Name)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(path, 0o700); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(out, tr); err != nil {
				t.Fatal(err)
			}
			if err := out.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// serve runs a kefu-store of this release on the data directory over loopback.
func serve(t *testing.T, dir string) string {
	t.Helper()
	srv, err := server.New(server.Params{DataDir: dir, PasswordCost: 4})
	if err != nil {
		t.Fatalf("this release's kefu-store cannot open 0.1.0's data directory: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	return "http://" + ln.Addr().String()
}

// noteTexts are the texts of an order's notes in the desk store.
func noteTexts(t *testing.T, db *localdb.DB, number string) []string {
	t.Helper()
	orders, err := db.SearchOrders(number, localdb.OrderFilter{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 {
		t.Fatalf("order %s: found %d orders in the desk store", number, len(orders))
	}
	notes, err := db.Notes(orders[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, n := range notes {
		texts = append(texts, n.Text)
	}
	return texts
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestRelease010DataWorks opens both of 0.1.0's stores with this release, signs in, syncs the
// note 0.1.0 left in the outbox and sees it come back from the server's feed.
func TestRelease010DataWorks(t *testing.T) {
	dir := unpack(t, "release-0.1.0.tar.gz")
	url := serve(t, filepath.Join(dir, "store"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	sess, err := kefusync.Login(ctx, url, "upgrade", "1001", "upgrade-pass-1001")
	if err != nil {
		t.Fatalf("0.1.0's staff cannot sign in: %v", err)
	}
	if sess.Staff.Role != shop.RoleOwner {
		t.Errorf("1001 signed in as %q; want owner", sess.Staff.Role)
	}

	db, err := localdb.Open(localdb.Options{Dir: filepath.Join(dir, "desk")})
	if err != nil {
		t.Fatalf("this release cannot open 0.1.0's desk store: %v", err)
	}
	defer db.Close()
	if shopID, err := db.Meta("signin.shop"); err != nil || shopID != "upgrade" {
		t.Errorf("remembered shop = %q, %v; want upgrade", shopID, err)
	}
	if n := db.OutboxLen(); n != 1 {
		t.Fatalf("outbox holds %d mutations; 0.1.0 left 1", n)
	}
	if got := noteTexts(t, db, syncedOrder); !has(got, syncedText) {
		t.Errorf("order %s's notes = %q; want the synced note", syncedOrder, got)
	}
	if got := noteTexts(t, db, pendingOrder); !has(got, pendingText) {
		t.Errorf("order %s's notes = %q; want the pending note, shown before it is sent", pendingOrder, got)
	}

	eng, err := kefusync.New(kefusync.Params{Store: db, BaseURL: url, Token: sess.Token, Wait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	defer func() {
		stop()
		<-done
	}()
	testkit.WaitFor(t, "0.1.0's pending note to be sent and the desk to be online", func() bool {
		return db.OutboxLen() == 0 && eng.Status().State == kefusync.StateOnline
	})
	if got := noteTexts(t, db, pendingOrder); !has(got, pendingText) {
		t.Errorf("after sync, order %s's notes = %q; want the note from the server", pendingOrder, got)
	}
	if got := noteTexts(t, db, syncedOrder); len(got) == 0 || !has(got, syncedText) {
		t.Errorf("after sync, order %s's notes = %q", syncedOrder, got)
	}

	// A desk that starts fresh on this release pulls both notes from the upgraded server.
	fresh, err := localdb.Open(localdb.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	eng2, err := kefusync.New(kefusync.Params{Store: fresh, BaseURL: url, Token: sess.Token, Wait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	done2 := make(chan error, 1)
	go func() { done2 <- eng2.Run(runCtx) }()
	defer func() {
		stop()
		<-done2
	}()
	testkit.WaitFor(t, "a fresh desk to pull the upgraded shop", func() bool {
		return eng2.Status().State == kefusync.StateOnline
	})
	for number, text := range map[string]string{syncedOrder: syncedText, pendingOrder: pendingText} {
		if got := noteTexts(t, fresh, number); !has(got, text) {
			t.Errorf("fresh desk: order %s's notes = %q; want %q", number, got, text)
		}
	}
}
