package screens

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// teamRanking is the ranking tab (评比): the month's staff by score, best and worst marked;
// for owners and managers also the weights editor and "close the month", which keeps the
// finished month's ranking as it stands.
type teamRanking struct {
	s       *teamScreen
	title   *widget.Label
	state   *widget.RichText
	list    *widget.List
	rows    []shop.RankRow
	weights [5]*widget.Entry
	save    *widget.Button
	close   *widget.Button
	editor  *fyne.Container
	view    *teamView
}

// weightNames are the weights' labels, in RankingWeights' order.
func weightNames() []string {
	return []string{lang.L("Response"), lang.L("Conversion"), lang.L("Call quota"), lang.L("Complaints"), lang.L("Revisions")}
}

func newTeamRanking(s *teamScreen) *teamRanking {
	r := &teamRanking{s: s}
	r.title = newHeading("")
	r.state = newCaption("")
	r.list = widget.NewList(func() int { return len(r.rows) }, newHeadedRow, func(i widget.ListItemID, o fyne.CanvasObject) {
		row := r.rows[i]
		head, side, line := rankRowText(i, row)
		hr := o.(*headedRow)
		hr.title.SetText(head)
		hr.side.SetText(side)
		setCaption(hr.detail, line)
	})
	form := container.NewHBox()
	for i, name := range weightNames() {
		e := widget.NewEntry()
		e.SetPlaceHolder("0–100")
		r.weights[i] = e
		form.Add(widget.NewLabel(name))
		form.Add(container.NewGridWrap(fyne.NewSize(64, e.MinSize().Height), e))
	}
	r.save = widget.NewButtonWithIcon(lang.L("Save the weights"), theme.DocumentSaveIcon(), r.onSave)
	r.close = widget.NewButtonWithIcon(lang.L("Close the month"), theme.ConfirmIcon(), r.onClose)
	r.close.Importance = widget.HighImportance
	r.editor = container.NewVBox(widget.NewSeparator(), newHeading(lang.L("Weights of the ranking")), form, container.NewHBox(r.save, r.close))
	r.editor.Hide()
	return r
}

func (r *teamRanking) content() fyne.CanvasObject {
	return container.NewBorder(container.NewVBox(r.title, r.state), r.editor, nil, nil, r.list)
}

// rankRowText is one row of the ranking: place, name and score, the mark of the best or the
// worst, then the figures behind the score.
func rankRowText(i int, row shop.RankRow) (head, side, line string) {
	name := row.Name
	if name == "" {
		name = row.Staff
	}
	head = fmt.Sprintf(lang.L("No. %[1]d  %[2]s  %.1[3]f points"), i+1, name, row.Score)
	switch {
	case row.Best:
		side = "★ " + lang.L("best")
	case row.Worst:
		side = "▼ " + lang.L("to improve")
	}
	line = fmt.Sprintf(lang.L("first response %[1]s · conversion %[2]d%% · calls %[3]d%% of quota · complaints resolved %[4]d · revisions %[5]d"),
		fmtWait(time.Duration(row.FirstResponseSeconds*float64(time.Second))), pct(row.Conversion), pct(row.QuotaShare), row.Complaints, row.Revisions)
	return head, side, line
}

// set shows the ranking of the span's month.
func (r *teamRanking) set(v *teamView) {
	r.view = v
	mr := v.ranking
	r.rows = mr.Rows
	r.list.Refresh()
	r.title.SetText(fmt.Sprintf(lang.L("Ranking of %s"), mr.Start.Format("2006-01")))
	w := mr.Weights
	weights := fmt.Sprintf(lang.L("weights: response %[1]d, conversion %[2]d, call quota %[3]d, complaints %[4]d, revisions %[5]d"),
		w.Response, w.Conversion, w.Quota, w.Complaints, w.Revisions)
	switch {
	case mr.Closed():
		r.state.ParseMarkdown(fmt.Sprintf(lang.L("Closed by %[1]s on %[2]s; kept as it was then (%[3]s)."), staffLabel(mr.ClosedBy), fmtFull(mr.ClosedAt), weights))
	case mr.Over:
		r.state.ParseMarkdown(fmt.Sprintf(lang.L("The month is over but not closed: computed now (%s)."), weights))
	default:
		r.state.ParseMarkdown(fmt.Sprintf(lang.L("The month is under way: computed now (%s)."), weights))
	}
	if len(r.rows) == 0 {
		r.state.ParseMarkdown(lang.L("Nobody has work to rank in this month yet."))
	}
	if !v.manager {
		r.editor.Hide()
		return
	}
	r.editor.Show()
	cur := v.weights
	for i, n := range []int{cur.Response, cur.Conversion, cur.Quota, cur.Complaints, cur.Revisions} {
		r.weights[i].SetText(strconv.Itoa(n))
	}
	if mr.Over && !mr.Closed() {
		r.close.Enable()
	} else {
		r.close.Disable()
	}
}

// onSave records the weights typed in.
func (r *teamRanking) onSave() {
	var n [5]int
	for i, e := range r.weights {
		v, err := strconv.Atoi(strings.TrimSpace(e.Text))
		if err != nil || v < 0 || v > 100 {
			r.s.env.showError(fmt.Errorf(lang.L("The weight of %s must be a whole number from 0 to 100."), weightNames()[i]))
			return
		}
		n[i] = v
	}
	w := shop.RankingWeights{Response: n[0], Conversion: n[1], Quota: n[2], Complaints: n[3], Revisions: n[4]}
	background(r.s.env, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, r.s.data.SetRankingWeights(ctx, w)
	}, func(_ struct{}, err error) {
		if err != nil {
			r.s.env.showError(err)
			return
		}
		r.s.reload()
	})
}

// onClose keeps the finished month's ranking, after asking.
func (r *teamRanking) onClose() {
	v := r.view
	if v == nil || r.s.env.win == nil {
		return
	}
	month := v.ranking.Start
	dialog.ShowConfirm(lang.L("Close the month"), fmt.Sprintf(lang.L("Keep the ranking of %s as it stands now? Later changes will not alter it."), month.Format("2006-01")),
		func(ok bool) {
			if ok {
				r.closeMonth()
			}
		}, r.s.env.win)
}

// closeMonth records the closing of the ranking's month.
func (r *teamRanking) closeMonth() {
	month := r.view.ranking.Start
	background(r.s.env, func(ctx context.Context) (shop.Ranking, error) { return r.s.data.CloseMonth(ctx, month) },
		func(_ shop.Ranking, err error) {
			if err != nil {
				r.s.env.showError(err)
				return
			}
			r.s.reload()
		})
}
