package shop

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// kpiDay is a Wednesday in the shop's zone.
var kpiDay = time.Date(2026, 11, 25, 0, 0, 0, 0, ShopZone)

func at(day time.Time, hhmm string) time.Time {
	t, err := time.ParseInLocation("15:04", hhmm, ShopZone)
	if err != nil {
		panic(err)
	}
	return day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
}

func custMsg(id, conv string, t time.Time) Message {
	return Message{ID: id, ConversationID: conv, From: FromCustomer, Text: "在吗", At: t}
}

func staffMsg(id, conv, staff string, t time.Time) Message {
	return Message{ID: id, ConversationID: conv, From: FromStaff, Staff: staff, Text: "您好", At: t}
}

func dayReport(t *testing.T, period Period, from, to time.Time, hours AutoReplies, recs ...Record) KPIReport {
	t.Helper()
	a := NewKPIAccumulator(KPIOptions{From: from, To: to, Period: period, Hours: hours})
	for _, r := range recs {
		if err := a.AddRecord(r); err != nil {
			t.Fatal(err)
		}
	}
	return a.Report()
}

func rec(typ EntityType, id string, v any) Record { return NewRecord(typ, id, v) }

func staffOf(t *testing.T, b KPIBucket, staff string) StaffFigures {
	t.Helper()
	s, ok := b.Of(staff)
	if !ok {
		t.Fatalf("no figures for staff %s in %v", staff, b.Staff)
	}
	return s
}

// An offline stretch recorded through outage.record is left out of the response time of the
// agent whose desk was down, and only hers.
func TestKPIOutageRecordedIsExcluded(t *testing.T) {
	s := fixture()
	m := mut(t, KindOutageRecord, "out1", "1002", Outage{From: at(kpiDay, "10:02"), To: at(kpiDay, "10:12"), Why: "offline"})
	m.At = at(kpiDay, "10:13")
	out, err := Decide(s, m, at(kpiDay, "10:14"))
	if err != nil {
		t.Fatal(err)
	}
	s.put(out.Records...)
	outage := get[Outage](t, s, TypeOutage, "out1")
	if outage.Staff != "1002" || outage.ID != "out1" {
		t.Fatalf("outage recorded as %+v", outage)
	}
	recs := []Record{
		rec(TypeStaff, "1001", Staff{Number: "1001", Role: RoleOwner}),
		rec(TypeStaff, "1002", Staff{Number: "1002", Role: RoleAgent}),
		rec(TypeConversation, "v1", Conversation{ID: "v1", CustomerID: "c1"}),
		rec(TypeConversation, "v2", Conversation{ID: "v2", CustomerID: "c2"}),
		rec(TypeMessage, "m1", custMsg("m1", "v1", at(kpiDay, "10:00"))),
		rec(TypeMessage, "m2", staffMsg("m2", "v1", "1002", at(kpiDay, "10:15"))),
		// The same wait answered by a colleague whose desk was up counts in full.
		rec(TypeMessage, "m3", custMsg("m3", "v2", at(kpiDay, "10:00"))),
		rec(TypeMessage, "m4", staffMsg("m4", "v2", "1001", at(kpiDay, "10:15"))),
		s.recs[TypeOutage]["out1"],
	}
	r := dayReport(t, PeriodDay, kpiDay, kpiDay.AddDate(0, 0, 1), AutoReplies{}, recs...)
	agent := staffOf(t, r.Total, "1002")
	if got := agent.FirstResponse(); got != 5*time.Minute {
		t.Errorf("agent's first response %v, want 5m (15m less the 10m outage)", got)
	}
	if agent.Excluded != (10 * time.Minute).Seconds() {
		t.Errorf("agent's excluded time %vs, want 600", agent.Excluded)
	}
	if got := staffOf(t, r.Total, "1001").FirstResponse(); got != 15*time.Minute {
		t.Errorf("colleague's first response %v, want 15m", got)
	}
	if got := r.Total.Team.AvgResponse(); got != 10*time.Minute {
		t.Errorf("team's average %v, want 10m", got)
	}
	// A server outage (no staff) counts for everyone.
	server := rec(TypeOutage, "out2", Outage{ID: "out2", From: at(kpiDay, "10:00"), To: at(kpiDay, "10:05")})
	r = dayReport(t, PeriodDay, kpiDay, kpiDay.AddDate(0, 0, 1), AutoReplies{}, append(recs, server)...)
	if got := staffOf(t, r.Total, "1001").FirstResponse(); got != 10*time.Minute {
		t.Errorf("colleague's first response with a server outage %v, want 10m", got)
	}
	if got := staffOf(t, r.Total, "1002").FirstResponse(); got != 3*time.Minute {
		t.Errorf("agent's first response with both outages %v, want 3m", got)
	}
}

func TestOutageRecordRules(t *testing.T) {
	s := fixture()
	now := at(kpiDay, "12:00")
	for _, c := range []struct {
		o    Outage
		want string
	}{
		{Outage{From: at(kpiDay, "10:00"), To: at(kpiDay, "09:00")}, "start before its end"},
		{Outage{From: at(kpiDay, "11:00"), To: at(kpiDay, "13:00")}, "future"},
		{Outage{From: kpiDay.AddDate(0, -2, 0), To: at(kpiDay, "11:00")}, "at most"},
	} {
		m := mut(t, KindOutageRecord, NewID(), "1002", c.o)
		if _, err := Decide(s, m, now); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("outage %v..%v: %v, want a rejection about %q", c.o.From, c.o.To, err, c.want)
		}
	}
	m := mut(t, KindOutageRecord, "o-dup", "1002", Outage{From: at(kpiDay, "10:00"), To: at(kpiDay, "10:30"), Staff: "1001"})
	out, err := Decide(s, m, now)
	if err != nil {
		t.Fatal(err)
	}
	s.put(out.Records...)
	if got := get[Outage](t, s, TypeOutage, "o-dup"); got.Staff != "1002" {
		t.Errorf("outage staff %q, want the mutation's 1002 (nobody records another's outage)", got.Staff)
	}
	m2 := mut(t, KindOutageRecord, "o-dup", "1002", Outage{From: at(kpiDay, "10:00"), To: at(kpiDay, "10:30")})
	if _, err := Decide(s, m2, now); err == nil {
		t.Error("a second outage under the same id was accepted; outages are append-only")
	}
}

// Outside business hours the wait does not count: a Friday-evening message answered on
// Monday morning is ten minutes of Friday's business time plus ten of Monday's.
func TestKPIBusinessHours(t *testing.T) {
	var hours AutoReplies
	for d := time.Monday; d <= time.Friday; d++ {
		hours.Hours[d] = BusinessHours{Open: 9 * 60, Close: 18 * 60}
	}
	friday := time.Date(2026, 11, 27, 0, 0, 0, 0, ShopZone)
	monday := friday.AddDate(0, 0, 3)
	recs := []Record{
		rec(TypeMessage, "m1", custMsg("m1", "v1", at(friday, "17:50"))),
		rec(TypeMessage, "m2", staffMsg("m2", "v1", "1002", at(monday, "09:10"))),
		// Sent at night, answered before opening: nothing counts against the agent.
		rec(TypeMessage, "m3", custMsg("m3", "v2", at(monday, "02:00"))),
		rec(TypeMessage, "m4", staffMsg("m4", "v2", "1002", at(monday, "08:30"))),
	}
	r := dayReport(t, PeriodWeek, friday, monday.AddDate(0, 0, 1), hours, recs...)
	f := staffOf(t, r.Total, "1002")
	if f.Responses != 2 {
		t.Fatalf("%d responses, want 2", f.Responses)
	}
	if got := time.Duration(f.Seconds * float64(time.Second)); got != 20*time.Minute {
		t.Errorf("response times sum to %v, want 20m (10m Friday + 10m Monday; the night is off)", got)
	}
	if len(r.Buckets) != 2 || !r.Buckets[1].From.Equal(monday) {
		t.Fatalf("buckets %v, want the week of Friday (cut at the span) and the week starting Monday %v", bucketStarts(r), monday)
	}
	if h := f.Hours[17]; h.Responses != 1 || h.Mean() != 20*time.Minute {
		t.Errorf("17:00 hour figures %+v, want one response of 20m", h)
	}
	// In another zone the same instants fall in other hours.
	hours.Location = "Europe/London"
	r = dayReport(t, PeriodWeek, friday, monday.AddDate(0, 0, 1), hours, recs...)
	if r.Zone != "Europe/London" {
		t.Errorf("zone %q", r.Zone)
	}
	if f := staffOf(t, r.Total, "1002"); f.Seconds == 20*60 {
		t.Errorf("London hours gave the same response time as Shanghai's")
	}
}

func bucketStarts(r KPIReport) []time.Time {
	var out []time.Time
	for _, b := range r.Buckets {
		out = append(out, b.From)
	}
	return out
}

// A customer who chats and orders within 24 hours converted; one who orders later did not.
func TestKPIConversionWindow(t *testing.T) {
	day := kpiDay
	recs := []Record{
		rec(TypeConversation, "v1", Conversation{ID: "v1", CustomerID: "c1", Assignee: "1002"}),
		rec(TypeConversation, "v2", Conversation{ID: "v2", CustomerID: "c2", Assignee: "1002"}),
		rec(TypeConversation, "v3", Conversation{ID: "v3", CustomerID: "c3", Assignee: "1002"}),
		rec(TypeMessage, "m1", custMsg("m1", "v1", at(day, "10:00"))),
		rec(TypeMessage, "m2", staffMsg("m2", "v1", "1002", at(day, "10:01"))),
		rec(TypeMessage, "m3", custMsg("m3", "v2", at(day, "11:00"))),
		rec(TypeMessage, "m4", staffMsg("m4", "v2", "1002", at(day, "11:01"))),
		rec(TypeMessage, "m5", custMsg("m5", "v3", at(day, "12:00"))), // never answered
		rec(TypeOrder, "o1", Order{ID: "o1", CustomerID: "c1", CreatedAt: at(day, "10:00").Add(23 * time.Hour)}),
		rec(TypeOrder, "o2", Order{ID: "o2", CustomerID: "c2", CreatedAt: at(day, "11:00").Add(25 * time.Hour)}),
		// An order before the chat is not a conversion either.
		rec(TypeOrder, "o3", Order{ID: "o3", CustomerID: "c3", CreatedAt: at(day, "09:00")}),
	}
	r := dayReport(t, PeriodDay, day, day.AddDate(0, 0, 1), AutoReplies{}, recs...)
	f := staffOf(t, r.Total, "1002")
	if f.Conversations != 3 || f.Answered != 2 || f.Converted != 1 {
		t.Errorf("conversations %d answered %d converted %d, want 3, 2, 1", f.Conversations, f.Answered, f.Converted)
	}
	if got := f.AnsweredShare(); got < 0.66 || got > 0.67 {
		t.Errorf("answered share %v, want 2/3", got)
	}
	if f.Handled != 2 {
		t.Errorf("handled %d, want 2", f.Handled)
	}
	if r.Total.Team.Stretches != 3 || r.Total.Team.Conversations != 3 {
		t.Errorf("team stretches %d conversations %d, want 3 and 3", r.Total.Team.Stretches, r.Total.Team.Conversations)
	}
}

// Weeks start on Monday and days at midnight in the shop's zone, not in UTC.
func TestKPIPeriodBuckets(t *testing.T) {
	sunday := time.Date(2026, 11, 29, 0, 0, 0, 0, ShopZone)
	if got := PeriodWeek.Start(sunday.Add(23*time.Hour), ShopZone); !got.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, ShopZone)) {
		t.Errorf("week of Sunday 23:00 starts %v, want Monday 23 Nov", got)
	}
	mondayEarly := time.Date(2026, 11, 30, 0, 30, 0, 0, ShopZone) // still Sunday in UTC
	if got := PeriodWeek.Start(mondayEarly, ShopZone); !got.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, ShopZone)) {
		t.Errorf("week of Monday 00:30 CST starts %v, want Monday 30 Nov", got)
	}
	if got := PeriodMonth.Start(mondayEarly.AddDate(0, 0, 1), ShopZone); !got.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, ShopZone)) {
		t.Errorf("month start %v", got)
	}
	if got := PeriodMonth.Prev(time.Date(2026, 12, 1, 0, 0, 0, 0, ShopZone)); !got.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, ShopZone)) {
		t.Errorf("previous month %v", got)
	}
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, ShopZone), time.Date(2026, 12, 1, 0, 0, 0, 0, ShopZone)
	recs := []Record{
		rec(TypeCall, "k1", CallLog{ID: "k1", Staff: "1002", At: sunday.Add(23 * time.Hour)}),
		rec(TypeCall, "k2", CallLog{ID: "k2", Staff: "1002", At: mondayEarly}),
		rec(TypeCall, "k3", CallLog{ID: "k3", Staff: "1002", At: mondayEarly.AddDate(0, 0, 1)}), // December: outside
		rec(TypeNote, "n1", OrderNote{ID: "n1", Staff: "1002", At: mondayEarly}),
		rec(TypeNote, "n2", OrderNote{ID: "n2", Staff: "1002", At: mondayEarly, System: true}),
	}
	r := dayReport(t, PeriodWeek, from, to, AutoReplies{}, recs...)
	// November 2026 starts on a Sunday: weeks from 1 (cut), 2, 9, 16, 23, 30 Nov.
	if len(r.Buckets) != 6 {
		t.Fatalf("buckets %v, want 6 weeks", bucketStarts(r))
	}
	for i, b := range r.Buckets[1:] {
		if b.From.Weekday() != time.Monday {
			t.Errorf("bucket %d starts on %v", i+1, b.From.Weekday())
		}
	}
	if got := staffOf(t, r.Buckets[4], "1002").Calls; got != 1 {
		t.Errorf("week of 23 Nov has %d calls, want 1 (Sunday 23:00 CST)", got)
	}
	w := staffOf(t, r.Buckets[5], "1002")
	if w.Calls != 1 || w.Notes != 1 {
		t.Errorf("week of 30 Nov: %d calls %d notes, want 1 and 1 (typed notes only)", w.Calls, w.Notes)
	}
	if w.Quota != 29 { // one day of the week inside November: 200/7
		t.Errorf("quota of a one-day bucket %d, want 29", w.Quota)
	}
	if got := staffOf(t, r.Buckets[3], "1002").Quota; got != DefaultCallQuota {
		t.Errorf("quota of a full week %d, want %d", got, DefaultCallQuota)
	}
	if got := staffOf(t, r.Total, "1002").Calls; got != 2 {
		t.Errorf("month total %d calls, want 2", got)
	}
	// The manager's quota is used.
	a := NewKPIAccumulator(KPIOptions{From: from, To: to, Period: PeriodWeek, Team: TeamSettings{CallQuota: map[string]int{"1002": 150}}})
	for _, r := range recs {
		_ = a.AddRecord(r)
	}
	if got := staffOf(t, a.Report().Buckets[3], "1002").Quota; got != 150 {
		t.Errorf("quota %d, want the manager's 150", got)
	}
}

// Cases closed, reviews revised and complaints are credited to the right people and days.
func TestKPICasesReviewsComplaints(t *testing.T) {
	day := kpiDay
	recs := []Record{
		rec(TypeCase, "a1", AfterSalesCase{ID: "a1", Steps: []Step{
			{To: string(CaseOpen), Staff: "1002", At: at(day, "09:00")},
			{From: string(CaseOpen), To: string(CaseResolved), Staff: "1002", At: at(day, "10:00")}}}),
		rec(TypeCase, "a2", AfterSalesCase{ID: "a2", Steps: []Step{
			{From: string(CaseOpen), To: string(CaseRefunded), Staff: "1001", At: at(day, "10:00").AddDate(0, 0, -2)}}}),
		rec(TypeReview, "r1", Review{ID: "r1", Stars: 1, Steps: []Step{
			{To: string(ReviewRevisionRequested), Staff: "1002", At: at(day, "08:00")},
			{To: string(ReviewRevised), Staff: "1001", At: at(day, "11:00")}}}),
		rec(TypeReview, "r2", Review{ID: "r2", Stars: 5, Steps: []Step{{To: string(ReviewRevised), Staff: "1002", At: at(day, "11:00")}}}),
		rec(TypeComplaint, "p1", Complaint{ID: "p1", Owner: "1002", Category: ComplaintQuality, State: ComplaintResolved, CreatedAt: at(day, "09:00"),
			Steps: []Step{{To: string(ComplaintResolved), Staff: "1002", At: at(day, "12:00")}}}),
		rec(TypeComplaint, "p2", Complaint{ID: "p2", Owner: "1002", Category: ComplaintQuality, State: ComplaintOpen, CreatedAt: at(day, "09:30")}),
		rec(TypeComplaint, "p3", Complaint{ID: "p3", Owner: "1002", Category: ComplaintService, State: ComplaintOpen, CreatedAt: at(day, "09:30")}),
	}
	r := dayReport(t, PeriodDay, day, day.AddDate(0, 0, 1), AutoReplies{}, recs...)
	f := staffOf(t, r.Total, "1002")
	if f.CasesClosed != 1 || f.Revisions != 1 {
		t.Errorf("cases closed %d revisions %d, want 1 and 1 (the bad review she asked to revise)", f.CasesClosed, f.Revisions)
	}
	if q := f.Complaints[ComplaintQuality]; q != (ComplaintFigures{Opened: 2, Done: 1, Resolved: 1}) {
		t.Errorf("quality complaints %+v", q)
	}
	if got := f.CompletionRate(); got < 0.33 || got > 0.34 {
		t.Errorf("completion rate %v, want 1/3", got)
	}
	if g, _ := r.Total.Of("1001"); g.CasesClosed != 0 || g.Revisions != 0 {
		t.Errorf("1001 credited with %d cases %d revisions, want none", g.CasesClosed, g.Revisions)
	}
}

// The records may come in any order: the report is the same.
func TestKPIAnyOrder(t *testing.T) {
	var recs []Record
	base := at(kpiDay, "09:00")
	for i := range 40 {
		conv := "v" + string(rune('a'+i%5))
		t0 := base.Add(time.Duration(i) * 17 * time.Minute)
		recs = append(recs, rec(TypeMessage, NewID(), custMsg(NewID(), conv, t0)))
		if i%3 != 0 {
			recs = append(recs, rec(TypeMessage, NewID(), staffMsg(NewID(), conv, []string{"1001", "1002"}[i%2], t0.Add(time.Duration(i)*time.Minute))))
		}
	}
	for i := range 5 {
		recs = append(recs, rec(TypeConversation, "v"+string(rune('a'+i)), Conversation{ID: "v" + string(rune('a'+i)), CustomerID: "c" + string(rune('a'+i))}))
		recs = append(recs, rec(TypeOrder, NewID(), Order{CustomerID: "c" + string(rune('a'+i)), CreatedAt: base.Add(time.Duration(i) * time.Hour)}))
	}
	want := dayReport(t, PeriodDay, kpiDay, kpiDay.AddDate(0, 0, 2), AutoReplies{}, recs...)
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		rnd.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		got := dayReport(t, PeriodDay, kpiDay, kpiDay.AddDate(0, 0, 2), AutoReplies{}, recs...)
		if got.Total.Team.Seconds != want.Total.Team.Seconds || got.Total.Team.Converted != want.Total.Team.Converted ||
			got.Total.Team.Handled != want.Total.Team.Handled || got.Total.Team.Firsts != want.Total.Team.Firsts {
			t.Fatalf("shuffled records gave %+v, want %+v", got.Total.Team, want.Total.Team)
		}
	}
	if want.Total.Team.Responses == 0 || want.Total.Team.Converted == 0 {
		t.Fatalf("the fixture has no responses or conversions: %+v", want.Total.Team)
	}
}

// Only keeps one staff member's figures and drops the team's.
func TestKPIReportOnly(t *testing.T) {
	recs := []Record{
		rec(TypeCall, "k1", CallLog{ID: "k1", Staff: "1001", At: at(kpiDay, "10:00")}),
		rec(TypeCall, "k2", CallLog{ID: "k2", Staff: "1002", At: at(kpiDay, "10:00")}),
	}
	r := dayReport(t, PeriodDay, kpiDay, kpiDay.AddDate(0, 0, 1), AutoReplies{}, recs...).Only("1002")
	if len(r.Total.Staff) != 1 || r.Total.Staff[0].Staff != "1002" || r.Total.Staff[0].Calls != 1 {
		t.Errorf("cut report %+v", r.Total.Staff)
	}
	if r.Total.Team.Calls != 0 || r.Buckets[0].Team.Calls != 0 || r.OnlyStaff != "1002" {
		t.Errorf("the team's figures stayed in the cut report: %+v", r.Total.Team)
	}
}
