package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// The binary size figure.
const (
	figBinary       = "stripped desk binary size, fonts included"
	targetBinary    = "≤ 45 MB"
	maxBinary       = 45 * MB
	buildTimeout    = 20 * time.Minute // a cold cgo build of Fyne takes about 5 minutes on 2 cores
	deskBuildTags   = "migrated_fynedo"
	deskBuildLdflag = "-s -w"
)

// buildBinaries builds kefu-store (CGO_ENABLED=0) and the desk as shipped (stripped, `go
// build -tags migrated_fynedo -ldflags="-s -w"`) into the cache's bin directory. Every figure
// needs kefu-store; when only the desk does not build, its figures say so and the others are
// measured.
func (r *runner) buildBinaries(ctx context.Context) error {
	dir := r.cache.binDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r.bin.desk, r.bin.store = filepath.Join(dir, "kefu"), filepath.Join(dir, "kefu-store")
	start := time.Now()
	if err := r.goBuild(ctx, []string{"CGO_ENABLED=0"}, "-o", r.bin.store, "./cmd/kefu-store"); err != nil {
		return err
	}
	os.Remove(r.bin.desk) // never measure a desk binary left by an earlier run
	if err := r.goBuild(ctx, nil, "-tags", deskBuildTags, "-ldflags", deskBuildLdflag, "-o", r.bin.desk, "."); err != nil {
		r.deskErr = fmt.Errorf("the desk did not build: %w", err)
		r.logf("%v", r.deskErr)
	}
	r.logf("built kefu and kefu-store in %v", time.Since(start).Round(100*time.Millisecond))
	return nil
}

func (r *runner) goBuild(ctx context.Context, env []string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.cfg.Go, append([]string{"build"}, args...)...)
	cmd.Dir = r.cfg.Repo
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %v: %w: %s", args, err, oneLine(string(out)))
	}
	return nil
}

// binaryFigure is the size of the stripped desk binary.
func (r *runner) binaryFigure() Figure {
	if r.deskErr != nil {
		return failed(figBinary, targetBinary, r.deskErr)
	}
	st, err := os.Stat(r.bin.desk)
	if err != nil {
		return failed(figBinary, targetBinary, err)
	}
	return Figure{Name: figBinary, Value: fmtMB(st.Size()), Target: targetBinary, Pass: st.Size() <= maxBinary,
		Note: fmt.Sprintf(`go build -tags %s -ldflags="%s": %d bytes`, deskBuildTags, deskBuildLdflag, st.Size())}
}
