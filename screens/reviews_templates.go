package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// templatePicker offers the reply templates: a button that opens them in a pop-up over the
// window, each template wrapped on as many lines as it needs, in a list that scrolls within
// the window (above the button when there is more room there), so the list never runs off
// the window or over the status bar as a drop-down of long one-line choices did.
type templatePicker struct {
	Options  []string
	Selected string
	button   *widget.Button
	popup    *widget.PopUp
	win      func() fyne.Canvas // the window's canvas, where the pop-up opens
	onPicked func(string)
}

func newTemplatePicker(canvas func() fyne.Canvas, picked func(string)) *templatePicker {
	p := &templatePicker{win: canvas, onPicked: picked}
	p.button = widget.NewButtonWithIcon(lang.L("Reply templates"), theme.MenuDropDownIcon(), p.open)
	p.button.IconPlacement = widget.ButtonIconTrailingText
	return p
}

// SetSelectedIndex picks template i, as choosing it in the pop-up does.
func (p *templatePicker) SetSelectedIndex(i int) {
	if i < 0 || i >= len(p.Options) {
		return
	}
	p.Selected = p.Options[i]
	if p.popup != nil {
		p.popup.Hide()
	}
	if p.onPicked != nil {
		p.onPicked(p.Selected)
	}
}

// ClearSelected forgets the template picked.
func (p *templatePicker) ClearSelected() { p.Selected = "" }

// open shows the templates over the window, next to the button.
func (p *templatePicker) open() {
	c := p.win()
	if c == nil || len(p.Options) == 0 {
		return
	}
	items := container.NewVBox()
	for i, text := range p.Options {
		l := newWrapLabel(text)
		items.Add(container.NewStack(widget.NewButton("", func() { p.SetSelectedIndex(i) }), l))
		if i < len(p.Options)-1 {
			items.Add(widget.NewSeparator())
		}
	}
	scroll := container.NewVScroll(items)
	p.popup = widget.NewPopUp(scroll, c)

	win := c.Size()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(p.button)
	pad := theme.Padding()
	width := min(float32(520), win.Width-2*pad)
	items.Resize(fyne.NewSize(width, items.MinSize().Height))
	need := items.MinSize().Height
	below := win.Height - (pos.Y + p.button.Size().Height) - pad
	above := pos.Y - pad
	height := min(need, max(below, above))
	x := min(pos.X, win.Width-width-pad)
	y := pos.Y + p.button.Size().Height
	if need > below && above > below {
		y = pos.Y - height
	}
	p.popup.ShowAtPosition(fyne.NewPos(max(pad, x), max(pad, y)))
	p.popup.Resize(fyne.NewSize(width, height))
}
