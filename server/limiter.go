package server

import (
	"sync"
	"time"
)

// limiter counts events per key in a sliding window: failed logins, chat starts, customer
// messages.
type limiter struct {
	max    int
	window time.Duration

	mu   sync.Mutex
	hits map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, hits: map[string][]time.Time{}}
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
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.recent(key, now)
	if len(h) >= 2*l.max {
		h = h[1:] // enough to keep it blocked; do not grow without bound
	}
	l.hits[key] = append(h, now)
}

// allow counts an event for key and reports whether it was within the limit.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	if wait := l.blocked(key, now); wait > 0 {
		return false, wait
	}
	l.add(key, now)
	return true, 0
}

// reset forgets key's events.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.hits, key)
}

// prune forgets every event older than the window.
func (l *limiter) prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k := range l.hits {
		l.recent(k, now)
	}
}
