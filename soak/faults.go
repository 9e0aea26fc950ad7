package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"
	zlog "github.com/rs/zerolog/log"
)

// quietToxics silences Toxiproxy's toxics, which log through zerolog's global logger.
var quietToxics sync.Once

// FaultKind names a network fault the soak injects between a desk and the server.
type FaultKind string

// The faults. All but FaultOffline are Toxiproxy toxics; FaultOffline disables the desk's
// proxy (connections are cut and refused) so that the desk works fully offline for a while.
const (
	FaultLatency   FaultKind = "latency"    // delay with jitter
	FaultBandwidth FaultKind = "bandwidth"  // a rate limit in KB/s
	FaultTimeout   FaultKind = "timeout"    // data stops, the connection closes after a while
	FaultReset     FaultKind = "reset_peer" // connections reset (TCP RST)
	FaultSlicer    FaultKind = "slicer"     // data cut into small delayed pieces
	FaultLimitData FaultKind = "limit_data" // connections closed after a number of bytes
	FaultOffline   FaultKind = "offline"    // the proxy is down: the desk is offline
)

// FaultKinds lists every fault.
var FaultKinds = []FaultKind{FaultLatency, FaultBandwidth, FaultTimeout, FaultReset, FaultSlicer, FaultLimitData, FaultOffline}

// faults runs one Toxiproxy proxy per desk in front of the server and injects faults into them.
//
// A toxic is never added to or removed from a proxy with live connections: Toxiproxy v2.5.0
// can deadlock there (RemoveToxic waits for a link that waits for the collection's lock,
// Shopify/toxiproxy#558; the soak hit it). Each fault replaces the desk's proxy instead: the
// old one is stopped (its connections cut) and a new one, with the toxic already in place,
// listens on the same address; when the fault ends, a clean proxy replaces that one.
type faults struct {
	api       *toxiproxy.ApiServer
	upstreams []string // desk i's server is upstreams[i % len]
	addrs     []string // the proxies' listen addresses (kept across replacements)

	mu      sync.Mutex
	proxies []*toxiproxy.Proxy // the current proxy of each desk; nil while it is offline
	counts  map[FaultKind]int
	offline []int // offline periods per desk
	serial  int
}

// newFaults starts n proxies on loopback; desk i's forwards to upstreams[i % len(upstreams)]
// (one server, or several serving one database).
func newFaults(n int, upstreams ...string) (*faults, error) {
	quietToxics.Do(func() { zlog.Logger = zerolog.Nop() })
	f := &faults{
		api:       toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop()),
		upstreams: upstreams,
		counts:    map[FaultKind]int{},
		offline:   make([]int, n),
		proxies:   make([]*toxiproxy.Proxy, n),
		addrs:     make([]string, n),
	}
	for i := range n {
		p := toxiproxy.NewProxy(f.api, fmt.Sprintf("desk%d", i+1), "127.0.0.1:0", f.upstream(i))
		if err := p.Start(); err != nil {
			f.close()
			return nil, fmt.Errorf("soak: starting proxy %d: %w", i+1, err)
		}
		f.proxies[i], f.addrs[i] = p, p.Listen
	}
	return f, nil
}

// upstream is the server desk i's proxy forwards to.
func (f *faults) upstream(i int) string { return f.upstreams[i%len(f.upstreams)] }

// url is the base URL desk i reaches the server at.
func (f *faults) url(i int) string { return "http://" + f.addrs[i] }

// close stops every proxy.
func (f *faults) close() {
	for i := range f.proxies {
		f.down(i)
	}
}

// down stops desk i's proxy, if one runs: its listener closes and its connections are cut.
// A proxy that does not stop within a few seconds is left behind (Toxiproxy is stuck; the
// address may stay taken, which up then reports).
func (f *faults) down(i int) {
	f.mu.Lock()
	p := f.proxies[i]
	f.proxies[i] = nil
	f.mu.Unlock()
	if p == nil {
		return
	}
	done := make(chan struct{})
	go func() {
		p.Stop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

// up starts a new proxy for desk i on its address, with the toxic described by toxic (JSON, as
// Toxiproxy's API takes it) unless it is nil. It retries a while if the address is still taken.
func (f *faults) up(i int, toxic []byte) error {
	f.down(i)
	var err error
	for range 100 {
		p := toxiproxy.NewProxy(f.api, fmt.Sprintf("desk%d", i+1), f.addrs[i], f.upstream(i))
		if toxic != nil {
			if _, err := p.Toxics.AddToxicJson(bytes.NewReader(toxic)); err != nil {
				return fmt.Errorf("soak: toxic for proxy %d: %w", i+1, err)
			}
		}
		if err = p.Start(); err == nil {
			f.mu.Lock()
			f.proxies[i] = p
			f.mu.Unlock()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("soak: starting proxy %d again on %s: %w", i+1, f.addrs[i], err)
}

// counted returns the faults injected so far, by kind, and the offline periods per desk.
func (f *faults) counted() (map[FaultKind]int, []int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := make(map[FaultKind]int, len(f.counts))
	for k, v := range f.counts {
		m[k] = v
	}
	return m, append([]int(nil), f.offline...)
}

// schedule injects faults into desk i's proxy until ctx ends: a pause, then one fault held for
// a while and removed, and so on. Kinds come from a shuffled deck so that every kind appears
// every len(FaultKinds) faults. On return the proxy is up and has no toxics.
func (f *faults) schedule(ctx context.Context, i int, rng *rand.Rand, cfg Config, logf func(string, ...any)) error {
	var deck []FaultKind
	for {
		if !sleep(ctx, between(rng, cfg.FaultGapMin, cfg.FaultGapMax)) {
			return nil
		}
		if len(deck) == 0 {
			deck = append(deck, FaultKinds...)
			rng.Shuffle(len(deck), func(a, b int) { deck[a], deck[b] = deck[b], deck[a] })
		}
		kind := deck[0]
		deck = deck[1:]
		hold := between(rng, cfg.FaultHoldMin, cfg.FaultHoldMax)
		if err := f.inject(ctx, i, kind, hold, rng); err != nil {
			return err
		}
	}
}

// inject applies one fault to desk i's proxy for hold (cut short when ctx ends), then removes it.
func (f *faults) inject(ctx context.Context, i int, kind FaultKind, hold time.Duration, rng *rand.Rand) error {
	f.mu.Lock()
	f.counts[kind]++
	f.serial++
	name := fmt.Sprintf("%s-%d", kind, f.serial)
	if kind == FaultOffline {
		f.offline[i]++
	}
	f.mu.Unlock()
	if kind == FaultOffline {
		f.down(i)
		sleep(ctx, hold)
		return f.up(i, nil)
	}
	stream := "downstream"
	if rng.IntN(3) == 0 {
		stream = "upstream"
	}
	toxicity := 1.0
	var attrs map[string]any
	switch kind {
	case FaultLatency:
		lat := between(rng, 50*time.Millisecond, 1500*time.Millisecond).Milliseconds()
		attrs = map[string]any{"latency": lat, "jitter": rng.Int64N(lat/2 + 1)}
	case FaultBandwidth:
		attrs = map[string]any{"rate": 16 + rng.IntN(240)} // KB/s
	case FaultTimeout:
		attrs = map[string]any{"timeout": between(rng, 300*time.Millisecond, 3*time.Second).Milliseconds()}
		toxicity = 0.4 + 0.6*rng.Float64()
	case FaultReset:
		attrs = map[string]any{"timeout": rng.IntN(500)} // ms before the reset
		toxicity = 0.3 + 0.7*rng.Float64()
	case FaultSlicer:
		avg := 8 + rng.IntN(256)
		attrs = map[string]any{"average_size": avg, "size_variation": rng.IntN(avg), "delay": rng.IntN(3000)} // delay in µs
	case FaultLimitData:
		attrs = map[string]any{"bytes": 64 + rng.IntN(32<<10)}
		toxicity = 0.3 + 0.7*rng.Float64()
	default:
		return fmt.Errorf("soak: unknown fault %q", kind)
	}
	body, err := json.Marshal(map[string]any{"name": name, "type": string(kind), "stream": stream,
		"toxicity": toxicity, "attributes": attrs})
	if err != nil {
		return err
	}
	if err := f.up(i, body); err != nil {
		return err
	}
	sleep(ctx, hold)
	return f.up(i, nil)
}
