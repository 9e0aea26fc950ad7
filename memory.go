package main

import (
	"log"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"time"
)

// The desk's garbage-collector targets. Go lets the heap grow to twice what is live before it
// collects (GOGC=100); on the large bench shop the live heap after every section was opened is
// about 77 MB (47 MB on an empty store), so the desk would hold as much again of garbage on a
// 4 GB office PC with a browser open beside it. The desk collects at half the live heap
// instead, and more often still as its Go memory nears deskMemoryLimit (a soft limit: past it
// the collector works harder, up to half the CPU; it never fails an allocation). The
// environment's GOGC and GOMEMLIMIT, when set, win.
//
// On the large shop the limit, not GOGC, sets the heap's goal (runtime.MemStats after the
// sections, KEFU_MEMPROFILE's FILE.txt): with 128 MiB the goal was 108 MB over a live 77 MB,
// and making the live heap smaller did not lower the resident memory at all. 112 MiB puts the
// goal at 93 MB (16 MB of room; 22–23 collections in the first 12 s against 20) and the
// sections' memory at +94.7 MB from +107.4; 96 MiB gave +83.7 MB but left 3 MB of room
// (twice the collections), too little for a heap that grows with the shop.
const (
	deskGCPercent   = 50
	deskMemoryLimit = 112 << 20
)

// memoryTargets sets the collector's targets for the desk, unless the environment sets them.
func memoryTargets() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(deskGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(deskMemoryLimit)
	}
}

// heapProfileStart writes a heap profile (live objects, after a collection) to the file named
// by KEFU_MEMPROFILE once the desk has run 30 seconds (or as many as KEFU_MEMPROFILE_SECONDS
// says), to find what the desk keeps in memory (`go tool pprof -sample_index=inuse_space kefu
// FILE`), and beside it FILE.txt, the same in text with the runtime's memory statistics (heap
// in use, idle, released to the system, the GC's next goal), which tell the live heap from
// what the runtime keeps. Unset: nothing.
func heapProfileStart() {
	path := os.Getenv("KEFU_MEMPROFILE")
	if path == "" {
		return
	}
	secs := 30
	if n, err := strconv.Atoi(os.Getenv("KEFU_MEMPROFILE_SECONDS")); err == nil && n > 0 {
		secs = n
	}
	time.AfterFunc(time.Duration(secs)*time.Second, func() {
		runtime.GC()
		f, err := os.Create(path)
		if err != nil {
			log.Printf("kefu: KEFU_MEMPROFILE: %v", err)
			return
		}
		defer f.Close()
		if err := pprof.WriteHeapProfile(f); err != nil {
			log.Printf("kefu: KEFU_MEMPROFILE: %v", err)
		}
		t, err := os.Create(path + ".txt")
		if err != nil {
			log.Printf("kefu: KEFU_MEMPROFILE: %v", err)
			return
		}
		defer t.Close()
		if err := pprof.Lookup("heap").WriteTo(t, 1); err != nil {
			log.Printf("kefu: KEFU_MEMPROFILE: %v", err)
		}
	})
}
