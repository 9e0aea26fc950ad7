package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"kefu/demostore"
	"kefu/shop"
	"kefu/storeapi"
	kefusync "kefu/sync"
)

// Bounds of the waits on a kefu-store process.
const (
	seedTimeout  = 30 * time.Minute // seeding the large shop (about 2.5 minutes on 2 cores)
	startTimeout = 2 * time.Minute  // opening an existing data directory
	stopTimeout  = 30 * time.Second // a graceful shutdown before the process is killed
)

// servingRE finds the address in kefu-store's "kefu-store serving URL (data in DIR)" line.
var servingRE = regexp.MustCompile(`kefu-store serving (\S+)`)

// storeProc is a kefu-store process serving a data directory on a free loopback port.
type storeProc struct {
	cmd     *exec.Cmd
	url     string
	logPath string
	done    chan struct{} // closed when the process has exited
	stopped sync.Once
	stopErr error
}

// startStore runs kefu-store on dataDir (seeding the large demo shop first when seed is set)
// and waits, at most timeout, until it serves.
func startStore(ctx context.Context, bin, dataDir, logPath string, seed bool, timeout time.Duration) (*storeProc, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("kefu-store log: %w", err)
	}
	args := []string{"--data", dataDir, "--addr", "127.0.0.1:0"}
	if seed {
		args = append(args, "--demo", "--demo-size", "large")
	}
	served := make(chan string, 1)
	cmd := exec.Command(bin, args...)
	cmd.Stdout = &lineWatch{w: logf, re: servingRE, found: served}
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting kefu-store: %w", err)
	}
	p := &storeProc{cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case p.url = <-served:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("kefu-store exited before serving: %s", tail(logPath))
	case <-t.C:
		p.stop()
		return nil, fmt.Errorf("kefu-store did not serve within %v: %s", timeout, tail(logPath))
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	}
}

// stop shuts the server down (SIGTERM, then SIGKILL after stopTimeout) and waits for it.
func (p *storeProc) stop() error {
	p.stopped.Do(func() {
		select {
		case <-p.done:
			return
		default:
		}
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopTimeout):
			p.cmd.Process.Kill()
			<-p.done
			p.stopErr = fmt.Errorf("kefu-store did not stop within %v and was killed", stopTimeout)
		}
	})
	return p.stopErr
}

// login signs the demo shop's owner in and returns the token and the staff member.
func (p *storeProc) login(ctx context.Context) (string, shop.Staff, error) {
	return loginAs(ctx, p.url, demostore.Owner)
}

func loginAs(ctx context.Context, url, staff string) (string, shop.Staff, error) {
	resp, err := kefusync.Login(ctx, url, demostore.Shop, staff, demostore.Password)
	if err != nil {
		return "", shop.Staff{}, fmt.Errorf("signing in to kefu-store: %w", err)
	}
	return resp.Token, resp.Staff, nil
}

// gauge reads one unlabelled gauge from the server's /metrics.
func (p *storeProc) gauge(ctx context.Context, name string) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url+storeapi.PathMetrics, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("reading metrics: %w", err)
	}
	defer resp.Body.Close()
	return parseGauge(resp.Body, name)
}

// errNoGauge: the metrics have no such gauge.
var errNoGauge = errors.New("gauge not found in the metrics")

// parseGauge finds `name value` in Prometheus text format.
func parseGauge(r io.Reader, name string) (float64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				return 0, fmt.Errorf("metric %s: %w", name, err)
			}
			return v, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s: %w", name, errNoGauge)
}

// lineWatch copies a process's output to w and sends the first submatch of re, once, on found.
type lineWatch struct {
	w     io.Writer
	re    *regexp.Regexp
	found chan<- string
	buf   []byte
	sent  bool
}

func (l *lineWatch) Write(b []byte) (int, error) {
	if !l.sent {
		l.buf = append(l.buf, b...)
		for {
			i := bytes.IndexByte(l.buf, '\n')
			if i < 0 {
				break
			}
			if m := l.re.FindSubmatch(l.buf[:i]); m != nil {
				l.found <- string(m[1])
				l.sent, l.buf = true, nil
				break
			}
			l.buf = l.buf[i+1:]
		}
	}
	return l.w.Write(b)
}

// tail is the end of a log file, on one line, for error messages; for a panic, the line before
// it and the panic.
func tail(path string) string {
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
