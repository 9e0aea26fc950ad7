package bench

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"
)

// Samples are measured durations, one per operation.
type Samples []time.Duration

// Percentile is the nearest-rank p-th percentile (0 < p ≤ 100): the smallest sample that at
// least p percent of the samples do not exceed. It is 0 for no samples.
func (s Samples) Percentile(p float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	sorted := slices.Clone(s)
	slices.Sort(sorted)
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// Median is the 50th percentile.
func (s Samples) Median() time.Duration { return s.Percentile(50) }

// timeEach runs op n times and returns the duration of each call and the heap allocations per
// call (averaged). It stops at op's first error.
func timeEach(n int, op func(i int) error) (Samples, float64, error) {
	out := make(Samples, 0, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range n {
		start := time.Now()
		if err := op(i); err != nil {
			return out, 0, err
		}
		out = append(out, time.Since(start))
	}
	runtime.ReadMemStats(&after)
	return out, float64(after.Mallocs-before.Mallocs) / float64(max(n, 1)), nil
}

// fmtMs formats a duration in milliseconds with a precision that suits its size.
func fmtMs(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

// fmtSec formats a duration in seconds.
func fmtSec(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// MB is the unit of memory and size figures: 10^6 bytes.
const MB = 1_000_000

// fmtMB formats a byte count in MB.
func fmtMB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/MB) }
