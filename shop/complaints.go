package shop

// The complaint kinds.
const (
	KindComplaintOpen Kind = "complaint.open" // entity: the new complaint's id
	KindComplaintMove Kind = "complaint.move"
)

var complaintKinds = []KindSpec{
	{Kind: KindComplaintOpen, Entity: TypeComplaint, New: true, Creates: []Creation{{Type: TypeComplaint}}, Label: "Complaint", Rule: withData(complaintOpen)},
	{Kind: KindComplaintMove, Entity: TypeComplaint, Creates: CreatesNothing, Label: "Complaint moved", Rule: withData(complaintMove)},
}

func complaintOpen(d *decider, c Complaint) error {
	var cu Customer
	if _, err := d.load(TypeCustomer, c.CustomerID, &cu); err != nil {
		return err
	}
	if c.OrderID != "" {
		var o Order
		if _, err := d.load(TypeOrder, c.OrderID, &o); err != nil {
			return err
		}
	}
	if !contains(ComplaintCategories, c.Category) {
		return reject("complaint category %q is unknown", c.Category)
	}
	if err := rejectText("description", c.Description, MaxNoteRunes, true); err != nil {
		return err
	}
	if c.Owner == "" {
		c.Owner = d.m.Staff
	}
	c.ID, c.State, c.Resolution, c.CreatedAt, c.UpdatedAt = d.m.Entity, ComplaintOpen, "", d.at, d.at
	c.Steps = []Step{{To: string(ComplaintOpen), Staff: d.m.Staff, At: d.at}}
	d.put(TypeComplaint, c.ID, c)
	return nil
}

func complaintMove(d *decider, p Move) error {
	var c Complaint
	if _, err := d.load(TypeComplaint, d.m.Entity, &c); err != nil {
		return err
	}
	to, err := moveTo(d, p, machine[ComplaintState]{"complaint", ComplaintStates, CanMoveComplaint}, c.State, c.Steps, NewRecord(TypeComplaint, c.ID, c))
	if err != nil {
		return err
	}
	c.State, c.UpdatedAt = to, d.at
	if to == ComplaintResolved || to == ComplaintUnresolved {
		c.Resolution = p.Note
	}
	c.Steps = append(c.Steps, d.step(p))
	d.put(TypeComplaint, c.ID, c)
	return nil
}
