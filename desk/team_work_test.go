package desk

import (
	"context"
	"testing"
	"time"

	"kefu/localdb"
	"kefu/shop"
)

// TestHandoverWorkAndCallProgress: the open work a handover of 1002 gathers is the customers
// waiting (not another's), her open cases, her promised call-back and the unpaid orders not
// reminded today; her calls count against the quota the manager set.
func TestHandoverWorkAndCallProgress(t *testing.T) {
	recs := append(shopRecords(),
		shop.NewRecord(shop.TypeStaff, "1002", shop.Staff{Number: "1002", Name: "小王", Role: shop.RoleAgent}),
		shop.NewRecord(shop.TypeConversation, "w1", shop.Conversation{ID: "w1", CustomerID: "c1", Nick: "小鱼儿", LastText: "在吗", WaitingSince: t0.Add(-time.Minute), LastAt: t0}),
		shop.NewRecord(shop.TypeConversation, "w2", shop.Conversation{ID: "w2", CustomerID: "c2", Nick: "LucyC", WaitingSince: t0.Add(-time.Minute), LastAt: t0, Assignee: "1001"}),
		shop.NewRecord(shop.TypeCase, "k1", shop.AfterSalesCase{ID: "k1", OrderID: "2026112701", CustomerID: "c2", Kind: shop.CaseExchange, State: shop.CaseOpen, Owner: "1002", Summary: "换大一码", CreatedAt: t0}),
		shop.NewRecord(shop.TypeCase, "k2", shop.AfterSalesCase{ID: "k2", OrderID: "2026112701", CustomerID: "c2", Kind: shop.CaseLost, State: shop.CaseOpen, Owner: "1001", CreatedAt: t0}),
		shop.NewRecord(shop.TypeOrder, "2026112702", shop.Order{ID: "2026112702", CustomerID: "c1", Nick: "小鱼儿", Status: shop.StatusUnpaid, Total: 12800, CreatedAt: t0.Add(-2 * time.Hour)}),
		shop.NewRecord(shop.TypeOrder, "2026112703", shop.Order{ID: "2026112703", CustomerID: "c1", Nick: "小鱼儿", Status: shop.StatusUnpaid, Total: 9900, CreatedAt: t0.Add(-3 * time.Hour), RemindedAt: t0.Add(-time.Hour)}),
		shop.NewRecord(shop.TypeCall, "call-1", shop.CallLog{ID: "call-1", Staff: "1002", CustomerID: "c3", At: t0.Add(-time.Hour), Purpose: shop.CallRetention, Result: shop.CallCallBack, CallBackAt: t0.Add(2 * time.Hour), Note: "下午再打"}),
		shop.NewRecord(shop.TypeCall, "call-2", shop.CallLog{ID: "call-2", Staff: "1002", CustomerID: "c1", At: shop.WeekStart(t0).Add(-time.Hour), Purpose: shop.CallCOD, Result: shop.CallAgreed}),
		shop.NewRecord(shop.TypeTeam, shop.TeamID, shop.TeamSettings{ID: shop.TeamID, CallQuota: map[string]int{"1002": 150}}),
	)
	d, _, _ := newDesk(t, localdb.Options{}, recs...)
	ctx := context.Background()
	items, err := d.HandoverWork(ctx, "1002", t0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]shop.HandoverItem{}
	for _, it := range items {
		got[string(it.Type)+"/"+it.ID] = it
	}
	for _, want := range []string{"conversation/w1", "case/k1", "call/call-1", "order/2026112702"} {
		if _, ok := got[want]; !ok {
			t.Errorf("the handover work lacks %s: %+v", want, items)
		}
	}
	for _, not := range []string{"conversation/w2", "case/k2", "order/2026112703"} {
		if _, ok := got[not]; ok {
			t.Errorf("the handover work has %s: %+v", not, items)
		}
	}
	if it := got["call/call-1"]; it.Text != "lucky猫 · 11-27 17:00 · 下午再打" {
		t.Errorf("the call-back reads %q", it.Text)
	}

	p, err := d.CallProgress(ctx, "1002", t0)
	if err != nil || p.Done != 1 || p.Quota != 150 || !p.WeekStart.Equal(shop.WeekStart(t0)) {
		t.Fatalf("call progress %+v, %v; want 1 of 150 (last week's call not counted)", p, err)
	}
	if _, err := d.Apply(ctx, Action{Kind: shop.KindCallLog, Entity: shop.NewID(), Data: shop.CallLogData{OrderID: "2026112702", Purpose: shop.CallPayment, Result: shop.CallReached}}); err != nil {
		t.Fatal(err)
	}
	if p, _ := d.CallProgress(ctx, "1002", t0); p.Done != 2 {
		t.Errorf("after a call: %+v", p)
	}
	if calls, _ := d.CallsThisWeek(ctx, "1002", t0); len(calls) != 2 || calls[0].OrderID != "2026112702" {
		t.Errorf("this week's calls: %+v", calls)
	}
	if p, _ := d.CallProgress(ctx, "1003", t0); p.Quota != shop.DefaultCallQuota || p.Done != 0 {
		t.Errorf("1003's progress: %+v", p)
	}
}

// TestConcessionRoomAndHandoversFor: the room left follows the limits and today's total; a
// handover is for the next person, not its writer, and not for someone it does not name.
func TestConcessionRoomAndHandoversFor(t *testing.T) {
	recs := append(shopRecords(),
		shop.NewRecord(shop.TypeStaff, "1002", shop.Staff{Number: "1002", Name: "小王", Role: shop.RoleAgent}),
		shop.NewRecord(shop.TypeOrder, "2026112702", shop.Order{ID: "2026112702", CustomerID: "c1", Status: shop.StatusUnpaid, Total: 12800, CreatedAt: t0}),
		shop.NewRecord(shop.TypeHandover, "h1", shop.Handover{ID: "h1", From: "1001", At: t0.Add(-time.Hour), Note: "给下一班"}),
		shop.NewRecord(shop.TypeHandover, "h2", shop.Handover{ID: "h2", From: "1002", At: t0.Add(-time.Hour), Note: "我写的"}),
		shop.NewRecord(shop.TypeHandover, "h3", shop.Handover{ID: "h3", From: "1001", To: "1003", At: t0.Add(-time.Hour), Note: "给张伟"}),
	)
	d, _, _ := newDesk(t, localdb.Options{}, recs...)
	ctx := context.Background()
	hs, err := d.HandoversFor(ctx, "1002")
	if err != nil || len(hs) != 1 || hs[0].ID != "h1" {
		t.Fatalf("handovers for 1002: %+v, %v", hs, err)
	}
	o, _ := d.Order(ctx, "2026112702")
	room, err := d.ConcessionRoom(ctx, "1002", o, t0)
	if err != nil || room.Limit != shop.DefaultConcessionLimit || !room.Fits(1000) || room.Fits(1001) {
		t.Fatalf("room %+v, %v", room, err)
	}
	if _, err := d.Apply(ctx, Action{Kind: shop.KindConcessionGive, Entity: shop.NewID(), Data: shop.ConcessionGive{NoteID: shop.NewID(), OrderID: o.ID,
		Kind: shop.ConcessionPriceCut, Amount: 600, Reason: "差几块包邮"}}); err != nil {
		t.Fatal(err)
	}
	o, _ = d.Order(ctx, "2026112702")
	if room, _ := d.ConcessionRoom(ctx, "1002", o, t0); room.OnOrder != 600 || room.GivenDay != 600 || room.Fits(401) || !room.Fits(400) {
		t.Errorf("room after ¥6: %+v", room)
	}
	if cs, _ := d.ConcessionsOf(ctx, o.ID); len(cs) != 1 || cs[0].State != shop.ConcessionApplied {
		t.Errorf("the order's concessions: %+v", cs)
	}
}
