package screens

import "fyne.io/fyne/v2"

// Where the cursor goes after the staff member acts, so that what they type next lands where
// their next step is (and never, say, in an order note meant for the chat):
//
//   - Ctrl+1…5 or a tap on the rail: the chat's reply box when a conversation is open (else
//     the chat's search); the search of the other sections. Ctrl+F: the shown section's
//     search. A search is focused with its text selected, so typing starts a new lookup.
//   - a message or card sent, a quick phrase picked, a note added from the chat's customer
//     panel: the reply box.
//   - a note added in the orders section, a review moved or its buyer rated, a shelf count
//     recorded: the section's search (the next order, review or SKU), the form emptied.
//   - a review's reply published: its follow-up note when the review can move on (else the
//     search); an after-sales case moved: the case list.
//   - a dialog closed any other way: back where the cursor was before it opened (Fyne keeps the
//     window's focus under a modal dialog); a form dialog opens with its first field focused.

// focus puts the cursor in o; nothing without a window.
func (e *env) focus(o fyne.Focusable) {
	if e.win != nil && o != nil {
		e.win.Canvas().Focus(o)
	}
}

// focusSearch puts the cursor in a search box with its text selected, so that what is typed
// next replaces it.
func focusSearch(e *env, s *searchEntry) {
	if e.win == nil || s == nil {
		return
	}
	e.win.Canvas().Focus(s)
	s.Entry.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// focusField puts the cursor in a dialog's field with its text selected (a figure to retype).
func focusField(e *env, x *deskEntry) {
	if e.win == nil || x == nil {
		return
	}
	e.win.Canvas().Focus(x)
	x.Entry.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// switchTo shows section i and puts the cursor where work in it starts (Ctrl+1…5, the rail).
func (d *Desk) switchTo(i int) {
	if i < 0 || i >= sectionCount {
		return
	}
	d.Show(i)
	if i == SectionChat && d.chat.open != nil {
		d.chat.focusComposer()
		return
	}
	d.FocusSearch()
}

// focusComposer puts the cursor in the chat's reply box.
func (c *chatSection) focusComposer() { c.env.focus(c.composer) }
