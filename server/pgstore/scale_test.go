package pgstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"kefu/server"
	"kefu/server/badgerstore"
	"kefu/server/pgstore/pgtest"
	"kefu/shop"
	"kefu/storeapi"
)

// The scale bench (issue 22): an agency's 50 shops with 4 desks each, on one and then two
// servers sharing one PostgreSQL database, and for reference one server on the embedded Badger
// store (PostgreSQL idle): what this machine gives the same desks without a database server.
// It is one run of fixed length whatever b.N is:
//
//	go test -tags migrated_fynedo -run '^$' -bench Scale ./server/pgstore/
//
// Each desk does what a desk's sync engine does, as a plain HTTP client: its staff member
// makes changes at a steady pace (customer.add, 18 a second per desk: 3,600 a second in all,
// a fifth more than the target, so that the applied rate shows what the servers can do rather
// than the offer),
// which queue on the desk; one push at a time sends everything queued (up to 200) as one
// batch; and a long poll follows the shop's feed. The figures are the mutations applied per
// second in the timed window, and the change-to-desk p95: from the moment a change was made on
// one desk until the last of its shop's three other desks has it (so a desk that falls behind
// shows as queueing delay). $KEFU_SCALE_RATE (mutations a second in all) and
// $KEFU_SCALE_SECONDS (the timed window) change the load and the length; $KEFU_SCALE_CONNS sets
// each server's pool_max_conns (the servers' sum must stay under the throwaway server's
// max_connections, 100) and $KEFU_SCALE_NONOTIFY=1 runs the servers without LISTEN/NOTIFY
// (polling), and $KEFU_SCALE_VIEWFEED=1 has the long polls read the feed in a View (three
// round trips) rather than with ReadFeed (one), and $KEFU_SCALE_FEEDCONNS=n keeps n of each
// server's connections for feed reads (Options.FeedConns), to compare. Each run also prints where a push's time goes: its answer's p50 and
// p95 at the desk, and per Update the wait for the shop's turn in the process, for a pooled
// connection, the round trip that begins it, fn and the one that commits; per View its pool
// wait, begin and whole time (phaseTimes); and the CPU time PostgreSQL and the test process
// spent per mutation in the timed window (cpuTimes), which neighbours on the cores do not
// change as they change the latency.
const (
	scaleShops   = 50
	scaleDesks   = 4
	scaleBatch   = 200 // a desk's push holds at most this many (sync.Engine's default)
	scaleWarm    = 2 * time.Second
	scaleRate    = 3600.0 // mutations a second offered in all: more than the target
	scaleTarget  = 3000.0 // mutations a second applied in all, the target
	scaleSeconds = 10
	scaleMaxP95  = 250 * time.Millisecond
)

// scaleResult is one run's figures.
type scaleResult struct {
	servers  int
	rate     float64       // mutations applied a second in the timed window
	p95, p50 time.Duration // change-to-desk
	batch    float64       // mutations per push, on average
	fanout   time.Duration // median from a push's answer until the shop's other desks have it
}

func BenchmarkScale(b *testing.B) {
	rate := envFloat(b, "KEFU_SCALE_RATE", scaleRate)
	window := time.Duration(envFloat(b, "KEFU_SCALE_SECONDS", scaleSeconds) * float64(time.Second))
	var results []scaleResult
	var onBadger *scaleResult
	for _, servers := range []int{1, 2} {
		b.Run(fmt.Sprintf("servers=%d", servers), func(b *testing.B) {
			r := runScale(b, servers, rate, window)
			results = append(results, r)
			b.ReportMetric(r.rate, "mutations/s")
			b.ReportMetric(float64(r.p95.Microseconds())/1000, "p95-ms")
			b.ReportMetric(r.batch, "mutations/push")
			b.ReportMetric(0, "ns/op")
		})
	}
	// The same load on one server over the embedded Badger store, PostgreSQL idle: what the
	// machine gives without a database server, so that the rows above read against it.
	b.Run("badger", func(b *testing.B) {
		r := runScale(b, 0, rate, window)
		onBadger = &r
		b.ReportMetric(r.rate, "mutations/s")
		b.ReportMetric(float64(r.p95.Microseconds())/1000, "p95-ms")
		b.ReportMetric(r.batch, "mutations/push")
		b.ReportMetric(0, "ns/op")
	})
	var t strings.Builder
	fmt.Fprintf(&t, "scale: %d shops × %d desks, %.0f mutations/s offered, %s timed\n", scaleShops, scaleDesks, rate, window)
	fmt.Fprintf(&t, "%-10s %14s %12s %12s %10s %14s\n", "servers", "mutations/s", "p50", "p95", "per push", "answer→desks")
	row := func(label string, r scaleResult) {
		fmt.Fprintf(&t, "%-10s %14.0f %10.0fms %10.0fms %10.1f %12.0fms\n", label, r.rate, ms(r.p50), ms(r.p95), r.batch, ms(r.fanout))
	}
	for _, r := range results {
		row(strconv.Itoa(r.servers), r)
	}
	if onBadger != nil {
		row("1, Badger", *onBadger)
	}
	if len(results) == 2 && results[0].rate > 0 {
		fmt.Fprintf(&t, "1 → 2 servers: mutations/s ×%.2f, p95 ×%.2f\n", results[1].rate/results[0].rate, ms(results[1].p95)/ms(results[0].p95))
	}
	fmt.Fprintf(&t, "targets (2 servers): ≥ %.0f mutations/s, p95 ≤ %s", scaleTarget, scaleMaxP95)
	if n := len(results); n > 0 {
		last := results[n-1]
		pass := last.rate >= scaleTarget && last.p95 <= scaleMaxP95
		fmt.Fprintf(&t, ": %s", map[bool]string{true: "met", false: "missed"}[pass])
	}
	// A parent benchmark prints no log of its own: the table goes to the output as it is.
	fmt.Println(t.String())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// envFloat is $name as a number, or def.
func envFloat(b *testing.B, name string, def float64) float64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		b.Fatalf("$%s=%q: want a positive number", name, v)
	}
	return f
}

// scaleDesk is one desk of the bench: its server, its token, its shop and what reached it.
type scaleDesk struct {
	url, token string
	shop       int
	// seen[n] counts the other desks of the shop that have this desk's change n; acked[n] is
	// when its push was answered (ns since 1970).
	seen  []atomic.Int32
	acked []atomic.Int64
}

// scaleClient is the desks' HTTP client: enough idle connections for every desk's push and
// poll to keep its own.
var scaleClient = &http.Client{Transport: &http.Transport{MaxIdleConns: 1000, MaxIdleConnsPerHost: 1000}, Timeout: 2 * time.Minute}

// scaleCall sends body (JSON, nil: none) and decodes the answer into out.
func scaleCall(method, url, token string, body []byte, out any) error {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := scaleClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, msg)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// scaleChanges is the part of a page of changes the bench reads: ids, not data.
type scaleChanges struct {
	Changes []struct {
		ID string `json:"id"`
	} `json:"changes"`
	Next int64 `json:"next"`
}

// scaleServers starts the bench's servers: servers of them on one new PostgreSQL schema, or
// with servers 0 one server on an embedded Badger store in a temp folder (as kefu-store
// --data runs). It returns their URLs, the first server, and the PostgreSQL stores.
func scaleServers(b *testing.B, servers int) (urls []string, first *server.Server, stores []*Store) {
	if servers == 0 {
		bs, err := badgerstore.Open(b.TempDir(), slog.New(slog.DiscardHandler))
		if err != nil {
			b.Fatal(err)
		}
		srv, err := server.New(server.Params{Store: bs, Logger: slog.New(slog.DiscardHandler), PasswordCost: bcrypt.MinCost})
		if err != nil {
			b.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler())
		b.Cleanup(func() {
			hs.CloseClientConnections()
			srv.Close()
			hs.Close()
			bs.Close()
		})
		return []string{hs.URL}, srv, nil
	}
	dsn := pg.Need(b).Schema(b)
	if c := os.Getenv("KEFU_SCALE_CONNS"); c != "" {
		dsn += "&pool_max_conns=" + c
	}
	for i := 0; i < servers; i++ {
		in := startInstance(b, dsn, Options{NoNotify: os.Getenv("KEFU_SCALE_NONOTIFY") != "", FeedConns: int(envFloat(b, "KEFU_SCALE_FEEDCONNS", 0)), NoFeedTail: os.Getenv("KEFU_SCALE_NOTAIL") != ""})
		in.st.feedByView = os.Getenv("KEFU_SCALE_VIEWFEED") != ""
		urls = append(urls, in.url)
		stores = append(stores, in.st)
		if first == nil {
			first = in.srv
		}
	}
	return urls, first, stores
}

// runScale runs the bench once on scaleServers(b, servers).
func runScale(b *testing.B, servers int, rate float64, window time.Duration) scaleResult {
	urls, first, stores := scaleServers(b, servers)
	label := fmt.Sprintf("servers=%d", servers)
	if servers == 0 {
		label, servers = "badger", 1
	}
	perDesk := rate / (scaleShops * scaleDesks)
	capacity := int(perDesk*(scaleWarm+window+time.Minute).Seconds()) + 1
	var desks []*scaleDesk
	for s := 0; s < scaleShops; s++ {
		id := fmt.Sprintf("shop%02d", s)
		var staff []server.StaffLogin
		for d := 0; d < scaleDesks; d++ {
			staff = append(staff, server.StaffLogin{Staff: shop.Staff{Number: fmt.Sprint(1001 + d), Name: "客服", Role: shop.RoleOwner}, Password: "secret-pass"})
		}
		_, err := first.ImportShop(b.Context(), server.ShopAccount{ID: id}, func(emit func(shop.Record) error) error {
			return emit(shop.NewRecord(shop.TypeShop, id, shop.Shop{ID: id, Name: id}))
		}, staff)
		if err != nil {
			b.Fatal(err)
		}
		for d := 0; d < scaleDesks; d++ {
			url := urls[(s*scaleDesks+d)%len(urls)]
			token, err := pgtest.Login(url, id, fmt.Sprint(1001+d), "secret-pass")
			if err != nil {
				b.Fatal(err)
			}
			desks = append(desks, &scaleDesk{url: url, token: token, shop: s, seen: make([]atomic.Int32, capacity), acked: make([]atomic.Int64, capacity)})
		}
	}

	// A desk's change n is made at start + n/perDesk; its id says whose and which it is.
	start := time.Now().Add(100 * time.Millisecond)
	madeAt := func(n int) time.Time { return start.Add(time.Duration(float64(n) / perDesk * float64(time.Second))) }
	timedFrom, timedTo := start.Add(scaleWarm), start.Add(scaleWarm+window)
	stopMaking := timedTo
	var (
		mu      sync.Mutex
		delays  []time.Duration // of the changes made in the timed window
		fanouts []time.Duration // of those, from their push's answer to the last desk
		applied atomic.Int64    // mutations acknowledged within the timed window
		pushes  atomic.Int64    // pushes within the timed window
		made    = make([]int, len(desks))
		errs    = make(chan error, 2*len(desks))
		stop    = make(chan struct{})
		pollers sync.WaitGroup
		pushers sync.WaitGroup
	)
	for _, st := range stores {
		st.phases = phaseTimes{}
	}
	var pushTimes []time.Duration // of the pushes answered in the timed window
	var cpuFrom, cpuTo cpuTimes   // at the timed window's ends
	cpuDone := make(chan struct{})
	go func() {
		defer close(cpuDone)
		time.Sleep(time.Until(timedFrom))
		cpuFrom = readCPU(pg.Dir)
		time.Sleep(time.Until(timedTo))
		cpuTo = readCPU(pg.Dir)
	}()
	b.ResetTimer()
	for i, d := range desks {
		pollers.Add(1)
		go func() { // the desk's long poll
			defer pollers.Done()
			var cursor int64
			var mine, fanout []time.Duration
			defer func() {
				mu.Lock()
				delays = append(delays, mine...)
				fanouts = append(fanouts, fanout...)
				mu.Unlock()
			}()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var page scaleChanges
				err := scaleCall("GET", fmt.Sprintf("%s%s?after=%d&limit=1000&wait=1", d.url, storeapi.PathChanges, cursor), d.token, nil, &page)
				if err != nil {
					errs <- err
					return
				}
				now := time.Now()
				for _, c := range page.Changes {
					var from, n int
					if _, err := fmt.Sscanf(c.ID, "d%d-%d", &from, &n); err != nil || from == i {
						continue
					}
					if desks[from].seen[n].Add(1) == scaleDesks-1 {
						if at := madeAt(n); !at.Before(timedFrom) && at.Before(timedTo) {
							mine = append(mine, now.Sub(at))
							fanout = append(fanout, now.Sub(time.Unix(0, desks[from].acked[n].Load())))
						}
					}
				}
				cursor = page.Next
			}
		}()
		pushers.Add(1)
		go func() { // the desk's staff member and its push
			defer pushers.Done()
			n := 0
			for {
				now := time.Now()
				if !now.Before(stopMaking) {
					break
				}
				due := int(now.Sub(start).Seconds() * perDesk)
				if due <= n {
					time.Sleep(madeAt(n).Sub(now) + time.Millisecond)
					continue
				}
				due = min(due, n+scaleBatch)
				batch := make([]shop.Mutation, 0, due-n)
				for ; n < due; n++ {
					entity := fmt.Sprintf("d%d-%d", i, n)
					m, err := shop.NewMutation(shop.KindCustomerAdd, entity, "", madeAt(n), shop.Customer{Nick: entity})
					if err != nil {
						errs <- err
						return
					}
					batch = append(batch, m)
				}
				body, err := json.Marshal(storeapi.MutationsRequest{Mutations: batch})
				if err != nil {
					errs <- err
					return
				}
				var mr storeapi.MutationsResponse
				sent := time.Now()
				if err := scaleCall("POST", d.url+storeapi.PathMutations, d.token, body, &mr); err != nil {
					errs <- err
					return
				}
				ackedAt := time.Now().UnixNano()
				for k := range batch {
					d.acked[n-len(batch)+k].Store(ackedAt)
				}
				for _, res := range mr.Results {
					if res.Status != storeapi.StatusApplied {
						errs <- fmt.Errorf("push: %+v", res)
						return
					}
				}
				if done := time.Now(); !done.Before(timedFrom) && done.Before(timedTo) {
					applied.Add(int64(len(batch)))
					pushes.Add(1)
					mu.Lock()
					pushTimes = append(pushTimes, done.Sub(sent))
					mu.Unlock()
				}
			}
			made[i] = n
		}()
	}
	pushers.Wait()
	<-cpuDone
	// The last changes reach the desks within a few long polls.
	complete := func() bool {
		for i, d := range desks {
			for n := 0; n < made[i]; n++ {
				if d.seen[n].Load() < scaleDesks-1 {
					return false
				}
			}
		}
		return true
	}
	for deadline := time.Now().Add(time.Minute); !complete() && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	pollers.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	if !complete() {
		short := 0
		for i, d := range desks {
			for n := 0; n < made[i]; n++ {
				if c := d.seen[n].Load(); c < scaleDesks-1 {
					if short++; short <= 5 {
						b.Errorf("desk %d (shop %d) change %d reached %d other desks", i, d.shop, n, c)
					}
				}
			}
		}
		b.Fatalf("%d changes did not reach every other desk of their shop", short)
	}
	if len(delays) == 0 {
		b.Fatal("no change was made in the timed window")
	}
	if os.Getenv("KEFU_SCALE_PGSTATS") != "" {
		logStatements(b)
	}
	slices.Sort(delays)
	slices.Sort(fanouts)
	slices.Sort(pushTimes)
	var ph phaseTimes
	for _, st := range stores {
		for _, p := range []struct{ to, from *atomic.Int64 }{{&ph.updates, &st.phases.updates}, {&ph.txs, &st.phases.txs}, {&ph.views, &st.phases.views},
			{&ph.gate, &st.phases.gate}, {&ph.acquire, &st.phases.acquire}, {&ph.begin, &st.phases.begin}, {&ph.fn, &st.phases.fn},
			{&ph.commit, &st.phases.commit}, {&ph.viewAcquire, &st.phases.viewAcquire}, {&ph.viewBegin, &st.phases.viewBegin}, {&ph.viewTotal, &st.phases.viewTotal},
			{&ph.feeds, &st.phases.feeds}, {&ph.feedAcquire, &st.phases.feedAcquire}, {&ph.feedTotal, &st.phases.feedTotal}, {&ph.recent, &st.phases.recent}} {
			p.to.Add(p.from.Load())
		}
	}
	per := func(sum *atomic.Int64, n *atomic.Int64) string {
		if n.Load() == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1fms", float64(sum.Load())/float64(n.Load())/1e6)
	}
	if len(pushTimes) > 0 && len(stores) == 0 {
		fmt.Printf("%s: push answered p50 %.0fms p95 %.0fms\n", label, ms(pushTimes[len(pushTimes)/2]), ms(pushTimes[len(pushTimes)*95/100]))
	} else if len(pushTimes) > 0 {
		fmt.Printf("%s: push answered p50 %.0fms p95 %.0fms; per update: shop's turn %s (%d updates); per transaction: pool %s, begin %s, fn %s, commit %s (%d); per view: pool %s, begin %s, all %s (%d views); per feed read: pool %s, all %s (%d); from the tail in memory: %d\n",
			label, ms(pushTimes[len(pushTimes)/2]), ms(pushTimes[len(pushTimes)*95/100]),
			per(&ph.gate, &ph.updates), ph.updates.Load(), per(&ph.acquire, &ph.txs), per(&ph.begin, &ph.txs), per(&ph.fn, &ph.txs), per(&ph.commit, &ph.txs), ph.txs.Load(),
			per(&ph.viewAcquire, &ph.views), per(&ph.viewBegin, &ph.views), per(&ph.viewTotal, &ph.views), ph.views.Load(),
			per(&ph.feedAcquire, &ph.feeds), per(&ph.feedTotal, &ph.feeds), ph.feeds.Load(), ph.recent.Load())
	}
	if n := applied.Load(); n > 0 {
		pgCPU, selfCPU := cpuTo.postgres-cpuFrom.postgres, cpuTo.self-cpuFrom.self
		fmt.Printf("%s: CPU per 1000 mutations applied: postgres %.0fms, servers and desks %.0fms (cores busy: postgres %.2f, servers and desks %.2f)\n",
			label, ms(pgCPU)*1000/float64(n), ms(selfCPU)*1000/float64(n), pgCPU.Seconds()/window.Seconds(), selfCPU.Seconds()/window.Seconds())
	}
	r := scaleResult{servers: servers, rate: float64(applied.Load()) / window.Seconds(),
		p50: delays[len(delays)/2], p95: delays[len(delays)*95/100], fanout: fanouts[len(fanouts)/2]}
	if p := pushes.Load(); p > 0 {
		r.batch = float64(applied.Load()) / float64(p)
	}
	return r
}

// logStatements logs PostgreSQL's busiest statements of the run (pg_stat_statements, loaded
// with KEFU_PG_OPTIONS='-c shared_preload_libraries=pg_stat_statements'), and resets them.
func logStatements(b *testing.B) {
	ctx := b.Context()
	conn, err := pgx.Connect(ctx, pg.DSN)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		b.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT calls, total_exec_time, left(regexp_replace(query, '\s+', ' ', 'g'), 90)
		FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25`)
	if err != nil {
		b.Fatal(err)
	}
	var out strings.Builder
	for rows.Next() {
		var calls int64
		var total float64
		var q string
		if err := rows.Scan(&calls, &total, &q); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&out, "%9d %10.0fms %s\n", calls, total, q)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	b.Log("pg_stat_statements:\n" + out.String())
	if _, err := conn.Exec(ctx, `SELECT pg_stat_statements_reset()`); err != nil {
		b.Fatal(err)
	}
}
