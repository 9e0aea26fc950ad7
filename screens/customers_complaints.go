package screens

import (
	"context"
	"fmt"
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

// complaintNext lists the states a complaint may move to from s.
func complaintNext(s shop.ComplaintState) []shop.ComplaintState {
	var out []shop.ComplaintState
	for _, to := range shop.ComplaintStates {
		if shop.CanMoveComplaint(s, to) {
			out = append(out, to)
		}
	}
	return out
}

// complaintsBlock lists the customer's complaints cs (or the error that kept them from being
// read) with the moves each allows, and a button that logs a new one.
func (c *customerSection) complaintsBlock(cu shop.Customer, cs []shop.Complaint, err error) []fyne.CanvasObject {
	add := widget.NewButtonWithIcon(lang.L("Log complaint"), theme.ContentAddIcon(), func() { c.logComplaint(cu) })
	objs := []fyne.CanvasObject{container.NewBorder(nil, nil, nil, add, newHeading(lang.L("Complaints")))}
	if err != nil {
		return append(objs, widget.NewLabel(fmt.Sprintf(lang.L("Could not read the complaints: %v"), err)))
	}
	if len(cs) == 0 {
		return append(objs, newCaption(lang.L("No complaints")))
	}
	for _, k := range cs {
		objs = append(objs, c.complaintLine(k))
	}
	return objs
}

// complaintLine is one complaint: category, state, order, owner, description, resolution, and
// a button per allowed move.
func (c *customerSection) complaintLine(k shop.Complaint) fyne.CanvasObject {
	state := widget.NewLabel(complaintStateName(k.State))
	switch k.State {
	case shop.ComplaintResolved:
		state.Importance = widget.SuccessImportance
	case shop.ComplaintUnresolved:
		state.Importance = widget.DangerImportance
	default:
		state.Importance = widget.WarningImportance
	}
	cat := widget.NewLabelWithStyle(complaintCategoryName(k.Category), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	facts := newCaption(joinNonEmpty(" · ", k.OrderID, fmt.Sprintf(lang.L("owner %s"), staffLabel(k.Owner)), fmtWhen(k.CreatedAt, c.env.now())))
	head := container.NewBorder(nil, nil, container.NewHBox(cat, state), nil, facts)
	objs := []fyne.CanvasObject{head, newWrapLabel(k.Description)}
	if k.Resolution != "" {
		objs = append(objs, newCaption(fmt.Sprintf(lang.L("Resolution: %s"), k.Resolution)))
	}
	var moves []fyne.CanvasObject
	for _, to := range complaintNext(k.State) {
		b := widget.NewButton(complaintStateName(to), func() { c.moveComplaint(k, to) })
		if to == shop.ComplaintResolved {
			b.Importance = widget.HighImportance
		}
		moves = append(moves, b)
	}
	if len(moves) > 0 {
		objs = append(objs, container.NewHBox(moves...))
	}
	return container.NewVBox(objs...)
}

// complaintForm is the dialog that logs a complaint against a customer and, optionally, one of
// their orders.
type complaintForm struct {
	c        *customerSection
	cu       shop.Customer
	category *widget.Select
	order    *widget.Select
	owner    *widget.Select
	owners   []string
	text     *deskEntry
	msg      *widget.Label
	saveBtn  *widget.Button
	dlg      dialog.Dialog
}

// logComplaint opens the complaint form for cu.
func (c *customerSection) logComplaint(cu shop.Customer) *complaintForm {
	f := &complaintForm{c: c, cu: cu}
	var cats []string
	for _, k := range shop.ComplaintCategories {
		cats = append(cats, complaintCategoryName(k))
	}
	f.category = widget.NewSelect(cats, nil)
	f.category.SetSelectedIndex(0)
	orders := []string{lang.L("No order")}
	if os, err := c.data.OrdersOf(c.env.ctx, cu.ID, recentOrdersLimit); err == nil {
		for _, o := range os {
			orders = append(orders, o.ID)
		}
	}
	f.order = widget.NewSelect(orders, nil)
	f.order.SetSelectedIndex(0)
	f.owners = []string{c.env.staff.Number}
	labels := []string{staffLabel(c.env.staff.Number)}
	if staff, err := c.data.StaffList(c.env.ctx); err == nil {
		for _, s := range staff {
			if s.Number != c.env.staff.Number {
				f.owners = append(f.owners, s.Number)
				labels = append(labels, s.Number+" "+s.Name)
			}
		}
	}
	f.owner = widget.NewSelect(labels, nil)
	f.owner.SetSelectedIndex(0)
	f.text = newDeskMultiLineEntry(c.env)
	f.text.SetPlaceHolder(lang.L("What happened, in the customer's words"))
	f.text.SetMinRowsVisible(4)
	f.text.Wrapping = fyne.TextWrapWord
	f.msg = widget.NewLabel("")
	f.msg.Importance = widget.DangerImportance
	f.saveBtn = widget.NewButton(lang.L("Log complaint"), f.save)
	f.saveBtn.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { f.dlg.Hide() })
	body := container.NewVBox(widget.NewForm(
		widget.NewFormItem(lang.L("Category"), f.category),
		widget.NewFormItem(lang.L("Order"), f.order),
		widget.NewFormItem(lang.L("Owner"), f.owner),
		widget.NewFormItem(lang.L("Details"), f.text),
	), f.msg, container.NewHBox(cancel, f.saveBtn))
	if c.env.win != nil {
		f.dlg = dialog.NewCustomWithoutButtons(fmt.Sprintf(lang.L("Complaint from %s"), cu.Nick), body, c.env.win)
		f.dlg.Resize(fyne.NewSize(480, 0))
		f.dlg.Show()
	}
	return f
}

func (f *complaintForm) save() {
	text := strings.TrimSpace(f.text.Text)
	if text == "" {
		f.msg.SetText(lang.L("Describe the complaint."))
		return
	}
	k := shop.Complaint{CustomerID: f.cu.ID, Category: shop.ComplaintCategories[max(f.category.SelectedIndex(), 0)],
		Description: text, Owner: f.owners[max(f.owner.SelectedIndex(), 0)]}
	if i := f.order.SelectedIndex(); i > 0 {
		k.OrderID = f.order.Selected
	}
	f.c.env.apply(shop.KindComplaintOpen, shop.NewID(), 0, k, func(err error) {
		if err != nil {
			return
		}
		if f.dlg != nil {
			f.dlg.Hide()
		}
		f.c.load(false)
	})
}

// moveComplaint moves a complaint; closing it (resolved or not) asks for the resolution.
func (c *customerSection) moveComplaint(k shop.Complaint, to shop.ComplaintState) {
	run := func(note string) {
		c.env.applyOn(shop.TypeComplaint, shop.KindComplaintMove, k.ID, shop.Move{From: string(k.State), To: string(to), Note: note}, func(err error) {
			if err == nil {
				c.load(false)
			}
		})
	}
	if to != shop.ComplaintResolved && to != shop.ComplaintUnresolved {
		run("")
		return
	}
	if c.env.win == nil {
		run("")
		return
	}
	res := newDeskMultiLineEntry(c.env)
	res.SetPlaceHolder(lang.L("How it was resolved, or why it could not be"))
	res.SetMinRowsVisible(3)
	dialog.ShowForm(complaintStateName(to), lang.L("Save"), lang.L("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(lang.L("Resolution"), res)}, func(ok bool) {
			if ok {
				run(strings.TrimSpace(res.Text))
			}
		}, c.env.win)
}

// complaintRow is one category's line of the complaint summary.
type complaintRow struct {
	Category   shop.ComplaintCategory
	Total      int
	Open       int // open or in progress
	Resolved   int
	Unresolved int
}

// Rate is the resolution rate: resolved complaints out of all logged in the period.
func (r complaintRow) Rate() float64 {
	if r.Total == 0 {
		return 0
	}
	return float64(r.Resolved) / float64(r.Total)
}

// complaintSummary counts complaints by category (in shop.ComplaintCategories order), with a
// last row for all of them.
func complaintSummary(cs []shop.Complaint) []complaintRow {
	rows := make([]complaintRow, len(shop.ComplaintCategories)+1)
	for i, k := range shop.ComplaintCategories {
		rows[i].Category = k
	}
	total := &rows[len(rows)-1]
	for _, k := range cs {
		for i := range rows[:len(rows)-1] {
			if rows[i].Category != k.Category {
				continue
			}
			for _, r := range []*complaintRow{&rows[i], total} {
				r.Total++
				switch k.State {
				case shop.ComplaintResolved:
					r.Resolved++
				case shop.ComplaintUnresolved:
					r.Unresolved++
				default:
					r.Open++
				}
			}
		}
	}
	return rows
}

// complaintPeriods are the periods the summary can cover, in days (0 = all time).
var complaintPeriods = []int{7, 30, 90, 365, 0}

// periodStart is the start of a period of days ending now, at midnight shop time.
func periodStart(now time.Time, days int) time.Time {
	if days <= 0 {
		return time.Time{}
	}
	t := now.In(shop.ShopZone).AddDate(0, 0, -days+1)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, shop.ShopZone)
}

// complaintsView is the dialog with the complaint summary for a period and the complaints.
type complaintsView struct {
	loading latest // the period's complaints being read
	c       *customerSection
	period  *widget.Select
	table   *fyne.Container
	list    *fyne.Container
	shown   []shop.Complaint
	dlg     dialog.Dialog
}

// showComplaints opens the complaints summary.
func (c *customerSection) showComplaints() *complaintsView {
	v := &complaintsView{c: c, table: container.NewVBox(), list: container.NewVBox()}
	var names []string
	for _, d := range complaintPeriods {
		if d == 0 {
			names = append(names, lang.L("All time"))
		} else {
			names = append(names, pluralf(d, "Last %d days", d))
		}
	}
	v.period = widget.NewSelect(names, func(string) { v.fill() })
	v.period.SetSelectedIndex(1)
	export := widget.NewButtonWithIcon(lang.L("Export complaints"), theme.DownloadIcon(), func() {
		c.exportComplaints(v.shown)
	})
	top := container.NewBorder(nil, nil, nil, export, v.period)
	scroll := container.NewVScroll(v.list)
	scroll.SetMinSize(fyne.NewSize(640, 260))
	body := container.NewBorder(container.NewVBox(top, v.table, widget.NewSeparator()), nil, nil, nil, scroll)
	if c.env.win != nil {
		v.dlg = dialog.NewCustom(lang.L("Complaints"), lang.L("Close"), body, c.env.win)
		v.dlg.Resize(fyne.NewSize(720, 560))
		v.dlg.Show()
	}
	return v
}

// fill reads the complaints of the chosen period and draws the summary and the list.
func (v *complaintsView) fill() {
	now := v.c.env.now()
	days := complaintPeriods[max(v.period.SelectedIndex(), 0)]
	latestRun(&v.loading, v.c.env, func(ctx context.Context) (complaintList, error) {
		var l complaintList
		var err error
		if l.complaints, err = v.c.data.Complaints(ctx, periodStart(now, days), time.Time{}); err != nil {
			return l, err
		}
		l.nicks = map[string]string{}
		for _, k := range l.complaints {
			if _, done := l.nicks[k.CustomerID]; done {
				continue
			}
			l.nicks[k.CustomerID] = k.CustomerID
			if cu, err := v.c.data.Customer(ctx, k.CustomerID); err == nil {
				l.nicks[k.CustomerID] = cu.Nick
			}
		}
		return l, nil
	}, func(l complaintList, err error) { v.draw(l, err, now) })
}

// complaintList is a period's complaints with their customers' nicks, read together.
type complaintList struct {
	complaints []shop.Complaint
	nicks      map[string]string // customer id → nick (the id when unknown)
}

// draw shows the complaints just read (or why they could not be): the summary and the list.
func (v *complaintsView) draw(l complaintList, err error, now time.Time) {
	cs := l.complaints
	v.table.Objects, v.list.Objects = nil, nil
	if err != nil {
		v.table.Add(widget.NewLabel(fmt.Sprintf(lang.L("Could not read the complaints: %v"), err)))
		v.table.Refresh()
		return
	}
	v.shown = cs
	cols := func() *colsLayout { return &colsLayout{widths: []float32{0, 70, 70, 90, 120, 110}, stretch: 0} }
	head := []string{lang.L("Category"), lang.L("Total"), lang.L("state.open"), lang.L("Resolved"), lang.L("Closed unresolved"), lang.L("Resolution rate")}
	var hs []fyne.CanvasObject
	for _, h := range head {
		hs = append(hs, widget.NewLabelWithStyle(h, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	v.table.Add(container.New(cols(), hs...))
	for _, r := range complaintSummary(cs) {
		name := complaintCategoryName(r.Category)
		if r.Category == "" {
			name = lang.L("All")
		}
		rate := "–"
		if r.Total > 0 {
			rate = fmt.Sprintf("%.0f%%", r.Rate()*100)
		}
		v.table.Add(container.New(cols(), widget.NewLabel(name), widget.NewLabel(fmt.Sprint(r.Total)), widget.NewLabel(fmt.Sprint(r.Open)),
			widget.NewLabel(fmt.Sprint(r.Resolved)), widget.NewLabel(fmt.Sprint(r.Unresolved)), widget.NewLabel(rate)))
	}
	if len(cs) == 0 {
		v.list.Add(newCaption(lang.L("No complaints in this period")))
	}
	for _, k := range cs {
		nick := l.nicks[k.CustomerID]
		line := joinNonEmpty(" · ", fmtWhen(k.CreatedAt, now), nick, complaintCategoryName(k.Category), complaintStateName(k.State), k.OrderID)
		v.list.Add(container.NewVBox(widget.NewLabelWithStyle(line, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), newWrapLabel(oneLine(k.Description))))
	}
	v.table.Refresh()
	v.list.Refresh()
}
