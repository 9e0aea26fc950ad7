package localdb_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/localdb"
	"kefu/server"
	"kefu/shop"
	"kefu/storeapi"
	kefusync "kefu/sync"
)

// crashChildEnv, when set to a data directory, makes TestCrashSafety the child: it checks that
// the ids listed in the file crashExpectFile of that directory are in the outbox (printing "ok"
// or "missing <id>"), then records order notes with Apply until it is killed, printing each
// mutation's id after Apply returned.
const (
	crashChildEnv   = "KEFU_LOCALDB_CRASH_CHILD"
	crashExpectFile = "expected-ids"
	crashShop       = "crash"
	crashOrder      = "o-1"
	crashPassword   = "crash-pass"
	crashRounds     = 100
)

func crashChild(dir string) {
	fail := func(err error) {
		fmt.Printf("error %v\n", err)
		os.Exit(3)
	}
	db, err := localdb.Open(localdb.Options{Dir: dir})
	if err != nil {
		fail(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, crashExpectFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		fail(err)
	}
	out, err := db.Outbox(0)
	if err != nil {
		fail(err)
	}
	in := map[string]bool{}
	for _, m := range out {
		in[m.ID] = true
	}
	for _, id := range strings.Fields(string(want)) {
		if !in[id] {
			fmt.Printf("missing %s\n", id)
			os.Exit(4)
		}
	}
	fmt.Printf("ok %d\n", len(out))
	for {
		m, err := shop.NewMutation(shop.KindOrderNote, crashOrder, "1001", time.Now(), shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagYellow, Text: "note"})
		if err != nil {
			fail(err)
		}
		// The text names the mutation, so the server's copy can be matched to it.
		m.Data, _ = json.Marshal(shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagYellow, Text: m.ID})
		if _, err := db.Apply(m); err != nil {
			fail(err)
		}
		fmt.Println(m.ID)
	}
}

// TestCrashSafety kills a desk process (this test binary as a child) with SIGKILL while it
// records mutations, crashRounds times. After every restart each mutation the child reported
// as applied is in the outbox; at the end the sync engine delivers the outbox to a real store
// server, where each mutation took effect exactly once.
func TestCrashSafety(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	rounds := crashRounds
	if testing.Short() {
		rounds = 10
	}
	srv, err := server.New(server.Params{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer func() {
		hs.CloseClientConnections()
		srv.Close()
		hs.Close()
	}()
	_, err = srv.ImportShop(context.Background(), server.ShopAccount{ID: crashShop}, func(emit func(shop.Record) error) error {
		for _, r := range []shop.Record{
			shop.NewRecord(shop.TypeShop, crashShop, shop.Shop{ID: crashShop, Name: "崩溃测试店"}),
			shop.NewRecord(shop.TypeStaff, "1001", shop.Staff{Number: "1001", Name: "王晓", Role: shop.RoleOwner}),
			shop.NewRecord(shop.TypeOrder, crashOrder, shop.Order{ID: crashOrder, CustomerID: "u-1", Status: shop.StatusPaid, Payment: shop.PayOnline}),
		} {
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	}, []server.StaffLogin{{Staff: shop.Staff{Number: "1001"}, Password: crashPassword}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	lr, err := kefusync.Login(ctx, hs.URL, crashShop, "1001", crashPassword)
	if err != nil {
		t.Fatal(err)
	}

	// The desk's first pull.
	dir := t.TempDir()
	db, err := localdb.Open(localdb.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	feed := serverFeed(t, hs.URL, lr.Token)
	if err := db.ApplyChanges(feed.Changes, feed.Next); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	rng := rand.New(rand.NewPCG(1, 2))
	reported := []string{}
	for round := range rounds {
		if err := os.WriteFile(filepath.Join(dir, crashExpectFile), []byte(strings.Join(reported, "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := crashRound(dir, 1+rng.IntN(4), time.Duration(rng.IntN(3000))*time.Microsecond)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		reported = append(reported, got...)
	}

	// Restart once more, check the store, then sync.
	db, err = localdb.Open(localdb.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	localdb.CheckConsistent(t, db)
	outbox, err := db.Outbox(0)
	if err != nil {
		t.Fatal(err)
	}
	inOutbox := map[string]bool{}
	for _, m := range outbox {
		inOutbox[m.ID] = true
	}
	for _, id := range reported {
		if !inOutbox[id] {
			t.Fatalf("mutation %s was reported applied but is not in the outbox", id)
		}
	}
	if len(reported) < rounds {
		t.Fatalf("only %d mutations reported in %d rounds", len(reported), rounds)
	}
	eng, err := kefusync.New(kefusync.Params{Store: db, BaseURL: hs.URL, Token: lr.Token, StaffNumber: "1001",
		Wait: time.Second, MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	deadline := time.After(2 * time.Minute)
	for db.OutboxLen() > 0 {
		select {
		case err := <-done:
			t.Fatalf("engine stopped with %d mutations left: %v", db.OutboxLen(), err)
		case <-deadline:
			t.Fatalf("the engine has not delivered the outbox in two minutes: %d mutations left", db.OutboxLen())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	<-done
	if probs, err := db.Problems(); err != nil || len(probs) != 0 {
		t.Fatalf("problems after sync: %+v, %v", probs, err)
	}

	// On the server: one note per outbox mutation, each exactly once, and the order counted
	// each once.
	notes := map[string]int{}
	var order shop.Order
	for _, r := range serverFeed(t, hs.URL, lr.Token).Changes {
		switch r.Type {
		case shop.TypeNote:
			var n shop.OrderNote
			if err := r.Decode(&n); err != nil {
				t.Fatal(err)
			}
			notes[n.Text]++
		case shop.TypeOrder:
			if err := r.Decode(&order); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, m := range outbox {
		if notes[m.ID] != 1 {
			t.Fatalf("mutation %s reached the server %d times", m.ID, notes[m.ID])
		}
	}
	if len(notes) != len(outbox) || order.NoteCount != len(outbox) {
		t.Fatalf("server has %d notes and the order counts %d; the outbox held %d", len(notes), order.NoteCount, len(outbox))
	}
	t.Logf("%d rounds, %d mutations reported, %d in the outbox, each on the server once", rounds, len(reported), len(outbox))
}

// crashRound starts the child on dir, waits until it reported n applied mutations and kills it
// with SIGKILL extra later, at whatever point of its next Apply calls it has reached (the
// reports are read meanwhile). It returns every id the child reported.
func crashRound(dir string, n int, extra time.Duration) ([]string, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSafety$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(stdout)
	var ids []string
	var failure error
	killed := false
	var kill *time.Timer
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "ok "):
			continue
		case strings.HasPrefix(line, "missing "), strings.HasPrefix(line, "error "):
			failure = fmt.Errorf("child: %s", line)
		case len(line) == 36:
			ids = append(ids, line)
		default:
			continue // the testing package's own output
		}
		if failure != nil {
			break
		}
		if !killed && len(ids) >= n {
			kill = time.AfterFunc(extra, func() { cmd.Process.Signal(syscall.SIGKILL) })
			killed = true
			// Keep reading: lines printed before the kill are reports too; the output ends
			// when the child dies.
		}
	}
	if failure != nil || !killed {
		cmd.Process.Signal(syscall.SIGKILL)
	}
	cmd.Wait()
	if kill != nil {
		kill.Stop()
	}
	if failure == nil && !killed {
		failure = fmt.Errorf("child ended after %d mutations without being killed", len(ids))
	}
	return ids, failure
}

// serverFeed reads the shop's whole change feed.
func serverFeed(t *testing.T, base, token string) storeapi.ChangesResponse {
	t.Helper()
	var all storeapi.ChangesResponse
	for {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s%s?after=%d&limit=%d", base, storeapi.PathChanges, all.Next, storeapi.MaxChangesLimit), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var cr storeapi.ChangesResponse
		err = json.NewDecoder(resp.Body).Decode(&cr)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		all.Changes = append(all.Changes, cr.Changes...)
		all.Next, all.Total = cr.Next, cr.Total
		if !cr.More {
			return all
		}
	}
}
