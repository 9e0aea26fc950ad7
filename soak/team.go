package soak

import (
	"fmt"
	"time"

	"kefu/localdb"
	"kefu/shop"
)

// The team's kinds in the soak: calls logged, shifts handed over and acknowledged,
// concessions given within or above the limits and decided by the owner (desk 1), quotas and
// limits set. The checks: an order's conceded total and each staff member's day total equal
// the concessions in force the server holds (a concession counted twice, or a decision
// applied twice, shows), no day total exceeds what any limit set allowed, and the desks' call,
// handover and concession lists hold exactly their records.

// managerKinds are the kinds only the shop's owner or a manager may make: only the owner's
// desk makes them, and more often than the others so that a short soak has each (an agent's
// desk would only see its own rule refuse them; the server's refusal is tested in server).
var managerKinds = map[shop.Kind]bool{shop.KindConcessionApprove: true, shop.KindConcessionDecline: true,
	shop.KindTeamSetQuota: true, shop.KindTeamSetLimits: true}

// weight is how often the desk picks kind k, relative to the others.
func (g *gen) weight(k shop.Kind) int {
	w := soakKinds[k].weight
	if managerKinds[k] {
		if !g.isOwnerDesk() {
			return 0
		}
		return 3 * w
	}
	return w
}

// isOwnerDesk reports whether the desk signs in as the shop's owner (who decides concessions
// and sets the team).
func (g *gen) isOwnerDesk() bool { return g.d.i%3 == 0 }

// buildCallLog builds KindCallLog: a call to a customer, or about one of their orders.
func (g *gen) buildCallLog(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	p := shop.CallLogData{Purpose: shop.CallPurposes[rng.IntN(len(shop.CallPurposes))], Result: shop.CallResults[rng.IntN(len(shop.CallResults))],
		Seconds: rng.IntN(600), Note: g.text(noteTexts)}
	if rng.IntN(2) == 0 {
		o, found, err := g.order(localdb.OrderFilter{})
		if err != nil || !found {
			return "", 0, nil, false, err
		}
		p.OrderID = o.ID
	} else {
		cs, err := g.d.db.SearchCustomers("", 400)
		if err != nil {
			return "", 0, nil, false, err
		}
		c, found := pickHot(rng, cs)
		if !found {
			return "", 0, nil, false, nil
		}
		p.CustomerID = c.ID
	}
	if p.Result == shop.CallCallBack {
		p.CallBackAt = g.d.now().Add(time.Duration(1+rng.IntN(48)) * time.Hour)
	}
	return shop.NewID(), 0, p, true, nil
}

// buildHandoverWrite builds KindHandoverWrite with some waiting conversations attached.
func (g *gen) buildHandoverWrite(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	cs, err := g.d.db.Conversations(localdb.FilterWaiting, "", "", 5)
	if err != nil {
		return "", 0, nil, false, err
	}
	p := shop.HandoverWrite{Note: g.text(noteTexts)}
	for _, c := range cs[:min(len(cs), g.rng.IntN(4))] {
		p.Items = append(p.Items, shop.HandoverItem{Type: shop.TypeConversation, ID: c.ID, Text: c.Nick})
	}
	if g.rng.IntN(4) == 0 {
		p.To = g.staffNumber()
	}
	return shop.NewID(), 0, p, true, nil
}

// buildHandoverAck builds KindHandoverAck on an open handover (the desks race for the same).
func (g *gen) buildHandoverAck(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	hs, err := g.d.db.Handovers(true, 20)
	if err != nil {
		return "", 0, nil, false, err
	}
	var theirs []shop.Handover // a desk acknowledges the others' handovers, for it or for anyone
	for _, h := range hs {
		if h.From != g.d.staff && (h.To == "" || h.To == g.d.staff || g.isOwnerDesk()) {
			theirs = append(theirs, h)
		}
	}
	h, found := pickHot(g.rng, theirs)
	if !found {
		return "", 0, nil, false, nil
	}
	return h.ID, g.ver(shop.TypeHandover, h.ID), nil, true, nil
}

// buildConcessionGive builds KindConcessionGive: ¥1 to ¥40 on an unpaid order (a price cut or
// free shipping) or a paid one (a refund), within or above the giver's limits.
func (g *gen) buildConcessionGive(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	kind, status := shop.ConcessionPriceCut, shop.StatusUnpaid
	switch rng.IntN(3) {
	case 0:
		kind = shop.ConcessionFreeShipping
	case 1:
		kind, status = shop.ConcessionRefund, shop.StatusPaid
	}
	o, found, err := g.order(localdb.OrderFilter{Status: status})
	if err != nil || !found {
		return "", 0, nil, false, err
	}
	p := shop.ConcessionGive{NoteID: shop.NewID(), OrderID: o.ID, Kind: kind, Amount: shop.Cents(100 * (1 + rng.IntN(40))), Reason: g.text(reasons)}
	if p.Amount > o.Total {
		p.Amount = max(o.Total, 1)
	}
	if c, found, err := g.conversationOf(o.CustomerID); err == nil && found && rng.IntN(2) == 0 {
		p.ConversationID = c.ID
	}
	return shop.NewID(), 0, p, true, nil
}

// buildConcessionDecide builds KindConcessionApprove and KindConcessionDecline: the owner's
// desk decides a request (approving one it declined meanwhile, or the other way round, is a
// conflict).
func (g *gen) buildConcessionDecide(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	cs, err := g.d.db.ConcessionRequests(20)
	if err != nil {
		return "", 0, nil, false, err
	}
	c, found := pickHot(g.rng, cs)
	if !found {
		return "", 0, nil, false, nil
	}
	return c.ID, g.ver(shop.TypeConcession, c.ID), shop.ConcessionDecide{NoteID: shop.NewID(), Answer: g.text(noteTexts)}, true, nil
}

// soakLimits are the concession limits the owner's desk sets: the largest per day is what
// the day check allows.
var soakLimits = []shop.ConcessionLimit{{PerOrder: 500, PerDay: 2000}, {PerOrder: 1000, PerDay: 5000}, {PerOrder: 2000, PerDay: 6000}}

// buildTeamSet builds KindTeamSetQuota and KindTeamSetLimits, on the owner's desk.
func (g *gen) buildTeamSet(k shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	staff := g.staffNumber()
	if k == shop.KindTeamSetQuota {
		return shop.TeamID, g.ver(shop.TypeTeam, shop.TeamID), shop.TeamQuotaSet{Staff: staff, Quota: 50 + g.rng.IntN(200)}, true, nil
	}
	l := soakLimits[g.rng.IntN(len(soakLimits))]
	return shop.TeamID, g.ver(shop.TypeTeam, shop.TeamID), shop.TeamLimitsSet{Staff: staff, PerOrder: l.PerOrder, PerDay: l.PerDay}, true, nil
}

// checkConcessionTotals compares every order's conceded total and every staff member's day
// total with the concessions in force the server holds, and each day total with the largest
// daily limit any desk could have set.
func (r *runner) checkConcessionTotals(srv *serverState, dup func(string, ...any)) {
	inForce, given, count := map[string]shop.Cents{}, map[string]shop.Cents{}, map[string]int{}
	most := shop.DefaultConcessionLimit.PerDay
	for _, l := range soakLimits {
		most = max(most, l.PerDay)
	}
	for _, rec := range srv.list {
		if rec.Type != shop.TypeConcession || rec.Deleted {
			continue
		}
		c, err := decodeAs[shop.Concession](rec)
		if err != nil {
			dup("%s does not decode: %v", key{rec.Type, rec.ID}, err)
			continue
		}
		if _, seeded := r.base.recs[key{rec.Type, rec.ID}]; seeded && !c.Decided() {
			continue // the demo shop's own request: not given through the rule
		}
		if c.InForce() {
			inForce[c.OrderID] += c.Amount
		}
		if c.State == shop.ConcessionApplied {
			day := c.Staff + "@" + shop.ShopDay(c.At)
			given[day] += c.Amount
			count[day]++
		}
	}
	for _, rec := range srv.list {
		if rec.Deleted {
			continue
		}
		switch rec.Type {
		case shop.TypeOrder:
			o, err := decodeAs[shop.Order](rec)
			if err != nil {
				continue
			}
			was := shop.Cents(0)
			if b, ok := r.base.recs[key{rec.Type, rec.ID}]; ok {
				if bo, err := decodeAs[shop.Order](b); err == nil {
					was = bo.Conceded
				}
			}
			if o.Conceded != was+inForce[o.ID] {
				dup("order %s has conceded %s; it had %s and the server holds %s of concessions in force on it", o.ID, o.Conceded, was, inForce[o.ID])
			}
		case shop.TypeConcessionTally:
			t, err := decodeAs[shop.ConcessionTally](rec)
			if err != nil {
				continue
			}
			for day, d := range t.Days {
				id := rec.ID + "@" + day
				if d.Given != given[id] || d.Count != count[id] {
					dup("%s counts %s in %d concessions; the server holds %s in %d applied ones", id, d.Given, d.Count, given[id], count[id])
				}
				if d.Given > most {
					dup("%s gave %s within her limits, more than any daily limit set (%s)", id, d.Given, most)
				}
			}
		}
	}
}

// teamViews checks the desk's call, handover and concession lists against its records.
func (v *viewCheck) teamViews() error {
	if v.calls == nil {
		return nil
	}
	for staff, want := range v.calls {
		got, err := v.db.CallsOf(staff, time.Time{}, maxViewTime)
		if err != nil {
			return err
		}
		v.same("calls of "+staff, ids(got, func(c shop.CallLog) string { return c.ID }), want)
	}
	hs, err := v.db.Handovers(false, 0)
	if err != nil {
		return err
	}
	hid := func(h shop.Handover) string { return h.ID }
	v.same("handovers", ids(hs, hid), ids(v.handovers, hid))
	open, err := v.db.Handovers(true, 0)
	if err != nil {
		return err
	}
	v.same("open handovers", ids(open, hid), where(v.handovers, func(h shop.Handover) bool { return h.Open() }, hid))
	cid := func(c shop.Concession) string { return c.ID }
	reqs, err := v.db.ConcessionRequests(0)
	if err != nil {
		return err
	}
	v.same("concession requests", ids(reqs, cid), where(v.concessions, func(c shop.Concession) bool { return c.State == shop.ConcessionRequested }, cid))
	byOrder := map[string][]string{}
	for _, c := range v.concessions {
		byOrder[c.OrderID] = append(byOrder[c.OrderID], c.ID)
	}
	for order, want := range byOrder {
		got, err := v.db.ConcessionsOf(order)
		if err != nil {
			return err
		}
		v.same("concessions of "+order, ids(got, cid), want)
	}
	return nil
}

// maxViewTime is after any call the soak logs.
var maxViewTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

// teamRecord collects the team records a view check compares the lists with.
func (v *viewCheck) teamRecord(rec shop.Record) error {
	if v.calls == nil {
		v.calls = map[string][]string{}
	}
	switch rec.Type {
	case shop.TypeCall:
		c, err := decodeAs[shop.CallLog](rec)
		if err != nil {
			return fmt.Errorf("call: %w", err)
		}
		v.calls[c.Staff] = append(v.calls[c.Staff], c.ID)
	case shop.TypeHandover:
		h, err := decodeAs[shop.Handover](rec)
		if err != nil {
			return err
		}
		v.handovers = append(v.handovers, h)
	case shop.TypeConcession:
		c, err := decodeAs[shop.Concession](rec)
		if err != nil {
			return err
		}
		v.concessions = append(v.concessions, c)
	}
	return nil
}
