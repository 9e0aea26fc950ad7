package shop

import "time"

// The team's work (the records of issue 19): outbound calls, the weekly call quota, shift
// handovers, concessions and their approval, the desks' offline stretches and the team settings a
// manager keeps. The kinds that write them live in the files of their families (calls.go,
// handovers.go, concessions.go, outages.go, team_settings.go); the figures computed from them in
// kpi.go and ranking.go.

// The team's entity types. Their JSON values are part of the store API.
const (
	TypeCall       EntityType = "call"       // one outbound call (CallLog)
	TypeHandover   EntityType = "handover"   // a note to the next shift (Handover)
	TypeConcession EntityType = "concession" // a price cut, free shipping or small refund (Concession)
	TypeOutage     EntityType = "outage"     // a stretch a desk was offline (Outage)
	TypeTeam       EntityType = "team"       // the shop's team settings (TeamSettings), id TeamID
	// TypeConcessionTally is one staff member's concessions within her limits by shop day
	// (ConcessionTally), id her staff number: what the rule of concession.give checks the
	// daily limit against.
	TypeConcessionTally EntityType = "concession_tally"
)

// TeamID is the id of the shop's single TeamSettings entity.
const TeamID = "team"

// CallPurpose is why a staff member called a customer.
type CallPurpose string

// Call purposes.
const (
	CallCOD         CallPurpose = "cod"         // cash-on-delivery confirmation
	CallPayment     CallPurpose = "payment"     // payment reminder (催付)
	CallRetention   CallPurpose = "retention"   // 维系挽留
	CallAfterSales  CallPurpose = "after_sales" // after-sales
	CallReviewFixup CallPurpose = "review"      // review follow-up
	CallOtherReason CallPurpose = "other"       // anything else
)

// CallPurposes lists the purposes in the order the desk offers them.
var CallPurposes = []CallPurpose{CallCOD, CallPayment, CallRetention, CallAfterSales, CallReviewFixup, CallOtherReason}

// CallResult is how an outbound call went.
type CallResult string

// Call results.
const (
	CallReached  CallResult = "reached"   // spoke with the customer
	CallNoPickup CallResult = "no_answer" // nobody answered
	CallWrongNo  CallResult = "wrong_number"
	CallCallBack CallResult = "call_back" // asked to be called back (a promised call-back)
	CallDeclined CallResult = "declined"  // refused what was asked
	CallAgreed   CallResult = "confirmed" // confirmed what was asked (COD, address …)
)

// CallLog is one outbound call, append-only: it never conflicts.
type CallLog struct {
	ID         string      `json:"id"`
	Staff      string      `json:"staff"` // who called
	At         time.Time   `json:"at"`
	CustomerID string      `json:"customer_id,omitempty"`
	OrderID    string      `json:"order_id,omitempty"`
	ReviewID   string      `json:"review_id,omitempty"`
	CaseID     string      `json:"case_id,omitempty"`
	Purpose    CallPurpose `json:"purpose"`
	Result     CallResult  `json:"result"`
	Seconds    int         `json:"seconds,omitempty"` // the call's duration
	Note       string      `json:"note,omitempty"`
	// CallBackAt is when the staff member promised to call back, for CallCallBack; zero otherwise.
	CallBackAt time.Time `json:"call_back_at,omitzero"`
}

// HandoverItem is one piece of open work a handover carries to the next shift.
type HandoverItem struct {
	Type EntityType `json:"type"` // conversation, case, complaint, call (a promised call-back), order
	ID   string     `json:"id"`
	Text string     `json:"text"` // what it is, as the handover's writer saw it
}

// Handover is a note from one shift to the next, with the open work attached.
type Handover struct {
	ID    string         `json:"id"`
	From  string         `json:"from"`         // staff number of the writer
	To    string         `json:"to,omitempty"` // staff number of the next shift; "" for whoever signs in next
	At    time.Time      `json:"at"`
	Note  string         `json:"note"`
	Items []HandoverItem `json:"items,omitempty"`
	AckBy string         `json:"ack_by,omitempty"` // who acknowledged it; "" while unacknowledged
	AckAt time.Time      `json:"ack_at,omitzero"`
}

// ConcessionKind is what a concession gives the buyer.
type ConcessionKind string

// Concession kinds.
const (
	ConcessionPriceCut     ConcessionKind = "price_cut"     // 改价 before payment
	ConcessionFreeShipping ConcessionKind = "free_shipping" // 包邮
	ConcessionRefund       ConcessionKind = "refund"        // a small refund (小额退款)
)

// ConcessionState is where a concession stands.
type ConcessionState string

// Concession states: applied within the staff member's limits, or requested above them and then
// approved (applied) or declined by a manager.
const (
	ConcessionApplied   ConcessionState = "applied"
	ConcessionRequested ConcessionState = "requested"
	ConcessionApproved  ConcessionState = "approved"
	ConcessionDeclined  ConcessionState = "declined"
)

// Concession is a price cut, free shipping or a small refund on an order.
type Concession struct {
	ID             string          `json:"id"`
	OrderID        string          `json:"order_id"`
	CustomerID     string          `json:"customer_id,omitempty"`
	ConversationID string          `json:"conversation_id,omitempty"` // the chat it was asked in
	Kind           ConcessionKind  `json:"kind"`
	Amount         Cents           `json:"amount"`
	Reason         string          `json:"reason"`
	Staff          string          `json:"staff"` // who gave or asked for it
	At             time.Time       `json:"at"`
	State          ConcessionState `json:"state"`
	DecidedBy      string          `json:"decided_by,omitempty"` // the manager who approved or declined
	DecidedAt      time.Time       `json:"decided_at,omitzero"`
	Answer         string          `json:"answer,omitempty"` // the manager's word on it
}

// Outage is a stretch during which a desk could not reach the store server (or was not
// running while signed in): KPIs leave it out, so an outage never counts against an agent.
type Outage struct {
	ID    string    `json:"id"`
	Staff string    `json:"staff"` // who was signed in on the desk
	Desk  string    `json:"desk,omitempty"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Why   string    `json:"why,omitempty"` // offline, server down, desk closed
}

// ConcessionLimit is how much one staff member may give without a manager: per order and per
// day, in fen. Zero means nothing without approval.
type ConcessionLimit struct {
	PerOrder Cents `json:"per_order"`
	PerDay   Cents `json:"per_day"`
}

// RankingWeights weigh the monthly ranking's figures (评比); they need not sum to anything.
type RankingWeights struct {
	Response   int `json:"response"`   // faster first response
	Conversion int `json:"conversion"` // consulted-to-ordered
	Quota      int `json:"quota"`      // calls against the weekly quota
	Complaints int `json:"complaints"` // complaints resolved
	Revisions  int `json:"revisions"`  // bad reviews brought to revision
}

// DefaultCallQuota is the weekly call quota of a staff member the manager has not set one for.
const DefaultCallQuota = 200

// DefaultRankingWeights are the ranking's weights until a manager sets them.
var DefaultRankingWeights = RankingWeights{Response: 30, Conversion: 25, Quota: 20, Complaints: 15, Revisions: 10}

// DefaultConcessionLimit is the limit of a staff member the manager has not set one for:
// ¥10 per order, ¥50 a day.
var DefaultConcessionLimit = ConcessionLimit{PerOrder: 1000, PerDay: 5000}

// TeamSettings is what a manager sets for the team; one entity per shop, id TeamID.
type TeamSettings struct {
	ID string `json:"id"`
	// CallQuota is each staff member's weekly call quota by staff number; absent means
	// DefaultCallQuota.
	CallQuota map[string]int `json:"call_quota,omitempty"`
	// Limits are the concession limits by staff number; absent means DefaultConcessionLimit.
	Limits map[string]ConcessionLimit `json:"limits,omitempty"`
	// Weights are the ranking's weights; nil means DefaultRankingWeights.
	Weights   *RankingWeights `json:"weights,omitempty"`
	UpdatedBy string          `json:"updated_by,omitempty"`
	UpdatedAt time.Time       `json:"updated_at,omitzero"`
}

// QuotaOf returns staff member staff's weekly call quota.
func (t TeamSettings) QuotaOf(staff string) int {
	if q, ok := t.CallQuota[staff]; ok {
		return q
	}
	return DefaultCallQuota
}

// LimitOf returns staff member staff's concession limit.
func (t TeamSettings) LimitOf(staff string) ConcessionLimit {
	if l, ok := t.Limits[staff]; ok {
		return l
	}
	return DefaultConcessionLimit
}

// RankingWeights returns the ranking's weights in force.
func (t TeamSettings) RankingWeights() RankingWeights {
	if t.Weights != nil {
		return *t.Weights
	}
	return DefaultRankingWeights
}
