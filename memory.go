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
// about 77 MB (47 MB on an empty store), so without a limit the desk would hold as much again
// of garbage on a 4 GB office PC with a browser open beside it. deskMemoryLimit is a soft
// limit: near it the collector runs more often; it never fails an allocation. The
// environment's GOGC and GOMEMLIMIT, when set, win.
//
// The limit trades memory against the window's responsiveness, because the goroutine that
// allocates pays for collection as it goes (GC assist) and Fyne's goroutine allocates the
// most. Measured with `kefu-bench --only window` on the large shop, load average under 1
// (2026-12-03): at 112 MiB (GOGC 50 or 100) the desk held +91 MB after every section but the
// longest callback on Fyne's thread while stock searches are typed during a bulk send took
// 18.6 ms of its CPU (target 16 ms); at 128 MiB with GOGC 100, +107 MB and 8.8 ms. The
// window's speed is what staff feel, so the limit is 128 MiB and GOGC stays at Go's 100.
// Since the product search index keeps compact forms (localdb/productcodec.go) and a new store
// skips the spend-index backfill, the same row measured +58.6 MB at 128 MiB (2026-12-07, load
// average about 30; +132.5 MB for main's code in the same conditions).
const (
	deskGCPercent   = 100
	deskMemoryLimit = 128 << 20
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
