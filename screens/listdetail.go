package screens

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2/widget"
)

// listDetail is the master–detail plumbing the five sections share: the list is read in the
// background, then shown with its count line, and the detail pane follows — after a new
// search or filter the first item opens, after a change of the data the open item stays open
// and is shown afresh, and a search that finds nothing empties the pane. A newer load drops
// the result of an older one still under way (typing on in the search box).
type listDetail[T any] struct {
	env    *env
	picker *picker
	count  *widget.RichText
	items  *[]T // the section's list
	idOf   func(T) string
	failed string // the count line when the list cannot be read, with %v for the error

	isOpen    func() bool    // whether the pane shows an item
	openFirst func(list []T) // opens the item a new search or filter leads to (list is not empty)
	reopen    func()         // shows the open item afresh and highlights it in the list
	clear     func()         // empties the pane: nothing matches
	// shown, if set, runs with the new list before it is drawn and returns the count line.
	shown func(list []T) string
	// reset, if set, runs when the list could not be read (after the list was emptied).
	reset func()

	loading latest
	kept    int // loads up to this one (loading.gen) keep the open item: see keepOpen
}

// index is the position in the list of the item with id, -1 when it is not in it.
func (l *listDetail[T]) index(id string) int {
	for i, x := range *l.items {
		if l.idOf(x) == id {
			return i
		}
	}
	return -1
}

// keepOpen makes the loads under way keep the item the section just opened (rather than open
// their first item): the section opened one while its search or filter was being changed.
func (l *listDetail[T]) keepOpen() { l.kept = l.loading.gen }

// load reads the list with read, off Fyne's goroutine, and shows it. read must not touch a
// widget: what it needs of them is read before (on Fyne's goroutine) and captured.
func (l *listDetail[T]) load(fresh bool, read func(ctx context.Context) ([]T, error)) {
	l.loadAs(fresh, read, func(ctx context.Context) (listRead[T], error) {
		list, err := read(ctx)
		return listRead[T]{list: list}, err
	})
}

// loadWith is load whose read also returns what else the rows show, read along with the list
// (so that no row reads the desk as the list draws it): with, if not nil, runs on Fyne's
// goroutine just before the list is shown, to keep it.
func (l *listDetail[T]) loadWith(fresh bool, read func(ctx context.Context) (list []T, with func(), err error)) {
	l.loadAs(fresh, read, func(ctx context.Context) (listRead[T], error) {
		list, with, err := read(ctx)
		return listRead[T]{list, with}, err
	})
}

// listRead is a list just read, and what keeps what was read along with it.
type listRead[T any] struct {
	list []T
	with func()
}

// loadAs is load, its result timed under the name of function fn (the section's read).
func (l *listDetail[T]) loadAs(fresh bool, fn any, read func(ctx context.Context) (listRead[T], error)) {
	gen := l.loading.gen + 1 // the generation latestRun gives this load
	latestRunAs(&l.loading, l.env, fn, read, func(r listRead[T], err error) {
		if r.with != nil && err == nil {
			r.with()
		}
		l.showList(fresh && gen > l.kept, r.list, err)
	})
}

// showList draws a list just read (or the error that prevented it).
func (l *listDetail[T]) showList(fresh bool, list []T, err error) {
	if err != nil {
		*l.items = nil
		if l.reset != nil {
			l.reset()
		}
		setCaption(l.count, fmt.Sprintf(l.failed, err))
		l.picker.list.Refresh()
		return
	}
	*l.items = list
	if l.shown != nil {
		setCaption(l.count, l.shown(list))
	}
	l.picker.list.Refresh()
	if !fresh && l.isOpen() {
		l.reopen()
		return
	}
	if len(list) > 0 {
		l.openFirst(list)
	} else if fresh {
		l.picker.highlight(-1)
		l.clear()
	}
}
