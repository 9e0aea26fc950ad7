package screens

import (
	"context"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// reviewReminderData is what the review reminders read.
type reviewReminderData interface {
	ReviewReminders(ctx context.Context, now time.Time, after time.Duration, limit int) ([]shop.Review, error)
}

// reminderRefresh is how often the reminders are read again while no review changes: a review
// that crosses the delay shows up within this time.
const reminderRefresh = time.Minute

// reviewReminders keeps the list of neutral and bad reviews left untouched longer than the
// setting. Reading it scans every review (5,000 in a big shop), so the list is read again only
// when reviews changed, the setting changed, or reminderRefresh passed; the status bar and the
// reviews section share one.
type reviewReminders struct {
	data  reviewReminderData
	ctx   context.Context
	app   fyne.App
	stale bool
	at    time.Time     // when the list was read (desk clock)
	after time.Duration // the delay it was read with
	list  []shop.Review
	err   error
}

func newReviewReminders(ctx context.Context, data any, app fyne.App) *reviewReminders {
	rd, _ := data.(reviewReminderData)
	return &reviewReminders{data: rd, ctx: ctx, app: app, stale: true}
}

// changed marks the list stale when reviews changed.
func (m *reviewReminders) changed(types []shop.EntityType) {
	if m != nil && slices.Contains(types, shop.TypeReview) {
		m.stale = true
	}
}

// get returns the reminders at now, reading them again when needed.
func (m *reviewReminders) get(now time.Time) ([]shop.Review, error) {
	if m == nil || m.data == nil {
		return nil, nil
	}
	after := reviewRemindAfter(m.app)
	if m.stale || after != m.after || now.Sub(m.at) >= reminderRefresh || now.Before(m.at) {
		m.list, m.err = m.data.ReviewReminders(m.ctx, now, after, 0)
		m.stale, m.at, m.after = false, now, after
	}
	return m.list, m.err
}

// newReviewsButton is the status bar's reminder of neutral and bad reviews left untouched
// longer than the setting; tapping it opens the reviews inbox with them on top.
func newReviewsButton(b *statusBar) *widget.Button {
	b.reminders = newReviewReminders(b.env.ctx, b.data, b.env.app)
	btn := widget.NewButtonWithIcon("", theme.WarningIcon(), func() {
		if b.onReviews != nil {
			b.onReviews()
		}
	})
	btn.Importance = widget.WarningImportance
	btn.Hide()
	return btn
}

// updateReviews shows how many neutral or bad reviews wait untouched.
func (b *statusBar) updateReviews() {
	if b.reviews == nil {
		return
	}
	list, err := b.reminders.get(b.env.now())
	if err != nil || len(list) == 0 {
		b.reviews.Hide()
		return
	}
	b.reviews.SetText(pluralf(len(list), "%d reviews untouched", len(list)))
	b.reviews.Show()
}
