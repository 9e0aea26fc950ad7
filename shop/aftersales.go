package shop

import "time"

// The after-sales kinds.
const (
	KindCaseOpen Kind = "case.open" // entity: the new case's id
	KindCaseMove Kind = "case.move"
)

var caseKinds = []KindSpec{
	{Kind: KindCaseOpen, Entity: TypeCase, New: true, Creates: []Creation{{Type: TypeCase}}, Label: "After-sales case opened", Rule: withData(caseOpen)},
	{Kind: KindCaseMove, Entity: TypeCase, Creates: CreatesNothing, Label: "After-sales case moved", Rule: withData(caseMove)},
}

// CaseOpenData opens an after-sales case.
type CaseOpenData struct {
	OrderID string    `json:"order_id"`
	Kind    CaseKind  `json:"kind"`
	Owner   string    `json:"owner"`
	Due     time.Time `json:"due"`
	Summary string    `json:"summary"`
}

// Move asks a state machine to move from one state to another; the server checks the move.
type Move struct {
	From string `json:"from"`
	To   string `json:"to"`
	Note string `json:"note,omitempty"`
}

func caseOpen(d *decider, p CaseOpenData) error {
	var o Order
	if _, err := d.load(TypeOrder, p.OrderID, &o); err != nil {
		return err
	}
	if !contains(CaseKinds, p.Kind) {
		return reject("after-sales kind %q is unknown", p.Kind)
	}
	if err := rejectText("summary", p.Summary, MaxNoteRunes, true); err != nil {
		return err
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
	return nil
}

func caseMove(d *decider, p Move) error {
	var c AfterSalesCase
	if _, err := d.load(TypeCase, d.m.Entity, &c); err != nil {
		return err
	}
	to, err := moveTo(d, p, machine[CaseState]{"after-sales", CaseStates, CanMoveCase}, c.State, c.Steps, NewRecord(TypeCase, c.ID, c))
	if err != nil {
		return err
	}
	c.State, c.UpdatedAt = to, d.at
	c.Steps = append(c.Steps, d.step(p))
	d.put(TypeCase, c.ID, c)
	return nil
}

// machine is a state machine a Move moves: what its states are called in a rejection, the
// states, and the moves allowed.
type machine[S ~string] struct {
	what   string
	states []S
	can    func(from, to S) bool
}

// moveTo checks move p of a machine in state state, whose entity is cur and whose steps so far
// are steps: the note, that p.To is a state (else a rejection), and that the machine is in
// p.From and may move to p.To (else a conflict). It returns the new state.
func moveTo[S ~string](d *decider, p Move, m machine[S], state S, steps []Step, cur Record) (S, error) {
	if err := rejectText("note", p.Note, MaxNoteRunes, false); err != nil {
		return "", err
	}
	to := S(p.To)
	if !contains(m.states, to) {
		return "", reject("%s state %q is unknown", m.what, p.To)
	}
	if string(state) == p.From && m.can(state, to) {
		return to, nil
	}
	by, at := "", time.Time{}
	if n := len(steps); n > 0 {
		by, at = steps[n-1].Staff, steps[n-1].At
	}
	if string(state) != p.From {
		return "", d.conflict(by, at, cur, "%s %s is %s now, not %s; cannot move it to %s", cur.Type, cur.ID, state, p.From, p.To)
	}
	return "", d.conflict(by, at, cur, "%s %s cannot move from %s to %s", cur.Type, cur.ID, p.From, p.To)
}

// step is the step of a state machine that move p makes.
func (d *decider) step(p Move) Step {
	return Step{From: p.From, To: p.To, Staff: d.m.Staff, At: d.at, Note: p.Note}
}
