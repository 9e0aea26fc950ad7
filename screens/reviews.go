package screens

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/localdb"
	"kefu/shop"
)

const reviewListLimit = 500

// reviewSection is the reviews inbox: unanswered first, filtered by rating and follow-up state,
// with a review's text, reply and follow-up steps in the detail.
type reviewSection struct {
	env  *env
	data ReviewData

	search  *searchEntry
	rating  *widget.Select
	ratings []shop.Rating
	state   *widget.Select
	picker  *picker
	reviews []shop.Review
	count   *widget.RichText

	open   *shop.Review
	empty  *widget.Label
	pane   *fyne.Container
	scroll *container.Scroll
	detail *fyne.Container

	box fyne.CanvasObject
}

func newReviewSection(e *env, data ReviewData, desk func(fyne.Shortcut) bool) *reviewSection {
	r := &reviewSection{env: e, data: data}
	r.search = newSearchEntry(lang.L("Nick, words of the review or order number"), desk, func(string) { r.load(true) })
	r.ratings = []shop.Rating{"", shop.RatingGood, shop.RatingNeutral, shop.RatingBad}
	ropts := make([]string, len(r.ratings))
	for i, x := range r.ratings {
		ropts[i] = ratingName(x)
	}
	r.rating = widget.NewSelect(ropts, nil)
	r.rating.SetSelectedIndex(0)
	r.rating.OnChanged = func(string) { r.load(true) }
	sopts := []string{lang.L("All states")}
	for _, s := range shop.ReviewStates {
		sopts = append(sopts, reviewStateName(s))
	}
	r.state = widget.NewSelect(sopts, nil)
	r.state.SetSelectedIndex(0)
	r.state.OnChanged = func(string) { r.load(true) }
	r.picker = newPicker(func() int { return len(r.reviews) }, newReviewRow, r.updateRow, r.onPick)
	r.count = newCaption("")
	r.empty = widget.NewLabelWithStyle(lang.L("No review is open. Pick one on the left."), fyne.TextAlignCenter, fyne.TextStyle{})
	r.detail = container.NewVBox()
	r.scroll = container.NewVScroll(container.NewPadded(r.detail))
	r.pane = container.NewStack(container.NewCenter(r.empty), r.scroll)
	r.scroll.Hide()

	top := container.NewVBox(r.search, container.NewGridWithColumns(2, r.rating, r.state))
	left := container.NewBorder(top, r.count, nil, nil, r.picker.list)
	split := container.NewHSplit(left, r.pane)
	split.Offset = 0.38
	r.box = split
	return r
}

func (r *reviewSection) content() fyne.CanvasObject { return r.box }
func (r *reviewSection) searchEntry() *searchEntry  { return r.search }
func (r *reviewSection) tick()                      {}
func (r *reviewSection) watches(t shop.EntityType) bool {
	return t == shop.TypeReview || t == shop.TypeProduct
}
func (r *reviewSection) reload() { r.load(false) }

func (r *reviewSection) filter() localdb.ReviewFilter {
	f := localdb.ReviewFilter{Query: r.search.Text}
	if i := r.rating.SelectedIndex(); i > 0 && i < len(r.ratings) {
		f.Rating = r.ratings[i]
	}
	if i := r.state.SelectedIndex(); i > 0 {
		f.State = shop.ReviewStates[i-1]
	}
	return f
}

// load reads the inbox; after a new search or filter the first review opens.
func (r *reviewSection) load(fresh bool) {
	reviews, err := r.data.Reviews(r.filter(), reviewListLimit)
	if err != nil {
		r.reviews = nil
		setCaption(r.count, fmt.Sprintf(lang.L("Could not read the reviews: %v"), err))
		r.picker.list.Refresh()
		return
	}
	r.reviews = reviews
	setCaption(r.count, countText(lang.L("%d reviews"), len(reviews), reviewListLimit))
	r.picker.list.Refresh()
	if fresh || r.open == nil {
		if len(reviews) > 0 {
			r.picker.highlight(0)
			r.show(reviews[0].ID)
		} else if fresh {
			r.picker.highlight(-1)
			r.closeDetail()
		}
		return
	}
	r.picker.highlight(r.indexOf(r.open.ID))
	r.show(r.open.ID)
}

// closeDetail empties the detail pane when a search or filter finds nothing.
func (r *reviewSection) closeDetail() {
	r.open = nil
	r.empty.SetText(lang.L("Nothing matches the search and filter."))
	r.scroll.Hide()
	r.empty.Show()
}

func (r *reviewSection) indexOf(id string) int {
	for i, x := range r.reviews {
		if x.ID == id {
			return i
		}
	}
	return -1
}

func (r *reviewSection) onPick(i int) {
	if i >= 0 && i < len(r.reviews) {
		r.show(r.reviews[i].ID)
	}
}

// ratingImportance colours stars: bad red, neutral yellow, good green.
func ratingImportance(stars int) widget.Importance {
	switch shop.RatingOf(stars) {
	case shop.RatingBad:
		return widget.DangerImportance
	case shop.RatingNeutral:
		return widget.WarningImportance
	}
	return widget.SuccessImportance
}

// show puts a review in the detail pane.
func (r *reviewSection) show(id string) {
	var rv shop.Review
	if _, ok, err := r.env.writer.Get(shop.TypeReview, id, &rv); err != nil || !ok {
		return
	}
	switching := r.open == nil || r.open.ID != id
	r.open = &rv
	now := r.env.now()

	st := widget.NewLabelWithStyle(stars(rv.Stars), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	st.Importance = ratingImportance(rv.Stars)
	state := widget.NewLabel(reviewStateName(rv.State))
	state.Importance = widget.HighImportance
	objs := []fyne.CanvasObject{
		container.NewBorder(nil, nil, nil, state, container.NewHBox(st, widget.NewLabelWithStyle(ratingName(rv.Rating()), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))),
		newCaption(joinNonEmpty(" · ", rv.Nick, fmtFull(rv.At), fmt.Sprintf(lang.L("Order %s"), rv.OrderID))),
	}
	if p, err := r.data.Product(rv.ProductID); err == nil {
		objs = append(objs, newTruncLabel(p.Name))
	}
	text := newWrapLabel(rv.Text)
	objs = append(objs, widget.NewSeparator(), text)
	if rv.Untouched(now, shop.ReviewReminderAfter) {
		warn := widget.NewLabel(fmt.Sprintf(lang.L("Untouched for %s"), fmtWait(now.Sub(rv.At))))
		warn.Importance = widget.DangerImportance
		objs = append(objs, warn)
	}

	objs = append(objs, widget.NewSeparator(), newHeading(lang.L("Shop's reply")))
	if rv.Answered() {
		objs = append(objs, newWrapLabel(rv.Reply), newCaption(joinNonEmpty(" · ", staffLabel(rv.ReplyBy), fmtFull(rv.ReplyAt))))
	} else {
		objs = append(objs, newCaption(lang.L("Not answered yet")))
	}
	if rv.BuyerStars > 0 {
		objs = append(objs, newHeading(lang.L("Our review of the buyer")),
			widget.NewLabel(joinNonEmpty("  ", stars(rv.BuyerStars), rv.BuyerText)))
	}

	objs = append(objs, widget.NewSeparator(), newHeading(lang.L("Follow-up")))
	if rv.Contacts > 0 {
		objs = append(objs, widget.NewLabel(fmt.Sprintf(lang.L("Buyer contacted %d times"), rv.Contacts)))
	}
	if len(rv.Steps) == 0 {
		objs = append(objs, newCaption(lang.L("No follow-up steps yet")))
	}
	for i := len(rv.Steps) - 1; i >= 0; i-- {
		s := rv.Steps[i]
		move := reviewStateName(shop.ReviewState(s.To))
		if s.From != "" {
			move = reviewStateName(shop.ReviewState(s.From)) + " → " + move
		}
		row := []fyne.CanvasObject{widget.NewLabel(move), newCaption(joinNonEmpty(" · ", staffLabel(s.Staff), fmtFull(s.At)))}
		if s.Note != "" {
			row = append(row, newWrapLabel(s.Note))
		}
		objs = append(objs, container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), row...))
	}
	r.detail.Objects = objs
	r.detail.Refresh()
	r.empty.Hide()
	r.scroll.Show()
	if switching {
		r.scroll.ScrollToTop()
	}
}

// reviewRow is one row of the reviews inbox.
type reviewRow struct {
	widget.BaseWidget
	stars, nick, state *widget.Label
	text, when         *widget.RichText
}

func newReviewRow() fyne.CanvasObject {
	r := &reviewRow{stars: widget.NewLabel(""), nick: newTruncLabel(""), state: widget.NewLabel(""), text: newCaption(""),
		when: alignStyled(newCaption(""), fyne.TextAlignTrailing)}
	r.stars.TextStyle.Bold = true
	r.state.Alignment = fyne.TextAlignTrailing
	r.ExtendBaseWidget(r)
	return r
}

func (r *reviewRow) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewBorder(nil, nil, r.stars, r.state, r.nick)
	bottom := container.NewBorder(nil, nil, nil, r.when, r.text)
	return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), top, bottom))
}

func (r *reviewSection) updateRow(i int, o fyne.CanvasObject) {
	row := o.(*reviewRow)
	if i < 0 || i >= len(r.reviews) {
		return
	}
	rv := r.reviews[i]
	setLabel(row.stars, stars(rv.Stars), ratingImportance(rv.Stars))
	setLabel(row.nick, rv.Nick, widget.MediumImportance)
	stateImp := widget.MediumImportance
	if rv.State == shop.ReviewNew && rv.Rating() != shop.RatingGood {
		stateImp = widget.DangerImportance
	}
	setLabel(row.state, reviewStateName(rv.State), stateImp)
	setCaption(row.text, oneLine(rv.Text))
	setCaption(row.when, fmtWhen(rv.At, r.env.now()))
}
