package screens

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

const reviewListLimit = 500

// reviewSection is the reviews inbox: untouched neutral and bad reviews first, then unanswered
// ones, filtered by rating or stars, follow-up state and product; the open review shows its
// order, the follow-up (state machine, contact, reply, review of the buyer) and the evidence
// locker.
type reviewSection struct {
	list         listDetail[shop.Review] // the inbox and the open review
	detailLoad   latest                  // the review being read for the detail pane
	productsLoad latest                  // the product names being read for the filter
	env          *env
	data         reviewStore

	search   *searchEntry
	rating   *widget.Select
	ratings  []reviewRatingChoice
	state    *widget.Select
	states   []reviewStateChoice // the state filter's choices after "All states"
	product  *widget.Select
	products []desk.ProductName // the product filter's choices after "All products", by name
	picker   *picker
	reviews  []shop.Review
	count    *widget.RichText
	remind   *widget.Label
	left     *fyne.Container // the list column: laid out again when the reminder shows or hides
	remindN  int
	remindAt *widget.Select // the reminder delay setting
	// reminders are the untouched reviews, shared with the status bar (the desk sets it).
	reminders *reviewReminders

	open   *shop.Review
	empty  *widget.Label
	pane   *fyne.Container
	scroll *container.Scroll
	detail *fyne.Container
	work   *reviewWork // the follow-up editors (reviews_work.go)

	// openOrder and openChat jump to the orders and chat sections; the desk sets them.
	openOrder func(orderID string)
	openChat  func(convID, draft string)

	box fyne.CanvasObject
}

// reviewRatingChoice is one entry of the rating filter: a rating class or a star count.
type reviewRatingChoice struct {
	rating shop.Rating
	stars  int
}

func newReviewSection(e *env, data reviewStore, keys func(fyne.Shortcut) bool) *reviewSection {
	r := &reviewSection{env: e, data: data}
	r.search = newSearchEntry(lang.L("Nick, words of the review or order number"), keys, func(string) { r.load(true) })
	r.ratings = []reviewRatingChoice{{}, {rating: shop.RatingGood}, {rating: shop.RatingNeutral}, {rating: shop.RatingBad}}
	for s := 5; s >= 1; s-- {
		r.ratings = append(r.ratings, reviewRatingChoice{stars: s})
	}
	ropts := make([]string, len(r.ratings))
	for i, x := range r.ratings {
		ropts[i] = ratingName(x.rating)
		if x.stars > 0 {
			ropts[i] = stars(x.stars)
		}
	}
	r.rating = widget.NewSelect(ropts, nil)
	r.rating.SetSelectedIndex(0)
	r.rating.OnChanged = func(string) { r.load(true) }
	sopts := []string{lang.L("All states")}
	r.states = reviewStateChoices()
	for _, s := range r.states {
		sopts = append(sopts, s.name)
	}
	r.state = widget.NewSelect(sopts, nil)
	r.state.SetSelectedIndex(0)
	r.state.OnChanged = func(string) { r.load(true) }
	r.product = widget.NewSelect([]string{lang.L("All products")}, nil)
	r.product.SetSelectedIndex(0)
	r.product.OnChanged = func(string) { r.load(true) }
	r.picker = newPicker(func() int { return len(r.reviews) }, newReviewRow, r.updateRow, r.onPick)
	r.count = newCaption("")
	r.remind = widget.NewLabel("")
	r.remind.Importance = widget.DangerImportance
	r.remind.Wrapping = fyne.TextWrapWord
	r.remind.Hide()
	r.remindAt = newRemindSelect(e, func() { r.load(false) })
	r.empty = widget.NewLabelWithStyle(lang.L("No review is open. Pick one on the left."), fyne.TextAlignCenter, fyne.TextStyle{})
	r.list = listDetail[shop.Review]{env: e, picker: r.picker, count: r.count, items: &r.reviews, idOf: func(x shop.Review) string { return x.ID },
		failed:    lang.L("Could not read the reviews: %v"),
		isOpen:    func() bool { return r.open != nil },
		openFirst: func(list []shop.Review) { r.picker.highlight(0); r.show(list[0].ID) },
		reopen:    func() { r.picker.highlight(r.list.index(r.open.ID)); r.show(r.open.ID) },
		clear:     r.closeDetail,
		shown: func(list []shop.Review) string {
			r.updateReminder()
			return countText("%d reviews", len(list), reviewListLimit)
		},
	}
	r.detail = container.NewVBox()
	r.scroll = container.NewVScroll(container.NewPadded(r.detail))
	r.pane = container.NewStack(container.NewCenter(r.empty), r.scroll)
	r.scroll.Hide()
	r.work = newReviewWork(r)
	r.reminders = newReviewReminders(e.ctx, data, e.app)

	top := container.NewVBox(r.search, container.NewGridWithColumns(3, r.rating, r.state, r.product), r.remind)
	left := container.NewBorder(top, container.NewBorder(nil, nil, nil, fitSelect(r.remindAt), r.count), nil, nil, r.picker.list)
	r.left = left
	split := container.NewHSplit(left, r.pane)
	split.Offset = 0.38
	r.box = split
	return r
}

func (r *reviewSection) content() fyne.CanvasObject { return r.box }
func (r *reviewSection) searchEntry() *searchEntry  { return r.search }

// tick does nothing: the untouched times are in hours and days, redrawn with every reload.
func (r *reviewSection) tick() {}

func (r *reviewSection) watches(t shop.EntityType) bool {
	return t == shop.TypeReview || t == shop.TypeProduct || t == shop.TypeEvidence || t == shop.TypeOrder
}
func (r *reviewSection) reload() { r.load(false) }

func (r *reviewSection) filter() desk.ReviewFilter {
	f := desk.ReviewFilter{Query: r.search.Text}
	if i := r.rating.SelectedIndex(); i > 0 && i < len(r.ratings) {
		f.Rating, f.Stars = r.ratings[i].rating, r.ratings[i].stars
	}
	if i := r.state.SelectedIndex(); i > 0 && i <= len(r.states) {
		f.State = r.states[i-1].state
	}
	if i := r.product.SelectedIndex(); i > 0 && i <= len(r.products) {
		f.ProductID = r.products[i-1].ID
	}
	return f
}

// loadProducts fills the product filter with the shop's product names (ids and names only:
// the filter needs no more of 5,000 products), keeping the selection.
func (r *reviewSection) loadProducts() {
	latestRun(&r.productsLoad, r.env, r.data.ProductNames,
		func(ps []desk.ProductName, err error) {
			if err == nil {
				r.showProducts(ps)
			}
		})
}

// showProducts puts the product names just read (by name) in the product filter.
func (r *reviewSection) showProducts(ps []desk.ProductName) {
	sel := ""
	if i := r.product.SelectedIndex(); i > 0 && i <= len(r.products) {
		sel = r.products[i-1].ID
	}
	r.products = ps
	opts := []string{lang.L("All products")}
	idx := 0
	for i, p := range ps {
		opts = append(opts, p.Name)
		if p.ID == sel {
			idx = i + 1
		}
	}
	onChanged := r.product.OnChanged
	r.product.OnChanged = nil
	r.product.Options = opts
	r.product.SetSelectedIndex(idx)
	r.product.OnChanged = onChanged
}

// remindAfter is how long a neutral or bad review may sit untouched (a setting).
func (r *reviewSection) remindAfter() time.Duration { return reviewRemindAfter(r.env.app) }

// load reads the inbox; after a new search or filter the first review opens. Reminders come
// first, the longest waiting first; the store lists unanswered ones before answered ones,
// newest first, and that order stays below them.
func (r *reviewSection) load(fresh bool) {
	if len(r.products) == 0 {
		r.loadProducts()
	}
	f, now, after := r.filter(), r.env.now(), r.remindAfter()
	var choice reviewStateChoice
	if i := r.state.SelectedIndex(); i > 0 && i <= len(r.states) {
		choice = r.states[i-1]
	}
	r.list.load(fresh, func(ctx context.Context) ([]shop.Review, error) {
		reviews, err := r.data.Reviews(ctx, f, reviewListLimit)
		reviews = choice.keep(reviews)
		// Untouched ones first, the longest waiting first; then the others to follow up, so
		// that good reviews, which only want a reply, do not crowd the bad ones.
		sort.SliceStable(reviews, func(i, j int) bool {
			ui, uj := reviews[i].Untouched(now, after), reviews[j].Untouched(now, after)
			if ui != uj {
				return ui
			}
			if ui {
				return reviews[i].At.Before(reviews[j].At)
			}
			return awaitsFollowUp(reviews[i]) && !awaitsFollowUp(reviews[j])
		})
		return reviews, err
	})
}

// updateReminder shows, above the list, how many neutral or bad reviews wait untouched.
func (r *reviewSection) updateReminder() {
	after := r.remindAfter()
	n, err := r.reminders.get(r.env.now())
	r.remindN = n
	if err != nil || n == 0 {
		r.remind.Hide()
	} else {
		r.remind.SetText(pluralf(n, "%d neutral or bad reviews untouched for over %d hours: listed first", n, int(after/time.Hour)))
		r.remind.Show()
	}
	// The reminder now arrives after the list has been laid out (its count is read in the
	// background), so the column must make room for it, or it is drawn over the first row.
	if r.left != nil {
		r.left.Refresh()
	}
}

// showReminders clears the filters so the untouched reviews, listed first, are in view.
func (r *reviewSection) showReminders() {
	r.search.SetText("")
	r.rating.SetSelectedIndex(0)
	r.state.SetSelectedIndex(0)
	r.product.SetSelectedIndex(0)
	r.load(true)
}

// closeDetail empties the detail pane when a search or filter finds nothing.
func (r *reviewSection) closeDetail() {
	r.open = nil
	r.empty.SetText(lang.L("Nothing matches the search and filter."))
	r.scroll.Hide()
	r.empty.Show()
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

// reviewDetail is what the detail pane shows of a review, read together in the background.
type reviewDetail struct {
	rv          shop.Review
	product     *shop.Product // nil when it is not on this desk
	order       shop.Order
	orderErr    error
	hasChat     bool // the buyer has a conversation
	evidence    []shop.Evidence
	evidenceErr error
}

// show puts a review in the detail pane.
func (r *reviewSection) show(id string) {
	latestRun(&r.detailLoad, r.env, func(ctx context.Context) (reviewDetail, error) {
		var d reviewDetail
		var err error
		if d.rv, _, err = getEntity[shop.Review](ctx, r.env.writer, shop.TypeReview, id); err != nil {
			return d, err
		}
		if p, err := r.data.Product(ctx, d.rv.ProductID); err == nil {
			d.product = &p
		}
		d.order, d.orderErr = r.data.Order(ctx, d.rv.OrderID)
		if convs, err := r.data.ConversationsOf(ctx, d.rv.CustomerID); err == nil && len(convs) > 0 {
			d.hasChat = true
		}
		d.evidence, d.evidenceErr = r.data.EvidenceOf(ctx, id)
		return d, nil
	}, func(d reviewDetail, err error) {
		if err == nil {
			r.draw(d)
		}
	})
}

// draw puts a review just read in the detail pane.
func (r *reviewSection) draw(d reviewDetail) {
	rv, id := d.rv, d.rv.ID
	switching := r.open == nil || r.open.ID != id
	r.open = &rv
	if switching {
		r.work.reset(rv)
	}
	now := r.env.now()

	st := widget.NewLabelWithStyle(stars(rv.Stars), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	st.Importance = ratingImportance(rv.Stars)
	state := widget.NewLabel(reviewStateLabel(rv))
	state.Importance = widget.HighImportance
	objs := []fyne.CanvasObject{
		container.NewBorder(nil, nil, nil, state, container.NewHBox(st, widget.NewLabelWithStyle(ratingName(rv.Rating()), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))),
		newCaption(joinNonEmpty(" · ", rv.Nick, fmtFull(rv.At), fmt.Sprintf(lang.L("Order %s"), rv.OrderID))),
	}
	if r.env.writer.IsPending(shop.TypeReview, rv.ID) {
		p := widget.NewLabel(lang.L("Pending: not on the server yet"))
		p.Importance = widget.WarningImportance
		objs = append(objs, p)
	}
	if d.product != nil {
		objs = append(objs, newTruncLabel(d.product.Name))
	}
	objs = append(objs, widget.NewSeparator(), newWrapLabel(rv.Text))
	if rv.Untouched(now, r.remindAfter()) {
		warn := widget.NewLabel(fmt.Sprintf(lang.L("Untouched for %s"), fmtWait(now.Sub(rv.At))))
		warn.Importance = widget.DangerImportance
		objs = append(objs, warn)
	}
	objs = append(objs, r.work.jumps(d.hasChat))
	if r.env.teamWork != nil {
		objs = append(objs, container.NewHBox(r.env.teamWork.callButton(callAbout{CustomerID: rv.CustomerID, ReviewID: rv.ID, Who: rv.Nick, Purpose: shop.CallReviewFixup, Result: shop.CallReached})))
	}
	objs = append(objs, r.orderFacts(rv, d.order, d.orderErr)...)

	objs = append(objs, widget.NewSeparator(), newHeading(lang.L("Follow-up")))
	objs = append(objs, r.work.moves(rv)...)
	if rv.Contacts > 0 {
		objs = append(objs, widget.NewLabel(pluralf(rv.Contacts, "Buyer contacted %d times", rv.Contacts)))
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

	// Against a malicious review the evidence is the work: the locker comes first.
	malicious := rv.State == shop.ReviewMalicious
	if malicious {
		objs = append(objs, widget.NewSeparator())
		objs = append(objs, r.lockerObjects(d.evidence, d.evidenceErr)...)
	}

	objs = append(objs, widget.NewSeparator(), newHeading(lang.L("Shop's reply")))
	if rv.Answered() {
		objs = append(objs, newWrapLabel(rv.Reply), newCaption(joinNonEmpty(" · ", staffLabel(rv.ReplyBy), fmtFull(rv.ReplyAt))))
	} else {
		objs = append(objs, newCaption(lang.L("Not answered yet")))
	}
	objs = append(objs, r.work.replyEditor())

	objs = append(objs, widget.NewSeparator(), newHeading(lang.L("Our review of the buyer")))
	if rv.BuyerStars > 0 {
		objs = append(objs, widget.NewLabel(joinNonEmpty("  ", stars(rv.BuyerStars), rv.BuyerText)))
	}
	objs = append(objs, r.work.buyerEditor(d.order, d.orderErr))

	if !malicious {
		objs = append(objs, widget.NewSeparator())
		objs = append(objs, r.lockerObjects(d.evidence, d.evidenceErr)...)
	}

	r.detail.Objects = objs
	r.detail.Refresh()
	r.empty.Hide()
	r.scroll.Show()
	if switching {
		r.scroll.ScrollToTop()
	}
}

// orderFacts are the review's order lines as the detail shows them: status, items, total (o,
// or err when it could not be read).
func (r *reviewSection) orderFacts(rv shop.Review, o shop.Order, err error) []fyne.CanvasObject {
	if err != nil {
		return []fyne.CanvasObject{newCaption(fmt.Sprintf(lang.L("Order %s is not on this desk"), rv.OrderID))}
	}
	var lines []string
	for _, it := range o.Items {
		lines = append(lines, fmt.Sprintf("%s %s ×%d  %s", it.Name, it.Variant, it.Qty, it.Price))
	}
	items := widget.NewLabel(strings.Join(lines, "\n"))
	items.Truncation = fyne.TextTruncateEllipsis
	return []fyne.CanvasObject{newCaption(joinNonEmpty(" · ", orderStateName(o), o.Total.String(), joinNonEmpty(" ", o.Courier, o.Tracking))), items}
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
	now := r.env.now()
	setLabel(row.stars, stars(rv.Stars), ratingImportance(rv.Stars))
	setLabel(row.nick, rv.Nick, widget.MediumImportance)
	stateImp := widget.MediumImportance
	stateText := reviewStateLabel(rv)
	switch {
	case rv.Untouched(now, r.remindAfter()):
		stateImp = widget.DangerImportance
		stateText = fmt.Sprintf(lang.L("Untouched for %s"), fmtWait(now.Sub(rv.At)))
	case awaitsFollowUp(rv):
		stateImp = widget.DangerImportance
	case !rv.Answered():
		stateText = joinNonEmpty(" · ", stateText, lang.L("Not answered yet"))
	}
	setLabel(row.state, stateText, stateImp)
	setCaption(row.text, oneLine(rv.Text))
	setCaption(row.when, fmtWhen(rv.At, now))
}
