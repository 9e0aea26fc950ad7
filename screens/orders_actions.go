package screens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// OrderWorkData is what the orders section reads beyond OrderData: its work lists, the
// after-sales cases, the customer's conversations (reminders and shipment notices go there)
// and the quick phrases those messages are written from.
type OrderWorkData interface {
	AddressToCheck(ctx context.Context, limit int) ([]shop.Order, error)
	CODToConfirm(ctx context.Context, limit int) ([]shop.Order, error)
	ShippedSince(ctx context.Context, since time.Time, limit int) ([]shop.Order, error)
	Cases(ctx context.Context, openOnly bool, limit int) ([]shop.AfterSalesCase, error)
	CasesNeedingAttention(ctx context.Context, now time.Time) (int, error)
	ConversationsOf(ctx context.Context, customerID string) ([]shop.Conversation, error)
	Phrases(ctx context.Context, staff string) ([]shop.QuickPhrase, error)
	StaffList(ctx context.Context) ([]shop.Staff, error)
}

// orderSectionData is everything the orders section reads.
type orderSectionData interface {
	OrderData
	OrderWorkData
	JobData
}

// Quick-phrase shortcuts the reminder and the shipment notice are written from, when the shop
// has them; otherwise the desk's own wording is used.
const (
	remindPhrase = "cf"
	shipPhrase   = "fh"
)

// couriers are the couriers a customer may ask for, as Chinese shops name them.
var couriers = []string{"中通快递", "圆通速递", "申通快递", "韵达快递", "顺丰速运", "邮政EMS", "京东快递", "极兔速递"}

// orderActions builds the buttons for what can be done with the order in its state: the
// address check, the cash-on-delivery call, the payment reminder and closing for unpaid
// orders, the shipment notice for shipped ones, and opening an after-sales case.
func (o *orderSection) orderActions(ord shop.Order) []fyne.CanvasObject {
	var objs []fyne.CanvasObject
	row := func(title string, buttons ...fyne.CanvasObject) {
		objs = append(objs, newHeading(title), container.NewHBox(buttons...))
	}
	open := ord.Status == shop.StatusUnpaid || ord.Status == shop.StatusPaid
	if open {
		// The address is checked with the buyer after payment (for cash on delivery, after the
		// call confirmed the order); before that it can only be changed at the buyer's word.
		change := widget.NewButtonWithIcon(lang.L("Change address"), theme.DocumentCreateIcon(), func() { o.changeAddress(ord) })
		if shop.AddressCheckDue(ord) {
			confirm := widget.NewButtonWithIcon(lang.L("Address is right"), theme.ConfirmIcon(), func() { o.confirmAddress(ord) })
			if ord.AddressCheck == shop.AddressUnchecked {
				confirm.Importance = widget.HighImportance
			}
			row(lang.L("Address check"), confirm, change)
		} else {
			objs = append(objs, container.NewHBox(change)) // under the address the order shows
		}
	}
	if open && ord.Payment == shop.PayCOD {
		var bs []fyne.CanvasObject
		for _, out := range []shop.CallOutcome{shop.CallConfirmed, shop.CallRefused, shop.CallNoAnswer} {
			bs = append(bs, widget.NewButton(systemNoteText(string(out)), func() { o.recordCall(ord, out) }))
		}
		row(lang.L("Cash on delivery call"), bs...)
	}
	if ord.Status == shop.StatusUnpaid {
		remind := widget.NewButtonWithIcon(lang.L("Remind to pay"), theme.MailSendIcon(), func() { o.remind(ord) })
		closeB := widget.NewButtonWithIcon(lang.L("Close order"), theme.CancelIcon(), func() { o.closeOrder(ord) })
		closeB.Importance = widget.DangerImportance
		objs = append(objs, newHeading(lang.L("Unpaid")), container.NewHBox(remind, closeB))
		if !ord.RemindedAt.IsZero() {
			objs = append(objs, newCaption(fmt.Sprintf(lang.L("Last reminded %s"), fmtWhen(ord.RemindedAt, o.env.now()))))
		}
	}
	if ord.Status == shop.StatusShipped {
		notice := widget.NewButtonWithIcon(lang.L("Send shipment notice"), theme.MailSendIcon(), func() { o.shipNotice(ord, false) })
		objs = append(objs, newHeading(lang.L("Shipment")), container.NewHBox(notice))
		if !ord.ShipNoticeAt.IsZero() {
			objs = append(objs, newCaption(fmt.Sprintf(lang.L("Shipment notice sent %s"), fmtWhen(ord.ShipNoticeAt, o.env.now()))))
		}
	}
	if ord.Status == shop.StatusShipped || ord.Status == shop.StatusCompleted {
		kase := widget.NewButtonWithIcon(lang.L("Open after-sales case"), theme.ContentAddIcon(), func() { o.openCase(ord) })
		objs = append(objs, container.NewHBox(kase))
	}
	if o.env.teamWork != nil {
		objs = append(objs, o.env.teamWork.orderActions(ord, func() { o.load(false) })...)
	}
	return objs
}

// act records an action on the open order and redraws it; failed (if set) runs instead when
// it was not recorded.
func (o *orderSection) act(kind shop.Kind, ord shop.Order, data any, failed func()) {
	base := o.version
	if o.open == nil || o.open.ID != ord.ID {
		base = 0
	}
	o.env.apply(kind, ord.ID, base, data, func(err error) {
		if err != nil {
			if failed != nil {
				failed()
			}
			return
		}
		o.load(false)
	})
}

// courierSelect picks a courier; the first choice keeps the order's.
func courierSelect(e *env, current string) *deskSelectEntry {
	s := newDeskSelectEntry(e, couriers)
	s.SetText(current)
	s.SetPlaceHolder(lang.L("Courier the customer prefers (optional)"))
	return s
}

// confirmAddress records that the customer confirmed the address, with their courier.
func (o *orderSection) confirmAddress(ord shop.Order) {
	courier := courierSelect(o.env, ord.Courier)
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Shipping address"), newWrapLabel(ord.Address.String())),
		widget.NewFormItem(lang.L("Courier company"), courier),
	}
	o.form(lang.L("Address is right"), items, func(reopen func()) {
		p := shop.AddressCheckSet{NoteID: shop.NewID(), Result: shop.AddressConfirmed, Courier: strings.TrimSpace(courier.Text)}
		if p.Courier == ord.Courier {
			p.Courier = ""
		}
		o.act(shop.KindOrderAddress, ord, p, reopen)
	})
}

// changeAddress records a new address; the old and new ones are kept in a note.
func (o *orderSection) changeAddress(ord shop.Order) {
	a := ord.Address
	entry := func(v string) *deskEntry { e := newDeskEntry(o.env); e.SetText(v); return e }
	receiver, phone := entry(a.Receiver), entry(a.Phone)
	province, city, district, detail := entry(a.Province), entry(a.City), entry(a.District), entry(a.Detail)
	courier := courierSelect(o.env, ord.Courier)
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Receiver name"), receiver), widget.NewFormItem(lang.L("Phone"), phone),
		widget.NewFormItem(lang.L("Province"), province), widget.NewFormItem(lang.L("City"), city),
		widget.NewFormItem(lang.L("District"), district), widget.NewFormItem(lang.L("Street and number"), detail),
		widget.NewFormItem(lang.L("Courier company"), courier),
	}
	o.form(lang.L("Change address"), items, func(reopen func()) {
		na := shop.Address{Receiver: strings.TrimSpace(receiver.Text), Phone: strings.TrimSpace(phone.Text),
			Province: strings.TrimSpace(province.Text), City: strings.TrimSpace(city.Text),
			District: strings.TrimSpace(district.Text), Detail: strings.TrimSpace(detail.Text)}
		p := shop.AddressCheckSet{NoteID: shop.NewID(), Result: shop.AddressChanged, Address: &na, Courier: strings.TrimSpace(courier.Text)}
		if p.Courier == ord.Courier {
			p.Courier = ""
		}
		o.act(shop.KindOrderAddress, ord, p, reopen)
	})
}

// recordCall records a cash-on-delivery confirmation call and its outcome.
func (o *orderSection) recordCall(ord shop.Order, out shop.CallOutcome) {
	o.act(shop.KindOrderCODCall, ord, shop.CODCall{NoteID: shop.NewID(), Outcome: out}, nil)
}

// customerConversation is the customer's most recent conversation, where messages about the
// order go; ok is false (and the staff member told) when there is none.
func (o *orderSection) customerConversation(ord shop.Order) (shop.Conversation, bool) {
	convs, err := o.data.ConversationsOf(o.env.ctx, ord.CustomerID)
	if err != nil || len(convs) == 0 {
		o.inform(lang.L("No conversation"), lang.L("This customer has no conversation with the shop to send the message to."))
		return shop.Conversation{}, false
	}
	return convs[0], true
}

// phraseText is the shop's quick phrase with the shortcut, filled in for the order, or
// fallback when the shop has no such phrase.
func (o *orderSection) phraseText(shortcut, fallback string, ord shop.Order) string {
	return o.data.OrderText(o.env.ctx, shortcut, fallback, ord)
}

// remindText is the payment reminder (催付) for an order.
func (o *orderSection) remindText(ord shop.Order) string {
	return o.phraseText(remindPhrase, lang.L("Hello {nick}, your order {order} is not paid yet. Pay now and it ships today."), ord)
}

// shipText is the shipment notice for an order.
func (o *orderSection) shipText(ord shop.Order) string {
	return o.phraseText(shipPhrase, shipFallback(), ord)
}

// shipFallback is the shipment notice when the staff member has no quick phrase for it.
func shipFallback() string {
	return lang.L("Your order {order} has shipped with {courier}, tracking number {tracking}.")
}

// remind sends the payment reminder into the customer's chat: once a shop day, or again
// after the staff member confirms.
func (o *orderSection) remind(ord shop.Order) {
	conv, ok := o.customerConversation(ord)
	if !ok {
		return
	}
	text := newDeskMultiLineEntry(o.env)
	text.Wrapping = fyne.TextWrapWord
	text.SetMinRowsVisible(3)
	text.SetText(o.remindText(ord))
	items := []*widget.FormItem{widget.NewFormItem(lang.L("Message to the customer"), text)}
	force := !ord.RemindedAt.IsZero() && shop.SameShopDay(ord.RemindedAt, o.env.now())
	if force {
		warn := widget.NewLabel(fmt.Sprintf(lang.L("Already reminded today at %s. Send again?"), fmtClock(ord.RemindedAt)))
		warn.Importance = widget.WarningImportance
		items = append([]*widget.FormItem{widget.NewFormItem("", warn)}, items...)
	}
	o.form(lang.L("Remind to pay"), items, func(reopen func()) {
		if left := shop.Unfilled(text.Text); len(left) > 0 {
			o.inform(lang.L("Remind to pay"), fmt.Sprintf(lang.L("Not filled in yet: %s. Fill it in or delete it before sending."), strings.Join(left, " ")))
			reopen()
			return
		}
		p := shop.Remind{MessageID: shop.NewID(), ConversationID: conv.ID, Text: strings.TrimSpace(text.Text), Force: force}
		o.act(shop.KindOrderRemind, ord, p, reopen)
	})
}

// closeOrder closes an unpaid duplicate or impulse order with a reason.
func (o *orderSection) closeOrder(ord shop.Order) {
	reason := newDeskSelectEntry(o.env, []string{lang.L("Duplicate order"), lang.L("Ordered on impulse, customer cancelled"), lang.L("Customer asked to close it")})
	reason.SetPlaceHolder(lang.L("Why is the order closed?"))
	items := []*widget.FormItem{widget.NewFormItem(lang.L("Reason for closing"), reason)}
	o.form(lang.L("Close order"), items, func(reopen func()) {
		r := strings.TrimSpace(reason.Text)
		if r == "" {
			o.inform(lang.L("Close order"), lang.L("Give the reason for closing the order."))
			reopen()
			return
		}
		o.act(shop.KindOrderClose, ord, shop.OrderCloseData{NoteID: shop.NewID(), Reason: r}, reopen)
	})
}

// shipNotice sends the shipment notice with courier and tracking number into the customer's
// chat; a second one needs a confirmation.
func (o *orderSection) shipNotice(ord shop.Order, quiet bool) {
	conv, ok := o.customerConversation(ord)
	if !ok {
		return
	}
	text := o.shipText(ord)
	if left := shop.Unfilled(text); len(left) > 0 {
		o.inform(lang.L("Send shipment notice"), fmt.Sprintf(lang.L("The shipment notice would keep %s unfilled: give the order its courier and tracking number first."), strings.Join(left, " ")))
		return
	}
	send := func(force bool) {
		o.act(shop.KindOrderShipNote, ord, shop.ShipNotice{MessageID: shop.NewID(), ConversationID: conv.ID, Text: text, Force: force}, nil)
	}
	if ord.ShipNoticeAt.IsZero() || quiet {
		send(false)
		return
	}
	if o.env.win == nil {
		return
	}
	dialog.ShowConfirm(lang.L("Send shipment notice"),
		fmt.Sprintf(lang.L("A shipment notice was sent %s. Send it again?"), fmtWhen(ord.ShipNoticeAt, o.env.now())),
		func(ok bool) {
			if ok {
				send(true)
			}
		}, o.env.win)
}

// openCase opens an after-sales case on the order: kind, owner, due date and summary.
func (o *orderSection) openCase(ord shop.Order) {
	kinds := make([]string, len(shop.CaseKinds))
	for i, k := range shop.CaseKinds {
		kinds[i] = caseKindName(k)
	}
	kind := widget.NewSelect(kinds, nil)
	kind.SetSelectedIndex(0)
	background(o.env, o.data.StaffList, func(staff []shop.Staff, _ error) { o.askCase(ord, kind, staff) })
}

// askCase is the form of openCase, with the staff just read as the owners to choose from.
func (o *orderSection) askCase(ord shop.Order, kind *widget.Select, staff []shop.Staff) {
	owners := []string{}
	ownerIdx := 0
	for i, s := range staff {
		owners = append(owners, joinNonEmpty(" · ", s.Name, staffLabel(s.Number)))
		if s.Number == o.env.staff.Number {
			ownerIdx = i
		}
	}
	owner := widget.NewSelect(owners, nil)
	if len(owners) > 0 {
		owner.SetSelectedIndex(ownerIdx)
	}
	dueDays := []int{1, 2, 3, 5, 7, 14}
	dueOpts := make([]string, len(dueDays))
	for i, d := range dueDays {
		dueOpts[i] = pluralf(d, "In %d days", d)
	}
	due := widget.NewSelect(dueOpts, nil)
	due.SetSelectedIndex(2)
	summary := newDeskMultiLineEntry(o.env)
	summary.Wrapping = fyne.TextWrapWord
	summary.SetMinRowsVisible(3)
	summary.SetPlaceHolder(lang.L("What happened and what the customer wants"))
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Case kind"), kind), widget.NewFormItem(lang.L("Case owner"), owner),
		widget.NewFormItem(lang.L("Due date"), due), widget.NewFormItem(lang.L("Case summary"), summary),
	}
	o.form(lang.L("Open after-sales case"), items, func(reopen func()) {
		text := strings.TrimSpace(summary.Text)
		if text == "" {
			o.inform(lang.L("Open after-sales case"), lang.L("Write what happened first."))
			reopen()
			return
		}
		p := shop.CaseOpenData{OrderID: ord.ID, Kind: shop.CaseKinds[max(kind.SelectedIndex(), 0)], Summary: text,
			Due: o.env.now().Add(time.Duration(dueDays[max(due.SelectedIndex(), 0)]) * 24 * time.Hour)}
		if i := owner.SelectedIndex(); i >= 0 && i < len(staff) {
			p.Owner = staff[i].Number
		}
		o.env.apply(shop.KindCaseOpen, shop.NewID(), 0, p, func(err error) {
			if err != nil {
				reopen()
				return
			}
			o.load(false)
		})
	})
}

// form shows a form dialog; submit runs on OK and calls reopen to show the dialog again, with
// what was typed, when what it records was refused. Without a window (never in the desk)
// submit runs at once.
func (o *orderSection) form(title string, items []*widget.FormItem, submit func(reopen func())) {
	if o.env.win == nil {
		submit(func() {})
		return
	}
	var d *dialog.FormDialog
	d = dialog.NewForm(title, lang.L("Record"), lang.L("Cancel"), items, func(ok bool) {
		if ok {
			submit(func() { d.Show() })
		}
	}, o.env.win)
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	o.dialog, o.dialogItems = d, items
	d.Show()
}

// inform shows a short message.
func (o *orderSection) inform(title, msg string) {
	if o.env.win != nil {
		dialog.ShowInformation(title, msg, o.env.win)
	}
}
