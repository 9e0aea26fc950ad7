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
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// birthdayRule is the birthday greeting rule, kept in the desk's preferences: the template,
// how many days before the birthday to greet, the group greeted ("" = every customer), and
// whether the desk sends the day's greetings by itself at a time of day.
type birthdayRule struct {
	Text    string
	Days    int
	GroupID string
	Auto    bool
	At      string // HH:MM shop time
}

// birthdayRule reads the rule from the preferences.
func (c *customerSection) birthdayRule() birthdayRule {
	r := birthdayRule{Text: lang.L("Happy birthday, {name}! A small gift from us is waiting in your next order."), At: "09:00"}
	if c.env.app == nil {
		return r
	}
	p := c.env.app.Preferences()
	r.Text = p.StringWithFallback(prefBdayText, r.Text)
	r.Days = p.IntWithFallback(prefBdayDays, 0)
	r.GroupID = p.String(prefBdayGroup)
	r.Auto = p.Bool(prefBdayAuto)
	r.At = p.StringWithFallback(prefBdayAt, r.At)
	return r
}

// saveBirthdayRule stores the rule in the preferences.
func (c *customerSection) saveBirthdayRule(r birthdayRule) {
	c.data.SetBirthdays(c.deskRule(r))
	if c.env.app == nil {
		return
	}
	p := c.env.app.Preferences()
	p.SetString(prefBdayText, r.Text)
	p.SetInt(prefBdayDays, r.Days)
	p.SetString(prefBdayGroup, r.GroupID)
	p.SetBool(prefBdayAuto, r.Auto)
	p.SetString(prefBdayAt, r.At)
}

// deskRule is the rule as the desk's jobs follow it.
func (c *customerSection) deskRule(r birthdayRule) desk.BirthdayRule {
	return desk.BirthdayRule{Text: r.Text, Days: r.Days, GroupID: r.GroupID, Auto: r.Auto, At: r.At,
		DailyCap: c.dailyCap(), Title: lang.L("Birthday greetings")}
}

// sendBirthdays plans the day's greetings in the background and has the desk record them;
// done gets how many go out.
func (c *customerSection) sendBirthdays(r birthdayRule, done func(int, error)) {
	c.sending = true
	c.progress.SetValue(0)
	c.progress.Show()
	c.progMsg.Show()
	dr := c.deskRule(r)
	background(c.env, func(ctx context.Context) (int, error) { return c.data.SendBirthdays(ctx, dr) },
		func(n int, err error) {
			if err != nil {
				c.sending = false
			}
			done(n, err)
		})
}

// birthdayView is the birthday greeting dialog: the rule and the day's list.
type birthdayView struct {
	c       *customerSection
	text    *deskEntry
	days    *deskEntry
	group   *widget.Select
	auto    *widget.Check
	at      *deskEntry
	list    *fyne.Container
	due     []shop.Customer
	sendBtn *widget.Button
	dlg     dialog.Dialog
	loading latest // the day's list being read
}

// showBirthdays opens the birthday greetings dialog.
func (c *customerSection) showBirthdays() *birthdayView {
	r := c.birthdayRule()
	v := &birthdayView{c: c, list: container.NewVBox()}
	v.text = newDeskMultiLineEntry(c.env)
	v.text.Wrapping = fyne.TextWrapWord
	v.text.SetMinRowsVisible(3)
	v.text.SetText(r.Text)
	v.days = newDeskEntry(c.env)
	v.days.SetText(strconv.Itoa(r.Days))
	opts := []string{lang.L("All customers")}
	idx := 0
	for i, g := range c.groups {
		opts = append(opts, groupLabel(g))
		if g.ID == r.GroupID {
			idx = i + 1
		}
	}
	v.group = widget.NewSelect(opts, nil)
	v.group.SetSelectedIndex(idx)
	v.auto = widget.NewCheck(lang.L("Send by themselves every day at"), nil)
	v.auto.SetChecked(r.Auto)
	v.at = newDeskEntry(c.env)
	v.at.SetText(r.At)
	v.text.OnChanged = func(string) { v.refresh() }
	v.days.OnChanged = func(string) { v.refresh() }
	v.group.OnChanged = func(string) { v.refresh() }
	v.auto.OnChanged = func(bool) { v.refresh() }
	v.at.OnChanged = func(string) { v.refresh() }
	v.sendBtn = widget.NewButton(lang.L("Send all"), v.send)
	v.sendBtn.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Greeting"), v.text),
		widget.NewFormItem(lang.L("Days before the birthday"), v.days),
		widget.NewFormItem(lang.L("Group"), v.group),
		widget.NewFormItem("", container.NewBorder(nil, nil, v.auto, nil, v.at)),
	)
	scroll := container.NewVScroll(v.list)
	scroll.SetMinSize(fyne.NewSize(480, 180))
	body := container.NewBorder(container.NewVBox(form, newHeading(lang.L("Today's greetings"))), container.NewHBox(v.sendBtn), nil, nil, scroll)
	v.refresh()
	if c.env.win != nil {
		v.dlg = dialog.NewCustom(lang.L("Birthday greetings"), lang.L("Close"), body, c.env.win)
		v.dlg.Resize(fyne.NewSize(600, 560))
		v.dlg.Show()
	}
	return v
}

// rule reads the dialog's rule.
func (v *birthdayView) rule() birthdayRule {
	r := birthdayRule{Text: v.text.Text, Auto: v.auto.Checked, At: strings.TrimSpace(v.at.Text)}
	if n, err := strconv.Atoi(strings.TrimSpace(v.days.Text)); err == nil && n >= 0 && n <= 60 {
		r.Days = n
	}
	if i := v.group.SelectedIndex(); i > 0 && i <= len(v.c.groups) {
		r.GroupID = v.c.groups[i-1].ID
	}
	if _, err := time.Parse("15:04", r.At); err != nil {
		r.At = "09:00"
	}
	return r
}

// refresh saves the rule and shows the day's list.
func (v *birthdayView) refresh() {
	r := v.rule()
	v.c.saveBirthdayRule(r)
	dr, now := v.c.deskRule(r), v.c.env.now()
	latestRun(&v.loading, v.c.env, func(ctx context.Context) ([]shop.Customer, error) { return v.c.data.BirthdaysDue(ctx, dr, now) },
		func(due []shop.Customer, err error) { v.showDue(r, due, err) })
}

// showDue lists the customers the rule greets today (or why they could not be read).
func (v *birthdayView) showDue(r birthdayRule, due []shop.Customer, err error) {
	v.list.Objects = nil
	v.due = due
	switch {
	case err != nil:
		v.list.Add(widget.NewLabel(fmt.Sprintf(lang.L("Could not read the customers: %v"), err)))
	case len(due) == 0:
		v.list.Add(newCaption(lang.L("Nobody to greet today")))
	}
	for _, cu := range due {
		v.list.Add(container.NewVBox(
			widget.NewLabelWithStyle(joinNonEmpty(" · ", cu.Nick, cu.Name, cu.Birthday), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			newWrapLabel(desk.FillFor(r.Text, cu))))
	}
	v.list.Refresh()
	if len(due) == 0 || strings.TrimSpace(r.Text) == "" {
		v.sendBtn.Disable()
	} else {
		v.sendBtn.Enable()
	}
}

func (v *birthdayView) send() {
	v.c.sendBirthdays(v.rule(), func(_ int, err error) {
		if err != nil {
			v.c.env.showError(err)
			return
		}
		if v.dlg != nil {
			v.dlg.Hide()
		}
	})
}
