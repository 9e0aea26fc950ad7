package testkit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The runner builds kefu-store, starts it with the demo shop on a free port, kills it and
// starts it again on the same port and data, and stops it.
func TestStoreRunner(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs kefu-store")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err := StoreBinary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := StoreBinary(ctx); err != nil || again != bin {
		t.Fatalf("StoreBinary again = %q, %v; want %q built once", again, err, bin)
	}
	dir := t.TempDir()
	s, err := StartStore(ctx, StoreOptions{Bin: bin, DataDir: filepath.Join(dir, "data"), Args: []string{"--demo"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Kill()
	if !s.Running() || s.PID() == 0 || s.Gen() != 1 {
		t.Errorf("after Start: running %v, pid %d, gen %d", s.Running(), s.PID(), s.Gen())
	}
	if err := s.Spawn(); !errors.Is(err, ErrStoreRunning) {
		t.Errorf("Spawn while running = %v, want ErrStoreRunning", err)
	}
	seq, err := s.Seq(ctx)
	if err != nil || seq <= 0 {
		t.Errorf("Seq = %d, %v; want the demo shop's feed", seq, err)
	}
	if v, err := s.Metric(ctx, "kefu_feed_seq"); err != nil || int64(v) != seq {
		t.Errorf("kefu_feed_seq = %v, %v; want %d", v, err, seq)
	}

	addr := s.Addr()
	if !s.Kill() || s.Running() {
		t.Fatal("Kill did not end the process")
	}
	if _, err := s.Seq(ctx); err == nil {
		t.Error("a killed server still answers")
	}
	if err := s.WaitHealthy(ctx, time.Second); !errors.Is(err, ErrStoreNotRunning) {
		t.Errorf("WaitHealthy of a stopped store = %v, want ErrStoreNotRunning", err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Addr() != addr || s.Gen() != 2 {
		t.Errorf("after a restart: %s gen %d, want %s gen 2", s.Addr(), s.Gen(), addr)
	}
	if again, err := s.Seq(ctx); err != nil || again != seq {
		t.Errorf("Seq after the restart = %d, %v; want %d (the same data)", again, err, seq)
	}
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil || s.Running() {
		t.Fatalf("Stop = %v, running %v", err, s.Running())
	}
	if err := s.Stop(); err != nil {
		t.Errorf("stopping a stopped store: %v", err)
	}
	log, err := s.Log()
	if err != nil || strings.Count(log, "---- testkit: start") != 3 || !strings.Contains(log, "kefu-store serving") {
		t.Errorf("log = %q, %v; want three starts that served", log, err)
	}
}

// A process that exits at once is reported with its log instead of waited on.
func TestStoreExitsWhileStarting(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "fails")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho 'panic: no store here'\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := StartStore(context.Background(), StoreOptions{Bin: bin, DataDir: filepath.Join(dir, "data")})
	if !errors.Is(err, ErrStoreExited) || !strings.Contains(err.Error(), "panic: no store here") {
		t.Errorf("StartStore = %v, want ErrStoreExited with the log's panic", err)
	}
}
