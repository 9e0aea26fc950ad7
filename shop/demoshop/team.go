package demoshop

import (
	"fmt"
	"time"

	"kefu/shop"
)

// The team's work in the demo shop, so that the desk's team screens have something to show
// whatever the seed: this week's outbound calls of both agents (one a promised call-back),
// agent Li's handover of her shift, waiting for the next one, and a concession she asked a
// manager for. They are made from the plans the rest of the shop was made from, without
// drawing on the random streams, so adding them changed no other record.

// Ids of the team records.
func callID(k int) string { return fmt.Sprintf("call-%06d", k+1) }

// DemoHandoverID and DemoConcessionID are the ids of the demo's open handover and of its
// concession request (the store API's examples acknowledge and decline them).
const (
	DemoHandoverID   = "hv-000001"
	DemoConcessionID = "cn-000001"
)

// demoCalls are how many calls each agent made this week.
var demoCalls = []struct {
	staff string
	n     int
}{{agentLi, 12}, {agentZhang, 21}}

// teamRecords emits the team's records in the order of shop.EntityTypes: calls, the handover,
// the concession.
func (g *gen) teamRecords(put func(t shop.EntityType, id string, v any) error) error {
	week := shop.WeekStart(g.now)
	span := g.now.Sub(week)
	results := []shop.CallResult{shop.CallReached, shop.CallAgreed, shop.CallNoPickup, shop.CallReached, shop.CallDeclined}
	k := 0
	for _, dc := range demoCalls {
		if g.size.Customers == 0 {
			break // nobody to call
		}
		for j := range dc.n {
			c := shop.CallLog{ID: callID(k), Staff: dc.staff, At: week.Add(span * time.Duration(j+1) / time.Duration(dc.n+1)).Truncate(time.Second),
				CustomerID: customerID((k * 7) % g.size.Customers), Purpose: shop.CallPurposes[1+k%(len(shop.CallPurposes)-1)],
				Result: results[k%len(results)], Seconds: 40 + (k*37)%260}
			if dc.staff == agentLi && j == dc.n-1 {
				c.Result, c.Note, c.CallBackAt = shop.CallCallBack, "客户在开会，约好下午再打", g.now.Add(2*time.Hour)
			}
			if err := put(shop.TypeCall, c.ID, c); err != nil {
				return err
			}
			k++
		}
	}
	order, ok := g.teamOrder()
	if !ok || k == 0 {
		return nil
	}
	h := shop.Handover{ID: DemoHandoverID, From: agentLi, At: g.now.Add(-90 * time.Minute),
		Note: "早班交接：订单" + order.ID + "的客户想包邮，已申请店长审批；下午记得给客户回电。",
		Items: []shop.HandoverItem{
			{Type: shop.TypeOrder, ID: order.ID, Text: order.Nick + " · " + order.Total.String() + " · 未付款，待催付"},
			{Type: shop.TypeCall, ID: callID(demoCalls[0].n - 1), Text: "约好下午回电"},
		}}
	if err := put(shop.TypeHandover, h.ID, h); err != nil {
		return err
	}
	c := shop.Concession{ID: DemoConcessionID, OrderID: order.ID, CustomerID: order.CustomerID, Kind: shop.ConcessionFreeShipping,
		Amount: 1500, Reason: "老客户差几块包邮，申请包邮", Staff: agentLi, At: g.now.Add(-40 * time.Minute), State: shop.ConcessionRequested}
	return put(shop.TypeConcession, c.ID, c)
}

// teamOrder is the first unpaid order of at least ¥20: the one the demo's handover and
// concession are about.
func (g *gen) teamOrder() (shop.Order, bool) {
	for i := range g.orders {
		p := g.planOrder(i)
		if o := g.orderRecord(&p, i); o.Status == shop.StatusUnpaid && o.Total >= 2000 {
			return o, true
		}
	}
	return shop.Order{}, false
}
