package localdb

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// ReviewReminders lists the neutral and bad reviews nobody has touched for longer than after
// at now (shop.Review.Untouched), the longest waiting first; at most limit (all when <= 0).
func (db *DB) ReviewReminders(now time.Time, after time.Duration, limit int) ([]shop.Review, error) {
	var out []shop.Review
	err := db.view(func(txn *badger.Txn) error {
		return eachEntity(txn, shop.TypeReview, func(_ string, data []byte) error {
			var r shop.Review
			if err := json.Unmarshal(data, &r); err != nil {
				return fmt.Errorf("decoding a review: %w", err)
			}
			if r.Untouched(now, after) {
				out = append(out, r)
			}
			return nil
		})
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
		q := lowerASCII(strings.TrimSpace(f.Query))
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
	var out []shop.Evidence
	err := db.view(func(txn *badger.Txn) error {
		var ids []string
		scanIDs(txn, ixEvidence, ixValuePrefix(ixEvidence, reviewID, true), false, func(id string) bool {
			ids = append(ids, id)
			return true
		})
		var err error
		out, err = loadIDs[shop.Evidence](txn, shop.TypeEvidence, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("localdb: evidence of %s: %w", reviewID, err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LockedAt.Before(out[j].LockedAt) })
	return out, nil
}
