package screens

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// errNoChat is returned by stockSection.sendCard when no conversation is open in the chat.
var errNoChat = errors.New("screens: no conversation is open in the chat")

// errNoLink is returned by stockSection.sendLink for a product without a link.
var errNoLink = errors.New("screens: the product has no link")

// stockConflict is returned by stockSection.recordCount when the warehouse figure changed
// since the staff member read it: the count was not recorded.
type stockConflict struct {
	SKU        string
	Saw, Now   int
	By         string
	At         time.Time
	Reason     string // the rules' own words
	Underlying error
}

func (c *stockConflict) Error() string {
	return fmt.Sprintf("screens: SKU %s: the warehouse figure is %d now, not %d", c.SKU, c.Now, c.Saw)
}

func (c *stockConflict) Unwrap() error { return c.Underlying }

// stockFreshness says how fresh the stock figures are, from the sync state: "synced 3 min
// ago", "offline, last synced 2 h ago". warn is set when the figures should not be trusted
// blindly (offline or signed out, or never synced).
func stockFreshness(v SyncView, now time.Time) (text string, warn bool) {
	ago := func(t time.Time) string {
		d := now.Sub(t)
		switch {
		case d < time.Minute:
			return lang.L("moments ago")
		case d < time.Hour:
			return fmt.Sprintf(lang.L("%d min ago"), int(d/time.Minute))
		case d < 48*time.Hour:
			return fmt.Sprintf(lang.L("%d h ago"), int(d/time.Hour))
		}
		return pluralf(int(d/(24*time.Hour)), "%d days ago", int(d/(24*time.Hour)))
	}
	switch {
	case v.LastSync.IsZero() && (v.State == SyncOnline || v.State == SyncSyncing):
		return lang.L("Stock figures are being synced"), false
	case v.LastSync.IsZero():
		return lang.L("Stock figures not synced yet: they may be stale"), true
	case v.State == SyncOnline || v.State == SyncSyncing:
		return fmt.Sprintf(lang.L("Stock synced %s"), ago(v.LastSync)), false
	}
	return fmt.Sprintf(lang.L("Offline: stock last synced %s"), ago(v.LastSync)), true
}

// askCount asks for a shelf count of a variant and a reason, and records it as a
// compare-and-set against the warehouse figure shown.
func (s *stockSection) askCount(p shop.Product, v shop.Variant) {
	count := newDeskEntry(s.env)
	count.SetText(strconv.Itoa(v.Warehouse))
	reason := newDeskSelectEntry(s.env, []string{lang.L("Shelf count"), lang.L("Damaged goods"), lang.L("Goods received"), lang.L("Return restocked")})
	reason.SetText(lang.L("Shelf count"))
	items := []*widget.FormItem{
		{Text: lang.L("Variant counted"), Widget: widget.NewLabel(joinNonEmpty(" · ", v.Label(), v.SKU))},
		{Text: lang.L("Warehouse shows"), Widget: widget.NewLabel(strconv.Itoa(v.Warehouse))},
		{Text: lang.L("Counted on the shelf"), Widget: count},
		{Text: lang.L("Reason for the count"), Widget: reason},
	}
	if s.env.win == nil {
		return
	}
	dialog.ShowForm(lang.L("Record a shelf count"), lang.L("Record it"), lang.L("Do not record"), items, func(ok bool) {
		if !ok {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(count.Text))
		if err != nil || n < 0 {
			dialog.ShowInformation(lang.L("Not saved"), lang.L("The count must be a whole number, 0 or more."), s.env.win)
			return
		}
		s.recordCount(p.ID, v.SKU, v.Warehouse, n, reason.Text, nil)
		focusSearch(s.env, s.search) // the next SKU to scan or look up
	}, s.env.win)
	focusField(s.env, count)
}

// recordCount records a shelf count: stock.set of the variant's warehouse figure to counted,
// if it still is saw (the figure the staff member read). A conflict (the figure changed
// meanwhile) is shown with both figures and given to done (if set) as a *stockConflict.
func (s *stockSection) recordCount(productID, sku string, saw, counted int, reason string, done func(error)) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		reason = lang.L("Shelf count")
	}
	a := desk.Action{Kind: shop.KindStockSet, Entity: productID,
		Data: shop.StockSet{SKU: sku, Expected: saw, Warehouse: counted, Reason: reason}}
	s.env.recordAs(a, false, func(out shop.Outcome, err error) {
		if c := out.Conflict; c != nil {
			sc := &stockConflict{SKU: sku, Saw: saw, Now: -1, By: c.By, At: c.At, Reason: c.Reason, Underlying: errConflict}
			for _, r := range c.Current {
				var cur shop.Product
				if r.Type == shop.TypeProduct && r.Decode(&cur) == nil {
					if v, ok := cur.Variant(sku); ok {
						sc.Now = v.Warehouse
					}
				}
			}
			s.showCountConflict(sc, counted)
			err = sc
		}
		if err == nil || out.Conflict != nil {
			s.load(false)
		}
		if done != nil {
			done(err)
		}
	})
}

// showCountConflict shows both warehouse figures: the one the count was made against and the
// one there is now.
func (s *stockSection) showCountConflict(c *stockConflict, counted int) {
	msg := c.Reason
	if c.Now >= 0 {
		msg = fmt.Sprintf(lang.L("The warehouse figure of %s changed while you counted: you saw %d, it is %d now. Your count of %d was not recorded; check the shelf again."),
			c.SKU, c.Saw, c.Now, counted)
	}
	if c.By != "" {
		msg += "\n" + fmt.Sprintf(lang.L("Changed by staff %s at %s"), c.By, fmtWhen(c.At, s.env.now()))
	}
	if s.env.win != nil {
		dialog.ShowInformation(lang.L("The warehouse figure changed"), msg, s.env.win)
	}
}

// askThreshold asks for a product's low-stock threshold.
func (s *stockSection) askThreshold(p shop.Product) {
	if s.env.win == nil {
		return
	}
	n := newDeskEntry(s.env)
	n.SetText(strconv.Itoa(p.LowStock))
	items := []*widget.FormItem{{Text: lang.L("Warn at or under"), Widget: n,
		HintText: lang.L("Total available stock of all variants; 0 turns the warning off")}}
	dialog.ShowForm(fmt.Sprintf(lang.L("Low-stock threshold of %s"), p.Name), lang.L("Record it"), lang.L("Do not record"), items, func(ok bool) {
		if !ok {
			return
		}
		v, err := strconv.Atoi(strings.TrimSpace(n.Text))
		if err != nil || v < 0 {
			dialog.ShowInformation(lang.L("Not saved"), lang.L("The threshold must be a whole number, 0 or more."), s.env.win)
			return
		}
		s.setThreshold(p.ID, v, nil) // a refusal is shown
	}, s.env.win)
}

// setThreshold records a product's low-stock threshold (stock.threshold); done (if set) gets
// how it went.
func (s *stockSection) setThreshold(productID string, low int, done func(error)) {
	s.env.apply(shop.KindStockLow, productID, 0, shop.StockThreshold{LowStock: low}, func(err error) {
		if err == nil {
			s.load(false)
		}
		if done != nil {
			done(err)
		}
	})
}

// stockCard is the chat card of a product's variant: name, variant, price, available stock
// and the product page's link.
func stockCard(p shop.Product, v shop.Variant) *shop.Card {
	return &shop.Card{Kind: "product", ID: p.ID, Title: p.Name, URL: p.URL, Lines: []string{
		joinNonEmpty(" · ", v.Label(), v.SKU),
		v.Price.String(),
		fmt.Sprintf(lang.L("%d in stock"), v.Available()),
	}}
}

// sendCard sends a product card of a variant into the conversation open in the chat section.
func (s *stockSection) sendCard(p shop.Product, v shop.Variant) error {
	return s.sendToChat(p, v, "", stockCard(p, v))
}

// sendLink sends the product's link as text into the open conversation: the shop page, or the
// shop's chat page for the product when the product has no page.
func (s *stockSection) sendLink(p shop.Product, v shop.Variant) error {
	link := p.URL
	if link == "" && s.chatLink != nil {
		link = s.chatLink(p.ID)
	}
	if link == "" {
		if s.env.win != nil {
			dialog.ShowInformation(lang.L("No product link"), lang.L("This product has no shop page link."), s.env.win)
		}
		return errNoLink
	}
	return s.sendToChat(p, v, joinNonEmpty(" ", p.Name, v.Label())+"\n"+link, nil)
}

func (s *stockSection) sendToChat(p shop.Product, v shop.Variant, text string, card *shop.Card) error {
	var nick string
	err := errNoChat
	sent := func() {
		s.openSKU = v.SKU
		s.sent = fmt.Sprintf(lang.L("Sent %s to %s"), joinNonEmpty(" ", p.Name, v.Label()), nick)
		s.show(p.ID, v.SKU)
	}
	if s.toChat != nil {
		nick, err = s.toChat(text, card, func() { sent() })
	}
	if errors.Is(err, errNoChat) && s.env.win != nil {
		dialog.ShowInformation(lang.L("No chat open"), lang.L("Open the customer's conversation in Chat first, then send the product from here."), s.env.win)
	}
	return err // a failed send is shown by the chat
}

// sendToChat sends a message or card into the conversation open in the chat section and
// returns the customer's nick; errNoChat when none is open. The stock section sends product
// cards through it.
func (d *Desk) sendToChat(text string, card *shop.Card, sent func()) (nick string, err error) {
	if d.chat == nil || d.chat.open == nil {
		return "", errNoChat
	}
	nick = d.chat.open.Nick
	d.chat.sendMessage(text, card, func(err error) {
		if err == nil && sent != nil {
			sent()
		}
	})
	return nick, nil
}
