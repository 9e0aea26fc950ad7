package screens

import (
	"context"
	"slices"
	"testing"
)

// TestLatestRunOneAtATime checks that reads of one kind run one at a time, that of those asked
// for meanwhile only the newest runs next, and that only the newest result is shown.
func TestLatestRunOneAtATime(t *testing.T) {
	var queued []func()
	e := &env{ctx: context.Background(), threads: Threads{
		Go: func(f func()) { queued = append(queued, f) },
		Do: func(f func()) { f() },
	}}
	var l latest
	var ran, shown []int
	read := func(n int) {
		latestRun(&l, e, func(context.Context) (int, error) { ran = append(ran, n); return n, nil },
			func(v int, _ error) { shown = append(shown, v) })
	}
	read(1)
	read(2)
	read(3)
	if len(queued) != 1 {
		t.Fatalf("%d reads started while the first was under way, want 1", len(queued))
	}
	for len(queued) > 0 {
		f := queued[0]
		queued = queued[1:]
		f()
	}
	if !slices.Equal(ran, []int{1, 3}) || !slices.Equal(shown, []int{3}) {
		t.Errorf("ran %v and showed %v, want [1 3] and [3]", ran, shown)
	}
	read(4)
	if len(queued) != 1 {
		t.Fatalf("a read after the others ended did not start")
	}
	queued[0]()
	if !slices.Equal(shown, []int{3, 4}) {
		t.Errorf("showed %v, want [3 4]", shown)
	}
}
