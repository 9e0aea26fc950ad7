package testkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"kefu/storeapi"
)

// Defaults of StoreOptions.
const (
	DefaultStartTimeout = time.Minute      // opening a data directory and seeding the small demo
	DefaultStopTimeout  = 30 * time.Second // a graceful shutdown before the process is killed
)

// Errors of the store runner.
var (
	// ErrStoreRunning: Spawn or Start was called while the process runs.
	ErrStoreRunning = errors.New("kefu-store is running already")
	// ErrStoreNotRunning: the call needs a running process.
	ErrStoreNotRunning = errors.New("kefu-store is not running")
	// ErrStoreExited: the process exited while it was waited on to serve.
	ErrStoreExited = errors.New("kefu-store exited")
)

// BuildStore builds cmd/kefu-store (CGO_ENABLED=0, like `make store`) into dir and returns the
// binary's path. It runs the go command found on PATH in the current directory, which must be
// inside the kefu module (a test's package directory is).
func BuildStore(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "kefu-store")
	tmp, err := os.CreateTemp(dir, "kefu-store-*.tmp")
	if err != nil {
		return "", fmt.Errorf("building kefu-store: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	cmd := exec.CommandContext(ctx, "go", "build", "-o", tmp.Name(), "kefu/cmd/kefu-store")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building kefu-store: %w\n%s", err, out)
	}
	// Renamed into place, so that processes building into the same directory at once never
	// run a half-written binary.
	if err := os.Rename(tmp.Name(), bin); err != nil {
		return "", fmt.Errorf("building kefu-store: %w", err)
	}
	return bin, nil
}

var storeBinary struct {
	once sync.Once
	path string
	err  error
}

// StoreBinary builds kefu-store once per process (see BuildStore) into a kefu/testkit folder
// of the user's cache directory (the system's temporary directory when there is none) and
// returns its path; later calls return the same binary. ctx bounds the first call's build.
func StoreBinary(ctx context.Context) (string, error) {
	storeBinary.once.Do(func() {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		dir := filepath.Join(base, "kefu", "testkit")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			storeBinary.err = fmt.Errorf("building kefu-store: %w", err)
			return
		}
		storeBinary.path, storeBinary.err = BuildStore(ctx, dir)
	})
	return storeBinary.path, storeBinary.err
}

// FreeAddr returns a loopback address (127.0.0.1:port) whose port was free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr, nil
}

// StoreOptions says how to run kefu-store.
type StoreOptions struct {
	Bin     string   // the kefu-store binary (see StoreBinary); required
	DataDir string   // its --data directory; required
	Addr    string   // its --addr; empty: a free loopback port (see FreeAddr), kept across restarts
	Args    []string // more flags, e.g. "--demo" or "--demo", "--demo-size", "large"
	LogPath string   // the process's stdout and stderr are appended here; empty: DataDir + ".log"
	// StartTimeout bounds how long Start waits for /healthz to answer (default
	// DefaultStartTimeout); StopTimeout how long Stop waits after SIGTERM before it kills
	// (default DefaultStopTimeout).
	StartTimeout, StopTimeout time.Duration
}

// Store runs kefu-store as a child process, always on the same data directory and address, so
// it can be killed and started again where desks expect it. Its methods may be called from any
// goroutine.
type Store struct {
	opt StoreOptions

	mu     sync.Mutex
	gen    int // incremented by every Spawn
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
}

// NewStore checks opt and picks the address; it starts nothing.
func NewStore(opt StoreOptions) (*Store, error) {
	if opt.Bin == "" || opt.DataDir == "" {
		return nil, errors.New("testkit: StoreOptions needs Bin and DataDir")
	}
	if opt.Addr == "" {
		addr, err := FreeAddr()
		if err != nil {
			return nil, fmt.Errorf("testkit: %w", err)
		}
		opt.Addr = addr
	}
	if opt.LogPath == "" {
		opt.LogPath = filepath.Clean(opt.DataDir) + ".log"
	}
	if opt.StartTimeout <= 0 {
		opt.StartTimeout = DefaultStartTimeout
	}
	if opt.StopTimeout <= 0 {
		opt.StopTimeout = DefaultStopTimeout
	}
	return &Store{opt: opt}, nil
}

// StartStore makes a Store (see NewStore) and starts it (see Start).
func StartStore(ctx context.Context, opt StoreOptions) (*Store, error) {
	s, err := NewStore(opt)
	if err != nil {
		return nil, err
	}
	if err := s.Start(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Addr is the server's host:port.
func (s *Store) Addr() string { return s.opt.Addr }

// URL is the server's base URL, http://host:port.
func (s *Store) URL() string { return "http://" + s.opt.Addr }

// Bin is the kefu-store binary.
func (s *Store) Bin() string { return s.opt.Bin }

// DataDir is the server's data directory.
func (s *Store) DataDir() string { return s.opt.DataDir }

// LogPath is the file the process's output is appended to.
func (s *Store) LogPath() string { return s.opt.LogPath }

// Start starts the process (see Spawn) and waits until /healthz answers (see WaitHealthy). A
// process that does not serve in time is killed.
func (s *Store) Start(ctx context.Context) error {
	if err := s.Spawn(); err != nil {
		return err
	}
	if err := s.WaitHealthy(ctx, s.opt.StartTimeout); err != nil {
		s.Kill()
		return err
	}
	return nil
}

// Spawn starts the process without waiting for it to serve.
func (s *Store) Spawn() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return fmt.Errorf("testkit: %w", ErrStoreRunning)
	}
	f, err := os.OpenFile(s.opt.LogPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("testkit: kefu-store log: %w", err)
	}
	args := append([]string{"--data", s.opt.DataDir, "--addr", s.opt.Addr}, s.opt.Args...)
	fmt.Fprintf(f, "---- testkit: start at %s: kefu-store %s\n", time.Now().Format(time.RFC3339Nano), strings.Join(args, " "))
	cmd := exec.Command(s.opt.Bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("testkit: starting kefu-store: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		f.Close()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited
	s.gen++
	return nil
}

// Gen is the number of times the process was spawned: a restart changes it (a counter read
// from /metrics starts at zero again in every process).
func (s *Store) Gen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

// PID is the running process's id, or 0.
func (s *Store) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Running reports whether the process runs (it was spawned and not yet signalled to an end).
func (s *Store) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd != nil
}

// WaitHealthy polls /healthz until it answers 200, the process exits (ErrStoreExited), ctx ends
// or timeout passes (ErrTimeout). The errors name the log.
func (s *Store) WaitHealthy(ctx context.Context, timeout time.Duration) error {
	s.mu.Lock()
	exited := s.exited
	s.mu.Unlock()
	if exited == nil {
		return fmt.Errorf("testkit: %w", ErrStoreNotRunning)
	}
	hc := &http.Client{Timeout: 2 * time.Second}
	defer hc.CloseIdleConnections()
	gone := false
	err := Wait{Timeout: timeout, Poll: 25 * time.Millisecond}.Until(ctx, "kefu-store's /healthz", func() (bool, error) {
		select {
		case <-exited:
			gone = true
			return true, nil
		default:
		}
		_, err := s.health(ctx, hc)
		return err == nil, err
	})
	switch {
	case gone:
		return fmt.Errorf("testkit: %w while starting: %s", ErrStoreExited, LogTail(s.opt.LogPath))
	case err != nil:
		return fmt.Errorf("testkit: %w: %s", err, LogTail(s.opt.LogPath))
	}
	return nil
}

// Seq asks /healthz for the server's newest published feed sequence number.
func (s *Store) Seq(ctx context.Context) (int64, error) {
	hc := &http.Client{Timeout: 5 * time.Second}
	defer hc.CloseIdleConnections()
	return s.health(ctx, hc)
}

func (s *Store) health(ctx context.Context, hc *http.Client) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+storeapi.PathHealth, nil)
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
		return 0, fmt.Errorf("healthz: %w", err)
	}
	return h.Seq, nil
}

// Signal sends sig to the running process and waits up to wait for it to exit (0: as long as it
// takes). It reports whether a process was running. Once the process has exited, the Store can
// be started again.
func (s *Store) Signal(sig syscall.Signal, wait time.Duration) (bool, error) {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.mu.Unlock()
	if cmd == nil {
		return false, nil
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return true, fmt.Errorf("testkit: signalling kefu-store: %w", err)
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-exited:
		case <-t.C:
			return true, fmt.Errorf("testkit: kefu-store did not exit within %s after %v", wait, sig)
		}
	} else {
		<-exited
	}
	s.mu.Lock()
	if s.cmd == cmd {
		s.cmd, s.exited = nil, nil
	}
	s.mu.Unlock()
	return true, nil
}

// Kill kills the process with SIGKILL (no shutdown of any kind) and waits for it to be gone. It
// reports whether a process was running.
func (s *Store) Kill() bool {
	ran, _ := s.Signal(syscall.SIGKILL, 0)
	return ran
}

// Stop shuts the process down gracefully (SIGTERM), killing it when it takes longer than
// StopTimeout (and then returning an error saying so). Stopping a stopped Store does nothing.
func (s *Store) Stop() error {
	ran, err := s.Signal(syscall.SIGTERM, s.opt.StopTimeout)
	if err != nil && ran {
		s.Kill()
	}
	return err
}

// Restart stops the process gracefully and starts it again on the same address and data.
func (s *Store) Restart(ctx context.Context) error {
	if err := s.Stop(); err != nil {
		return err
	}
	return s.Start(ctx)
}

// Metric reads one sample from the server's /metrics (see ParseMetric).
func (s *Store) Metric(ctx context.Context, name string) (float64, error) {
	return ReadMetric(ctx, nil, s.URL(), name)
}

// Log returns the process's log so far (every start's output, in order).
func (s *Store) Log() (string, error) {
	b, err := os.ReadFile(s.opt.LogPath)
	if err != nil {
		return "", fmt.Errorf("testkit: reading the kefu-store log: %w", err)
	}
	return string(b), nil
}

// LogTail is the end of a log file on one line, for error messages: its last three lines, or,
// for a panic, the line before it and the panic.
func LogTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log)"
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	from := max(0, len(lines)-3)
	for i, l := range lines {
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") {
			from = max(0, i-1)
			break
		}
	}
	lines = lines[from:min(len(lines), from+3)]
	return fmt.Sprintf("%s (log %s)", strings.Join(lines, " / "), path)
}
