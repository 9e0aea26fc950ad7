package main

import (
	"context"
	"encoding/json"
	"log"
	"os"
	"runtime/pprof"
	"strconv"
	gosync "sync"
	"time"

	"fyne.io/fyne/v2"

	"kefu/desk"
	"kefu/shop"
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

// The busy probe (for the benchmark harness, package bench): with KEFU_BUSYPROBE naming a
// file, the desk hands Fyne's goroutine a callback that does nothing every probeEvery and
// keeps the longest it had to wait for it to run — the longest time the goroutine was busy
// with one callback (a frame, an event, a fyne.Do). When a file named like it plus ".start"
// appears, the measurement starts afresh, with a bulk send to KEFU_BUSYPROBE_BULK customers
// (default 500) handed to the desk's job as the customers section's Send does. The file is
// rewritten every probeWrite as JSON (busyReport).
const (
	probeEvery = 5 * time.Millisecond
	probeWrite = 200 * time.Millisecond
)

// busyReport is what the busy probe writes.
type busyReport struct {
	Measuring bool    `json:"measuring"` // the start file appeared
	MaxMs     float64 `json:"max_ms"`    // the longest wait for a callback since then
	Samples   int64   `json:"samples"`   // callbacks run since then
	Queued    int     `json:"queued"`    // bulk messages handed to the desk's job
	Sending   bool    `json:"sending"`   // the bulk send is still being recorded
	Err       string  `json:"err,omitempty"`
}

// startBusyProbe starts the probe when KEFU_BUSYPROBE asks for it.
func startBusyProbe(d *desk.Desk) {
	path := os.Getenv("KEFU_BUSYPROBE")
	if path == "" {
		return
	}
	bulk := 500
	if n, err := strconv.Atoi(os.Getenv("KEFU_BUSYPROBE_BULK")); err == nil && n > 0 {
		bulk = n
	}
	var (
		mu  gosync.Mutex
		rep busyReport
	)
	go func() { // the samples
		t := time.NewTicker(probeEvery)
		defer t.Stop()
		for range t.C {
			start := time.Now()
			done := make(chan struct{})
			fyne.Do(func() { close(done) })
			<-done
			wait := time.Since(start)
			mu.Lock()
			if rep.Measuring {
				rep.Samples++
				rep.MaxMs = max(rep.MaxMs, float64(wait)/float64(time.Millisecond))
			}
			mu.Unlock()
		}
	}()
	go func() { // the report
		started := false
		for range time.Tick(probeWrite) {
			if _, err := os.Stat(path + ".start"); err == nil && !started {
				started = true
				n, err := probeBulk(d, bulk)
				mu.Lock()
				rep = busyReport{Measuring: true, Queued: n}
				if err != nil {
					rep.Err = err.Error()
				}
				mu.Unlock()
			}
			mu.Lock()
			r := rep
			mu.Unlock()
			r.Sending = d.Sending()
			b, _ := json.Marshal(r)
			if err := os.WriteFile(path+".tmp", b, 0o644); err == nil {
				os.Rename(path+".tmp", path)
			}
		}
	}()
}

// probeBulk hands a bulk send to n customers (those with a chat, by nick) to the desk's job.
func probeBulk(d *desk.Desk, n int) (int, error) {
	ctx := context.Background()
	all, err := d.AllCustomers(ctx)
	if err != nil {
		return 0, err
	}
	members := make([]shop.Customer, len(all))
	for i, m := range all {
		members[i] = m.Customer
	}
	plan, err := d.PlanBulk(ctx, desk.BulkRequest{Members: members, Template: "{nick}您好，新品到了", Now: time.Now()})
	if err != nil {
		return 0, err
	}
	plan.Sends = plan.Sends[:min(n, len(plan.Sends))]
	d.SendBulk("bench", plan)
	return len(plan.Sends), nil
}
