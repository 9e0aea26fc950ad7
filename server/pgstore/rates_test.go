package pgstore

import (
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/server"
	"kefu/server/pgstore/pgtest"
	"kefu/server/store"
	"kefu/shop"
)

// The rate limits of servers sharing a database are counted in it: failed logins spread over
// two servers block at the limit of one, on both (counted by each server alone, each would
// still allow as many again).
func TestRateLimitsSharedByServers(t *testing.T) {
	dsn := pg.Need(t).Schema(t)
	// Mid-window, so that the fixed windows' weighing does not come into it.
	var clock atomic.Int64 // the servers' clock, in ns since 1970
	clock.Store(store.RateWindow(time.Now(), 5*time.Minute).Add(150 * time.Second).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	var urls []string
	var first *server.Server
	for range 2 {
		srv, err := server.New(server.Params{Store: open(t, dsn, Options{}), Logger: slog.New(slog.DiscardHandler),
			PasswordCost: bcrypt.MinCost, LoginFailures: 6, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler())
		t.Cleanup(func() { hs.CloseClientConnections(); srv.Close(); hs.Close() })
		urls = append(urls, hs.URL)
		if first == nil {
			first = srv
		}
	}
	_, err := first.ImportShop(t.Context(), server.ShopAccount{ID: "agency"}, func(emit func(shop.Record) error) error {
		return emit(shop.NewRecord(shop.TypeShop, "agency", shop.Shop{ID: "agency", Name: "代运营"}))
	}, []server.StaffLogin{
		{Staff: shop.Staff{Number: "1001", Name: "王晓", Role: shop.RoleOwner}, Password: "secret-pass"},
		{Staff: shop.Staff{Number: "1002", Name: "李娜", Role: shop.RoleAgent}, Password: "secret-pass"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		if _, err := pgtest.Login(urls[i%2], "agency", "1001", "wrong-pass"); err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("failed login %d: %v", i, err)
		}
	}
	for _, url := range urls {
		// The staff member is blocked on both, with the right password too; so is the address.
		for _, staff := range []string{"1001", "1002"} {
			if _, err := pgtest.Login(url, "agency", staff, "secret-pass"); err == nil || !strings.Contains(err.Error(), "429") {
				t.Fatalf("login of %s on %s after 6 failures on two servers: %v, want 429", staff, url, err)
			}
		}
	}
	// Later, both let the staff member in again.
	clock.Add(int64(10*time.Minute + time.Second))
	for _, url := range urls {
		if _, err := pgtest.Login(url, "agency", "1001", "secret-pass"); err != nil {
			t.Fatalf("login on %s after the window: %v", url, err)
		}
	}
}

// The shared counter weighs the previous window: just after a window ends its events still
// count, then fade.
func TestRateCounterWindows(t *testing.T) {
	st := open(t, "", Options{})
	ctx := t.Context()
	const w = time.Minute
	start := store.RateWindow(time.Now(), w)
	for i := range 3 {
		cur, prev, err := st.AddRate(ctx, "k", w, start.Add(time.Duration(i)*time.Second), 1)
		if err != nil || cur != i+1 || prev != 0 {
			t.Fatalf("event %d: %d, %d, %v", i, cur, prev, err)
		}
	}
	cur, prev, err := st.AddRate(ctx, "k", w, start.Add(w+time.Second), 0)
	if err != nil || cur != 0 || prev != 3 {
		t.Fatalf("next window: %d, %d, %v; want 0, 3", cur, prev, err)
	}
	if cur, prev, err := st.AddRate(ctx, "other", w, start, 0); err != nil || cur != 0 || prev != 0 {
		t.Fatalf("another key: %d, %d, %v", cur, prev, err)
	}
	if err := st.PruneRates(ctx, start.Add(2*w)); err != nil {
		t.Fatal(err)
	}
	if cur, prev, err := st.AddRate(ctx, "k", w, start.Add(w+time.Second), 0); err != nil || cur != 0 || prev != 0 {
		t.Fatalf("after pruning: %d, %d, %v", cur, prev, err)
	}
	st.AddRate(ctx, "k", w, start, 2)
	if err := st.ResetRate(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if cur, _, err := st.AddRate(ctx, "k", w, start, 0); err != nil || cur != 0 {
		t.Fatalf("after reset: %d, %v", cur, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.AddRate(ctx, "k", w, start, 1); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("closed store: %v", err)
	}
}
