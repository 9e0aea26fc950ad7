package screens

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// dailyCap is the per-day cap of staff messages per customer (0: none).
func (c *customerSection) dailyCap() int {
	if c.env.app == nil {
		return defaultDailyCap
	}
	return c.env.app.Preferences().IntWithFallback(prefDailyCap, defaultDailyCap)
}

// skippedText says who a plan leaves out.
func skippedText(p desk.BulkPlan) string {
	var parts []string
	if p.OptedOut > 0 {
		parts = append(parts, fmt.Sprintf(lang.L("%d opted out"), p.OptedOut))
	}
	if p.NoChat > 0 {
		parts = append(parts, fmt.Sprintf(lang.L("%d never chatted"), p.NoChat))
	}
	if p.Capped > 0 {
		parts = append(parts, fmt.Sprintf(lang.L("%d reached today's cap"), p.Capped))
	}
	if p.Unfilled > 0 {
		parts = append(parts, fmt.Sprintf(lang.L("%d would keep %s unfilled"), p.Unfilled, strings.Join(p.Placeholders, " ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return lang.L("Skipped: ") + strings.Join(parts, listSep())
}

// startBulk hands a planned bulk send to the desk, which records it in the background
// whatever section is shown; the progress line follows it (showProgress).
func (c *customerSection) startBulk(title string, p desk.BulkPlan) {
	c.sending = true
	c.progress.SetValue(0)
	c.progress.Show()
	c.progMsg.Show()
	c.data.SendBulk(title, p)
}

// showProgress shows how a bulk send of the desk goes. Call it on Fyne's goroutine.
func (c *customerSection) showProgress(p desk.JobProgress) {
	if len(p.ShipSkipped) > 0 {
		c.env.tellShipSkipped(p.ShipSkipped)
		return
	}
	c.progress.Show()
	c.progMsg.Show()
	if p.Err != nil {
		setCaption(c.progMsg, fmt.Sprintf(lang.L("Birthday greetings could not be sent: %v"), p.Err))
		return
	}
	if p.Total > 0 {
		c.progress.SetValue(float64(p.Recorded+p.Failed) / float64(p.Total))
	} else {
		c.progress.SetValue(1)
	}
	line := pluralf(p.Total, "%s: %d of %d messages recorded", p.Title, p.Recorded, p.Total)
	if p.Failed > 0 {
		line += " · " + fmt.Sprintf(lang.L("%d could not be recorded"), p.Failed)
	}
	if p.Finished {
		c.sending = false
		if p.Waiting > 0 {
			line += " · " + fmt.Sprintf(lang.L("%d waiting to be sent"), p.Waiting)
		}
		if s := skippedText(p.Skipped); s != "" {
			line += " · " + s
		}
		if c.env.applied != nil {
			c.env.applied()
		}
	}
	setCaption(c.progMsg, line)
}

// bulkComposer is the dialog that writes a bulk message (群发) to a group: the text with
// {nick} and {name}, a preview for one member, who will be skipped, and Send.
type bulkComposer struct {
	c       *customerSection
	group   *widget.Select
	groups  []shop.Group
	text    *deskEntry
	cap     *deskEntry
	member  *widget.Select
	members []shop.Customer
	preview *widget.Label
	summary *widget.Label
	plan    desk.BulkPlan
	// The members and the plan being read: a newer read drops an older one's result.
	membersLoad, planLoad latest
	sendBtn               *widget.Button
	dlg                   dialog.Dialog
}

// composeBulk opens the bulk message composer for the selected group.
func (c *customerSection) composeBulk() { c.newBulkComposer() }

func (c *customerSection) newBulkComposer() *bulkComposer {
	b := &bulkComposer{c: c, groups: c.groups}
	opts := []string{lang.L("All customers")}
	for _, g := range b.groups {
		opts = append(opts, groupLabel(g))
	}
	b.group = widget.NewSelect(opts, func(string) { b.loadMembers() })
	b.text = newDeskMultiLineEntry(c.env)
	b.text.Wrapping = fyne.TextWrapWord
	b.text.SetMinRowsVisible(4)
	b.text.SetPlaceHolder(lang.L("{name}, hello! New arrivals this week …"))
	if c.env.app != nil {
		b.text.SetText(c.env.app.Preferences().String(prefBulkDraft))
	}
	b.text.OnChanged = func(s string) {
		if c.env.app != nil {
			c.env.app.Preferences().SetString(prefBulkDraft, s)
		}
		b.update()
	}
	b.cap = newDeskEntry(c.env)
	b.cap.SetText(strconv.Itoa(c.dailyCap()))
	b.cap.OnChanged = func(s string) {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 && c.env.app != nil {
			c.env.app.Preferences().SetInt(prefDailyCap, n)
		}
		b.update()
	}
	b.member = widget.NewSelect(nil, func(string) { b.showPreview() })
	b.preview = widget.NewLabel("")
	b.preview.Wrapping = fyne.TextWrapWord
	b.summary = widget.NewLabel("")
	b.summary.Wrapping = fyne.TextWrapWord
	b.sendBtn = widget.NewButton(lang.L("Send"), b.send)
	b.sendBtn.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { b.dlg.Hide() })
	form := widget.NewForm(
		widget.NewFormItem(lang.L("To"), b.group),
		widget.NewFormItem(lang.L("Message"), b.text),
		widget.NewFormItem(lang.L("At most per customer a day"), b.cap),
		widget.NewFormItem(lang.L("Preview for"), b.member),
	)
	hint := newCaption(lang.L("{nick} and {name} are filled in for each customer."))
	body := container.NewVBox(form, hint, widget.NewCard("", "", b.preview), b.summary, container.NewHBox(cancel, b.sendBtn))
	idx := 0
	if g := c.selectedGroup(); g != nil {
		for i, x := range b.groups {
			if x.ID == g.ID {
				idx = i + 1
			}
		}
	}
	b.group.SetSelectedIndex(idx)
	if c.env.win != nil {
		b.dlg = dialog.NewCustomWithoutButtons(lang.L("Bulk message"), body, c.env.win)
		b.dlg.Resize(fyne.NewSize(560, 0))
		b.dlg.Show()
	}
	return b
}

// loadMembers reads the chosen group's members.
func (b *bulkComposer) loadMembers() {
	var g *shop.Group
	if i := b.group.SelectedIndex(); i > 0 && i <= len(b.groups) {
		g = &b.groups[i-1]
	}
	now := b.c.env.now()
	latestRun(&b.membersLoad, b.c.env, func(ctx context.Context) ([]desk.Member, error) {
		if g == nil {
			return b.c.data.AllCustomers(ctx)
		}
		return b.c.data.GroupMembers(ctx, *g, now)
	}, b.showMembers)
}

// showMembers offers the members just read for the preview and plans the send for them.
func (b *bulkComposer) showMembers(ms []desk.Member, err error) {
	b.members = nil
	if err != nil {
		b.summary.SetText(fmt.Sprintf(lang.L("Could not read the customers: %v"), err))
		return
	}
	var nicks []string
	for _, m := range ms {
		b.members = append(b.members, m.Customer)
		if len(nicks) < 200 {
			nicks = append(nicks, m.Customer.Nick)
		}
	}
	b.member.SetOptions(nicks)
	if len(nicks) > 0 {
		b.member.SetSelectedIndex(0)
	} else {
		b.member.ClearSelected()
	}
	b.update()
}

// showPreview fills the message for the member chosen.
func (b *bulkComposer) showPreview() {
	i := b.member.SelectedIndex()
	if i < 0 || i >= len(b.members) || strings.TrimSpace(b.text.Text) == "" {
		b.preview.SetText("")
		return
	}
	b.preview.SetText(desk.FillFor(b.text.Text, b.members[i]))
}

// update plans the send again: who gets it and who is skipped.
func (b *bulkComposer) update() { b.replan(nil) }

// replan plans the send in the background, shows who gets it and who is skipped, then runs
// then (if set) with the plan in place.
func (b *bulkComposer) replan(then func()) {
	b.showPreview()
	capN, err := strconv.Atoi(strings.TrimSpace(b.cap.Text))
	if err != nil || capN < 0 {
		capN = b.c.dailyCap()
	}
	req := desk.BulkRequest{Members: b.members, Template: b.text.Text, DailyCap: capN, Now: b.c.env.now()}
	latestRun(&b.planLoad, b.c.env, func(ctx context.Context) (desk.BulkPlan, error) { return b.c.data.PlanBulk(ctx, req) },
		func(p desk.BulkPlan, err error) {
			b.showPlan(p, err)
			if err == nil && then != nil {
				then()
			}
		})
}

// showPlan shows who a plan just made reaches and who it skips.
func (b *bulkComposer) showPlan(p desk.BulkPlan, err error) {
	b.plan = p
	if err != nil {
		b.summary.SetText(fmt.Sprintf(lang.L("Could not plan the send: %v"), err))
		b.sendBtn.Disable()
		return
	}
	line := pluralf(len(b.plan.Sends), "%d customers will get the message.", len(b.plan.Sends))
	if s := skippedText(b.plan); s != "" {
		line += " " + s
	}
	b.summary.SetText(line)
	if len(b.plan.Sends) == 0 || strings.TrimSpace(b.text.Text) == "" {
		b.sendBtn.Disable()
	} else {
		b.sendBtn.Enable()
	}
}

// send records the messages; sync delivers them when the desk is online.
func (b *bulkComposer) send() { b.replan(b.sendPlan) }

// sendPlan hands the plan just made to the desk.
func (b *bulkComposer) sendPlan() {
	if len(b.plan.Sends) == 0 || strings.TrimSpace(b.text.Text) == "" {
		return
	}
	if left := shop.Unfilled(b.plan.Sends[0].Text); len(left) > 0 {
		b.summary.SetText(fmt.Sprintf(lang.L("Unknown placeholders: %s"), strings.Join(left, " ")))
		return
	}
	if b.dlg != nil {
		b.dlg.Hide()
	}
	if b.c.env.app != nil {
		b.c.env.app.Preferences().SetString(prefBulkDraft, "")
	}
	b.c.startBulk(lang.L("Bulk message"), b.plan)
}
