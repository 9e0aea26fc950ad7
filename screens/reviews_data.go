package screens

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// ReviewWorkData is what the reviews section reads beyond ReviewData: the review's order,
// buyer and conversations (contact, chat excerpts), its evidence locker, the products to filter
// by, and the reminders for untouched reviews.
type ReviewWorkData interface {
	Review(ctx context.Context, id string) (shop.Review, error)
	Order(ctx context.Context, id string) (shop.Order, error)
	Customer(ctx context.Context, id string) (shop.Customer, error)
	ConversationsOf(ctx context.Context, customerID string) ([]shop.Conversation, error)
	Messages(ctx context.Context, convID, before string, limit int) ([]shop.Message, error)
	EvidenceOf(ctx context.Context, reviewID string) ([]shop.Evidence, error)
	ProductNames(ctx context.Context) ([]desk.ProductName, error)
	UntouchedReviews(ctx context.Context, now time.Time, after time.Duration) (int, error)
}

// reviewStore is everything the reviews section reads.
type reviewStore interface {
	ReviewData
	ReviewWorkData
}

// prefReviewRemindHours is the preference holding after how many hours an untouched neutral
// or bad review is surfaced (shop.ReviewReminderAfter by default).
const prefReviewRemindHours = "reviews.remind_hours"

// reviewRemindChoices are the reminder delays the staff member can pick, in hours.
var reviewRemindChoices = []int{4, 12, 24, 48, 72}

// reviewRemindAfter reads the reminder delay setting.
func reviewRemindAfter(a fyne.App) time.Duration {
	def := int(shop.ReviewReminderAfter / time.Hour)
	if a == nil {
		return shop.ReviewReminderAfter
	}
	h := a.Preferences().IntWithFallback(prefReviewRemindHours, def)
	if h <= 0 {
		h = def
	}
	return time.Duration(h) * time.Hour
}

// newRemindSelect is the reminder delay setting; changed runs after a new choice is saved.
func newRemindSelect(e *env, changed func()) *widget.Select {
	opts := make([]string, len(reviewRemindChoices))
	cur := int(reviewRemindAfter(e.app) / time.Hour)
	sel := -1
	for i, h := range reviewRemindChoices {
		opts[i] = pluralf(h, "Remind after %d hours", h)
		if h == cur {
			sel = i
		}
	}
	s := widget.NewSelect(opts, nil)
	if sel >= 0 {
		s.SetSelectedIndex(sel)
	}
	s.OnChanged = func(string) {
		i := s.SelectedIndex()
		if i < 0 || e.app == nil {
			return
		}
		e.app.Preferences().SetInt(prefReviewRemindHours, reviewRemindChoices[i])
		changed()
		if e.applied != nil {
			e.applied()
		}
	}
	return s
}

// reviewStateChoice is one choice of the reviews' state filter: a follow-up state, and for
// the state new whether the review needs follow-up (待跟进) or is a good one that only wants
// a reply (无需跟进).
type reviewStateChoice struct {
	name     string
	state    shop.ReviewState
	followUp *bool // nil: both
}

// reviewStateChoices are the state filter's choices, in workflow order, with the state new
// split in two: 待跟进 (needs follow-up), then 无需跟进.
func reviewStateChoices() []reviewStateChoice {
	yes, no := true, false
	var out []reviewStateChoice
	for _, s := range shop.ReviewStates {
		if s == shop.ReviewNew {
			out = append(out, reviewStateChoice{name: reviewStateName(s), state: s, followUp: &yes},
				reviewStateChoice{name: lang.L("No follow-up needed"), state: s, followUp: &no})
			continue
		}
		out = append(out, reviewStateChoice{name: reviewStateName(s), state: s})
	}
	return out
}

// keep is the reviews the choice lets through (the store filtered the state already).
func (c reviewStateChoice) keep(reviews []shop.Review) []shop.Review {
	if c.followUp == nil {
		return reviews
	}
	out := reviews[:0]
	for _, rv := range reviews {
		if rv.NeedsFollowUp() == *c.followUp {
			out = append(out, rv)
		}
	}
	return out
}

// awaitsFollowUp reports whether a review waits for the shop's first follow-up step: new, and
// one that needs follow-up (shop's NeedsFollowUp).
func awaitsFollowUp(rv shop.Review) bool { return rv.State == shop.ReviewNew && rv.NeedsFollowUp() }

// reviewStateLabel is what a review's follow-up state reads as: a new good review that only
// wants a reply is 无需跟进, not 待跟进.
func reviewStateLabel(rv shop.Review) string {
	if rv.State == shop.ReviewNew && !rv.NeedsFollowUp() {
		return lang.L("No follow-up needed")
	}
	return reviewStateName(rv.State)
}
