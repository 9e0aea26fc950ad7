package soak

import (
	"context"
	"testing"
	"time"

	"kefu/shop"
)

// TestShortSoak is the short version of `make soak` that runs in `make test`: about 40 s of
// faults with the real kefu-store, three desks, Toxiproxy and SIGKILLs, then the checks. Besides
// lost = duplicated = diverged = 0 it requires that the faults really happened (server kills,
// every fault kind, an offline period on every desk) and that every mutation kind reached the
// server, so that the test fails if the fault injection or the generator silently stops
// working.
func TestShortSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak takes about a minute")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	bin, err := BuildStore(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built kefu-store in %s", time.Since(start).Round(time.Millisecond))
	rep, err := Run(ctx, Config{
		Duration: 40 * time.Second,
		Desks:    3,
		StoreBin: bin,
		Logf:     t.Logf,
		KillMin:  4 * time.Second, KillMax: 10 * time.Second,
		FaultGapMin: 300 * time.Millisecond, FaultGapMax: 1500 * time.Millisecond,
		FaultHoldMin: 500 * time.Millisecond, FaultHoldMax: 2500 * time.Millisecond,
		Pause:        120 * time.Millisecond,
		ResetEvery:   20 * time.Second,
		RestartEvery: 25 * time.Second,
		DrainTimeout: 2 * time.Minute,
	})
	t.Logf("report:\n%s", rep)
	if err != nil {
		t.Fatalf("the soak did not complete: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("lost = %d, duplicated = %d, diverged = %d (seed %d)", rep.Lost, rep.Duplicated, rep.Diverged, rep.Seed)
	}
	if rep.ServerKills < 2 {
		t.Errorf("%d server kills, want at least 2", rep.ServerKills)
	}
	for _, k := range FaultKinds {
		if rep.Faults[k] == 0 {
			t.Errorf("no %s fault was injected", k)
		}
	}
	for i, n := range rep.OfflinePeriods {
		if n == 0 {
			t.Errorf("desk %d was never offline", i+1)
		}
	}
	if len(rep.OfflinePeriods) != 3 {
		t.Errorf("offline periods counted for %d desks, want 3", len(rep.OfflinePeriods))
	}
	for _, k := range shop.Kinds {
		if c := rep.Kinds[k]; c.Applied == 0 || c.ServerApplied+c.ServerConflicts+c.ServerRejected != c.Applied {
			t.Errorf("%s: %d applied locally, server answered %d/%d/%d: every kind must reach the server", k,
				c.Applied, c.ServerApplied, c.ServerConflicts, c.ServerRejected)
		}
	}
	if rep.CacheResets < 3 {
		t.Errorf("%d cache re-downloads, want one per desk at least", rep.CacheResets)
	}
	if rep.DeskRestarts < 3 {
		t.Errorf("%d desk restarts, want one per desk at least", rep.DeskRestarts)
	}
	if rep.CustomerMessages == 0 {
		t.Error("no customer message was confirmed")
	}
	if rep.ServerResults != rep.Applied {
		t.Errorf("the server holds %d results for %d mutations", rep.ServerResults, rep.Applied)
	}
}
