package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// The shift handover: the writer's dialog lists the open work the desk finds (customers
// waiting, her open cases, the call-backs she promised, unpaid orders to remind) to keep or
// drop, with her note and whom it is for; the next person sees it in a banner at the top of
// the desk until she acknowledges it.

// handoverDialog is the open Write handover dialog.
type handoverDialog struct {
	t      *teamWork
	items  []shop.HandoverItem
	checks []*widget.Check
	staff  []shop.Staff
	to     *widget.Select
	note   *deskEntry
	dlg    *dialog.ConfirmDialog
}

// handoverDraft is what the dialog starts from: the open work and the staff to hand to.
type handoverDraft struct {
	items []shop.HandoverItem
	staff []shop.Staff
}

// writeHandover reads the open work and opens the handover dialog.
func (t *teamWork) writeHandover() {
	staff, now := t.env.staff.Number, t.env.now()
	background(t.env, func(ctx context.Context) (handoverDraft, error) {
		var d handoverDraft
		var err error
		if d.items, err = t.data.HandoverWork(ctx, staff, now); err != nil {
			return d, err
		}
		d.staff, err = t.data.StaffList(ctx)
		return d, err
	}, func(d handoverDraft, err error) {
		if err != nil {
			t.inform(lang.L("Hand over the shift"), fmt.Sprintf(lang.L("Could not gather the open work: %v"), err))
			return
		}
		t.showHandover(d)
	})
}

func (t *teamWork) showHandover(d handoverDraft) {
	h := &handoverDialog{t: t, items: d.items}
	t.handing = h
	list := container.NewVBox()
	if len(d.items) == 0 {
		list.Add(newCaption(lang.L("No open work found: write what the next shift should know.")))
	}
	for _, it := range d.items {
		c := widget.NewCheck(handoverItemText(it), nil)
		c.SetChecked(true)
		h.checks = append(h.checks, c)
		list.Add(c)
	}
	tos := []string{lang.L("Whoever signs in next")}
	for _, s := range d.staff {
		if s.Number != t.env.staff.Number {
			h.staff = append(h.staff, s)
			tos = append(tos, joinNonEmpty(" · ", s.Name, staffLabel(s.Number)))
		}
	}
	h.to = widget.NewSelect(tos, nil)
	h.to.SetSelectedIndex(0)
	h.note = newDeskMultiLineEntry(t.env)
	h.note.Wrapping = fyne.TextWrapWord
	h.note.SetMinRowsVisible(3)
	h.note.SetPlaceHolder(lang.L("What the next shift should know"))
	if t.env.win == nil {
		return
	}
	scroll := container.NewVScroll(list)
	scroll.SetMinSize(fyne.NewSize(560, 220))
	body := container.NewBorder(
		container.NewVBox(widget.NewForm(widget.NewFormItem(lang.L("For"), h.to)), newHeading(lang.L("Open work to hand over (untick what is done)"))),
		container.NewVBox(newHeading(lang.L("Note")), h.note), nil, nil, scroll)
	h.dlg = dialog.NewCustomConfirm(lang.L("Hand over the shift"), lang.L("Hand over"), lang.L("Cancel"), body, func(ok bool) {
		if ok {
			h.submit()
		}
	}, t.env.win)
	h.dlg.Resize(fyne.NewSize(640, 560))
	h.dlg.Show()
}

// submit records the handover with the work still ticked.
func (h *handoverDialog) submit() {
	p := shop.HandoverWrite{Note: strings.TrimSpace(h.note.Text)}
	for i, c := range h.checks {
		if c.Checked {
			p.Items = append(p.Items, h.items[i])
		}
	}
	if i := h.to.SelectedIndex(); i > 0 && i-1 < len(h.staff) {
		p.To = h.staff[i-1].Number
	}
	if p.Note == "" && len(p.Items) == 0 {
		h.t.inform(lang.L("Hand over the shift"), lang.L("Write a note or keep some open work to hand over."))
		if h.dlg != nil {
			h.dlg.Show()
		}
		return
	}
	h.t.env.apply(shop.KindHandoverWrite, shop.NewID(), 0, p, func(err error) {
		if err == nil {
			h.t.inform(lang.L("Hand over the shift"), lang.L("Handed over. The next shift sees it when they sign in."))
		}
	})
}

// handoverItemText is an item of open work in words: what it is, then what the writer saw.
func handoverItemText(it shop.HandoverItem) string {
	var kind string
	switch it.Type {
	case shop.TypeConversation:
		kind = lang.L("Waiting customer")
	case shop.TypeCase:
		kind = lang.L("Open after-sales case")
	case shop.TypeCall:
		kind = lang.L("Promised call-back")
	case shop.TypeOrder:
		kind = lang.L("Unpaid order to remind")
	case shop.TypeComplaint:
		kind = lang.L("Open complaint")
	case shop.TypeConcession:
		kind = lang.L("Concession request")
	default:
		kind = lang.L("Open work")
	}
	return fmt.Sprintf(lang.L("%[1]s: %[2]s (handover item)"), kind, it.Text)
}

// newHandoverBanner is the banner at the top of the desk, hidden until there is a handover.
func newHandoverBanner() *fyne.Container {
	b := container.NewVBox()
	b.Hide()
	return b
}

// updateBanner re-reads the handovers for the one signed in and shows them on top.
func (t *teamWork) updateBanner() {
	staff := t.env.staff.Number
	latestRun(&t.bannerLoad, t.env, func(ctx context.Context) ([]shop.Handover, error) {
		return t.data.HandoversFor(ctx, staff)
	}, func(hs []shop.Handover, err error) {
		if err != nil {
			return
		}
		t.showBanner(hs)
	})
}

// maxBannerHandovers and maxBannerItems bound what the banner shows of each handover.
const (
	maxBannerHandovers = 3
	maxBannerItems     = 4
)

// showBanner draws the handovers waiting for acknowledgement, newest first, each with its
// note, its open work and an Acknowledge button.
func (t *teamWork) showBanner(hs []shop.Handover) {
	t.shown = hs
	t.banner.Objects = nil
	if len(hs) == 0 {
		t.banner.Hide()
		t.bannerBox.Hide()
		t.bannerBox.Refresh()
		return
	}
	now := t.env.now()
	for i, h := range hs {
		if i == maxBannerHandovers {
			t.banner.Add(newCaption(fmt.Sprintf(lang.L("and %d more handovers"), len(hs)-i)))
			break
		}
		head := newHeading(fmt.Sprintf(lang.L("Handover from %s · %s"), staffLabel(h.From), fmtWhen(h.At, now)))
		ack := widget.NewButtonWithIcon(lang.L("Acknowledge"), theme.ConfirmIcon(), func() { t.acknowledge(h) })
		ack.Importance = widget.HighImportance
		lines := []fyne.CanvasObject{container.NewBorder(nil, nil, widget.NewIcon(theme.MailForwardIcon()), ack, head)}
		if h.Note != "" {
			lines = append(lines, newWrapLabel(h.Note))
		}
		var work []fyne.CanvasObject
		for j, it := range h.Items {
			if j == maxBannerItems {
				work = append(work, newCaption(fmt.Sprintf(lang.L("and %d more items"), len(h.Items)-j)))
				break
			}
			work = append(work, newCaption("• "+handoverItemText(it)))
		}
		if len(work) > 0 {
			lines = append(lines, container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), work...))
		}
		t.banner.Add(container.NewStack(newThemedRect(theme.ColorNameHeaderBackground),
			container.New(layout.NewCustomPaddedVBoxLayout(0), lines...)))
	}
	t.banner.Add(widget.NewSeparator())
	t.banner.Show()
	t.bannerBox.Show()
	t.bannerBox.Refresh()
}

// acknowledge records that the one signed in took over the handover.
func (t *teamWork) acknowledge(h shop.Handover) {
	t.env.applyOn(shop.TypeHandover, shop.KindHandoverAck, h.ID, nil, func(err error) {
		if err == nil {
			t.updateBanner()
		}
	})
}
