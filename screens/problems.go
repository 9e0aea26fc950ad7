package screens

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// problemsDialog lists the actions the server did not apply — conflicts and rejections — with
// what the staff member did, what the server holds now and who made it so; each can be
// dismissed once read.
type problemsDialog struct {
	loading  latest // the problems being read
	env      *env
	data     StatusData
	changed  func() // a problem was dismissed
	list     *fyne.Container
	dlg      dialog.Dialog
	problems []desk.Problem
}

func newProblemsDialog(e *env, data StatusData, changed func()) *problemsDialog {
	p := &problemsDialog{env: e, data: data, changed: changed, list: container.NewVBox()}
	scroll := container.NewVScroll(p.list)
	scroll.SetMinSize(fyne.NewSize(620, 420))
	if e.win != nil {
		p.dlg = dialog.NewCustom(lang.L("Problems"), lang.L("Close"), scroll, e.win)
	}
	return p
}

// show reads the problems and opens the dialog.
func (p *problemsDialog) show() {
	p.load()
	if p.dlg != nil {
		p.dlg.Show()
	}
}

func (p *problemsDialog) load() {
	latestRun(&p.loading, p.env, p.data.Problems, p.showProblems)
}

// showProblems lists the problems just read (or why they could not be).
func (p *problemsDialog) showProblems(probs []desk.Problem, err error) {
	if err != nil {
		p.list.Objects = []fyne.CanvasObject{widget.NewLabel(fmt.Sprintf(lang.L("Could not read the problems: %v"), err))}
		p.list.Refresh()
		return
	}
	p.problems = probs
	objs := []fyne.CanvasObject{}
	for _, pr := range probs {
		objs = append(objs, p.card(pr), widget.NewSeparator())
	}
	if len(probs) == 0 {
		objs = append(objs, widget.NewLabel(lang.L("No problems: the server applied everything you did.")))
	}
	p.list.Objects = objs
	p.list.Refresh()
}

// card is one problem.
func (p *problemsDialog) card(pr desk.Problem) fyne.CanvasObject {
	status := lang.L("Conflict")
	if pr.Status == desk.ProblemRejected {
		status = lang.L("Rejected")
	}
	title := newHeading(joinNonEmpty(" · ", kindName(pr.Kind), pr.Entity))
	badge := widget.NewLabel(status)
	badge.Importance = widget.DangerImportance
	objs := []fyne.CanvasObject{container.NewBorder(nil, nil, nil, badge, title)}
	if pr.Reason != "" {
		objs = append(objs, newWrapLabel(pr.Reason))
	}
	if mine := describeData(pr.Kind, pr.Data); mine != "" {
		objs = append(objs, newWrapLabel(fmt.Sprintf(lang.L("What you did: %s"), mine)))
	}
	for _, rec := range pr.Current {
		objs = append(objs, newWrapLabel(fmt.Sprintf(lang.L("On the server now: %s"), describeRecord(rec))))
	}
	who := []string{}
	if pr.By != "" {
		who = append(who, fmt.Sprintf(lang.L("changed by %s"), staffLabel(pr.By)))
	}
	if !pr.At.IsZero() {
		who = append(who, fmtFull(pr.At))
	}
	id := pr.MutationID
	dismiss := widget.NewButtonWithIcon(lang.L("Dismiss"), theme.ConfirmIcon(), func() { p.onDismiss(id) })
	objs = append(objs, container.NewBorder(nil, nil, nil, dismiss, newCaption(joinNonEmpty(" · ", who...))))
	return container.NewVBox(objs...)
}

func (p *problemsDialog) onDismiss(id string) {
	background(p.env, func(ctx context.Context) (struct{}, error) { return struct{}{}, p.data.DismissProblem(ctx, id) },
		func(_ struct{}, err error) {
			if err != nil {
				p.env.showError(err)
				return
			}
			p.load()
			if p.changed != nil {
				p.changed()
			}
		})
}

// kindName is what a mutation kind did, in words: its label in shop's registry, translated.
func kindName(k shop.Kind) string { return lang.L(k.Label()) }

// describeData says what a mutation's payload asked for.
func describeData(k shop.Kind, data json.RawMessage) string {
	if len(data) == 0 {
		return ""
	}
	switch k {
	case shop.KindOrderNote:
		var p shop.OrderNoteAdd
		if json.Unmarshal(data, &p) == nil {
			return joinNonEmpty(" · ", flagName(p.Flag), p.Text, p.Reason)
		}
	case shop.KindChatSend:
		var p shop.ChatSend
		if json.Unmarshal(data, &p) == nil {
			return oneLine(p.Text)
		}
	case shop.KindReviewMove, shop.KindCaseMove, shop.KindComplaintMove:
		var p shop.Move
		if json.Unmarshal(data, &p) == nil {
			return joinNonEmpty(" · ", stateName(k, p.From)+" → "+stateName(k, p.To), p.Note)
		}
	}
	return flatten(data)
}

// stateName translates a state machine's state for the kind that moves it.
func stateName(k shop.Kind, s string) string {
	switch k {
	case shop.KindReviewMove:
		return reviewStateName(shop.ReviewState(s))
	case shop.KindCaseMove:
		return caseStateName(shop.CaseState(s))
	}
	return s
}

// describeRecord says what the server holds for an entity, picking the fields that conflict.
func describeRecord(rec shop.Record) string {
	if rec.Deleted {
		return fmt.Sprintf(lang.L("%s %s was deleted"), rec.Type, rec.ID)
	}
	switch rec.Type {
	case shop.TypeOrder:
		var o shop.Order
		if rec.Decode(&o) == nil {
			return joinNonEmpty(" · ", fmt.Sprintf(lang.L("Order %s"), o.ID), statusName(o.Status), flagName(o.Flag),
				whoWhen(o.FlagBy, o.FlagAt))
		}
	case shop.TypeConversation:
		var c shop.Conversation
		if rec.Decode(&c) == nil {
			assigned := lang.L("Unassigned")
			if c.Assignee != "" {
				assigned = fmt.Sprintf(lang.L("Assigned to %s"), staffLabel(c.Assignee))
			}
			return joinNonEmpty(" · ", c.Nick, assigned)
		}
	case shop.TypeReview:
		var r shop.Review
		if rec.Decode(&r) == nil {
			return joinNonEmpty(" · ", r.Nick, stars(r.Stars), reviewStateName(r.State))
		}
	case shop.TypeCase:
		var c shop.AfterSalesCase
		if rec.Decode(&c) == nil {
			return joinNonEmpty(" · ", caseKindName(c.Kind), caseStateName(c.State), staffLabel(c.Owner))
		}
	}
	return string(rec.Type) + " " + rec.ID + ": " + flatten(rec.Data)
}

// whoWhen says who set a field and when, or nothing when nobody did.
func whoWhen(staff string, at time.Time) string {
	if staff == "" {
		return ""
	}
	return fmt.Sprintf(lang.L("set by %s at %s"), staffLabel(staff), fmtFull(at))
}

// flatten shows a JSON object's plain fields as "key: value, …", at most 200 characters.
func flatten(data json.RawMessage) string {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return oneLine(string(data))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := []string{}
	for _, k := range keys {
		switch v := m[k].(type) {
		case string:
			if v != "" && !strings.HasSuffix(k, "id") {
				parts = append(parts, k+": "+v)
			}
		case float64, bool:
			parts = append(parts, fmt.Sprintf("%s: %v", k, v))
		}
	}
	s := oneLine(strings.Join(parts, ", "))
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
