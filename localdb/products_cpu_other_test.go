//go:build !linux

package localdb

import "time"

// threadCPU is zero where the thread's CPU clock is not read: the benchmark then reports no
// CPU figures.
func threadCPU() time.Duration { return 0 }
