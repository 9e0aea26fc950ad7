package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"kefu/server/store"
)

// limiter counts events per key in a sliding window: failed logins, chat starts, customer
// messages, inbound channel messages. By default each server counts on its own (an exact
// sliding window of the events' times); on a store that several servers share and that is a
// store.RateCounter (PostgreSQL), the counts are kept there so that every server sees the
// same ones, as two fixed windows of which the older is weighed by how much of it the sliding
// window still covers. When the store cannot be reached the server counts on its own until it
// can again.
type limiter struct {
	max    int
	window time.Duration

	name   string            // the limit's name in the shared counter's keys
	shared store.RateCounter // nil: this server counts alone
	log    *slog.Logger

	mu   sync.Mutex
	hits map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, hits: map[string][]time.Time{}}
}

// shareLimits has the server's limits counted in rc, shared with every server on the store.
func (s *Server) shareLimits(rc store.RateCounter) {
	for name, l := range map[string]*limiter{"login": s.loginLimit, "start": s.startLimit, "send": s.sendLimit, "inbound": s.inLimit} {
		l.name, l.shared, l.log = name, rc, s.log
	}
}

// sharedTimeout bounds one call to the shared counter; a slower store counts locally.
const sharedTimeout = 2 * time.Second

// sharedKey is key as the shared counter stores it: the limit's name and key, hashed (keys
// hold NUL bytes, remote addresses and chat tokens' hashes).
func (l *limiter) sharedKey(key string) string {
	sum := sha256.Sum256([]byte(l.name + "\x00" + key))
	return hex.EncodeToString(sum[:16])
}

// count adds n events of key to the shared counter and returns its estimate of the events in
// the sliding window ending at now, and how long until that estimate falls below max; ok is
// false when the counter failed (the caller counts locally).
func (l *limiter) count(key string, now time.Time, n int) (events float64, wait time.Duration, ok bool) {
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	cur, prev, err := l.shared.AddRate(ctx, l.sharedKey(key), l.window, now, n)
	if err != nil {
		l.log.Warn("shared rate limit; counting on this server", "limit", l.name, "err", err)
		return 0, 0, false
	}
	start := store.RateWindow(now, l.window)
	covered := 1 - float64(now.Sub(start))/float64(l.window)
	events = float64(prev)*covered + float64(cur)
	if events < float64(l.max) {
		return events, 0, true
	}
	// The estimate falls as the sliding window leaves the previous window behind, then as it
	// leaves the current one.
	var at time.Time
	if cur < l.max && prev > 0 {
		at = start.Add(time.Duration((1 - float64(l.max-cur)/float64(prev)) * float64(l.window)))
	} else {
		at = start.Add(l.window + time.Duration((1-float64(l.max)/float64(cur))*float64(l.window)))
	}
	return events, max(at.Sub(now), time.Millisecond), true
}

// recent drops the key's events older than the window; l.mu must be held.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	h := l.hits[key]
	i := 0
	for i < len(h) && now.Sub(h[i]) >= l.window {
		i++
	}
	h = h[i:]
	if len(h) == 0 {
		delete(l.hits, key)
	} else {
		l.hits[key] = h
	}
	return h
}

// blocked returns how long key must wait before its next attempt (0 if it may go on).
func (l *limiter) blocked(key string, now time.Time) time.Duration {
	if l.shared != nil {
		if _, wait, ok := l.count(key, now, 0); ok {
			return wait
		}
	}
	return l.blockedLocal(key, now)
}

func (l *limiter) blockedLocal(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.recent(key, now)
	if len(h) < l.max {
		return 0
	}
	return h[len(h)-l.max].Add(l.window).Sub(now)
}

// add counts an event for key.
func (l *limiter) add(key string, now time.Time) {
	if l.shared != nil {
		if _, _, ok := l.count(key, now, 1); ok {
			return
		}
	}
	l.addLocal(key, now)
}

func (l *limiter) addLocal(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.recent(key, now)
	if len(h) >= 2*l.max {
		h = h[1:] // enough to keep it blocked; do not grow without bound
	}
	l.hits[key] = append(h, now)
}

// allow counts an event for key and reports whether it was within the limit. On the shared
// counter it is counted either way (one round trip): the events over the limit keep it
// blocked, as a flood should.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	if l.shared != nil {
		if events, wait, ok := l.count(key, now, 1); ok {
			if events <= float64(l.max) {
				return true, 0
			}
			return false, wait
		}
	}
	if wait := l.blockedLocal(key, now); wait > 0 {
		return false, wait
	}
	l.addLocal(key, now)
	return true, 0
}

// reset forgets key's events.
func (l *limiter) reset(key string) {
	if l.shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		if err := l.shared.ResetRate(ctx, l.sharedKey(key)); err != nil {
			l.log.Warn("shared rate limit: forgetting a key", "limit", l.name, "err", err)
		}
		cancel()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.hits, key)
}

// prune forgets every event older than the window (the shared counter's too).
func (l *limiter) prune(now time.Time) {
	if l.shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		if err := l.shared.PruneRates(ctx, now); err != nil {
			l.log.Warn("shared rate limit: pruning", "limit", l.name, "err", err)
		}
		cancel()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for k := range l.hits {
		l.recent(k, now)
	}
}
