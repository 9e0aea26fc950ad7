package screens

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"kefu/shop"
)

// cuiFu is the demo shop's payment reminder (催付) quick phrase.
const cuiFu = "cf"

// openCustomer puts a customer with the given orders (newest first) and a conversation in
// the store, and opens the conversation in the chat section.
func (f *fixture) openCustomer(id string, orders ...shop.Order) shop.Conversation {
	f.t.Helper()
	conv := shop.Conversation{ID: "v-" + id, CustomerID: id, Nick: "顾客" + id, LastAt: testNow.Add(-time.Minute), Messages: 1}
	recs := []shop.Record{
		shop.NewRecord(shop.TypeCustomer, id, shop.Customer{ID: id, Nick: conv.Nick, CreatedAt: testNow.Add(-time.Hour)}),
		shop.NewRecord(shop.TypeConversation, conv.ID, conv),
	}
	for i, o := range orders {
		o.CustomerID, o.Nick = id, conv.Nick
		if o.CreatedAt.IsZero() {
			o.CreatedAt = testNow.Add(-time.Duration(i+1) * time.Hour)
		}
		if o.Total == 0 {
			o.Total = 12800
		}
		o.Items = []shop.OrderItem{{Name: "纯棉连体衣", Qty: 1, Price: o.Total}}
		recs = append(recs, shop.NewRecord(shop.TypeOrder, o.ID, o))
	}
	f.arrive(recs...)
	f.desk.Show(SectionChat)
	f.desk.chat.openConversation(conv, "")
	f.drain()
	if c := f.desk.chat; c.open == nil || c.open.ID != conv.ID {
		f.t.Fatalf("the conversation of %s did not open", id)
	}
	return conv
}

// usePhrase types "/shortcut" into the composer and picks the first phrase offered.
func usePhrase(t *testing.T, c *chatSection, shortcut string) {
	t.Helper()
	test.Type(c.composer, "/"+shortcut)
	if !c.suggest.visible() || c.suggest.matches[0].Shortcut != shortcut {
		t.Fatalf("typing /%s offers %+v", shortcut, c.suggest.matches)
	}
	c.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// chatSends counts the chat messages in the outbox.
func (f *fixture) chatSends() int {
	n := 0
	for _, m := range f.outbox() {
		if m.Kind == shop.KindChatSend {
			n++
		}
	}
	return n
}

// The case: the payment reminder for a customer without orders kept "{order}" and was
// sent. Now the composer names it under the text, Send is off, and neither Enter nor the
// button sends it; once it is deleted, the message goes.
func TestPhraseWithoutOrderBlocksSending(t *testing.T) {
	f := newFixture(t)
	c := f.desk.chat
	f.openCustomer("c-none")
	usePhrase(t, c, cuiFu)
	if !strings.Contains(c.composer.Text, "{order}") {
		t.Fatalf("the composer holds %q; want the reminder with {order} left in it", c.composer.Text)
	}
	warn := c.suggest.warn.String()
	if !c.suggest.warn.Visible() || !strings.Contains(warn, "还有未填写的 {order}") || !strings.Contains(warn, "没有未付款的订单") {
		t.Fatalf("under the composer: %q (visible %v); want 还有未填写的 {order} and why", warn, c.suggest.warn.Visible())
	}
	if !c.send.Disabled() {
		t.Error("Send is on with {order} unfilled")
	}
	before := f.chatSends()
	text := c.composer.Text
	c.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Tap(c.send)
	c.onSend(c.composer.Text) // as the button would, were it on
	if n := f.chatSends(); n != before {
		t.Fatalf("%d messages sent with {order} unfilled", n-before)
	}
	if c.composer.Text != text {
		t.Fatalf("the composer lost the text: %q", c.composer.Text)
	}

	// The staff member deletes the placeholder: the line goes, Send comes back, Enter sends.
	c.composer.SetText(strings.ReplaceAll(text, "{order}", ""))
	if c.suggest.warn.Visible() || c.send.Disabled() {
		t.Fatalf("with no placeholder left: line visible %v, Send off %v", c.suggest.warn.Visible(), c.send.Disabled())
	}
	c.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if n := f.chatSends(); n != before+1 {
		t.Fatalf("%d messages sent once the placeholder was deleted; want 1", n-before)
	}
	if c.composer.Text != "" {
		t.Errorf("the composer still holds %q after sending", c.composer.Text)
	}
}

// Placeholders typed by hand block sending as well, all of them named.
func TestTypedPlaceholderBlocksSending(t *testing.T) {
	f := newFixture(t)
	c := f.desk.chat
	f.openCustomer("c-typed")
	test.Type(c.composer, "您好{nick}，单号{tracking}")
	if !c.send.Disabled() || !strings.Contains(c.suggest.warn.String(), "{nick} {tracking}") {
		t.Fatalf("line %q, Send off %v", c.suggest.warn.String(), c.send.Disabled())
	}
	before := f.chatSends()
	c.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if f.chatSends() != before {
		t.Fatal("a typed placeholder was sent")
	}
}

// The payment reminder names the customer's unpaid order, not their latest (paid) one.
func TestPaymentReminderNamesTheUnpaidOrder(t *testing.T) {
	f := newFixture(t)
	c := f.desk.chat
	f.openCustomer("c-one",
		shop.Order{ID: "2026120300000002", Status: shop.StatusPaid},
		shop.Order{ID: "2026120300000001", Status: shop.StatusUnpaid})
	usePhrase(t, c, cuiFu)
	if !strings.Contains(c.composer.Text, "订单2026120300000001还没有付款") || shop.HasUnfilled(c.composer.Text) {
		t.Fatalf("the composer holds %q; want the unpaid order 2026120300000001 filled in", c.composer.Text)
	}
	if c.suggest.warn.Visible() || c.send.Disabled() || c.suggest.chooser != nil {
		t.Fatalf("nothing is missing: line %q, Send off %v, chooser %v", c.suggest.warn.String(), c.send.Disabled(), c.suggest.chooser != nil)
	}
	before := f.chatSends()
	c.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if f.chatSends() != before+1 {
		t.Fatal("the filled reminder was not sent")
	}
}

// With two unpaid orders the reminder asks which; the one chosen is filled in, and nothing is
// sent while the question is open. Escape leaves the composer as it was.
func TestPaymentReminderAsksWhichOrder(t *testing.T) {
	f := newFixture(t)
	c := f.desk.chat
	f.openCustomer("c-two",
		shop.Order{ID: "2026120300000013", Status: shop.StatusUnpaid},
		shop.Order{ID: "2026120300000012", Status: shop.StatusShipped, Tracking: "ZT9"},
		shop.Order{ID: "2026120300000011", Status: shop.StatusUnpaid})
	usePhrase(t, c, cuiFu)
	ch := c.suggest.chooser
	if ch == nil || len(ch.orders) != 2 || ch.orders[0].ID != "2026120300000013" || ch.orders[1].ID != "2026120300000011" {
		t.Fatalf("chooser %+v; want the two unpaid orders, newest first", ch)
	}
	if got := orderChoiceText(ch.orders[1]); !strings.Contains(got, "2026120300000011") || !strings.Contains(got, statusName(shop.StatusUnpaid)) ||
		!strings.Contains(got, "¥128.00") || !strings.Contains(got, "纯棉连体衣") {
		t.Errorf("the chooser lists %q", got)
	}
	if c.composer.Text != "/"+cuiFu {
		t.Fatalf("the composer holds %q while the order is being chosen", c.composer.Text)
	}
	before := f.chatSends()
	c.onSend(c.composer.Text)
	if f.chatSends() != before {
		t.Fatal("a message was sent while the order was being chosen")
	}

	// Escape: nothing chosen, the composer as it was.
	ch.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if c.suggest.chooser != nil || c.composer.Text != "/"+cuiFu {
		t.Fatalf("after Escape: chooser %v, composer %q", c.suggest.chooser != nil, c.composer.Text)
	}

	// Again, and the older unpaid order is chosen.
	c.composer.SetText("")
	usePhrase(t, c, cuiFu)
	ch = c.suggest.chooser
	if ch == nil {
		t.Fatal("no chooser the second time")
	}
	ch.list.Select(1)
	if c.suggest.chooser != nil {
		t.Error("the chooser stays open after choosing")
	}
	if !strings.Contains(c.composer.Text, "订单2026120300000011还没有付款") || shop.HasUnfilled(c.composer.Text) {
		t.Fatalf("the composer holds %q; want order 2026120300000011", c.composer.Text)
	}
	c.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if f.chatSends() != before+1 {
		t.Fatal("the reminder was not sent once the order was chosen")
	}
}

// A shipment phrase for an order shipped without a tracking number keeps {tracking}, says why,
// and blocks sending.
func TestShipmentPhraseWithoutTrackingBlocks(t *testing.T) {
	f := newFixture(t)
	c := f.desk.chat
	f.openCustomer("c-ship", shop.Order{ID: "2026120300000021", Status: shop.StatusShipped, Courier: "中通"})
	usePhrase(t, c, "fh")
	if !strings.Contains(c.composer.Text, "2026120300000021") || !strings.Contains(c.composer.Text, "{tracking}") {
		t.Fatalf("the composer holds %q", c.composer.Text)
	}
	if w := c.suggest.warn.String(); !strings.Contains(w, "{tracking}（这笔订单还没有运单号）") || !c.send.Disabled() {
		t.Fatalf("line %q, Send off %v", w, c.send.Disabled())
	}
}
