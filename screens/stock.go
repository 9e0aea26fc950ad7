package screens

import (
	"fmt"
	"net/url"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

const productListLimit = 100

// stockCols are the widths of the stock list's columns: SKU, colour and size (flexible), listed,
// warehouse, reserved, available, drift.
var stockCols = []float32{150, 0, 56, 76, 68, 68, 48}

func newStockCols() *colsLayout { return &colsLayout{widths: stockCols, stretch: 1} }

// stockLine is one row of the stock list: a product's header (variant < 0) or one variant.
type stockLine struct{ product, variant int }

// stockSection answers "is it in stock?": search products by name, SKU or barcode and see each
// variant's listed, warehouse, reserved and available stock, with drift highlighted.
type stockSection struct {
	env  *env
	data StockData

	search   *searchEntry
	picker   *picker
	products []shop.Product
	lines    []stockLine
	count    *widget.RichText

	open    *shop.Product
	openSKU string
	empty   *widget.Label
	pane    *fyne.Container
	scroll  *container.Scroll
	detail  *fyne.Container

	box fyne.CanvasObject
}

func newStockSection(e *env, data StockData, desk func(fyne.Shortcut) bool) *stockSection {
	s := &stockSection{env: e, data: data}
	s.search = newSearchEntry(lang.L("Product name, SKU or barcode"), desk, func(string) { s.load(true) })
	s.picker = newPicker(func() int { return len(s.lines) }, newStockRow, s.updateRow, s.onPick)
	s.count = newCaption("")
	s.empty = widget.NewLabelWithStyle(lang.L("No product is open. Search or pick one on the left."), fyne.TextAlignCenter, fyne.TextStyle{})
	s.detail = container.NewVBox()
	s.scroll = container.NewVScroll(container.NewPadded(s.detail))
	s.pane = container.NewStack(container.NewCenter(s.empty), s.scroll)
	s.scroll.Hide()

	header := container.New(newStockCols(),
		colHeader(lang.L("SKU"), fyne.TextAlignLeading), colHeader(lang.L("Colour / size"), fyne.TextAlignLeading),
		colHeader(lang.L("Listed"), fyne.TextAlignTrailing), colHeader(lang.L("Warehouse"), fyne.TextAlignTrailing),
		colHeader(lang.L("Reserved"), fyne.TextAlignTrailing), colHeader(lang.L("Available"), fyne.TextAlignTrailing),
		colHeader(lang.L("Drift"), fyne.TextAlignTrailing))
	top := container.NewVBox(s.search, container.NewPadded(header))
	left := container.NewBorder(top, s.count, nil, nil, s.picker.list)
	split := container.NewHSplit(left, s.pane)
	split.Offset = 0.58
	s.box = split
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
func (s *stockSection) tick()                          {}
func (s *stockSection) watches(t shop.EntityType) bool { return t == shop.TypeProduct }
func (s *stockSection) reload()                        { s.load(false) }

// load searches; after a new search the first match opens.
func (s *stockSection) load(fresh bool) {
	products, err := s.data.SearchProducts(s.search.Text, productListLimit)
	if err != nil {
		s.products, s.lines = nil, nil
		setCaption(s.count, fmt.Sprintf(lang.L("Could not read the products: %v"), err))
		s.picker.list.Refresh()
		return
	}
	s.products = products
	s.lines = s.lines[:0]
	for i, p := range products {
		s.lines = append(s.lines, stockLine{product: i, variant: -1})
		for j := range p.Variants {
			s.lines = append(s.lines, stockLine{product: i, variant: j})
		}
	}
	setCaption(s.count, countText(lang.L("%d products"), len(products), productListLimit))
	s.picker.list.Refresh()
	if fresh || s.open == nil {
		if len(products) == 0 {
			if fresh {
				s.picker.highlight(-1)
				s.open = nil
				s.empty.SetText(lang.L("Nothing matches the search and filter."))
				s.scroll.Hide()
				s.empty.Show()
			}
			return
		}
		// A barcode or SKU that names one variant opens on it; otherwise the first product.
		line := 0
		for k, l := range s.lines {
			if l.product == 0 && l.variant >= 0 {
				v := products[0].Variants[l.variant]
				if v.SKU == s.search.Text || v.Barcode == s.search.Text {
					line = k
				}
			}
		}
		s.picker.highlight(line)
		s.show(products[0].ID, s.skuOf(line))
		return
	}
	s.picker.highlight(s.lineOf(s.open.ID, s.openSKU))
	s.show(s.open.ID, s.openSKU)
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

// show puts a product in the detail pane with all its variants; sku is the one picked.
func (s *stockSection) show(id, sku string) {
	p, err := s.data.Product(id)
	if err != nil {
		return
	}
	switching := s.open == nil || s.open.ID != id
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
	objs = append(objs, newCaption(joinNonEmpty(" · ", facts...)))
	if u, err := url.Parse(p.URL); err == nil && p.URL != "" {
		link := widget.NewHyperlink(p.URL, u)
		link.Truncation = fyne.TextTruncateEllipsis
		objs = append(objs, link)
	}
	objs = append(objs, widget.NewSeparator())

	cols := func() *colsLayout { return &colsLayout{widths: []float32{0, 150, 120, 76, 72}, stretch: 0} }
	objs = append(objs, container.New(cols(),
		colHeader(lang.L("Colour / size"), fyne.TextAlignLeading), colHeader(lang.L("SKU"), fyne.TextAlignLeading),
		colHeader(lang.L("Barcode"), fyne.TextAlignLeading), colHeader(lang.L("Price"), fyne.TextAlignTrailing),
		colHeader(lang.L("Available"), fyne.TextAlignTrailing)))
	total := 0
	for _, v := range p.Variants {
		style := fyne.TextStyle{Bold: v.SKU == sku}
		label := widget.NewLabelWithStyle(v.Label(), fyne.TextAlignLeading, style)
		skuL := widget.NewLabelWithStyle(v.SKU, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true, Bold: style.Bold})
		skuL.Selectable = true
		bar := widget.NewLabelWithStyle(v.Barcode, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		bar.SizeName = theme.SizeNameCaptionText
		price := widget.NewLabelWithStyle(v.Price.String(), fyne.TextAlignTrailing, style)
		avail := widget.NewLabelWithStyle(strconv.Itoa(v.Available()), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		avail.Importance = availImportance(v, p.LowStock)
		objs = append(objs, container.New(cols(), label, skuL, bar, price, avail))
		total += v.Available()
	}
	objs = append(objs, widget.NewSeparator(),
		widget.NewLabel(fmt.Sprintf(lang.L("%d available in %d variants"), total, len(p.Variants))))
	s.detail.Objects = objs
	s.detail.Refresh()
	s.empty.Hide()
	s.scroll.Show()
	if switching {
		s.scroll.ScrollToTop()
	}
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
	l := s.lines[i]
	p := s.products[l.product]
	if l.variant < 0 {
		r.variant.Hide()
		r.head.Show()
		setLabel(r.name, p.Name, widget.MediumImportance)
		setCaption(r.category, joinNonEmpty(" · ", p.Category, fmt.Sprintf(lang.L("%d variants"), len(p.Variants))))
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
