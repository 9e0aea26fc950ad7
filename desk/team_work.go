package desk

import (
	"context"
	"fmt"
	"time"

	"kefu/shop"
)

// The team's work on the desk: the week's calls against the quota, the open work a shift
// handover carries, the handovers and the concessions (requests for a manager, those of an
// order or a chat, the requester's answers). The actions themselves (call.log, handover.*,
// concession.*, team.*) go through Apply like every other.

// CallProgress is a staff member's calls this shop week against the weekly quota.
type CallProgress struct {
	Done      int
	Quota     int
	WeekStart time.Time // Monday 00:00 in the shop's zone
}

// CallProgress counts staff member staff's calls of the shop week of now against the quota
// the manager set (shop.DefaultCallQuota when none).
func (d *Desk) CallProgress(ctx context.Context, staff string, now time.Time) (CallProgress, error) {
	week := shop.WeekStart(now)
	return read(ctx, func() (CallProgress, error) {
		team, err := d.db.TeamSettings()
		if err != nil {
			return CallProgress{}, err
		}
		n, err := d.db.CallCount(staff, week, week.AddDate(0, 0, 7))
		return CallProgress{Done: n, Quota: team.QuotaOf(staff), WeekStart: week}, err
	})
}

// CallsThisWeek lists staff member staff's calls of the shop week of now, newest first.
func (d *Desk) CallsThisWeek(ctx context.Context, staff string, now time.Time) ([]shop.CallLog, error) {
	week := shop.WeekStart(now)
	return read(ctx, func() ([]shop.CallLog, error) { return d.db.CallsOf(staff, week, week.AddDate(0, 0, 7)) })
}

// CallsWith lists up to limit calls to a customer, newest first.
func (d *Desk) CallsWith(ctx context.Context, customerID string, limit int) ([]shop.CallLog, error) {
	return read(ctx, func() ([]shop.CallLog, error) { return d.db.CallsWith(customerID, limit) })
}

// CallBacksOpen lists the promised call-backs still to make at now, soonest first.
func (d *Desk) CallBacksOpen(ctx context.Context, now time.Time) ([]shop.CallLog, error) {
	return read(ctx, func() ([]shop.CallLog, error) { return d.db.CallBacksOpen(now) })
}

// Handovers lists up to limit shift handovers, the unacknowledged ones first (only those when
// openOnly), newest first.
func (d *Desk) Handovers(ctx context.Context, openOnly bool, limit int) ([]shop.Handover, error) {
	return read(ctx, func() ([]shop.Handover, error) { return d.db.Handovers(openOnly, limit) })
}

// HandoversFor lists the unacknowledged handovers staff member staff is to acknowledge: those
// someone else wrote, for them or for whoever comes next, newest first.
func (d *Desk) HandoversFor(ctx context.Context, staff string) ([]shop.Handover, error) {
	open, err := d.Handovers(ctx, true, maxHandovers)
	if err != nil {
		return nil, err
	}
	out := open[:0]
	for _, h := range open {
		if h.From != staff && (h.To == "" || h.To == staff) {
			out = append(out, h)
		}
	}
	return out, nil
}

// maxHandovers bounds the unacknowledged handovers read at once.
const maxHandovers = 50

// Bounds of the open work a handover gathers, per kind.
const handoverWorkPerKind = 30

// HandoverWork gathers the open work a shift handover of staff member staff attaches at now,
// for the writer to keep or drop: the customers waiting for a reply (unassigned or hers), her
// open after-sales cases, the call-backs she promised and the unpaid orders not yet reminded
// today. Each item's text says what it is as the writer sees it now.
func (d *Desk) HandoverWork(ctx context.Context, staff string, now time.Time) ([]shop.HandoverItem, error) {
	var items []shop.HandoverItem
	convs, err := d.Conversations(ctx, FilterWaiting, "", "", handoverWorkPerKind*2)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, c := range convs {
		if n < handoverWorkPerKind && (c.Assignee == "" || c.Assignee == staff) {
			items = append(items, shop.HandoverItem{Type: shop.TypeConversation, ID: c.ID, Text: clip(c.Nick + " · " + c.LastText)})
			n++
		}
	}
	cases, err := d.Cases(ctx, true, 0)
	if err != nil {
		return nil, err
	}
	n = 0
	for _, c := range cases {
		if n < handoverWorkPerKind && (c.Owner == staff || c.Owner == "") {
			items = append(items, shop.HandoverItem{Type: shop.TypeCase, ID: c.ID, Text: clip(fmt.Sprintf("%s · %s · %s", c.OrderID, c.Kind, c.Summary))})
			n++
		}
	}
	backs, err := d.CallBacksOpen(ctx, now)
	if err != nil {
		return nil, err
	}
	n = 0
	for _, c := range backs {
		if n < handoverWorkPerKind && c.Staff == staff {
			who := c.CustomerID
			if cu, err := d.db.Customer(c.CustomerID); err == nil {
				who = cu.Nick
			}
			items = append(items, shop.HandoverItem{Type: shop.TypeCall, ID: c.ID, Text: clip(who + " · " + c.CallBackAt.In(shop.ShopZone).Format("01-02 15:04") + " · " + c.Note)})
			n++
		}
	}
	unpaid, err := d.SearchOrders(ctx, "", OrderFilter{Status: shop.StatusUnpaid}, handoverWorkPerKind*3)
	if err != nil {
		return nil, err
	}
	n = 0
	for _, o := range unpaid {
		if n < handoverWorkPerKind && o.Payment != shop.PayCOD && !shop.SameShopDay(o.RemindedAt, now) {
			items = append(items, shop.HandoverItem{Type: shop.TypeOrder, ID: o.ID, Text: clip(o.ID + " · " + o.Nick + " · " + o.Total.String())})
			n++
		}
	}
	return items, nil
}

// clip shortens a handover item's text to what the rule takes.
func clip(s string) string {
	r := []rune(s)
	if len(r) > shop.MaxShortText {
		return string(r[:shop.MaxShortText-1]) + "…"
	}
	return s
}

// TeamSettings returns the shop's team settings (every default while no manager set any).
func (d *Desk) TeamSettings(ctx context.Context) (shop.TeamSettings, error) {
	return read(ctx, d.db.TeamSettings)
}

// ConcessionRequests lists up to limit concessions waiting for a manager, oldest first.
func (d *Desk) ConcessionRequests(ctx context.Context, limit int) ([]shop.Concession, error) {
	return read(ctx, func() ([]shop.Concession, error) { return d.db.ConcessionRequests(limit) })
}

// ConcessionRequestCount counts the concessions waiting for a manager.
func (d *Desk) ConcessionRequestCount(ctx context.Context) (int, error) {
	return read(ctx, d.db.ConcessionRequestCount)
}

// ConcessionsOf lists an order's concessions, newest first.
func (d *Desk) ConcessionsOf(ctx context.Context, orderID string) ([]shop.Concession, error) {
	return read(ctx, func() ([]shop.Concession, error) { return d.db.ConcessionsOf(orderID) })
}

// ConcessionsIn lists the concessions asked for in a conversation, newest first.
func (d *Desk) ConcessionsIn(ctx context.Context, convID string) ([]shop.Concession, error) {
	return read(ctx, func() ([]shop.Concession, error) { return d.db.ConcessionsIn(convID) })
}

// ConcessionsDecidedFor lists staff member staff's concessions a manager decided at or after
// since, oldest decision first.
func (d *Desk) ConcessionsDecidedFor(ctx context.Context, staff string, since time.Time) ([]shop.Concession, error) {
	return read(ctx, func() ([]shop.Concession, error) { return d.db.ConcessionsDecidedFor(staff, since) })
}

// ConcessionRoom is how much more a staff member may give today without a manager: on the
// given order and in all.
type ConcessionRoom struct {
	Limit    shop.ConcessionLimit
	OnOrder  shop.Cents // the order's concessions in force
	GivenDay shop.Cents // what she gave today within her limits
}

// Fits reports whether a concession of amount is within the limits, as the rule decides it
// on this desk's state (the server may still decide otherwise).
func (r ConcessionRoom) Fits(amount shop.Cents) bool {
	return r.Limit.Within(amount, r.OnOrder, r.GivenDay)
}

// ConcessionRoom reads staff member staff's limits and totals for a concession on order at
// now.
func (d *Desk) ConcessionRoom(ctx context.Context, staff string, order shop.Order, now time.Time) (ConcessionRoom, error) {
	return read(ctx, func() (ConcessionRoom, error) {
		team, err := d.db.TeamSettings()
		if err != nil {
			return ConcessionRoom{}, err
		}
		day, err := d.db.ConcessionDay(staff, now)
		return ConcessionRoom{Limit: team.LimitOf(staff), OnOrder: order.Conceded, GivenDay: day.Given}, err
	})
}
