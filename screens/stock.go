package screens

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

const productListLimit = 100

// stockColsMin are the least widths of the stock list's columns: SKU, colour and size
// (flexible), listed, warehouse, reserved, available, drift; stockCols are the widths in use,
// widened where a header in the window's language needs more (the section sets them).
var (
	stockColsMin = []float32{150, 0, 56, 76, 68, 68, 48}
	stockCols    = stockColsMin
)

func newStockCols() *colsLayout { return &colsLayout{widths: stockCols, stretch: 1} }

// stockLine is one row of the stock list: a product's header (variant < 0) or one variant.
type stockLine struct{ product, variant int }

// Stock list views.
const (
	stockViewAll = iota // search results (all products when the search is empty)
	stockViewLow        // products at or under their low-stock threshold
)

// stockSection answers "is it in stock?": search products by name, pinyin, SKU or barcode as
// you type and see each variant's listed, warehouse, reserved and available stock, with drift
// highlighted and how fresh the numbers are; record a shelf count, set the low-stock threshold
// and send a product card into the open chat.
type stockSection struct {
	list       listDetail[shop.Product] // the products found and the open one
	detailLoad latest                   // the product being read for the detail pane
	env        *env
	data       stockSource

	search   *searchEntry
	view     *widget.Select
	picker   *picker
	products []shop.Product
	pending  map[string]bool // the listed products whose stock change is not yet confirmed
	lines    []stockLine
	count    *widget.RichText
	fresh    *widget.RichText // the list's freshness line
	syncView SyncView

	open    *shop.Product
	openSKU string
	empty   *widget.Label
	pane    *fyne.Container
	scroll  *container.Scroll
	detail  *fyne.Container
	// detailFresh is the freshness line of the detail pane; sent tells what was sent to chat.
	detailFresh *widget.RichText
	sent        string
	// variantHead and variantLines are the detail pane's variant table, kept across products.
	variantHead  *fyne.Container
	variantLines []*variantLine

	// toChat sends a message or card into the conversation open in the chat section and
	// returns its nick (errNoChat when none is open), then runs sent once it is recorded; chatLink is the shop's chat page for a
	// product. The desk sets both.
	toChat   func(text string, card *shop.Card, sent func()) (nick string, err error)
	chatLink func(productID string) string

	box fyne.CanvasObject
}

func newStockSection(e *env, data stockSource, keys func(fyne.Shortcut) bool) *stockSection {
	s := &stockSection{env: e, data: data}
	s.search = newSearchEntry(lang.L("Name, pinyin (etwt), SKU or barcode"), keys, timedHandler(e, "stock.search", func(string) { s.load(true) }))
	s.search.OnSubmitted = timedHandler(e, "stock.submit", s.onSubmit)
	s.view = widget.NewSelect([]string{lang.L("Every product"), lang.L("Low stock only")}, nil)
	s.view.SetSelectedIndex(stockViewAll)
	s.view.OnChanged = func(string) { s.load(true) }
	s.picker = newPicker(func() int { return len(s.lines) }, newStockRow, timedRowUpdate(e, "stock.updateRow", s.updateRow), timedHandler(e, "stock.pick", s.onPick))
	s.count = newCaption("")
	s.fresh = newCaption("")
	s.detailFresh = newCaption("")
	s.empty = widget.NewLabelWithStyle(lang.L("No product is open. Search or pick one on the left."), fyne.TextAlignCenter, fyne.TextStyle{})
	s.list = listDetail[shop.Product]{env: e, picker: s.picker, count: s.count, items: &s.products,
		failed:    lang.L("Could not read the products: %v"),
		isOpen:    func() bool { return s.open != nil },
		openFirst: s.openFirst,
		reopen:    func() { s.picker.highlight(s.lineOf(s.open.ID, s.openSKU)); s.show(s.open.ID, s.openSKU) },
		clear:     s.clearDetail,
		shown:     s.shownLines,
		reset:     func() { s.lines = nil },
	}
	s.detail = container.NewVBox()
	s.scroll = container.NewVScroll(container.NewPadded(s.detail))
	s.pane = container.NewStack(container.NewCenter(s.empty), s.scroll)
	s.scroll.Hide()

	headers := []*widget.Label{
		colHeader(lang.L("SKU"), fyne.TextAlignLeading), colHeader(lang.L("Colour / size"), fyne.TextAlignLeading),
		colHeader(lang.L("Listed"), fyne.TextAlignTrailing), colHeader(lang.L("Warehouse"), fyne.TextAlignTrailing),
		colHeader(lang.L("Reserved"), fyne.TextAlignTrailing), colHeader(lang.L("Available"), fyne.TextAlignTrailing),
		colHeader(lang.L("Drift"), fyne.TextAlignTrailing)}
	stockCols = columnsFitting(stockColsMin, headers) // the rows' columns follow their headers
	header := container.New(newStockCols(), headers[0], headers[1], headers[2], headers[3], headers[4], headers[5], headers[6])
	top := container.NewVBox(container.NewBorder(nil, nil, nil, fitSelect(s.view), s.search), container.NewPadded(header))
	bottom := container.NewBorder(nil, nil, nil, alignStyled(s.fresh, fyne.TextAlignTrailing), s.count)
	left := container.NewBorder(top, bottom, nil, nil, s.picker.list)
	split := container.NewHSplit(left, s.pane)
	split.Offset = 0.56
	s.box = split
	s.showFreshness()
	return s
}

// colHeader is a list column's title.
func colHeader(text string, align fyne.TextAlign) *widget.Label {
	l := widget.NewLabelWithStyle(text, align, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameCaptionText
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (s *stockSection) content() fyne.CanvasObject     { return s.box }
func (s *stockSection) searchEntry() *searchEntry      { return s.search }
func (s *stockSection) watches(t shop.EntityType) bool { return t == shop.TypeProduct }
func (s *stockSection) reload()                        { s.load(false) }

// tick keeps "synced 3 min ago" counting.
func (s *stockSection) tick() { s.showFreshness() }

// setSync takes the sync engine's state: the stock figures are as fresh as the last sync.
func (s *stockSection) setSync(v SyncView) {
	s.syncView = v
	s.showFreshness()
}

func (s *stockSection) showFreshness() {
	text, warn := stockFreshness(s.syncView, s.env.now())
	color := theme.ColorNamePlaceHolder
	if warn {
		color = theme.ColorNameWarning
	}
	setStyled(s.fresh, text, color, warn)
	setStyled(s.detailFresh, text, color, warn)
}

// lowOnly reports whether the list shows only the products at or under their threshold.
func (s *stockSection) lowOnly() bool { return s.view.SelectedIndex() == stockViewLow }

// find runs the search of the list's view (only products at or under their threshold when
// low), in the background.
func (s *stockSection) find(ctx context.Context, q string, low bool) ([]shop.Product, error) {
	q = strings.TrimSpace(q)
	if !low {
		return s.data.SearchProducts(ctx, q, productListLimit)
	}
	if q == "" {
		return s.data.LowStockProducts(ctx, productListLimit)
	}
	all, err := s.data.SearchProducts(ctx, q, 0)
	var out []shop.Product
	for _, p := range all {
		if isLow(p) && len(out) < productListLimit {
			out = append(out, p)
		}
	}
	return out, err
}

// isLow reports whether a product's available stock is at or under its threshold.
func isLow(p shop.Product) bool {
	total := 0
	for _, v := range p.Variants {
		total += v.Available()
	}
	return p.LowStock > 0 && total <= p.LowStock
}

// load searches; after a new search the first match opens, on the variant whose SKU or barcode
// the search names when there is one.
func (s *stockSection) load(fresh bool) {
	q, low := s.search.Text, s.lowOnly()
	s.list.loadWith(fresh, func(ctx context.Context) ([]shop.Product, func(), error) {
		list, err := s.find(ctx, q, low)
		pending := s.pendingOf(list)
		return list, func() { s.pending = pending }, err
	})
}

// pendingOf is the set of the products whose stock change the server has not confirmed yet,
// read in the background with the list (the rows say "Pending").
func (s *stockSection) pendingOf(products []shop.Product) map[string]bool {
	pending := map[string]bool{}
	for _, p := range products {
		if s.env.writer.IsPending(shop.TypeProduct, p.ID) {
			pending[p.ID] = true
		}
	}
	return pending
}

// shownLines lays the products just read out as the list's lines (each product, then its
// variants) and returns the count line.
func (s *stockSection) shownLines(products []shop.Product) string {
	s.lines = s.lines[:0]
	for i, p := range products {
		s.lines = append(s.lines, stockLine{product: i, variant: -1})
		for j := range p.Variants {
			s.lines = append(s.lines, stockLine{product: i, variant: j})
		}
	}
	format := "%d products"
	if s.lowOnly() {
		format = "%d products at or under their low-stock threshold"
	}
	return countText(format, len(products), productListLimit)
}

// openFirst opens the variant the search names, else the first product.
func (s *stockSection) openFirst(products []shop.Product) {
	line := max(s.exactLine(), 0)
	s.picker.highlight(line)
	s.show(products[s.lines[line].product].ID, s.skuOf(line))
}

// clearDetail empties the detail pane when a search or filter finds nothing.
func (s *stockSection) clearDetail() {
	s.open = nil
	s.empty.SetText(lang.L("Nothing matches the search and filter."))
	s.scroll.Hide()
	s.empty.Show()
}

// exactLine is the list line of the variant whose SKU or barcode is the search text (ASCII
// case-insensitive), or -1.
func (s *stockSection) exactLine() int {
	q := strings.TrimSpace(s.search.Text)
	if q == "" {
		return -1
	}
	for k, l := range s.lines {
		if l.variant < 0 {
			continue
		}
		v := s.products[l.product].Variants[l.variant]
		if strings.EqualFold(v.SKU, q) || v.Barcode != "" && strings.EqualFold(v.Barcode, q) {
			return k
		}
	}
	return -1
}

// onSubmit is Enter in the search box, which is how a barcode scanner ends a code: the list
// lands on the exact variant, its detail opens, and the text is selected so that the next scan
// replaces it.
func (s *stockSection) onSubmit(string) {
	s.load(true)
	if line := s.exactLine(); line >= 0 {
		s.picker.highlight(line)
		s.picker.list.ScrollTo(line)
	}
	s.search.TypedShortcut(&fyne.ShortcutSelectAll{})
}

func (s *stockSection) skuOf(line int) string {
	if l := s.lines[line]; l.variant >= 0 {
		return s.products[l.product].Variants[l.variant].SKU
	}
	return ""
}

func (s *stockSection) lineOf(id, sku string) int {
	for k, l := range s.lines {
		p := s.products[l.product]
		if p.ID != id {
			continue
		}
		if sku == "" && l.variant < 0 || l.variant >= 0 && p.Variants[l.variant].SKU == sku {
			return k
		}
	}
	return -1
}

func (s *stockSection) onPick(i int) {
	if i >= 0 && i < len(s.lines) {
		s.show(s.products[s.lines[i].product].ID, s.skuOf(i))
	}
}

// show puts a product in the detail pane with all its variants; sku is the one picked (the
// first variant's figures and actions are shown when none is).
func (s *stockSection) show(id, sku string) {
	type read struct {
		p       shop.Product
		pending bool
	}
	latestRun(&s.detailLoad, s.env, func(ctx context.Context) (read, error) {
		p, err := s.data.Product(ctx, id)
		return read{p, err == nil && s.env.writer.IsPending(shop.TypeProduct, id)}, err
	}, func(r read, err error) {
		if err == nil {
			s.draw(r.p, sku, r.pending)
		}
	})
}

// draw puts a product just read in the detail pane; pending tells that its stock change is
// not yet confirmed by the server.
func (s *stockSection) draw(p shop.Product, sku string, pending bool) {
	id := p.ID
	switching := s.open == nil || s.open.ID != id
	if switching || sku != s.openSKU {
		s.sent = ""
	}
	s.open, s.openSKU = &p, sku
	now := s.env.now()

	title := widget.NewLabelWithStyle(p.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	objs := []fyne.CanvasObject{title}
	facts := []string{p.Category}
	if p.LowStock > 0 {
		facts = append(facts, fmt.Sprintf(lang.L("low stock at %d"), p.LowStock))
	}
	if !p.UpdatedAt.IsZero() {
		facts = append(facts, fmt.Sprintf(lang.L("stock changed by %s at %s"), staffLabel(p.UpdatedBy), fmtWhen(p.UpdatedAt, now)))
	}
	objs = append(objs, newCaption(joinNonEmpty(" · ", facts...)), s.detailFresh)
	if pending {
		pend := widget.NewLabel(lang.L("Stock change pending: not yet confirmed by the server"))
		pend.Importance = widget.WarningImportance
		pend.Wrapping = fyne.TextWrapWord
		objs = append(objs, pend)
	}
	if u, err := url.Parse(p.URL); err == nil && p.URL != "" {
		link := widget.NewHyperlink(p.URL, u)
		link.Truncation = fyne.TextTruncateEllipsis
		objs = append(objs, link)
	}
	objs = append(objs, widget.NewSeparator())

	if v, ok := p.Variant(sku); ok || len(p.Variants) > 0 {
		if !ok {
			v = &p.Variants[0]
		}
		objs = append(objs, s.variantCard(p, *v)...)
		objs = append(objs, widget.NewSeparator())
	}

	if s.variantHead == nil {
		s.variantHead = container.New(newVariantCols(),
			colHeader(lang.L("Colour / size"), fyne.TextAlignLeading), colHeader(lang.L("SKU"), fyne.TextAlignLeading),
			colHeader(lang.L("Barcode"), fyne.TextAlignLeading), colHeader(lang.L("Price"), fyne.TextAlignTrailing),
			colHeader(lang.L("Available"), fyne.TextAlignTrailing))
	}
	objs = append(objs, s.variantHead)
	total := 0
	for i, v := range p.Variants {
		if i == len(s.variantLines) {
			s.variantLines = append(s.variantLines, newVariantLine())
		}
		vl := s.variantLines[i]
		vl.set(v, v.SKU == sku, p.LowStock)
		objs = append(objs, vl.box)
		total += v.Available()
	}
	sum := widget.NewLabel(pluralf(len(p.Variants), "%d available in %d variants", total, len(p.Variants)))
	if isLow(p) {
		sum.Importance = widget.WarningImportance
	}
	threshold := widget.NewButtonWithIcon(lang.L("Low-stock threshold…"), theme.SettingsIcon(), func() { s.askThreshold(p) })
	objs = append(objs, widget.NewSeparator(), container.NewBorder(nil, nil, nil, threshold, sum))
	s.detail.Objects = objs
	// Laid out and drawn again, not refreshed: the new widgets draw themselves afresh and the
	// kept ones refreshed as they changed (refreshing every widget of the pane again cost most
	// of a frame on Fyne's goroutine).
	s.detail.Layout.Layout(objs, s.detail.Size())
	canvas.Refresh(s.detail)
	s.empty.Hide()
	s.scroll.Show()
	if switching {
		s.scroll.ScrollToTop()
	}
}

// newVariantCols are the widths of the detail pane's variant table: colour and size
// (flexible), SKU, barcode, price, available.
func newVariantCols() *colsLayout {
	return &colsLayout{widths: []float32{0, 150, 120, 76, 72}, stretch: 0}
}

// variantLine is one line of the detail pane's variant table. The section keeps them from one
// product to the next and changes their texts (building some fifty labels afresh for every
// product shown cost a frame and more on Fyne's goroutine).
type variantLine struct {
	label, sku, barcode, price, avail *widget.Label
	box                               *fyne.Container
}

func newVariantLine() *variantLine {
	l := &variantLine{
		label:   widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{}),
		sku:     newVariantSKU("", false),
		barcode: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}),
		price:   widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{}),
		avail:   widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}),
	}
	l.barcode.SizeName = theme.SizeNameCaptionText
	l.box = container.New(newVariantCols(), l.label, l.sku, l.barcode, l.price, l.avail)
	return l
}

// newVariantSKU is a variant's SKU in the table, selectable (to copy it).
func newVariantSKU(sku string, picked bool) *widget.Label {
	l := widget.NewLabelWithStyle(sku, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true, Bold: picked})
	l.Selectable = true
	return l
}

// set shows variant v, in bold when it is the one picked; low is its product's threshold.
func (l *variantLine) set(v shop.Variant, picked bool, low int) {
	setLabelBold(l.label, v.Label(), widget.MediumImportance, picked)
	if l.sku.Text != v.SKU || l.sku.TextStyle.Bold != picked {
		// A new one rather than a new text: the staff member may have selected the old one's.
		l.sku = newVariantSKU(v.SKU, picked)
		l.box.Objects[1] = l.sku
	}
	setLabel(l.barcode, v.Barcode, widget.MediumImportance)
	setLabelBold(l.price, v.Price.String(), widget.MediumImportance, picked)
	setLabel(l.avail, strconv.Itoa(v.Available()), availImportance(v, low))
}

// variantCard is the picked variant's figures (listed, warehouse, reserved, available, drift)
// and what can be done with it: record a shelf count, send it into the open chat.
func (s *stockSection) variantCard(p shop.Product, v shop.Variant) []fyne.CanvasObject {
	head := newHeading(joinNonEmpty(" · ", v.Label(), v.SKU, v.Price.String()))
	figure := func(name string, n string, imp widget.Importance) fyne.CanvasObject {
		l := widget.NewLabelWithStyle(n, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		l.Importance = imp
		return container.NewVBox(colHeader(name, fyne.TextAlignCenter), l)
	}
	drift := "0"
	if d := v.Drift(); d != 0 {
		drift = fmt.Sprintf("%+d", d)
	}
	figs := container.NewGridWithColumns(5,
		figure(lang.L("Listed"), strconv.Itoa(v.Listed), widget.MediumImportance),
		figure(lang.L("Warehouse"), strconv.Itoa(v.Warehouse), widget.MediumImportance),
		figure(lang.L("Reserved"), strconv.Itoa(v.Reserved), widget.MediumImportance),
		figure(lang.L("Available"), strconv.Itoa(v.Available()), availImportance(v, p.LowStock)),
		figure(lang.L("Drift"), drift, driftImportance(v.Drift())))
	objs := []fyne.CanvasObject{head, figs}
	if d := v.Drift(); d != 0 {
		note := newStyled(driftText(d), theme.SizeNameCaptionText, theme.ColorNameWarning)
		if d > 0 {
			styledSeg(note).Style.ColorName = theme.ColorNameError
		}
		objs = append(objs, note)
	}
	adjust := widget.NewButtonWithIcon(lang.L("Record a shelf count…"), theme.DocumentCreateIcon(), func() { s.askCount(p, v) })
	send := widget.NewButtonWithIcon(lang.L("Send card to chat"), theme.MailSendIcon(), func() { _ = s.sendCard(p, v) })
	link := widget.NewButtonWithIcon(lang.L("Send product link"), theme.MailForwardIcon(), func() { _ = s.sendLink(p, v) })
	objs = append(objs, container.NewHBox(adjust, send, link))
	if s.sent != "" {
		objs = append(objs, newStyled(s.sent, theme.SizeNameCaptionText, theme.ColorNameSuccess))
	}
	return objs
}

// driftText explains drift to the staff member.
func driftText(d int) string {
	if d > 0 {
		return fmt.Sprintf(lang.L("The shop page lists %d more than the warehouse holds: do not promise them."), d)
	}
	return fmt.Sprintf(lang.L("The shop page lists %d fewer than the warehouse holds."), -d)
}

// availImportance colours available stock: none is red, at or under the threshold is yellow.
func availImportance(v shop.Variant, low int) widget.Importance {
	switch a := v.Available(); {
	case a == 0:
		return widget.DangerImportance
	case low > 0 && a <= low:
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

// driftImportance colours drift: the page promising more than the shelf holds is red, less is
// yellow.
func driftImportance(d int) widget.Importance {
	switch {
	case d > 0:
		return widget.DangerImportance
	case d < 0:
		return widget.WarningImportance
	}
	return widget.LowImportance
}

// stockRow is one row of the stock list: a product header or a variant with its numbers.
type stockRow struct {
	widget.BaseWidget
	name                                      *widget.Label
	category                                  *widget.RichText
	sku, label                                *widget.Label
	listed, warehouse, reserved, avail, drift *widget.Label
	head, variant                             *fyne.Container
	// updated is set by updateRow: the Refresh the list asks for next only lays the row out
	// again, since its labels refreshed themselves as they changed (a full refresh of every
	// visible row, every label drawn again, cost more than a frame on the large shop).
	updated bool
}

// Refresh lays the row out again after updateRow, and refreshes it all otherwise (a theme
// change).
func (r *stockRow) Refresh() {
	if !r.updated {
		r.BaseWidget.Refresh()
		return
	}
	r.updated = false
	for _, c := range []*fyne.Container{r.head, r.variant} {
		if c.Visible() {
			c.Layout.Layout(c.Objects, c.Size())
		}
	}
}

func newStockRow() fyne.CanvasObject {
	num := func() *widget.Label {
		l := widget.NewLabel("")
		l.Alignment = fyne.TextAlignTrailing
		return l
	}
	r := &stockRow{name: newHeading(""), category: newCaption(""),
		sku: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}), label: newTruncLabel(""),
		listed: num(), warehouse: num(), reserved: num(), avail: num(), drift: num()}
	r.sku.Truncation = fyne.TextTruncateEllipsis
	r.sku.SizeName = theme.SizeNameCaptionText
	r.avail.TextStyle.Bold = true
	alignStyled(r.category, fyne.TextAlignTrailing)
	r.head = container.NewBorder(nil, nil, nil, r.category, r.name)
	r.variant = container.New(newStockCols(), r.sku, r.label, r.listed, r.warehouse, r.reserved, r.avail, r.drift)
	r.ExtendBaseWidget(r)
	return r
}

func (r *stockRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(r.head, r.variant))
}

func (s *stockSection) updateRow(i int, o fyne.CanvasObject) {
	r := o.(*stockRow)
	if i < 0 || i >= len(s.lines) {
		return
	}
	r.updated = true
	l := s.lines[i]
	p := s.products[l.product]
	if l.variant < 0 {
		r.variant.Hide()
		r.head.Show()
		setLabel(r.name, p.Name, widget.MediumImportance)
		facts := []string{p.Category, pluralf(len(p.Variants), "%d variants", len(p.Variants))}
		if isLow(p) {
			facts = append(facts, lang.L("Low on stock"))
		}
		if s.pending[p.ID] {
			facts = append(facts, lang.L("Pending"))
		}
		setCaption(r.category, joinNonEmpty(" · ", facts...))
		return
	}
	v := p.Variants[l.variant]
	r.head.Hide()
	r.variant.Show()
	setLabel(r.sku, v.SKU, widget.MediumImportance)
	setLabel(r.label, v.Label(), widget.MediumImportance)
	setLabel(r.listed, strconv.Itoa(v.Listed), widget.MediumImportance)
	setLabel(r.warehouse, strconv.Itoa(v.Warehouse), widget.MediumImportance)
	setLabel(r.reserved, strconv.Itoa(v.Reserved), widget.MediumImportance)
	setLabel(r.avail, strconv.Itoa(v.Available()), availImportance(v, p.LowStock))
	drift := ""
	if d := v.Drift(); d != 0 {
		drift = fmt.Sprintf("%+d", d)
	}
	setLabel(r.drift, drift, driftImportance(v.Drift()))
}
