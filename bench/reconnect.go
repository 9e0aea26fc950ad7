package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"kefu/demostore"
	"kefu/internal/testkit"
	"kefu/localdb"
	"kefu/shop"
	"kefu/storeapi"
	kefusync "kefu/sync"
)

// The figures of a desk getting back online after the store server was gone.
const (
	figReconnect    = "kefu-store killed and restarted → desk online again (sync engine, loopback)"
	targetReconnect = "p95 ≤ 2 s"
	maxReconnect    = 2 * time.Second

	figReconnectNote    = "kefu-store killed and restarted → a second desk holds the first desk's offline note"
	targetReconnectNote = "p95 ≤ 3 s"
	maxReconnectNote    = 3 * time.Second

	reconnectRounds  = 20
	minOffline       = time.Second     // the server is gone this long at least …
	maxOffline       = 6 * time.Second // … and at most, so the desks' backoff has grown unevenly
	reconnectTimeout = 30 * time.Second
	healthPoll       = 5 * time.Millisecond // how often the bench asks the restarted server
)

// reconnectFigures measures how fast desks are back after a server restart: a kefu-store of its
// own (the small demo shop, in dir; not the large shop of the cache) and two desks running the
// real sync engine with its defaults against it over loopback. Each of rounds rounds kills the
// server (SIGKILL), waits until both desks say offline, records an order note on the first
// desk while offline, keeps the server down between minOffline and maxOffline, starts it again
// on the same address and data, and times from the server answering /healthz again until the
// first desk's status says online, and until the second desk's local store holds the note.
func reconnectFigures(ctx context.Context, bin, dir string, rounds int, logf func(string, ...any)) []Figure {
	fail := func(err error) []Figure {
		return []Figure{failed(figReconnect, targetReconnect, err), failed(figReconnectNote, targetReconnectNote, err)}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	proc, err := testkit.StartStore(ctx, testkit.StoreOptions{Bin: bin, DataDir: filepath.Join(dir, "store"), Args: []string{"--demo"},
		LogPath: filepath.Join(dir, "reconnect-store.log"), StopTimeout: stopTimeout})
	if err != nil {
		return fail(err)
	}
	defer proc.Stop()
	start := time.Now()
	first, second, err := twoDesks(ctx, proc.URL(), dir)
	if err != nil {
		return fail(err)
	}
	defer first.close()
	defer second.close()
	orders, err := first.db.SearchOrders("", localdb.OrderFilter{}, 50)
	if err != nil || len(orders) == 0 {
		return fail(fmt.Errorf("the demo shop's orders on the desk: %d, %v", len(orders), err))
	}

	rng := newRand(16)
	online, noted := make(Samples, 0, rounds), make(Samples, 0, rounds)
	for i := range rounds {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		back, err := restartRound(ctx, proc, first, second, orders[i%len(orders)].ID, i,
			minOffline+time.Duration(rng.Int64N(int64(maxOffline-minOffline))))
		if err != nil {
			return fail(fmt.Errorf("round %d: %w", i+1, err))
		}
		online, noted = append(online, back.online), append(noted, back.noted)
	}
	logf("reconnect: %d restarts in %s", rounds, time.Since(start).Round(time.Second))
	p95, p95n := online.Percentile(95), noted.Percentile(95)
	how := fmt.Sprintf("%d kills (SIGKILL) and restarts of kefu-store --demo on the same address and data, each after %s–%s offline; timed from /healthz answering again (polled every %s)",
		rounds, fmtSec(minOffline), fmtSec(maxOffline), healthPoll)
	return []Figure{
		{Name: figReconnect, Value: "p95 " + fmtMs(p95), Target: targetReconnect, Pass: p95 <= maxReconnect,
			Note: fmt.Sprintf("%s until the desk's status said online; median %s, max %s", how, fmtMs(online.Median()), fmtMs(online.Percentile(100)))},
		{Name: figReconnectNote, Value: "p95 " + fmtMs(p95n), Target: targetReconnectNote, Pass: p95n <= maxReconnectNote,
			Note: fmt.Sprintf("the same restarts, until the second desk's store held the note the first desk recorded offline; median %s, max %s",
				fmtMs(noted.Median()), fmtMs(noted.Percentile(100)))},
	}
}

// reconnectDesk is a desk store on disk with the sync engine running on it.
type reconnectDesk struct {
	db  *localdb.DB
	eng *engineRun
}

func (d *reconnectDesk) close() {
	d.eng.stop()
	d.db.Close()
}

// twoDesks opens two desk stores in dir, signs the demo shop's owner and agent in at url and
// runs their engines until both have caught up.
func twoDesks(ctx context.Context, url, dir string) (*reconnectDesk, *reconnectDesk, error) {
	var desks []*reconnectDesk
	for i, staff := range []string{demostore.Owner, demostore.Agent} {
		token, st, err := loginAs(ctx, url, staff)
		if err != nil {
			return nil, nil, err
		}
		db, err := localdb.Open(localdb.Options{Dir: filepath.Join(dir, fmt.Sprintf("desk%d", i+1))})
		if err != nil {
			return nil, nil, err
		}
		eng, err := startEngine(ctx, db, url, token, st.Number)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		d := &reconnectDesk{db: db, eng: eng}
		if err := eng.waitFor(ctx, catchUpTimeout, "the desk's first sync", caughtUp); err != nil {
			d.close()
			return nil, nil, err
		}
		desks = append(desks, d)
	}
	return desks[0], desks[1], nil
}

// roundTimes are one restart's figures, from the server answering again.
type roundTimes struct{ online, noted time.Duration }

// restartRound kills the server, waits for both desks to go offline, records a note on the
// first, waits offline, restarts the server and times the desks' return.
func restartRound(ctx context.Context, proc *testkit.Store, first, second *reconnectDesk, orderID string, round int, offline time.Duration) (roundTimes, error) {
	var rt roundTimes
	proc.Kill()
	for _, d := range []*reconnectDesk{first, second} {
		if err := d.eng.waitFor(ctx, reconnectTimeout, "the desk to see the server gone",
			func(s kefusync.Status) bool { return s.State == kefusync.StateOffline }); err != nil {
			return rt, err
		}
	}
	note := shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagYellow, Text: fmt.Sprintf("断网时写的备注 #%d", round+1), Reason: "核对"}
	m, err := shop.NewMutation(shop.KindOrderNote, orderID, demostore.Owner, time.Now(), note)
	if err != nil {
		return rt, err
	}
	if _, err := first.db.Apply(m); err != nil {
		return rt, fmt.Errorf("recording the offline note: %w", err)
	}
	first.eng.eng.Kick() // as the desk does after every action
	select {
	case <-ctx.Done():
		return rt, ctx.Err()
	case <-time.After(offline):
	}

	if err := proc.Spawn(); err != nil {
		return rt, err
	}
	back, err := answeringAgain(ctx, proc.URL(), reconnectTimeout)
	if err != nil {
		return rt, fmt.Errorf("%w: %s", err, tail(proc.LogPath()))
	}
	if err := first.eng.waitFor(ctx, reconnectTimeout, "the first desk online", func(s kefusync.Status) bool {
		return s.State == kefusync.StateOnline
	}); err != nil {
		return rt, err
	}
	rt.online = time.Since(back)
	if err := second.eng.waitFor(ctx, reconnectTimeout, "the note on the second desk", func(kefusync.Status) bool {
		return hasNote(second.db, orderID, note.NoteID)
	}); err != nil {
		return rt, err
	}
	rt.noted = time.Since(back)
	// Both settled before the next kill: the first desk's outbox empty, the second online.
	for _, d := range []*reconnectDesk{first, second} {
		if err := d.eng.waitFor(ctx, reconnectTimeout, "the desk caught up", caughtUp); err != nil {
			return rt, err
		}
	}
	return rt, nil
}

// answeringAgain polls url's /healthz every healthPoll until it answers 200 and returns when
// it first did.
func answeringAgain(ctx context.Context, url string, timeout time.Duration) (time.Time, error) {
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+storeapi.PathHealth, nil)
		if err != nil {
			return time.Time{}, err
		}
		if resp, err := hc.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(healthPoll):
		}
	}
	return time.Time{}, fmt.Errorf("kefu-store did not answer /healthz within %v after its restart: %w", timeout, errTimeout)
}

// hasNote reports whether db holds note noteID of order orderID.
func hasNote(db *localdb.DB, orderID, noteID string) bool {
	notes, err := db.Notes(orderID)
	if err != nil {
		return false
	}
	for _, n := range notes {
		if n.ID == noteID {
			return true
		}
	}
	return false
}

// errNoStore: the reconnect figures need the kefu-store binary.
var errNoStore = errors.New("no kefu-store binary")

// reconnectRows are the reconnect figures of a run, on a kefu-store of their own in the run's
// working directory.
func (r *runner) reconnectRows(ctx context.Context) []Figure {
	if r.bin.store == "" {
		return []Figure{failed(figReconnect, targetReconnect, errNoStore), failed(figReconnectNote, targetReconnectNote, errNoStore)}
	}
	return reconnectFigures(ctx, r.bin.store, r.path("reconnect"), reconnectRounds, r.logf)
}
