package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"kefu/demostore"
	"kefu/localdb"
	kefusync "kefu/sync"
)

// The figures of the real desk binary, run under a private Xvfb.
const (
	figCold    = "desk cold start to window shown, large shop, as a ratio to the same binary on an empty data dir (Xvfb, median of 5 alternating pairs)"
	targetCold = "≤ 1.25"
	maxCold    = 1.25

	figSections    = "desk resident memory after opening every section on the large shop, minus the same on an empty data dir"
	targetSections = "≤ 80 MB"
	maxSections    = 80 * MB

	figDeskSync    = "peak resident memory of the desk during the first full sync of the large shop"
	targetDeskSync = "≤ 300 MB"
	maxDeskSync    = 300 * MB

	figBusy    = "longest time Fyne's goroutine is busy with one callback while stock search is typed into and a 500-customer bulk send runs, large shop"
	targetBusy = "≤ 16 ms"
	maxBusy    = 16.0 // ms

	coldRuns        = 5                       // measured starts per data directory (after one warm-up)
	unreachable     = "http://127.0.0.1:9"    // nothing listens there: the desk works offline
	firstPaint      = 2 * time.Second         // after the window shows, before the sections are opened
	sectionSettle   = 1500 * time.Millisecond // after each section is opened
	rssSettle       = 3 * time.Second         // after the last section, before reading VmRSS
	deskSyncTimeout = 15 * time.Minute
	deskStopTimeout = 10 * time.Second
	warmLinger      = 15 * time.Second // after the sections of the warming run, for what they started

	busyBulk       = 500             // customers the bulk send goes to
	busyTimeout    = 3 * time.Minute // for the plan and the send
	busyPoll       = 50 * time.Millisecond
	busyTyping     = 60                     // ms between two typed keys (xdotool type --delay)
	busyProbeWrite = 200 * time.Millisecond // how often the probe rewrites its report
)

// errNotTimed is the busy figure's failure when the desk's probe timed none of its callbacks
// (a desk binary without the timer).
var errNotTimed = errors.New("the desk's busy probe timed no callback")

// busyQueries are typed into the stock search, one after the other, while the bulk send runs:
// pinyin initials, full pinyin, an SKU prefix.
var busyQueries = []string{"etwt", "txu", "chenshan", "SKU-1", "wt"}

// The desk's sign-in memory (desk.go, package main): the shop and the staff member are kept as
// local store settings, the token by sync.Credentials in the local store's directory.
const (
	metaSignInShop  = "signin.shop"
	metaSignInStaff = "signin.staff"
)

// sectionKeys open every section of the desk (screens: Ctrl+1…Ctrl+5), ending on Chat.
var sectionKeys = []string{"ctrl+2", "ctrl+3", "ctrl+4", "ctrl+5", "ctrl+1"}

// windowFigures runs the desk binary under Xvfb: cold starts on the large and on an empty data
// directory (both signed in, server unreachable, so only local work counts), with every section
// opened after each start; then a first full sync from the kefu-store process into a new data
// directory.
func (r *runner) windowFigures(ctx context.Context) []Figure {
	all := func(err error) []Figure {
		return []Figure{failed(figCold, targetCold, err), failed(figSections, targetSections, err), failed(figDeskSync, targetDeskSync, err)}
	}
	if r.deskErr != nil {
		return all(r.deskErr)
	}
	x, err := startXvfb(ctx, r.path("xvfb.log"))
	if err != nil {
		return all(err)
	}
	defer x.stop()
	figs := r.coldFigures(ctx, x)
	if os.Getenv("KEFU_BENCH_COLD_ONLY") != "" { // while working on the start-up: its rows only
		return figs
	}
	figs = append(figs, r.busyFigure(ctx, x))
	return append(figs, r.deskSyncFigure(ctx, x))
}

// busyReport is what the desk's busy probe writes (profile.go, package main).
type busyReport struct {
	Measuring     bool           `json:"measuring"`
	CallbackMs    float64        `json:"callback_ms"`
	Callback      string         `json:"callback"`
	CallbackCPUMs float64        `json:"callback_cpu_ms"`
	CallbackCPU   string         `json:"callback_cpu"`
	Callbacks     int64          `json:"callbacks"`
	Top           []busyCallback `json:"top"`
	MaxMs         float64        `json:"max_ms"`
	Samples       int64          `json:"samples"`
	Queued        int            `json:"queued"`
	Sending       bool           `json:"sending"`
	Err           string         `json:"err,omitempty"`
}

// busyCallback is the longest run of the desk's callbacks of one name.
type busyCallback struct {
	Name     string  `json:"name"`
	MaxMs    float64 `json:"max_ms"`
	MaxCPUMs float64 `json:"max_cpu_ms"`
	Count    int64   `json:"count"`
}

// topText lists the longest callbacks of the report, for the log.
func (b busyReport) topText() string {
	var parts []string
	for _, c := range b.Top {
		parts = append(parts, fmt.Sprintf("%s %.1f ms, CPU %.1f ms (×%d)", c.Name, c.MaxMs, c.MaxCPUMs, c.Count))
	}
	return strings.Join(parts, ", ")
}

// readBusy reads the probe's last report (a zero report until it wrote one).
func readBusy(path string) busyReport {
	var rep busyReport
	if b, err := os.ReadFile(path); err == nil {
		json.Unmarshal(b, &rep)
	}
	return rep
}

// busyFigure starts the desk on a copy of the large data directory with its busy probe on,
// opens the stock section, starts the probe's 500-customer bulk send and types searches into
// the stock search box until the send is recorded; the figure is the most CPU time one of the
// screens' callbacks on Fyne's goroutine used meanwhile (the longest by the wall clock, and the
// longest wait of an empty fyne.Do, which also counts the painting, are in the note).
func (r *runner) busyFigure(ctx context.Context, x *xvfb) Figure {
	fail := func(err error) Figure { return failed(figBusy, targetBusy, err) }
	dir, err := r.coldDir("busy", true)
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	probe := r.path("busy-probe.json")
	os.Remove(probe + ".start")
	d, err := r.startDesk(x, dir, unreachable, r.work, "busy",
		"KEFU_BUSYPROBE="+probe, fmt.Sprintf("KEFU_BUSYPROBE_BULK=%d", busyBulk))
	if err != nil {
		return fail(err)
	}
	defer d.stop()
	win, err := x.waitWindow(ctx, d.cmd.Process.Pid, d.done)
	if err != nil {
		return fail(fmt.Errorf("%w: %s", err, tail(d.logPath)))
	}
	time.Sleep(firstPaint)
	if err := x.key(ctx, win, "ctrl+3"); err != nil {
		return fail(err)
	}
	time.Sleep(sectionSettle)
	if err := os.WriteFile(probe+".start", nil, 0o644); err != nil {
		return fail(err)
	}
	deadline := time.Now().Add(busyTimeout)
	wait := func(what string, cond func(busyReport) bool) (busyReport, error) {
		for {
			rep := readBusy(probe)
			if cond(rep) {
				return rep, nil
			}
			select {
			case <-d.done:
				return rep, fmt.Errorf("the desk exited: %s", tail(d.logPath))
			case <-ctx.Done():
				return rep, ctx.Err()
			case <-time.After(busyPoll):
			}
			if time.Now().After(deadline) {
				return rep, fmt.Errorf("%s within %v: %w", what, busyTimeout, errTimeout)
			}
		}
	}
	rep, err := wait("no bulk send planned", func(b busyReport) bool { return b.Measuring })
	if err != nil {
		return fail(err)
	}
	if rep.Err != "" || rep.Queued < busyBulk {
		return fail(fmt.Errorf("the probe's bulk send: %d messages, %s", rep.Queued, rep.Err))
	}
	typed := 0
	for typed < len(busyQueries) || readBusy(probe).Sending {
		q := busyQueries[typed%len(busyQueries)]
		if err := x.key(ctx, win, "ctrl+f"); err != nil {
			return fail(err)
		}
		if _, err := x.xdotool(ctx, "type", "--delay", fmt.Sprint(busyTyping), q); err != nil {
			return fail(fmt.Errorf("typing %q: %w", q, err))
		}
		if err := x.key(ctx, win, "Escape"); err != nil {
			return fail(err)
		}
		typed++
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("the bulk send was not recorded within %v: %w", busyTimeout, errTimeout))
		}
	}
	time.Sleep(2 * busyProbeWrite) // the probe's last samples
	rep = readBusy(probe)
	r.logf("busy: longest callback %.1f ms (%s), most CPU in one %.1f ms (%s), of %d; longest wait of an empty fyne.Do %.1f ms over %d samples; %d searches typed; longest by name: %s",
		rep.CallbackMs, rep.Callback, rep.CallbackCPUMs, rep.CallbackCPU, rep.Callbacks, rep.MaxMs, rep.Samples, typed, rep.topText())
	if rep.Callbacks == 0 {
		return fail(errNotTimed)
	}
	// The figure is the CPU time: on a shared machine the wall clock also counts the time
	// the OS gave other processes while a callback ran (it is in the note).
	value, valueOf, clock := rep.CallbackCPUMs, rep.CallbackCPU, "CPU time of Fyne's thread"
	if value == 0 { // no thread CPU clock: the wall clock
		value, valueOf, clock = rep.CallbackMs, rep.Callback, "wall clock"
	}
	return Figure{Name: figBusy, Value: fmt.Sprintf("%.1f ms", value), Target: targetBusy, Pass: value <= maxBusy,
		Note: fmt.Sprintf("%s, longest of %d callbacks (%s); wall clock %.1f ms (%s); an empty fyne.Do waited up to %.1f ms (%d samples; counts painting, software GL under Xvfb); %d stock searches typed during a %d-customer bulk send; KEFU_BUSYPROBE",
			clock, rep.Callbacks, valueOf, rep.CallbackMs, rep.Callback, rep.MaxMs, rep.Samples, typed, rep.Queued)}
}

// coldDir makes a data directory for one cold start, signed in, with the server unreachable:
// a fresh copy of the cached large desk store, or an empty store.
func (r *runner) coldDir(label string, large bool) (string, error) {
	dir := r.path(filepath.Join("cold", label))
	if large {
		if err := copyDir(r.cache.deskDir(), filepath.Join(dir, "desk")); err != nil {
			return "", err
		}
	}
	return dir, presign(dir, unreachable, "offline-token", r.staff.Number, r.staffJSON())
}

func (r *runner) staffJSON() string {
	b, _ := json.Marshal(r.staff)
	return string(b)
}

// presign makes data directory dir open straight to the desk, signed in as the demo shop's
// staff member: the settings the desk keeps after a sign-in, and the token in the credentials
// file (no OS keyring).
func presign(dir, serverURL, token, staff, staffJSON string) error {
	store := filepath.Join(dir, "desk")
	db, err := localdb.Open(localdb.Options{Dir: store})
	if err != nil {
		return err
	}
	err = db.SetMeta(metaSignInShop, demostore.Shop)
	if err == nil {
		err = db.SetMeta(metaSignInStaff, staffJSON)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("signing the desk in: %w", err)
	}
	c := kefusync.Credentials{Dir: store, Server: serverURL, Shop: demostore.Shop, Staff: staff, FileOnly: true}
	if err := c.SaveToken(token); err != nil {
		return fmt.Errorf("signing the desk in: %w", err)
	}
	return nil
}

// coldFigures starts the desk alternately on an empty and on the large data directory (after
// one warm-up start, which fills the shader and font caches), each time on a fresh copy of the
// data (the large one as the cache keeps it: synced, used once, compacted); it times exec until
// the window is visible, then opens every section and reads the resident memory.
func (r *runner) coldFigures(ctx context.Context, x *xvfb) []Figure {
	fail := func(err error) []Figure {
		return []Figure{failed(figCold, targetCold, err), failed(figSections, targetSections, err)}
	}
	run := func(label string, large bool) (coldStart, error) {
		dir, err := r.coldDir(label, large)
		if err != nil {
			return coldStart{}, err
		}
		defer os.RemoveAll(dir)
		return r.coldRun(ctx, x, dir, label)
	}
	if _, err := run("warmup", false); err != nil {
		return fail(fmt.Errorf("warm-up start: %w", err))
	}
	var startE, startL, cpuE, cpuL, readyE, readyL Samples
	var memsE, memsL []ProcMem
	for i := range coldRuns {
		for _, large := range []bool{false, true} {
			label := fmt.Sprintf("empty-%d", i)
			if large {
				label = fmt.Sprintf("large-%d", i)
			}
			cs, err := run(label, large)
			if err != nil {
				return fail(fmt.Errorf("%s: %w", label, err))
			}
			if large {
				startL, cpuL, memsL, readyL = append(startL, cs.wall), append(cpuL, cs.cpu), append(memsL, cs.mem), append(readyL, cs.ready)
			} else {
				startE, cpuE, memsE, readyE = append(startE, cs.wall), append(cpuE, cs.cpu), append(memsE, cs.mem), append(readyE, cs.ready)
			}
		}
	}
	ratios := pairRatios(startL, startE)
	ratio := median(ratios)
	memE, memL := medianMem(memsE), medianMem(memsL)
	delta := memL.RSS - memE.RSS
	deltas := make([]float64, len(memsL))
	for i := range memsL {
		deltas[i] = float64(memsL[i].RSS-memsE[i].RSS) / MB
	}
	r.logf("cold start: large %v (CPU %v), empty %v (CPU %v); ratio of each pair %.2f; desk shown (its screens in the window) large %v, empty %v; RSS after sections: large %s, empty %s; large minus empty of each pair %.1f MB",
		startL, cpuL, startE, cpuE, ratios, readyL, readyE, fmtMB(memL.RSS), fmtMB(memE.RSS), deltas)
	return []Figure{
		{Name: figCold, Value: fmt.Sprintf("%.2f", ratio), Target: targetCold, Pass: ratio <= maxCold,
			Note: fmt.Sprintf("median ratio of %d pairs of starts (empty, then large), spread %.2f–%.2f; large %s (%s–%s, %s of CPU by then), empty %s (%s–%s, %s of CPU); exec until xdotool sees the window; the desk's screens were in it after %s (large) and %s (empty); server unreachable; each start on a fresh copy of the data",
				coldRuns, slices.Min(ratios), slices.Max(ratios),
				fmtMs(startL.Median()), fmtMs(slices.Min(startL)), fmtMs(slices.Max(startL)), fmtMs(cpuL.Median()),
				fmtMs(startE.Median()), fmtMs(slices.Min(startE)), fmtMs(slices.Max(startE)), fmtMs(cpuE.Median()),
				fmtMs(readyL.Median()), fmtMs(readyE.Median()))},
		{Name: figSections, Value: fmtMB(delta), Target: targetSections, Pass: delta <= maxSections,
			Note: fmt.Sprintf("VmRSS after Ctrl+2…5, Ctrl+1 (median of %d): large %s (%s anonymous, %s file pages), empty %s (%s anonymous, %s file pages); large minus empty of each pair %.0f–%.0f MB",
				coldRuns, fmtMB(memL.RSS), fmtMB(memL.Anon), fmtMB(memL.File), fmtMB(memE.RSS), fmtMB(memE.Anon), fmtMB(memE.File),
				slices.Min(deltas), slices.Max(deltas))},
	}
}

// pairRatios is large[i]/empty[i] for each pair of starts.
func pairRatios(large, empty Samples) []float64 {
	out := make([]float64, min(len(large), len(empty)))
	for i := range out {
		out[i] = float64(large[i]) / float64(empty[i])
	}
	return out
}

// median is the middle value (the lower middle of an even number); 0 for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// medianMem is the measurement with the median RSS.
func medianMem(ms []ProcMem) ProcMem {
	s := slices.Clone(ms)
	slices.SortFunc(s, func(a, b ProcMem) int { return cmp.Compare(a.RSS, b.RSS) })
	return s[(len(s)-1)/2]
}

// coldRun starts the desk on data directory dir with an unreachable server, returns the time
// from exec until its window is visible and, after every section was opened, its memory.
func (r *runner) coldRun(ctx context.Context, x *xvfb, dir, label string) (coldStart, error) {
	ready := filepath.Join(r.work, "ready-"+label)
	os.Remove(ready)
	env := []string{"KEFU_READYFILE=" + ready}
	// KEFU_BENCH_PROFILES=DIR: a CPU profile of each start's first 15 s and a heap profile after
	// its sections, in DIR (to find what a start spends and keeps).
	if prof := os.Getenv("KEFU_BENCH_PROFILES"); prof != "" {
		env = append(env, "KEFU_MEMPROFILE="+filepath.Join(prof, "heap-"+label+".prof"), "KEFU_MEMPROFILE_SECONDS=12",
			"KEFU_CPUPROFILE="+filepath.Join(prof, "cpu-"+label+".prof"))
	}
	d, err := r.startDesk(x, dir, unreachable, r.work, label, env...)
	if err != nil {
		return coldStart{}, err
	}
	defer d.stop()
	win, err := x.waitWindow(ctx, d.cmd.Process.Pid, d.done)
	if err != nil {
		return coldStart{}, fmt.Errorf("%w: %s", err, tail(d.logPath))
	}
	cs := coldStart{wall: time.Since(d.started)}
	if cs.cpu, err = ProcCPU(d.cmd.Process.Pid); err != nil {
		return coldStart{}, err
	}
	cs.ready = waitReady(ctx, ready, d)
	if err := r.openSections(ctx, x, win, label); err != nil {
		return coldStart{}, err
	}
	time.Sleep(rssSettle)
	if cs.mem, err = ReadProcMem(d.cmd.Process.Pid); err != nil {
		return coldStart{}, err
	}
	return cs, nil
}

// coldStart is what one cold start measured.
type coldStart struct {
	wall time.Duration // exec until the window was visible
	cpu  time.Duration // CPU time the desk had used by then
	mem  ProcMem       // memory after every section was opened
	// ready is exec until the desk's screens were in the window (KEFU_READYFILE), 0 when the
	// desk did not say within readyTimeout.
	ready time.Duration
}

// readyTimeout bounds the wait for the desk's screens after the window showed.
const readyTimeout = 30 * time.Second

// waitReady waits until the desk wrote its ready file (KEFU_READYFILE: the wall clock when its
// screens were in the window, Unix nanoseconds) and returns the time from exec until then; 0
// if it did not within readyTimeout.
func waitReady(ctx context.Context, path string, d *deskProc) time.Duration {
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil {
			var ns int64
			if _, err := fmt.Sscan(string(b), &ns); err == nil {
				return time.Unix(0, ns).Sub(d.started)
			}
		}
		select {
		case <-d.done:
			return 0
		case <-ctx.Done():
			return 0
		case <-time.After(20 * time.Millisecond):
		}
	}
	return 0
}

// openSections waits for the first paint, then opens every section of the desk in window win,
// giving each time to load (and saving a screenshot of each when asked to).
func (r *runner) openSections(ctx context.Context, x *xvfb, win, label string) error {
	time.Sleep(firstPaint)
	for _, k := range sectionKeys {
		if err := x.key(ctx, win, k); err != nil {
			return err
		}
		time.Sleep(sectionSettle)
		if r.cfg.Screenshots != "" {
			x.screenshot(ctx, filepath.Join(r.cfg.Screenshots, label+"-"+k+".png"))
		}
	}
	return nil
}

// warm uses the cached desk store the way a staff member does on the first day, so that the
// measurements start from a desk that has been used, not from one that has only synced: the
// desk binary opens every section (the local store builds some indexes on first use), then
// settle (twice) lets Badger's compaction finish and closes the store cleanly.
func (r *runner) warm(ctx context.Context) (err error) {
	c := r.cache
	scratch := filepath.Join(c.dir, "warm")
	if err := os.RemoveAll(scratch); err != nil {
		return err
	}
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return err
	}
	store := filepath.Join(scratch, "desk")
	if err := os.Rename(c.deskDir(), store); err != nil {
		return err
	}
	defer func() {
		if rerr := os.Rename(store, c.deskDir()); rerr != nil && err == nil {
			err = rerr
		}
		if err == nil {
			os.RemoveAll(scratch)
		}
	}()
	staff, staffJSON, err := deskOwner(store)
	if err != nil {
		return err
	}
	if err := presign(scratch, unreachable, "offline-token", staff, staffJSON); err != nil {
		return err
	}
	x, err := startXvfb(ctx, filepath.Join(scratch, "xvfb.log"))
	if err != nil {
		return err
	}
	defer x.stop()
	d, err := r.startDesk(x, scratch, unreachable, scratch, "warm")
	if err != nil {
		return err
	}
	defer d.stop()
	win, err := x.waitWindow(ctx, d.cmd.Process.Pid, d.done)
	if err != nil {
		return fmt.Errorf("%w: %s", err, tail(d.logPath))
	}
	if err := r.openSections(ctx, x, win, "warm"); err != nil {
		return err
	}
	time.Sleep(warmLinger)
	d.stop()
	// Twice: the desk's close compacted level 0 into the level below it (localdb compacts L0
	// at close), which may overflow; the first settle lets those levels compact, and its close
	// compacts what it wrote, the second finds the store at rest, as a desk that has been
	// opened and closed a few times leaves it.
	if err := settle(ctx, store); err != nil {
		return err
	}
	return settle(ctx, store)
}

// deskOwner is the demo shop's owner as the desk store holds it: staff number and JSON.
func deskOwner(store string) (string, string, error) {
	db, err := localdb.Open(localdb.Options{Dir: store})
	if err != nil {
		return "", "", err
	}
	defer db.Close()
	staff, err := db.StaffList()
	if err != nil {
		return "", "", err
	}
	for _, s := range staff {
		if s.Number == demostore.Owner {
			b, err := json.Marshal(s)
			return s.Number, string(b), err
		}
	}
	return "", "", fmt.Errorf("no staff %s in the desk store: %w", demostore.Owner, errEmptyDesk)
}

// deskSyncFigure starts the desk on a new data directory, signed in to the kefu-store process,
// and waits until it has pulled the whole shop and long-polls (the server's long-poll gauge),
// then reads the desk's peak resident memory.
func (r *runner) deskSyncFigure(ctx context.Context, x *xvfb) Figure {
	fail := func(err error) Figure { return failed(figDeskSync, targetDeskSync, err) }
	dir := r.path("desksync")
	if err := presign(dir, r.store.url, r.token, r.staff.Number, r.staffJSON()); err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	d, err := r.startDesk(x, dir, r.store.url, r.work, "desksync")
	if err != nil {
		return fail(err)
	}
	defer d.stop()
	w := watchMem(d.cmd.Process.Pid)
	defer w.finish()
	deadline := time.Now().Add(deskSyncTimeout)
	for {
		v, err := r.store.gauge(ctx, "kefu_longpoll_waiting")
		if err != nil {
			return fail(err)
		}
		if v >= 1 {
			break
		}
		select {
		case <-d.done:
			return fail(fmt.Errorf("the desk exited during the sync: %s", tail(d.logPath)))
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("the desk did not finish its first full sync within %v: %w", deskSyncTimeout, errTimeout))
		}
	}
	took := time.Since(d.started)
	mem, err := ReadProcMem(d.cmd.Process.Pid)
	anon, file := w.finish()
	if err != nil {
		return fail(err)
	}
	return Figure{Name: figDeskSync, Value: fmtMB(mem.Peak), Target: targetDeskSync, Pass: mem.Peak <= maxDeskSync,
		Note: fmt.Sprintf("VmHWM of the desk (window on Chat) when it first long-polled, %s after exec; %s", fmtSec(took), split(anon, file))}
}

// deskProc is a running desk binary.
type deskProc struct {
	cmd     *exec.Cmd
	started time.Time
	done    chan struct{}
	logPath string
}

// startDesk runs the desk binary on the X display with data directory dir, in Chinese, with
// its config, cache and shader-cache directories in scratch, and no D-Bus (so no OS keyring:
// the token comes from the credentials file at once), and the further environment variables
// env. Its output goes to scratch/desk-LABEL.log.
func (r *runner) startDesk(x *xvfb, dir, serverURL, scratch, label string, env ...string) (*deskProc, error) {
	logPath := filepath.Join(scratch, "desk-"+label+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(r.bin.desk, "--server", serverURL, "--data", dir, "--lang", "zh")
	cmd.Env = append(filterEnv(os.Environ(), "DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
		"MESA_SHADER_CACHE_DIR", "LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"),
		"DISPLAY="+x.display,
		"LANG=zh_CN.UTF-8",
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(scratch, "no-dbus"),
		"XDG_CONFIG_HOME="+filepath.Join(scratch, "xdg/config"),
		"XDG_CACHE_HOME="+filepath.Join(scratch, "xdg/cache"),
		"MESA_SHADER_CACHE_DIR="+filepath.Join(scratch, "xdg/mesa"))
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	d := &deskProc{cmd: cmd, done: make(chan struct{}), logPath: logPath}
	d.started = time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting the desk: %w", err)
	}
	go func() {
		cmd.Wait()
		logf.Close()
		close(d.done)
	}()
	return d, nil
}

// stop ends the desk (SIGTERM, then SIGKILL) and waits for it.
func (d *deskProc) stop() {
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(deskStopTimeout):
		d.cmd.Process.Kill()
		<-d.done
	}
}

// filterEnv drops the named variables from env.
func filterEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || k == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
