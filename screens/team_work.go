package screens

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// TeamWorkData is what the team's work reads: the calls against the quota, the handovers and
// the work they carry, the concessions and the limits behind them.
type TeamWorkData interface {
	CallProgress(ctx context.Context, staff string, now time.Time) (desk.CallProgress, error)
	CallsThisWeek(ctx context.Context, staff string, now time.Time) ([]shop.CallLog, error)
	HandoverWork(ctx context.Context, staff string, now time.Time) ([]shop.HandoverItem, error)
	HandoversFor(ctx context.Context, staff string) ([]shop.Handover, error)
	TeamSettings(ctx context.Context) (shop.TeamSettings, error)
	ConcessionRequests(ctx context.Context, limit int) ([]shop.Concession, error)
	ConcessionRequestCount(ctx context.Context) (int, error)
	ConcessionsOf(ctx context.Context, orderID string) ([]shop.Concession, error)
	ConcessionsIn(ctx context.Context, convID string) ([]shop.Concession, error)
	ConcessionsDecidedFor(ctx context.Context, staff string, since time.Time) ([]shop.Concession, error)
	ConcessionRoom(ctx context.Context, staff string, order shop.Order, now time.Time) (desk.ConcessionRoom, error)
	StaffList(ctx context.Context) ([]shop.Staff, error)
	Order(ctx context.Context, id string) (shop.Order, error)
	OrdersOf(ctx context.Context, customerID string, limit int) ([]shop.Order, error)
	Customer(ctx context.Context, id string) (shop.Customer, error)
}

// teamWork is the team's work on the desk: the week's calls against the quota in the status
// bar (a tap shows them), the handover banner at the top of the desk until the next shift
// acknowledges, the handover, call and concession dialogs the sections open, and, for
// managers, the approvals waiting in the status bar and the team settings in the window's
// menu. A requester hears of a manager's decision by a notification and in the chat panel.
type teamWork struct {
	env     *env
	data    TeamWorkData
	manager bool

	calls     *widget.Button // status bar: 电话 37/200
	approvals *widget.Button // status bar, managers: 待审批 N
	banner    *fyne.Container
	bannerBox *fyne.Container // the banner in its scroller, at most maxBannerHeight high (desk's top)
	shown     []shop.Handover // the handovers the banner shows

	since    time.Time       // decisions after this are told
	notified map[string]bool // concessions whose decision was told
	notify   func(*fyne.Notification)

	panel     *customerPanel     // the chat's customer panel, whose strip shows concessions
	panelConv *shop.Conversation // the conversation the strip shows

	progressLoad, bannerLoad, approvalsLoad, decidedLoad latest

	// The open form (for the tests): its dialog and fields.
	dialog      *dialog.FormDialog
	dialogItems []*widget.FormItem
	// The open list dialogs (for the tests).
	callList     *callListDialog
	approvalsDlg *approvalsDialog
	settings     *teamSettingsDialog
	handing      *handoverDialog
}

func newTeamWork(e *env, data TeamWorkData) *teamWork {
	t := &teamWork{env: e, data: data, manager: shop.IsManager(e.staff), since: e.now(), notified: map[string]bool{}}
	t.notify = func(n *fyne.Notification) {
		if e.app != nil {
			e.app.SendNotification(n)
		}
	}
	t.calls = widget.NewButtonWithIcon(lang.L("Calls ?"), iconCall, t.showCallList)
	t.calls.Importance = widget.LowImportance
	t.approvals = widget.NewButtonWithIcon("", theme.QuestionIcon(), t.showApprovals)
	t.approvals.Importance = widget.HighImportance
	t.approvals.Hide()
	t.banner = newHandoverBanner()
	t.bannerBox = newCappedScroll(t.banner, maxBannerHeight)
	t.bannerBox.Hide()
	return t
}

// iconCall is the phone of the call figures.
var iconCall = theme.NewThemedResource(fyne.NewStaticResource("call.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#000" d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1A17 17 0 0 1 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1z"/></svg>`)))

// statusObjects are what the team's work adds to the status bar, left of its warnings (the
// handover is written from the rail and the window's menu).
func (t *teamWork) statusObjects() []fyne.CanvasObject {
	return []fyne.CanvasObject{t.calls, t.approvals}
}

// menuItems are the team's entries in the window's 客服台 menu.
func (t *teamWork) menuItems() []*fyne.MenuItem {
	items := []*fyne.MenuItem{fyne.NewMenuItem(lang.L("Hand over the shift…"), t.writeHandover)}
	if t.manager {
		items = append(items,
			fyne.NewMenuItem(lang.L("Concession requests…"), t.showApprovals),
			fyne.NewMenuItem(lang.L("Team settings…"), t.showSettings))
	}
	return items
}

// start reads what the team's work shows when the desk opens: the call figures, the
// handovers for the one signing in, the approvals waiting.
func (t *teamWork) start() {
	t.updateCalls()
	t.updateBanner()
	t.updateApprovals()
}

// changed re-reads what changes to entities of these types can change.
func (t *teamWork) changed(types []shop.EntityType) {
	for _, ty := range types {
		switch ty {
		case shop.TypeCall, shop.TypeTeam:
			t.updateCalls()
		case shop.TypeHandover:
			t.updateBanner()
		case shop.TypeConcession:
			t.updateApprovals()
			t.tellDecisions()
			t.refreshPanel()
		}
	}
}

// updateCalls shows the week's calls against the quota: 电话 37/200.
func (t *teamWork) updateCalls() {
	staff, now := t.env.staff.Number, t.env.now()
	latestRun(&t.progressLoad, t.env, func(ctx context.Context) (desk.CallProgress, error) {
		return t.data.CallProgress(ctx, staff, now)
	}, t.showProgress)
}

func (t *teamWork) showProgress(p desk.CallProgress, err error) {
	if err != nil {
		t.calls.SetText(lang.L("Calls ?"))
		return
	}
	t.calls.SetText(fmt.Sprintf(lang.L("Calls %d/%d"), p.Done, p.Quota))
	imp := widget.LowImportance
	if p.Quota > 0 && p.Done >= p.Quota {
		imp = widget.SuccessImportance
	}
	if t.calls.Importance != imp {
		t.calls.Importance = imp
		t.calls.Refresh()
	}
}

// updateApprovals shows the concession requests waiting, for managers: 待审批 N.
func (t *teamWork) updateApprovals() {
	if !t.manager {
		return
	}
	latestRun(&t.approvalsLoad, t.env, t.data.ConcessionRequestCount, func(n int, err error) {
		if err != nil || n == 0 {
			t.approvals.Hide()
		} else {
			t.approvals.SetText(fmt.Sprintf(lang.L("%d to approve"), n))
			t.approvals.Show()
		}
		if t.approvalsDlg != nil {
			t.approvalsDlg.load()
		}
	})
}

// tellDecisions tells the staff member of each of her concession requests a manager decided
// since the desk opened: a notification, once each.
func (t *teamWork) tellDecisions() {
	staff, since := t.env.staff.Number, t.since
	latestRun(&t.decidedLoad, t.env, func(ctx context.Context) ([]shop.Concession, error) {
		return t.data.ConcessionsDecidedFor(ctx, staff, since)
	}, func(cs []shop.Concession, err error) {
		if err != nil {
			return
		}
		for _, c := range cs {
			if t.notified[c.ID] {
				continue
			}
			t.notified[c.ID] = true
			t.notify(fyne.NewNotification(concessionDecisionTitle(c), concessionDecisionText(c)))
		}
	})
}

// concessionDecisionTitle is the title of the notification of a decision.
func concessionDecisionTitle(c shop.Concession) string {
	if c.State == shop.ConcessionApproved {
		return lang.L("Concession approved")
	}
	return lang.L("Concession declined")
}

// concessionDecisionText says what was decided on which order, by whom, with the answer.
func concessionDecisionText(c shop.Concession) string {
	return joinNonEmpty(" · ", fmt.Sprintf(lang.L("Order %s"), c.OrderID), concessionKindName(c.Kind)+" "+c.Amount.String(),
		staffLabel(c.DecidedBy), c.Answer)
}

// form shows a form dialog; submit runs on OK and calls reopen to show it again, with what
// was typed, when what it records was refused. Without a window submit runs at once.
func (t *teamWork) form(title, confirm string, items []*widget.FormItem, submit func(reopen func())) {
	t.dialogItems = items
	if t.env.win == nil {
		submit(func() {})
		return
	}
	var d *dialog.FormDialog
	d = dialog.NewForm(title, confirm, lang.L("Cancel"), items, func(ok bool) {
		if ok {
			submit(func() { d.Show() })
		}
	}, t.env.win)
	d.Resize(fyne.NewSize(560, d.MinSize().Height))
	t.dialog = d
	d.Show()
}

// inform shows a short message.
func (t *teamWork) inform(title, msg string) {
	if t.env.win != nil {
		dialog.ShowInformation(title, msg, t.env.win)
	}
}

// staffName is a staff member's name and number from the staff list, or the number alone.
func staffName(staff []shop.Staff, number string) string {
	if i := slices.IndexFunc(staff, func(s shop.Staff) bool { return s.Number == number }); i >= 0 {
		return joinNonEmpty(" · ", staff[i].Name, staffLabel(number))
	}
	return staffLabel(number)
}

// parseYuan reads an amount of money as typed (8, 8.5, ¥8.50) into fen; false when it is not
// one.
func parseYuan(s string) (shop.Cents, bool) {
	s = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s), "¥￥"))
	if s == "" {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" && frac == "" {
		return 0, false
	}
	w, err := strconv.ParseInt(orZero(whole), 10, 64)
	if err != nil || w < 0 || w > shop.MaxConcessionFen/100 {
		return 0, false
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil || f < 0 {
			return 0, false
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	return shop.Cents(w*100 + f), true
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// yuanText is an amount as the fields show it to be edited: 8, 8.50.
func yuanText(c shop.Cents) string {
	if c%100 == 0 {
		return strconv.FormatInt(int64(c/100), 10)
	}
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}
