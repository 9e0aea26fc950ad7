package pgstore

import (
	"sync/atomic"
	"time"
)

// phaseTimes adds up where an Update's time goes, for the scale bench to print: waiting for
// the shop's turn in this process (summed per Update), then per transaction (a group of
// Updates is one) acquiring a pooled connection, the round trip that begins it, fn, and the
// round trip that commits it. Views count their begin round trip; feed reads outside a
// transaction (ReadFeed) their pool wait and whole time, and recent the long polls answered
// from the feed's tail in memory (ReadRecent) instead. The sums are
// atomic adds, cheap enough to keep on in production.
type phaseTimes struct {
	updates, txs, views               atomic.Int64
	gate, acquire, begin, fn, commit  atomic.Int64 // ns: gate summed over Updates, the others over transactions
	viewAcquire, viewBegin, viewTotal atomic.Int64 // ns, summed over Views
	feeds, feedAcquire, feedTotal     atomic.Int64 // ReadFeeds, and ns summed over them
	recent                            atomic.Int64 // ReadRecents that answered
}

// add adds the time since from to sum and returns now.
func add(sum *atomic.Int64, from time.Time) time.Time {
	now := time.Now()
	sum.Add(int64(now.Sub(from)))
	return now
}
