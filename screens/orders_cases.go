package screens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

const caseListLimit = 500

// caseList is the orders section's after-sales tab: every case, the ones needing attention
// (overdue or untouched) at the top in red, and the open case with its history and the moves
// its state allows.
type caseList struct {
	o          *orderSection
	all        *widget.Check // finished cases too
	picker     *picker
	cases      []shop.AfterSalesCase
	attn       int    // how many of cases need attention
	loading    latest // the list being read
	detailLoad latest // the open case being read
	count      *widget.RichText
	export     *widget.Button
	open       *shop.AfterSalesCase
	version    int64
	detail     *fyne.Container
	note       *deskEntry
	moves      *fyne.Container
	empty      *widget.Label
	scroll     *container.Scroll
	box        fyne.CanvasObject
}

func newCaseList(o *orderSection) *caseList {
	c := &caseList{o: o}
	c.all = widget.NewCheck(lang.L("Show finished cases"), func(bool) { c.load() })
	c.picker = newPicker(func() int { return len(c.cases) }, newHeadedRow, c.updateRow, c.onPick)
	c.count = newCaption("")
	c.export = widget.NewButtonWithIcon(lang.X("export.cases_button", "Export cases"), theme.DownloadIcon(), c.exportCases)
	c.detail = container.NewVBox()
	c.note = newDeskEntry(o.env)
	c.note.SetPlaceHolder(lang.L("Note for the move, e.g. told the customer the size is out of stock"))
	c.moves = container.NewHBox()
	c.empty = widget.NewLabelWithStyle(lang.L("No case is open. Pick one on the left."), fyne.TextAlignCenter, fyne.TextStyle{})
	c.scroll = container.NewVScroll(container.NewPadded(container.NewVBox(c.detail, widget.NewSeparator(),
		newHeading(lang.L("Move the case")), c.note, c.moves)))
	c.scroll.Hide()
	left := container.NewBorder(c.all, container.NewBorder(nil, nil, nil, c.export, c.count), nil, nil, c.picker.list)
	split := container.NewHSplit(left, container.NewStack(container.NewCenter(c.empty), c.scroll))
	split.Offset = 0.36
	c.box = split
	return c
}

// tabTitle is the tab's title: with the number of cases needing attention, if any.
func (c *caseList) tabTitle() string {
	if c.attn > 0 {
		return pluralf(c.attn, "After-sales cases (%d need attention)", c.attn)
	}
	return lang.L("After-sales cases")
}

// load reads the cases: unfinished ones needing attention first (the store's order), then the
// other unfinished ones, then finished ones when asked.
func (c *caseList) load() {
	openOnly := !c.all.Checked
	latestRun(&c.loading, c.o.env, func(ctx context.Context) ([]shop.AfterSalesCase, error) {
		return c.o.data.Cases(ctx, openOnly, caseListLimit)
	}, c.showList)
}

// showList draws the cases just read (or why they could not be) and the tab's title.
func (c *caseList) showList(cases []shop.AfterSalesCase, err error) {
	defer func() {
		if c.o.casesTab != nil {
			c.o.casesTab.Text = c.tabTitle()
			c.o.tabs.Refresh()
		}
	}()
	if err != nil {
		c.cases = nil
		setCaption(c.count, fmt.Sprintf(lang.L("Could not read the cases: %v"), err))
		c.picker.list.Refresh()
		return
	}
	now := c.o.env.now()
	c.cases, c.attn = cases, 0
	for _, k := range cases {
		if k.NeedsAttention(now) {
			c.attn++
		}
	}
	setCaption(c.count, countText("%d cases", len(cases), caseListLimit))
	c.picker.list.Refresh()
	if c.open == nil {
		if len(cases) > 0 {
			c.picker.highlight(0)
			c.show(cases[0].ID)
		}
		return
	}
	c.picker.highlight(c.indexOf(c.open.ID))
	c.show(c.open.ID)
}

func (c *caseList) indexOf(id string) int {
	for i, k := range c.cases {
		if k.ID == id {
			return i
		}
	}
	return -1
}

func (c *caseList) onPick(i int) {
	if i >= 0 && i < len(c.cases) {
		c.show(c.cases[i].ID)
	}
}

// attentionText says why a case needs attention: how long overdue, or how long untouched.
func attentionText(k shop.AfterSalesCase, c *caseList) string {
	now := c.o.env.now()
	switch {
	case k.Overdue(now):
		return fmt.Sprintf(lang.L("Overdue since %s"), fmtWhen(k.Due, now))
	case k.Untouched(now):
		return fmt.Sprintf(lang.L("Untouched since %s"), fmtWhen(caseLastMove(k), now))
	}
	return ""
}

// caseLastMove is when the case last moved (or was opened).
func caseLastMove(k shop.AfterSalesCase) (t time.Time) {
	t = k.CreatedAt
	if k.UpdatedAt.After(t) {
		t = k.UpdatedAt
	}
	if n := len(k.Steps); n > 0 && k.Steps[n-1].At.After(t) {
		t = k.Steps[n-1].At
	}
	return t
}

// show puts a case in the detail pane: facts, history and the moves its state allows.
func (c *caseList) show(id string) {
	type read struct {
		k   shop.AfterSalesCase
		ver int64
	}
	latestRun(&c.detailLoad, c.o.env, func(ctx context.Context) (read, error) {
		var r read
		var err error
		r.k, r.ver, err = getEntity[shop.AfterSalesCase](ctx, c.o.env.writer, shop.TypeCase, id)
		return r, err
	}, func(r read, err error) {
		if err == nil {
			c.draw(r.k, r.ver)
		}
	})
}

// draw puts a case just read in the detail pane.
func (c *caseList) draw(k shop.AfterSalesCase, ver int64) {
	id := k.ID
	if c.open == nil || c.open.ID != id {
		c.note.SetText("")
	}
	c.open, c.version = &k, ver
	now := c.o.env.now()
	title := widget.NewLabelWithStyle(joinNonEmpty(" · ", caseKindName(k.Kind), fmt.Sprintf(lang.L("Order %s"), k.OrderID)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	state := widget.NewLabel(caseStateName(k.State))
	state.TextStyle.Bold = true
	objs := []fyne.CanvasObject{container.NewBorder(nil, nil, nil, state, title)}
	if why := attentionText(k, c); why != "" {
		warn := widget.NewLabelWithStyle(why, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		warn.Importance = widget.DangerImportance
		objs = append(objs, warn)
	}
	objs = append(objs,
		newCaption(joinNonEmpty(" · ", fmt.Sprintf(lang.L("owner %s"), staffLabel(k.Owner)), whenText(lang.L("due %s"), k.Due),
			fmt.Sprintf(lang.L("opened %s"), fmtFull(k.CreatedAt)))),
		newWrapLabel(k.Summary),
		container.NewHBox(widget.NewButtonWithIcon(lang.L("Open the order"), iconOrders, func() { c.o.openOrder(k.OrderID) })),
		widget.NewSeparator(), newHeading(lang.L("Case history")))
	for i := len(k.Steps) - 1; i >= 0; i-- {
		s := k.Steps[i]
		move := caseStateName(shop.CaseState(s.To))
		if s.From != "" {
			move = caseStateName(shop.CaseState(s.From)) + " → " + move
		}
		objs = append(objs, container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()),
			widget.NewLabel(joinNonEmpty(" · ", move, oneLine(s.Note))),
			newCaption(joinNonEmpty(" · ", staffLabel(s.Staff), fmtWhen(s.At, now)))))
	}
	c.detail.Objects = objs
	c.detail.Refresh()

	c.moves.Objects = nil
	for _, to := range shop.CaseNext(k.State) {
		b := widget.NewButton(caseStateName(to), func() { c.move(to) })
		if to == shop.CaseResolved || to == shop.CaseRefunded {
			b.Importance = widget.HighImportance
		}
		c.moves.Objects = append(c.moves.Objects, b)
	}
	if len(c.moves.Objects) == 0 {
		c.moves.Objects = append(c.moves.Objects, newCaption(lang.L("This case is finished.")))
	}
	c.moves.Refresh()
	c.empty.Hide()
	c.scroll.Show()
}

// move asks to move the open case to another state; the store (and then the server) checks the
// move, and a conflict is shown with both states.
func (c *caseList) move(to shop.CaseState) {
	if c.open == nil {
		return
	}
	p := shop.Move{From: string(c.open.State), To: string(to), Note: strings.TrimSpace(c.note.Text)}
	id := c.open.ID
	c.o.env.apply(shop.KindCaseMove, id, c.version, p, func(err error) {
		if err != nil {
			c.show(id)
			return
		}
		c.note.SetText("")
		c.o.env.focus(c.picker.list) // the next case
		c.o.reload()
	})
}

func (c *caseList) updateRow(i int, obj fyne.CanvasObject) {
	r := obj.(*headedRow)
	if i < 0 || i >= len(c.cases) {
		return
	}
	k := c.cases[i]
	now := c.o.env.now()
	imp := widget.MediumImportance
	if k.NeedsAttention(now) {
		imp = widget.DangerImportance
	}
	setLabel(r.title, joinNonEmpty(" · ", caseKindName(k.Kind), k.OrderID), imp)
	stateImp := widget.MediumImportance
	if k.Finished() {
		stateImp = widget.SuccessImportance
	}
	setLabel(r.side, caseStateName(k.State), stateImp)
	due := whenText(lang.L("due %s"), k.Due)
	if k.Overdue(now) {
		due = "" // the attention text names the due date
	}
	setCaption(r.detail, joinNonEmpty(" · ", attentionText(k, c), staffLabel(k.Owner), due))
}

// showCases switches the orders section to its after-sales tab.
func (o *orderSection) showCases() {
	o.tabs.Select(o.casesTab)
}

// openOrder shows an order in the orders tab, whatever the filters were.
func (o *orderSection) openOrder(id string) {
	o.tabs.Select(o.ordersTab)
	o.status.SetSelectedIndex(0)
	o.flag.SetSelectedIndex(0)
	o.payment.SetSelectedIndex(0)
	o.search.SetText(id)
}

// casesCounter is what the status bar needs to count the cases needing attention; the desk's
// store has it.
type casesCounter interface {
	CasesNeedingAttention(ctx context.Context, now time.Time) (int, error)
}

// newCasesButton is the status bar's button for after-sales cases needing attention: hidden
// while there are none; it opens the case list.
func newCasesButton(b *statusBar) *widget.Button {
	btn := widget.NewButtonWithIcon("", theme.WarningIcon(), func() {
		if b.onCases != nil {
			b.onCases()
		}
	})
	btn.Importance = widget.DangerImportance
	btn.Hide()
	return btn
}

// showCases shows how many after-sales cases are overdue or untouched (n < 0: unknown).
func (b *statusBar) showCases(n int) {
	if n <= 0 {
		b.cases.Hide()
		return
	}
	b.cases.SetText(pluralf(n, "%d after-sales cases need attention", n))
	b.cases.Show()
}
