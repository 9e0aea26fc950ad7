package screens

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// searchEntry is a section's search box: a deskEntry (it passes the desk's shortcuts on,
// Ctrl+1…5, Ctrl+F…) that Escape clears.
type searchEntry struct {
	deskEntry
}

func newSearchEntry(placeholder string, keys func(fyne.Shortcut) bool, onChanged func(string)) *searchEntry {
	e := &searchEntry{deskEntry{keys: keys}}
	e.ExtendBaseWidget(e)
	e.PlaceHolder = placeholder
	e.OnChanged = onChanged
	e.ActionItem = widget.NewIcon(theme.SearchIcon())
	return e
}

// TypedKey clears the search on Escape.
func (e *searchEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.Text != "" {
		e.SetText("")
		return
	}
	e.deskEntry.TypedKey(k)
}

// composer is the chat's multi-line message box: Enter sends, Shift+Enter breaks the line.
// (Fyne's multi-line Entry does the opposite, so the keys are intercepted here.)
type composer struct {
	widget.Entry
	shift     bool
	onSend    func(text string)
	shortcuts func(fyne.Shortcut) bool
}

// KeyDown notes the shift key.
func (c *composer) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		c.shift = true
	}
	c.Entry.KeyDown(k)
}

// KeyUp notes the shift key's release.
func (c *composer) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		c.shift = false
	}
	c.Entry.KeyUp(k)
}

// FocusLost forgets a shift key held while the focus went elsewhere.
func (c *composer) FocusLost() {
	c.shift = false
	c.Entry.FocusLost()
}

// TypedKey sends on Enter and leaves Shift+Enter (a new line) and all other keys to the entry.
func (c *composer) TypedKey(k *fyne.KeyEvent) {
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && !c.shift && !c.Disabled() {
		if c.onSend != nil {
			c.onSend(c.Text)
		}
		return
	}
	c.Entry.TypedKey(k)
}

// TypedShortcut handles the desk's shortcuts and gives the others to the entry.
func (c *composer) TypedShortcut(s fyne.Shortcut) {
	if c.shortcuts != nil && c.shortcuts(s) {
		return
	}
	c.Entry.TypedShortcut(s)
}

// AcceptsTab is false: Tab leaves the message box for the next control, as in every other
// text field of the desk (deskEntry).
func (c *composer) AcceptsTab() bool { return false }

// newSwatch is a small rounded square of one colour (a flag).
func newSwatch(c color.Color, size float32) *canvas.Rectangle {
	r := canvas.NewRectangle(c)
	r.CornerRadius = size / 4
	r.SetMinSize(fyne.NewSquareSize(size))
	return r
}

// colsLayout puts objects side by side in fixed-width columns; the column at stretch (if any)
// takes the width the others leave. Rows of a list built with the same widths line up.
type colsLayout struct {
	widths  []float32
	stretch int // index of the flexible column, or -1
}

func (l *colsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	fixed := float32(0)
	for i := range objs {
		if i != l.stretch && i < len(l.widths) {
			fixed += l.widths[i]
		}
	}
	flex := size.Width - fixed - pad*float32(len(objs)-1)
	x := float32(0)
	for i, o := range objs {
		w := flex
		if i != l.stretch && i < len(l.widths) {
			w = l.widths[i]
		}
		w = max(w, 0)
		h := o.MinSize().Height
		o.Move(fyne.NewPos(x, (size.Height-h)/2))
		o.Resize(fyne.NewSize(w, h))
		x += w + pad
	}
}

func (l *colsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	var w, h float32
	for i, o := range objs {
		m := o.MinSize()
		if i != l.stretch && i < len(l.widths) {
			w += l.widths[i]
		} else {
			w += m.Width
		}
		h = max(h, m.Height)
	}
	if len(objs) > 1 {
		w += pad * float32(len(objs)-1)
	}
	return fyne.NewSize(w, h)
}

// newCaption is small secondary text for rows and panes, in the theme's placeholder colour
// (readable in light and dark themes, unlike a low-importance label), ending in … when it
// does not fit.
func newCaption(text string) *widget.RichText {
	return newStyled(text, theme.SizeNameCaptionText, theme.ColorNamePlaceHolder)
}

// newStyled is one line of text in a theme size and colour, ending in … when it does not fit.
func newStyled(text string, size fyne.ThemeSizeName, color fyne.ThemeColorName) *widget.RichText {
	seg := &widget.TextSegment{Text: text, Style: widget.RichTextStyle{
		Inline: true, SizeName: size, ColorName: color, TextStyle: fyne.TextStyle{}}}
	rt := widget.NewRichText(seg)
	rt.Truncation = fyne.TextTruncateEllipsis
	return rt
}

// styledSeg is the single text segment of a text made by newStyled.
func styledSeg(rt *widget.RichText) *widget.TextSegment { return rt.Segments[0].(*widget.TextSegment) }

// setCaption changes the text of a caption (or any newStyled text).
func setCaption(rt *widget.RichText, text string) {
	if seg := styledSeg(rt); seg.Text != text {
		seg.Text = text
		rt.Refresh()
	}
}

// setStyled changes the text, colour and weight of a newStyled text.
func setStyled(rt *widget.RichText, text string, color fyne.ThemeColorName, bold bool) {
	seg := styledSeg(rt)
	if seg.Text == text && seg.Style.ColorName == color && seg.Style.TextStyle.Bold == bold {
		return
	}
	seg.Text, seg.Style.ColorName, seg.Style.TextStyle.Bold = text, color, bold
	rt.Refresh()
}

// alignStyled aligns a newStyled text; trailing texts keep their full width (no …).
func alignStyled(rt *widget.RichText, align fyne.TextAlign) *widget.RichText {
	styledSeg(rt).Style.Alignment = align
	if align == fyne.TextAlignTrailing {
		rt.Truncation = fyne.TextTruncateOff
	}
	return rt
}

// newTruncLabel is a one-line label that ends in … when it does not fit.
func newTruncLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// wrapLabel is a read-only text that wraps to its width the way Chinese text wraps: between
// any two Chinese characters, and between words for Latin text. (Fyne's word wrap treats a run
// of Chinese after a space as one long word and breaks the line early.)
type wrapLabel struct {
	widget.Label
	full  string
	width float32
}

func newWrapLabel(text string) *wrapLabel {
	l := &wrapLabel{full: text}
	l.ExtendBaseWidget(l)
	l.Text = text
	return l
}

// SetText replaces the text.
func (l *wrapLabel) SetText(text string) {
	l.full = text
	l.rewrap()
	l.Refresh()
}

// Resize wraps the text again when the width changes.
func (l *wrapLabel) Resize(s fyne.Size) {
	if s.Width != l.width {
		l.width = s.Width
		l.rewrap()
		l.Refresh()
	}
	l.Label.Resize(s)
}

// MinSize is the height of the wrapped text; the width is left to the container.
func (l *wrapLabel) MinSize() fyne.Size {
	m := l.Label.MinSize()
	return fyne.NewSize(min(m.Width, 2*theme.InnerPadding()+theme.TextSize()*4), m.Height)
}

func (l *wrapLabel) rewrap() {
	if l.width <= 0 {
		l.Text = l.full
		return
	}
	l.Text = strings.Join(wrapText(l.full, l.width-2*theme.InnerPadding(), theme.TextSize(), l.TextStyle), "\n")
}

// newHeading is a bold label.
func newHeading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// setLabel updates a label's text and importance, refreshing only when something changed.
func setLabel(l *widget.Label, text string, imp widget.Importance) {
	if l.Text == text && l.Importance == imp {
		return
	}
	l.Text, l.Importance = text, imp
	l.Refresh()
}

// setLabelBold is setLabel that also sets the label's weight.
func setLabelBold(l *widget.Label, text string, imp widget.Importance, bold bool) {
	if l.Text == text && l.Importance == imp && l.TextStyle.Bold == bold {
		return
	}
	l.Text, l.Importance, l.TextStyle.Bold = text, imp, bold
	l.Refresh()
}

// themedRect is a background filled with a theme colour; unlike a bare canvas.Rectangle it
// follows a change of theme (light/dark) because widgets are refreshed then.
type themedRect struct {
	widget.BaseWidget
	color fyne.ThemeColorName
}

func newThemedRect(color fyne.ThemeColorName) *themedRect {
	r := &themedRect{color: color}
	r.ExtendBaseWidget(r)
	return r
}

func (r *themedRect) CreateRenderer() fyne.WidgetRenderer {
	return &themedRectRenderer{r: r, rect: canvas.NewRectangle(theme.Color(r.color))}
}

type themedRectRenderer struct {
	r    *themedRect
	rect *canvas.Rectangle
}

func (t *themedRectRenderer) Layout(s fyne.Size)           { t.rect.Resize(s) }
func (t *themedRectRenderer) MinSize() fyne.Size           { return fyne.Size{} }
func (t *themedRectRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{t.rect} }
func (t *themedRectRenderer) Destroy()                     {}
func (t *themedRectRenderer) Refresh() {
	t.rect.FillColor = theme.Color(t.r.color)
	t.rect.Refresh()
}

// headedRow is a list row of a heading with a short label at its end, over a caption: a
// customer (nick, VIP level; name, phone, city) or an after-sales case (kind and order,
// state; why it needs attention, owner, due date).
type headedRow struct {
	widget.BaseWidget
	title, side *widget.Label
	detail      *widget.RichText
}

func newHeadedRow() fyne.CanvasObject {
	r := &headedRow{title: newHeading(""), side: widget.NewLabel(""), detail: newCaption("")}
	r.side.Alignment = fyne.TextAlignTrailing
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer lays the row out: the heading and the label on one line, the caption below.
func (r *headedRow) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewBorder(nil, nil, nil, r.side, r.title)
	return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), top, r.detail))
}
