package main

import (
	"cmp"
	"context"
	"encoding/json"
	"log"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	gosync "sync"
	"time"

	"fyne.io/fyne/v2"

	"kefu/desk"
	"kefu/shop"
)

// profileStart writes a CPU profile of the desk's first seconds (15, or as many as
// KEFU_CPUPROFILE_SECONDS says) to the file named by the environment variable KEFU_CPUPROFILE
// (unset: nothing), to find what a start-up or the busy probe's run spends its time on
// (`go tool pprof kefu FILE`).
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
	secs := 15
	if n, err := strconv.Atoi(os.Getenv("KEFU_CPUPROFILE_SECONDS")); err == nil && n > 0 {
		secs = n
	}
	time.AfterFunc(time.Duration(secs)*time.Second, func() {
		pprof.StopCPUProfile()
		f.Close()
	})
}

// The busy probe (for the benchmark harness, package bench): with KEFU_BUSYPROBE naming a
// file, the desk measures two things on Fyne's goroutine. (a) How long each callback of the
// screens runs (screens.Params.Timed: background results, recorded actions, job progress, the
// ticker, Refresh, SetSync, shortcuts, the stock search and list), the longest kept by name.
// (b) How long an empty fyne.Do, posted every probeEvery, waits to run: that also counts
// Fyne's own work on the goroutine, painting the frames (slow with software OpenGL under
// Xvfb). When a file named like it plus ".start" appears, the measurement starts afresh, with
// a bulk send to KEFU_BUSYPROBE_BULK customers (default 500) handed to the desk's job as the
// customers section's Send does. The file is rewritten every probeWrite as JSON (busyReport).
const (
	probeEvery = 5 * time.Millisecond
	probeWrite = 200 * time.Millisecond
	probeTop   = 5 // callbacks named in the report, longest first
)

// busyReport is what the busy probe writes.
type busyReport struct {
	Measuring bool `json:"measuring"` // the start file appeared
	// CallbackMs is the longest a callback of the screens ran since then (wall clock),
	// Callback its name; CallbackCPUMs the most CPU time one used (its thread's CPU clock,
	// 0 where there is none), CallbackCPU its name; Callbacks how many ran; Top the longest of
	// each name, longest first.
	CallbackMs    float64        `json:"callback_ms"`
	Callback      string         `json:"callback"`
	CallbackCPUMs float64        `json:"callback_cpu_ms"`
	CallbackCPU   string         `json:"callback_cpu"`
	Callbacks     int64          `json:"callbacks"`
	Top           []busyCallback `json:"top"`
	MaxMs         float64        `json:"max_ms"`  // the longest wait of an empty fyne.Do since then
	Samples       int64          `json:"samples"` // empty fyne.Do run since then
	Queued        int            `json:"queued"`  // bulk messages handed to the desk's job
	Sending       bool           `json:"sending"` // the bulk send is still being recorded
	Err           string         `json:"err,omitempty"`
	byName        map[string]busyCallback
}

// busyCallback is the longest run (wall clock and CPU) of the callbacks of one name, and how
// many ran.
type busyCallback struct {
	Name     string  `json:"name"`
	MaxMs    float64 `json:"max_ms"`
	MaxCPUMs float64 `json:"max_cpu_ms"`
	Count    int64   `json:"count"`
}

// busyProbe is the probe's state, shared by the timer, the samples and the report.
type busyProbe struct {
	mu  gosync.Mutex
	rep busyReport
}

// timed is screens.Params.Timed: it runs the callback and keeps, while measuring, the longest
// of each name. Fyne's goroutine keeps its OS thread, so the thread's CPU clock is its own.
func (p *busyProbe) timed(what string, callback func()) {
	cpu0, start := threadCPU(), time.Now()
	callback()
	ms := float64(time.Since(start)) / float64(time.Millisecond)
	cpu := float64(threadCPU()-cpu0) / float64(time.Millisecond)
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.rep.Measuring {
		return
	}
	p.rep.Callbacks++
	if ms > p.rep.CallbackMs {
		p.rep.CallbackMs, p.rep.Callback = ms, what
	}
	if cpu > p.rep.CallbackCPUMs {
		p.rep.CallbackCPUMs, p.rep.CallbackCPU = cpu, what
	}
	c := p.rep.byName[what]
	c.Name, c.MaxMs, c.MaxCPUMs, c.Count = what, max(c.MaxMs, ms), max(c.MaxCPUMs, cpu), c.Count+1
	p.rep.byName[what] = c
}

// report is the probe's report as it stands, its Top filled in.
func (p *busyProbe) report() busyReport {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.rep
	r.Top = nil
	for _, c := range r.byName {
		r.Top = append(r.Top, c)
	}
	slices.SortFunc(r.Top, func(a, b busyCallback) int { return cmp.Compare(b.MaxMs, a.MaxMs) })
	r.Top = r.Top[:min(len(r.Top), probeTop)]
	return r
}

// newBusyProbe makes the probe when KEFU_BUSYPROBE asks for it (nil otherwise); its timed
// goes into the screens' Params before the desk's screens are built.
func newBusyProbe() *busyProbe {
	if os.Getenv("KEFU_BUSYPROBE") == "" {
		return nil
	}
	return &busyProbe{}
}

// callbackTimer is what screens.Params.Timed gets: the probe's timer, nil without a probe.
func (p *busyProbe) callbackTimer() func(string, func()) {
	if p == nil {
		return nil
	}
	return p.timed
}

// start starts the probe's samples and its report (nothing without a probe).
func (p *busyProbe) start(d *desk.Desk) {
	if p == nil {
		return
	}
	path := os.Getenv("KEFU_BUSYPROBE")
	bulk := 500
	if n, err := strconv.Atoi(os.Getenv("KEFU_BUSYPROBE_BULK")); err == nil && n > 0 {
		bulk = n
	}
	go func() { // the samples
		t := time.NewTicker(probeEvery)
		defer t.Stop()
		for range t.C {
			start := time.Now()
			done := make(chan struct{})
			fyne.Do(func() { close(done) })
			<-done
			wait := time.Since(start)
			p.mu.Lock()
			if p.rep.Measuring {
				p.rep.Samples++
				p.rep.MaxMs = max(p.rep.MaxMs, float64(wait)/float64(time.Millisecond))
			}
			p.mu.Unlock()
		}
	}()
	go func() { // the report
		started := false
		for range time.Tick(probeWrite) {
			if _, err := os.Stat(path + ".start"); err == nil && !started {
				started = true
				n, err := probeBulk(d, bulk)
				p.mu.Lock()
				p.rep = busyReport{Measuring: true, Queued: n, byName: map[string]busyCallback{}}
				if err != nil {
					p.rep.Err = err.Error()
				}
				p.mu.Unlock()
			}
			r := p.report()
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

// markReady writes the wall clock (Unix nanoseconds) to the file named by KEFU_READYFILE
// (unset: nothing) once the desk's screens are in the window, for the benchmark harness to
// tell how long after the window appeared the desk was there to work in.
func markReady() {
	path := os.Getenv("KEFU_READYFILE")
	if path == "" {
		return
	}
	if err := os.WriteFile(path, []byte(strconv.FormatInt(time.Now().UnixNano(), 10)), 0o644); err != nil {
		log.Printf("kefu: KEFU_READYFILE: %v", err)
	}
}
