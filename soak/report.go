package soak

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"kefu/shop"
)

// KindCounts counts the mutations of one kind: what the desks made and what the local store
// and then the server decided.
type KindCounts struct {
	Made      int // built and handed to localdb.Apply
	Applied   int // applied locally: in the outbox, must reach the server exactly once
	Conflicts int // refused locally with a conflict (nothing stored)
	Rejected  int // refused locally as invalid (nothing stored)
	NoTarget  int // skipped: the desk had nothing of the right kind to act on

	ServerApplied   int // of Applied: the server's recorded result is applied
	ServerConflicts int // ... conflict
	ServerRejected  int // ... rejected
}

// Report is what a soak run did and found.
type Report struct {
	Seed     int64           // the seed of the run's random choices
	Desks    int             // number of desks
	Dir      string          // the working directory, when kept (a failed run)
	Duration time.Duration   // of the fault phase
	Elapsed  time.Duration   // of the whole run, checks included
	Skews    []time.Duration // each desk's clock skew

	// Kinds counts the mutations by kind; the totals below add them up.
	Kinds                                          map[shop.Kind]KindCounts
	Made, Applied, Conflicts, Rejected             int
	ServerApplied, ServerConflicts, ServerRejected int

	Faults           map[FaultKind]int // faults injected, by kind (offline periods included)
	OfflinePeriods   []int             // per desk
	ServerKills      int               // SIGKILLs of the server (some while it was starting)
	GracefulRestarts int               // server restarts with SIGTERM (not kills)
	Servers          int               // kefu-store processes on one PostgreSQL database (0: one, on Badger)
	PostgresRestarts int64             // restarts of PostgreSQL under the servers
	// DuplicateAnswers counts the pushes the server answered "duplicate": a mutation sent
	// again after the answer to its first push was lost. Scraped from /metrics, so a lower
	// bound (a killed server takes its last counts with it).
	DuplicateAnswers int
	ServerDown       time.Duration // total time between a kill and the server answering again
	CacheResets      int           // "re-download shop data" on a desk
	DeskRestarts     int           // a desk's store and engine closed and opened again

	CustomerChats    int // chats started on the public chat page
	CustomerMessages int // customer messages the server confirmed
	CustomerResends  int // messages sent again with the same client id (must not be stored twice)

	Channel ChannelReport // the API channel's bridge and webhook (channel.go)

	ServerResults int // mutation results the server recorded
	FeedRecords   int // entities in the server's compacted feed at the end

	// Checked says the checks ran (the run got to its end); Failed says why the run did not
	// complete ("" when it did).
	Checked bool
	Failed  string

	Lost       int      // mutations (or confirmed customer messages) the server has no trace of
	Duplicated int      // effects applied more than once, or counts that disagree with the records
	Diverged   int      // desks whose data differs from the server's
	Findings   []string // what the checks found (the first maxFindings lines)
}

// OK reports whether the run completed, was checked and found nothing: lost, duplicated and
// diverged are all zero.
func (r Report) OK() bool {
	return r.Failed == "" && r.Checked && r.Lost == 0 && r.Duplicated == 0 && r.Diverged == 0 && r.Channel.OutOfOrder == 0
}

// Faulted returns the number of faults injected, all kinds together.
func (r Report) Faulted() int {
	n := 0
	for _, v := range r.Faults {
		n += v
	}
	return n
}

// maxFindings bounds the findings a report keeps.
const maxFindings = 40

// finding adds a line to the findings (the first few only).
func (r *Report) finding(format string, args ...any) {
	if len(r.Findings) < maxFindings {
		r.Findings = append(r.Findings, fmt.Sprintf(format, args...))
	} else if len(r.Findings) == maxFindings {
		r.Findings = append(r.Findings, "…")
	}
}

// String is the report as a table.
func (r Report) String() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("Kefu fault soak — seed %d, %d desks, faults for %s, %s in all\n", r.Seed, r.Desks,
		r.Duration.Round(time.Second), r.Elapsed.Round(time.Second))
	if len(r.Skews) > 0 {
		var s []string
		for i, k := range r.Skews {
			s = append(s, fmt.Sprintf("desk %d %+v", i+1, k.Round(time.Second)))
		}
		w("desk clocks: %s\n", strings.Join(s, ", "))
	}
	w("\nmutations made %d (applied locally %d, conflicts %d, rejected %d); at the server: applied %d, conflict %d, rejected %d\n",
		r.Made, r.Applied, r.Conflicts, r.Rejected, r.ServerApplied, r.ServerConflicts, r.ServerRejected)
	w("  %-18s %6s %8s %9s %9s %7s │ %8s %9s %9s\n", "kind", "made", "applied", "conflict", "rejected", "none", "srv.appl", "srv.confl", "srv.rej")
	for _, k := range shop.Kinds {
		c := r.Kinds[k]
		w("  %-18s %6d %8d %9d %9d %7d │ %8d %9d %9d\n", k, c.Made, c.Applied, c.Conflicts, c.Rejected, c.NoTarget,
			c.ServerApplied, c.ServerConflicts, c.ServerRejected)
	}
	var fs []string
	for _, k := range FaultKinds {
		name := string(k)
		if k == FaultOffline {
			name = "offline periods"
		}
		fs = append(fs, fmt.Sprintf("%s %d", name, r.Faults[k]))
	}
	w("\nfaults injected %d (%s)\n", r.Faulted(), strings.Join(fs, ", "))
	w("offline periods per desk %v\n", r.OfflinePeriods)
	w("server kills %d (down %s in all), graceful restarts %d\n", r.ServerKills, r.ServerDown.Round(100*time.Millisecond), r.GracefulRestarts)
	if r.Servers > 0 {
		w("PostgreSQL: %d kefu-store processes on one database, %d database restarts\n", r.Servers, r.PostgresRestarts)
	}
	w("duplicate answers (mutations pushed again after their answer was lost) ≥ %d\n", r.DuplicateAnswers)
	w("cache re-downloads %d, desk restarts %d\n", r.CacheResets, r.DeskRestarts)
	w("customer chats %d, customer messages %d (resent with the same id %d)\n", r.CustomerChats, r.CustomerMessages, r.CustomerResends)
	c := r.Channel
	w("API channel: inbound %d (sent again %d), webhook calls %d (failed on purpose %d), delivered %d; lost = %d, duplicated = %d, out of order = %d\n",
		c.Inbound, c.Repeats, c.Calls, c.Failed, c.Delivered, c.Lost, c.Duplicated, c.OutOfOrder)
	w("server results %d, feed entities %d\n", r.ServerResults, r.FeedRecords)
	if r.Checked {
		w("\nlost = %d\nduplicated = %d\ndiverged = %d\n", r.Lost, r.Duplicated, r.Diverged)
	} else {
		w("\nlost, duplicated, diverged: not checked\n")
	}
	if r.Failed != "" {
		w("\nthe run did not complete: %s\n", r.Failed)
	}
	if len(r.Findings) > 0 {
		w("\nfindings:\n")
		for _, f := range r.Findings {
			w("  %s\n", f)
		}
	}
	if r.Dir != "" {
		w("\nrun directory (logs, data): %s\n", r.Dir)
	}
	if r.OK() {
		w("\nPASS\n")
	} else {
		w("\nFAIL\n")
	}
	return b.String()
}

// recorded is a mutation a desk applied locally: it must reach the server exactly once.
type recorded struct {
	M    shop.Mutation
	Desk int
}

// recorder keeps what the desks did.
type recorder struct {
	mu       sync.Mutex
	attempts map[int]int // mutations attempted, by desk (the watchdog's sign of life)
	muts     []recorded
	kinds    map[shop.Kind]*KindCounts
	resets   int
	restarts int
}

func newRecorder() *recorder {
	r := &recorder{kinds: map[shop.Kind]*KindCounts{}, attempts: map[int]int{}}
	for _, k := range shop.Kinds {
		r.kinds[k] = &KindCounts{}
	}
	return r
}

// outcome is how localdb.Apply answered a mutation.
type outcome int

const (
	outApplied outcome = iota
	outConflict
	outRejected
	outNoTarget
)

// note counts a mutation of kind k (m is kept when it was applied).
func (r *recorder) note(desk int, k shop.Kind, o outcome, m shop.Mutation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts[desk]++
	c := r.kinds[k]
	if c == nil {
		c = &KindCounts{}
		r.kinds[k] = c
	}
	if o != outNoTarget {
		c.Made++
	}
	switch o {
	case outApplied:
		c.Applied++
		r.muts = append(r.muts, recorded{M: m, Desk: desk})
	case outConflict:
		c.Conflicts++
	case outRejected:
		c.Rejected++
	case outNoTarget:
		c.NoTarget++
	}
}

// attemptsByDesk returns the mutations attempted so far by each of n desks.
func (r *recorder) attemptsByDesk(n int) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]int, n)
	for i := range out {
		out[i] = r.attempts[i]
	}
	return out
}

// reset counts a ResetCache.
func (r *recorder) reset() {
	r.mu.Lock()
	r.resets++
	r.mu.Unlock()
}

// restart counts a desk restart.
func (r *recorder) restart() {
	r.mu.Lock()
	r.restarts++
	r.mu.Unlock()
}

// applied returns the mutations applied locally, in the order they were applied.
func (r *recorder) applied() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.muts...)
}

// counts returns the counts by kind.
func (r *recorder) counts() map[shop.Kind]KindCounts {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[shop.Kind]KindCounts, len(r.kinds))
	for k, c := range r.kinds {
		out[k] = *c
	}
	return out
}
