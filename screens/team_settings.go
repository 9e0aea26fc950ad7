package screens

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// teamSettingsDialog is where a manager sets each staff member's weekly call quota and
// concession limits (from the window's 客服台 menu). The server refuses the settings from
// anyone else, whatever their desk shows.
type teamSettingsDialog struct {
	t     *teamWork
	dlg   *dialog.ConfirmDialog
	team  shop.TeamSettings
	staff []shop.Staff
	rows  []teamSettingsRow
}

// teamSettingsRow is one staff member's fields.
type teamSettingsRow struct {
	staff                   shop.Staff
	quota, perOrder, perDay *deskEntry
}

// teamDraft is the settings and the staff, read together.
type teamDraft struct {
	team  shop.TeamSettings
	staff []shop.Staff
}

// showSettings reads the team settings and opens the dialog.
func (t *teamWork) showSettings() {
	if !t.manager {
		return
	}
	background(t.env, func(ctx context.Context) (teamDraft, error) {
		var d teamDraft
		var err error
		if d.team, err = t.data.TeamSettings(ctx); err != nil {
			return d, err
		}
		d.staff, err = t.data.StaffList(ctx)
		return d, err
	}, func(d teamDraft, err error) {
		if err != nil {
			t.inform(lang.L("Team settings"), fmt.Sprintf(lang.L("Could not read the team settings: %v"), err))
			return
		}
		t.askSettings(d)
	})
}

func (t *teamWork) askSettings(d teamDraft) {
	s := &teamSettingsDialog{t: t, team: d.team, staff: d.staff}
	t.settings = s
	grid := container.NewGridWithColumns(4,
		newHeading(lang.L("Staff")), newHeading(lang.L("Calls a week")), newHeading(lang.L("Per order (¥)")), newHeading(lang.L("Per day (¥)")))
	for _, st := range d.staff {
		r := teamSettingsRow{staff: st, quota: newDeskEntry(t.env), perOrder: newDeskEntry(t.env), perDay: newDeskEntry(t.env)}
		lim := d.team.LimitOf(st.Number)
		r.quota.SetText(strconv.Itoa(d.team.QuotaOf(st.Number)))
		r.perOrder.SetText(yuanText(lim.PerOrder))
		r.perDay.SetText(yuanText(lim.PerDay))
		s.rows = append(s.rows, r)
		grid.Add(widget.NewLabel(joinNonEmpty(" · ", st.Name, staffLabel(st.Number))))
		grid.Add(r.quota)
		grid.Add(r.perOrder)
		grid.Add(r.perDay)
	}
	if t.env.win == nil {
		return
	}
	help := newWrapLabel(lang.L("Concessions within a staff member's limits per order and per day are applied at once; above them a manager decides. A limit of 0 means every concession needs approval."))
	body := container.NewBorder(help, nil, nil, nil, container.NewVScroll(grid))
	s.dlg = dialog.NewCustomConfirm(lang.L("Team settings"), lang.L("Save"), lang.L("Cancel"), body, func(ok bool) {
		if ok {
			s.save()
		}
	}, t.env.win)
	s.dlg.Resize(fyne.NewSize(720, 420))
	s.dlg.Show()
}

// save records the quotas and limits that changed; a field that is not a number is named and
// nothing is saved.
func (s *teamSettingsDialog) save() {
	type change struct {
		kind shop.Kind
		data any
	}
	var changes []change
	for _, r := range s.rows {
		q, err := strconv.Atoi(strings.TrimSpace(r.quota.Text))
		po, ok1 := parseYuan(r.perOrder.Text)
		pd, ok2 := parseYuan(r.perDay.Text)
		if err != nil || q < 0 || !ok1 || !ok2 {
			s.t.inform(lang.L("Team settings"), fmt.Sprintf(lang.L("The figures of %s are not numbers."), joinNonEmpty(" · ", r.staff.Name, staffLabel(r.staff.Number))))
			if s.dlg != nil {
				s.dlg.Show()
			}
			return
		}
		n := r.staff.Number
		if q != s.team.QuotaOf(n) {
			changes = append(changes, change{shop.KindTeamSetQuota, shop.TeamQuotaSet{Staff: n, Quota: q}})
		}
		if l := (shop.ConcessionLimit{PerOrder: po, PerDay: pd}); l != s.team.LimitOf(n) {
			changes = append(changes, change{shop.KindTeamSetLimits, shop.TeamLimitsSet{Staff: n, PerOrder: po, PerDay: pd}})
		}
	}
	for _, c := range changes {
		s.t.env.apply(c.kind, shop.TeamID, 0, c.data, nil)
	}
}
