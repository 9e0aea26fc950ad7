package screens

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

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
	SearchProducts(ctx context.Context, q string, limit int) ([]shop.Product, error)
	ReviewReminders(ctx context.Context, now time.Time, after time.Duration, limit int) ([]shop.Review, error)
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
