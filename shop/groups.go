package shop

// The customer-group kinds; their entity is a group.
const (
	KindGroupPut    Kind = "group.put"
	KindGroupDelete Kind = "group.delete"
)

var groupKinds = []KindSpec{
	{Kind: KindGroupPut, Entity: TypeGroup, Creates: CreatesNothing, Label: "Customer group", Rule: withData(groupPut)},
	{Kind: KindGroupDelete, Entity: TypeGroup, Creates: CreatesNothing, Label: "Customer group deleted", Rule: withData(groupDelete)},
}

func groupPut(d *decider, g Group) error {
	if err := rejectText("group name", g.Name, MaxShortText, true); err != nil {
		return err
	}
	if r := g.Rule; r != nil && (r.MinSpent < 0 || r.WithinDays < 0 || r.MinVIP < 0 || r.MinVIP > 5 || r.WithinDays > 3650) {
		return reject("group rule has a value out of range")
	}
	g.ID = d.m.Entity
	if g.Owner == "" {
		g.Owner = d.m.Staff
	}
	d.put(TypeGroup, g.ID, g)
	return nil
}

func groupDelete(d *decider, _ NoData) error {
	var g Group
	if _, err := d.load(TypeGroup, d.m.Entity, &g); err != nil {
		return err
	}
	d.out.Records = append(d.out.Records, Record{Type: TypeGroup, ID: g.ID, Deleted: true})
	return nil
}
