package screens

import (
	"fmt"
	"strings"

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

// customerSection finds customers by nick, name or phone and shows a profile with figures from
// their orders and the recent orders themselves.
type customerSection struct {
	env  *env
	data CustomerData
	// openOrder shows an order in the orders section.
	openOrder func(id string)

	search    *searchEntry
	picker    *picker
	customers []shop.Customer
	count     *widget.RichText

	open   *shop.Customer
	empty  *widget.Label
	pane   *fyne.Container
	scroll *container.Scroll
	detail *fyne.Container

	box fyne.CanvasObject
}

func newCustomerSection(e *env, data CustomerData, desk func(fyne.Shortcut) bool, openOrder func(string)) *customerSection {
	c := &customerSection{env: e, data: data, openOrder: openOrder}
	c.search = newSearchEntry(lang.L("Nick, name or phone"), desk, func(string) { c.load(true) })
	c.picker = newPicker(func() int { return len(c.customers) }, newCustomerRow, c.updateRow, c.onPick)
	c.count = newCaption("")
	c.empty = widget.NewLabelWithStyle(lang.L("No customer is open. Search or pick one on the left."), fyne.TextAlignCenter, fyne.TextStyle{})
	c.detail = container.NewVBox()
	c.scroll = container.NewVScroll(container.NewPadded(c.detail))
	c.pane = container.NewStack(container.NewCenter(c.empty), c.scroll)
	c.scroll.Hide()
	left := container.NewBorder(c.search, c.count, nil, nil, c.picker.list)
	split := container.NewHSplit(left, c.pane)
	split.Offset = 0.34
	c.box = split
	return c
}

func (c *customerSection) content() fyne.CanvasObject { return c.box }
func (c *customerSection) searchEntry() *searchEntry  { return c.search }
func (c *customerSection) tick()                      {}
func (c *customerSection) watches(t shop.EntityType) bool {
	return t == shop.TypeCustomer || t == shop.TypeOrder
}
func (c *customerSection) reload() { c.load(false) }

// load searches; after a new search the first match opens.
func (c *customerSection) load(fresh bool) {
	customers, err := c.data.SearchCustomers(c.search.Text, customerListLimit)
	if err != nil {
		c.customers = nil
		setCaption(c.count, fmt.Sprintf(lang.L("Could not read the customers: %v"), err))
		c.picker.list.Refresh()
		return
	}
	c.customers = customers
	setCaption(c.count, countText(lang.L("%d customers"), len(customers), customerListLimit))
	c.picker.list.Refresh()
	if fresh || c.open == nil {
		if len(customers) > 0 {
			c.picker.highlight(0)
			c.show(customers[0].ID)
		} else if fresh {
			c.picker.highlight(-1)
			c.closeDetail()
		}
		return
	}
	c.picker.highlight(c.indexOf(c.open.ID))
	c.show(c.open.ID)
}

// closeDetail empties the detail pane when a search or filter finds nothing.
func (c *customerSection) closeDetail() {
	c.open = nil
	c.empty.SetText(lang.L("Nothing matches the search and filter."))
	c.scroll.Hide()
	c.empty.Show()
}

func (c *customerSection) indexOf(id string) int {
	for i, x := range c.customers {
		if x.ID == id {
			return i
		}
	}
	return -1
}

func (c *customerSection) onPick(i int) {
	if i >= 0 && i < len(c.customers) {
		c.show(c.customers[i].ID)
	}
}

// show puts a customer's profile, figures and recent orders in the detail pane.
func (c *customerSection) show(id string) {
	cu, err := c.data.Customer(id)
	if err != nil {
		return
	}
	switching := c.open == nil || c.open.ID != id
	c.open = &cu
	now := c.env.now()

	title := widget.NewLabelWithStyle(cu.Nick, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	objs := []fyne.CanvasObject{title}
	if cu.VIP > 0 {
		vip := widget.NewLabel(fmt.Sprintf(lang.L("VIP %d · %d%% off"), cu.VIP, shop.VIPDiscount(cu.VIP)))
		vip.Importance = widget.HighImportance
		objs[0] = container.NewBorder(nil, nil, nil, vip, title)
	}

	birthday := cu.Birthday
	if days, ok := cu.BirthdayIn(now); ok {
		switch days {
		case 0:
			birthday += " · " + lang.L("today")
		default:
			birthday += " · " + fmt.Sprintf(lang.L("in %d days"), days)
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
		objs = append(objs, newCaption(fmt.Sprintf(lang.L("Last changed by %s at %s"), staffLabel(cu.ChangedBy), fmtWhen(cu.ChangedAt, now))))
	}

	orders, err := c.data.OrdersOf(cu.ID, recentOrdersLimit)
	objs = append(objs, widget.NewSeparator())
	if err != nil {
		objs = append(objs, widget.NewLabel(fmt.Sprintf(lang.L("Could not read the orders: %v"), err)))
	} else {
		st := shop.StatsOf(orders)
		facts := []string{fmt.Sprintf(lang.L("%d paid orders"), st.Orders), fmt.Sprintf(lang.L("spent %s"), st.Spent)}
		if st.Orders > 0 {
			facts = append(facts, fmt.Sprintf(lang.L("average %s"), st.Average()), fmt.Sprintf(lang.L("last order %s"), fmtWhen(st.LastOrder, now)))
		}
		objs = append(objs, widget.NewLabel(joinNonEmpty(" · ", facts...)))
		if len(orders) == recentOrdersLimit {
			objs = append(objs, newCaption(fmt.Sprintf(lang.L("Figures from the latest %d orders"), recentOrdersLimit)))
		}
		objs = append(objs, newHeading(lang.L("Recent orders")))
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
	status := widget.NewLabel(statusName(o.Status))
	status.Importance = statusImportance(o.Status)
	total := widget.NewLabelWithStyle(o.Total.String(), fyne.TextAlignTrailing, fyne.TextStyle{})
	when := newCaption(fmtWhen(o.CreatedAt, c.env.now()))
	cols := &colsLayout{widths: []float32{16, 0, 90, 70, 90}, stretch: 1}
	return container.New(cols, container.NewCenter(newSwatch(flagColor(o.Flag), 10)), open, when, status, total)
}

// customerRow is one row of the customer list.
type customerRow struct {
	widget.BaseWidget
	nick, vip *widget.Label
	detail    *widget.RichText
}

func newCustomerRow() fyne.CanvasObject {
	r := &customerRow{nick: newHeading(""), vip: widget.NewLabel(""), detail: newCaption("")}
	r.vip.Alignment = fyne.TextAlignTrailing
	r.ExtendBaseWidget(r)
	return r
}

func (r *customerRow) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewBorder(nil, nil, nil, r.vip, r.nick)
	return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), top, r.detail))
}

func (c *customerSection) updateRow(i int, o fyne.CanvasObject) {
	r := o.(*customerRow)
	if i < 0 || i >= len(c.customers) {
		return
	}
	cu := c.customers[i]
	setLabel(r.nick, cu.Nick, widget.MediumImportance)
	vip := ""
	if cu.VIP > 0 {
		vip = fmt.Sprintf("VIP %d", cu.VIP)
	}
	setLabel(r.vip, vip, widget.HighImportance)
	setCaption(r.detail, joinNonEmpty(" · ", cu.Name, cu.Phone, cu.City))
}
