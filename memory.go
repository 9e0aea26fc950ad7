package main

import (
	"log"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
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

// memoryTargets sets the collector's targets for the desk, unless the environment sets them,
// and starts returnIdleHeap.
func memoryTargets() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(deskGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(deskMemoryLimit)
		pullLimitOwned = true
	}
	if os.Getenv("KEFU_IDLE_HEAP") != "keep" {
		go returnIdleHeap()
	}
}

// idleHeapHeld is set while a large pull (the first full sync) runs: returnIdleHeap leaves
// the heap to the runtime then, since its collections between pages raised the sync's peak.
var idleHeapHeld atomic.Bool

// deskPullMemoryLimit is the soft memory limit while a large pull (the first full sync) runs.
// At deskMemoryLimit the collector let the heap grow to the limit all through the sync (twice
// the live heap is more than the limit from the first pages on), so the desk's peak was that
// limit plus what the window holds outside the Go heap (Mesa's heap, the binary and libLLVM's
// pages): 298–317 MB against the bench's 300 MB target. What the desk keeps live is about
// 55 MB while pages are staged and, with Badger's table builders of 1 MB tables
// (localdb.badgerOptions), 75–97 MB while StreamWriter loads them (up to 139 MB with 2 MB
// tables). At 96 MiB the peak was 277 and 280 MB (two runs, load average 5–8, 2026-12-07),
// but the collector runs nearly all through the load: it took 50 s there against 19–38 s
// before. Staff work on what has arrived meanwhile; the rest is not there yet.
const deskPullMemoryLimit = 96 << 20

// pullLimitOwned: the desk set the memory limit itself (GOMEMLIMIT unset), so setLargePull may
// lower it during a large pull.
var pullLimitOwned bool

// setLargePull says whether a large pull is running (from the sync status): returnIdleHeap
// holds off meanwhile, and the soft memory limit is deskPullMemoryLimit for as long as it runs.
func setLargePull(pulling bool) {
	if idleHeapHeld.Swap(pulling) == pulling || !pullLimitOwned {
		return
	}
	if pulling {
		debug.SetMemoryLimit(deskPullMemoryLimit)
	} else {
		debug.SetMemoryLimit(deskMemoryLimit)
	}
}

// Bounds of returnIdleHeap.
const (
	idleCheckEvery = time.Second
	idleAllocBytes = 4 << 20 // allocated within one check at most for the desk to count as idle
	idleSpareBytes = 8 << 20 // garbage and free heap an idle desk keeps from the system at most
)

// returnIdleHeap hands the heap the desk no longer uses back to the system once the desk is
// idle. Between collections the heap grows to twice what is live (GOGC 100, up to
// deskMemoryLimit), and the runtime keeps the pages of what a collection freed for the next
// burst, returning them only slowly: on the large shop, opening every section allocates about
// 300 MB (the product index's load, the sections' first pages, the status bar's counts), so
// the desk sat with some 40 MB of garbage and free pages while staff read the screen. When a
// second passes in which the desk allocated less than idleAllocBytes (nothing is being loaded,
// typed or drawn) and more than idleSpareBytes of its heap is garbage or free, it collects and
// returns the free pages (debug.FreeOSMemory). A busy desk never qualifies, so the collector's
// pacing while staff work (the busy-callback row of the bench) is unchanged; an idle one
// qualifies again once idleSpareBytes more have piled up. Idle is under 4 MB a second: the
// large desk sitting on Chat allocates about 3 MB/s (the status bar's count each second), so
// there it collects every three seconds or so, a collection of a ~60 MB live heap each.
// Measured with `kefu-bench --only window` (2026-12-07, load average 6–9): the row "memory
// after every section, large minus empty" went from +94 MB (pairs 75–97) to +71 MB (pairs
// 68–73); the busy-callback row 10.8 ms, the first-sync peak 292.7 MB. KEFU_IDLE_HEAP_LOG=1 logs
// each check's figures; KEFU_IDLE_HEAP=keep leaves the heap to the runtime (to compare).
func returnIdleHeap() {
	samples := []metrics.Sample{
		{Name: "/gc/heap/allocs:bytes"},              // allocated since the start
		{Name: "/memory/classes/heap/objects:bytes"}, // live and not yet collected
		{Name: "/gc/heap/live:bytes"},                // live at the last collection
		{Name: "/memory/classes/heap/free:bytes"},    // free pages not returned to the system
	}
	var lastAlloc uint64
	logIdle := os.Getenv("KEFU_IDLE_HEAP_LOG") != ""
	for range time.Tick(idleCheckEvery) {
		metrics.Read(samples)
		for _, s := range samples {
			if s.Value.Kind() != metrics.KindUint64 {
				return // a runtime without these metrics: leave it to the runtime
			}
		}
		alloc := samples[0].Value.Uint64()
		objects, live, free := samples[1].Value.Uint64(), samples[2].Value.Uint64(), samples[3].Value.Uint64()
		idle := alloc-lastAlloc < idleAllocBytes
		if logIdle {
			log.Printf("kefu: heap: allocated %d kB in %v, live %d kB, not collected %d kB, free %d kB",
				(alloc-lastAlloc)>>10, idleCheckEvery, live>>10, (objects-min(objects, live))>>10, free>>10)
		}
		lastAlloc = alloc
		// With half the limit or more live (the first full sync), the limit, not GOGC, bounds
		// the heap. Forced collections during the sync raised its peak (306 against 294 MB,
		// one run each) and this gate alone did not bring it back (303.8 MB), so the desk also
		// holds off while the sync status shows a large pull (setLargePull).
		if idle && !idleHeapHeld.Load() && live < deskMemoryLimit/2 && objects-min(objects, live)+free > idleSpareBytes {
			debug.FreeOSMemory()
			metrics.Read(samples[:1])
			lastAlloc = samples[0].Value.Uint64()
		}
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
