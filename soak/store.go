package soak

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"kefu/storeapi"
)

// BuildStore builds cmd/kefu-store (CGO_ENABLED=0, like `make store`) into dir and returns the
// binary's path. It runs the go command found on PATH from the module this package belongs to.
func BuildStore(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "kefu-store")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "kefu/cmd/kefu-store")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("soak: building kefu-store: %w\n%s", err, out)
	}
	return bin, nil
}

// freeAddr finds a free loopback port for the server. The server keeps it across restarts.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("soak: finding a free port: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr, nil
}

// storeProc is the kefu-store child process: always the same data directory and address.
type storeProc struct {
	bin, data, addr, logPath string
	logf                     func(string, ...any)
	pg                       *pgSide // nil: the shop is in Badger, in data

	mu       sync.Mutex
	gen      int // incremented by every spawn
	cmd      *exec.Cmd
	exited   chan struct{} // closed when cmd has exited
	kills    int
	graceful int // graceful restarts (SIGTERM)
	ups      int // successful starts
	down     bool
	downAt   time.Time
	downT    time.Duration // total time down (after a kill, until healthy again)
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
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return errors.New("soak: kefu-store is running already")
	}
	f, err := os.OpenFile(p.logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("soak: %w", err)
	}
	fmt.Fprintf(f, "---- soak: start at %s\n", time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.bin, append([]string{"--demo", "--addr", p.addr}, p.storeArgs()...)...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("soak: starting kefu-store: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		f.Close()
		close(exited)
	}()
	p.cmd, p.exited = cmd, exited
	p.gen++
	return nil
}

// waitHealthy polls /healthz until it answers 200, the process exits or timeout passes.
func (p *storeProc) waitHealthy(ctx context.Context, timeout time.Duration) error {
	p.mu.Lock()
	exited := p.exited
	p.mu.Unlock()
	if exited == nil {
		return errors.New("soak: kefu-store is not running")
	}
	deadline := time.Now().Add(timeout)
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		if _, err := healthSeq(ctx, hc, "http://"+p.addr); err == nil {
			p.mu.Lock()
			p.ups++
			if p.down {
				p.down = false
				p.downT += time.Since(p.downAt)
			}
			p.mu.Unlock()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("soak: kefu-store exited while starting (see %s)", p.logPath)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("soak: kefu-store did not answer /healthz within %s (see %s)", timeout, p.logPath)
		}
	}
}

// healthSeq asks /healthz for the server's newest published sequence number.
func healthSeq(ctx context.Context, hc *http.Client, base string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+storeapi.PathHealth, nil)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("healthz: %s", resp.Status)
	}
	var h storeapi.HealthResponse
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		return 0, err
	}
	return h.Seq, nil
}

// signal sends sig to the running process and waits up to wait for it to exit (forever for
// SIGKILL). It reports whether a process was running.
func (p *storeProc) signal(sig syscall.Signal, wait time.Duration) (bool, error) {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	if cmd == nil {
		return false, nil
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return true, fmt.Errorf("soak: signalling kefu-store: %w", err)
	}
	if wait > 0 {
		select {
		case <-exited:
		case <-time.After(wait):
			return true, fmt.Errorf("soak: kefu-store did not exit within %s after %v", wait, sig)
		}
	} else {
		<-exited
	}
	p.mu.Lock()
	p.cmd, p.exited = nil, nil
	p.mu.Unlock()
	return true, nil
}

// kill kills the server with SIGKILL (no shutdown of any kind) and waits for it to be gone.
func (p *storeProc) kill() bool {
	ran, _ := p.signal(syscall.SIGKILL, 0)
	if ran {
		p.mu.Lock()
		if !p.down {
			p.down, p.downAt = true, time.Now()
		}
		p.mu.Unlock()
	}
	return ran
}

// stop shuts the server down gracefully (SIGTERM), killing it if it takes more than 30 s.
func (p *storeProc) stop() error {
	ran, err := p.signal(syscall.SIGTERM, 30*time.Second)
	if err != nil && ran {
		p.kill()
	}
	return err
}

// stopped reports whether no server process runs.
func (p *storeProc) stopped() bool {
	if p == nil {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd == nil
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
	hc := &http.Client{Timeout: time.Second}
	lastGen, lastVal := -1, 0
	for sleep(ctx, 300*time.Millisecond) {
		p.mu.Lock()
		gen := p.gen
		p.mu.Unlock()
		v, err := p.metric(ctx, hc, `kefu_mutations_total{status="duplicate"}`)
		if err != nil {
			continue
		}
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

// metric reads one sample of the server's /metrics.
func (p *storeProc) metric(ctx context.Context, hc *http.Client, name string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+storeapi.PathMetrics, nil)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int(f), err
		}
	}
	return 0, nil
}
