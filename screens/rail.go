package screens

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// rail is the navigation rail on the window's left: one item per section, icon above label, the
// current one highlighted.
type rail struct {
	items    []*railItem
	box      *fyne.Container
	list     *fyne.Container // the items, top to bottom
	onSelect func(i int)
}

func newRail(labels []string, icons []fyne.Resource, onSelect func(int)) *rail {
	r := &rail{onSelect: onSelect}
	objs := make([]fyne.CanvasObject, len(labels))
	for i := range labels {
		it := newRailItem(labels[i], icons[i], func() { r.onTap(i) })
		r.items = append(r.items, it)
		objs[i] = it
	}
	r.list = container.NewVBox(objs...)
	r.box = container.NewStack(newThemedRect(theme.ColorNameHeaderBackground), container.NewPadded(r.list))
	return r
}

// addTool adds an entry at the rail's foot that opens a screen other than a section.
func (r *rail) addTool(label string, icon fyne.Resource, tapped func()) {
	r.list.Add(layout.NewSpacer())
	r.list.Add(newRailItem(label, icon, tapped))
}

func (r *rail) onTap(i int) {
	if r.onSelect != nil {
		r.onSelect(i)
	}
}

// setCurrent highlights item i.
func (r *rail) setCurrent(i int) {
	for j, it := range r.items {
		it.setSelected(j == i)
	}
}

// railItem is one entry of the rail.
type railItem struct {
	widget.BaseWidget
	label    string
	icon     fyne.Resource
	current  fyne.Resource // the icon in the primary colour, for the selected item
	selected bool
	hovered  bool
	onTapped func()
}

func newRailItem(label string, icon fyne.Resource, tapped func()) *railItem {
	it := &railItem{label: label, icon: icon, current: theme.NewPrimaryThemedResource(icon), onTapped: tapped}
	it.ExtendBaseWidget(it)
	return it
}

func (it *railItem) setSelected(b bool) {
	if it.selected != b {
		it.selected = b
		it.Refresh()
	}
}

// Tapped selects the item's section.
func (it *railItem) Tapped(*fyne.PointEvent) {
	if it.onTapped != nil {
		it.onTapped()
	}
}

// MouseIn shows the hover highlight.
func (it *railItem) MouseIn(*desktop.MouseEvent) { it.hovered = true; it.Refresh() }

// MouseMoved does nothing; the item is highlighted as a whole.
func (it *railItem) MouseMoved(*desktop.MouseEvent) {}

// MouseOut removes the hover highlight.
func (it *railItem) MouseOut() { it.hovered = false; it.Refresh() }

// Cursor is the pointing hand, as for a link.
func (it *railItem) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (it *railItem) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	bg.CornerRadius = theme.SelectionRadiusSize()
	icon := widget.NewIcon(it.icon)
	text := canvas.NewText(it.label, theme.Color(theme.ColorNameForeground))
	text.Alignment = fyne.TextAlignCenter
	text.TextSize = theme.CaptionTextSize() + 1
	r := &railItemRenderer{it: it, bg: bg, icon: icon, text: text}
	r.Refresh()
	return r
}

type railItemRenderer struct {
	it   *railItem
	bg   *canvas.Rectangle
	icon *widget.Icon
	text *canvas.Text
}

const railIconSize = 26

func (r *railItemRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	r.bg.Resize(size)
	ts := r.text.MinSize()
	top := (size.Height - railIconSize - pad/2 - ts.Height) / 2
	r.icon.Move(fyne.NewPos((size.Width-railIconSize)/2, top))
	r.icon.Resize(fyne.NewSquareSize(railIconSize))
	r.text.Move(fyne.NewPos(0, top+railIconSize+pad/2))
	r.text.Resize(fyne.NewSize(size.Width, ts.Height))
}

func (r *railItemRenderer) MinSize() fyne.Size {
	ts := r.text.MinSize()
	pad := theme.Padding()
	return fyne.NewSize(max(ts.Width, railIconSize)+pad*4, railIconSize+ts.Height+pad*3)
}

func (r *railItemRenderer) Refresh() {
	switch {
	case r.it.selected:
		r.bg.FillColor = theme.Color(theme.ColorNameSelection)
		r.text.Color = theme.Color(theme.ColorNamePrimary)
		r.text.TextStyle.Bold = true
	case r.it.hovered:
		r.bg.FillColor = theme.Color(theme.ColorNameHover)
		r.text.Color = theme.Color(theme.ColorNameForeground)
		r.text.TextStyle.Bold = false
	default:
		r.bg.FillColor = color.Transparent
		r.text.Color = theme.Color(theme.ColorNameForeground)
		r.text.TextStyle.Bold = false
	}
	if r.it.selected {
		r.icon.SetResource(r.it.current)
	} else {
		r.icon.SetResource(r.it.icon)
	}
	r.text.Text = r.it.label
	r.bg.Refresh()
	r.text.Refresh()
}

func (r *railItemRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.icon, r.text}
}

func (r *railItemRenderer) Destroy() {}
