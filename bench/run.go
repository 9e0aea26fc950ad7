package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"kefu/shop"
)

// Groups of figures, as Config.Groups names them; Run measures them in this order.
const (
	GroupFullSync = "fullsync" // first full sync: loopback, in-process limit, sync engine memory
	GroupWindow   = "window"   // the desk binary under Xvfb: cold start, memory
	GroupLocal    = "local"    // searches, opening a conversation, a note, on the large desk store
	GroupLive     = "live"     // a customer's message reaching a desk; an offline backlog draining; back online after a restart
	GroupServer   = "server"   // kefu-store throughput and 200 long-polling desks
	GroupBinary   = "binary"   // the stripped desk binary's size
	GroupKPI      = "kpi"      // the team's KPIs for a month, on the large desk store (kpi.go)
)

// Groups lists every group of figures.
var Groups = []string{GroupFullSync, GroupWindow, GroupLocal, GroupLive, GroupServer, GroupBinary, GroupKPI}

// Config configures Run.
type Config struct {
	Repo       string // the repository root (module kefu): the binaries are built from it
	CacheDir   string // where the large shop is kept between runs
	Go         string // the go command; "" means "go"
	Self       string // this program (for the sync-child subcommand); "" means os.Executable
	Regenerate bool   // make the cache again even when it is current
	// PrepareOnly builds the binaries and makes the cache, and measures nothing (so that Go
	// benchmarks on the cached desk store can run first).
	PrepareOnly bool
	Groups      []string // the groups to measure; empty means all
	// Screenshots, when set, is a directory where the window figures save a screenshot after
	// each section they open, to check what the desk showed.
	Screenshots string
	Log         io.Writer // progress messages; nil discards them
}

// runner is one run: its configuration, binaries, working directory and kefu-store process.
type runner struct {
	cfg   Config
	cache cache
	bin   struct{ desk, store string }
	// deskErr is why the desk binary did not build (nil when it did).
	deskErr error
	work    string // the run's working directory, removed at the end
	store   *storeProc
	token   string      // the demo owner's token on store
	staff   shop.Staff  // the demo owner
	sample  *deskSample // what the workloads pick from, read once from the large desk store
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.cfg.Log, time.Now().Format("15:04:05")+" "+format+"\n", args...)
}

// path names a file or directory in the run's working directory.
func (r *runner) path(name string) string { return filepath.Join(r.work, name) }

// Run measures the figures on the large shop: it builds the binaries, makes or reuses the
// cache (with PrepareOnly it stops there), serves a working copy of the cached store with a
// kefu-store process and measures each group, in the order of Groups. It returns the figures
// in the order of the table; a figure that could not be measured is returned with an
// empty Value and the reason in its Note. The error is for what stops the whole run (no
// binaries, no cache, no server). The run's logs stay in the cache's run directory.
func Run(ctx context.Context, cfg Config) ([]Figure, error) {
	if cfg.Go == "" {
		cfg.Go = "go"
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Self == "" {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("finding this program: %w", err)
		}
		cfg.Self = self
	}
	if len(cfg.Groups) == 0 {
		cfg.Groups = Groups
	}
	for _, g := range cfg.Groups {
		if !slices.Contains(Groups, g) {
			return nil, fmt.Errorf("unknown group %q; the groups are %s", g, strings.Join(Groups, ", "))
		}
	}
	if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the cache directory: %w", err)
	}
	r := &runner{cfg: cfg, cache: cache{dir: cfg.CacheDir}}
	if err := r.buildBinaries(ctx); err != nil {
		return nil, err
	}
	if err := r.prepare(ctx); err != nil {
		return nil, err
	}
	if cfg.PrepareOnly {
		return nil, nil
	}
	r.work = r.cache.runDir()
	if err := os.RemoveAll(r.work); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(r.work, 0o755); err != nil {
		return nil, err
	}
	defer r.cleanup()

	start := time.Now()
	if err := copyDir(r.cache.storeDir(), r.path("store")); err != nil {
		return nil, fmt.Errorf("copying the cached store: %w", err)
	}
	if err := copyDir(r.cache.deskDir(), r.path("large/desk")); err != nil {
		return nil, fmt.Errorf("copying the cached desk store: %w", err)
	}
	r.logf("copied the cached store and desk in %v", time.Since(start).Round(100*time.Millisecond))
	st, err := startStore(ctx, r.bin.store, r.path("store"), r.path("kefu-store.log"), false, startTimeout)
	if err != nil {
		return nil, fmt.Errorf("%w (if kefu-store's storage changed since the cache was made, run with --regenerate)", err)
	}
	r.store = st
	defer st.stop()
	if r.token, r.staff, err = st.login(ctx); err != nil {
		return nil, err
	}
	r.logf("kefu-store serves the large shop at %s", st.url)

	byGroup := map[string][]Figure{}
	for _, g := range Groups {
		if !slices.Contains(cfg.Groups, g) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r.logf("measuring %s", g)
		byGroup[g] = r.group(ctx, g)
	}
	var figs []Figure
	for _, g := range []string{GroupWindow, GroupLocal, GroupKPI, GroupFullSync, GroupLive, GroupServer, GroupBinary} {
		figs = append(figs, byGroup[g]...)
	}
	return figs, nil
}

// cleanup removes the run's data from its working directory and keeps the logs, which the
// notes of failed figures point to.
func (r *runner) cleanup() {
	entries, err := os.ReadDir(r.work)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".log") {
			os.RemoveAll(filepath.Join(r.work, e.Name()))
		}
	}
}

// group measures one group of figures.
func (r *runner) group(ctx context.Context, g string) []Figure {
	switch g {
	case GroupFullSync:
		return r.fullSyncFigures(ctx)
	case GroupWindow:
		return r.windowFigures(ctx)
	case GroupLocal:
		return r.localFigures(ctx)
	case GroupLive:
		return r.liveFigures(ctx)
	case GroupServer:
		return r.serverFigures(ctx)
	case GroupBinary:
		return []Figure{r.binaryFigure()}
	case GroupKPI:
		return r.kpiFigures(ctx)
	}
	return nil
}

// ErrMissed is returned by the driver when a figure misses its target or was not measured.
var ErrMissed = errors.New("a figure misses its target")
