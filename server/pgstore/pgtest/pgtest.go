// Package pgtest starts a throwaway PostgreSQL server for tests: initdb and pg_ctl in a
// temporary directory, on a free loopback port, with its unix socket in that directory. Run as
// root (CI), the server runs as the unprivileged user nobody, since PostgreSQL refuses root.
//
// A test package starts one server in TestMain and gives each test a schema of its own:
//
//	var pg *pgtest.Server
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }
//
//	func TestX(t *testing.T) {
//		dsn := pg.Need(t).Schema(t) // a DSN whose search_path is a new, empty schema
//		...
//	}
//
// $KEFU_PG_OPTIONS adds to the server's options (postgres -c name=value …), e.g. to load
// pg_stat_statements or set log_min_duration_statement when profiling a bench.
//
// The binaries are found in $KEFU_PG_BIN, under /usr/lib/postgresql/*/bin (Debian's
// postgresql package) or on PATH. Without them the tests skip, saying why, unless $CI is set:
// in CI a missing PostgreSQL fails the package.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoPostgres is returned by Start when no PostgreSQL binaries are found.
var ErrNoPostgres = errors.New("pgtest: no PostgreSQL binaries (initdb, pg_ctl) found; install Debian's postgresql or set KEFU_PG_BIN")

// Server is a running throwaway PostgreSQL server.
type Server struct {
	// Dir holds the cluster (Dir/data), its socket and its log (Dir/log).
	Dir string
	// Port is the TCP port it listens on, at 127.0.0.1.
	Port int
	// DSN is the URL of its postgres database as the superuser postgres (no password).
	DSN string

	bin     string
	runAs   *user.User // nil: run as the current user
	schemas atomic.Int64
	skip    string // why the tests skip (Main without binaries outside CI)
}

// findBin returns the directory that holds initdb and pg_ctl.
func findBin() (string, error) {
	if d := os.Getenv("KEFU_PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", ErrNoPostgres
}

// versionOf is the major version in /usr/lib/postgresql/{version}/bin.
func versionOf(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Start creates and starts a new server. Stop it when done.
func Start() (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	base := "" // $TMPDIR, or /tmp
	if os.Geteuid() == 0 {
		base = "/tmp" // nobody must reach it: $TMPDIR may sit in root's home
	}
	dir, err := os.MkdirTemp(base, "kefu-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: running as root, and there is no user nobody to run PostgreSQL as: %w", err)
		}
		s.runAs = u
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if out, err := s.cmd("initdb", "-D", s.dataDir(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	for try := 0; ; try++ {
		if s.Port, err = freePort(); err != nil {
			break
		}
		if err = s.start(); err == nil || try == 2 {
			break
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.Port)
	s.reaper()
	return s, nil
}

// reaper starts a shell that stops the server and removes its directory once this process is
// gone, so that a test binary that dies without Stop (a panic, a timeout, SIGKILL) leaves no
// PostgreSQL behind. It runs as this process's user, which may signal it.
func (s *Server) reaper() {
	stop := s.cmd("pg_ctl", "-D", s.dataDir(), "-m", "immediate", "-w", "stop")
	quoted := make([]string, len(stop.Args))
	for i, a := range stop.Args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	script := fmt.Sprintf("while kill -0 %d 2>/dev/null; do sleep 1; done; [ -d '%s' ] && { %s; rm -rf '%s'; }",
		os.Getpid(), s.dataDir(), strings.Join(quoted, " "), s.Dir)
	cmd := exec.Command("sh", "-c", script) // no sh (Windows): no reaper
	if cmd.Start() == nil {
		go cmd.Wait()
	}
}

func (s *Server) dataDir() string { return filepath.Join(s.Dir, "data") }

// cmd is a PostgreSQL program run as the server's user.
func (s *Server) cmd(name string, args ...string) *exec.Cmd {
	prog := filepath.Join(s.bin, name)
	if s.runAs == nil {
		return exec.Command(prog, args...)
	}
	return exec.Command("runuser", append([]string{"-u", s.runAs.Username, "--", prog}, args...)...)
}

// start starts the cluster on s.Port and waits until it accepts connections.
func (s *Server) start() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", s.Port, s.Dir)
	if more := os.Getenv("KEFU_PG_OPTIONS"); more != "" {
		opts += " " + more // e.g. -c shared_preload_libraries=pg_stat_statements, to profile a bench
	}
	out, err := s.cmd("pg_ctl", "-D", s.dataDir(), "-l", filepath.Join(s.Dir, "log"), "-o", opts, "-w", "-t", "60", "start").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.Dir, "log"))
		return fmt.Errorf("pgtest: pg_ctl start: %w\n%s\n%s", err, out, log)
	}
	return nil
}

// Stop stops the server (fast shutdown) and removes its directory.
func (s *Server) Stop() error {
	err := s.stop("fast")
	if rerr := os.RemoveAll(s.Dir); err == nil {
		err = rerr
	}
	return err
}

func (s *Server) stop(mode string) error {
	if out, err := s.cmd("pg_ctl", "-D", s.dataDir(), "-m", mode, "-w", "stop").CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

// Restart stops the server at once (immediate: connections drop, as in a crash) and starts it
// again on the same port.
func (s *Server) Restart() error {
	if err := s.stop("immediate"); err != nil {
		return err
	}
	return s.start()
}

// Schema creates a new, empty schema and returns a DSN whose search_path is that schema, so
// that a store opened on it sees only its own tables.
func (s *Server) Schema(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), s.schemas.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN)
	if err != nil {
		tb.Fatalf("pgtest: connecting: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		tb.Fatalf("pgtest: creating schema %s: %v", name, err)
	}
	return s.DSN + "&search_path=" + name
}

// Need returns s, or skips the test when Main found no PostgreSQL outside CI.
func (s *Server) Need(tb testing.TB) *Server {
	tb.Helper()
	if s == nil || s.skip != "" {
		reason := "pgtest: no server"
		if s != nil {
			reason = s.skip
		}
		tb.Skip(reason)
	}
	return s
}

// Main runs a test package's tests with a server started for them in *srv, and stops it
// after. Without PostgreSQL binaries the tests that Need it skip, unless $CI is set: then Main
// fails. It returns the exit code for os.Exit.
func Main(m *testing.M, srv **Server) int {
	s, err := Start()
	switch {
	case errors.Is(err, ErrNoPostgres) && os.Getenv("CI") == "":
		*srv = &Server{skip: err.Error() + " (tests that need it skip; in CI, with $CI set, they fail)"}
		return m.Run()
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	*srv = s
	code := m.Run()
	if err := s.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	return code
}
