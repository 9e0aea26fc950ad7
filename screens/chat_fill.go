package screens

import (
	"context"
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// fillOrderLimit is how many of the customer's orders (newest first) a quick phrase may name.
const fillOrderLimit = 20

// phraseFill is what a quick phrase is filled with in a conversation, read in the background:
// the values that do not depend on the order, and the customer's orders to choose from.
type phraseFill struct {
	values map[string]string
	orders []shop.Order // newest first; the conversation's own order included
}

// readFill reads what the phrases are filled with for conv: the shop's courier, the customer's
// name (their nick when none is known) and their latest orders. It runs off Fyne's goroutine.
func (c *chatSection) readFill(ctx context.Context, conv shop.Conversation, staffName string) (phraseFill, error) {
	f := phraseFill{values: map[string]string{"staff": staffName, "nick": conv.Nick, "name": conv.Nick}}
	if s, err := c.data.Shop(ctx); err == nil {
		f.values["courier"] = s.Courier
	}
	if cu, err := c.data.Customer(ctx, conv.CustomerID); err == nil && cu.Name != "" {
		f.values["name"] = cu.Name
	}
	orders, err := c.data.OrdersOf(ctx, conv.CustomerID, fillOrderLimit)
	if err != nil {
		return f, err
	}
	f.orders = orders
	if id := conv.OrderID; id != "" && !hasOrder(orders, id) {
		if o, _, err := getEntity[shop.Order](ctx, c.env.writer, shop.TypeOrder, id); err == nil {
			f.orders = append(f.orders, o)
		}
	}
	return f, nil
}

func hasOrder(orders []shop.Order, id string) bool {
	for _, o := range orders {
		if o.ID == id {
			return true
		}
	}
	return false
}

// withOrder is values with the order's: its number, courier (else the shop's) and tracking.
func withOrder(values map[string]string, o *shop.Order) map[string]string {
	v := make(map[string]string, len(values)+2)
	for k, x := range values {
		v[k] = x
	}
	if o != nil {
		v["order"] = o.ID
		if o.Courier != "" {
			v["courier"] = o.Courier
		}
		v["tracking"] = o.Tracking
	}
	return v
}

// fillPhrase puts phrase p in place of the "/word" that starts at position at of the
// composer's text before (the text when the phrase was picked), its placeholders filled for
// the open conversation. {order} stands for the order the phrase is about (shop.TopicOf: an
// unpaid one for a payment reminder); when several fit, the staff member is asked which. A
// placeholder nothing fills stays in the text, named under the composer, and blocks sending.
func (c *chatSection) fillPhrase(p shop.QuickPhrase, before string, at int) {
	if c.open == nil {
		return
	}
	conv := *c.open
	staffName := c.env.staff.Name
	if staffName == "" {
		staffName = staffLabel(c.env.staff.Number)
	}
	s := c.suggest
	s.filling = true
	background(c.env, func(ctx context.Context) (phraseFill, error) { return c.readFill(ctx, conv, staffName) },
		func(f phraseFill, _ error) { // a failed read fills what it could: the rest is named
			s.filling = false
			if c.open == nil || c.open.ID != conv.ID {
				return
			}
			topic := shop.TopicOf(p.Text)
			if !shop.NamesOrder(p.Text) {
				topic = shop.TopicGeneral // only {courier} may come from an order: the discussed or latest
			}
			fits := shop.OrdersFor(topic, f.orders, conv.OrderID)
			insert := func(o *shop.Order) {
				c.insertPhrase(conv.ID, before, at, shop.Fill(p.Text, withOrder(f.values, o)), whyUnfilled(topic, o))
			}
			switch {
			case len(fits) > 1 && shop.NamesOrder(p.Text):
				c.chooseOrder(fits, func(o shop.Order) { insert(&o) })
			case len(fits) == 1:
				insert(&fits[0])
			default:
				insert(nil)
			}
		})
}

// whyUnfilled says, per placeholder, why the order left it empty: no order fits the phrase, or
// the order has no tracking number yet.
func whyUnfilled(topic shop.PhraseTopic, o *shop.Order) map[string]string {
	why := map[string]string{}
	switch {
	case o != nil && o.Tracking == "":
		why["{tracking}"] = lang.L("(the order has no tracking number yet)")
	case o == nil && topic == shop.TopicPayment:
		why["{order}"] = lang.L("(this customer has no unpaid order)")
	case o == nil && topic == shop.TopicShipment:
		why["{order}"] = lang.L("(this customer has no shipped order)")
		why["{tracking}"] = why["{order}"]
	case o == nil:
		why["{order}"] = lang.L("(this customer has no order)")
		why["{tracking}"] = why["{order}"]
	}
	return why
}

// insertPhrase replaces the "/word" at position at of before with filled, keeping what was typed
// after it meanwhile, and puts the cursor after the phrase. It does nothing when another
// conversation was opened meanwhile.
func (c *chatSection) insertPhrase(convID, before string, at int, filled string, why map[string]string) {
	if c.open == nil || c.open.ID != convID {
		return
	}
	comp, s := c.composer, c.suggest
	at = min(at, len(before))
	head := before[:at] + filled
	cur := comp.Text
	text := cur + filled
	switch {
	case strings.HasPrefix(cur, before):
		text = head + cur[len(before):]
	case strings.HasPrefix(cur, before[:at]):
		text = head
	}
	s.why = why
	comp.SetText(text)
	comp.CursorRow = strings.Count(head, "\n")
	if i := strings.LastIndex(head, "\n"); i >= 0 {
		comp.CursorColumn = len([]rune(head[i+1:]))
	} else {
		comp.CursorColumn = len([]rune(head))
	}
	comp.Refresh()
	s.loading.gen++ // SetText ran OnChanged; the phrase holds no "/word" to offer again
	s.hide()
	if c.env.win != nil && c.env.win.Canvas().Focused() != fyne.Focusable(comp) {
		c.env.win.Canvas().Focus(comp) // back from the order chooser
	}
}

// checkUnfilled names, under the composer, the placeholders its text still holds, and turns
// Send off while there are any. The composer calls it as the text changes.
func (c *chatSection) checkUnfilled() {
	s := c.suggest
	left := shop.Unfilled(c.composer.Text)
	if len(left) == 0 {
		s.why = nil
		s.warn.Hide()
		if c.send != nil && c.send.Disabled() {
			c.send.Enable()
		}
		return
	}
	parts := make([]string, len(left))
	for i, ph := range left {
		parts[i] = ph + s.why[ph]
	}
	setCaption(s.warn, fmt.Sprintf(lang.L("Not filled in yet: %s. Fill it in or delete it before sending."), strings.Join(parts, " ")))
	s.warn.Show()
	if c.send != nil && !c.send.Disabled() {
		c.send.Disable()
	}
}

// sendBlocked reports whether text must not be sent yet: a quick phrase is still being filled
// or waits for its order to be chosen, or a placeholder in it has no value (the line under the
// composer says which).
func (c *chatSection) sendBlocked(text string) bool {
	if c.suggest.filling || c.suggest.chooser != nil {
		return true
	}
	if shop.HasUnfilled(text) {
		c.checkUnfilled()
		return true
	}
	return false
}

// newUnfilledLine is the line under the composer that names the unfilled placeholders, in the
// theme's error colour, hidden while there are none.
func newUnfilledLine() *widget.RichText {
	rt := newStyled("", theme.SizeNameText, theme.ColorNameError)
	rt.Truncation = fyne.TextTruncateOff
	rt.Wrapping = fyne.TextWrapWord
	rt.Hide()
	return rt
}

// orderChooser is the small dialog that asks which of the customer's orders a quick phrase is
// about, when several fit (two unpaid orders for a payment reminder).
type orderChooser struct {
	orders []shop.Order
	list   *choiceList
	dlg    dialog.Dialog
}

// chooseOrder asks which of orders the phrase is about; pick runs with the one chosen.
// Cancelling leaves the composer as it was.
func (c *chatSection) chooseOrder(orders []shop.Order, pick func(shop.Order)) {
	ch := &orderChooser{orders: orders}
	ch.list = newChoiceList(len(orders), func(i int) string { return orderChoiceText(orders[i]) })
	c.suggest.chooser = ch
	ch.list.OnSelected = func(i widget.ListItemID) {
		if c.suggest.chooser != ch || i < 0 || i >= len(orders) {
			return
		}
		c.suggest.chooser = nil
		if ch.dlg != nil {
			ch.dlg.Hide()
		}
		pick(orders[i])
	}
	if c.env.win == nil {
		return
	}
	hint := newCaption(lang.L("↑↓ choose, Enter uses, Esc cancels"))
	// A list is as tall as one row by itself: room for up to six orders, scrolling beyond.
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(520, float32(min(len(orders), 6))*(newTruncLabel("").MinSize().Height+theme.SeparatorThicknessSize()+theme.Padding())))
	body := container.NewBorder(hint, nil, nil, nil, container.NewStack(room, ch.list))
	d := dialog.NewCustom(lang.L("Which order is the phrase about?"), lang.X("chat.cancel", "Cancel"), body, c.env.win)
	d.SetOnClosed(func() {
		if c.suggest.chooser == ch {
			c.suggest.chooser = nil
		}
		c.env.win.Canvas().Focus(c.composer)
	})
	ch.dlg = d
	ch.list.onEscape = d.Hide
	d.Show()
	c.env.win.Canvas().Focus(ch.list)
}

// orderChoiceText is one order as the chooser lists it: number, status, total, when, first item.
func orderChoiceText(o shop.Order) string {
	item := ""
	if len(o.Items) > 0 {
		item = o.Items[0].Name
		if len(o.Items) > 1 {
			item = fmt.Sprintf(lang.L("%s, %d items in all"), item, len(o.Items))
		}
	}
	return joinNonEmpty(" · ", o.ID, statusName(o.Status), o.Total.String(), fmtFull(o.CreatedAt), item)
}

// choiceList is a list whose rows are chosen with the keyboard too: ↑↓ move, Enter or Space
// chooses, Escape runs onEscape.
type choiceList struct {
	widget.List
	onEscape func()
}

func newChoiceList(n int, text func(int) string) *choiceList {
	l := &choiceList{}
	l.Length = func() int { return n }
	l.CreateItem = func() fyne.CanvasObject { return newTruncLabel("") }
	l.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(text(i)) }
	l.ExtendBaseWidget(l)
	return l
}

// TypedKey chooses the focused row on Enter, as on Space, and cancels on Escape.
func (l *choiceList) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && l.onEscape != nil {
		l.onEscape()
		return
	}
	if k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter {
		k = &fyne.KeyEvent{Name: fyne.KeySpace}
	}
	l.List.TypedKey(k)
}
