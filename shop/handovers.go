package shop

import "time"

// The handover kinds: a note to the next shift with the open work attached, and the next
// person's acknowledgement of it.
const (
	KindHandoverWrite Kind = "handover.write" // entity: the new handover's id
	KindHandoverAck   Kind = "handover.ack"
)

var handoverKinds = []KindSpec{
	{Kind: KindHandoverWrite, Entity: TypeHandover, New: true, Creates: []Creation{{Type: TypeHandover}}, Label: "Shift handover", Rule: withData(handoverWrite)},
	{Kind: KindHandoverAck, Entity: TypeHandover, Creates: CreatesNothing, Label: "Handover acknowledged", Rule: change(handoverAck)},
}

// MaxHandoverItems is the most open work one handover carries.
const MaxHandoverItems = 200

// HandoverItemTypes are the kinds of open work a handover may carry.
var HandoverItemTypes = []EntityType{TypeConversation, TypeCase, TypeComplaint, TypeCall, TypeOrder, TypeReview, TypeConcession}

// HandoverWrite writes a handover: the note, who it is for ("" for whoever comes next) and
// the open work the writer kept.
type HandoverWrite struct {
	To    string         `json:"to,omitempty"`
	Note  string         `json:"note"`
	Items []HandoverItem `json:"items,omitempty"`
}

func handoverWrite(d *decider, p HandoverWrite) error {
	if err := rejectText("handover note", p.Note, MaxNoteRunes, len(p.Items) == 0); err != nil {
		return err
	}
	if len(p.Items) > MaxHandoverItems {
		return reject("too many handover items")
	}
	for _, it := range p.Items {
		if !contains(HandoverItemTypes, it.Type) {
			return reject("handover item type %q is unknown", it.Type)
		}
		if err := checkID("handover item id", it.ID); err != nil {
			return err
		}
		if err := rejectText("handover item", it.Text, MaxShortText, false); err != nil {
			return err
		}
	}
	if p.To != "" {
		var s Staff
		if _, err := d.load(TypeStaff, p.To, &s); err != nil {
			return err
		}
	}
	h := Handover{ID: d.m.Entity, From: d.m.Staff, To: p.To, At: d.at, Note: p.Note, Items: p.Items}
	d.put(TypeHandover, h.ID, h)
	return nil
}

func handoverAck(d *decider, h *Handover, _ NoData) error {
	if h.From == d.m.Staff {
		return reject("handover %s is for the next shift, not for %s", h.ID, h.From)
	}
	if h.To != "" && h.To != d.m.Staff {
		var s Staff
		if _, ok, err := d.r.Get(TypeStaff, d.m.Staff, &s); err != nil {
			return err
		} else if !ok || !IsManager(s) {
			return reject("handover %s is for the next shift, not for %s", h.ID, d.m.Staff)
		}
	}
	if h.AckBy != "" {
		return d.conflict(h.AckBy, h.AckAt, d.cur, "handover %s was acknowledged by %s already", h.ID, h.AckBy)
	}
	h.AckBy, h.AckAt = d.m.Staff, d.at
	return nil
}

// Open reports whether the handover still waits for the next shift's acknowledgement.
func (h Handover) Open() bool { return h.AckBy == "" }

// CallBackDue is how long after its promised time a call-back is still open work to hand
// over; later it is a missed call-back the KPIs count, not today's work.
const CallBackDue = 3 * 24 * time.Hour
