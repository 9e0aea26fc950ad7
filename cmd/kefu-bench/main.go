// Command kefu-bench measures the figures that show the desk is fast, on the large generated
// shop, and prints them in one table against their targets (package bench does the work). It
// exits with status 1 when a figure misses its target or could not be measured, 2 when the
// harness itself fails.
//
// Usage (from the repository; `make bench` runs it after the Go benchmarks):
//
//	go run ./cmd/kefu-bench [--cache DIR] [--regenerate] [--prepare] [--only GROUP,...] [--timeout D] [--screenshots DIR]
//
// The first run generates the large shop into the cache directory (default .cache/bench in the
// repository): a seeded kefu-store data directory and a desk store made from it by a real first
// full sync. Later runs reuse them until the generator changes. The groups are fullsync,
// window, local, live, server and binary; --only measures some of them (for working on one).
// --prepare only builds the binaries and makes the cache. The window figures need Linux with
// Xvfb and xdotool.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"kefu/bench"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == bench.SyncChildCommand {
		if err := bench.SyncChild(context.Background(), os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "kefu-bench sync-child:", err)
			os.Exit(2)
		}
		return
	}
	os.Exit(run())
}

func run() int {
	repoDefault, _ := findRepo()
	repo := flag.String("repo", repoDefault, "the repository (module kefu) to build the desk and kefu-store from")
	cacheDir := flag.String("cache", "", "cache directory for the large shop (default REPO/.cache/bench)")
	regenerate := flag.Bool("regenerate", false, "generate the large shop again even if the cache is current")
	prepare := flag.Bool("prepare", false, "only build the binaries and make the cache (make bench runs this before the Go benchmarks)")
	only := flag.String("only", "", "comma-separated groups to measure: "+strings.Join(bench.Groups, ", ")+" (default all)")
	timeout := flag.Duration("timeout", 90*time.Minute, "stop after this long")
	shots := flag.String("screenshots", "", "save screenshots of the desk's sections into this directory")
	flag.Parse()
	if *repo == "" {
		fmt.Fprintln(os.Stderr, "kefu-bench: run it inside the repository or give --repo")
		return 2
	}
	if *cacheDir == "" {
		*cacheDir = filepath.Join(*repo, ".cache", "bench")
	}
	var groups []string
	if *only != "" {
		groups = strings.Split(*only, ",")
	}
	if *shots != "" {
		if err := os.MkdirAll(*shots, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "kefu-bench:", err)
			return 2
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	start, loadStart := time.Now(), loadAvg()
	figs, err := bench.Run(ctx, bench.Config{Repo: *repo, CacheDir: *cacheDir, Regenerate: *regenerate,
		PrepareOnly: *prepare, Groups: groups, Screenshots: *shots, Log: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "kefu-bench:", err)
		return 2
	}
	if *prepare {
		return 0
	}
	fmt.Printf("\nKefu Desk benchmarks, %s, %s; run took %v; load average %s at the start, %s at the end\n\n",
		time.Now().Format("2006-01-02"), machine(), time.Since(start).Round(time.Second), loadStart, loadAvg())
	if err := bench.WriteTable(os.Stdout, figs); err != nil {
		fmt.Fprintln(os.Stderr, "kefu-bench:", err)
		return 2
	}
	if !bench.AllPass(figs) {
		fmt.Fprintf(os.Stderr, "\nkefu-bench: %v\n", bench.ErrMissed)
		return 1
	}
	return 0
}

// findRepo walks up from the working directory to the directory whose go.mod declares module kefu.
func findRepo() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			first, _, _ := strings.Cut(string(b), "\n")
			if strings.TrimSpace(first) == "module kefu" {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the kefu repository")
		}
		dir = parent
	}
}

// loadAvg is the 1-minute load average: the figures mean little when other work shares the CPUs.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

// machine describes the computer: cores, CPU model, OS and Go version.
func machine() string {
	model := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	return fmt.Sprintf("%d cores (%s), %s/%s, %s", runtime.NumCPU(), model, runtime.GOOS, runtime.GOARCH, runtime.Version())
}
