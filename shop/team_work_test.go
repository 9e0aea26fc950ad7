package shop

import (
	"encoding/json"
	"testing"
	"time"
)

// teamFixture is the small shop with an agent 1003, a manager 1004, an unpaid order o9 of
// ¥199 and a paid one o8.
func teamFixture() *memState {
	s := fixture()
	s.add(TypeStaff, "1003", Staff{Number: "1003", Name: "张伟", Role: RoleAgent})
	s.add(TypeStaff, "1004", Staff{Number: "1004", Name: "刘强", Role: RoleManager})
	s.add(TypeOrder, "o9", Order{ID: "o9", CustomerID: "c1", Status: StatusUnpaid, Payment: PayOnline, Shipping: 800, Total: 19900})
	s.add(TypeOrder, "o8", Order{ID: "o8", CustomerID: "c1", Status: StatusPaid, Payment: PayOnline, Total: 9900})
	return s
}

func give(t *testing.T, staff, order string, kind ConcessionKind, amount Cents) Mutation {
	t.Helper()
	return mut(t, KindConcessionGive, NewID(), staff, ConcessionGive{NoteID: NewID(), OrderID: order, Kind: kind, Amount: amount, Reason: "差几块包邮"})
}

func TestCallLog(t *testing.T) {
	s := teamFixture()
	m := mut(t, KindCallLog, "call-1", "1002", CallLogData{OrderID: "o9", Purpose: CallPayment, Result: CallCallBack,
		Seconds: 95, Note: "晚上再打", CallBackAt: t0.Add(6 * time.Hour)})
	apply(t, s, m)
	c := get[CallLog](t, s, TypeCall, "call-1")
	if c.Staff != "1002" || c.CustomerID != "c1" || c.OrderID != "o9" || c.Seconds != 95 || !c.CallBackAt.Equal(t0.Add(6*time.Hour)) {
		t.Fatalf("call stored as %+v", c)
	}
	if refs := Created(m); len(refs) != 1 || refs[0] != (Ref{TypeCall, "call-1"}) {
		t.Errorf("a call log creates %v", refs)
	}
	// A result other than a call-back keeps no call-back time.
	apply(t, s, mut(t, KindCallLog, "call-2", "1002", CallLogData{CustomerID: "c1", Purpose: CallRetention, Result: CallReached, CallBackAt: t0}))
	if c := get[CallLog](t, s, TypeCall, "call-2"); !c.CallBackAt.IsZero() {
		t.Errorf("a reached call keeps a call-back time: %+v", c)
	}
	rejected(t, s, mut(t, KindCallLog, "call-1", "1002", CallLogData{CustomerID: "c1", Purpose: CallCOD, Result: CallAgreed}), "exists already")
	rejected(t, s, mut(t, KindCallLog, "call-3", "1002", CallLogData{Purpose: CallCOD, Result: CallAgreed}), "needs the customer")
	rejected(t, s, mut(t, KindCallLog, "call-3", "1002", CallLogData{CustomerID: "c1", Purpose: "gossip", Result: CallAgreed}), "purpose")
	rejected(t, s, mut(t, KindCallLog, "call-3", "1002", CallLogData{CustomerID: "c1", Purpose: CallCOD, Result: "maybe"}), "result")
	rejected(t, s, mut(t, KindCallLog, "call-3", "1002", CallLogData{CustomerID: "c1", Purpose: CallCOD, Result: CallCallBack}), "call-back needs its time")
	rejected(t, s, mut(t, KindCallLog, "call-3", "1002", CallLogData{CustomerID: "c1", Purpose: CallCOD, Result: CallAgreed, Seconds: -1}), "duration")
	rejected(t, s, mut(t, KindCallLog, "call-3", "1002", CallLogData{ReviewID: "r-missing", Purpose: CallReviewFixup, Result: CallAgreed}), "does not exist")
}

func TestWeekStart(t *testing.T) {
	for _, c := range []struct{ at, want time.Time }{
		{time.Date(2026, 12, 7, 9, 0, 0, 0, ShopZone), time.Date(2026, 12, 7, 0, 0, 0, 0, ShopZone)},    // Monday
		{time.Date(2026, 12, 13, 23, 59, 0, 0, ShopZone), time.Date(2026, 12, 7, 0, 0, 0, 0, ShopZone)}, // Sunday
		{time.Date(2026, 12, 6, 16, 30, 0, 0, time.UTC), time.Date(2026, 12, 7, 0, 0, 0, 0, ShopZone)},  // Monday 00:30 in China
	} {
		if got := WeekStart(c.at); !got.Equal(c.want) {
			t.Errorf("WeekStart(%v) = %v; want %v", c.at, got, c.want)
		}
	}
}

func TestHandoverWriteAndAck(t *testing.T) {
	s := teamFixture()
	items := []HandoverItem{{Type: TypeConversation, ID: "v1", Text: "小鱼儿 问尺码"}, {Type: TypeOrder, ID: "o9", Text: "未付款，待催付"}}
	apply(t, s, mut(t, KindHandoverWrite, "h1", "1002", HandoverWrite{Note: "晚班注意 o9", Items: items}))
	h := get[Handover](t, s, TypeHandover, "h1")
	if h.From != "1002" || !h.Open() || len(h.Items) != 2 || h.Note != "晚班注意 o9" {
		t.Fatalf("handover stored as %+v", h)
	}
	rejected(t, s, mut(t, KindHandoverAck, "h1", "1002", nil), "not for 1002")
	apply(t, s, mut(t, KindHandoverAck, "h1", "1003", nil))
	if h := get[Handover](t, s, TypeHandover, "h1"); h.AckBy != "1003" || h.AckAt.IsZero() || h.Open() {
		t.Fatalf("acknowledged handover: %+v", h)
	}
	if c := conflicted(t, s, mut(t, KindHandoverAck, "h1", "1001", nil), "acknowledged by 1003"); c.By != "1003" {
		t.Errorf("the conflict names %q", c.By)
	}

	// A handover for one person: only they (or a manager) acknowledge it.
	apply(t, s, mut(t, KindHandoverWrite, "h2", "1002", HandoverWrite{To: "1003", Note: "给张伟"}))
	rejected(t, s, mut(t, KindHandoverAck, "h2", "1001x", nil), "not for 1001x")
	apply(t, s, mut(t, KindHandoverAck, "h2", "1004", nil))

	rejected(t, s, mut(t, KindHandoverWrite, "h3", "1002", HandoverWrite{}), "handover note is empty")
	rejected(t, s, mut(t, KindHandoverWrite, "h3", "1002", HandoverWrite{Note: "x", To: "9999"}), "does not exist")
	rejected(t, s, mut(t, KindHandoverWrite, "h3", "1002", HandoverWrite{Items: []HandoverItem{{Type: TypeProduct, ID: "p1"}}}), "handover item type \"product\" is unknown")
	// Open work alone, without a note, is a handover.
	apply(t, s, mut(t, KindHandoverWrite, "h3", "1002", HandoverWrite{Items: items[:1]}))
}

func TestConcessionWithinAndAboveLimits(t *testing.T) {
	s := teamFixture() // default limits: ¥10 per order, ¥50 a day
	m := give(t, "1002", "o9", ConcessionFreeShipping, 800)
	apply(t, s, m)
	c := get[Concession](t, s, TypeConcession, m.Entity)
	if c.State != ConcessionApplied || c.Staff != "1002" || c.CustomerID != "c1" || c.Amount != 800 {
		t.Fatalf("a concession within the limits: %+v", c)
	}
	o := get[Order](t, s, TypeOrder, "o9")
	if o.Conceded != 800 || o.NoteCount != 1 {
		t.Fatalf("the order after the concession: conceded %s, %d notes", o.Conceded, o.NoteCount)
	}
	var p ConcessionGive // the note is the one the payload names
	if err := decodeJSON(m.Data, &p); err != nil {
		t.Fatal(err)
	}
	n := get[OrderNote](t, s, TypeNote, p.NoteID)
	if n.Staff != "1002" || n.Reason != NoteConcessionApplied || n.Text != "¥8.00 free_shipping · 差几块包邮" || !n.System {
		t.Errorf("the concession's note: %+v", n)
	}
	if day := get[ConcessionTally](t, s, TypeConcessionTally, "1002").On(t0); day.Given != 800 || day.Count != 1 {
		t.Errorf("the day's total: %+v", day)
	}

	// ¥8 + ¥5 on the same order is over ¥10 per order: a request, not counted.
	m2 := give(t, "1002", "o9", ConcessionPriceCut, 500)
	apply(t, s, m2)
	if c := get[Concession](t, s, TypeConcession, m2.Entity); c.State != ConcessionRequested {
		t.Fatalf("over the per-order limit: %s", c.State)
	}
	if o := get[Order](t, s, TypeOrder, "o9"); o.Conceded != 800 || o.NoteCount != 2 {
		t.Errorf("a request changed the order's total: %s (%d notes)", o.Conceded, o.NoteCount)
	}
	if day := get[ConcessionTally](t, s, TypeConcessionTally, "1002").On(t0); day.Given != 800 {
		t.Errorf("a request counted in the day: %+v", day)
	}

	// Per day: five orders of ¥10 each fill ¥50; the sixth is a request.
	for i := range 5 {
		id := "od" + string(rune('a'+i))
		s.add(TypeOrder, id, Order{ID: id, CustomerID: "c1", Status: StatusUnpaid, Total: 5000})
	}
	apply(t, s, give(t, "1003", "oda", ConcessionPriceCut, 1000))
	apply(t, s, give(t, "1003", "odb", ConcessionPriceCut, 1000))
	apply(t, s, give(t, "1003", "odc", ConcessionPriceCut, 1000))
	apply(t, s, give(t, "1003", "odd", ConcessionPriceCut, 1000))
	last := give(t, "1003", "ode", ConcessionPriceCut, 1100)
	apply(t, s, last)
	if c := get[Concession](t, s, TypeConcession, last.Entity); c.State != ConcessionRequested {
		t.Fatalf("¥11 on one order is over ¥10 per order: %s", c.State)
	}
	fifth := give(t, "1003", "ode", ConcessionPriceCut, 1000)
	apply(t, s, fifth)
	if c := get[Concession](t, s, TypeConcession, fifth.Entity); c.State != ConcessionApplied {
		t.Fatalf("the fifth ¥10 of the day: %s", c.State)
	}
	s.add(TypeOrder, "odf", Order{ID: "odf", CustomerID: "c1", Status: StatusUnpaid, Total: 5000})
	sixth := give(t, "1003", "odf", ConcessionPriceCut, 100)
	apply(t, s, sixth)
	if c := get[Concession](t, s, TypeConcession, sixth.Entity); c.State != ConcessionRequested {
		t.Fatalf("¥1 over ¥50 a day: %s", c.State)
	}
	// The next shop day starts afresh.
	s.add(TypeOrder, "odg", Order{ID: "odg", CustomerID: "c1", Status: StatusUnpaid, Total: 5000})
	tomorrow := give(t, "1003", "odg", ConcessionPriceCut, 100)
	tomorrow.At = t0.Add(24 * time.Hour)
	out, err := Decide(s, tomorrow, t0.Add(25*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	s.put(out.Records...)
	if c := get[Concession](t, s, TypeConcession, tomorrow.Entity); c.State != ConcessionApplied {
		t.Fatalf("the next day's first concession: %s", c.State)
	}

	// The order's state: a price cut only before payment, a refund only after, nothing on a
	// closed order.
	conflicted(t, s, give(t, "1002", "o8", ConcessionPriceCut, 100), "is paid; it cannot take a price_cut concession")
	apply(t, s, give(t, "1002", "o8", ConcessionRefund, 100))
	conflicted(t, s, give(t, "1002", "o9", ConcessionRefund, 100), "cannot take a refund concession")
	rejected(t, s, give(t, "1002", "o9", ConcessionPriceCut, 0), "amount")
	rejected(t, s, give(t, "1002", "o9", ConcessionPriceCut, 20000), "more than the order's total")
	rejected(t, s, give(t, "1002", "o9", "gift", 100), "kind")
	rejected(t, s, give(t, "1002", "nope", ConcessionPriceCut, 100), "does not exist")
}

func TestConcessionLimitsFromTeamSettings(t *testing.T) {
	s := teamFixture()
	rejected(t, s, mut(t, KindTeamSetLimits, TeamID, "1002", TeamLimitsSet{Staff: "1002", PerOrder: 5000, PerDay: 10000}), "only the shop's owner or a manager")
	rejected(t, s, mut(t, KindTeamSetQuota, TeamID, "1003", TeamQuotaSet{Staff: "1003", Quota: 1}), "staff 1003 is agent")
	apply(t, s, mut(t, KindTeamSetLimits, TeamID, "1004", TeamLimitsSet{Staff: "1002", PerOrder: 5000, PerDay: 10000}))
	apply(t, s, mut(t, KindTeamSetQuota, TeamID, "1001", TeamQuotaSet{Staff: "1002", Quota: 150}))
	team := get[TeamSettings](t, s, TypeTeam, TeamID)
	if team.LimitOf("1002") != (ConcessionLimit{5000, 10000}) || team.QuotaOf("1002") != 150 || team.QuotaOf("1003") != DefaultCallQuota || team.UpdatedBy != "1001" {
		t.Fatalf("team settings: %+v", team)
	}
	m := give(t, "1002", "o9", ConcessionPriceCut, 3000)
	apply(t, s, m)
	if c := get[Concession](t, s, TypeConcession, m.Entity); c.State != ConcessionApplied {
		t.Fatalf("¥30 within a ¥50 limit: %s", c.State)
	}
	// A zero limit: nothing without approval.
	apply(t, s, mut(t, KindTeamSetLimits, TeamID, "1001", TeamLimitsSet{Staff: "1003"}))
	m = give(t, "1003", "o9", ConcessionPriceCut, 1)
	apply(t, s, m)
	if c := get[Concession](t, s, TypeConcession, m.Entity); c.State != ConcessionRequested {
		t.Fatalf("¥0.01 with a zero limit: %s", c.State)
	}
	rejected(t, s, mut(t, KindTeamSetQuota, TeamID, "1001", TeamQuotaSet{Staff: "1002", Quota: -1}), "call quota")
	rejected(t, s, mut(t, KindTeamSetQuota, TeamID, "1001", TeamQuotaSet{Staff: "9999", Quota: 1}), "does not exist")
	rejected(t, s, mut(t, KindTeamSetLimits, TeamID, "1001", TeamLimitsSet{Staff: "1002", PerDay: -5}), "limit")
	rejected(t, s, mut(t, KindTeamSetQuota, "other", "1001", TeamQuotaSet{Staff: "1002", Quota: 1}), "live in entity")
}

func TestConcessionApproveDecline(t *testing.T) {
	s := teamFixture()
	req := give(t, "1002", "o9", ConcessionPriceCut, 2000)
	apply(t, s, req)
	decide := func(kind Kind, staff, answer string) Mutation {
		return mut(t, kind, req.Entity, staff, ConcessionDecide{NoteID: NewID(), Answer: answer})
	}
	// Agents cannot decide, not even their own request.
	rejected(t, s, decide(KindConcessionApprove, "1002", "ok"), "only the shop's owner or a manager")
	rejected(t, s, decide(KindConcessionDecline, "1003", "no"), "staff 1003 is agent")
	apply(t, s, decide(KindConcessionApprove, "1004", "老客户，同意"))
	c := get[Concession](t, s, TypeConcession, req.Entity)
	if c.State != ConcessionApproved || c.DecidedBy != "1004" || c.Answer != "老客户，同意" || c.DecidedAt.IsZero() {
		t.Fatalf("approved: %+v", c)
	}
	if o := get[Order](t, s, TypeOrder, "o9"); o.Conceded != 2000 || o.NoteCount != 2 {
		t.Errorf("the order after approval: %s, %d notes", o.Conceded, o.NoteCount)
	}
	// A decided one cannot be decided again.
	if cf := conflicted(t, s, decide(KindConcessionDecline, "1001", "不行"), "approved already"); cf.By != "1004" {
		t.Errorf("the conflict names %q", cf.By)
	}

	other := give(t, "1002", "o9", ConcessionPriceCut, 1500)
	apply(t, s, other)
	apply(t, s, mut(t, KindConcessionDecline, other.Entity, "1001", ConcessionDecide{NoteID: NewID(), Answer: "超出太多"}))
	if c := get[Concession](t, s, TypeConcession, other.Entity); c.State != ConcessionDeclined || c.DecidedBy != "1001" {
		t.Fatalf("declined: %+v", c)
	}
	if o := get[Order](t, s, TypeOrder, "o9"); o.Conceded != 2000 {
		t.Errorf("a declined concession counted on the order: %s", o.Conceded)
	}
	// An applied one is not a request.
	small := give(t, "1003", "o8", ConcessionRefund, 100)
	apply(t, s, small)
	conflicted(t, s, mut(t, KindConcessionApprove, small.Entity, "1001", ConcessionDecide{NoteID: NewID()}), "applied already")
}

// TestConcessionOfflineDeskFollowsServer: two desks, each with the shop as it was, give ¥30
// each against ¥50 a day: each desk's own copy says applied, the server, deciding in its
// order on its own state, makes the second a request.
func TestConcessionOfflineDeskFollowsServer(t *testing.T) {
	server := teamFixture()
	server.add(TypeOrder, "oa", Order{ID: "oa", CustomerID: "c1", Status: StatusUnpaid, Total: 9000})
	server.add(TypeOrder, "ob", Order{ID: "ob", CustomerID: "c1", Status: StatusUnpaid, Total: 9000})
	apply(t, server, mut(t, KindTeamSetLimits, TeamID, "1001", TeamLimitsSet{Staff: "1002", PerOrder: 3000, PerDay: 5000}))
	copyOf := func() *memState {
		c := newMem()
		for typ, m := range server.recs {
			for _, r := range m {
				c.put(Record{Type: typ, ID: r.ID, Data: r.Data})
			}
		}
		return c
	}
	deskA, deskB := copyOf(), copyOf()
	ma, mb := give(t, "1002", "oa", ConcessionPriceCut, 3000), give(t, "1002", "ob", ConcessionPriceCut, 3000)
	apply(t, deskA, ma)
	apply(t, deskB, mb)
	if get[Concession](t, deskA, TypeConcession, ma.Entity).State != ConcessionApplied || get[Concession](t, deskB, TypeConcession, mb.Entity).State != ConcessionApplied {
		t.Fatal("each desk alone should apply its ¥30")
	}
	apply(t, server, ma)
	apply(t, server, mb)
	if st := get[Concession](t, server, TypeConcession, ma.Entity).State; st != ConcessionApplied {
		t.Errorf("the first on the server: %s", st)
	}
	if st := get[Concession](t, server, TypeConcession, mb.Entity).State; st != ConcessionRequested {
		t.Errorf("the second on the server: %s; want requested", st)
	}
}

func decodeJSON(b []byte, v any) error { return json.Unmarshal(b, v) }

// TestConcessionTallyKeepsAWeek: the tally counts by shop day and forgets the days more than
// a week before the newest, so that it stays small.
func TestConcessionTallyKeepsAWeek(t *testing.T) {
	var tally ConcessionTally
	for d := range 10 {
		tally.add(t0.AddDate(0, 0, d), 100)
	}
	tally.add(t0.AddDate(0, 0, 9), 50)
	if len(tally.Days) != TallyKeepDays+1 {
		t.Fatalf("the tally keeps %d days: %v", len(tally.Days), tally.Days)
	}
	if got := tally.On(t0.AddDate(0, 0, 9)); got != (ConcessionDay{Given: 150, Count: 2}) {
		t.Errorf("the newest day: %+v", got)
	}
	if got := tally.On(t0); got != (ConcessionDay{}) {
		t.Errorf("a day ten days back is kept: %+v", got)
	}
	// A late concession of an old day (a desk offline for a while) counts on its own day.
	tally.add(t0.AddDate(0, 0, 5), 70)
	if got := tally.On(t0.AddDate(0, 0, 5)); got.Given != 170 {
		t.Errorf("the late day: %+v", got)
	}
}
