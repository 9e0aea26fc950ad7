package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/demostore"
	"kefu/server"
	"kefu/server/pgstore"
	"kefu/server/pgstore/pgtest"
	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// pg is the package's throwaway PostgreSQL server.
var pg *pgtest.Server

// asCommand, set in the environment, makes the test binary run as kefu-store itself, so that
// tests start real kefu-store processes without building one.
const asCommand = "KEFU_STORE_TEST_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(asCommand) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(pgtest.Main(m, &pg))
}

// process is a kefu-store process started by a test.
type process struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
	log  *bytes.Buffer
}

// startProcess starts kefu-store with args and waits until it serves.
func startProcess(t *testing.T, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), asCommand+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, done: make(chan struct{}), log: &bytes.Buffer{}}
	cmd.Stderr = &syncWriter{w: p.log}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		<-p.done
	})
	urls := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "kefu-store serving "); ok {
				urls <- strings.Fields(rest)[0]
			}
		}
		cmd.Wait()
	}()
	select {
	case p.url = <-urls:
	case <-p.done:
		t.Fatalf("kefu-store %v ended before serving: %s", args, p.log)
	case <-time.After(2 * time.Minute):
		t.Fatalf("kefu-store %v did not serve within 2 minutes: %s", args, p.log)
	}
	return p
}

// syncWriter is a writer that several goroutines may use.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

func changes(base, token string, after int64, wait int) (storeapi.ChangesResponse, error) {
	return pgtest.Changes(base, token, after, wait)
}

func push(base, token string, m shop.Mutation) (storeapi.Result, error) {
	res, err := pgtest.Push(base, token, m)
	if err != nil {
		return storeapi.Result{}, err
	}
	return res[0], nil
}

func demoLogin(t *testing.T, base string) string {
	t.Helper()
	token, err := pgtest.Login(base, demostore.Shop, demostore.Owner, demostore.Password)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func newCustomer(t *testing.T, id string) shop.Mutation {
	t.Helper()
	m, err := shop.NewMutation(shop.KindCustomerAdd, id, demostore.Owner, time.Now(), shop.Customer{Nick: "客人" + id})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTwoProcessesOnPostgres(t *testing.T) {
	dsn := pg.Need(t).Schema(t)
	a := startProcess(t, "--postgres", dsn, "--demo")
	b := startProcess(t, "--postgres", dsn, "--demo") // the demo shop exists: not seeded again
	token := demoLogin(t, a.url)

	// A token from one process is good on the other, which serves the same demo shop.
	cr, err := changes(b.url, token, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Total == 0 || len(cr.Changes) == 0 {
		t.Fatalf("the second process serves an empty shop: %+v", cr)
	}
	cursor := cr.Total

	// A long poll parked on b wakes when a change commits through a.
	var worst time.Duration
	for i := 0; i < 3; i++ {
		got := make(chan error, 1)
		var woke storeapi.ChangesResponse
		go func() {
			var err error
			woke, err = changes(b.url, token, cursor, 20)
			got <- err
		}()
		// The poll may not be parked yet when the push lands; it answers at once then.
		res, err := push(a.url, token, newCustomer(t, fmt.Sprintf("x%d", i)))
		if err != nil || res.Status != storeapi.StatusApplied {
			t.Fatalf("push: %+v, %v", res, err)
		}
		pushed := time.Now()
		if err := <-got; err != nil {
			t.Fatal(err)
		}
		worst = max(worst, time.Since(pushed))
		if woke.Next < res.Seq {
			t.Fatalf("the long poll on the other process answered %+v, want seq %d", woke, res.Seq)
		}
		cursor = woke.Next
	}
	if worst > time.Second {
		t.Fatalf("a long poll on one process woke %v after a commit through the other", worst)
	}
	t.Logf("long polls woke at most %v after the other process's commit", worst)

	// One mutation pushed to both at once is applied once.
	m := newCustomer(t, "both")
	var wg sync.WaitGroup
	results := make([]storeapi.Result, 2)
	errs := make([]error, 2)
	for i, p := range []*process{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = push(p.url, token, m)
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	if s := []storeapi.Status{results[0].Status, results[1].Status}; !(s[0] == storeapi.StatusApplied && s[1] == storeapi.StatusDuplicate || s[1] == storeapi.StatusApplied && s[0] == storeapi.StatusDuplicate) {
		t.Fatalf("one mutation pushed to two processes at once: %+v", results)
	}
}

func TestMigrateFromBadger(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	// A Badger store with the demo shop, a staff token and a chat token.
	srv, err := server.New(server.Params{DataDir: dir, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := demostore.Seed(ctx, srv); err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour).UTC()
	if err := srv.Store().PutToken(ctx, "tokenhash", store.TokenInfo{Shop: demostore.Shop, Staff: demostore.Owner, Issued: time.Now().UTC(), Expires: exp}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Store().Update(ctx, demostore.Shop, func(tx store.Tx) error {
		return tx.PutChatToken("chathash", store.ChatToken{Conversation: "c1", Customer: "u1", FromSeq: 3, Expires: exp})
	}); err != nil {
		t.Fatal(err)
	}
	before := dump(t, srv.Store())
	if n := strings.Count(before, "\n"); n < 1000 {
		t.Fatalf("the demo shop's dump has %d lines", n)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	dsn := pg.Need(t).Schema(t)
	var out, errs bytes.Buffer
	if err := run([]string{"migrate", "--from-badger", dir, "--postgres", dsn}, nil, &out, &errs); err != nil {
		t.Fatalf("migrate: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "moved 1 shops and 1 staff tokens") {
		t.Errorf("migrate said: %s", out.String())
	}
	// Everything arrived: the feed with its seqs, results, entries, credentials, tokens.
	st, err := pgstore.Open(ctx, dsn, pgstore.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	psrv, err := server.New(server.Params{Store: st, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer psrv.Close()
	after := dump(t, psrv.Store())
	if before != after {
		t.Fatalf("the shop differs after the move:\nbadger:   %.300s\npostgres: %.300s", before, after)
	}
	if tok, found, err := st.Token(ctx, "tokenhash"); err != nil || !found || !tok.Expires.Equal(exp) {
		t.Fatalf("the staff token after the move: %+v, %v, %v", tok, found, err)
	}
	// Moving again is refused: the shop is there.
	if err := run([]string{"migrate", "--from-badger", dir, "--postgres", dsn}, nil, &out, &errs); err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Fatalf("a second migrate: %v", err)
	}
}

// dump is what a store holds of the demo shop, as text: feed, seq, account, results, index
// entries, credentials of its staff and its chat token.
func dump(t *testing.T, st store.Store) string {
	t.Helper()
	var b strings.Builder
	err := st.View(context.Background(), demostore.Shop, func(tx store.ReadTx) error {
		seq, err := tx.Seq()
		if err != nil {
			return err
		}
		a, _, err := tx.Account()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "seq %d account %+v\n", seq, a)
		if err := tx.Feed(0, func(r shop.Record) bool {
			fmt.Fprintf(&b, "%s/%s@%d %v %s\n", r.Type, r.ID, r.Seq, r.Deleted, r.Data)
			return true
		}); err != nil {
			return err
		}
		if err := tx.Results(func(r storeapi.Result) bool { fmt.Fprintf(&b, "result %+v\n", r); return true }); err != nil {
			return err
		}
		for _, ix := range []string{"nick", "conv", "msg"} {
			if err := tx.Scan(ix, store.Query{}, func(e store.Entry) bool { fmt.Fprintf(&b, "%s %v %s\n", ix, e.Key, e.ID); return true }); err != nil {
				return err
			}
		}
		for _, staff := range []string{demostore.Owner, demostore.Agent} {
			c, found, err := tx.Credential(staff)
			if err != nil || !found {
				return fmt.Errorf("credential %s: %v, %w", staff, found, err)
			}
			fmt.Fprintf(&b, "credential %s %s\n", c.Staff, c.Hash)
		}
		ct, found, err := tx.ChatToken("chathash")
		fmt.Fprintf(&b, "chat token %+v %v\n", ct, found)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	p := startProcess(t, "--data", dir, "--demo")
	file := filepath.Join(t.TempDir(), "kefu.backup")
	var out, errs bytes.Buffer
	if err := run([]string{"backup", "--data", dir, "--out", file}, nil, &out, &errs); err != nil {
		t.Fatalf("backup while serving: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "from the running server") {
		t.Fatalf("backup said: %s", out.String())
	}
	p.cmd.Process.Signal(os.Interrupt)
	<-p.done
	// Without a server the directory is backed up directly.
	if err := run([]string{"backup", "--data", dir, "--out", file + "2"}, nil, &out, &errs); err != nil || !strings.Contains(out.String(), "no server was running") {
		t.Fatalf("backup without a server: %v: %s", err, out.String())
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if err := run([]string{"restore", "--data", restored, "--from", file}, nil, &out, &errs); err != nil {
		t.Fatalf("restore: %v\n%s", err, errs.String())
	}
	if err := run([]string{"restore", "--data", restored, "--from", file}, nil, &out, &errs); err == nil {
		t.Fatal("restoring into a store that holds data succeeded")
	}
	dumpDir := func(d string) string {
		srv, err := server.New(server.Params{DataDir: d, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		return dump(t, srv.Store())
	}
	if a, b := dumpDir(dir), dumpDir(restored); a != b || strings.Count(a, "\n") < 1000 {
		t.Fatalf("the restored store differs (%d and %d lines)", strings.Count(a, "\n"), strings.Count(b, "\n"))
	}
}

func TestAdminOnPostgres(t *testing.T) {
	// The management commands work on PostgreSQL too, while a server serves the database.
	dsn := pg.Need(t).Schema(t)
	p := startProcess(t, "--postgres", dsn)
	var out, errs bytes.Buffer
	if err := run([]string{"shop", "init", "--postgres", dsn, "--shop", "agency", "--name", "代运营"}, nil, &out, &errs); err != nil {
		t.Fatalf("shop init: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "staff add --postgres ") {
		t.Errorf("shop init said: %s", out.String())
	}
	if err := run([]string{"staff", "add", "--postgres", dsn, "--shop", "agency", "--number", "1001", "--name", "王晓", "--role", "owner", "--password", "secret-pass"}, nil, &out, &errs); err != nil {
		t.Fatalf("staff add: %v\n%s", err, errs.String())
	}
	if _, err := pgtest.Login(p.url, "agency", "1001", "secret-pass"); err != nil {
		t.Fatalf("logging in to the serving process: %v", err)
	}
}
