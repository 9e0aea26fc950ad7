package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// deskEntry is a text field of the desk (an order note, a review's follow-up, a form's field).
// Fyne hands every shortcut to the focused widget and the window's own shortcuts then never
// run, so the field offers each shortcut to the desk first (Ctrl+1…5, Ctrl+F, Alt+Down; the
// desk declines them while a dialog is open) and keeps the rest (copy, paste, select all,
// undo) for itself. Tab and Shift+Tab move the focus on, in a multi-line field too: a tab
// character has no place in a note or a message, and a form should not trap the cursor.
type deskEntry struct {
	widget.Entry
	keys func(fyne.Shortcut) bool // the desk's shortcuts; true when it ran one
}

// newDeskEntry is a one-line text field passing the desk's shortcuts (e.keys) on.
func newDeskEntry(e *env) *deskEntry {
	x := &deskEntry{keys: e.keys}
	x.ExtendBaseWidget(x)
	x.Wrapping = fyne.TextWrap(fyne.TextTruncateClip) // as widget.NewEntry
	return x
}

// newDeskMultiLineEntry is a multi-line text field passing the desk's shortcuts on (clipped,
// as widget.NewMultiLineEntry: set Wrapping for word wrap).
func newDeskMultiLineEntry(e *env) *deskEntry {
	x := newDeskEntry(e)
	x.MultiLine = true
	return x
}

// TypedShortcut gives s to the desk and, if it is not one of the desk's, to the entry.
func (x *deskEntry) TypedShortcut(s fyne.Shortcut) {
	if x.keys != nil && x.keys(s) {
		return
	}
	x.Entry.TypedShortcut(s)
}

// AcceptsTab is false: Tab moves the focus to the next field, Shift+Tab to the previous.
func (x *deskEntry) AcceptsTab() bool { return false }

// deskSelectEntry is a text field with a list of suggestions (a courier, a reason) that, like
// deskEntry, passes the desk's shortcuts on.
type deskSelectEntry struct {
	widget.SelectEntry
	keys func(fyne.Shortcut) bool
}

// newDeskSelectEntry is a select entry offering options and passing the desk's shortcuts on.
func newDeskSelectEntry(e *env, options []string) *deskSelectEntry {
	x := &deskSelectEntry{keys: e.keys}
	x.ExtendBaseWidget(x)
	x.Wrapping = fyne.TextWrap(fyne.TextTruncateClip) // as widget.NewSelectEntry
	x.SetOptions(options)
	return x
}

// TypedShortcut gives s to the desk and, if it is not one of the desk's, to the entry.
func (x *deskSelectEntry) TypedShortcut(s fyne.Shortcut) {
	if x.keys != nil && x.keys(s) {
		return
	}
	x.SelectEntry.TypedShortcut(s)
}
