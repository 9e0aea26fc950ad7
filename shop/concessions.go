package shop

import (
	"fmt"
	"time"
)

// The concession kinds. A staff member gives a concession (a price cut, free shipping or a
// small refund) on an order: within her limits per order and per day (TeamSettings.LimitOf)
// it is applied at once and noted on the order; above either it becomes a request that the
// shop's owner or a manager approves or declines. The rule reads the limits and the totals
// (the order's Conceded, the staff member's ConcessionTally) from the state it decides on, so
// the server, deciding on its own state, keeps a desk that was offline — or two desks giving
// at once — within the limits: what a desk applied locally may come back as a request.
const (
	KindConcessionGive    Kind = "concession.give" // entity: the new concession's id
	KindConcessionApprove Kind = "concession.approve"
	KindConcessionDecline Kind = "concession.decline"
)

var concessionKinds = []KindSpec{
	{Kind: KindConcessionGive, Entity: TypeConcession, New: true, Creates: []Creation{{Type: TypeConcession}, {TypeNote, "note_id"}}, Label: "Concession", Rule: withData(concessionGive)},
	{Kind: KindConcessionApprove, Entity: TypeConcession, Creates: []Creation{{TypeNote, "note_id"}}, Label: "Concession approved", Rule: change(concessionApprove)},
	{Kind: KindConcessionDecline, Entity: TypeConcession, Creates: []Creation{{TypeNote, "note_id"}}, Label: "Concession declined", Rule: change(concessionDecline)},
}

// ConcessionKinds lists the concession kinds in the order the desk offers them.
var ConcessionKinds = []ConcessionKind{ConcessionFreeShipping, ConcessionPriceCut, ConcessionRefund}

// ConcessionGive gives (or, above the staff member's limits, asks for) a concession on an
// order; NoteID is the id of the note it adds to the order.
type ConcessionGive struct {
	NoteID         string         `json:"note_id"`
	OrderID        string         `json:"order_id"`
	ConversationID string         `json:"conversation_id,omitempty"`
	Kind           ConcessionKind `json:"kind"`
	Amount         Cents          `json:"amount"`
	Reason         string         `json:"reason"`
}

// ConcessionDecide approves or declines a requested concession, with the manager's answer;
// NoteID is the id of the note it adds to the order.
type ConcessionDecide struct {
	NoteID string `json:"note_id"`
	Answer string `json:"answer,omitempty"`
}

// ConcessionTally is what one staff member gave within her own limits, by shop day (the
// days of the last week she gave on): the totals the daily limit is checked against. There
// is one per staff member, its id her staff number, so that a desk and the server always
// write the same entity even when their clocks disagree on the day.
type ConcessionTally struct {
	ID   string                   `json:"id"`             // the staff number
	Days map[string]ConcessionDay `json:"days,omitempty"` // by ShopDay
}

// ConcessionDay is one shop day of a ConcessionTally.
type ConcessionDay struct {
	Given Cents `json:"given"`
	Count int   `json:"count"`
}

// TallyKeepDays is how many days back from the newest a ConcessionTally keeps.
const TallyKeepDays = 7

// ShopDay is the shop day of at, YYYY-MM-DD in the shop's zone.
func ShopDay(at time.Time) string { return at.In(ShopZone).Format(time.DateOnly) }

// On is what the staff member gave on the shop day of at.
func (t ConcessionTally) On(at time.Time) ConcessionDay { return t.Days[ShopDay(at)] }

// add counts a concession of amount on the shop day of at, and forgets the days more than
// TallyKeepDays before the newest.
func (t *ConcessionTally) add(at time.Time, amount Cents) {
	if t.Days == nil {
		t.Days = map[string]ConcessionDay{}
	}
	day := ShopDay(at)
	d := t.Days[day]
	d.Given += amount
	d.Count++
	t.Days[day] = d
	newest := day
	for k := range t.Days {
		newest = max(newest, k)
	}
	last, err := time.ParseInLocation(time.DateOnly, newest, ShopZone)
	if err != nil {
		return
	}
	oldest := ShopDay(last.AddDate(0, 0, -TallyKeepDays))
	for k := range t.Days {
		if k < oldest {
			delete(t.Days, k)
		}
	}
}

// The reasons of the notes concessions add to their orders (the desk words them).
const (
	NoteConcessionApplied   = "concession applied"
	NoteConcessionRequested = "concession requested"
	NoteConcessionApproved  = "concession approved"
	NoteConcessionDeclined  = "concession declined"
)

// Within reports whether a concession of amount by a staff member with limit lim fits: the
// order has conceded orderSoFar already, the staff member gave daySoFar today.
func (lim ConcessionLimit) Within(amount, orderSoFar, daySoFar Cents) bool {
	return orderSoFar+amount <= lim.PerOrder && daySoFar+amount <= lim.PerDay
}

// ConcessionAllowed reports whether an order in its status can take a concession of kind k:
// none on a closed order; price cuts and free shipping change what the buyer is yet to pay
// (before payment, or before a cash-on-delivery order ships), a refund gives back what was
// paid.
func ConcessionAllowed(o Order, k ConcessionKind) bool {
	switch {
	case o.Status == StatusClosed:
		return false
	case k == ConcessionRefund:
		return o.Status != StatusUnpaid
	}
	return o.Status == StatusUnpaid || (o.Payment == PayCOD && o.Status == StatusPaid)
}

func concessionGive(d *decider, p ConcessionGive) error {
	if !contains(ConcessionKinds, p.Kind) {
		return reject("concession kind %q is unknown", p.Kind)
	}
	if err := rejectText("reason", p.Reason, MaxShortText, true); err != nil {
		return err
	}
	var o Order
	if _, err := d.load(TypeOrder, p.OrderID, &o); err != nil {
		return err
	}
	if p.Amount <= 0 || p.Amount > MaxConcessionFen {
		return reject("concession amount %s is out of range", p.Amount)
	}
	if p.Amount > o.Total {
		return reject("concession amount %s is more than the order's total", p.Amount)
	}
	if p.ConversationID != "" {
		var c Conversation
		if _, err := d.load(TypeConversation, p.ConversationID, &c); err != nil {
			return err
		}
	}
	if !ConcessionAllowed(o, p.Kind) {
		return d.conflict("", time.Time{}, NewRecord(TypeOrder, o.ID, o), "order %s is %s; it cannot take a %s concession", o.ID, o.Status, p.Kind)
	}
	var team TeamSettings
	if _, _, err := d.r.Get(TypeTeam, TeamID, &team); err != nil {
		return err
	}
	tally := ConcessionTally{ID: d.m.Staff}
	if _, _, err := d.r.Get(TypeConcessionTally, d.m.Staff, &tally); err != nil {
		return err
	}
	c := Concession{ID: d.m.Entity, OrderID: o.ID, CustomerID: o.CustomerID, ConversationID: p.ConversationID,
		Kind: p.Kind, Amount: p.Amount, Reason: p.Reason, Staff: d.m.Staff, At: d.at, State: ConcessionRequested}
	reason := NoteConcessionRequested
	if team.LimitOf(d.m.Staff).Within(p.Amount, o.Conceded, tally.On(d.at).Given) {
		c.State, reason = ConcessionApplied, NoteConcessionApplied
		o.Conceded += p.Amount
		tally.add(d.at, p.Amount)
		d.put(TypeConcessionTally, tally.ID, tally)
	}
	d.put(TypeConcession, c.ID, c)
	if err := d.note(&o, p.NoteID, o.Flag, concessionNoteText(c, c.Reason), reason, true); err != nil {
		return err
	}
	d.put(TypeOrder, o.ID, o)
	return nil
}

// concessionNoteText is the text of a concession's note on its order: the amount, the kind and
// why.
func concessionNoteText(c Concession, why string) string {
	return fmt.Sprintf("%s %s · %s", c.Amount, c.Kind, why)
}

// decideConcession checks that the mutation's staff member may decide requested concession c
// (else a rejection) and that it is still undecided (else a conflict), then records the
// decision and its note on the order.
func decideConcession(d *decider, c *Concession, p ConcessionDecide, to ConcessionState) error {
	if err := d.needManager("decide a concession request"); err != nil {
		return err
	}
	if err := rejectText("answer", p.Answer, MaxShortText, false); err != nil {
		return err
	}
	if c.State != ConcessionRequested {
		return d.conflict(c.DecidedBy, c.DecidedAt, d.cur, "concession %s is %s already", c.ID, c.State)
	}
	var o Order
	if _, err := d.load(TypeOrder, c.OrderID, &o); err != nil {
		return err
	}
	c.State, c.DecidedBy, c.DecidedAt, c.Answer = to, d.m.Staff, d.at, p.Answer
	reason := NoteConcessionDeclined
	if to == ConcessionApproved {
		reason = NoteConcessionApproved
		o.Conceded += c.Amount
	}
	why := p.Answer
	if why == "" {
		why = c.Reason
	}
	if err := d.note(&o, p.NoteID, o.Flag, concessionNoteText(*c, why), reason, true); err != nil {
		return err
	}
	d.put(TypeOrder, o.ID, o)
	return nil
}

func concessionApprove(d *decider, c *Concession, p ConcessionDecide) error {
	return decideConcession(d, c, p, ConcessionApproved)
}

func concessionDecline(d *decider, c *Concession, p ConcessionDecide) error {
	return decideConcession(d, c, p, ConcessionDeclined)
}

// Decided reports whether a manager approved or declined the concession.
func (c Concession) Decided() bool {
	return c.State == ConcessionApproved || c.State == ConcessionDeclined
}

// InForce reports whether the concession counts on its order: applied or approved.
func (c Concession) InForce() bool {
	return c.State == ConcessionApplied || c.State == ConcessionApproved
}
