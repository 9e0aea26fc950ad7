package screens

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"kefu/shop"
)

// openTeam opens the Team screen from the rail.
func openTeam(t *testing.T, f *fixture) *teamScreen {
	t.Helper()
	tapRail(t, f.desk.rail, lang.L("Team"))
	f.drain()
	s := f.desk.team
	if s.view == nil {
		t.Fatalf("the Team screen read nothing: %s", s.msg.Text)
	}
	return s
}

// An agent opens the Team screen and sees her own figures only, the charts drawn from them,
// and her own row of the ranking, without the weights editor.
func TestTeamScreenAgentSeesHerOwn(t *testing.T) {
	f := newFixture(t)
	s := openTeam(t, f)
	if len(s.kpi.rows) != 1 || !strings.Contains(s.kpi.rows[0].who, "1002") {
		t.Fatalf("the agent's KPI rows: %+v", s.kpi.rows)
	}
	from := shop.PeriodWeek.Start(testNow, shop.ShopZone)
	want, err := f.dk.KPIs(context.Background(), from, shop.PeriodWeek.Next(from), shop.PeriodDay)
	if err != nil {
		t.Fatal(err)
	}
	if got, exp := kpiCells(s.kpi.rows[0]), kpiCells(kpiRows(want.Total)[0]); strings.Join(got, "|") != strings.Join(exp, "|") {
		t.Errorf("the table shows %v, the desk computes %v", got, exp)
	}
	if s.kpi.rows[0].f.Handled == 0 {
		t.Fatalf("the demo agent handled nothing this week; the test shows nothing: %+v", s.kpi.rows[0].f)
	}
	if s.charts.days.bars() == 0 || len(s.charts.days.groups) != 7 || len(s.charts.days.series) != 1 {
		t.Errorf("the week chart: %d bars, groups %v, series %v", s.charts.days.bars(), s.charts.days.groups, s.charts.days.series)
	}
	if s.charts.hours.bars() == 0 {
		t.Error("the hour-of-day chart has no bars")
	}
	if len(s.ranking.rows) > 1 || (len(s.ranking.rows) == 1 && s.ranking.rows[0].Staff != "1002") || s.ranking.editor.Visible() {
		t.Errorf("the agent's ranking: rows %+v, editor shown %v", s.ranking.rows, s.ranking.editor.Visible())
	}
	// The previous week, then a day: the span follows.
	before := s.span.Text
	test.Tap(s.prev)
	f.drain()
	if s.span.Text == before || !s.view.from.Equal(from.AddDate(0, 0, -7)) {
		t.Errorf("after ← the span is %q from %v", s.span.Text, s.view.from)
	}
	s.period.SetSelected(lang.L("Day"))
	f.drain()
	if s.view.to.Sub(s.view.from) != 24*time.Hour || len(s.view.report.Buckets) != 1 {
		t.Errorf("a day's span is %v..%v with %d buckets", s.view.from, s.view.to, len(s.view.report.Buckets))
	}
	if s.next.Disabled() {
		t.Error("the next day cannot be reached from last week")
	}
	// Ctrl+T moves to the next tab while the screen is open.
	tab := s.tabs.SelectedIndex()
	f.desk.handleShortcut(teamKey)
	if got := s.tabs.SelectedIndex(); got != (tab+1)%len(s.tabs.Items) {
		t.Errorf("Ctrl+T over the Team screen shows tab %d, want %d", got, tab+1)
	}
}

// Ctrl+T opens the Team screen from a section.
func TestTeamKeyOpensTheScreen(t *testing.T) {
	f := newFixture(t)
	if !f.desk.handleShortcut(teamKey) {
		t.Fatal("Ctrl+T is not a desk shortcut")
	}
	f.drain()
	if !f.desk.team.open || f.desk.team.view == nil {
		t.Error("Ctrl+T did not open the Team screen")
	}
}

// A manager sees everyone and the team, sets the ranking's weights and closes a finished
// month, whose ranking then stays as it was.
func TestTeamScreenManagerWeightsAndClosing(t *testing.T) {
	f := newTeamFixture(t, "1001")
	s := openTeam(t, f)
	if n := len(s.kpi.rows); n < 3 || s.kpi.rows[n-1].who != lang.L("Team") {
		t.Fatalf("the manager's KPI rows: %+v", s.kpi.rows)
	}
	if len(s.charts.days.series) < 2 {
		t.Errorf("the week chart has series %v, want one per staff member", s.charts.days.series)
	}
	if !s.ranking.editor.Visible() {
		t.Fatal("no weights editor for the owner")
	}
	for i, row := range s.ranking.rows {
		head, side, line := rankRowText(i, row)
		if all := head + side + line; strings.Contains(all, "%!") || !strings.Contains(head, "分") {
			t.Errorf("ranking row %d reads %q", i, all)
		}
	}
	for i, v := range []string{"10", "0", "0", "0", "0"} {
		s.ranking.weights[i].SetText("")
		test.Type(s.ranking.weights[i], v)
	}
	test.Tap(s.ranking.save)
	f.drain()
	out := f.outbox()
	if last := out[len(out)-1]; last.Kind != shop.KindTeamSetWeights {
		t.Fatalf("saving the weights recorded %s", last.Kind)
	}
	if w := s.view.ranking.Weights; w != (shop.RankingWeights{Response: 10}) {
		t.Errorf("the ranking uses weights %+v after saving", w)
	}
	// The month before is over: close it.
	s.period.SetSelected(lang.L("Month"))
	f.drain()
	test.Tap(s.prev)
	f.drain()
	if s.ranking.close.Disabled() {
		t.Fatalf("April cannot be closed: %+v", s.view.ranking)
	}
	test.Tap(s.ranking.close)
	tapOverlay(t, f.win, lang.L("Yes"))
	f.drain()
	out = f.outbox()
	if last := out[len(out)-1]; last.Kind != shop.KindRankingClose || last.Entity != "2026-04" {
		t.Fatalf("closing the month recorded %s %s", last.Kind, last.Entity)
	}
	if !s.view.ranking.Closed() || !s.ranking.close.Disabled() {
		t.Errorf("after closing, the ranking %+v", s.view.ranking)
	}
	kept := s.view.ranking.Rows
	for i := range s.ranking.weights {
		s.ranking.weights[i].SetText("1")
	}
	test.Tap(s.ranking.save)
	f.drain()
	if got := s.view.ranking.Rows; len(got) != len(kept) || (len(got) > 0 && got[0].Score != kept[0].Score) || s.view.ranking.Weights.Response != 10 {
		t.Errorf("new weights changed the closed month: %+v, was %+v", got, kept)
	}
}

// The export holds the span's figures per staff member and the team, then each day's.
func TestTeamExportTable(t *testing.T) {
	f := newTeamFixture(t, "1001")
	s := openTeam(t, f)
	tab := kpiTable(s.view.report, "span", shop.ShopZone)
	staff := len(s.view.report.Total.Staff)
	if want := (staff + 1) * 8; len(tab.Rows) != want {
		t.Errorf("%d rows, want %d (the week and its 7 days, each staff member and the team)", len(tab.Rows), want)
	}
	if len(tab.Header) != len(tab.Rows[0]) {
		t.Errorf("header of %d, rows of %d", len(tab.Header), len(tab.Rows[0]))
	}
	var buf bytes.Buffer
	if err := tab.WriteXLSX(&buf); err != nil || buf.Len() == 0 {
		t.Errorf("writing the XLSX: %v", err)
	}
}
