package screens

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// callAbout is what a call to log is about, as the action that opens the dialog knows it:
// the customer (or an order, review or case of theirs), who they are in words, and the
// purpose and result the action implies.
type callAbout struct {
	CustomerID, OrderID, ReviewID, CaseID string
	Who                                   string // the customer's nick, an order number …
	Purpose                               shop.CallPurpose
	Result                                shop.CallResult
}

// callBackChoices are the call-back times offered, from now.
var callBackChoices = []struct {
	key string
	at  func(now time.Time) time.Time
}{
	{"In an hour", func(now time.Time) time.Time { return now.Add(time.Hour) }},
	{"In two hours", func(now time.Time) time.Time { return now.Add(2 * time.Hour) }},
	{"This evening at 19:00", func(now time.Time) time.Time { return atClock(now, 0, 19) }},
	{"Tomorrow at 10:00", func(now time.Time) time.Time { return atClock(now, 1, 10) }},
}

// atClock is hour o'clock days after now's shop day.
func atClock(now time.Time, days, hour int) time.Time {
	t := now.In(shop.ShopZone)
	return time.Date(t.Year(), t.Month(), t.Day()+days, hour, 0, 0, 0, shop.ShopZone)
}

// logCall opens the Log call dialog for what a is about: purpose, result, duration, note and,
// for a promised call-back, when; done (if set) runs once the call is recorded.
func (t *teamWork) logCall(a callAbout, done func()) {
	purposes := make([]string, len(shop.CallPurposes))
	for i, p := range shop.CallPurposes {
		purposes[i] = callPurposeName(p)
	}
	purpose := widget.NewSelect(purposes, nil)
	purpose.SetSelectedIndex(max(indexOf(shop.CallPurposes, a.Purpose), 0))
	results := make([]string, len(shop.CallResults))
	for i, r := range shop.CallResults {
		results[i] = callResultName(r)
	}
	backs := make([]string, len(callBackChoices))
	for i, c := range callBackChoices {
		backs[i] = lang.L(c.key)
	}
	back := widget.NewSelect(backs, nil)
	back.PlaceHolder = lang.L("When to call back")
	result := widget.NewSelect(results, func(string) {})
	result.OnChanged = func(string) {
		if shop.CallResults[max(result.SelectedIndex(), 0)] == shop.CallCallBack {
			back.Enable()
			if back.SelectedIndex() < 0 {
				back.SetSelectedIndex(0)
			}
		} else {
			back.ClearSelected()
			back.Disable()
		}
	}
	result.SetSelectedIndex(max(indexOf(shop.CallResults, a.Result), 0))
	result.OnChanged("")
	minutes := newDeskEntry(t.env)
	minutes.SetPlaceHolder(lang.L("e.g. 2 or 2:30"))
	note := newDeskMultiLineEntry(t.env)
	note.Wrapping = fyne.TextWrapWord
	note.SetMinRowsVisible(3)
	note.SetPlaceHolder(lang.L("What was said, what was agreed"))
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Called"), widget.NewLabel(a.Who)),
		widget.NewFormItem(lang.L("Purpose"), purpose),
		widget.NewFormItem(lang.L("Result"), result),
		widget.NewFormItem(lang.L("Duration (minutes)"), minutes),
		widget.NewFormItem(lang.L("Call back"), back),
		widget.NewFormItem(lang.L("Note"), note),
	}
	t.form(lang.L("Log call"), lang.L("Record"), items, func(reopen func()) {
		secs, ok := parseMinutes(minutes.Text)
		if !ok {
			t.inform(lang.L("Log call"), lang.L("Write the duration in minutes, e.g. 2 or 2:30."))
			reopen()
			return
		}
		p := shop.CallLogData{CustomerID: a.CustomerID, OrderID: a.OrderID, ReviewID: a.ReviewID, CaseID: a.CaseID,
			Purpose: shop.CallPurposes[max(purpose.SelectedIndex(), 0)], Result: shop.CallResults[max(result.SelectedIndex(), 0)],
			Seconds: secs, Note: strings.TrimSpace(note.Text)}
		if p.Result == shop.CallCallBack {
			i := back.SelectedIndex()
			if i < 0 {
				t.inform(lang.L("Log call"), lang.L("Choose when to call back."))
				reopen()
				return
			}
			p.CallBackAt = callBackChoices[i].at(t.env.now())
		}
		t.env.apply(shop.KindCallLog, shop.NewID(), 0, p, func(err error) {
			if err != nil {
				reopen()
				return
			}
			t.updateCalls()
			if done != nil {
				done()
			}
		})
	})
}

// parseMinutes reads a call's duration as typed: minutes (2, 1.5) or minutes:seconds (2:30);
// empty is unknown (0).
func parseMinutes(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	if m, sec, ok := strings.Cut(s, ":"); ok {
		mi, err1 := strconv.Atoi(m)
		si, err2 := strconv.Atoi(sec)
		if err1 != nil || err2 != nil || mi < 0 || si < 0 || si >= 60 {
			return 0, false
		}
		return checkSeconds(mi*60 + si)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, false
	}
	return checkSeconds(int(f*60 + 0.5))
}

func checkSeconds(n int) (int, bool) { return n, n <= shop.MaxCallSeconds }

func indexOf[T comparable](list []T, v T) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// callPurposeName is a call purpose in words.
func callPurposeName(p shop.CallPurpose) string {
	switch p {
	case shop.CallCOD:
		return lang.L("COD confirmation")
	case shop.CallPayment:
		return lang.L("Payment reminder")
	case shop.CallRetention:
		return lang.L("Retention")
	case shop.CallAfterSales:
		return lang.L("After-sales")
	case shop.CallReviewFixup:
		return lang.L("Review follow-up")
	}
	return lang.L("Other purpose")
}

// callResultName is a call result in words.
func callResultName(r shop.CallResult) string {
	switch r {
	case shop.CallReached:
		return lang.L("Reached")
	case shop.CallAgreed:
		return lang.L("Confirmed")
	case shop.CallNoPickup:
		return lang.L("No answer")
	case shop.CallCallBack:
		return lang.L("Call back later")
	case shop.CallDeclined:
		return lang.L("Declined")
	case shop.CallWrongNo:
		return lang.L("Wrong number")
	}
	return string(r)
}

// callSeconds is a call's duration in words: 2:30.
func callSeconds(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf("%d:%02d", n/60, n%60)
}

// callListDialog is the week's call log of the staff member, from the status bar.
type callListDialog struct {
	t    *teamWork
	dlg  dialog.Dialog
	head *widget.Label
	list *fyne.Container
}

// callWeek is the week's calls and the customers' nicks, read together.
type callWeek struct {
	calls []shop.CallLog
	nicks map[string]string
	quota int
}

// showCallList shows the week's calls, newest first, under the figure against the quota.
func (t *teamWork) showCallList() {
	c := &callListDialog{t: t, head: newHeading(""), list: container.NewVBox()}
	t.callList = c
	staff, now := t.env.staff.Number, t.env.now()
	background(t.env, func(ctx context.Context) (callWeek, error) {
		var w callWeek
		var err error
		if w.calls, err = t.data.CallsThisWeek(ctx, staff, now); err != nil {
			return w, err
		}
		p, err := t.data.CallProgress(ctx, staff, now)
		w.quota = p.Quota
		w.nicks = map[string]string{}
		for _, cl := range w.calls {
			if _, ok := w.nicks[cl.CustomerID]; !ok {
				if cu, err := t.data.Customer(ctx, cl.CustomerID); err == nil {
					w.nicks[cl.CustomerID] = cu.Nick
				}
			}
		}
		return w, err
	}, c.fill)
	if t.env.win == nil {
		return
	}
	scroll := container.NewVScroll(c.list)
	scroll.SetMinSize(fyne.NewSize(620, 380))
	c.dlg = dialog.NewCustom(lang.L("This week's calls"), lang.L("Close"), container.NewBorder(c.head, nil, nil, nil, scroll), t.env.win)
	c.dlg.Show()
}

func (c *callListDialog) fill(w callWeek, err error) {
	if err != nil {
		c.head.SetText(fmt.Sprintf(lang.L("Could not read the calls: %v"), err))
		return
	}
	c.head.SetText(fmt.Sprintf(lang.L("%d calls this week · quota %d"), len(w.calls), w.quota))
	c.list.Objects = nil
	if len(w.calls) == 0 {
		c.list.Objects = append(c.list.Objects, newCaption(lang.L("No calls logged this week yet.")))
	}
	now := c.t.env.now()
	for _, cl := range w.calls {
		who := joinNonEmpty(" · ", w.nicks[cl.CustomerID], cl.OrderID)
		line := joinNonEmpty(" · ", cl.At.In(shop.ShopZone).Format("01-02 15:04"), who, callPurposeName(cl.Purpose), callResultName(cl.Result), callSeconds(cl.Seconds))
		if !cl.CallBackAt.IsZero() {
			line += " · " + fmt.Sprintf(lang.L("call back %s"), fmtWhen(cl.CallBackAt, now))
		}
		row := []fyne.CanvasObject{widget.NewLabel(line)}
		if cl.Note != "" {
			row = append(row, newCaption(cl.Note))
		}
		if c.t.env.writer.IsPending(shop.TypeCall, cl.ID) {
			row = append(row, newCaption(lang.L("Pending")))
		}
		c.list.Objects = append(c.list.Objects, container.NewVBox(row...))
	}
	c.list.Refresh()
}

// callButton is a Log call button for what a is about.
func (t *teamWork) callButton(a callAbout) *widget.Button {
	return widget.NewButtonWithIcon(lang.L("Log call"), iconCall, func() { t.logCall(a, nil) })
}

// orderActions are the order's team actions, under its other actions: log a call (its
// purpose from the order's state; after a cash-on-delivery call the staff member just made,
// that call prefilled), give a concession, and the order's concessions. done runs after a
// call or concession was recorded.
func (t *teamWork) orderActions(ord shop.Order, done func()) []fyne.CanvasObject {
	about := callAbout{CustomerID: ord.CustomerID, OrderID: ord.ID, Who: joinNonEmpty(" · ", ord.Nick, ord.ID), Purpose: shop.CallOtherReason, Result: shop.CallReached}
	switch {
	case shop.CODPending(ord):
		about.Purpose = shop.CallCOD
	case ord.Status == shop.StatusUnpaid:
		about.Purpose = shop.CallPayment
	case ord.Status == shop.StatusShipped || ord.Status == shop.StatusCompleted:
		about.Purpose = shop.CallAfterSales
	}
	var buttons []fyne.CanvasObject
	now := t.env.now()
	if ord.Payment == shop.PayCOD && ord.CODCallBy == t.env.staff.Number && shop.SameShopDay(ord.CODCallAt, now) {
		// The confirmation call just recorded is a call: offer it to the call log as it went.
		cod := about
		cod.Purpose = shop.CallCOD
		switch ord.CODCall {
		case shop.CallConfirmed:
			cod.Result = shop.CallAgreed
		case shop.CallRefused:
			cod.Result = shop.CallDeclined
		case shop.CallNoAnswer:
			cod.Result = shop.CallNoPickup
		}
		log := widget.NewButtonWithIcon(lang.L("Log the COD call"), iconCall, func() { t.logCall(cod, done) })
		log.Importance = widget.HighImportance
		buttons = append(buttons, log)
	} else {
		buttons = append(buttons, widget.NewButtonWithIcon(lang.L("Log call"), iconCall, func() { t.logCall(about, done) }))
	}
	for _, k := range shop.ConcessionKinds {
		if shop.ConcessionAllowed(ord, k) {
			buttons = append(buttons, widget.NewButtonWithIcon(lang.L("Concession"), theme.ContentAddIcon(), func() { t.giveConcession("", []string{ord.ID}, "") }))
			break
		}
	}
	list := container.NewVBox()
	if ord.Conceded > 0 {
		list.Add(widget.NewLabel(fmt.Sprintf(lang.L("Conceded on this order: %s"), ord.Conceded)))
	}
	id := ord.ID
	background(t.env, func(ctx context.Context) ([]shop.Concession, error) { return t.data.ConcessionsOf(ctx, id) },
		func(cs []shop.Concession, err error) {
			for _, c := range cs {
				l := newWrapLabel(joinNonEmpty(" · ", concessionLine(c), staffLabel(c.Staff)))
				l.Importance = concessionStateImportance(c.State)
				list.Add(l)
			}
		})
	return []fyne.CanvasObject{newHeading(lang.L("Calls and concessions")), container.NewHBox(buttons...), list}
}
