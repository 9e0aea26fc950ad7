package pgstore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/server"
	"kefu/server/pgstore/pgtest"
	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// Several servers on one database: each test runs two in-process servers, each with a Store
// of its own on the same schema, as two kefu-store processes would.

// instance is one server on the shared schema, reachable over HTTP.
type instance struct {
	srv *server.Server
	url string
	dsn string // the database and schema it serves
	st  *Store
}

func startInstance(t testing.TB, dsn string, o Options) *instance {
	t.Helper()
	st := open(t, dsn, o)
	srv, err := server.New(server.Params{Store: st, Logger: slog.New(slog.DiscardHandler), PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.CloseClientConnections()
		srv.Close()
		hs.Close()
	})
	return &instance{srv: srv, url: hs.URL, dsn: dsn, st: st}
}

// twoInstances starts two servers on one new schema with shop "agency" (staff 1001) and
// returns them with a staff token issued by the first.
func twoInstances(t *testing.T, o Options) (a, b *instance, token string) {
	t.Helper()
	dsn := pg.Need(t).Schema(t)
	a = startInstance(t, dsn, o)
	b = startInstance(t, dsn, o)
	_, err := a.srv.ImportShop(t.Context(), server.ShopAccount{ID: "agency"}, func(emit func(shop.Record) error) error {
		return emit(shop.NewRecord(shop.TypeShop, "agency", shop.Shop{ID: "agency", Name: "代运营"}))
	}, []server.StaffLogin{{Staff: shop.Staff{Number: "1001", Name: "王晓", Role: shop.RoleOwner}, Password: "secret-pass"}})
	if err != nil {
		t.Fatal(err)
	}
	token, err = pgtest.Login(a.url, "agency", "1001", "secret-pass")
	if err != nil {
		t.Fatal(err)
	}
	return a, b, token
}

// addCustomer is a mutation that writes one record.
func addCustomer(t *testing.T, id string) shop.Mutation {
	t.Helper()
	m, err := shop.NewMutation(shop.KindCustomerAdd, id, "1001", time.Now(), shop.Customer{Nick: "客人" + id})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (in *instance) push(token string, ms ...shop.Mutation) ([]storeapi.Result, error) {
	return pgtest.Push(in.url, token, ms...)
}

func (in *instance) changes(token string, after int64, wait int) (storeapi.ChangesResponse, error) {
	return pgtest.Changes(in.url, token, after, wait)
}

// wakeTimes parks a long poll on b, commits a change through a and measures how long after
// the push to a began b's poll answers with it, n times.
func wakeTimes(t *testing.T, a, b *instance, token string, n int) []time.Duration {
	t.Helper()
	cr, err := b.changes(token, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	cursor := cr.Total
	var times []time.Duration
	for i := 0; i < n; i++ {
		got := make(chan storeapi.ChangesResponse, 1)
		errc := make(chan error, 1)
		go func() {
			cr, err := b.changes(token, cursor, 20)
			errc <- err
			got <- cr
		}()
		waitFor(t, "the long poll to park", func() bool { return parked(t, b) > 0 })
		m := addCustomer(t, fmt.Sprintf("u%d", i))
		pushed := time.Now() // the commit comes later: an upper bound of the wake-up
		res, err := a.push(token, m)
		if err != nil || res[0].Status != storeapi.StatusApplied {
			t.Fatalf("push: %+v, %v", res, err)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		cr := <-got
		times = append(times, time.Since(pushed))
		if len(cr.Changes) == 0 || cr.Next < res[0].Seq {
			t.Fatalf("the long poll on the other server answered %+v, want the change at seq %d", cr, res[0].Seq)
		}
		cursor = cr.Next
	}
	return times
}

// parked is how many long polls wait on in, from its metrics.
func parked(t *testing.T, in *instance) int {
	t.Helper()
	resp, err := http.Get(in.url + storeapi.PathMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var n int
	for _, line := range bytes.Split(data, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("kefu_longpoll_waiting ")) {
			fmt.Sscan(string(line[len("kefu_longpoll_waiting "):]), &n)
		}
	}
	return n
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func TestTwoServers(t *testing.T) {
	a, b, token := twoInstances(t, Options{})
	t.Run("TokenFromOneWorksOnTheOther", func(t *testing.T) {
		if _, err := b.changes(token, 0, 0); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("LongPollWakesOnAnothersCommit", func(t *testing.T) {
		times := wakeTimes(t, a, b, token, 5)
		if m := median(times); m > 100*time.Millisecond {
			t.Fatalf("a long poll on one server woke %v (median of %v) after a commit through the other; want ≤ 100ms", m, times)
		}
		t.Logf("woke after %v", times)
	})
	t.Run("CustomerChatThroughEither", func(t *testing.T) {
		// A chat started on one server goes on through the other; its long poll there
		// wakes for a message sent through the first.
		var start storeapi.ChatStartResponse
		if err := pgtest.Call(a.url, "POST", "/c/agency/api/start", "", storeapi.ChatStartRequest{Nick: "小鱼儿"}, &start, 200); err != nil {
			t.Fatal(err)
		}
		var msgs storeapi.ChatMessagesResponse
		if err := pgtest.Call(b.url, "GET", "/c/agency/api/messages?token="+start.Token, "", nil, &msgs, 200); err != nil {
			t.Fatal(err)
		}
		after := ""
		if n := len(msgs.Messages); n > 0 {
			after = msgs.Messages[n-1].ID
		}
		got := make(chan error, 1)
		var woke storeapi.ChatMessagesResponse
		go func() {
			got <- pgtest.Call(b.url, "GET", "/c/agency/api/messages?wait=20&token="+start.Token+"&after="+after, "", nil, &woke, 200)
		}()
		waitFor(t, "the chat's long poll to park", func() bool { return parked(t, b) > 0 })
		if err := pgtest.Call(a.url, "POST", "/c/agency/api/messages", "", storeapi.ChatSendRequest{Token: start.Token, Text: "在吗"}, nil, 200); err != nil {
			t.Fatal(err)
		}
		sent := time.Now()
		if err := <-got; err != nil {
			t.Fatal(err)
		}
		if took := time.Since(sent); took > time.Second {
			t.Errorf("the chat's long poll on the other server woke after %v", took)
		}
		found := false
		for _, m := range woke.Messages {
			found = found || m.Text == "在吗"
		}
		if !found {
			t.Fatalf("the chat's long poll on the other server answered %+v", woke)
		}
	})
	t.Run("OneMutationPushedToBothAppliedOnce", func(t *testing.T) {
		var results []storeapi.Result // the last mutation's two results
		for i := 0; i < 5; i++ {
			m := addCustomer(t, fmt.Sprintf("twice%d", i))
			var wg sync.WaitGroup
			results = make([]storeapi.Result, 2)
			errs := make([]error, 2)
			for j, in := range []*instance{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := in.push(token, m)
					errs[j] = err
					if err == nil {
						results[j] = res[0]
					}
				}()
			}
			wg.Wait()
			if errs[0] != nil || errs[1] != nil {
				t.Fatal(errs)
			}
			statuses := []storeapi.Status{results[0].Status, results[1].Status}
			slices.Sort(statuses)
			if !slices.Equal(statuses, []storeapi.Status{storeapi.StatusApplied, storeapi.StatusDuplicate}) {
				t.Fatalf("one mutation pushed to two servers at once: %+v", results)
			}
			if results[0].Seq != results[1].Seq {
				t.Fatalf("the duplicate's seq %d differs from the first's %d", results[1].Seq, results[0].Seq)
			}
		}
		// Every mutation was applied by one of them; a learns of b's commits through the
		// store (its listener may have started after them), so wait on a's feed for b's head.
		head := max(results[0].Seq, results[1].Seq)
		cr, err := a.changes(token, 0, 0)
		for err == nil && cr.Total < head {
			cr, err = a.changes(token, cr.Total, 30)
			if err == nil {
				cr, err = a.changes(token, 0, 0)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range cr.Changes {
			if r.Type == shop.TypeCustomer && len(r.ID) > 5 && r.ID[:5] == "twice" {
				n++
			}
		}
		if n != 5 {
			t.Fatalf("%d customers in the feed for 5 mutations pushed twice each", n)
		}
	})
}

func TestTwoServersPolling(t *testing.T) {
	// Without LISTEN/NOTIFY (CockroachDB), the counters are polled: the wake-up still comes.
	a, b, token := twoInstances(t, Options{NoNotify: true})
	times := wakeTimes(t, a, b, token, 3)
	if m := median(times); m > 250*time.Millisecond {
		t.Fatalf("a long poll woke %v (median of %v) after another server's commit, polling every 50ms", m, times)
	}
	t.Logf("woke after %v", times)
}

func TestWatchSurvivesRestart(t *testing.T) {
	// The listening connection drops when PostgreSQL restarts; Watch polls, listens again and
	// reports the commits made meanwhile.
	if testing.Short() {
		t.Skip("restarts the package's PostgreSQL")
	}
	st := open(t, "", Options{PollEvery: 200 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var mu sync.Mutex
	seqs := map[string]int64{}
	done := make(chan error, 1)
	go func() {
		done <- st.Watch(ctx, func(shopID string, seq int64) {
			mu.Lock()
			seqs[shopID] = max(seqs[shopID], seq)
			mu.Unlock()
		})
	}()
	reached := func(shopID string, seq int64) func() bool {
		return func() bool { mu.Lock(); defer mu.Unlock(); return seqs[shopID] >= seq }
	}
	put := func(shopID string) int64 {
		var seq int64
		err := st.Update(t.Context(), shopID, func(tx store.Tx) error {
			var err error
			seq, err = tx.Put(shop.Record{Type: shop.TypeNote, ID: "n", Data: []byte(`{}`)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	waitFor(t, "the first commit to be reported", reached("s1", put("s1")))
	if err := pg.Restart(); err != nil {
		t.Fatal(err)
	}
	// The pool's old connections are gone; the first Update may fail on one of them.
	var seq int64
	waitFor(t, "an update after the restart", func() bool {
		err := st.Update(t.Context(), "s2", func(tx store.Tx) error {
			var err error
			seq, err = tx.Put(shop.Record{Type: shop.TypeNote, ID: "n", Data: []byte(`{}`)})
			return err
		})
		return err == nil
	})
	waitFor(t, "the commit after the restart to be reported", reached("s2", seq))
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Watch returned %v, want context.Canceled", err)
	}
}
