package shop

import "time"

// The outage kind: a desk records a stretch it could not reach the store server, or was not
// running while its staff member was signed in, so the KPIs leave it out. Outages are
// append-only records: each is new and never changes.
const KindOutageRecord Kind = "outage.record" // entity: the new outage's id

// MaxOutage is the longest stretch one outage may cover; a longer gap is recorded as several.
const MaxOutage = 31 * 24 * time.Hour

// outageSlack is how far in the future of the server's clock an outage may end (desk clocks
// drift a little).
const outageSlack = 5 * time.Minute

var outageKinds = []KindSpec{
	{Kind: KindOutageRecord, Entity: TypeOutage, New: true, Creates: []Creation{{Type: TypeOutage}}, Label: "Offline stretch", Rule: withData(outageRecord)},
}

func outageRecord(d *decider, o Outage) error {
	if o.From.IsZero() || o.To.IsZero() || !o.To.After(o.From) {
		return reject("an outage needs a start before its end")
	}
	if o.To.Sub(o.From) > MaxOutage {
		return reject("an outage covers at most %d days", int(MaxOutage.Hours()/24))
	}
	if o.To.After(d.at.Add(outageSlack)) {
		return reject("an outage cannot end in the future")
	}
	if err := rejectText("reason", o.Why, MaxShortText, false); err != nil {
		return err
	}
	if err := rejectText("desk", o.Desk, MaxShortText, false); err != nil {
		return err
	}
	o.ID, o.Staff = d.m.Entity, d.m.Staff
	d.put(TypeOutage, o.ID, o)
	return nil
}
