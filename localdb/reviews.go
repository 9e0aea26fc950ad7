package localdb

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// reviewKeyed is what the review indexes read of a review.
type reviewKeyed struct {
	At         time.Time        `json:"at"`
	Reply      string           `json:"reply"`
	CustomerID string           `json:"customer_id"`
	Stars      int              `json:"stars"`
	Text       string           `json:"text"`
	State      shop.ReviewState `json:"state"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

// waitingSince is when a review that may become untouched (shop.Review.Untouched) started
// waiting: it needs follow-up and is still new; the clock runs from when it was written or
// last updated. ok is false for a review that can never be untouched in its state.
func (r *reviewKeyed) waitingSince() (since time.Time, ok bool) {
	rv := shop.Review{Stars: r.Stars, Text: r.Text, State: r.State}
	if rv.State != shop.ReviewNew || !rv.NeedsFollowUp() {
		return time.Time{}, false
	}
	since = r.At
	if r.UpdatedAt.After(since) {
		since = r.UpdatedAt
	}
	return since, true
}

var reviewSpec = specFor[reviewKeyed](shop.TypeReview)

// The review indexes. A review is in one of ixReviewOpen and ixReviewAnswer (the inbox's parts).
var (
	// ixReviewOpen: at, for unanswered ones.
	ixReviewOpen = reviewSpec.index("ru", byTime, func(_ string, r *reviewKeyed) (string, time.Time, bool) {
		return "", r.At, r.Reply == ""
	})
	// ixReviewAnswer: at, for answered ones.
	ixReviewAnswer = reviewSpec.index("ra", byTime, func(_ string, r *reviewKeyed) (string, time.Time, bool) {
		return "", r.At, r.Reply != ""
	})
	// ixReviewCust: customer id + at (schema 2).
	ixReviewCust = reviewSpec.index("rcu", byValueTime, func(_ string, r *reviewKeyed) (string, time.Time, bool) {
		return r.CustomerID, r.At, r.CustomerID != ""
	})
	// ixReviewWait: the time a new review that needs follow-up started waiting (schema 5). It
	// becomes untouched, overdue, once the reminder delay has passed since: the reviews overdue
	// at now are the keys before now minus the delay, so counting them reads keys only. The
	// key holds the start of the wait, not the overdue time, because the delay is a setting.
	ixReviewWait = reviewSpec.index("rw", byTime, func(_ string, r *reviewKeyed) (string, time.Time, bool) {
		since, ok := r.waitingSince()
		return "", since, ok
	})
)

// evidenceKeyed is what the evidence index reads of locked evidence.
type evidenceKeyed struct {
	ReviewID string `json:"review_id"`
}

var evidenceSpec = specFor[evidenceKeyed](shop.TypeEvidence)

// ixEvidence: the evidence's review id.
var ixEvidence = evidenceSpec.index("ev", byValue, func(_ string, e *evidenceKeyed) (string, time.Time, bool) {
	return e.ReviewID, time.Time{}, true
})

// scanUntouched passes fn the ids of the reviews untouched at now with the delay after
// (shop.Review.Untouched), from ixReviewWait: the keys whose wait started before now − after,
// longest waiting first. It reads keys only.
func scanUntouched(txn *badger.Txn, now time.Time, after time.Duration, fn func(id string) bool) {
	bound := timeKey(now.Add(-after))
	scanKeys(txn, ixPrefix(ixReviewWait), false, nil, func(k []byte) bool {
		if t := ixTime(ixReviewWait, k); len(t) != 8 || bytes.Compare(t, bound) >= 0 {
			return false // waiting since now − after or later: not overdue, nor any after it
		}
		if id, ok := ixID(ixReviewWait, k); ok {
			return fn(id)
		}
		return true
	})
}

// UntouchedReviews counts the neutral and bad reviews nobody has touched for longer than after
// at now (shop.Review.Untouched): a range scan of index keys, without reading any review, so
// the status bar can count them often.
func (db *DB) UntouchedReviews(now time.Time, after time.Duration) (int, error) {
	n := 0
	err := db.view(func(txn *badger.Txn) error {
		scanUntouched(txn, now, after, func(string) bool { n++; return true })
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("localdb: counting untouched reviews: %w", err)
	}
	return n, nil
}

// ReviewReminders lists the neutral and bad reviews nobody has touched for longer than after
// at now (shop.Review.Untouched), the oldest review first; at most limit (all when <= 0). It
// reads only the reviews ixReviewWait finds overdue.
func (db *DB) ReviewReminders(now time.Time, after time.Duration, limit int) ([]shop.Review, error) {
	var out []shop.Review
	err := db.view(func(txn *badger.Txn) error {
		var ferr error
		scanUntouched(txn, now, after, func(id string) bool {
			r, ok, err := load[shop.Review](txn, shop.TypeReview, id)
			if err != nil {
				ferr = fmt.Errorf("decoding a review: %w", err)
				return false
			}
			if ok && r.Untouched(now, after) {
				out = append(out, r)
			}
			return true
		})
		return ferr
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: review reminders: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].ID < out[j].ID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// ReviewsOf lists a customer's reviews, newest first, at most limit (all when <= 0), from the
// reviews-by-customer index: the chat's customer panel asks on every conversation it opens.
func (db *DB) ReviewsOf(customerID string, limit int) ([]shop.Review, error) {
	var out []shop.Review
	err := db.view(func(txn *badger.Txn) error {
		var ferr error
		scanIDs(txn, ixReviewCust, ixValuePrefix(ixReviewCust, customerID, true), true, func(id string) bool {
			r, ok, err := load[shop.Review](txn, shop.TypeReview, id)
			if err != nil {
				ferr = err
				return false
			}
			if ok {
				out = append(out, r)
			}
			return !full(len(out), limit)
		})
		return ferr
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: reviews of %s: %w", customerID, err)
	}
	return out, nil
}

// ReviewFilter narrows Reviews. Zero fields do not filter; Query matches the buyer's nick or
// the review text (substring) or the order number (prefix), ASCII case-insensitive.
type ReviewFilter struct {
	Rating    shop.Rating
	Stars     int // 1..5: only reviews with exactly these stars
	State     shop.ReviewState
	ProductID string
	Query     string
}

func (f ReviewFilter) match(r shop.Review, q string) bool {
	if f.Rating != "" && r.Rating() != f.Rating {
		return false
	}
	if f.Stars != 0 && r.Stars != f.Stars {
		return false
	}
	if f.State != "" && r.State != f.State {
		return false
	}
	if f.ProductID != "" && r.ProductID != f.ProductID {
		return false
	}
	if q == "" {
		return true
	}
	return strings.Contains(lowerASCII(r.Nick), q) || strings.Contains(lowerASCII(r.Text), q) ||
		strings.HasPrefix(lowerASCII(r.OrderID), q)
}

// Reviews lists reviews for the inbox: unanswered ones first, then answered ones, newest first
// within each; at most limit (all when <= 0).
func (db *DB) Reviews(f ReviewFilter, limit int) ([]shop.Review, error) {
	var out []shop.Review
	err := db.view(func(txn *badger.Txn) error {
		q := queryKey(f.Query)
		var ferr error
		scanned := 0
		take := func(id string) bool {
			scanned++
			r, ok, err := load[shop.Review](txn, shop.TypeReview, id)
			if err != nil {
				ferr = err
				return false
			}
			if ok && f.match(r, q) {
				out = append(out, r)
			}
			return !full(len(out), limit) && scanned < maxFilterScan
		}
		scanIDs(txn, ixReviewOpen, ixPrefix(ixReviewOpen), true, take)
		if ferr == nil && !full(len(out), limit) && scanned < maxFilterScan {
			scanIDs(txn, ixReviewAnswer, ixPrefix(ixReviewAnswer), true, take)
		}
		return ferr
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: reviews: %w", err)
	}
	return out, nil
}

// Review returns one review.
func (db *DB) Review(id string) (shop.Review, error) {
	return getTyped[shop.Review](db, shop.TypeReview, id)
}

// EvidenceOf lists the evidence locked for a review, oldest first.
func (db *DB) EvidenceOf(reviewID string) ([]shop.Evidence, error) {
	out, err := listByValue[shop.Evidence](db, "evidence of "+reviewID, ixEvidence, reviewID, false, 0)
	sort.SliceStable(out, func(i, j int) bool { return out[i].LockedAt.Before(out[j].LockedAt) })
	return out, err
}
