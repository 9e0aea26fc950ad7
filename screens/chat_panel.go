package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// Sizes of the customer panel's lists.
const (
	panelOrders   = 5
	panelReviews  = 5
	panelProducts = 6
)

// customerPanel shows, beside the thread, everything about the customer of the open
// conversation, all from the local store: profile, the product they look at with its real
// stock, recent orders with flags and notes, open after-sales cases and their reviews.
type customerPanel struct {
	c       *chatSection
	product string // the product shown: the one the customer looks at, or one the staff looked up
	conv    string

	profile  *fyne.Container
	work     *fyne.Container // the team's strip: log a call, give a concession (concessions.go)
	prod     *fyne.Container
	find     *deskEntry
	found    *fyne.Container
	orders   *fyne.Container
	cases    *fyne.Container
	reviews  *fyne.Container
	detail   *fyne.Container
	empty    *widget.Label
	scroll   *container.Scroll
	box      fyne.CanvasObject
	lastCust shop.Customer

	// The panel's parts being read: a newer read of one drops the older one's result.
	profileLoad, productLoad, lookupLoad, ordersLoad, reviewsLoad latest
}

func newCustomerPanel(c *chatSection) *customerPanel {
	p := &customerPanel{c: c,
		profile: container.NewVBox(), work: container.NewVBox(), prod: container.NewVBox(), found: container.NewVBox(),
		orders: container.NewVBox(), cases: container.NewVBox(), reviews: container.NewVBox()}
	p.find = newDeskEntry(c.env)
	p.find.PlaceHolder = lang.L("Look up a product to send")
	p.find.OnChanged = func(string) { p.lookup() }
	p.empty = widget.NewLabelWithStyle(lang.L("The customer of the open conversation shows here."), fyne.TextAlignCenter, fyne.TextStyle{})
	p.empty.Wrapping = fyne.TextWrapWord
	p.detail = container.NewVBox(
		p.profile, p.work,
		widget.NewSeparator(), newHeading(lang.L("Product asked about")), p.prod, p.find, p.found,
		widget.NewSeparator(), newHeading(lang.L("Recent orders")), p.orders,
		widget.NewSeparator(), newHeading(lang.L("Open after-sales cases")), p.cases,
		widget.NewSeparator(), newHeading(lang.L("Their reviews")), p.reviews,
	)
	p.scroll = container.NewVScroll(p.detail)
	p.box = container.NewStack(container.NewVBox(layout.NewSpacer(), p.empty, layout.NewSpacer()), p.scroll) // full width: a centred wrapping label shrinks to one character a line
	p.scroll.Hide()
	return p
}

// show fills the panel for a conversation (nil empties it).
func (p *customerPanel) show(conv *shop.Conversation) {
	if conv == nil {
		p.conv, p.product = "", ""
		p.scroll.Hide()
		p.empty.Show()
		return
	}
	switching := conv.ID != p.conv
	if switching {
		p.conv, p.product = conv.ID, conv.ProductID
		p.find.SetText("")
		p.found.Objects = nil
		p.scroll.Offset = fyne.Position{}
	}
	if p.product == "" {
		p.product = conv.ProductID
	}
	p.empty.Hide()
	p.scroll.Show()
	p.fillProfile(conv.CustomerID, conv.Nick)
	if p.c.env.teamWork != nil {
		p.c.env.teamWork.fillPanel(p.work, *conv)
	}
	p.fillProduct()
	p.fillOrders(conv.CustomerID)
	if switching {
		// Reviews are found by the buyer's nick among all reviews: read them when the
		// conversation opens, not on every message.
		p.fillReviews(conv.CustomerID)
	}
	p.relayout()
}

// relayout lays the panel's parts out again after one of them changed, so that the parts
// below it move at once. (The window re-lays a box out on its next frame when a part's size
// changes, but misses it when nested parts of two boxes change in one frame: at 1280×720 the
// variants stayed drawn over the orders.) Twice: wrapped texts take their height at the width
// the first pass gives them. Only positions and sizes: the part that changed has refreshed
// itself, and the scroller (whose refresh redraws the whole panel) only when the panel's
// height changed, for its bar.
func (p *customerPanel) relayout() {
	before := p.detail.Size()
	for range 2 {
		// As the scroller sizes its content: its width, and at least its height.
		p.detail.Resize(p.detail.MinSize().Max(p.scroll.Size()))
		p.detail.Layout.Layout(p.detail.Objects, p.detail.Size())
	}
	if p.detail.Size() != before {
		p.scroll.Refresh()
	}
}

func (p *customerPanel) fillProfile(id, nick string) {
	latestRun(&p.profileLoad, p.c.env, func(ctx context.Context) (shop.Customer, error) { return p.c.data.Customer(ctx, id) },
		func(cu shop.Customer, err error) { p.drawProfile(cu, nick, err) })
}

// drawProfile shows the customer just read (or why they could not be).
func (p *customerPanel) drawProfile(cu shop.Customer, nick string, err error) {
	defer p.relayout()
	if err != nil {
		p.profile.Objects = []fyne.CanvasObject{newHeading(nick), newWrapLabel(fmt.Sprintf(lang.L("Could not read the customer: %v"), err))}
		p.profile.Refresh()
		return
	}
	p.lastCust = cu
	now := p.c.env.now()
	head := newHeading(joinNonEmpty(" · ", cu.Nick, cu.Name))
	lines := []fyne.CanvasObject{head}
	var facts []string
	if cu.VIP > 0 {
		facts = append(facts, fmt.Sprintf(lang.L("VIP %d · %d%% off"), cu.VIP, shop.VIPDiscount(cu.VIP)))
	}
	if cu.Phone != "" {
		facts = append(facts, lang.L("Phone")+" "+cu.Phone)
	}
	if cu.City != "" {
		facts = append(facts, cu.City)
	}
	if days, ok := cu.BirthdayIn(now); ok {
		b := lang.L("Birthday") + " " + cu.Birthday
		if days <= 30 {
			b += " (" + pluralf(days, "in %d days", days) + ")"
		}
		facts = append(facts, b)
	}
	if len(facts) > 0 {
		l := newWrapLabel(strings.Join(facts, " · "))
		if cu.VIP > 0 {
			l.Importance = widget.HighImportance
		}
		lines = append(lines, l)
	}
	var more []string
	if len(cu.Tags) > 0 {
		more = append(more, lang.L("Tags")+": "+strings.Join(cu.Tags, "、"))
	}
	if cu.Sizes != "" {
		more = append(more, lang.L("Sizes")+": "+cu.Sizes)
	}
	if len(more) > 0 {
		lines = append(lines, newCaption(strings.Join(more, " · ")))
	}
	if cu.Memo != "" {
		lines = append(lines, newWrapLabel(cu.Memo))
	}
	p.profile.Objects = lines
	p.profile.Refresh()
}

// fillProduct shows the product the customer looks at: variants with price and real stock.
func (p *customerPanel) fillProduct() {
	p.prod.Objects = nil
	if p.product == "" {
		p.prod.Objects = []fyne.CanvasObject{newCaption(lang.L("The customer is not looking at a product."))}
		p.relayout()
		return
	}
	id := p.product
	latestRun(&p.productLoad, p.c.env, func(ctx context.Context) (shop.Product, error) { return p.c.data.Product(ctx, id) },
		p.drawProduct)
}

// drawProduct shows the product just read (or why it could not be).
func (p *customerPanel) drawProduct(pr shop.Product, err error) {
	defer p.relayout()
	if err != nil {
		p.prod.Objects = []fyne.CanvasObject{newCaption(fmt.Sprintf(lang.L("Could not read the products: %v"), err))}
		p.prod.Refresh()
		return
	}
	send := widget.NewButtonWithIcon(lang.L("Send card"), theme.MailSendIcon(), func() { p.c.sendProductCard(pr, nil) })
	qr := widget.NewButtonWithIcon(lang.X("chat.qr", "QR"), theme.GridIcon(), func() { p.c.showQR(pr.ID) })
	// The name wraps (a long one is read whole) and the buttons sit below it with the theme's
	// padding, as in any other box of the panel; only the variant rows are packed tight.
	name := newWrapLabel(pr.Name)
	// The price and stock columns are as wide as their widest text in the window's language
	// (English stock figures are twice as long as Chinese ones); when the widest variant name
	// does not fit whole beside them, the figures go to a line below (variantRowLayout).
	rowsLayout := &variantRowLayout{}
	rows := make([]fyne.CanvasObject, 0, len(pr.Variants))
	for _, v := range pr.Variants {
		avail := v.Available()
		stock := fmt.Sprintf(lang.L("%d available · %d listed"), avail, v.Listed)
		label := newStyled(v.Label(), theme.SizeNameText, theme.ColorNameForeground)
		price := newStyled(v.Price.String(), theme.SizeNameText, theme.ColorNameForeground)
		price.Truncation = fyne.TextTruncateOff
		figures := alignStyled(newStyled(stock, theme.SizeNameText, chatStockColor(avail, v.Listed)), fyne.TextAlignTrailing)
		rowsLayout.name = max(rowsLayout.name, styledWidth(label))
		rowsLayout.price = max(rowsLayout.price, price.MinSize().Width)
		rowsLayout.figures = max(rowsLayout.figures, figures.MinSize().Width)
		rows = append(rows, container.New(rowsLayout, label, price, figures))
	}
	p.prod.Objects = []fyne.CanvasObject{name, container.NewHBox(send, qr),
		container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), rows...)}
	p.prod.Refresh()
}

// styledWidth is the width a newStyled text needs to be read whole, with its padding.
func styledWidth(rt *widget.RichText) float32 {
	seg := styledSeg(rt)
	return fyne.MeasureText(seg.Text, theme.Size(seg.Style.SizeName), seg.Style.TextStyle).Width + 2*theme.InnerPadding()
}

// variantRowLayout lays out one variant row of the product panel: name, price and stock
// figures. All rows share one layout, which knows the widest text of each column, so that the
// rows line up and all take one line or all take two. On one line the name takes the width
// the price and figures leave; when the widest name would be cut there (the divider dragged
// to a narrow panel, in English), the figures go to a second line, under the price, and the
// name keeps what the price leaves. The texts' own inner padding keeps them apart (twice the
// inner padding between two columns), as in the rows of Fyne's lists. The row's height
// follows the choice of its last layout, as Fyne's own wrapping layouts do.
type variantRowLayout struct {
	name, price, figures float32 // the widest text of each column, padding included
	twoLines             bool    // the last layout put the figures on a line of their own
}

// oneLine reports whether the widest name, price and figures fit whole side by side in width.
func (l *variantRowLayout) oneLine(width float32) bool {
	return l.name+l.price+l.figures <= width+0.5
}

// lineHeight is the height of one line of the row's texts.
func (l *variantRowLayout) lineHeight(objs []fyne.CanvasObject) float32 {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return h
}

// variantSecondLine is where a variant row's second line starts, for lines of height h: right
// under the first one's text, as lines of a paragraph are.
func variantSecondLine(h float32) float32 { return h - 2*theme.InnerPadding() + theme.LineSpacing() }

// Layout puts the row's texts on one line, or on two when the widest name would be cut.
func (l *variantRowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) != 3 {
		return
	}
	name, price, figures := objs[0], objs[1], objs[2]
	h := l.lineHeight(objs)
	l.twoLines = !l.oneLine(size.Width)
	if !l.twoLines {
		nameW := max(size.Width-l.price-l.figures, 0)
		name.Move(fyne.NewPos(0, 0))
		name.Resize(fyne.NewSize(nameW, h))
		price.Move(fyne.NewPos(nameW, 0))
		price.Resize(fyne.NewSize(l.price, h))
		figures.Move(fyne.NewPos(size.Width-l.figures, 0))
		figures.Resize(fyne.NewSize(l.figures, h))
		return
	}
	nameW := max(size.Width-l.price, 0)
	name.Move(fyne.NewPos(0, 0))
	name.Resize(fyne.NewSize(nameW, h))
	price.Move(fyne.NewPos(size.Width-l.price, 0))
	price.Resize(fyne.NewSize(l.price, h))
	fw := min(l.figures, size.Width)
	figures.Move(fyne.NewPos(size.Width-fw, variantSecondLine(h)))
	figures.Resize(fyne.NewSize(fw, h))
}

// MinSize is one line as wide as the price, the figures and a cut name need, or, once a
// layout put the figures below, two lines with the rows' usual gap after them.
func (l *variantRowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if len(objs) != 3 {
		return fyne.Size{}
	}
	h := l.lineHeight(objs)
	nameMin := objs[0].MinSize().Width
	if !l.twoLines {
		return fyne.NewSize(nameMin+l.price+l.figures, h)
	}
	// The rows are packed tight (by the inner padding): a row of two lines keeps that much
	// more below it, so that its second line is not read as the next row's first.
	return fyne.NewSize(max(nameMin+l.price, l.figures), variantSecondLine(h)+h+theme.InnerPadding())
}

// chatStockColor is red for a variant that cannot be promised, yellow when the shop page
// promises more than is on the shelf.
func chatStockColor(avail, listed int) fyne.ThemeColorName {
	switch {
	case avail == 0:
		return theme.ColorNameError
	case listed > avail:
		return theme.ColorNameWarning
	}
	return theme.ColorNameForeground
}

// lookup searches products by name, SKU or barcode to show one in the panel.
func (p *customerPanel) lookup() {
	q := strings.TrimSpace(p.find.Text)
	if q == "" {
		p.lookupLoad.gen++ // a search still under way is not shown
		p.found.Objects = nil
		p.relayout()
		return
	}
	latestRun(&p.lookupLoad, p.c.env, func(ctx context.Context) ([]shop.Product, error) {
		return p.c.data.SearchProducts(ctx, q, panelProducts)
	}, p.drawFound)
}

// drawFound lists the products a lookup found (none when it failed).
func (p *customerPanel) drawFound(prods []shop.Product, _ error) {
	defer p.relayout()
	p.found.Objects = nil
	for _, pr := range prods {
		id := pr.ID
		p.found.Objects = append(p.found.Objects, newChatTapRow(pr.Name, false, func() {
			p.product = id
			p.find.SetText("")
			p.fillProduct()
		}))
	}
	p.found.Refresh()
}

// fillOrders lists the customer's recent orders with flag, latest note and open cases.
func (p *customerPanel) fillOrders(customerID string) {
	latestRun(&p.ordersLoad, p.c.env, func(ctx context.Context) (panelOrderList, error) {
		var l panelOrderList
		var err error
		if l.orders, err = p.c.data.OrdersOf(ctx, customerID, panelOrders); err != nil {
			return l, err
		}
		l.cases = make(map[string][]shop.AfterSalesCase, len(l.orders))
		l.notes = make(map[string][]shop.OrderNote, len(l.orders))
		for _, o := range l.orders {
			if cs, err := p.c.data.CasesOf(ctx, o.ID); err == nil {
				l.cases[o.ID] = cs
			}
			if ns, err := p.c.data.Notes(ctx, o.ID); err == nil {
				l.notes[o.ID] = ns
			}
		}
		return l, nil
	}, p.drawOrders)
}

// panelOrderList is what the panel shows of the customer's orders, read together.
type panelOrderList struct {
	orders []shop.Order
	cases  map[string][]shop.AfterSalesCase // by order id
	notes  map[string][]shop.OrderNote      // by order id
}

// drawOrders lists the orders just read (or why they could not be) with their open cases.
func (p *customerPanel) drawOrders(l panelOrderList, err error) {
	defer p.relayout()
	p.orders.Objects, p.cases.Objects = nil, nil
	orders := l.orders
	if err != nil {
		p.orders.Objects = []fyne.CanvasObject{newCaption(fmt.Sprintf(lang.L("Could not read the orders: %v"), err))}
	}
	if err == nil && len(orders) == 0 {
		p.orders.Objects = []fyne.CanvasObject{newCaption(lang.L("No orders yet"))}
	}
	now := p.c.env.now()
	for _, o := range orders {
		p.orders.Objects = append(p.orders.Objects, p.orderRow(o, l.notes[o.ID]))
		for _, cs := range l.cases[o.ID] {
			if cs.Finished() {
				continue
			}
			text := fmt.Sprintf("%s · %s · %s", caseKindName(cs.Kind), caseStateName(cs.State), o.ID)
			l := newWrapLabel(joinNonEmpty("\n", text, cs.Summary))
			if cs.NeedsAttention(now) {
				l.Importance = widget.DangerImportance
			}
			p.cases.Objects = append(p.cases.Objects, l)
		}
	}
	if len(p.cases.Objects) == 0 {
		p.cases.Objects = []fyne.CanvasObject{newCaption(lang.X("chat.none_open", "None open"))}
	}
	p.orders.Refresh()
	p.cases.Refresh()
}

func (p *customerPanel) orderRow(o shop.Order, notes []shop.OrderNote) fyne.CanvasObject {
	status := widget.NewLabel(orderStateName(o))
	status.Importance = orderStateImportance(o)
	// The order number and the buttons take the first line, the state starts the second: with
	// the state beside the number the row alone made the panel 330 px wide at a 1280 px window,
	// taking the width from the thread.
	head := container.NewHBox(container.NewCenter(newSwatch(flagColor(o.Flag), theme.TextSize())), widget.NewLabel(o.ID))
	card := widget.NewButtonWithIcon("", theme.MailSendIcon(), func() { p.c.sendOrderCard(o, nil) })
	note := widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), func() { p.c.showAddNote(o.ID) })
	items := make([]string, 0, len(o.Items))
	for _, it := range o.Items {
		items = append(items, joinNonEmpty(" ", it.Name, it.Variant)+fmt.Sprintf(" ×%d", it.Qty))
	}
	lines := []fyne.CanvasObject{
		container.NewBorder(nil, nil, nil, container.NewHBox(note, card), head),
		container.NewBorder(nil, nil, status, nil, container.NewVBox(layout.NewSpacer(), // the caption's text level with the state's
			newCaption(joinNonEmpty(" · ", o.Total.String(), fmtWhen(o.CreatedAt, p.c.env.now()))), layout.NewSpacer())),
	}
	// What was bought wraps: at a 1280 px window a caption of total, time and items ended
	// in … before the variant, which is what the customer asks about.
	if len(items) > 0 {
		lines = append(lines, newWrapLabel(strings.Join(items, "，")))
	}
	if o.Tracking != "" {
		lines = append(lines, newCaption(joinNonEmpty(" ", o.Courier, o.Tracking)))
	}
	if msg := buyerMessage(o); msg != "" {
		lines = append(lines, newWrapLabel(msg))
	}
	if len(notes) > 0 {
		n := chatLatestNote(notes)
		text := joinNonEmpty(" · ", systemNoteText(n.Text), noteAuthor(n), fmtWhen(n.At, p.c.env.now()))
		if p.c.env.writer.IsPending(shop.TypeNote, n.ID) {
			text += " · " + lang.L("Pending")
		}
		lines = append(lines, newWrapLabel(text))
	}
	return container.NewVBox(lines...)
}

// chatLatestNote is the newest of an order's notes.
func chatLatestNote(notes []shop.OrderNote) shop.OrderNote {
	n := notes[0]
	for _, x := range notes[1:] {
		if x.At.After(n.At) || (x.At.Equal(n.At) && x.ID > n.ID) {
			n = x
		}
	}
	return n
}

// fillReviews lists the customer's reviews with their follow-up state.
func (p *customerPanel) fillReviews(customerID string) {
	latestRun(&p.reviewsLoad, p.c.env, func(ctx context.Context) ([]shop.Review, error) {
		return p.c.data.ReviewsOf(ctx, customerID, panelReviews)
	}, p.drawReviews)
}

// drawReviews lists the reviews just read.
func (p *customerPanel) drawReviews(rs []shop.Review, err error) {
	defer p.relayout()
	p.reviews.Objects = nil
	if err == nil {
		for _, r := range rs {
			text := fmt.Sprintf("%s %s · %s", stars(r.Stars), reviewStateName(r.State), fmtWhen(r.At, p.c.env.now()))
			l := newWrapLabel(joinNonEmpty("\n", text, r.Text))
			if r.Rating() == shop.RatingBad && r.State == shop.ReviewNew {
				l.Importance = widget.DangerImportance
			}
			p.reviews.Objects = append(p.reviews.Objects, l)
			if len(p.reviews.Objects) >= panelReviews {
				break
			}
		}
	}
	if len(p.reviews.Objects) == 0 {
		p.reviews.Objects = []fyne.CanvasObject{newCaption(lang.X("chat.no_reviews", "No reviews"))}
	}
	p.reviews.Refresh()
}

// showAddNote asks for a note on an order, with its flag, and records it.
func (c *chatSection) showAddNote(orderID string) {
	if c.env.win == nil {
		return
	}
	background(c.env, func(ctx context.Context) (shop.Order, error) {
		o, _, err := getEntity[shop.Order](ctx, c.env.writer, shop.TypeOrder, orderID)
		return o, err
	}, func(o shop.Order, _ error) { c.askNote(orderID, o) })
}

// askNote is showAddNote's form, with the order just read (its flag is the one offered).
func (c *chatSection) askNote(orderID string, o shop.Order) {
	names := make([]string, len(shop.Flags))
	for i, f := range shop.Flags {
		names[i] = flagName(f)
	}
	flag := widget.NewSelect(names, nil)
	flag.SetSelectedIndex(int(o.Flag))
	text := newDeskMultiLineEntry(c.env)
	text.SetMinRowsVisible(3)
	text.Wrapping = fyne.TextWrapWord
	dialog.ShowForm(fmt.Sprintf(lang.L("Order %s"), orderID), lang.L("Add note"), lang.X("chat.cancel", "Cancel"),
		[]*widget.FormItem{widget.NewFormItem(lang.X("chat.flag", "Flag"), flag), widget.NewFormItem(lang.L("Notes"), text)},
		func(ok bool) {
			if ok {
				c.addNote(orderID, shop.Flags[max(flag.SelectedIndex(), 0)], text.Text, nil)
				c.focusComposer() // back to the reply: the note is not where the chat goes on
			}
		}, c.env.win)
	c.env.focus(text)
}

// addNote records a note on an order from the chat.
func (c *chatSection) addNote(orderID string, flag shop.Flag, text string, done func(error)) {
	text = strings.TrimSpace(text)
	if text == "" {
		if done != nil {
			done(nil)
		}
		return
	}
	c.env.applyOn(shop.TypeOrder, shop.KindOrderNote, orderID, shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: flag, Text: text}, func(err error) {
		if err == nil && c.open != nil {
			c.panel.show(c.open)
		}
		if done != nil {
			done(err)
		}
	})
}

// sendProductCard sends a product card into the open conversation.
func (c *chatSection) sendProductCard(p shop.Product, done func(error)) {
	c.sendMessage("", chatProductCard(p, c.chatLink(p.ID)), done)
}

// sendOrderCard sends an order card into the open conversation.
func (c *chatSection) sendOrderCard(o shop.Order, done func(error)) {
	c.sendMessage("", chatOrderCard(o), done)
}

// chatProductCard is a product's card: price range and what is in stock.
func chatProductCard(p shop.Product, url string) *shop.Card {
	var lo, hi shop.Cents
	var sizes []string
	avail := 0
	for i, v := range p.Variants {
		if i == 0 || v.Price < lo {
			lo = v.Price
		}
		if v.Price > hi {
			hi = v.Price
		}
		if v.Available() > 0 {
			sizes = append(sizes, v.Label())
			avail += v.Available()
		}
	}
	price := lo.String()
	if hi != lo {
		price += "–" + hi.String()
	}
	lines := []string{price}
	if len(sizes) > 0 {
		lines = append(lines, fmt.Sprintf(lang.L("In stock: %s"), strings.Join(sizes, "、")))
	} else {
		lines = append(lines, lang.X("chat.sold_out", "Sold out"))
	}
	return &shop.Card{Kind: "product", ID: p.ID, Title: p.Name, Lines: lines, URL: url}
}

// chatOrderCard is an order's card: items, total, status and tracking.
func chatOrderCard(o shop.Order) *shop.Card {
	var lines []string
	for _, it := range o.Items {
		lines = append(lines, joinNonEmpty(" ", it.Name, it.Variant)+fmt.Sprintf(" ×%d", it.Qty))
	}
	lines = append(lines, joinNonEmpty(" · ", o.Total.String(), orderStateName(o)))
	if o.Tracking != "" {
		lines = append(lines, joinNonEmpty(" ", o.Courier, o.Tracking))
	}
	return &shop.Card{Kind: "order", ID: o.ID, Title: fmt.Sprintf(lang.L("Order %s"), o.ID), Lines: lines}
}
