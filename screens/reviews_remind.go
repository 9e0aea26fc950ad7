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

// reviewReminderData is what the review reminders read: the count alone, from the store's
// index of when reviews started waiting (no review is read).
type reviewReminderData interface {
	UntouchedReviews(ctx context.Context, now time.Time, after time.Duration) (int, error)
}

// reminderRefresh is how often the count is read again while no review changes: a review that
// crosses the delay shows up within this time.
const reminderRefresh = time.Minute

// reviewReminders keeps the count of neutral and bad reviews left untouched longer than the
// setting. Counting reads index keys only (a range scan up to now minus the delay), yet the
// status bar asks on every tick, so the count is read again only when reviews changed, the
// setting changed, or reminderRefresh passed; the status bar and the reviews section share one.
type reviewReminders struct {
	data  reviewReminderData
	ctx   context.Context
	app   fyne.App
	stale bool
	at    time.Time     // when the list was read (desk clock)
	after time.Duration // the delay it was read with
	n     int           // the untouched reviews at m.at
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

// get returns how many reviews are untouched at now, counting them again when needed.
func (m *reviewReminders) get(now time.Time) (int, error) {
	if m == nil || m.data == nil {
		return 0, nil
	}
	after := reviewRemindAfter(m.app)
	if m.stale || after != m.after || now.Sub(m.at) >= reminderRefresh || now.Before(m.at) {
		m.n, m.err = m.data.UntouchedReviews(m.ctx, now, after)
		m.stale, m.at, m.after = false, now, after
	}
	return m.n, m.err
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
	n, err := b.reminders.get(b.env.now())
	if err != nil || n == 0 {
		b.reviews.Hide()
		return
	}
	b.reviews.SetText(pluralf(n, "%d reviews untouched", n))
	b.reviews.Show()
}
