package localdb

import (
	"encoding/json"
	"fmt"
	"sort"
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
