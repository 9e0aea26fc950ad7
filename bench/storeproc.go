package bench

import (
	"context"
	"fmt"
	"time"

	"kefu/demostore"
	"kefu/internal/testkit"
	"kefu/shop"
	kefusync "kefu/sync"
)

// Bounds of the waits on a kefu-store process.
const (
	seedTimeout  = 30 * time.Minute // seeding the large shop (about 2.5 minutes on 2 cores)
	startTimeout = 2 * time.Minute  // opening an existing data directory
	stopTimeout  = 30 * time.Second // a graceful shutdown before the process is killed
)

// storeProc is a kefu-store process serving a data directory on a free loopback port (a
// testkit.Store).
type storeProc struct {
	proc *testkit.Store
	url  string
}

// startStore runs kefu-store on dataDir (seeding the large demo shop first when seed is set)
// and waits, at most timeout, until it serves. Its output goes to logPath.
func startStore(ctx context.Context, bin, dataDir, logPath string, seed bool, timeout time.Duration) (*storeProc, error) {
	var args []string
	if seed {
		args = []string{"--demo", "--demo-size", "large"}
	}
	proc, err := testkit.StartStore(ctx, testkit.StoreOptions{Bin: bin, DataDir: dataDir, Args: args,
		LogPath: logPath, StartTimeout: timeout, StopTimeout: stopTimeout})
	if err != nil {
		return nil, err
	}
	return &storeProc{proc: proc, url: proc.URL()}, nil
}

// stop shuts the server down (SIGTERM, then SIGKILL after stopTimeout) and waits for it.
func (p *storeProc) stop() error { return p.proc.Stop() }

// login signs the demo shop's owner in and returns the token and the staff member.
func (p *storeProc) login(ctx context.Context) (string, shop.Staff, error) {
	return loginAs(ctx, p.url, demostore.Owner)
}

func loginAs(ctx context.Context, url, staff string) (string, shop.Staff, error) {
	s, err := kefusync.Login(ctx, url, demostore.Shop, staff, demostore.Password)
	if err != nil {
		return "", shop.Staff{}, fmt.Errorf("signing in to kefu-store: %w", err)
	}
	return s.Token, s.Staff, nil
}

// gauge reads one unlabelled gauge from the server's /metrics.
func (p *storeProc) gauge(ctx context.Context, name string) (float64, error) {
	return p.proc.Metric(ctx, name)
}

// tail is the end of a log file, on one line, for error messages (see testkit.LogTail).
func tail(path string) string { return testkit.LogTail(path) }
