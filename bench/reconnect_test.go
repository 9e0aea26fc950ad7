package bench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"kefu/internal/testkit"
)

// The reconnect figures measure on a kefu-store of their own, without the bench's cache: a few
// restarts here (KEFU_RECONNECT_ROUNDS sets how many; kefu-bench --only live makes 20), each
// desk back online and the note delivered, or the figure says why not.
func TestReconnectFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills kefu-store several times")
	}
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("KEFU_RECONNECT_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	bin, err := testkit.StoreBinary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	figs := reconnectFigures(context.Background(), bin, t.TempDir(), rounds, t.Logf)
	var b strings.Builder
	if err := WriteTable(&b, figs); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", b.String())
	if len(figs) != 2 {
		t.Fatalf("%d figures, want 2", len(figs))
	}
	for _, f := range figs {
		if f.Value == "" {
			t.Errorf("%s: %s", f.Name, f.Note)
		}
	}
}
