package soak

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
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
type faults struct {
	api     *toxiproxy.ApiServer
	proxies []*toxiproxy.Proxy
	addrs   []string // the proxies' listen addresses (kept across offline periods)

	mu      sync.Mutex
	counts  map[FaultKind]int
	offline []int // offline periods per desk
	serial  int
}

// newFaults starts n proxies on loopback, each forwarding to upstream.
func newFaults(n int, upstream string) (*faults, error) {
	quietToxics.Do(func() { zlog.Logger = zerolog.Nop() })
	f := &faults{
		api:     toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop()),
		counts:  map[FaultKind]int{},
		offline: make([]int, n),
	}
	for i := range n {
		p := toxiproxy.NewProxy(f.api, fmt.Sprintf("desk%d", i+1), "127.0.0.1:0", upstream)
		if err := p.Start(); err != nil {
			f.close()
			return nil, fmt.Errorf("soak: starting proxy %d: %w", i+1, err)
		}
		f.proxies = append(f.proxies, p)
		f.addrs = append(f.addrs, p.Listen)
	}
	return f, nil
}

// url is the base URL desk i reaches the server at.
func (f *faults) url(i int) string { return "http://" + f.addrs[i] }

// close stops every proxy.
func (f *faults) close() {
	for _, p := range f.proxies {
		p.Stop()
	}
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
	p := f.proxies[i]
	f.mu.Lock()
	f.counts[kind]++
	f.serial++
	name := fmt.Sprintf("%s-%d", kind, f.serial)
	if kind == FaultOffline {
		f.offline[i]++
	}
	f.mu.Unlock()
	if kind == FaultOffline {
		p.Stop()
		sleep(ctx, hold)
		return f.restart(i)
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
	if _, err := p.Toxics.AddToxicJson(strings.NewReader(string(body))); err != nil {
		return fmt.Errorf("soak: adding toxic %s to proxy %d: %w", name, i+1, err)
	}
	sleep(ctx, hold)
	if err := p.Toxics.RemoveToxic(context.Background(), name); err != nil {
		return fmt.Errorf("soak: removing toxic %s from proxy %d: %w", name, i+1, err)
	}
	return nil
}

// restart brings desk i's proxy back up on its address (retrying a moment if the port is
// briefly unavailable).
func (f *faults) restart(i int) error {
	p := f.proxies[i]
	var err error
	for range 100 {
		if err = p.Start(); err == nil || err == toxiproxy.ErrProxyAlreadyStarted {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("soak: restarting proxy %d: %w", i+1, err)
}
