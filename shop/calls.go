package shop

import "time"

// The call kind: an outbound call to a customer, logged by the staff member who made it.
// Call logs are append-only and never conflict; the week's count against TeamSettings'
// quota is the desk's (localdb) and the KPIs' to work out.
const KindCallLog Kind = "call.log" // entity: the new call's id

var callKinds = []KindSpec{
	{Kind: KindCallLog, Entity: TypeCall, New: true, Creates: []Creation{{Type: TypeCall}}, Label: "Call logged", Rule: withData(callLog)},
}

// MaxCallSeconds is the longest call that can be logged.
const MaxCallSeconds = 4 * 3600

// CallLogData logs an outbound call: who was called (a customer, or the customer of an order,
// review or case), why, how it went, how long it took and, for a promised call-back, when.
type CallLogData struct {
	CustomerID string      `json:"customer_id,omitempty"`
	OrderID    string      `json:"order_id,omitempty"`
	ReviewID   string      `json:"review_id,omitempty"`
	CaseID     string      `json:"case_id,omitempty"`
	Purpose    CallPurpose `json:"purpose"`
	Result     CallResult  `json:"result"`
	Seconds    int         `json:"seconds,omitempty"`
	Note       string      `json:"note,omitempty"`
	CallBackAt time.Time   `json:"call_back_at,omitzero"`
}

// CallResults lists the call results in the order the desk offers them.
var CallResults = []CallResult{CallReached, CallAgreed, CallNoPickup, CallCallBack, CallDeclined, CallWrongNo}

func callLog(d *decider, p CallLogData) error {
	if !contains(CallPurposes, p.Purpose) {
		return reject("call purpose %q is unknown", p.Purpose)
	}
	if !contains(CallResults, p.Result) {
		return reject("call result %q is unknown", p.Result)
	}
	if p.Seconds < 0 || p.Seconds > MaxCallSeconds {
		return reject("call duration %d is out of range", p.Seconds)
	}
	if err := rejectText("call note", p.Note, MaxNoteRunes, false); err != nil {
		return err
	}
	c := CallLog{ID: d.m.Entity, Staff: d.m.Staff, At: d.at, CustomerID: p.CustomerID, OrderID: p.OrderID,
		ReviewID: p.ReviewID, CaseID: p.CaseID, Purpose: p.Purpose, Result: p.Result, Seconds: p.Seconds, Note: p.Note}
	// Whatever the call is about names its customer, when the call does not.
	about := func(customer string) {
		if c.CustomerID == "" {
			c.CustomerID = customer
		}
	}
	if p.OrderID != "" {
		var o Order
		if _, err := d.load(TypeOrder, p.OrderID, &o); err != nil {
			return err
		}
		about(o.CustomerID)
	}
	if p.ReviewID != "" {
		var r Review
		if _, err := d.load(TypeReview, p.ReviewID, &r); err != nil {
			return err
		}
		about(r.CustomerID)
	}
	if p.CaseID != "" {
		var k AfterSalesCase
		if _, err := d.load(TypeCase, p.CaseID, &k); err != nil {
			return err
		}
		about(k.CustomerID)
	}
	if c.CustomerID == "" {
		return reject("a call needs the customer called")
	}
	var cu Customer
	if _, err := d.load(TypeCustomer, c.CustomerID, &cu); err != nil {
		return err
	}
	if p.Result == CallCallBack {
		if p.CallBackAt.IsZero() {
			return reject("a call-back needs its time")
		}
		c.CallBackAt = p.CallBackAt
	}
	d.put(TypeCall, c.ID, c)
	return nil
}

// WeekStart is the start of the shop week (Monday 00:00 in the shop's zone) that t falls in:
// call quotas are per such week.
func WeekStart(t time.Time) time.Time {
	t = t.In(ShopZone)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, ShopZone)
	back := (int(day.Weekday()) + 6) % 7 // days since Monday
	return day.AddDate(0, 0, -back)
}
