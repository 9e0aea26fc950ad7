// Command kefu-soak runs the fault soak (package soak): one kefu-store process, several desks
// with their own local stores, random mutations of every kind through Toxiproxy faults, server
// kills and skewed clocks; then it checks that nothing was lost, duplicated or left diverged,
// and prints the counts. It exits 1 when a check fails or the run does not complete.
//
// Usage:
//
//	kefu-soak [--duration 10m30s] [--desks 3] [--seed N] [--dir DIR] [--store PATH] [--postgres]
//
// With --postgres it starts a throwaway PostgreSQL server (package pgtest: Debian's
// postgresql binaries) and runs two kefu-store processes on it, the desks alternating
// between them; either process is killed at random and the database restarts now and then.
//
// Without --store it builds cmd/kefu-store into a temporary directory first (run it from the
// module, as `make soak` does).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"kefu/server/pgstore/pgtest"
	"kefu/soak"
)

func main() { os.Exit(run()) }

// run parses the flags, runs the soak, prints the report and returns the exit code.
func run() int {
	duration := flag.Duration("duration", soak.DefaultDuration, "how long the desks work under faults")
	desks := flag.Int("desks", soak.DefaultDesks, "number of desks")
	seed := flag.Int64("seed", 0, "random seed (0: from the clock; the report shows it)")
	dir := flag.String("dir", "", "working directory to keep (default: a temporary one, kept only when the run fails)")
	store := flag.String("store", "", "kefu-store binary (default: build cmd/kefu-store)")
	postgres := flag.Bool("postgres", false, "two kefu-store processes on a throwaway PostgreSQL server, which restarts now and then")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "kefu-soak: unexpected arguments %v\n", flag.Args())
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logf := log.New(os.Stderr, "", log.Ltime).Printf

	bin := *store
	if bin == "" {
		tmp, err := os.MkdirTemp("", "kefu-soak-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "kefu-soak:", err)
			return 1
		}
		defer os.RemoveAll(tmp)
		logf("kefu-soak: building kefu-store")
		if bin, err = soak.BuildStore(ctx, tmp); err != nil {
			fmt.Fprintln(os.Stderr, "kefu-soak:", err)
			return 1
		}
	}
	cfg := soak.Config{Duration: *duration, Desks: *desks, Seed: *seed, Dir: *dir, StoreBin: bin, Logf: logf}
	if *postgres {
		logf("kefu-soak: starting PostgreSQL")
		pg, err := pgtest.Start()
		if err != nil {
			fmt.Fprintln(os.Stderr, "kefu-soak:", err)
			return 1
		}
		defer pg.Stop()
		cfg.Postgres, cfg.RestartPostgres = pg.DSN, pg.Restart
	}
	rep, err := soak.Run(ctx, cfg)
	fmt.Print(rep.String())
	if err != nil {
		fmt.Fprintln(os.Stderr, "kefu-soak: the run failed:", err)
	}
	if err != nil || !rep.OK() {
		return 1
	}
	return 0
}
