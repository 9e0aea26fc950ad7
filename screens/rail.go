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
// current one highlighted. On a window too short for all the items at their full height (a
// manager's ten, or an agent's eight under the handover banner, on a 1280×720 screen) they
// shrink (railLayout), and below their compact height they scroll, rather than making the
// window taller than the screen: Fyne grows a window to its content's minimum size.
type rail struct {
	items    []*railItem
	box      *fyne.Container
	list     *fyne.Container   // the items, top to bottom
	scroll   *container.Scroll // list's scroller, for a window shorter than the compact items
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
	r.list = container.New(railLayout{}, objs...)
	r.scroll = container.NewVScroll(container.NewPadded(r.list))
	r.box = container.NewStack(newThemedRect(theme.ColorNameHeaderBackground), r.scroll)
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

// The rail item's icon at its full size, and at its smallest on a short window.
const (
	railIconSize        = 26
	railCompactIconSize = 14
)

// compactHeight is the least height the item is drawn in: the small icon over the label, with
// a third of the padding of the full height (a manager's nine items and the Import entry
// under the handover banner fit a 1280×720 screen with a taskbar).
func (it *railItem) compactHeight() float32 {
	pad := theme.Padding()
	ts := fyne.MeasureText(it.label, theme.CaptionTextSize()+1, fyne.TextStyle{Bold: true})
	return railCompactIconSize + ts.Height + pad
}

func (r *railItemRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	r.bg.Resize(size)
	ts := r.text.MinSize()
	// The icon gives up what the item lacks of its full height, down to the compact size.
	iconSize := min(railIconSize, max(railCompactIconSize, size.Height-ts.Height-pad))
	top := max(0, (size.Height-iconSize-pad/2-ts.Height)/2)
	r.icon.Move(fyne.NewPos((size.Width-iconSize)/2, top))
	r.icon.Resize(fyne.NewSquareSize(iconSize))
	r.text.Move(fyne.NewPos(0, top+iconSize+pad/2))
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

// railLayout stacks the rail's items top to bottom, the spacers sharing what is left, as a
// VBox does. On a shorter column it closes the gaps between the items, then shrinks them all
// alike towards their compact heights; its minimum height is that of the compact items, so
// the rail never makes the window taller than the screen (the rail's scroller takes over
// below it).
type railLayout struct{}

// railHeights are an object's full and compact heights in the rail.
func railHeights(o fyne.CanvasObject) (full, compact float32) {
	full = o.MinSize().Height
	if it, ok := o.(*railItem); ok {
		return full, min(full, it.compactHeight())
	}
	return full, full
}

// isRailSpacer reports whether o is a spacer that takes the height left over.
func isRailSpacer(o fyne.CanvasObject) bool {
	s, ok := o.(layout.SpacerObject)
	return ok && s.ExpandVertical()
}

// MinSize is the widest item's width and the compact items' heights, without gaps.
func (railLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var size fyne.Size
	for _, o := range objects {
		if !o.Visible() || isRailSpacer(o) {
			continue
		}
		_, compact := railHeights(o)
		size.Width = max(size.Width, o.MinSize().Width)
		size.Height += compact
	}
	return size
}

// Layout gives the items their full heights and the padding between them when they fit,
// else closes the gaps, else shrinks the items evenly between full and compact height.
func (railLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	var full, compact []float32
	var sumFull, sumCompact float32
	spacers := 0
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		if isRailSpacer(o) {
			spacers++
			continue
		}
		f, c := railHeights(o)
		full, compact = append(full, f), append(compact, c)
		sumFull, sumCompact = sumFull+f, sumCompact+c
	}
	if len(full) == 0 {
		return
	}
	gaps := float32(len(full) - 1)
	gap, share, spacer := theme.Padding(), float32(1), float32(0)
	switch {
	case size.Height >= sumFull+gap*gaps:
		if spacers > 0 {
			spacer = (size.Height - sumFull - gap*gaps) / float32(spacers)
		}
	case size.Height >= sumFull:
		gap = (size.Height - sumFull) / max(gaps, 1)
	default:
		gap = 0
		share = 0
		if sumFull > sumCompact {
			share = max(0, (size.Height-sumCompact)/(sumFull-sumCompact))
		}
	}
	y, i := float32(0), 0
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		if isRailSpacer(o) {
			o.Move(fyne.NewPos(0, y))
			o.Resize(fyne.NewSize(size.Width, spacer))
			y += spacer
			continue
		}
		h := compact[i] + (full[i]-compact[i])*share
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + gap
		i++
	}
}
