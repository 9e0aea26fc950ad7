// Package soak is the fault soak of Kefu Desk: one real kefu-store process and several desk
// sync engines (each with its own localdb on disk) make random mutations of every kind, online
// and offline, through Toxiproxy proxies that inject latency, bandwidth limits, timeouts,
// connection resets, sliced and cut streams, while the server process is killed with SIGKILL
// and restarted at random moments and the desks' clocks are skewed by up to an hour.
//
// When the run ends, faults stop, every desk drains its outbox and catches up with the feed,
// and the checks look for mutations the server never recorded (lost), effects applied twice
// (duplicated) and desks whose data differs from the server's (diverged). Run returns a Report
// with the counts; cmd/kefu-soak prints it (`make soak`), and a short run is part of `make test`.
//
// Nothing is mocked: the server is the kefu-store binary on loopback, the proxies are Toxiproxy
// in this process, the desks are localdb stores in temporary directories synced by sync.Engine.
package soak

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"kefu/demostore"
)

// Defaults of Config.
const (
	DefaultDuration     = 10*time.Minute + 30*time.Second
	DefaultDesks        = 3
	DefaultKillMin      = 5 * time.Second
	DefaultKillMax      = 40 * time.Second
	DefaultFaultGapMin  = 1 * time.Second
	DefaultFaultGapMax  = 12 * time.Second
	DefaultFaultHoldMin = 1 * time.Second
	DefaultFaultHoldMax = 10 * time.Second
	DefaultPause        = 150 * time.Millisecond
	DefaultResetEvery   = 3 * time.Minute
	DefaultRestartEvery = 4 * time.Minute
	DefaultDrainTimeout = 4 * time.Minute
	// MaxSkew bounds the desks' clock skew: each desk's clock is off by a fixed amount in
	// [-MaxSkew, +MaxSkew], plus a small drift.
	MaxSkew = time.Hour
)

// The demo shop's logins the desks use (see demostore). The third staff member is added
// by the soak; kefu-store wants at least 8 characters for a password it adds.
const (
	soakShop      = demostore.Shop
	soakStaff3    = "1003"
	soakPassword3 = "soak-pass-1003"
)

// Config configures Run. Zero fields take the defaults above.
type Config struct {
	// Duration is how long the desks make mutations under faults (the drain and the checks
	// come after it).
	Duration time.Duration
	// Desks is the number of desks (staff 1001, 1002, 1003, then 1001 again...).
	Desks int
	// Seed seeds every random choice; 0 picks one from the clock (the report shows it).
	Seed int64
	// Dir is the working directory (server data, desk data, logs). Empty: a temporary
	// directory, removed after a clean run and kept (and named in the report) otherwise.
	Dir string
	// StoreBin is the kefu-store binary (see BuildStore). Required.
	StoreBin string
	// Logf, if set, receives progress lines.
	Logf func(format string, args ...any)

	// KillMin and KillMax bound the time between two server kills.
	KillMin, KillMax time.Duration
	// FaultGapMin and FaultGapMax bound the pause between two faults of one desk's proxy;
	// FaultHoldMin and FaultHoldMax bound how long a fault lasts.
	FaultGapMin, FaultGapMax, FaultHoldMin, FaultHoldMax time.Duration
	// Pause is the mean pause between two mutations of one desk.
	Pause time.Duration
	// ResetEvery is about the time between two "re-download shop data" (ResetCache) of one
	// desk (between half and one and a half times it, preferably with mutations waiting).
	ResetEvery time.Duration
	// RestartEvery is about the time between two restarts of one desk (its store and engine
	// closed and opened again), like ResetEvery.
	RestartEvery time.Duration
	// DrainTimeout bounds the wait for the desks to empty their outboxes and catch up.
	DrainTimeout time.Duration

	// Postgres, when set, is the DSN of an empty PostgreSQL database: two kefu-store
	// processes serve it (desks alternate between them), both killed at random.
	Postgres string
	// RestartPostgres, when set with Postgres, restarts the database (dropping every
	// connection) every PGRestartMin to PGRestartMax during the fault phase.
	RestartPostgres            func() error
	PGRestartMin, PGRestartMax time.Duration
}

func (c *Config) fill() error {
	if c.StoreBin == "" {
		return errors.New("soak: Config.StoreBin is empty (see BuildStore)")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Duration, DefaultDuration)
	def(&c.KillMin, DefaultKillMin)
	def(&c.KillMax, DefaultKillMax)
	def(&c.FaultGapMin, DefaultFaultGapMin)
	def(&c.FaultGapMax, DefaultFaultGapMax)
	def(&c.FaultHoldMin, DefaultFaultHoldMin)
	def(&c.FaultHoldMax, DefaultFaultHoldMax)
	def(&c.Pause, DefaultPause)
	def(&c.ResetEvery, DefaultResetEvery)
	def(&c.RestartEvery, DefaultRestartEvery)
	def(&c.DrainTimeout, DefaultDrainTimeout)
	def(&c.PGRestartMin, DefaultPGRestartMin)
	def(&c.PGRestartMax, DefaultPGRestartMax)
	c.PGRestartMax = max(c.PGRestartMax, c.PGRestartMin)
	c.KillMax = max(c.KillMax, c.KillMin)
	c.FaultGapMax = max(c.FaultGapMax, c.FaultGapMin)
	c.FaultHoldMax = max(c.FaultHoldMax, c.FaultHoldMin)
	if c.Desks <= 0 {
		c.Desks = DefaultDesks
	}
	if c.Seed == 0 {
		c.Seed = time.Now().UnixNano()
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return nil
}

// between returns a random duration in [lo, hi].
func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rng.Int64N(int64(hi-lo)+1))
}

// sleep waits d or until ctx ends; it reports whether the full time passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Run runs the soak described by cfg and checks the result. The error is about the run itself
// (the server would not start, a desk never caught up, a local store failed); the Report holds
// what was found, and Report.OK says whether it is clean. A Report is returned with an error
// whenever the run got far enough to count something.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.fill(); err != nil {
		return Report{}, err
	}
	start := time.Now()
	tempDir := cfg.Dir == ""
	dir := cfg.Dir
	if tempDir {
		d, err := os.MkdirTemp("", "kefu-soak-")
		if err != nil {
			return Report{}, fmt.Errorf("soak: %w", err)
		}
		dir = d
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return Report{}, fmt.Errorf("soak: %w", err)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	r := &runner{cfg: cfg, dir: dir, logf: cfg.Logf,
		rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x50a6)), rec: newRecorder()}
	rep, err := r.run(ctx)
	rep.Seed, rep.Desks, rep.Dir, rep.Elapsed = cfg.Seed, cfg.Desks, dir, time.Since(start)
	if err != nil {
		rep.Failed = err.Error()
	}
	if err == nil && rep.OK() && tempDir {
		if rerr := os.RemoveAll(dir); rerr == nil {
			rep.Dir = ""
		}
	}
	return rep, err
}

// runner is one soak run.
type runner struct {
	cfg  Config
	dir  string
	logf func(string, ...any)
	rng  *rand.Rand // setup only; every goroutine gets its own

	store  *storeProc
	second *storeProc // the other server on the same PostgreSQL database; nil on Badger
	pg     *pgSide    // nil on Badger
	faults *faults
	desks  []*desk
	cust   *customers
	bridge *channelDriver // the API channel (channel.go)
	rec    *recorder
	base   *serverState // the shop before the first mutation

	dupMu      sync.Mutex
	dupAnswers int // pushes the server answered "duplicate" (scraped from /metrics)

	hung atomic.Bool // a call into a desk never returned: the run gives up on it

	complaintMu    sync.Mutex
	complaintCusts []string // customers with complaints, for complaint.move
}

// childRand gives a goroutine its own generator, derived from the seed.
func (r *runner) childRand() *rand.Rand {
	return rand.New(rand.NewPCG(r.rng.Uint64(), r.rng.Uint64()))
}

func (r *runner) run(ctx context.Context) (Report, error) {
	var rep Report
	if err := r.setup(ctx); err != nil {
		r.teardown()
		return rep, err
	}
	chaosStart := time.Now()
	err := r.chaos(ctx)
	rep.Duration = time.Since(chaosStart)
	if err == nil {
		err = r.drain(ctx)
	}
	if err == nil { // the channel's deliveries end, then the desks pull them
		if err = r.bridge.drain(ctx, r.cfg.DrainTimeout); err == nil {
			err = r.waitSynced(ctx, r.cfg.DrainTimeout)
		}
	}
	r.collect(&rep)
	if !r.hung.Load() {
		if stopErr := r.stopAll(); err == nil {
			err = stopErr
		}
	}
	if r.hung.Load() {
		// Calls into a desk are still running: do not wait for them, nor close the stores.
		r.faults.close()
		r.store.kill()
		if r.second != nil {
			r.second.kill()
		}
		return rep, err
	}
	if err != nil && !r.store.stopped() {
		r.teardown()
		return rep, err
	}
	if cerr := r.check(&rep); cerr != nil && err == nil {
		err = cerr
	}
	r.teardown()
	return rep, err
}

// setup makes the shop (with a third staff member), reads its first state, starts the server,
// the proxies and the desks, and waits for every desk's first full sync.
func (r *runner) setup(ctx context.Context) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	if r.cfg.Postgres != "" {
		r.pg = &pgSide{dsn: r.cfg.Postgres, restart: r.cfg.RestartPostgres}
	}
	r.store = &storeProc{bin: r.cfg.StoreBin, data: filepath.Join(r.dir, "server"), addr: addr,
		logPath: filepath.Join(r.dir, "server.log"), logf: r.logf, pg: r.pg}
	r.logf("soak: seed %d, %d desks, %s of faults; working in %s", r.cfg.Seed, r.cfg.Desks, r.cfg.Duration, r.dir)
	if err := r.store.start(ctx); err != nil {
		return err
	}
	if err := r.store.stop(); err != nil {
		return err
	}
	if err := r.store.admin(ctx, append([]string{"staff", "add", "--shop", soakShop, "--number", soakStaff3,
		"--name", "赵敏", "--role", "agent", "--password", soakPassword3}, r.store.storeArgs()...)...); err != nil {
		return err
	}
	base, err := r.store.read(nil)
	if err != nil {
		return fmt.Errorf("soak: reading the new shop: %w", err)
	}
	r.base = base
	for _, rec := range base.list {
		if rec.Type == "complaint" && !rec.Deleted {
			var c struct {
				CustomerID string `json:"customer_id"`
			}
			if rec.Decode(&c) == nil && c.CustomerID != "" {
				r.complaintCusts = append(r.complaintCusts, c.CustomerID)
			}
		}
	}
	r.logf("soak: shop %q has %d records; server at %s", soakShop, len(base.list), addr)
	if err := r.store.start(ctx); err != nil {
		return err
	}
	upstreams, err := r.startSecond(ctx)
	if err != nil {
		return err
	}
	r.faults, err = newFaults(r.cfg.Desks, upstreams...)
	if err != nil {
		return err
	}
	for i := range r.cfg.Desks {
		d, err := r.openDesk(ctx, i)
		if err != nil {
			return err
		}
		r.desks = append(r.desks, d)
	}
	r.cust = newCustomers("http://"+addr, r.childRand(), base)
	if r.bridge, err = newChannelDriver(ctx, "http://"+addr, r.childRand()); err != nil {
		return err
	}
	return r.waitSynced(ctx, 3*time.Minute)
}

// teardown stops whatever still runs (after a failure) and closes the desks' stores.
func (r *runner) teardown() {
	for _, d := range r.desks {
		d.stop()
		d.close()
	}
	if r.faults != nil {
		r.faults.close()
	}
	if r.store != nil {
		r.store.kill()
	}
	if r.bridge != nil {
		r.bridge.close()
	}
	if r.second != nil {
		r.second.kill()
	}
}
