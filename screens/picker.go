package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// picker is a virtual list whose selection follows an entity across reloads: the section moves
// the highlight to where the open entity is now without re-opening it.
type picker struct {
	list  *widget.List
	quiet bool
}

// newPicker builds the list; onPick runs when the staff member selects row i.
func newPicker(length func() int, create func() fyne.CanvasObject, update func(int, fyne.CanvasObject), onPick func(int)) *picker {
	p := &picker{}
	p.list = widget.NewList(length, create, func(id widget.ListItemID, o fyne.CanvasObject) {
		update(id, o)
		o.Refresh() // lay the row out again: its labels' widths changed with the text
	})
	p.list.OnSelected = func(id widget.ListItemID) {
		if !p.quiet && onPick != nil {
			onPick(id)
		}
	}
	return p
}

// highlight selects row i (none when i < 0) without calling onPick.
func (p *picker) highlight(i int) {
	p.quiet = true
	defer func() { p.quiet = false }()
	if i < 0 {
		p.list.UnselectAll()
		return
	}
	p.list.Select(i)
	if p.list.Size().Height <= 0 {
		// Not laid out yet: Select scrolled against a zero height; start at the top instead.
		p.list.ScrollToTop()
	}
}

// pick selects row i as if the staff member had tapped it.
func (p *picker) pick(i int) { p.list.Select(i) }
