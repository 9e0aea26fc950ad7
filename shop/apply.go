package shop

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Record is one entity's state as stored on the desk and the server and carried by the change
// feed. Data is the entity's JSON; Seq is its version (the feed sequence number of this state,
// 0 while the state exists only on a desk).
type Record struct {
	Type    EntityType      `json:"type"`
	ID      string          `json:"id"`
	Seq     int64           `json:"seq,omitempty"`
	Deleted bool            `json:"deleted,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// Reader is the state the rules read: the desk's localdb or the server's store.
type Reader interface {
	// Get decodes entity (t, id) into v. It returns the entity's version and whether it exists;
	// a missing entity is not an error.
	Get(t EntityType, id string, v any) (version int64, found bool, err error)
}

// Outcome is what a mutation does to the entities.
type Outcome struct {
	Records   []Record   // new states of the entities the mutation wrote
	Conflict  *Conflict  // set when the mutation cannot apply to the current state; Records is empty
	Overwrote *Overwrite // set when a last-writer-wins field was changed by someone else since Base
}

// Conflict explains why a mutation could not apply: the current state and who made it.
type Conflict struct {
	Reason  string    `json:"reason"`
	By      string    `json:"by,omitempty"` // staff number that made the current state
	At      time.Time `json:"at,omitzero"`
	Current []Record  `json:"current,omitempty"`
}

// Overwrite tells the writer of a last-writer-wins field whose change it replaced.
type Overwrite struct {
	Field string    `json:"field"`
	By    string    `json:"by"`
	At    time.Time `json:"at,omitzero"`
}

// ErrRejected marks a mutation that can never apply (bad input, unknown target). A
// *RejectError carries the reason a person can read.
var ErrRejected = errors.New("mutation rejected")

// RejectError is a mutation refused for a reason a person can read.
type RejectError struct{ Reason string }

func (e *RejectError) Error() string        { return "rejected: " + e.Reason }
func (e *RejectError) Is(target error) bool { return target == ErrRejected }

func reject(format string, args ...any) error {
	return &RejectError{Reason: fmt.Sprintf(format, args...)}
}

// NewRecord encodes an entity as a record.
func NewRecord(t EntityType, id string, v any) Record {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("shop: encoding %s %s: %v", t, id, err)) // entities are plain data
	}
	return Record{Type: t, ID: id, Data: b}
}

// Decode decodes the record's data into v.
func (r Record) Decode(v any) error {
	if err := json.Unmarshal(r.Data, v); err != nil {
		return fmt.Errorf("decoding %s %s: %w", r.Type, r.ID, err)
	}
	return nil
}

// Stamp is the time recorded for a mutation: when the staff member acted, unless that is
// unknown or in the future of now (a desk clock running fast).
func Stamp(m Mutation, now time.Time) time.Time {
	if m.At.IsZero() || m.At.After(now) {
		return now
	}
	return m.At
}

// Validate checks a mutation's envelope: id, kind, entity, time. Decide checks the payload.
func Validate(m Mutation) error {
	if err := checkID("mutation id", m.ID); err != nil {
		return err
	}
	if !contains(Kinds, m.Kind) {
		return reject("unknown mutation kind %q", m.Kind)
	}
	if err := checkID("entity id", m.Entity); err != nil {
		return err
	}
	if m.Base < 0 {
		return reject("base version is negative")
	}
	if err := checkText("staff number", m.Staff, 32, true); err != nil {
		return reject("%v", err)
	}
	return nil
}

func checkID(what, id string) error {
	if id == "" {
		return reject("%s is empty", what)
	}
	if len(id) > 64 || !utf8.ValidString(id) || strings.ContainsAny(id, "/\x00 \t\n") {
		return reject("%s %q is not a valid id", what, id)
	}
	return nil
}

// Decide works out what mutation m does to the state r holds at now. It returns an error
// wrapping ErrRejected for a mutation that can never apply, a storage error from r, or an
// Outcome: the records to write, or a Conflict.
func Decide(r Reader, m Mutation, now time.Time) (Outcome, error) {
	if err := Validate(m); err != nil {
		return Outcome{}, err
	}
	d := decider{r: r, m: m, at: Stamp(m, now)}
	switch m.Kind {
	case KindChatSend, KindChatRead, KindChatClaim, KindChatTransfer, KindChatClose, KindChatReopen:
		return d.chat()
	case KindOrderNote, KindOrderAddress, KindOrderCODCall, KindOrderRemind, KindOrderClose, KindOrderShipNote:
		return d.order()
	case KindCaseOpen, KindCaseMove:
		return d.afterSales()
	case KindStockAdjust, KindStockSet, KindStockLow:
		return d.stock()
	case KindReviewMove, KindReviewReply, KindReviewBuyer, KindReviewContact, KindEvidenceAdd:
		return d.review()
	case KindCustomerSet, KindCustomerAdd:
		return d.customer()
	case KindPhrasePut, KindPhraseDelete, KindPhraseUse:
		return d.phrase()
	case KindAutoReplyPut:
		return d.autoReply()
	case KindGroupPut, KindGroupDelete:
		return d.group()
	case KindComplaintOpen, KindComplaintMove:
		return d.complaint()
	}
	return Outcome{}, reject("unknown mutation kind %q", m.Kind)
}

type decider struct {
	r   Reader
	m   Mutation
	at  time.Time
	out Outcome
}

func (d *decider) data(v any) error {
	if len(d.m.Data) == 0 {
		return reject("%s needs data", d.m.Kind)
	}
	dec := json.NewDecoder(strings.NewReader(string(d.m.Data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return reject("%s data: %v", d.m.Kind, err)
	}
	return nil
}

// load reads an entity that must exist.
func (d *decider) load(t EntityType, id string, v any) (int64, error) {
	ver, ok, err := d.r.Get(t, id, v)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, reject("%s %s does not exist", t, id)
	}
	return ver, nil
}

// fresh checks that an entity to be created does not exist yet.
func (d *decider) fresh(t EntityType, id string) error {
	if err := checkID(string(t)+" id", id); err != nil {
		return err
	}
	var raw json.RawMessage
	_, ok, err := d.r.Get(t, id, &raw)
	if err != nil {
		return err
	}
	if ok {
		return reject("%s %s exists already and cannot be changed", t, id)
	}
	return nil
}

func (d *decider) put(t EntityType, id string, v any) {
	d.out.Records = append(d.out.Records, NewRecord(t, id, v))
}

func (d *decider) conflict(by string, at time.Time, cur Record, format string, args ...any) (Outcome, error) {
	c := &Conflict{Reason: fmt.Sprintf(format, args...), By: by, At: at, Current: []Record{cur}}
	return Outcome{Conflict: c}, nil
}

func (d *decider) done() (Outcome, error) { return d.out, nil }

// message appends a staff message to a conversation and updates the conversation.
func (d *decider) message(convID, msgID, text string, card *Card) error {
	if err := checkID("message id", msgID); err != nil {
		return err
	}
	if err := checkText("message", text, MaxMessageRunes, card == nil); err != nil {
		return reject("%v", err)
	}
	if card != nil {
		if err := checkText("card title", card.Title, MaxShortText, true); err != nil {
			return reject("%v", err)
		}
	}
	var c Conversation
	if _, err := d.load(TypeConversation, convID, &c); err != nil {
		return err
	}
	return d.messageInto(c, msgID, text, card)
}

// messageInto appends a checked staff message to conversation c (loaded, or being started).
func (d *decider) messageInto(c Conversation, msgID, text string, card *Card) error {
	convID := c.ID
	if err := d.fresh(TypeMessage, msgID); err != nil {
		return err
	}
	msg := Message{ID: msgID, ConversationID: convID, From: FromStaff, Staff: d.m.Staff, Text: text, Card: card, At: d.at}
	d.put(TypeMessage, msgID, msg)
	c.LastText, c.LastAt = PreviewText(msg), d.at
	c.WaitingSince, c.Unread, c.Closed = time.Time{}, 0, false
	c.Messages++
	if c.Assignee == "" {
		c.Assignee, c.AssignedAt = d.m.Staff, d.at
	}
	d.put(TypeConversation, convID, c)
	return nil
}

// PreviewText is how a message appears as a conversation's last message.
func PreviewText(m Message) string {
	t := m.Text
	if t == "" && m.Card != nil {
		t = "[" + m.Card.Title + "]"
	}
	t = strings.Join(strings.Fields(t), " ")
	if utf8.RuneCountInString(t) > 60 {
		t = string([]rune(t)[:60]) + "…"
	}
	return t
}

func (d *decider) chat() (Outcome, error) {
	if d.m.Kind == KindChatSend {
		var p ChatSend
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if err := d.message(d.m.Entity, p.MessageID, p.Text, p.Card); err != nil {
			return Outcome{}, err
		}
		return d.done()
	}
	var c Conversation
	if _, err := d.load(TypeConversation, d.m.Entity, &c); err != nil {
		return Outcome{}, err
	}
	cur := NewRecord(TypeConversation, c.ID, c)
	switch d.m.Kind {
	case KindChatRead:
		c.Unread = 0
	case KindChatClaim:
		if c.Assignee != "" && c.Assignee != d.m.Staff {
			return d.conflict(c.Assignee, c.AssignedAt, cur, "conversation already claimed by %s", c.Assignee)
		}
		c.Assignee, c.AssignedAt = d.m.Staff, d.at
	case KindChatTransfer:
		var p ChatTransfer
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		var s Staff
		if _, err := d.load(TypeStaff, p.To, &s); err != nil {
			return Outcome{}, err
		}
		c.Assignee, c.AssignedAt = p.To, d.at
	case KindChatClose:
		c.Closed, c.WaitingSince, c.Unread = true, time.Time{}, 0
	case KindChatReopen:
		c.Closed = false
	}
	d.put(TypeConversation, c.ID, c)
	return d.done()
}

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

func (d *decider) order() (Outcome, error) {
	var o Order
	ver, err := d.load(TypeOrder, d.m.Entity, &o)
	if err != nil {
		return Outcome{}, err
	}
	cur := NewRecord(TypeOrder, o.ID, o)
	switch d.m.Kind {
	case KindOrderNote:
		var p OrderNoteAdd
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if !p.Flag.Valid() {
			return Outcome{}, reject("flag %d is not one of the six flags", p.Flag)
		}
		if err := checkText("note", p.Text, MaxNoteRunes, true); err != nil {
			return Outcome{}, reject("%v", err)
		}
		if err := checkText("reason", p.Reason, MaxShortText, false); err != nil {
			return Outcome{}, reject("%v", err)
		}
		if d.m.Base > 0 && ver > d.m.Base && o.FlagBy != "" && o.FlagBy != d.m.Staff {
			d.out.Overwrote = &Overwrite{Field: "flag", By: o.FlagBy, At: o.FlagAt}
		}
		if err := d.note(&o, p.NoteID, p.Flag, p.Text, p.Reason, false); err != nil {
			return Outcome{}, err
		}
		o.Flag, o.FlagBy, o.FlagAt = p.Flag, d.m.Staff, d.at
	case KindOrderAddress:
		var p AddressCheckSet
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if o.Status != StatusPaid && o.Status != StatusUnpaid {
			return d.conflict("", time.Time{}, cur, "order %s is %s; its address can no longer change", o.ID, o.Status)
		}
		if err := checkText("courier", p.Courier, MaxShortText, false); err != nil {
			return Outcome{}, reject("%v", err)
		}
		text := o.Address.String()
		switch p.Result {
		case AddressConfirmed:
		case AddressChanged:
			if p.Address == nil {
				return Outcome{}, reject("a changed address needs the new address")
			}
			if err := checkAddress(*p.Address); err != nil {
				return Outcome{}, err
			}
			text = o.Address.String() + " → " + p.Address.String()
			o.Address = *p.Address
		default:
			return Outcome{}, reject("address check %q is not confirmed or changed", p.Result)
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
		if err := d.note(&o, p.NoteID, o.Flag, text, reason, true); err != nil {
			return Outcome{}, err
		}
	case KindOrderCODCall:
		var p CODCall
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if o.Payment != PayCOD {
			return Outcome{}, reject("order %s is not cash on delivery", o.ID)
		}
		if p.Outcome != CallConfirmed && p.Outcome != CallRefused && p.Outcome != CallNoAnswer {
			return Outcome{}, reject("call outcome %q is not confirmed, refused or no_answer", p.Outcome)
		}
		o.CODCall, o.CODCallAt, o.CODCallBy = p.Outcome, d.at, d.m.Staff
		if err := d.note(&o, p.NoteID, o.Flag, string(p.Outcome), "COD call", true); err != nil {
			return Outcome{}, err
		}
	case KindOrderRemind:
		var p Remind
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if o.Status != StatusUnpaid {
			return d.conflict("", time.Time{}, cur, "order %s is %s, not unpaid", o.ID, o.Status)
		}
		if !p.Force && !o.RemindedAt.IsZero() && SameShopDay(o.RemindedAt, d.at) {
			return d.conflict("", o.RemindedAt, cur, "order %s was already reminded today at %s", o.ID, o.RemindedAt.In(ShopZone).Format("15:04"))
		}
		if err := d.message(p.ConversationID, p.MessageID, p.Text, nil); err != nil {
			return Outcome{}, err
		}
		o.RemindedAt = d.at
	case KindOrderClose:
		var p OrderCloseData
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if o.Status != StatusUnpaid {
			return d.conflict("", time.Time{}, cur, "order %s is %s; only unpaid orders can be closed here", o.ID, o.Status)
		}
		if err := checkText("reason", p.Reason, MaxShortText, true); err != nil {
			return Outcome{}, reject("%v", err)
		}
		o.Status, o.CloseReason = StatusClosed, p.Reason
		if err := d.note(&o, p.NoteID, o.Flag, p.Reason, "order closed", true); err != nil {
			return Outcome{}, err
		}
	case KindOrderShipNote:
		var p ShipNotice
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if o.Status != StatusShipped {
			return d.conflict("", time.Time{}, cur, "order %s is %s, not shipped", o.ID, o.Status)
		}
		if !p.Force && !o.ShipNoticeAt.IsZero() {
			return d.conflict("", o.ShipNoticeAt, cur, "order %s: the shipment notice was sent already at %s", o.ID, o.ShipNoticeAt.In(ShopZone).Format("01-02 15:04"))
		}
		if err := d.message(p.ConversationID, p.MessageID, p.Text, nil); err != nil {
			return Outcome{}, err
		}
		o.ShipNoticeAt = d.at
	}
	d.put(TypeOrder, o.ID, o)
	return d.done()
}

func checkAddress(a Address) error {
	for _, f := range []struct{ name, v string }{{"receiver", a.Receiver}, {"province", a.Province}, {"city", a.City}, {"address", a.Detail}} {
		if err := checkText(f.name, f.v, MaxShortText, true); err != nil {
			return reject("%v", err)
		}
	}
	if !ValidPhone(a.Phone) {
		return reject("phone %q is not a phone number", a.Phone)
	}
	return checkText("district", a.District, MaxShortText, false)
}

func (d *decider) afterSales() (Outcome, error) {
	if d.m.Kind == KindCaseOpen {
		var p CaseOpenData
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if err := d.fresh(TypeCase, d.m.Entity); err != nil {
			return Outcome{}, err
		}
		var o Order
		if _, err := d.load(TypeOrder, p.OrderID, &o); err != nil {
			return Outcome{}, err
		}
		if !contains(CaseKinds, p.Kind) {
			return Outcome{}, reject("after-sales kind %q is unknown", p.Kind)
		}
		if err := checkText("summary", p.Summary, MaxNoteRunes, true); err != nil {
			return Outcome{}, reject("%v", err)
		}
		owner := p.Owner
		if owner == "" {
			owner = d.m.Staff
		}
		due := p.Due
		if due.IsZero() {
			due = d.at.Add(3 * 24 * time.Hour)
		}
		c := AfterSalesCase{ID: d.m.Entity, OrderID: o.ID, CustomerID: o.CustomerID, Kind: p.Kind, State: CaseOpen,
			Owner: owner, Due: due, Summary: p.Summary, CreatedAt: d.at, UpdatedAt: d.at,
			Steps: []Step{{To: string(CaseOpen), Staff: d.m.Staff, At: d.at, Note: p.Summary}}}
		d.put(TypeCase, c.ID, c)
		return d.done()
	}
	var p Move
	if err := d.data(&p); err != nil {
		return Outcome{}, err
	}
	var c AfterSalesCase
	if _, err := d.load(TypeCase, d.m.Entity, &c); err != nil {
		return Outcome{}, err
	}
	if err := checkText("note", p.Note, MaxNoteRunes, false); err != nil {
		return Outcome{}, reject("%v", err)
	}
	from, to := CaseState(p.From), CaseState(p.To)
	if !contains(CaseStates, to) {
		return Outcome{}, reject("after-sales state %q is unknown", p.To)
	}
	if c.State != from || !CanMoveCase(from, to) {
		return d.moveConflict(TypeCase, c.ID, c, string(c.State), c.Steps, p)
	}
	c.State, c.UpdatedAt = to, d.at
	c.Steps = append(c.Steps, Step{From: p.From, To: p.To, Staff: d.m.Staff, At: d.at, Note: p.Note})
	d.put(TypeCase, c.ID, c)
	return d.done()
}

// moveConflict reports a state-machine move that does not fit the current state.
func (d *decider) moveConflict(t EntityType, id string, v any, state string, steps []Step, p Move) (Outcome, error) {
	by, at := "", time.Time{}
	if n := len(steps); n > 0 {
		by, at = steps[n-1].Staff, steps[n-1].At
	}
	cur := NewRecord(t, id, v)
	if state != p.From {
		return d.conflict(by, at, cur, "%s %s is %s now, not %s; cannot move it to %s", t, id, state, p.From, p.To)
	}
	return d.conflict(by, at, cur, "%s %s cannot move from %s to %s", t, id, p.From, p.To)
}

func (d *decider) stock() (Outcome, error) {
	var pr Product
	if _, err := d.load(TypeProduct, d.m.Entity, &pr); err != nil {
		return Outcome{}, err
	}
	cur := NewRecord(TypeProduct, pr.ID, pr)
	switch d.m.Kind {
	case KindStockAdjust:
		var p StockAdjust
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		v, ok := pr.Variant(p.SKU)
		if !ok {
			return Outcome{}, reject("product %s has no SKU %s", pr.ID, p.SKU)
		}
		if p.Delta == 0 || p.Delta > MaxQuantity || p.Delta < -MaxQuantity {
			return Outcome{}, reject("adjustment %d is not a sensible quantity", p.Delta)
		}
		if err := checkText("reason", p.Reason, MaxShortText, true); err != nil {
			return Outcome{}, reject("%v", err)
		}
		if v.Warehouse+p.Delta < 0 {
			return d.conflict(pr.UpdatedBy, pr.UpdatedAt, cur, "SKU %s has %d in the warehouse; cannot take away %d", p.SKU, v.Warehouse, -p.Delta)
		}
		v.Warehouse += p.Delta
	case KindStockSet:
		var p StockSet
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		v, ok := pr.Variant(p.SKU)
		if !ok {
			return Outcome{}, reject("product %s has no SKU %s", pr.ID, p.SKU)
		}
		if p.Warehouse < 0 || p.Warehouse > MaxQuantity || p.Expected < 0 {
			return Outcome{}, reject("stock %d is not a sensible quantity", p.Warehouse)
		}
		if err := checkText("reason", p.Reason, MaxShortText, true); err != nil {
			return Outcome{}, reject("%v", err)
		}
		if v.Warehouse != p.Expected {
			return d.conflict(pr.UpdatedBy, pr.UpdatedAt, cur, "SKU %s has %d in the warehouse now, not %d", p.SKU, v.Warehouse, p.Expected)
		}
		v.Warehouse = p.Warehouse
	case KindStockLow:
		var p StockThreshold
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if p.LowStock < 0 || p.LowStock > MaxQuantity {
			return Outcome{}, reject("threshold %d is not a sensible quantity", p.LowStock)
		}
		pr.LowStock = p.LowStock
	}
	pr.UpdatedAt, pr.UpdatedBy = d.at, d.m.Staff
	d.put(TypeProduct, pr.ID, pr)
	return d.done()
}

func (d *decider) review() (Outcome, error) {
	if d.m.Kind == KindEvidenceAdd {
		return d.evidence()
	}
	var rv Review
	if _, err := d.load(TypeReview, d.m.Entity, &rv); err != nil {
		return Outcome{}, err
	}
	switch d.m.Kind {
	case KindReviewMove:
		var p Move
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if err := checkText("note", p.Note, MaxNoteRunes, false); err != nil {
			return Outcome{}, reject("%v", err)
		}
		to := ReviewState(p.To)
		if !contains(ReviewStates, to) {
			return Outcome{}, reject("review state %q is unknown", p.To)
		}
		if string(rv.State) != p.From || !CanMoveReview(rv.State, to) {
			return d.moveConflict(TypeReview, rv.ID, rv, string(rv.State), rv.Steps, p)
		}
		rv.State = to
		rv.Steps = append(rv.Steps, Step{From: p.From, To: p.To, Staff: d.m.Staff, At: d.at, Note: p.Note})
	case KindReviewReply:
		var p ReviewReplyData
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if err := checkText("reply", p.Text, MaxReplyRunes, true); err != nil {
			return Outcome{}, reject("%v", err)
		}
		rv.Reply, rv.ReplyBy, rv.ReplyAt = p.Text, d.m.Staff, d.at
	case KindReviewBuyer:
		var p ReviewBuyerData
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if p.Stars < 1 || p.Stars > 5 {
			return Outcome{}, reject("stars must be 1 to 5")
		}
		if err := checkText("review of the buyer", p.Text, MaxReplyRunes, false); err != nil {
			return Outcome{}, reject("%v", err)
		}
		var o Order
		if _, err := d.load(TypeOrder, rv.OrderID, &o); err != nil {
			return Outcome{}, err
		}
		if o.Status != StatusCompleted {
			return Outcome{}, reject("the buyer can be reviewed only after order %s is completed", o.ID)
		}
		rv.BuyerStars, rv.BuyerText = p.Stars, p.Text
	case KindReviewContact:
		var p ReviewContactData
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if err := d.contactBuyer(rv, p); err != nil {
			return Outcome{}, err
		}
		rv.Contacts++
		if rv.State == ReviewNew || rv.State == ReviewUnreachable {
			rv.Steps = append(rv.Steps, Step{From: string(rv.State), To: string(ReviewContacted), Staff: d.m.Staff, At: d.at, Note: p.Text})
			rv.State = ReviewContacted
		}
	}
	rv.UpdatedAt = d.at
	d.put(TypeReview, rv.ID, rv)
	return d.done()
}

// contactBuyer opens the review buyer's conversation for a contact, starting it when the
// buyer has never chatted (the desk names the new conversation), and sends the contact's
// message, if any, into it. A conversation with another customer is refused.
func (d *decider) contactBuyer(rv Review, p ReviewContactData) error {
	if p.ConversationID == "" {
		if p.Text != "" {
			return reject("a contact message needs the buyer's conversation")
		}
		return nil
	}
	if err := checkID("conversation id", p.ConversationID); err != nil {
		return err
	}
	var c Conversation
	_, found, err := d.r.Get(TypeConversation, p.ConversationID, &c)
	if err != nil {
		return err
	}
	if found && c.CustomerID != rv.CustomerID {
		return reject("conversation %s is not with the review's buyer", p.ConversationID)
	}
	if !found {
		c = Conversation{ID: p.ConversationID, CustomerID: rv.CustomerID, Nick: rv.Nick, ProductID: rv.ProductID,
			OrderID: rv.OrderID, LastAt: d.at, Assignee: d.m.Staff, AssignedAt: d.at}
	}
	if p.Text == "" {
		if !found {
			d.put(TypeConversation, c.ID, c)
		}
		return nil
	}
	if err := checkID("message id", p.MessageID); err != nil {
		return err
	}
	if err := checkText("message", p.Text, MaxMessageRunes, true); err != nil {
		return reject("%v", err)
	}
	return d.messageInto(c, p.MessageID, p.Text, nil)
}

func (d *decider) evidence() (Outcome, error) {
	var p Evidence
	if err := d.data(&p); err != nil {
		return Outcome{}, err
	}
	if err := d.fresh(TypeEvidence, d.m.Entity); err != nil {
		return Outcome{}, err
	}
	var rv Review
	if _, err := d.load(TypeReview, p.ReviewID, &rv); err != nil {
		return Outcome{}, err
	}
	if p.Kind != "chat" && p.Kind != "order" && p.Kind != "file" {
		return Outcome{}, reject("evidence kind %q is not chat, order or file", p.Kind)
	}
	if err := checkText("title", p.Title, MaxShortText, true); err != nil {
		return Outcome{}, reject("%v", err)
	}
	if err := checkText("text", p.Text, 100_000, false); err != nil {
		return Outcome{}, reject("%v", err)
	}
	if len(p.Content) > MaxEvidenceBytes {
		return Outcome{}, reject("file is %d bytes; at most %d", len(p.Content), MaxEvidenceBytes)
	}
	sum := EvidenceHash(p)
	if p.SHA256 != "" && p.SHA256 != sum {
		return Outcome{}, reject("evidence hash does not match its content")
	}
	p.ID, p.SHA256, p.Staff = d.m.Entity, sum, d.m.Staff
	if p.LockedAt.IsZero() || p.LockedAt.After(d.at) {
		p.LockedAt = d.at
	}
	d.put(TypeEvidence, p.ID, p)
	return d.done()
}

// EvidenceHash is the SHA-256 (hex) of an evidence item's content: the file's bytes, or its text.
func EvidenceHash(e Evidence) string {
	b := e.Content
	if e.Kind != "file" {
		b = []byte(e.Text)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (d *decider) customer() (Outcome, error) {
	if d.m.Kind == KindCustomerAdd {
		var c Customer
		if err := d.data(&c); err != nil {
			return Outcome{}, err
		}
		if err := d.fresh(TypeCustomer, d.m.Entity); err != nil {
			return Outcome{}, err
		}
		if err := checkText("nick", c.Nick, MaxShortText, true); err != nil {
			return Outcome{}, reject("%v", err)
		}
		if err := checkCustomer(c); err != nil {
			return Outcome{}, err
		}
		c.ID, c.CreatedAt, c.ChangedBy, c.ChangedAt = d.m.Entity, d.at, d.m.Staff, d.at
		d.put(TypeCustomer, c.ID, c)
		return d.done()
	}
	var p CustomerSet
	if err := d.data(&p); err != nil {
		return Outcome{}, err
	}
	var c Customer
	ver, err := d.load(TypeCustomer, d.m.Entity, &c)
	if err != nil {
		return Outcome{}, err
	}
	if d.m.Base > 0 && ver > d.m.Base && c.ChangedBy != "" && c.ChangedBy != d.m.Staff {
		d.out.Overwrote = &Overwrite{Field: c.ChangedWhat, By: c.ChangedBy, At: c.ChangedAt}
	}
	var fields []string
	setS := func(name string, dst *string, src *string) {
		if src != nil {
			*dst = *src
			fields = append(fields, name)
		}
	}
	setS("name", &c.Name, p.Name)
	setS("phone", &c.Phone, p.Phone)
	setS("birthday", &c.Birthday, p.Birthday)
	setS("city", &c.City, p.City)
	setS("sizes", &c.Sizes, p.Sizes)
	setS("styles", &c.Styles, p.Styles)
	setS("memo", &c.Memo, p.Memo)
	if p.VIP != nil {
		c.VIP = *p.VIP
		fields = append(fields, "vip")
	}
	if p.Tags != nil {
		c.Tags = *p.Tags
		fields = append(fields, "tags")
	}
	if p.Groups != nil {
		c.Groups = *p.Groups
		fields = append(fields, "groups")
	}
	if p.OptOut != nil {
		c.OptOut = *p.OptOut
		fields = append(fields, "opt_out")
	}
	if len(fields) == 0 {
		return Outcome{}, reject("customer.set names no field")
	}
	if err := checkCustomer(c); err != nil {
		return Outcome{}, err
	}
	c.ChangedBy, c.ChangedAt, c.ChangedWhat = d.m.Staff, d.at, strings.Join(fields, ",")
	d.put(TypeCustomer, c.ID, c)
	return d.done()
}

func checkCustomer(c Customer) error {
	for _, f := range []struct{ name, v string }{{"name", c.Name}, {"city", c.City}, {"sizes", c.Sizes}, {"styles", c.Styles}} {
		if err := checkText(f.name, f.v, MaxShortText, false); err != nil {
			return reject("%v", err)
		}
	}
	if err := checkText("memo", c.Memo, MaxNoteRunes, false); err != nil {
		return reject("%v", err)
	}
	if c.Phone != "" && !ValidPhone(c.Phone) {
		return reject("phone %q is not a phone number", c.Phone)
	}
	if c.Birthday != "" && !ValidBirthday(c.Birthday) {
		return reject("birthday %q is not MM-DD or YYYY-MM-DD", c.Birthday)
	}
	if c.VIP < 0 || c.VIP > 5 {
		return reject("VIP level %d is not 0 to 5", c.VIP)
	}
	if len(c.Tags) > 50 || len(c.Groups) > 200 {
		return reject("too many tags or groups")
	}
	for _, t := range append(append([]string{}, c.Tags...), c.Groups...) {
		if err := checkText("tag", t, MaxShortText, true); err != nil {
			return reject("%v", err)
		}
	}
	return nil
}

func (d *decider) phrase() (Outcome, error) {
	var old QuickPhrase
	if err := checkID("phrase id", d.m.Entity); err != nil {
		return Outcome{}, err
	}
	_, exists, err := d.r.Get(TypePhrase, d.m.Entity, &old)
	if err != nil {
		return Outcome{}, err
	}
	if exists && old.Owner != "" && old.Owner != d.m.Staff && d.m.Kind != KindPhraseUse {
		return Outcome{}, reject("phrase %s is %s's personal phrase", d.m.Entity, old.Owner)
	}
	switch d.m.Kind {
	case KindPhrasePut:
		var p QuickPhrase
		if err := d.data(&p); err != nil {
			return Outcome{}, err
		}
		if err := checkText("shortcut", p.Shortcut, MaxShortText, false); err != nil {
			return Outcome{}, reject("%v", err)
		}
		if err := checkText("phrase", p.Text, MaxMessageRunes, true); err != nil {
			return Outcome{}, reject("%v", err)
		}
		if p.Owner != "" && p.Owner != d.m.Staff {
			return Outcome{}, reject("a personal phrase belongs to the staff member who writes it")
		}
		p.ID, p.Uses = d.m.Entity, old.Uses
		d.put(TypePhrase, p.ID, p)
	case KindPhraseDelete:
		if !exists {
			return Outcome{}, reject("phrase %s does not exist", d.m.Entity)
		}
		d.out.Records = append(d.out.Records, Record{Type: TypePhrase, ID: d.m.Entity, Deleted: true})
	case KindPhraseUse:
		if !exists {
			return Outcome{}, reject("phrase %s does not exist", d.m.Entity)
		}
		old.Uses++
		d.put(TypePhrase, old.ID, old)
	}
	return d.done()
}

func (d *decider) autoReply() (Outcome, error) {
	if d.m.Entity != AutoRepliesID {
		return Outcome{}, reject("auto-replies live in entity %q", AutoRepliesID)
	}
	var p AutoReplies
	if err := d.data(&p); err != nil {
		return Outcome{}, err
	}
	if err := ValidateGreeting(p.Greeting); err != nil {
		return Outcome{}, reject("%v", err)
	}
	if err := checkText("off-hours reply", p.OffHours, 1000, false); err != nil {
		return Outcome{}, reject("%v", err)
	}
	for i, h := range p.Hours {
		if h.Open < 0 || h.Close > 24*60 || h.Open > h.Close {
			return Outcome{}, reject("business hours for %s are not a range within the day", time.Weekday(i))
		}
	}
	if p.Location != "" {
		if _, err := time.LoadLocation(p.Location); err != nil {
			return Outcome{}, reject("time zone %q is unknown", p.Location)
		}
	}
	if len(p.Keywords) > 200 {
		return Outcome{}, reject("at most 200 keyword replies")
	}
	for _, k := range p.Keywords {
		if err := checkText("keyword", k.Keyword, MaxShortText, true); err != nil {
			return Outcome{}, reject("%v", err)
		}
		if err := checkText("keyword reply", k.Text, 1000, true); err != nil {
			return Outcome{}, reject("%v", err)
		}
	}
	p.ID, p.UpdatedBy, p.UpdatedAt = AutoRepliesID, d.m.Staff, d.at
	d.put(TypeAutoReply, p.ID, p)
	return d.done()
}

func (d *decider) group() (Outcome, error) {
	if err := checkID("group id", d.m.Entity); err != nil {
		return Outcome{}, err
	}
	if d.m.Kind == KindGroupDelete {
		var g Group
		if _, err := d.load(TypeGroup, d.m.Entity, &g); err != nil {
			return Outcome{}, err
		}
		d.out.Records = append(d.out.Records, Record{Type: TypeGroup, ID: g.ID, Deleted: true})
		return d.done()
	}
	var g Group
	if err := d.data(&g); err != nil {
		return Outcome{}, err
	}
	if err := checkText("group name", g.Name, MaxShortText, true); err != nil {
		return Outcome{}, reject("%v", err)
	}
	if r := g.Rule; r != nil && (r.MinSpent < 0 || r.WithinDays < 0 || r.MinVIP < 0 || r.MinVIP > 5 || r.WithinDays > 3650) {
		return Outcome{}, reject("group rule has a value out of range")
	}
	g.ID = d.m.Entity
	if g.Owner == "" {
		g.Owner = d.m.Staff
	}
	d.put(TypeGroup, g.ID, g)
	return d.done()
}

func (d *decider) complaint() (Outcome, error) {
	if d.m.Kind == KindComplaintOpen {
		var c Complaint
		if err := d.data(&c); err != nil {
			return Outcome{}, err
		}
		if err := d.fresh(TypeComplaint, d.m.Entity); err != nil {
			return Outcome{}, err
		}
		var cu Customer
		if _, err := d.load(TypeCustomer, c.CustomerID, &cu); err != nil {
			return Outcome{}, err
		}
		if c.OrderID != "" {
			var o Order
			if _, err := d.load(TypeOrder, c.OrderID, &o); err != nil {
				return Outcome{}, err
			}
		}
		if !contains(ComplaintCategories, c.Category) {
			return Outcome{}, reject("complaint category %q is unknown", c.Category)
		}
		if err := checkText("description", c.Description, MaxNoteRunes, true); err != nil {
			return Outcome{}, reject("%v", err)
		}
		if c.Owner == "" {
			c.Owner = d.m.Staff
		}
		c.ID, c.State, c.Resolution, c.CreatedAt, c.UpdatedAt = d.m.Entity, ComplaintOpen, "", d.at, d.at
		c.Steps = []Step{{To: string(ComplaintOpen), Staff: d.m.Staff, At: d.at}}
		d.put(TypeComplaint, c.ID, c)
		return d.done()
	}
	var p Move
	if err := d.data(&p); err != nil {
		return Outcome{}, err
	}
	var c Complaint
	if _, err := d.load(TypeComplaint, d.m.Entity, &c); err != nil {
		return Outcome{}, err
	}
	if err := checkText("note", p.Note, MaxNoteRunes, false); err != nil {
		return Outcome{}, reject("%v", err)
	}
	to := ComplaintState(p.To)
	if !contains(ComplaintStates, to) {
		return Outcome{}, reject("complaint state %q is unknown", p.To)
	}
	if string(c.State) != p.From || !CanMoveComplaint(c.State, to) {
		return d.moveConflict(TypeComplaint, c.ID, c, string(c.State), c.Steps, p)
	}
	c.State, c.UpdatedAt = to, d.at
	if to == ComplaintResolved || to == ComplaintUnresolved {
		c.Resolution = p.Note
	}
	c.Steps = append(c.Steps, Step{From: p.From, To: p.To, Staff: d.m.Staff, At: d.at, Note: p.Note})
	d.put(TypeComplaint, c.ID, c)
	return d.done()
}

// CustomerWrites records a message a customer sent through the chat page, and the server's
// automatic replies to it, into the conversation convID (which must exist). autoIDs makes the
// ids of the auto-reply messages. It runs on the server only.
func CustomerWrites(r Reader, convID, msgID, text string, now time.Time, autoID func() string) ([]Record, error) {
	if err := checkText("message", text, MaxMessageRunes, true); err != nil {
		return nil, reject("%v", err)
	}
	if err := checkID("message id", msgID); err != nil {
		return nil, err
	}
	var c Conversation
	if _, ok, err := r.Get(TypeConversation, convID, &c); err != nil {
		return nil, err
	} else if !ok {
		return nil, reject("conversation %s does not exist", convID)
	}
	first := c.Messages == 0
	msg := Message{ID: msgID, ConversationID: convID, From: FromCustomer, Text: text, At: now}
	recs := []Record{NewRecord(TypeMessage, msgID, msg)}
	c.Messages++
	c.Unread++
	c.LastText, c.LastAt, c.Closed = PreviewText(msg), now, false
	if c.WaitingSince.IsZero() {
		c.WaitingSince = now
	}
	var rules AutoReplies
	if _, ok, err := r.Get(TypeAutoReply, AutoRepliesID, &rules); err != nil {
		return nil, err
	} else if ok {
		for i, t := range rules.Replies(first, text, now) {
			am := Message{ID: autoID(), ConversationID: convID, From: FromAuto, Text: t, At: now.Add(time.Duration(i+1) * time.Millisecond)}
			recs = append(recs, NewRecord(TypeMessage, am.ID, am))
			c.Messages++
			c.LastText, c.LastAt = PreviewText(am), am.At
		}
	}
	recs = append(recs, NewRecord(TypeConversation, convID, c))
	return recs, nil
}
