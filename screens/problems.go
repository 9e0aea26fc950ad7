package screens

import (
	"context"
	"encoding/json"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// problemsDialog lists the actions the server did not apply — conflicts and rejections — each
// told in the window's language (problems_describe.go): what happened, the server's version
// and the staff member's, and the next steps that fit (count again, apply mine on top, open
// the order …), then dismiss.
type problemsDialog struct {
	loading  latest // the problems being read
	env      *env
	data     StatusData
	changed  func() // a problem was dismissed
	list     *fyne.Container
	dlg      dialog.Dialog
	problems []desk.Problem
	// open takes a step that leads elsewhere in the desk (the stock item, the order …); the
	// desk sets it. The dialog closes first.
	open func(problemStep)
	// steps are the buttons of the problems shown, by mutation id, for the tests.
	steps map[string][]*widget.Button
}

func newProblemsDialog(e *env, data StatusData, changed func()) *problemsDialog {
	p := &problemsDialog{env: e, data: data, changed: changed, list: container.NewVBox()}
	scroll := container.NewVScroll(p.list)
	scroll.SetMinSize(fyne.NewSize(640, 440))
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

// problemsRead is the problems and the records they are told with.
type problemsRead struct {
	probs []desk.Problem
	facts problemFacts
}

func (p *problemsDialog) load() {
	latestRun(&p.loading, p.env, func(ctx context.Context) (problemsRead, error) {
		probs, err := p.data.Problems(ctx)
		if err != nil {
			return problemsRead{}, err
		}
		return problemsRead{probs, p.readFacts(ctx, probs)}, nil
	}, func(r problemsRead, err error) { p.showProblems(r.probs, r.facts, err) })
}

// readFacts reads what the problems name: the servers' states they conflicted with first,
// then the desk's copy of each problem's entity, then what those name (a case's order …).
// Runs off Fyne's goroutine; an entity that cannot be read is told without its name.
func (p *problemsDialog) readFacts(ctx context.Context, probs []desk.Problem) problemFacts {
	f := problemFacts{}
	for _, pr := range probs {
		for _, r := range pr.Current {
			f.add(r)
		}
	}
	get := func(ref shop.Ref) {
		if ref.ID == "" {
			return
		}
		if _, ok := f[ref]; ok {
			return
		}
		var raw json.RawMessage
		if _, found, err := p.env.writer.Get(ctx, ref.Type, ref.ID, &raw); err == nil && found {
			f.add(shop.Record{Type: ref.Type, ID: ref.ID, Data: raw})
		}
	}
	for _, pr := range probs {
		if spec, ok := pr.Kind.Spec(); ok {
			get(shop.Ref{Type: spec.Entity, ID: pr.Entity})
		}
	}
	for _, pr := range probs {
		for _, ref := range problemRefs(pr, f) {
			get(ref)
		}
	}
	return f
}

// showProblems lists the problems just read (or why they could not be).
func (p *problemsDialog) showProblems(probs []desk.Problem, facts problemFacts, err error) {
	if err != nil {
		p.list.Objects = []fyne.CanvasObject{widget.NewLabel(fmt.Sprintf(lang.L("Could not read the problems: %v"), err))}
		p.list.Refresh()
		return
	}
	p.problems = probs
	p.steps = map[string][]*widget.Button{}
	objs := []fyne.CanvasObject{}
	now := p.env.now()
	for _, pr := range probs {
		objs = append(objs, p.card(pr, describeProblem(pr, facts, now)), widget.NewSeparator())
	}
	if len(probs) == 0 {
		objs = append(objs, widget.NewLabel(lang.L("No problems: the server applied everything you did.")))
	}
	p.list.Objects = objs
	p.list.Refresh()
}

// card is one problem: its title and badge, the sentence, both versions and its buttons.
func (p *problemsDialog) card(pr desk.Problem, v problemView) fyne.CanvasObject {
	status := lang.L("Conflict")
	if pr.Status == desk.ProblemRejected {
		status = lang.L("Rejected")
	}
	badge := widget.NewLabel(status)
	badge.Importance = widget.DangerImportance
	objs := []fyne.CanvasObject{container.NewBorder(nil, nil, nil, badge, newHeading(v.title))}
	sentence := newWrapLabel(v.sentence)
	sentence.TextStyle.Bold = true
	objs = append(objs, sentence)
	if v.theirs != "" {
		objs = append(objs, newWrapLabel(fmt.Sprintf(lang.L("On the server now: %s"), v.theirs)))
	}
	if v.mine != "" {
		objs = append(objs, newWrapLabel(fmt.Sprintf(lang.L("Yours, not applied: %s"), v.mine)))
	}
	if v.detail != "" {
		objs = append(objs, newCaption(fmt.Sprintf(lang.L("The server's words: %s"), v.detail)))
	}
	id := pr.MutationID
	buttons := []fyne.CanvasObject{layout.NewSpacer()}
	for _, st := range v.steps {
		b := widget.NewButton(st.label, func() { p.onStep(id, st) })
		if st.action == stepCountAgain || st.action == stepApplyMine {
			b.Importance = widget.HighImportance
		}
		buttons = append(buttons, b)
		p.steps[id] = append(p.steps[id], b)
	}
	dismiss := widget.NewButtonWithIcon(lang.L("Dismiss"), theme.ConfirmIcon(), func() { p.onDismiss(id) })
	p.steps[id] = append(p.steps[id], dismiss)
	buttons = append(buttons, dismiss)
	objs = append(objs, container.NewHBox(buttons...))
	return container.NewVBox(objs...)
}

// onStep takes a problem's next step: a change made again on the server's version is recorded
// as a new action (and the problem, answered, is dismissed); the others lead elsewhere in the
// desk, and the dialog closes for the staff member to see it.
func (p *problemsDialog) onStep(id string, st problemStep) {
	if st.action == stepApplyMine {
		if st.redo == nil {
			return
		}
		p.env.record(*st.redo, func(_ shop.Outcome, err error) {
			if err == nil {
				p.onDismiss(id)
			} else {
				p.load()
			}
		})
		return
	}
	if p.dlg != nil {
		p.dlg.Hide()
	}
	if p.open != nil {
		p.open(st)
	}
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

// problemStep opens what a problem's step leads to: the stock item (with its count form for a
// count again), the order, the conversation, the review or the customer.
func (d *Desk) problemStep(st problemStep) {
	switch st.action {
	case stepCountAgain, stepOpenStock:
		d.Show(SectionStock)
		d.stock.show(st.target, st.sku)
		if st.action != stepCountAgain {
			return
		}
		background(d.env, func(ctx context.Context) (shop.Product, error) {
			pr, _, err := getEntity[shop.Product](ctx, d.env.writer, shop.TypeProduct, st.target)
			return pr, err
		}, func(pr shop.Product, err error) {
			if err != nil {
				d.env.showError(err)
				return
			}
			if v, ok := pr.Variant(st.sku); ok {
				d.stock.askCount(pr, *v)
			}
		})
	case stepOpenOrder:
		d.showOrder(st.target)
	case stepOpenChat:
		d.showChat(st.target, "")
	case stepOpenReview:
		d.Show(SectionReviews)
		d.reviews.show(st.target)
	case stepOpenCustomer:
		d.Show(SectionCustomers)
		d.custs.show(st.target)
	}
}

// kindName is what a mutation kind did, in words: its label in shop's registry, translated.
func kindName(k shop.Kind) string { return lang.L(k.Label()) }
