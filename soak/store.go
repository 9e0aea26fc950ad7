package soak

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"time"

	"kefu/internal/testkit"
)

// BuildStore builds cmd/kefu-store (CGO_ENABLED=0, like `make store`) into dir and returns the
// binary's path (see testkit.BuildStore).
func BuildStore(ctx context.Context, dir string) (string, error) {
	bin, err := testkit.BuildStore(ctx, dir)
	if err != nil {
		return "", fmt.Errorf("soak: %w", err)
	}
	return bin, nil
}

// freeAddr finds a free loopback port for the server. The server keeps it across restarts.
func freeAddr() (string, error) {
	addr, err := testkit.FreeAddr()
	if err != nil {
		return "", fmt.Errorf("soak: %w", err)
	}
	return addr, nil
}

// storeProc is the kefu-store child process (a testkit.Store): always the same data directory
// and address, with the soak's counts of kills, restarts and time down.
type storeProc struct {
	bin, data, addr, logPath string
	logf                     func(string, ...any)
	pg                       *pgSide // nil: the shop is in Badger, in data

	once sync.Once
	proc *testkit.Store
	err  error

	mu       sync.Mutex
	kills    int
	graceful int // graceful restarts (SIGTERM)
	ups      int // successful starts
	down     bool
	downAt   time.Time
	downT    time.Duration // total time down (after a kill, until healthy again)
}

// store is the process runner, made on first use from the fields.
func (p *storeProc) store() (*testkit.Store, error) {
	p.once.Do(func() {
		args := []string{"--demo", "--allow-private-webhooks"}
		if p.pg != nil {
			args = append(args, "--postgres", p.pg.dsn) // --data still holds what is local
		}
		p.proc, p.err = testkit.NewStore(testkit.StoreOptions{Bin: p.bin, DataDir: p.data, Addr: p.addr,
			Args: args, LogPath: p.logPath, StartTimeout: 60 * time.Second, StopTimeout: 30 * time.Second})
		if p.err != nil {
			p.err = fmt.Errorf("soak: %w", p.err)
		}
	})
	return p.proc, p.err
}

// start starts the server (creating the demo shop if needed) and waits until /healthz answers.
func (p *storeProc) start(ctx context.Context) error {
	if p.pg != nil {
		p.pg.gate.RLock() // PostgreSQL does not restart while a server starts
		defer p.pg.gate.RUnlock()
	}
	if err := p.spawn(); err != nil {
		return err
	}
	return p.waitHealthy(ctx, 60*time.Second)
}

// spawn starts the process without waiting for it to serve.
func (p *storeProc) spawn() error {
	s, err := p.store()
	if err != nil {
		return err
	}
	if err := s.Spawn(); err != nil {
		return fmt.Errorf("soak: %w", err)
	}
	return nil
}

// waitHealthy waits until /healthz answers 200 (see testkit.Store.WaitHealthy) and counts the
// start, and the time down since a kill.
func (p *storeProc) waitHealthy(ctx context.Context, timeout time.Duration) error {
	s, err := p.store()
	if err != nil {
		return err
	}
	if err := s.WaitHealthy(ctx, timeout); err != nil {
		return fmt.Errorf("soak: %w", err)
	}
	p.mu.Lock()
	p.ups++
	if p.down {
		p.down = false
		p.downT += time.Since(p.downAt)
	}
	p.mu.Unlock()
	return nil
}

// kill kills the server with SIGKILL (no shutdown of any kind) and waits for it to be gone.
func (p *storeProc) kill() bool {
	s, err := p.store()
	if err != nil || !s.Kill() {
		return false
	}
	p.mu.Lock()
	if !p.down {
		p.down, p.downAt = true, time.Now()
	}
	p.mu.Unlock()
	return true
}

// stop shuts the server down gracefully (SIGTERM), killing it if it takes more than 30 s.
func (p *storeProc) stop() error {
	s, err := p.store()
	if err != nil {
		return err
	}
	if err := s.Stop(); err != nil {
		return fmt.Errorf("soak: %w", err)
	}
	return nil
}

// stopped reports whether no server process runs.
func (p *storeProc) stopped() bool {
	if p == nil {
		return true
	}
	s, err := p.store()
	return err != nil || !s.Running()
}

// admin runs a kefu-store management command (the server must be stopped).
func (p *storeProc) admin(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, p.bin, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("soak: kefu-store %s: %w\n%s", strings.Join(args[:2], " "), err, out)
	}
	return nil
}

// killer kills the server with SIGKILL at random moments until ctx ends, and restarts it on
// the same data directory and port: sometimes at once, sometimes after a few seconds down,
// sometimes twice in quick succession, sometimes while it is still starting; now and then it
// also restarts it gracefully (SIGTERM). It leaves the
// server running when it returns (unless it fails).
func (p *storeProc) killer(ctx context.Context, rng *rand.Rand, lo, hi time.Duration) error {
	for {
		if !sleep(ctx, between(rng, lo, hi)) {
			return nil
		}
		burst := 1
		if rng.IntN(4) == 0 {
			burst = 2 // twice quickly
		}
		for i := range burst {
			if i > 0 && !sleep(ctx, between(rng, 200*time.Millisecond, 2*time.Second)) {
				return nil
			}
			p.kill()
			p.mu.Lock()
			p.kills++
			p.mu.Unlock()
			p.logf("soak: server killed (SIGKILL)")
			if rng.IntN(3) == 0 {
				sleep(ctx, between(rng, time.Second, 5*time.Second)) // down for a while
			}
			if rng.IntN(6) == 0 {
				// Killed again while it opens its store and seeds.
				if err := p.spawn(); err != nil {
					return err
				}
				time.Sleep(between(rng, 20*time.Millisecond, 400*time.Millisecond))
				p.kill()
				p.mu.Lock()
				p.kills++
				p.mu.Unlock()
				p.logf("soak: server killed while starting")
			}
			if err := p.start(context.WithoutCancel(ctx)); err != nil {
				return err
			}
		}
		if rng.IntN(6) == 0 && sleep(ctx, between(rng, time.Second, 5*time.Second)) {
			// Now and then a graceful restart (an upgrade): SIGTERM with requests in flight.
			if err := p.stop(); err != nil {
				return err
			}
			p.mu.Lock()
			p.graceful++
			p.mu.Unlock()
			p.logf("soak: server restarted gracefully (SIGTERM)")
			if err := p.start(context.WithoutCancel(ctx)); err != nil {
				return err
			}
		}
	}
}

// stats returns the number of kills and of graceful restarts, and the total time the server
// was down after a kill.
func (p *storeProc) stats() (kills, graceful int, down time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.kills, p.graceful, p.downT
}

// duplicates scrapes the server's /metrics until ctx ends and counts the pushes it answered
// "duplicate" (a desk sent a mutation again after the first answer was lost). The counter
// starts at zero in every server process; what a process counted after its last scrape is
// missed, so the count is a lower bound.
func (p *storeProc) duplicates(ctx context.Context, total *int, mu *sync.Mutex) {
	s, err := p.store()
	if err != nil {
		return
	}
	hc := &http.Client{Timeout: time.Second}
	lastGen, lastVal := -1, 0
	for sleep(ctx, 300*time.Millisecond) {
		gen := s.Gen()
		f, err := testkit.ReadMetric(ctx, hc, s.URL(), `kefu_mutations_total{status="duplicate"}`)
		if errors.Is(err, testkit.ErrNoMetric) {
			f, err = 0, nil // nothing counted yet in this process
		}
		if err != nil {
			continue
		}
		v := int(f)
		mu.Lock()
		if gen != lastGen {
			lastGen, lastVal = gen, 0
		}
		if v > lastVal {
			*total += v - lastVal
			lastVal = v
		}
		mu.Unlock()
	}
}
