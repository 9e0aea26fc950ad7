package shop

import "time"

// The auto-reply kind; its entity is always AutoRepliesID.
const KindAutoReplyPut Kind = "autoreply.put"

var autoReplyKinds = []KindSpec{
	{Kind: KindAutoReplyPut, Entity: TypeAutoReply, EntityID: AutoRepliesID, Creates: CreatesNothing, Label: "Auto-replies", Rule: rule(autoRepliesTarget, autoReplyPut)},
}

// autoRepliesTarget checks that the mutation names the one auto-replies entity.
func autoRepliesTarget(d *decider, _ *struct{}) error {
	if d.m.Entity != d.spec.EntityID {
		return reject("auto-replies live in entity %q", d.spec.EntityID)
	}
	return nil
}

func autoReplyPut(d *decider, _ *struct{}, p AutoReplies) error {
	if err := ValidateGreeting(p.Greeting); err != nil {
		return reject("%v", err)
	}
	if err := rejectText("off-hours reply", p.OffHours, 1000, false); err != nil {
		return err
	}
	for i, h := range p.Hours {
		if h.Open < 0 || h.Close > 24*60 || h.Open > h.Close {
			return reject("business hours for %s are not a range within the day", time.Weekday(i))
		}
	}
	if p.Location != "" {
		if _, err := time.LoadLocation(p.Location); err != nil {
			return reject("time zone %q is unknown", p.Location)
		}
	}
	if len(p.Keywords) > 200 {
		return reject("at most 200 keyword replies")
	}
	for _, k := range p.Keywords {
		if err := rejectText("keyword", k.Keyword, MaxShortText, true); err != nil {
			return err
		}
		if err := rejectText("keyword reply", k.Text, 1000, true); err != nil {
			return err
		}
	}
	p.ID, p.UpdatedBy, p.UpdatedAt = AutoRepliesID, d.m.Staff, d.at
	d.put(TypeAutoReply, p.ID, p)
	return nil
}
