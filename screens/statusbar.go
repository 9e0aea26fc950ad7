package screens

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// Sync states, as SyncView.State carries them.
const (
	SyncOnline    = "online"
	SyncOffline   = "offline"
	SyncSyncing   = "syncing"
	SyncSignedOut = "signed_out"
)

// SyncView is the sync engine's state as the status bar shows it.
type SyncView struct {
	State    string    // SyncOnline, SyncOffline, SyncSyncing or SyncSignedOut ("" before the first status)
	Since    time.Time // when the state began (offline since …)
	Done     int64     // syncing: changes pulled so far …
	Total    int64     // … of this many (0 when unknown)
	Pending  int       // the outbox as the engine last counted it; the bar reads the store's own count
	Problems int       // the problems as the engine last counted them; the bar reads the store's own list
	LastSync time.Time // the last successful exchange with the server (shown while offline)
	Err      string    // the last error as it came, shown only in the sync details
	Cause    string    // what kind of failure Err is (a Cause value, "" when none): the bar says it in words
	NextTry  time.Time // offline: when the desk next asks the server (the details count down to it)

	Left time.Duration // syncing: the estimated time left of Done of Total (0 when unknown)
}

// statusBar is the strip at the window's bottom: who is signed in, the sync state, the
// outbox, the customers waiting, and the problems to look at.
type statusBar struct {
	env         *env
	data        StatusData
	warn, alert time.Duration
	server      string // the store server's address, named in the banner

	banner     *fyne.Container // a sync failure the staff member should act on, above the bar
	bannerText *widget.Label

	view       SyncView
	staff      *widget.Label
	sync       *syncLabel // the state and why, in words; a tap opens the details
	reconnect  *widget.Button
	details    *syncDetails // the open sync details (statusbar_sync.go); nil when closed
	retrying   bool         // the bar says "reconnecting…" until the next status
	progress   *widget.ProgressBar
	progBox    *fyne.Container
	pending    *widget.Label
	waiting    *widget.Label
	problems   *widget.Button
	nProblems  int
	onProblems func()
	cases      *widget.Button // after-sales cases needing attention (orders_cases.go)
	onCases    func()
	reviews    *widget.Button // neutral and bad reviews left untouched (reviews_remind.go)
	reminders  *reviewReminders
	onReviews  func()
	overdue    func() int // conversations waiting past the red threshold (chat_actions.go)
	row        *fyne.Container
	right      *fyne.Container // the warnings at the right; the team's figures go first (team_work.go)
	box        fyne.CanvasObject
	counting   latest // the counts being read (update)
	waitLoad   latest // the waiting count being read (tick)
}

func newStatusBar(e *env, data StatusData, onProblems func()) *statusBar {
	b := &statusBar{env: e, data: data, warn: defaultWarnAfter, alert: defaultAlertAfter, onProblems: onProblems}
	b.staff = widget.NewLabel(joinNonEmpty(" · ", e.staff.Name, staffLabel(e.staff.Number)))
	b.sync = newSyncLabel(b.showSyncDetails)
	b.reconnect = newReconnectButton(b)
	b.progress = widget.NewProgressBar()
	b.progress.TextFormatter = func() string { return "" }
	b.progBox = container.New(&fixedWidth{width: 120}, b.progress)
	b.progBox.Hide()
	b.pending = widget.NewLabel("")
	b.waiting = widget.NewLabel("")
	b.problems = widget.NewButtonWithIcon("", theme.WarningIcon(), func() {
		if b.onProblems != nil {
			b.onProblems()
		}
	})
	b.problems.Importance = widget.DangerImportance
	b.problems.Hide()

	left := container.NewHBox(widget.NewIcon(theme.AccountIcon()), b.staff, widget.NewSeparator(), b.sync, b.reconnect, b.progBox,
		widget.NewSeparator(), b.pending, widget.NewSeparator(), b.waiting)
	b.cases = newCasesButton(b)
	b.reviews = newReviewsButton(b)
	right := container.NewHBox(b.reviews, b.cases, b.problems)
	b.right = right
	b.row = container.NewBorder(nil, nil, left, right)
	b.bannerText = widget.NewLabel("")
	b.bannerText.Wrapping = fyne.TextWrapWord
	b.bannerText.Importance = widget.WarningImportance
	b.banner = container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.WarningIcon())), nil, b.bannerText)
	b.banner.Hide()
	b.box = container.NewStack(newThemedRect(theme.ColorNameHeaderBackground),
		container.NewVBox(widget.NewSeparator(), b.banner, b.row))
	b.setSync(SyncView{})
	return b
}

// setSync shows a new sync state. The bar says it in words (offline since 14:05 · server
// unreachable); the error as it came is only in the details a tap on the state opens.
func (b *statusBar) setSync(v SyncView) {
	onlyNextTry := b.view.State != "" && !b.retrying && func() bool { w := b.view; w.NextTry = v.NextTry; return w == v }()
	b.view, b.retrying = v, false
	if b.details != nil {
		b.details.show(v, false)
	}
	if onlyNextTry {
		return // a new probe while offline: nothing in the bar changes
	}
	b.sync.SetText(syncText(v))
	b.sync.Importance = widget.MediumImportance
	switch v.State {
	case SyncOffline, SyncSignedOut:
		b.sync.Importance = widget.WarningImportance
	case SyncOnline:
		b.sync.Importance = widget.SuccessImportance
	}
	b.sync.Refresh()
	if v.State == SyncSyncing && v.Total > 0 {
		b.progress.Max = float64(v.Total)
		b.progress.SetValue(float64(min(v.Done, v.Total)))
		b.progBox.Show()
	} else {
		b.progBox.Hide()
	}
	if v.State == SyncOffline && b.canReconnect() { // (signed out, signing in again is what helps)
		b.reconnect.SetText(lang.L("Reconnect")) // in the window's language of now
		b.reconnect.Show()
	} else {
		b.reconnect.Hide()
	}
	if banner := syncTroubleText(v.Cause, b.server); banner != "" {
		b.bannerText.SetText(banner)
		b.banner.Show()
	} else {
		b.banner.Hide()
	}
	b.update()
}

// syncText is the words for a sync state and, when it is a failure, why: online, offline since
// 14:05 · server unreachable, syncing 3 of 10, signed out · sign-in expired.
func syncText(v SyncView) string {
	text := syncStateText(v)
	if v.State != SyncOffline && v.State != SyncSignedOut {
		return text
	}
	if v.Cause == CauseWebPage || v.Cause == CauseNotKefuStore {
		return text // "wrong server address?" says it
	}
	return joinNonEmpty(" · ", text, syncReason(v))
}

// syncStateText is the words for a sync state alone.
func syncStateText(v SyncView) string {
	switch v.State {
	case SyncOnline:
		return lang.L("Online")
	case SyncOffline:
		if v.Cause == CauseWebPage || v.Cause == CauseNotKefuStore {
			return lang.L("Wrong server address?")
		}
		switch {
		case !v.Since.IsZero():
			return fmt.Sprintf(lang.L("Offline since %s"), fmtClock(v.Since))
		case !v.LastSync.IsZero():
			return fmt.Sprintf(lang.L("Offline, last synced %s"), fmtClock(v.LastSync))
		}
		return lang.L("Offline")
	case SyncSyncing:
		if v.Total > 0 && v.Left > 0 {
			return fmt.Sprintf(lang.L("Syncing %d of %d, %s left"), min(v.Done, v.Total), v.Total, fmtWait(v.Left))
		}
		if v.Total > 0 {
			return fmt.Sprintf(lang.L("Syncing %d of %d"), min(v.Done, v.Total), v.Total)
		}
		return lang.L("Syncing")
	case SyncSignedOut:
		return lang.L("Signed out")
	}
	return lang.L("Connecting…")
}

// statusCounts are the figures the bar shows, read together in the background.
type statusCounts struct {
	pending  int
	waiting  waitingCount
	cases    int // after-sales cases needing attention; -1 when unknown
	problems int // -1 when they could not be read
}

// waitingCount is how many customers wait, and since when the longest has waited.
type waitingCount struct {
	n       int
	err     error
	longest *shop.Conversation // the longest waiting, when it could be read
}

// update re-reads the counts the bar shows from the store (they change with every action,
// before the sync engine hears of it) and shows them.
func (b *statusBar) update() {
	now := b.env.now()
	latestRun(&b.counting, b.env, func(ctx context.Context) (statusCounts, error) {
		c := statusCounts{pending: b.env.writer.OutboxLen(), waiting: b.readWaiting(ctx), cases: -1, problems: -1}
		if cc, ok := b.data.(casesCounter); ok {
			if n, err := cc.CasesNeedingAttention(ctx, now); err == nil {
				c.cases = n
			}
		}
		if probs, err := b.data.Problems(ctx); err == nil {
			c.problems = len(probs)
		}
		return c, nil
	}, func(c statusCounts, _ error) { b.showCounts(c) })
}

// showCounts draws the counts update read.
func (b *statusBar) showCounts(c statusCounts) {
	if c.pending == 0 {
		setLabel(b.pending, lang.L("All saved to the server"), widget.MediumImportance)
	} else {
		setLabel(b.pending, fmt.Sprintf(lang.L("%d pending"), c.pending), widget.WarningImportance)
	}
	b.showWaiting(c.waiting)
	b.showCases(c.cases)
	b.updateReviews()
	b.nProblems = c.problems
	if c.problems < 0 {
		b.nProblems = b.view.Problems
	}
	if b.nProblems > 0 {
		b.problems.SetText(pluralf(b.nProblems, "%d problems", b.nProblems))
		b.problems.Show()
	} else {
		b.problems.Hide()
	}
	b.row.Refresh()
}

// readWaiting counts the customers waiting for a reply, in the background.
func (b *statusBar) readWaiting(ctx context.Context) waitingCount {
	var w waitingCount
	w.n, w.err = b.data.WaitingCount(ctx)
	if w.err == nil && w.n > 0 {
		if first, err := b.data.Conversations(ctx, desk.FilterWaiting, "", "", 1); err == nil && len(first) > 0 {
			w.longest = &first[0]
		}
	}
	return w
}

// showWaiting shows how many customers wait for a reply, in red when one has waited too long.
func (b *statusBar) showWaiting(w waitingCount) {
	if w.err != nil {
		setLabel(b.waiting, fmt.Sprintf(lang.L("Could not count waiting customers: %v"), w.err), widget.DangerImportance)
		return
	}
	if w.n == 0 {
		setLabel(b.waiting, lang.L("No customer waiting"), widget.MediumImportance)
		return
	}
	imp := widget.MediumImportance
	if w.longest != nil {
		imp = waitImportance(w.longest.Waiting(b.env.now()), b.warn, b.alert)
	}
	text := pluralf(w.n, "%d customers waiting", w.n)
	if b.overdue != nil {
		if o := b.overdue(); o > 0 {
			text += " · " + fmt.Sprintf(lang.L("%d waited too long"), o)
		}
	}
	setLabel(b.waiting, text, imp)
}

// tick updates the waiting count and colour, and the sync details' countdown; the desk calls it
// every second.
func (b *statusBar) tick() {
	if b.details != nil {
		b.details.tick(b.view)
	}
	latestRun(&b.waitLoad, b.env, func(ctx context.Context) (waitingCount, error) { return b.readWaiting(ctx), nil },
		func(w waitingCount, _ error) {
			b.showWaiting(w)
			b.row.Refresh()
		})
}

// fixedWidth gives its objects a fixed width and their own minimum height, centred vertically.
type fixedWidth struct{ width float32 }

func (f *fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, (size.Height-h)/2))
		o.Resize(fyne.NewSize(f.width, h))
	}
}

func (f *fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(f.width, h)
}
