//go:build !linux

package main

import "time"

// threadCPU is the CPU time the calling OS thread has used; the busy probe only reads it on
// Linux (where the benchmark harness runs it), elsewhere it is 0.
func threadCPU() time.Duration { return 0 }
