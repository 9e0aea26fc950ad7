package screens

import (
	"context"
	"fmt"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/internal/sheet"
	"kefu/shop"
)

// teamKPI is the KPI tab: one row per staff member and one for the team, over the span.
type teamKPI struct {
	table *widget.Table
	rows  []kpiRow
}

// kpiRow is one row of the KPI table: who and their figures.
type kpiRow struct {
	who string
	f   shop.Figures
}

// kpiColumns are the KPI table's column headers.
func kpiColumns() []string {
	return []string{lang.L("Staff"), lang.L("Conversations"), lang.L("Answered"), lang.L("First response"),
		lang.L("Avg response"), lang.L("Conversion"), lang.L("Handled"), lang.L("Notes"), lang.L("Cases closed"),
		lang.L("Revisions"), lang.L("Complaints resolved"), lang.L("Completion"), lang.L("Calls / quota")}
}

// kpiWidths are the columns' widths.
var kpiWidths = []float32{150, 70, 70, 90, 90, 70, 70, 60, 80, 70, 90, 70, 90}

func newTeamKPI() *teamKPI {
	k := &teamKPI{}
	cols := kpiColumns()
	k.table = widget.NewTable(
		func() (int, int) { return len(k.rows) + 1, len(cols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.TextStyle = fyne.TextStyle{Bold: id.Row == 0 || id.Row == len(k.rows)}
			if id.Row == 0 {
				l.SetText(cols[id.Col])
				return
			}
			l.SetText(kpiCells(k.rows[id.Row-1])[id.Col])
		})
	for i, w := range kpiWidths { // wide enough for the header in either language
		head := widget.NewLabel(cols[i])
		head.TextStyle.Bold = true
		k.table.SetColumnWidth(i, max(w, head.MinSize().Width+theme.Padding()))
	}
	return k
}

func (k *teamKPI) content() fyne.CanvasObject { return k.table }

// set shows the span's figures: each staff member's, then the team's (an agent's report has
// no team row).
func (k *teamKPI) set(rep shop.KPIReport) {
	k.rows = kpiRows(rep.Total)
	k.table.Refresh()
}

// kpiRows are the rows of one bucket: each staff member, then the team when the report has it.
func kpiRows(b shop.KPIBucket) []kpiRow {
	var rows []kpiRow
	for _, s := range b.Staff {
		who := s.Staff
		if s.Name != "" {
			who = s.Name + " " + s.Staff
		}
		rows = append(rows, kpiRow{who: who, f: s.Figures})
	}
	if len(b.Staff) != 1 || b.Team.Handled+b.Team.Conversations+b.Team.Calls > 0 {
		rows = append(rows, kpiRow{who: lang.L("Team"), f: b.Team})
	}
	return rows
}

// kpiCells are a row's cells as the table shows them.
func kpiCells(r kpiRow) []string {
	f := r.f
	c := f.ComplaintTotals()
	return []string{r.who, fmt.Sprint(f.Conversations), percent(f.AnsweredShare(), f.Conversations),
		fmtResponse(f.FirstResponse(), f.Firsts), fmtResponse(f.AvgResponse(), f.Responses),
		percent(f.Conversion(), f.Conversations), fmt.Sprint(f.Handled), fmt.Sprint(f.Notes),
		fmt.Sprint(f.CasesClosed), fmt.Sprint(f.Revisions), fmt.Sprint(c.Resolved), percent(f.CompletionRate(), c.Opened),
		fmt.Sprintf("%d / %d", f.Calls, f.Quota)}
}

// percent is a share as a whole percentage, "–" when there was nothing to share.
func percent(v float64, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%d%%", int(math.Round(v*100)))
}

// fmtResponse is a response time, "–" without responses.
func fmtResponse(d time.Duration, n int) string {
	if n == 0 {
		return "–"
	}
	return fmtWait(d)
}

// onExport saves the span's figures as a workbook: the span's rows, then each day's.
func (s *teamScreen) onExport() {
	v := s.view
	if v == nil {
		return
	}
	saveExport(s.env, exportBase(s.env, "kpi"), func(context.Context) (sheet.Table, error) {
		return kpiTable(v.report, spanText(s.kind, v.from, v.to), s.loc), nil
	})
}

// kpiTable is the KPI export: the span's figures per staff member and the team, then each
// day's. Times are seconds and shares whole percentages, so the sheet can chart them.
func kpiTable(rep shop.KPIReport, span string, loc *time.Location) sheet.Table {
	t := sheet.Table{Name: lang.L("KPIs"), Zone: loc, Header: []string{lang.L("Period"), lang.L("Staff"),
		lang.L("Conversations"), lang.L("Answered (%)"), lang.L("First response (s)"), lang.L("Avg response (s)"),
		lang.L("Conversion (%)"), lang.L("Handled"), lang.L("Notes"), lang.L("Cases closed"), lang.L("Revisions"),
		lang.L("Complaints opened"), lang.L("Complaints resolved"), lang.L("Completion (%)"), lang.L("Calls"), lang.L("Call quota"),
		lang.L("Excluded waiting (s)")}}
	add := func(period string, b shop.KPIBucket) {
		for _, r := range kpiRows(b) {
			f := r.f
			c := f.ComplaintTotals()
			t.Rows = append(t.Rows, []sheet.Cell{sheet.T(period), sheet.T(r.who), sheet.N(f.Conversations),
				sheet.N(pct(f.AnsweredShare())), sheet.N(int(f.FirstResponse().Seconds())), sheet.N(int(f.AvgResponse().Seconds())),
				sheet.N(pct(f.Conversion())), sheet.N(f.Handled), sheet.N(f.Notes), sheet.N(f.CasesClosed), sheet.N(f.Revisions),
				sheet.N(c.Opened), sheet.N(c.Resolved), sheet.N(pct(f.CompletionRate())), sheet.N(f.Calls), sheet.N(f.Quota),
				sheet.N(int(f.Excluded))})
		}
	}
	add(span, rep.Total)
	if len(rep.Buckets) > 1 {
		for _, b := range rep.Buckets {
			add(b.From.In(loc).Format("2006-01-02"), b)
		}
	}
	return t
}

func pct(v float64) int { return int(math.Round(v * 100)) }
