package main

import (
	"log"
	"os"
	"runtime/pprof"
	"time"
)

// profileStart writes a CPU profile of the desk's first seconds to the file named by the
// environment variable KEFU_CPUPROFILE (unset: nothing), to find what a start-up spends its
// time on (`go tool pprof kefu FILE`).
func profileStart() {
	path := os.Getenv("KEFU_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		log.Printf("kefu: KEFU_CPUPROFILE: %v", err)
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Printf("kefu: KEFU_CPUPROFILE: %v", err)
		f.Close()
		return
	}
	time.AfterFunc(15*time.Second, func() {
		pprof.StopCPUProfile()
		f.Close()
	})
}
