package soak

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"kefu/server/pgstore/pgtest"
)

// TestShortSoakPostgres is the short version of `make soak SOAK_FLAGS=--postgres` that runs
// in `make test`: about 30 s of faults with two kefu-store processes on one throwaway
// PostgreSQL, either killed at random and the database restarted, then the checks.
func TestShortSoakPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak takes about a minute")
	}
	pg, err := pgtest.Start()
	if errors.Is(err, pgtest.ErrNoPostgres) && os.Getenv("CI") == "" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err := BuildStore(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, Config{
		Duration: 30 * time.Second,
		Desks:    3,
		StoreBin: bin,
		Logf:     t.Logf,
		KillMin:  4 * time.Second, KillMax: 10 * time.Second,
		FaultGapMin: 300 * time.Millisecond, FaultGapMax: 1500 * time.Millisecond,
		FaultHoldMin: 500 * time.Millisecond, FaultHoldMax: 2500 * time.Millisecond,
		Pause:           120 * time.Millisecond,
		DrainTimeout:    2 * time.Minute,
		Postgres:        pg.DSN,
		RestartPostgres: pg.Restart,
		PGRestartMin:    6 * time.Second, PGRestartMax: 12 * time.Second,
	})
	t.Logf("report:\n%s", rep)
	if err != nil {
		t.Fatalf("the soak did not complete: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("lost = %d, duplicated = %d, diverged = %d (seed %d)", rep.Lost, rep.Duplicated, rep.Diverged, rep.Seed)
	}
	if rep.Servers != 2 || rep.ServerKills < 2 || rep.PostgresRestarts < 1 {
		t.Errorf("%d servers, %d kills, %d database restarts; want 2, at least 2 and at least 1", rep.Servers, rep.ServerKills, rep.PostgresRestarts)
	}
	if rep.ServerResults != rep.Applied {
		t.Errorf("the server holds %d results for %d mutations", rep.ServerResults, rep.Applied)
	}
}
