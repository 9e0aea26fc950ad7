package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	gosync "sync"
	"time"

	"kefu/localdb"
	"kefu/shop"
	"kefu/storeapi"
	kefusync "kefu/sync"
)

// The first-full-sync figures.
const (
	figFullSync    = "first full sync of the large shop from kefu-store over loopback"
	targetFullSync = "≤ 45 s"
	maxFullSync    = 45 * time.Second

	figSyncRatio    = "first full sync speed / in-process limit (decode + the engine's bulk import of the same pages)"
	targetSyncRatio = "≥ 0.7"
	minSyncRatio    = 0.7

	figSyncRSS    = "peak resident memory of the sync engine alone (no window) during the first full sync"
	targetSyncRSS = "≤ 150 MB"
	maxSyncRSS    = 150 * MB

	figSyncAction    = "staff action during the first full sync, slowest wait"
	targetSyncAction = "≤ 500 ms"
	maxSyncAction    = 500 * time.Millisecond

	syncChildTimeout = 15 * time.Minute

	// syncActionEvery is how often the sync child's staff member writes an order note while
	// the first full sync runs (a busy staff member, not a flood).
	syncActionEvery = 200 * time.Millisecond
)

// SyncChildCommand is the hidden subcommand of the driver that runs one first full sync in a
// process of its own (SyncChild), so that its peak memory is the sync engine's alone.
const SyncChildCommand = "sync-child"

// syncChildResult is what SyncChild prints, as JSON.
type syncChildResult struct {
	Seconds float64 `json:"seconds"`  // from starting the engine until it was online (caught up)
	Cursor  int64   `json:"cursor"`   // the feed sequence the desk store reached
	PeakRSS int64   `json:"peak_rss"` // VmHWM of the process, in bytes, when the sync was done

	// The order notes written while the sync ran (--staff): how many, and the slowest one
	// (finding an order of what has arrived, reading it, and localdb.Apply of the note).
	Actions       int     `json:"actions"`
	Lookups       int     `json:"lookups"`        // look-ups that found no order yet (their wait counts too)
	SlowestAction float64 `json:"slowest_action"` // seconds
	ActionErr     string  `json:"action_err,omitempty"`

	// Sampled from outside by the parent (not printed by the child).
	MaxAnon int64 `json:"-"` // the most anonymous memory seen resident
	MaxFile int64 `json:"-"` // the most file pages seen resident
}

// SyncChild runs a first full sync the way the desk does, without a window: it opens (creates)
// the local store in --dir, runs the sync engine against --server with --token until the
// engine reports online (it has caught up with the feed), and prints a JSON object with the
// wall time, the cursor reached and the process's peak resident memory. It gives up after
// --timeout.
func SyncChild(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet(SyncChildCommand, flag.ContinueOnError)
	server := fs.String("server", "", "kefu-store URL")
	token := fs.String("token", "", "staff token")
	dir := fs.String("dir", "", "local store directory (new)")
	timeout := fs.Duration("timeout", syncChildTimeout, "give up after this long")
	staff := fs.String("staff", "", "when set, this staff member writes an order note every 200 ms during the sync")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *server == "" || *token == "" || *dir == "" {
		return errors.New("sync-child needs --server, --token and --dir")
	}
	db, err := localdb.Open(localdb.Options{Dir: *dir})
	if err != nil {
		return err
	}
	defer db.Close()
	online := make(chan struct{})
	var once gosync.Once
	var lastErr string
	var mu gosync.Mutex
	eng, err := kefusync.New(kefusync.Params{Store: db, BaseURL: *server, Token: *token,
		OnStatus: func(s kefusync.Status) {
			mu.Lock()
			lastErr = s.Err
			mu.Unlock()
			if s.State == kefusync.StateOnline {
				once.Do(func() { close(online) })
			}
		}})
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- eng.Run(runCtx) }()
	actions := make(chan syncActions, 1)
	stopActions := make(chan struct{})
	if *staff != "" {
		go func() { actions <- noteDuringSync(db, *staff, stopActions) }()
	} else {
		actions <- syncActions{}
	}
	defer func() {
		select {
		case <-stopActions:
		default:
			close(stopActions)
		}
	}()
	t := time.NewTimer(*timeout)
	defer t.Stop()
	select {
	case <-online:
	case err := <-done:
		return fmt.Errorf("the sync engine stopped: %v", err)
	case <-t.C:
		mu.Lock()
		defer mu.Unlock()
		return fmt.Errorf("no first full sync within %v (last error: %q)", *timeout, lastErr)
	}
	elapsed := time.Since(start)
	mem, err := ReadProcMem(0)
	if err != nil {
		return err
	}
	close(stopActions)
	acts := <-actions
	cancel()
	<-done
	cursor, err := db.Cursor()
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(syncChildResult{Seconds: elapsed.Seconds(), Cursor: cursor, PeakRSS: mem.Peak,
		Actions: acts.n, Lookups: acts.reads, SlowestAction: acts.slowest.Seconds(), ActionErr: acts.err})
}

// syncActions is what noteDuringSync did.
type syncActions struct {
	n       int // notes written
	reads   int // look-ups that found no order to write a note on
	slowest time.Duration
	err     string
}

// noteDuringSync writes an order note every syncActionEvery, as staff do while the first full
// sync runs, on an order of what has arrived so far, until stop is closed; it times each
// action from looking the order up to the note's Apply returning.
func noteDuringSync(db *localdb.DB, staff string, stop <-chan struct{}) syncActions {
	var res syncActions
	rng := newRand(6)
	tick := time.NewTicker(syncActionEvery)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return res
		case <-tick.C:
		}
		start := time.Now()
		orders, err := db.SearchOrders("", localdb.OrderFilter{}, 20)
		if err != nil {
			res.err = err.Error()
			return res
		}
		if len(orders) == 0 {
			// No order has arrived yet: the look-up was the staff member's action.
			res.reads++
			res.slowest = max(res.slowest, time.Since(start))
			continue
		}
		o := orders[rng.IntN(len(orders))]
		m, err := noteMutation(db, o.ID, staff, rng)
		if err == nil {
			var out shop.Outcome
			out, err = db.Apply(m)
			if err == nil && out.Conflict != nil {
				err = fmt.Errorf("note on %s: conflict: %s", o.ID, out.Conflict.Reason)
			}
		}
		if err != nil {
			res.err = err.Error()
			return res
		}
		res.n++
		res.slowest = max(res.slowest, time.Since(start))
	}
}

// syncChild runs SyncChild in a child process (this program's sync-child subcommand).
func (r *runner) syncChild(ctx context.Context, server, token, dir string) (syncChildResult, error) {
	return r.syncChildAs(ctx, server, token, "", dir)
}

// syncChildAs is syncChild with staff member staff writing order notes during the sync (none
// when staff is "").
func (r *runner) syncChildAs(ctx context.Context, server, token, staff, dir string) (syncChildResult, error) {
	ctx, cancel := context.WithTimeout(ctx, syncChildTimeout+time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, r.cfg.Self, SyncChildCommand, "--server", server, "--token", token, "--dir", dir,
		"--timeout", syncChildTimeout.String(), "--staff", staff)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		return syncChildResult{}, fmt.Errorf("sync child: %w", err)
	}
	w := watchMem(cmd.Process.Pid)
	err := cmd.Wait()
	anon, file := w.finish()
	if err != nil {
		return syncChildResult{}, fmt.Errorf("sync child: %w: %s", err, oneLine(errb.String()))
	}
	res := syncChildResult{MaxAnon: anon, MaxFile: file}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return syncChildResult{}, fmt.Errorf("sync child printed %q: %w", out.String(), err)
	}
	return res, nil
}

// fullSyncFigures measures the first full sync of the large shop from the kefu-store process
// (in a child process, which also gives the sync engine's peak memory), then the in-process
// limit of the same work: the same feed pages, fetched beforehand, decoded and stored into a
// fresh store as the engine does (the first page with localdb.ApplyChanges, the rest with a
// bulk import).
func (r *runner) fullSyncFigures(ctx context.Context) []Figure {
	res, err := r.syncChildAs(ctx, r.store.url, r.token, r.staff.Number, r.path("fullsync/desk"))
	if err != nil {
		return []Figure{failed(figFullSync, targetFullSync, err), failed(figSyncRatio, targetSyncRatio, err),
			failed(figSyncRSS, targetSyncRSS, err), failed(figSyncAction, targetSyncAction, err)}
	}
	loop := time.Duration(res.Seconds * float64(time.Second))
	size, _ := dirSize(r.path("fullsync/desk"))
	os.RemoveAll(r.path("fullsync"))
	r.logf("first full sync: %d records in %v, peak RSS %s", res.Cursor, loop.Round(time.Millisecond), fmtMB(res.PeakRSS))

	figs := []Figure{{Name: figFullSync, Value: fmtSec(loop), Target: targetFullSync, Pass: loop <= maxFullSync,
		Note: fmt.Sprintf("%d records (%.0f/s), sync engine with default pages of %d, desk store %s on disk",
			res.Cursor, float64(res.Cursor)/loop.Seconds(), kefusync.DefaultPullLimit, fmtMB(size))}}

	limit, pages, err := r.inProcessLimit(ctx)
	if err != nil {
		figs = append(figs, failed(figSyncRatio, targetSyncRatio, err))
	} else {
		ratio := limit.Seconds() / loop.Seconds()
		figs = append(figs, Figure{Name: figSyncRatio, Value: fmt.Sprintf("%.2f", ratio), Target: targetSyncRatio,
			Pass: ratio >= minSyncRatio, Note: fmt.Sprintf("in-process %s for the same %d pages (%.0f records/s)",
				fmtSec(limit), pages, float64(res.Cursor)/limit.Seconds())})
	}
	figs = append(figs, Figure{Name: figSyncRSS, Value: fmtMB(res.PeakRSS), Target: targetSyncRSS,
		Pass: res.PeakRSS <= maxSyncRSS, Note: "VmHWM of a process running only localdb and the sync engine; " + split(res.MaxAnon, res.MaxFile)})
	slowest := time.Duration(res.SlowestAction * float64(time.Second))
	switch {
	case res.ActionErr != "":
		figs = append(figs, failed(figSyncAction, targetSyncAction, errors.New(res.ActionErr)))
	case res.Actions+res.Lookups == 0:
		figs = append(figs, failed(figSyncAction, targetSyncAction, errors.New("no order had arrived to write a note on")))
	default:
		figs = append(figs, Figure{Name: figSyncAction, Value: fmtMs(slowest), Target: targetSyncAction, Pass: slowest <= maxSyncAction,
			Note: fmt.Sprintf("%d order notes (look-up, read, localdb.Apply) and %d look-ups before any order had arrived, one every %v, during the loopback sync above",
				res.Actions, res.Lookups, syncActionEvery)})
	}
	return figs
}

// inProcessLimit fetches the whole feed in the sync engine's page size into files (not timed),
// then times decoding each page and storing it in a fresh local store the way the sync engine
// does a first full sync: the first page with ApplyChanges, the others staged in a bulk import,
// which is finished after the last page.
func (r *runner) inProcessLimit(ctx context.Context) (time.Duration, int, error) {
	dir := r.path("pages")
	defer os.RemoveAll(dir)
	pages, err := fetchPages(ctx, r.store.url, r.token, dir)
	if err != nil {
		return 0, 0, err
	}
	db, err := localdb.Open(localdb.Options{Dir: r.path("inprocess")})
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(r.path("inprocess"))
	defer db.Close()
	var total time.Duration
	var bulk *localdb.BulkImport
	defer func() {
		if bulk != nil {
			bulk.Abort()
		}
	}()
	for i := range pages {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		b, err := os.ReadFile(pagePath(dir, i))
		if err != nil {
			return 0, 0, err
		}
		start := time.Now()
		var resp storeapi.ChangesResponse
		if err := json.Unmarshal(b, &resp); err != nil {
			return 0, 0, fmt.Errorf("page %d: %w", i, err)
		}
		switch {
		case i == 0:
			if err := db.ApplyChanges(resp.Changes, resp.Next); err != nil {
				return 0, 0, err
			}
			if resp.More {
				if bulk, err = db.BeginBulkImport(resp.Next); err != nil {
					return 0, 0, err
				}
			}
		default:
			if err := bulk.Add(resp.Changes, resp.Next); err != nil {
				return 0, 0, err
			}
			if !resp.More {
				err := bulk.Finish()
				bulk = nil
				if err != nil {
					return 0, 0, err
				}
			}
		}
		total += time.Since(start)
	}
	if bulk != nil {
		return 0, 0, fmt.Errorf("the feed's last page (%d of %d) says more follow", pages, pages)
	}
	return total, pages, nil
}

func pagePath(dir string, i int) string { return filepath.Join(dir, fmt.Sprintf("%05d.json", i)) }

// fetchPages saves the whole change feed, page by page (the sync engine's page size), as the
// server sends it. It returns the number of pages.
func fetchPages(ctx context.Context, server, token, dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	client := &http.Client{Timeout: time.Minute}
	after := int64(0)
	for i := 0; ; i++ {
		q := url.Values{"after": {strconv.FormatInt(after, 10)}, "limit": {strconv.Itoa(kefusync.DefaultPullLimit)}}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, server+storeapi.PathChanges+"?"+q.Encode(), nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return 0, fmt.Errorf("fetching the feed: %w", err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return 0, fmt.Errorf("fetching the feed: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("fetching the feed: %s: %s", resp.Status, oneLine(string(b)))
		}
		var page struct {
			Next int64 `json:"next"`
			More bool  `json:"more"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			return 0, fmt.Errorf("feed page %d: %w", i, err)
		}
		if err := os.WriteFile(pagePath(dir, i), b, 0o644); err != nil {
			return 0, err
		}
		if !page.More {
			return i + 1, nil
		}
		if page.Next <= after {
			return 0, fmt.Errorf("feed page %d does not advance (next %d after %d)", i, page.Next, after)
		}
		after = page.Next
	}
}
