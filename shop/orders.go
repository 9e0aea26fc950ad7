package shop

import "time"

// The order kinds; their entity is an order.
const (
	KindOrderNote     Kind = "order.note" // append-only note, and the flag
	KindOrderAddress  Kind = "order.address"
	KindOrderCODCall  Kind = "order.cod_call"
	KindOrderRemind   Kind = "order.remind"
	KindOrderClose    Kind = "order.close"
	KindOrderShipNote Kind = "order.ship_notice"
)

var orderKinds = []KindSpec{
	{Kind: KindOrderNote, Entity: TypeOrder, Creates: []Creation{{TypeNote, "note_id"}}, Label: "Order note", Rule: change(orderNote)},
	{Kind: KindOrderAddress, Entity: TypeOrder, Creates: []Creation{{TypeNote, "note_id"}}, Label: "Address check", Rule: change(orderAddress)},
	{Kind: KindOrderCODCall, Entity: TypeOrder, Creates: []Creation{{TypeNote, "note_id"}}, Label: "COD confirmation call", Rule: change(orderCODCall)},
	{Kind: KindOrderRemind, Entity: TypeOrder, Creates: []Creation{{TypeMessage, "message_id"}}, Label: "Payment reminder", Rule: change(orderRemind)},
	{Kind: KindOrderClose, Entity: TypeOrder, Creates: []Creation{{TypeNote, "note_id"}}, Label: "Order closed", Rule: change(orderClose)},
	{Kind: KindOrderShipNote, Entity: TypeOrder, Creates: []Creation{{TypeMessage, "message_id"}}, Label: "Shipment notice", Rule: change(orderShipNotice)},
}

// OrderNoteAdd appends a note to an order and sets its flag.
type OrderNoteAdd struct {
	NoteID string `json:"note_id"`
	Flag   Flag   `json:"flag"`
	Text   string `json:"text"`
	Reason string `json:"reason,omitempty"`
}

// AddressCheckSet records the after-payment address check.
type AddressCheckSet struct {
	NoteID  string       `json:"note_id"` // id of the note that records the check
	Result  AddressCheck `json:"result"`
	Address *Address     `json:"address,omitempty"` // the new address when Result is changed
	Courier string       `json:"courier,omitempty"` // courier the customer prefers
}

// CODCall records a cash-on-delivery confirmation call.
type CODCall struct {
	NoteID  string      `json:"note_id"`
	Outcome CallOutcome `json:"outcome"`
}

// Remind records a payment reminder (催付) and sends its text into the customer's chat.
type Remind struct {
	MessageID      string `json:"message_id"`
	ConversationID string `json:"conversation_id"`
	Text           string `json:"text"`
	Force          bool   `json:"force,omitempty"` // send even if reminded today
}

// OrderCloseData closes an unpaid duplicate or impulse order.
type OrderCloseData struct {
	NoteID string `json:"note_id"`
	Reason string `json:"reason"`
}

// ShipNotice tells the customer the parcel shipped.
type ShipNotice struct {
	MessageID      string `json:"message_id"`
	ConversationID string `json:"conversation_id"`
	Text           string `json:"text"`
	Force          bool   `json:"force,omitempty"` // send even if a notice was sent already
}

func orderNote(d *decider, o *Order, p OrderNoteAdd) error {
	if !p.Flag.Valid() {
		return reject("flag %d is not one of the six flags", p.Flag)
	}
	if err := rejectText("note", p.Text, MaxNoteRunes, true); err != nil {
		return err
	}
	if err := rejectText("reason", p.Reason, MaxShortText, false); err != nil {
		return err
	}
	if d.m.Base > 0 && d.ver > d.m.Base && o.FlagBy != "" && o.FlagBy != d.m.Staff {
		d.out.Overwrote = &Overwrite{Field: "flag", By: o.FlagBy, At: o.FlagAt}
	}
	if err := d.note(o, p.NoteID, p.Flag, p.Text, p.Reason, false); err != nil {
		return err
	}
	o.Flag, o.FlagBy, o.FlagAt = p.Flag, d.m.Staff, d.at
	return nil
}

func orderAddress(d *decider, o *Order, p AddressCheckSet) error {
	if o.Status != StatusPaid && o.Status != StatusUnpaid {
		return d.conflict("", time.Time{}, d.cur, "order %s is %s; its address can no longer change", o.ID, o.Status)
	}
	if err := rejectText("courier", p.Courier, MaxShortText, false); err != nil {
		return err
	}
	text := o.Address.String()
	switch p.Result {
	case AddressConfirmed:
	case AddressChanged:
		if p.Address == nil {
			return reject("a changed address needs the new address")
		}
		if err := checkAddress(*p.Address); err != nil {
			return err
		}
		text = o.Address.String() + " → " + p.Address.String()
		o.Address = *p.Address
	default:
		return reject("address check %q is not confirmed or changed", p.Result)
	}
	if p.Courier != "" {
		o.Courier = p.Courier
		text += " · " + p.Courier
	}
	o.AddressCheck, o.AddressCheckBy = p.Result, d.m.Staff
	reason := "address confirmed"
	if p.Result == AddressChanged {
		reason = "address changed"
	}
	return d.note(o, p.NoteID, o.Flag, text, reason, true)
}

func orderCODCall(d *decider, o *Order, p CODCall) error {
	if o.Payment != PayCOD {
		return reject("order %s is not cash on delivery", o.ID)
	}
	if p.Outcome != CallConfirmed && p.Outcome != CallRefused && p.Outcome != CallNoAnswer {
		return reject("call outcome %q is not confirmed, refused or no_answer", p.Outcome)
	}
	o.CODCall, o.CODCallAt, o.CODCallBy = p.Outcome, d.at, d.m.Staff
	return d.note(o, p.NoteID, o.Flag, string(p.Outcome), "COD call", true)
}

func orderRemind(d *decider, o *Order, p Remind) error {
	if o.Status != StatusUnpaid {
		return d.conflict("", time.Time{}, d.cur, "order %s is %s, not unpaid", o.ID, o.Status)
	}
	if !p.Force && !o.RemindedAt.IsZero() && SameShopDay(o.RemindedAt, d.at) {
		return d.conflict("", o.RemindedAt, d.cur, "order %s was already reminded today at %s", o.ID, o.RemindedAt.In(ShopZone).Format("15:04"))
	}
	if err := d.message(p.ConversationID, p.MessageID, p.Text, nil); err != nil {
		return err
	}
	o.RemindedAt = d.at
	return nil
}

func orderClose(d *decider, o *Order, p OrderCloseData) error {
	if o.Status != StatusUnpaid {
		return d.conflict("", time.Time{}, d.cur, "order %s is %s; only unpaid orders can be closed here", o.ID, o.Status)
	}
	if err := rejectText("reason", p.Reason, MaxShortText, true); err != nil {
		return err
	}
	o.Status, o.CloseReason = StatusClosed, p.Reason
	return d.note(o, p.NoteID, o.Flag, p.Reason, "order closed", true)
}

func orderShipNotice(d *decider, o *Order, p ShipNotice) error {
	if o.Status != StatusShipped {
		return d.conflict("", time.Time{}, d.cur, "order %s is %s, not shipped", o.ID, o.Status)
	}
	if !p.Force && !o.ShipNoticeAt.IsZero() {
		return d.conflict("", o.ShipNoticeAt, d.cur, "order %s: the shipment notice was sent already at %s", o.ID, o.ShipNoticeAt.In(ShopZone).Format("01-02 15:04"))
	}
	if err := d.message(p.ConversationID, p.MessageID, p.Text, nil); err != nil {
		return err
	}
	o.ShipNoticeAt = d.at
	return nil
}

// note appends a note to order o.
func (d *decider) note(o *Order, noteID string, flag Flag, text, reason string, system bool) error {
	if err := checkID("note id", noteID); err != nil {
		return err
	}
	if err := d.fresh(TypeNote, noteID); err != nil {
		return err
	}
	n := OrderNote{ID: noteID, OrderID: o.ID, Flag: flag, Text: text, Reason: reason, Staff: d.m.Staff, At: d.at, System: system}
	d.put(TypeNote, noteID, n)
	o.NoteCount++
	return nil
}

func checkAddress(a Address) error {
	for _, f := range []struct{ name, v string }{{"receiver", a.Receiver}, {"province", a.Province}, {"city", a.City}, {"address", a.Detail}} {
		if err := rejectText(f.name, f.v, MaxShortText, true); err != nil {
			return err
		}
	}
	if !ValidPhone(a.Phone) {
		return reject("phone %q is not a phone number", a.Phone)
	}
	if err := checkText("zip", a.Zip, 16, false); err != nil {
		return err
	}
	return checkText("district", a.District, MaxShortText, false)
}

// CODPending reports whether o is a cash-on-delivery order not shipped yet that the buyer has
// not confirmed by phone: it is not paid (the money comes with the parcel) and the packers
// must hold it until the call confirms it.
func CODPending(o Order) bool {
	return o.Payment == PayCOD && (o.Status == StatusUnpaid || o.Status == StatusPaid) && o.CODCall != CallConfirmed
}

// AddressCheckDue reports whether o's shipping address is ready to be checked with the buyer:
// the check comes after payment, so an online order once paid, a cash-on-delivery order once
// its call confirmed it; and before it ships.
func AddressCheckDue(o Order) bool {
	switch o.Payment {
	case PayCOD:
		return (o.Status == StatusUnpaid || o.Status == StatusPaid) && o.CODCall == CallConfirmed
	default:
		return o.Status == StatusPaid
	}
}
