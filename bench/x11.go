package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Bounds of the waits on X.
const (
	xvfbTimeout   = 15 * time.Second
	windowTimeout = 90 * time.Second
	windowPoll    = 10 * time.Millisecond
	xdotoolBound  = 10 * time.Second
)

// xvfb is a private X server (Xvfb) for the desk's window.
type xvfb struct {
	cmd     *exec.Cmd
	display string // e.g. ":104"
	done    chan struct{}
}

// startXvfb starts Xvfb on a free display number (it picks one itself and says which through
// -displayfd) and waits until it accepts clients.
func startXvfb(ctx context.Context, logPath string) (*xvfb, error) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		return nil, fmt.Errorf("Xvfb is needed for the window figures (apt-get install xvfb xdotool): %w", err)
	}
	if _, err := exec.LookPath("xdotool"); err != nil {
		return nil, fmt.Errorf("xdotool is needed for the window figures (apt-get install xdotool): %w", err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer pr.Close()
	logf, err := os.Create(logPath)
	if err != nil {
		pw.Close()
		return nil, err
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1366x800x24", "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{pw}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		pw.Close()
		logf.Close()
		return nil, fmt.Errorf("starting Xvfb: %w", err)
	}
	pw.Close()
	x := &xvfb{cmd: cmd, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		logf.Close()
		close(x.done)
	}()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(pr).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			x.stop()
			return nil, fmt.Errorf("Xvfb did not start: %s", tail(logPath))
		}
		x.display = ":" + n
		return x, nil
	case <-time.After(xvfbTimeout):
		x.stop()
		return nil, fmt.Errorf("Xvfb did not start within %v: %w", xvfbTimeout, errTimeout)
	case <-ctx.Done():
		x.stop()
		return nil, ctx.Err()
	}
}

// stop ends the X server.
func (x *xvfb) stop() {
	x.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-x.done:
	case <-time.After(5 * time.Second):
		x.cmd.Process.Kill()
		<-x.done
	}
}

// xdotool runs xdotool on the display and returns its output.
func (x *xvfb) xdotool(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, xdotoolBound)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// errExited: the program exited before its window showed.
var errExited = errors.New("the program exited")

// waitWindow polls (every 10 ms) until process pid has a visible window and returns its id.
func (x *xvfb) waitWindow(ctx context.Context, pid int, exited <-chan struct{}) (string, error) {
	deadline := time.Now().Add(windowTimeout)
	for {
		out, err := x.xdotool(ctx, "search", "--onlyvisible", "--pid", fmt.Sprint(pid))
		if err == nil && out != "" {
			return strings.Fields(out)[0], nil
		}
		select {
		case <-exited:
			return "", errExited
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(windowPoll):
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no window within %v: %w", windowTimeout, errTimeout)
		}
	}
}

// key focuses window win and presses a key combination, e.g. "ctrl+2".
func (x *xvfb) key(ctx context.Context, win, combo string) error {
	if _, err := x.xdotool(ctx, "windowfocus", "--sync", win); err != nil {
		return fmt.Errorf("focusing the window: %w", err)
	}
	if _, err := x.xdotool(ctx, "key", "--clearmodifiers", combo); err != nil {
		return fmt.Errorf("pressing %s: %w", combo, err)
	}
	return nil
}

// screenshot saves the screen as a PNG (ImageMagick's import), for looking at what the desk showed.
func (x *xvfb) screenshot(ctx context.Context, path string) error {
	ctx, cancel := context.WithTimeout(ctx, xdotoolBound)
	defer cancel()
	cmd := exec.CommandContext(ctx, "import", "-window", "root", path)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("screenshot: %w: %s", err, oneLine(string(out)))
	}
	return nil
}
