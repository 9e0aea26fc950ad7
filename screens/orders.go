package screens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// How many orders the list shows: a list by filters alone shows the newest orderListLimit; a
// lookup (a number, phone, nick or receiver typed) the newest orderLookupLimit, which holds
// any one buyer's orders and stays quick on every keystroke over 100k orders.
const (
	orderListLimit   = 500
	orderLookupLimit = 100
)

// limit is how many orders the list shows for what is typed now.
func (o *orderSection) limit() int {
	if strings.TrimSpace(o.search.Text) != "" {
		return orderLookupLimit
	}
	return orderListLimit
}

// The status filter's extra choices: orders with an after-sales case, and the two work lists
// (paid orders whose address is unchecked, cash-on-delivery orders not confirmed by phone).
const (
	orderFilterAfterSales = "after_sales"
	orderFilterAddress    = "address_check"
	orderFilterCOD        = "cod_check"
)

// orderSection lists and searches orders and shows one order with its notes; a note with a
// flag can be added from the detail. The list holds the orders' list rows (desk.OrderRow, read
// from the store's lookup index keys); an order is read in full only when it is opened (or
// exported).
type orderSection struct {
	list       listDetail[desk.OrderRow] // the list and the open order
	detailLoad latest                    // the order being read for the detail pane
	env        *env
	data       orderSectionData

	search     *searchEntry
	status     *widget.Select
	statuses   []string // status filter values, parallel to the Select's options
	flag       *widget.Select
	payment    *widget.Select
	payments   []shop.Payment // payment filter values, parallel to the Select's options
	picker     *picker
	orders     []desk.OrderRow
	count      *widget.RichText
	open       *shop.Order
	version    int64 // the open order's version, sent as the note's base
	empty      *widget.Label
	pane       *fyne.Container
	scroll     *container.Scroll
	info       *fyne.Container // rebuilt for each order
	actions    *fyne.Container // rebuilt for each order
	notesTitle *widget.Label
	history    *fyne.Container // rebuilt for each order

	noteFlag   *widget.Select
	noteReason *deskEntry
	noteText   *deskEntry
	noteAdd    *widget.Button
	noteMsg    *widget.Label

	export    *widget.Button
	autoShip  *widget.Check
	cases     *caseList
	tabs      *container.AppTabs
	ordersTab *container.TabItem
	casesTab  *container.TabItem

	// the last form dialog shown, and its items (tests fill and submit them)
	dialog      *dialog.FormDialog
	dialogItems []*widget.FormItem

	box fyne.CanvasObject
}

func newOrderSection(e *env, data orderSectionData, keys func(fyne.Shortcut) bool) *orderSection {
	o := &orderSection{env: e, data: data}
	o.search = newSearchEntry(lang.L("Order number, phone, nick or receiver"), keys, func(string) { o.load(true) })
	o.statuses = []string{""}
	opts := []string{lang.L("All statuses")}
	for _, s := range shop.OrderStatuses {
		o.statuses = append(o.statuses, string(s))
		opts = append(opts, statusName(s))
	}
	o.statuses = append(o.statuses, orderFilterAfterSales, orderFilterAddress, orderFilterCOD)
	opts = append(opts, lang.L("After-sales"), lang.L("Address to check"), lang.L("COD to confirm"))
	o.status = widget.NewSelect(opts, nil)
	o.status.SetSelectedIndex(0)
	o.status.OnChanged = func(string) { o.load(true) }
	flagOpts := []string{lang.L("All flags")}
	for _, f := range shop.Flags {
		flagOpts = append(flagOpts, flagName(f))
	}
	o.flag = widget.NewSelect(flagOpts, nil)
	o.flag.SetSelectedIndex(0)
	o.flag.OnChanged = func(string) { o.load(true) }
	o.payments = []shop.Payment{"", shop.PayOnline, shop.PayCOD}
	o.payment = widget.NewSelect([]string{lang.L("All payments"), paymentName(shop.PayOnline), paymentName(shop.PayCOD)}, nil)
	o.payment.SetSelectedIndex(0)
	o.payment.OnChanged = func(string) { o.load(true) }
	o.picker = newPicker(func() int { return len(o.orders) }, newOrderRow, o.updateRow, o.onPick)
	o.count = newCaption("")

	o.empty = widget.NewLabelWithStyle(lang.L("No order is open. Search or pick one on the left."), fyne.TextAlignCenter, fyne.TextStyle{})
	o.list = listDetail[desk.OrderRow]{env: e, picker: o.picker, count: o.count, items: &o.orders, idOf: func(x desk.OrderRow) string { return x.ID },
		failed:    lang.L("Could not read the orders: %v"),
		isOpen:    func() bool { return o.open != nil },
		openFirst: func(list []desk.OrderRow) { o.picker.highlight(0); o.show(list[0].ID) },
		reopen:    func() { o.picker.highlight(o.list.index(o.open.ID)); o.show(o.open.ID) },
		clear:     o.closeDetail,
		shown:     func(list []desk.OrderRow) string { return countText("%d orders", len(list), o.limit()) },
	}
	o.info = container.NewVBox()
	o.actions = container.NewVBox()
	o.history = container.NewVBox()
	o.notesTitle = newHeading(lang.L("Notes"))
	flagNames := make([]string, len(shop.Flags))
	for i, f := range shop.Flags {
		flagNames[i] = flagName(f)
	}
	o.noteFlag = widget.NewSelect(flagNames, nil)
	o.noteReason = newDeskEntry(e)
	o.noteReason.SetPlaceHolder(lang.L("Reason, e.g. customer asked to change the size"))
	o.noteText = newDeskMultiLineEntry(e)
	o.noteText.Wrapping = fyne.TextWrapWord
	o.noteText.SetMinRowsVisible(2)
	o.noteText.SetPlaceHolder(lang.L("Note for the packers"))
	o.noteAdd = widget.NewButtonWithIcon(lang.L("Add note"), theme.ContentAddIcon(), o.onAddNote)
	o.noteAdd.Importance = widget.HighImportance
	o.noteMsg = widget.NewLabel("")
	o.noteMsg.Importance = widget.DangerImportance
	o.noteMsg.Hide()
	// The flag, then the reason, in the order Tab visits them (NewBorder would put the reason,
	// its centre, first).
	flagBox := container.NewGridWrap(fyne.NewSize(130, o.noteFlag.MinSize().Height), o.noteFlag)
	form := container.NewVBox(
		container.New(layout.NewBorderLayout(nil, nil, flagBox, nil), flagBox, o.noteReason),
		o.noteText,
		container.NewBorder(nil, nil, nil, o.noteAdd, o.noteMsg),
	)
	detail := container.NewVBox(o.info, widget.NewSeparator(), o.actions, widget.NewSeparator(), o.notesTitle, form, o.history)
	o.scroll = container.NewVScroll(container.NewPadded(detail))
	o.pane = container.NewStack(container.NewCenter(o.empty), o.scroll)
	o.scroll.Hide()

	o.export = widget.NewButtonWithIcon(lang.X("export.orders_button", "Export orders"), theme.DownloadIcon(), o.exportOrders)
	o.autoShip = widget.NewCheck(lang.L("Send shipment notices automatically"), o.setAutoShip)
	o.autoShip.Checked = o.autoShipOn()

	top := container.NewVBox(o.search, container.NewGridWithColumns(3, o.status, o.flag, o.payment))
	bottom := container.NewVBox(container.NewBorder(nil, nil, nil, o.export, o.count), o.autoShip)
	left := container.NewBorder(top, bottom, nil, nil, o.picker.list)
	split := container.NewHSplit(left, o.pane)
	split.Offset = 0.36
	o.cases = newCaseList(o)
	o.ordersTab = container.NewTabItemWithIcon(lang.L("Orders"), iconOrders, split)
	o.casesTab = container.NewTabItemWithIcon(lang.L("After-sales cases"), theme.WarningIcon(), o.cases.box)
	o.tabs = container.NewAppTabs(o.ordersTab, o.casesTab)
	o.tabs.OnSelected = func(*container.TabItem) { o.reload() }
	o.box = o.tabs
	return o
}

func (o *orderSection) content() fyne.CanvasObject { return o.box }
func (o *orderSection) searchEntry() *searchEntry  { return o.search }
func (o *orderSection) tick()                      {}
func (o *orderSection) watches(t shop.EntityType) bool {
	return t == shop.TypeOrder || t == shop.TypeNote || t == shop.TypeCase
}

func (o *orderSection) reload() {
	o.load(false)
	o.cases.load() // and the tab's title with it
}

// filter is the list's filter from the two selects.
func (o *orderSection) filter() desk.OrderFilter {
	var f desk.OrderFilter
	if i := o.status.SelectedIndex(); i > 0 && i < len(o.statuses) {
		if o.statuses[i] == orderFilterAfterSales {
			f.AfterSales = true
		} else {
			f.Status = shop.OrderStatus(o.statuses[i])
		}
	}
	if i := o.flag.SelectedIndex(); i > 0 {
		fl := shop.Flags[i-1]
		f.Flag = &fl
	}
	if i := o.payment.SelectedIndex(); i > 0 && i < len(o.payments) {
		f.Payment = o.payments[i]
	}
	return f
}

// workList is the chosen work list (orderFilterAddress, orderFilterCOD) or "".
func (o *orderSection) workList() string {
	if i := o.status.SelectedIndex(); i > 0 && i < len(o.statuses) {
		if s := o.statuses[i]; s == orderFilterAddress || s == orderFilterCOD {
			return s
		}
	}
	return ""
}

// searchOrders reads the list's rows: a work list filtered by the query and the other filters,
// or the store's search (rows from its index keys, no order decoded for a lookup). It runs in
// the background, on what the widgets said.
func (o *orderSection) searchOrders(ctx context.Context, query string, f desk.OrderFilter, work string, limit int) ([]desk.OrderRow, error) {
	var list []shop.Order
	var err error
	switch work {
	case orderFilterAddress:
		list, err = o.data.AddressToCheck(ctx, 0)
	case orderFilterCOD:
		list, err = o.data.CODToConfirm(ctx, 0)
	default:
		return o.data.SearchOrderRows(ctx, query, f, limit)
	}
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(query))
	var out []desk.OrderRow
	for _, ord := range list {
		if f.Flag != nil && ord.Flag != *f.Flag || f.Payment != "" && ord.Payment != f.Payment {
			continue
		}
		if q != "" && !strings.HasPrefix(strings.ToLower(ord.ID), q) && !strings.HasPrefix(strings.ToLower(ord.Nick), q) &&
			!strings.HasPrefix(ord.Address.Phone, q) && !strings.HasPrefix(strings.ToLower(ord.Address.Receiver), q) {
			continue
		}
		out = append(out, desk.RowOf(ord))
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// load reads the list; after a new search or filter the first match opens.
func (o *orderSection) load(fresh bool) {
	q, f, work, limit := o.search.Text, o.filter(), o.workList(), o.limit()
	o.list.load(fresh, func(ctx context.Context) ([]desk.OrderRow, error) { return o.searchOrders(ctx, q, f, work, limit) })
}

// closeDetail empties the detail pane when a search or filter finds nothing.
func (o *orderSection) closeDetail() {
	o.open = nil
	o.empty.SetText(lang.L("Nothing matches the search and filter."))
	o.scroll.Hide()
	o.empty.Show()
}

func (o *orderSection) onPick(i int) {
	if i >= 0 && i < len(o.orders) {
		o.show(o.orders[i].ID)
	}
}

// orderDetail is what the detail pane shows of an order, read together in the background.
type orderDetail struct {
	ord      shop.Order
	ver      int64
	cases    []shop.AfterSalesCase
	notes    []shop.OrderNote
	notesErr error
}

// show puts an order in the detail pane, read fresh from the store with its version.
func (o *orderSection) show(id string) {
	latestRun(&o.detailLoad, o.env, func(ctx context.Context) (orderDetail, error) {
		var d orderDetail
		var err error
		if d.ord, d.ver, err = getEntity[shop.Order](ctx, o.env.writer, shop.TypeOrder, id); err != nil {
			return d, err
		}
		d.cases, _ = o.data.CasesOf(ctx, id)
		d.notes, d.notesErr = o.data.Notes(ctx, id)
		return d, nil
	}, func(d orderDetail, err error) {
		if err == nil {
			o.draw(d)
		}
	})
}

// draw puts an order just read in the detail pane.
func (o *orderSection) draw(d orderDetail) {
	ord, ver, id := d.ord, d.ver, d.ord.ID
	switching := o.open == nil || o.open.ID != id
	o.open, o.version = &ord, ver
	if switching {
		o.noteFlag.SetSelectedIndex(int(ord.Flag))
		o.noteReason.SetText("")
		o.noteText.SetText("")
		o.noteMsg.Hide()
	}
	o.info.Objects = o.orderInfo(ord, d.cases)
	o.info.Refresh()
	o.actions.Objects = o.orderActions(ord)
	o.actions.Refresh()
	o.showNotes(d.notes, d.notesErr)
	o.empty.Hide()
	o.scroll.Show()
	if switching {
		o.scroll.ScrollToTop()
	}
}

// orderInfo builds the order's facts: number and status, flag, items, amounts, address, courier
// and after-sales cases.
func (o *orderSection) orderInfo(ord shop.Order, cases []shop.AfterSalesCase) []fyne.CanvasObject {
	now := o.env.now()
	title := widget.NewLabelWithStyle(fmt.Sprintf(lang.L("Order %s"), ord.ID), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Selectable = true
	status := widget.NewLabel(orderStateName(ord))
	status.Importance = orderStateImportance(ord)
	status.TextStyle.Bold = true
	objs := []fyne.CanvasObject{
		container.NewBorder(nil, nil, nil, status, title),
		newCaption(joinNonEmpty(" · ", ord.Nick, paymentName(ord.Payment),
			fmt.Sprintf(lang.L("ordered %s"), fmtFull(ord.CreatedAt)),
			whenText(lang.L("paid %s"), ord.PaidAt), whenText(lang.L("shipped %s"), ord.ShippedAt))),
	}
	if msg := buyerMessage(ord); msg != "" {
		objs = append(objs, newWrapLabel(msg))
	}

	flagText := lang.L("No flag set")
	if ord.FlagBy != "" {
		flagText = flagName(ord.Flag) + " · " + fmt.Sprintf(lang.L("set by %s at %s"), staffLabel(ord.FlagBy), fmtWhen(ord.FlagAt, now))
	}
	objs = append(objs, container.NewHBox(container.NewCenter(newSwatch(flagColor(ord.Flag), 14)), widget.NewLabel(flagText)))

	objs = append(objs, widget.NewSeparator(), newHeading(lang.L("Items")))
	cols := func() *colsLayout { return &colsLayout{widths: []float32{0, 150, 50, 90}, stretch: 0} }
	for _, it := range ord.Items {
		name := newTruncLabel(joinNonEmpty(" ", it.Name, it.Variant))
		sku := newCaption(it.SKU)
		qty := widget.NewLabelWithStyle(fmt.Sprintf("×%d", it.Qty), fyne.TextAlignTrailing, fyne.TextStyle{})
		price := widget.NewLabelWithStyle((it.Price * shop.Cents(it.Qty)).String(), fyne.TextAlignTrailing, fyne.TextStyle{})
		objs = append(objs, container.New(cols(), name, sku, qty, price))
	}
	ship := widget.NewLabelWithStyle(ord.Shipping.String(), fyne.TextAlignTrailing, fyne.TextStyle{})
	total := widget.NewLabelWithStyle(ord.Total.String(), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	objs = append(objs,
		container.New(cols(), widget.NewLabel(lang.L("Shipping")), layout.NewSpacer(), layout.NewSpacer(), ship),
		container.New(cols(), widget.NewLabelWithStyle(lang.L("Total"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), layout.NewSpacer(), layout.NewSpacer(), total),
	)

	objs = append(objs, widget.NewSeparator(), newHeading(lang.L("Shipping address")))
	a := ord.Address
	objs = append(objs, widget.NewLabel(joinNonEmpty("  ", a.Receiver, a.Phone)))
	addr := widget.NewLabel(a.Province + a.City + a.District + a.Detail) // Fyne's wrap: copying keeps it one line
	addr.Wrapping = fyne.TextWrapWord
	addr.Selectable = true
	objs = append(objs, addr)
	check := lang.L("Address not checked yet")
	switch ord.AddressCheck {
	case shop.AddressConfirmed:
		check = fmt.Sprintf(lang.L("Address confirmed by %s"), staffLabel(ord.AddressCheckBy))
	case shop.AddressChanged:
		check = fmt.Sprintf(lang.L("Address changed by %s"), staffLabel(ord.AddressCheckBy))
	}
	objs = append(objs, newCaption(check))
	courier := lang.L("Not shipped yet")
	if ord.Courier != "" || ord.Tracking != "" {
		courier = joinNonEmpty("  ", ord.Courier, ord.Tracking)
	}
	tracking := widget.NewLabel(fmt.Sprintf(lang.L("Courier: %s"), courier))
	tracking.Selectable = true
	objs = append(objs, tracking)
	if ord.Payment == shop.PayCOD {
		call := lang.L("COD order: not confirmed by phone yet")
		if ord.CODCall != shop.CallNone {
			call = fmt.Sprintf(lang.L("COD call: %s, by %s at %s"), systemNoteText(string(ord.CODCall)), staffLabel(ord.CODCallBy), fmtWhen(ord.CODCallAt, now))
		}
		if codUnconfirmed(ord) {
			warn := widget.NewLabelWithStyle(call, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			warn.Importance = widget.DangerImportance
			objs = append(objs, warn)
		} else {
			objs = append(objs, newCaption(call))
		}
	}

	if len(cases) > 0 {
		objs = append(objs, widget.NewSeparator(), newHeading(lang.L("After-sales")))
		for _, c := range cases {
			l := widget.NewLabel(joinNonEmpty(" · ", caseKindName(c.Kind), caseStateName(c.State),
				fmt.Sprintf(lang.L("owner %s"), staffLabel(c.Owner)), whenText(lang.L("due %s"), c.Due)))
			if c.NeedsAttention(now) {
				l.Importance = widget.DangerImportance
			}
			objs = append(objs, l)
			if c.Summary != "" {
				objs = append(objs, newWrapLabel(c.Summary))
			}
		}
	}
	return objs
}

// whenText formats a time into format (e.g. "paid %s"), or gives nothing for a zero time.
func whenText(format string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf(format, fmtFull(t))
}

// showNotes lists the order's notes (or the error that kept them from being read), newest
// first.
func (o *orderSection) showNotes(notes []shop.OrderNote, err error) {
	if err != nil {
		o.history.Objects = []fyne.CanvasObject{widget.NewLabel(fmt.Sprintf(lang.L("Could not read the notes: %v"), err))}
		o.history.Refresh()
		return
	}
	o.notesTitle.SetText(fmt.Sprintf(lang.L("Notes (%d)"), len(notes)))
	objs := make([]fyne.CanvasObject, 0, len(notes))
	for _, n := range notes {
		objs = append(objs, o.noteRow(n))
	}
	if len(notes) == 0 {
		objs = append(objs, newCaption(lang.L("No notes on this order yet.")))
	}
	o.history.Objects = objs
	o.history.Refresh()
}

// noteRow is one note of the history: flag swatch, text, reason, staff number, time, pending.
func (o *orderSection) noteRow(n shop.OrderNote) fyne.CanvasObject {
	text := n.Text
	reason := n.Reason
	if n.System {
		text, reason = systemNoteText(text), systemNoteText(reason)
	}
	if n.Source != "" {
		reason = "" // an imported seller memo: noteAuthor says what it is
	}
	body := newWrapLabel(text)
	meta := []string{}
	if reason != "" {
		meta = append(meta, fmt.Sprintf(lang.L("Reason: %s"), reason))
	}
	meta = append(meta, flagName(n.Flag), noteAuthor(n), fmtFull(n.At))
	metaLabel := newCaption(joinNonEmpty(" · ", meta...))
	line := fyne.CanvasObject(metaLabel)
	if o.env.writer.IsPending(shop.TypeNote, n.ID) {
		pending := widget.NewLabel(lang.L("Pending"))
		pending.SizeName = theme.SizeNameCaptionText
		pending.Importance = widget.WarningImportance
		line = container.NewBorder(nil, nil, nil, pending, metaLabel)
	}
	bar := canvas.NewRectangle(flagColor(n.Flag))
	bar.SetMinSize(fyne.NewSize(4, 4))
	bar.CornerRadius = 2
	return container.NewBorder(nil, nil, bar, nil,
		container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), body, line))
}

// onAddNote records the note typed in the form, with its flag, on the open order.
func (o *orderSection) onAddNote() {
	if o.open == nil {
		return
	}
	text := strings.TrimSpace(o.noteText.Text)
	if text == "" {
		o.noteMsg.SetText(lang.L("Write the note first."))
		o.noteMsg.Show()
		o.env.focus(o.noteText)
		return
	}
	flag := shop.FlagGrey
	if i := o.noteFlag.SelectedIndex(); i >= 0 {
		flag = shop.Flags[i]
	}
	p := shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: flag, Text: text, Reason: strings.TrimSpace(o.noteReason.Text)}
	o.env.apply(shop.KindOrderNote, o.open.ID, o.version, p, func(err error) {
		if err != nil {
			return
		}
		o.noteMsg.Hide()
		o.noteText.SetText("")
		o.noteReason.SetText("")
		focusSearch(o.env, o.search) // the next order: never more typing into this note
		o.load(false)
	})
}

// orderRow is one row of the order list.
type orderRow struct {
	widget.BaseWidget
	number, status, total *widget.Label
	detail                *widget.RichText
	flag                  *canvas.Rectangle
}

func newOrderRow() fyne.CanvasObject {
	r := &orderRow{number: newHeading(""), status: widget.NewLabel(""), detail: newCaption(""), total: widget.NewLabel("")}
	r.status.Alignment = fyne.TextAlignTrailing
	r.total.Alignment = fyne.TextAlignTrailing
	r.total.SizeName = theme.SizeNameCaptionText
	r.flag = newSwatch(flagColor(shop.FlagGrey), 10)
	r.ExtendBaseWidget(r)
	return r
}

func (r *orderRow) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewBorder(nil, nil, nil, r.status, r.number)
	bottom := container.NewBorder(nil, nil, container.NewCenter(r.flag), r.total, r.detail)
	return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), top, bottom))
}

func (o *orderSection) updateRow(i int, obj fyne.CanvasObject) {
	r := obj.(*orderRow)
	if i < 0 || i >= len(o.orders) {
		return
	}
	row := o.orders[i]
	state := rowState(row)
	setLabel(r.number, row.ID, widget.MediumImportance)
	setLabel(r.status, orderStateName(state), orderStateImportance(state))
	setCaption(r.detail, joinNonEmpty(" · ", row.Nick, row.Receiver, row.Phone, fmtWhen(row.CreatedAt, o.env.now())))
	setLabel(r.total, row.Total.String(), widget.MediumImportance)
	if c := flagColor(row.Flag); r.flag.FillColor != c {
		r.flag.FillColor = c
		r.flag.Refresh()
	}
}

// rowState is as much of an order as its state's wording (orderStateName) reads, from its list
// row: the status, the payment and the cash-on-delivery call.
func rowState(r desk.OrderRow) shop.Order {
	return shop.Order{ID: r.ID, Status: r.Status, Payment: r.Payment, CODCall: r.CODCall, Flag: r.Flag}
}

// codUnconfirmed reports whether a cash-on-delivery order still waiting to ship has no
// confirmed call: the packers must not send it yet.
func codUnconfirmed(o shop.Order) bool { return shop.CODPending(o) }
