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

const (
	customerListLimit = 200
	recentOrdersLimit = 20
)

// customerSection finds customers by nick, name or phone, within every customer or one group,
// and shows a profile with figures from all their orders, their groups, complaints and recent
// orders. From its toolbar the staff member manages groups, sends bulk messages and birthday
// greetings, reviews complaints and exports to CSV.
type customerSection struct {
	list       listDetail[shop.Customer] // the list and the open customer
	detailLoad latest                    // the customer being read for the detail pane
	groupsLoad latest                    // the groups being read for the selector
	env        *env
	data       customerSectionData
	// openOrder shows an order in the orders section.
	openOrder func(id string)

	search    *searchEntry
	group     *widget.Select
	groups    []shop.Group // parallel to group's options after the first ("All customers")
	picker    *picker
	customers []shop.Customer
	count     *widget.RichText

	toolbar  *fyne.Container
	progress *widget.ProgressBar
	progMsg  *widget.RichText
	sending  bool // a bulk send of this desk is being recorded

	open   *shop.Customer
	empty  *widget.Label
	pane   *fyne.Container
	scroll *container.Scroll
	detail *fyne.Container

	box fyne.CanvasObject
}

func newCustomerSection(e *env, data customerSectionData, keys func(fyne.Shortcut) bool, openOrder func(string)) *customerSection {
	c := &customerSection{env: e, data: data, openOrder: openOrder}
	c.search = newSearchEntry(lang.L("Nick, name or phone"), keys, func(string) { c.load(true) })
	c.group = widget.NewSelect(nil, func(string) { c.load(true) })
	c.picker = newPicker(func() int { return len(c.customers) }, newHeadedRow, c.updateRow, c.onPick)
	c.count = newCaption("")
	c.empty = widget.NewLabelWithStyle(lang.L("No customer is open. Search or pick one on the left."), fyne.TextAlignCenter, fyne.TextStyle{})
	c.list = listDetail[shop.Customer]{env: e, picker: c.picker, count: c.count, items: &c.customers, idOf: func(x shop.Customer) string { return x.ID },
		failed:    lang.L("Could not read the customers: %v"),
		isOpen:    func() bool { return c.open != nil },
		openFirst: func(list []shop.Customer) { c.picker.highlight(0); c.show(list[0].ID) },
		reopen:    func() { c.picker.highlight(c.list.index(c.open.ID)); c.show(c.open.ID) },
		clear:     c.closeDetail,
		shown: func(list []shop.Customer) string {
			if c.selectedGroup() != nil {
				return pluralf(len(list), "%d members", len(list))
			}
			return countText("%d customers", len(list), customerListLimit)
		},
	}
	c.detail = container.NewVBox()
	c.scroll = container.NewVScroll(container.NewPadded(c.detail))
	c.pane = container.NewStack(container.NewCenter(c.empty), c.scroll)
	c.scroll.Hide()
	c.progress = widget.NewProgressBar()
	c.progMsg = newCaption("")
	c.progress.Hide()
	c.progMsg.Hide()
	c.fillGroups()

	newGroup := widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() { c.editGroup(nil) })
	editGroup := widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), func() {
		if g := c.selectedGroup(); g != nil {
			c.editGroup(g)
		}
	})
	groupRow := container.NewBorder(nil, nil, nil, container.NewHBox(newGroup, editGroup), c.group)
	c.toolbar = container.NewGridWithColumns(4,
		widget.NewButtonWithIcon(lang.L("Bulk message"), theme.MailSendIcon(), c.composeBulk),
		widget.NewButtonWithIcon(lang.L("Birthdays"), theme.CalendarIcon(), func() { c.showBirthdays() }),
		widget.NewButtonWithIcon(lang.L("Complaints"), theme.WarningIcon(), func() { c.showComplaints() }),
		widget.NewButtonWithIcon(lang.L("Export"), theme.DownloadIcon(), c.exportMenu),
	)
	top := container.NewVBox(c.search, groupRow)
	bottom := container.NewVBox(c.count, c.progMsg, c.progress, c.toolbar)
	left := container.NewBorder(top, bottom, nil, nil, c.picker.list)
	split := container.NewHSplit(left, c.pane)
	split.Offset = 0.34
	c.box = split
	return c
}

func (c *customerSection) content() fyne.CanvasObject { return c.box }
func (c *customerSection) searchEntry() *searchEntry  { return c.search }
func (c *customerSection) tick()                      {}

func (c *customerSection) watches(t shop.EntityType) bool {
	switch t {
	case shop.TypeCustomer, shop.TypeOrder, shop.TypeGroup, shop.TypeComplaint, shop.TypeStaff:
		return true
	}
	return false
}
func (c *customerSection) reload() { c.fillGroups(); c.load(false) }

// fillGroups puts the groups in the group selector, keeping the selected one.
func (c *customerSection) fillGroups() {
	latestRun(&c.groupsLoad, c.env, c.data.Groups, func(gs []shop.Group, err error) {
		if err != nil {
			gs = nil
		}
		c.showGroups(gs)
	})
}

// showGroups puts the groups just read in the selector.
func (c *customerSection) showGroups(gs []shop.Group) {
	sel := ""
	if g := c.selectedGroup(); g != nil {
		sel = g.ID
	}
	c.groups = gs
	opts := []string{lang.L("All customers")}
	idx := 0
	for i, g := range gs {
		opts = append(opts, groupLabel(g))
		if g.ID == sel {
			idx = i + 1
		}
	}
	cb := c.group.OnChanged
	c.group.OnChanged = nil
	c.group.SetOptions(opts)
	c.group.SetSelectedIndex(idx)
	c.group.OnChanged = cb
}

// groupLabel is a group's name with its kind.
func groupLabel(g shop.Group) string {
	if g.Rule != nil {
		return g.Name + " · " + lang.L("rule")
	}
	return g.Name
}

// selectedGroup is the group chosen in the selector, nil for every customer.
func (c *customerSection) selectedGroup() *shop.Group {
	i := c.group.SelectedIndex()
	if i <= 0 || i > len(c.groups) {
		return nil
	}
	g := c.groups[i-1]
	return &g
}

// selectGroup picks a group in the selector by id.
func (c *customerSection) selectGroup(id string) {
	for i, g := range c.groups {
		if g.ID == id {
			c.group.SetSelectedIndex(i + 1)
			return
		}
	}
}

// listCustomers is what the list shows: a search of every customer, or the members of group
// g (evaluated now, so rule groups follow the orders) that match the search. It runs in the
// background.
func (c *customerSection) listCustomers(ctx context.Context, g *shop.Group, query string, now time.Time) ([]shop.Customer, error) {
	if g == nil {
		return c.data.SearchCustomers(ctx, query, customerListLimit)
	}
	ms, err := c.data.GroupMembers(ctx, *g, now)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(query))
	out := make([]shop.Customer, 0, len(ms))
	for _, m := range ms {
		cu := m.Customer
		if q == "" || strings.Contains(strings.ToLower(cu.Nick), q) || strings.Contains(strings.ToLower(cu.Name), q) ||
			(digitsOf(q) != "" && strings.Contains(digitsOf(cu.Phone), digitsOf(q))) {
			out = append(out, cu)
		}
	}
	return out, nil
}

// digitsOf keeps the digits of s.
func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// load searches; after a new search the first match opens.
func (c *customerSection) load(fresh bool) {
	g, q, now := c.selectedGroup(), c.search.Text, c.env.now()
	c.list.load(fresh, func(ctx context.Context) ([]shop.Customer, error) { return c.listCustomers(ctx, g, q, now) })
}

// closeDetail empties the detail pane when a search or filter finds nothing.
func (c *customerSection) closeDetail() {
	c.open = nil
	c.empty.SetText(lang.L("Nothing matches the search and filter."))
	c.scroll.Hide()
	c.empty.Show()
}

func (c *customerSection) onPick(i int) {
	if i >= 0 && i < len(c.customers) {
		c.show(c.customers[i].ID)
	}
}

// show puts a customer's profile, figures, groups, complaints and recent orders in the detail
// pane.
func (c *customerSection) show(id string) {
	latestRun(&c.detailLoad, c.env, func(ctx context.Context) (customerDetail, error) {
		var d customerDetail
		var err error
		if d.cu, err = c.data.Customer(ctx, id); err != nil {
			return d, err
		}
		d.st, d.stErr = c.data.CustomerStats(ctx, id)
		d.complaints, d.complaintsErr = c.data.ComplaintsOf(ctx, id)
		d.orders, d.ordersErr = c.data.OrdersOf(ctx, id, recentOrdersLimit)
		return d, nil
	}, func(d customerDetail, err error) {
		if err == nil {
			c.draw(d)
		}
	})
}

// customerDetail is what the detail pane shows of a customer, read together in the background.
type customerDetail struct {
	cu            shop.Customer
	st            shop.CustomerStats
	stErr         error
	complaints    []shop.Complaint
	complaintsErr error
	orders        []shop.Order
	ordersErr     error
}

// draw puts a customer just read in the detail pane.
func (c *customerSection) draw(d customerDetail) {
	cu, id := d.cu, d.cu.ID
	switching := c.open == nil || c.open.ID != id
	c.open = &cu
	now := c.env.now()

	title := widget.NewLabelWithStyle(cu.Nick, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	edit := widget.NewButtonWithIcon(lang.L("Edit"), theme.DocumentCreateIcon(), func() { c.editCustomer(cu) })
	right := []fyne.CanvasObject{edit}
	if c.env.teamWork != nil {
		right = append([]fyne.CanvasObject{c.env.teamWork.callButton(callAbout{CustomerID: cu.ID, Who: cu.Nick, Purpose: shop.CallRetention, Result: shop.CallReached})}, right...)
	}
	if cu.VIP > 0 {
		vip := widget.NewLabel(fmt.Sprintf(lang.L("VIP %d · %d%% off"), cu.VIP, shop.VIPDiscount(cu.VIP)))
		vip.Importance = widget.HighImportance
		right = append([]fyne.CanvasObject{vip}, right...)
	}
	objs := []fyne.CanvasObject{container.NewBorder(nil, nil, nil, container.NewHBox(right...), title)}

	birthday := cu.Birthday
	if days, ok := cu.BirthdayIn(now); ok {
		switch days {
		case 0:
			birthday += " · " + lang.L("today")
		default:
			birthday += " · " + pluralf(days, "in %d days", days)
		}
	}
	form := container.New(layout.NewFormLayout())
	field := func(name, value string) {
		if value == "" {
			return
		}
		v := newWrapLabel(value)
		v.Selectable = true
		form.Add(widget.NewLabelWithStyle(name, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		form.Add(v)
	}
	field(lang.L("Name"), cu.Name)
	field(lang.L("Phone"), cu.Phone)
	field(lang.L("City"), cu.City)
	field(lang.L("Birthday"), birthday)
	field(lang.L("Tags"), strings.Join(cu.Tags, "、"))
	field(lang.L("Sizes"), cu.Sizes)
	field(lang.L("Styles"), cu.Styles)
	field(lang.L("Memo"), cu.Memo)
	field(lang.L("Customer since"), fmtFull(cu.CreatedAt))
	if cu.OptOut {
		field(lang.L("Bulk messages"), lang.L("Opted out"))
	}
	objs = append(objs, form)
	if cu.ChangedBy != "" {
		line := fmt.Sprintf(lang.L("Last changed by %s at %s"), staffLabel(cu.ChangedBy), fmtWhen(cu.ChangedAt, now))
		if cu.ChangedWhat != "" {
			line += " · " + fieldNames(cu.ChangedWhat)
		}
		objs = append(objs, newCaption(line))
	}

	objs = append(objs, widget.NewSeparator())
	st, err := d.st, d.stErr
	if err != nil {
		objs = append(objs, widget.NewLabel(fmt.Sprintf(lang.L("Could not read the orders: %v"), err)))
	} else {
		facts := []string{pluralf(st.Orders, "%d paid orders", st.Orders), fmt.Sprintf(lang.L("spent %s"), st.Spent)}
		if st.Orders > 0 {
			facts = append(facts, fmt.Sprintf(lang.L("average %s"), st.Average()), fmt.Sprintf(lang.L("last order %s"), fmtWhen(st.LastOrder, now)))
		}
		objs = append(objs, widget.NewLabel(joinNonEmpty(" · ", facts...)))
	}
	objs = append(objs, c.groupsBlock(cu, st)...)
	objs = append(objs, c.complaintsBlock(cu, d.complaints, d.complaintsErr)...)

	orders, err := d.orders, d.ordersErr
	objs = append(objs, newHeading(lang.L("Recent orders")))
	if err != nil {
		objs = append(objs, widget.NewLabel(fmt.Sprintf(lang.L("Could not read the orders: %v"), err)))
	} else {
		if len(orders) == 0 {
			objs = append(objs, newCaption(lang.L("No orders yet")))
		}
		for _, o := range orders {
			objs = append(objs, c.orderLine(o))
		}
	}
	c.detail.Objects = objs
	c.detail.Refresh()
	c.empty.Hide()
	c.scroll.Show()
	if switching {
		c.scroll.ScrollToTop()
	}
}

// orderLine is one of the customer's orders; its number opens it in the orders section.
func (c *customerSection) orderLine(o shop.Order) fyne.CanvasObject {
	id := o.ID
	open := widget.NewButton(o.ID, func() {
		if c.openOrder != nil {
			c.openOrder(id)
		}
	})
	open.Importance = widget.LowImportance
	open.Alignment = widget.ButtonAlignLeading
	status := widget.NewLabel(orderStateName(o))
	status.Importance = orderStateImportance(o)
	total := widget.NewLabelWithStyle(o.Total.String(), fyne.TextAlignTrailing, fyne.TextStyle{})
	when := newCaption(fmtWhen(o.CreatedAt, c.env.now()))
	cols := &colsLayout{widths: []float32{16, 0, 90, 70, 90}, stretch: 1}
	return container.New(cols, container.NewCenter(newSwatch(flagColor(o.Flag), 10)), open, when, status, total)
}

func (c *customerSection) updateRow(i int, o fyne.CanvasObject) {
	r := o.(*headedRow)
	if i < 0 || i >= len(c.customers) {
		return
	}
	cu := c.customers[i]
	setLabel(r.title, cu.Nick, widget.MediumImportance)
	vip := ""
	if cu.VIP > 0 {
		vip = fmt.Sprintf("VIP %d", cu.VIP)
	}
	setLabel(r.side, vip, widget.HighImportance)
	setCaption(r.detail, joinNonEmpty(" · ", cu.Name, cu.Phone, cu.City))
}
