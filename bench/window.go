package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"kefu/localdb"
	"kefu/server"
	kefusync "kefu/sync"
)

// The figures of the real desk binary, run under a private Xvfb.
const (
	figCold    = "desk cold start to window shown, large shop, as a ratio to the same binary on an empty data dir (Xvfb, one run)"
	targetCold = "≤ 1.25"
	maxCold    = 1.25

	figSections    = "desk resident memory after opening every section on the large shop, minus the same on an empty data dir"
	targetSections = "≤ 80 MB"
	maxSections    = 80 * MB

	figDeskSync    = "peak resident memory of the desk during the first full sync of the large shop"
	targetDeskSync = "≤ 400 MB"
	maxDeskSync    = 400 * MB

	coldRuns        = 5                       // measured starts per data directory (after one warm-up)
	unreachable     = "http://127.0.0.1:9"    // nothing listens there: the desk works offline
	firstPaint      = 2 * time.Second         // after the window shows, before the sections are opened
	sectionSettle   = 1500 * time.Millisecond // after each section is opened
	rssSettle       = 3 * time.Second         // after the last section, before reading VmRSS
	deskSyncTimeout = 15 * time.Minute
	deskStopTimeout = 10 * time.Second
)

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
	return append(figs, r.deskSyncFigure(ctx, x))
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
	err = db.SetMeta(metaSignInShop, server.DemoShop)
	if err == nil {
		err = db.SetMeta(metaSignInStaff, staffJSON)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("signing the desk in: %w", err)
	}
	c := kefusync.Credentials{Dir: store, Server: serverURL, Shop: server.DemoShop, Staff: staff, FileOnly: true}
	if err := c.SaveToken(token); err != nil {
		return fmt.Errorf("signing the desk in: %w", err)
	}
	return nil
}

// coldFigures starts the desk alternately on an empty and on the large data directory (after
// one warm-up start, which fills the shader and font caches), each time on a fresh copy, as
// the first start after a sync left it; it times exec until the window is visible, then opens
// every section and reads the resident memory.
func (r *runner) coldFigures(ctx context.Context, x *xvfb) []Figure {
	fail := func(err error) []Figure {
		return []Figure{failed(figCold, targetCold, err), failed(figSections, targetSections, err)}
	}
	run := func(label string, large bool) (time.Duration, ProcMem, error) {
		dir, err := r.coldDir(label, large)
		if err != nil {
			return 0, ProcMem{}, err
		}
		defer os.RemoveAll(dir)
		return r.coldRun(ctx, x, dir, label)
	}
	if _, _, err := run("warmup", false); err != nil {
		return fail(fmt.Errorf("warm-up start: %w", err))
	}
	var startE, startL Samples
	var memsE, memsL []ProcMem
	for i := range coldRuns {
		for _, large := range []bool{false, true} {
			label := fmt.Sprintf("empty-%d", i)
			if large {
				label = fmt.Sprintf("large-%d", i)
			}
			d, mem, err := run(label, large)
			if err != nil {
				return fail(fmt.Errorf("%s: %w", label, err))
			}
			if large {
				startL, memsL = append(startL, d), append(memsL, mem)
			} else {
				startE, memsE = append(startE, d), append(memsE, mem)
			}
		}
	}
	ratio := float64(startL.Median()) / float64(startE.Median())
	memE, memL := medianMem(memsE), medianMem(memsL)
	delta := memL.RSS - memE.RSS
	r.logf("cold start: large %v, empty %v; RSS after sections: large %s, empty %s",
		startL, startE, fmtMB(memL.RSS), fmtMB(memE.RSS))
	return []Figure{
		{Name: figCold, Value: fmt.Sprintf("%.2f", ratio), Target: targetCold, Pass: ratio <= maxCold,
			Note: fmt.Sprintf("median of %d starts each: large %s, empty %s (exec until xdotool sees the window; server unreachable; each start on a fresh copy of the data)",
				coldRuns, fmtMs(startL.Median()), fmtMs(startE.Median()))},
		{Name: figSections, Value: fmtMB(delta), Target: targetSections, Pass: delta <= maxSections,
			Note: fmt.Sprintf("VmRSS after Ctrl+2…5, Ctrl+1 (median of %d): large %s (%s anonymous, %s file pages), empty %s (%s anonymous, %s file pages)",
				coldRuns, fmtMB(memL.RSS), fmtMB(memL.Anon), fmtMB(memL.File), fmtMB(memE.RSS), fmtMB(memE.Anon), fmtMB(memE.File))},
	}
}

// medianMem is the measurement with the median RSS.
func medianMem(ms []ProcMem) ProcMem {
	s := slices.Clone(ms)
	slices.SortFunc(s, func(a, b ProcMem) int { return cmp.Compare(a.RSS, b.RSS) })
	return s[(len(s)-1)/2]
}

// coldRun starts the desk on data directory dir with an unreachable server, returns the time
// from exec until its window is visible and, after every section was opened, its memory.
func (r *runner) coldRun(ctx context.Context, x *xvfb, dir, label string) (time.Duration, ProcMem, error) {
	d, err := r.startDesk(x, dir, unreachable, label)
	if err != nil {
		return 0, ProcMem{}, err
	}
	defer d.stop()
	win, err := x.waitWindow(ctx, d.cmd.Process.Pid, d.done)
	if err != nil {
		return 0, ProcMem{}, fmt.Errorf("%w: %s", err, tail(d.logPath))
	}
	startup := time.Since(d.started)
	time.Sleep(firstPaint)
	for _, k := range sectionKeys {
		if err := x.key(ctx, win, k); err != nil {
			return 0, ProcMem{}, err
		}
		time.Sleep(sectionSettle)
		if r.cfg.Screenshots != "" {
			x.screenshot(ctx, filepath.Join(r.cfg.Screenshots, label+"-"+k+".png"))
		}
	}
	time.Sleep(rssSettle)
	mem, err := ReadProcMem(d.cmd.Process.Pid)
	if err != nil {
		return 0, ProcMem{}, err
	}
	return startup, mem, nil
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
	d, err := r.startDesk(x, dir, r.store.url, "desksync")
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

// startDesk runs the desk binary on the X display with data directory dir, in Chinese, in the
// run's own config, cache and shader-cache directories, with no D-Bus (so no OS keyring: the
// token comes from the credentials file at once).
func (r *runner) startDesk(x *xvfb, dir, serverURL, label string) (*deskProc, error) {
	logPath := r.path("desk-" + label + ".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(r.bin.desk, "--server", serverURL, "--data", dir, "--lang", "zh")
	cmd.Env = append(filterEnv(os.Environ(), "DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
		"MESA_SHADER_CACHE_DIR", "LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"),
		"DISPLAY="+x.display,
		"LANG=zh_CN.UTF-8",
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+r.path("no-dbus"),
		"XDG_CONFIG_HOME="+r.path("xdg/config"),
		"XDG_CACHE_HOME="+r.path("xdg/cache"),
		"MESA_SHADER_CACHE_DIR="+r.path("xdg/mesa"))
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
