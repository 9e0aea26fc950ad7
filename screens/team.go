package screens

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// TeamData is what the Team screen reads and records: the KPIs of a span (an agent's hold
// her own figures only), the monthly ranking, and, for owners and managers, the ranking's
// weights and the closing of a month.
type TeamData interface {
	KPIs(ctx context.Context, from, to time.Time, period shop.Period) (shop.KPIReport, error)
	Ranking(ctx context.Context, t time.Time) (desk.MonthRanking, error)
	RankingWeights(ctx context.Context) (shop.RankingWeights, error)
	SetRankingWeights(ctx context.Context, w shop.RankingWeights) error
	CloseMonth(ctx context.Context, t time.Time) (shop.Ranking, error)
	IsManager(ctx context.Context) bool
	ShopZone(ctx context.Context) *time.Location
}

var _ TeamData = (*desk.Desk)(nil)

// iconTeam is the rail's entry to the Team screen (Material Design's "insights").
var iconTeam = svgIcon("team.svg", "M21 8c-1.45 0-2.26 1.44-1.93 2.51l-3.55 3.56c-.3-.09-.74-.09-1.04 0l-2.55-2.55C12.27 10.45 11.46 9 10 9c-1.45 0-2.27 1.44-1.93 2.52l-4.56 4.55C2.44 15.74 1 16.55 1 18c0 1.1.9 2 2 2 1.45 0 2.26-1.44 1.93-2.51l4.55-4.56c.3.09.74.09 1.04 0l2.55 2.55C12.73 16.55 13.54 18 15 18c1.45 0 2.27-1.44 1.93-2.52l3.56-3.55c1.07.33 2.51-.48 2.51-1.93 0-1.1-.9-2-2-2z")

// teamView is what the screen shows for one span: its KPIs by day and the month's ranking.
type teamView struct {
	from, to time.Time
	report   shop.KPIReport // buckets of days
	ranking  desk.MonthRanking
	weights  shop.RankingWeights
	manager  bool
}

// teamScreen is the Team screen (团队): the KPIs of a day, week or month per staff member and
// for the team, charts of them, and the monthly ranking. It opens over the window from the
// rail; everything is read from the desk's store in the background. Agents see their own
// figures only (the desk and the server both cut the rest away).
type teamScreen struct {
	env  *env
	data TeamData

	dlg    dialog.Dialog
	body   *fyne.Container
	period *widget.RadioGroup
	span   *widget.Label
	prev   *widget.Button
	next   *widget.Button
	today  *widget.Button
	export *widget.Button
	msg    *widget.Label
	tabs   *container.AppTabs

	kpi     *teamKPI
	charts  *teamCharts
	ranking *teamRanking

	open  bool // the screen is shown
	kind  shop.Period
	start time.Time // the span's first day (a Start of kind)
	loc   *time.Location
	load  latest
	view  *teamView // what is shown; nil before the first read
}

func newTeamScreen(e *env, data TeamData) *teamScreen {
	s := &teamScreen{env: e, data: data, kind: shop.PeriodWeek, loc: shop.ShopZone}
	names := map[string]shop.Period{lang.L("Day"): shop.PeriodDay, lang.L("Week"): shop.PeriodWeek, lang.L("Month"): shop.PeriodMonth}
	s.period = widget.NewRadioGroup([]string{lang.L("Day"), lang.L("Week"), lang.L("Month")}, func(v string) {
		if p, ok := names[v]; ok && p != s.kind {
			s.kind = p
			s.start = p.Start(s.start, s.loc)
			s.reload()
		}
	})
	s.period.Horizontal = true
	s.period.Required = true
	s.period.SetSelected(lang.L("Week"))
	s.span = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	s.prev = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { s.move(-1) })
	s.next = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { s.move(1) })
	s.today = widget.NewButton(lang.L("This period"), func() {
		s.start = s.kind.Start(s.env.now(), s.loc)
		s.reload()
	})
	s.export = widget.NewButtonWithIcon(lang.L("Export to Excel"), theme.DocumentSaveIcon(), s.onExport)
	s.msg = widget.NewLabel("")
	s.msg.Wrapping = fyne.TextWrapWord
	s.msg.Importance = widget.DangerImportance
	s.msg.Hide()

	s.kpi = newTeamKPI()
	s.charts = newTeamCharts()
	s.ranking = newTeamRanking(s)
	s.tabs = container.NewAppTabs(
		container.NewTabItem(lang.L("KPIs"), s.kpi.content()),
		container.NewTabItem(lang.L("Charts"), s.charts.content()),
		container.NewTabItem(lang.L("Monthly ranking"), s.ranking.content()))
	bar := container.NewHBox(s.period, widget.NewSeparator(), s.prev, s.span, s.next, s.today)
	s.body = container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, nil, s.export, bar), s.msg), nil, nil, nil, s.tabs)
	return s
}

// show opens the screen over the window on the current week.
func (s *teamScreen) show() {
	if s.env.win == nil {
		return
	}
	s.dlg = dialog.NewCustom(lang.L("Team"), lang.L("Close"), s.body, s.env.win)
	s.dlg.SetOnClosed(func() { s.open = false })
	size := s.env.win.Canvas().Size()
	s.dlg.Resize(fyne.NewSize(max(size.Width*0.94, 760), max(size.Height*0.92, 540)))
	s.dlg.Show()
	s.open = true
	background(s.env, func(ctx context.Context) (*time.Location, error) { return s.data.ShopZone(ctx), nil },
		func(loc *time.Location, _ error) {
			s.loc = loc
			s.start = s.kind.Start(s.env.now(), loc)
			s.reload()
		})
}

// teamKey opens the Team screen (Ctrl+T); while it is
// open, it shows the next tab.
var teamKey = &desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierShortcutDefault}

// isTeamKey reports whether s is teamKey.
func isTeamKey(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	return ok && cs.KeyName == teamKey.KeyName && cs.Modifier == teamKey.Modifier
}

// key answers teamKey: the next tab while the screen is open, else the screen (unless another
// dialog is over the window).
func (s *teamScreen) key() {
	if s.open {
		s.tabs.SelectIndex((s.tabs.SelectedIndex() + 1) % len(s.tabs.Items))
		return
	}
	if s.env.win != nil && s.env.win.Canvas().Overlays().Top() != nil {
		return
	}
	s.show()
}

// move goes to the previous (-1) or next (+1) span.
func (s *teamScreen) move(by int) {
	if by < 0 {
		s.start = s.kind.Prev(s.start)
	} else {
		s.start = s.kind.Next(s.start)
	}
	s.reload()
}

// spanText names the span shown: a day, a week (its Monday to Sunday) or a month.
func spanText(kind shop.Period, from, to time.Time) string {
	switch kind {
	case shop.PeriodDay:
		return from.Format("2006-01-02") + " " + weekdayName(from.Weekday())
	case shop.PeriodMonth:
		return from.Format("2006-01")
	}
	return fmt.Sprintf(lang.L("%[1]s to %[2]s"), from.Format("2006-01-02"), to.AddDate(0, 0, -1).Format("01-02"))
}

// reload reads the KPIs of the span shown and the ranking of its month.
func (s *teamScreen) reload() {
	if s.start.IsZero() {
		s.start = s.kind.Start(s.env.now(), s.loc)
	}
	from, to := s.start, s.kind.Next(s.start)
	s.span.SetText(spanText(s.kind, from, to))
	s.next.Disable()
	if to.Before(s.env.now()) {
		s.next.Enable()
	}
	latestRun(&s.load, s.env, func(ctx context.Context) (*teamView, error) {
		v := &teamView{from: from, to: to, manager: s.data.IsManager(ctx)}
		var err error
		if v.report, err = s.data.KPIs(ctx, from, to, shop.PeriodDay); err != nil {
			return nil, err
		}
		if v.ranking, err = s.data.Ranking(ctx, from); err != nil {
			return nil, err
		}
		if v.weights, err = s.data.RankingWeights(ctx); err != nil {
			return nil, err
		}
		return v, nil
	}, func(v *teamView, err error) {
		if err != nil {
			s.msg.SetText(fmt.Sprintf(lang.L("The figures could not be read: %v"), err))
			s.msg.Show()
			return
		}
		s.msg.Hide()
		s.view = v
		s.kpi.set(v.report)
		s.charts.set(v.report, s.loc)
		s.ranking.set(v)
	})
}

// weekdayName is a day of the week in the window's language.
func weekdayName(d time.Weekday) string {
	return [...]string{lang.L("Sunday"), lang.L("Monday"), lang.L("Tuesday"), lang.L("Wednesday"),
		lang.L("Thursday"), lang.L("Friday"), lang.L("Saturday")}[d]
}
