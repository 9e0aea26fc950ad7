package screens

import (
	"context"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// phraseManager is the dialog where quick phrases are added, edited, sorted and deleted.
type phraseManager struct {
	loading  latest // the phrases being read
	c        *chatSection
	phrases  []shop.QuickPhrase // in manual order
	sel      int
	list     *widget.List
	shortcut *deskEntry
	text     *deskEntry
	personal *widget.Check
	msg      *widget.Label
	box      fyne.CanvasObject
}

// phrasesByManualOrder sorts phrases as the manager lists them: manual order, then shortcut.
func phrasesByManualOrder(ps []shop.QuickPhrase) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Order != ps[j].Order {
			return ps[i].Order < ps[j].Order
		}
		if ps[i].Shortcut != ps[j].Shortcut {
			return ps[i].Shortcut < ps[j].Shortcut
		}
		return ps[i].ID < ps[j].ID
	})
}

func newPhraseManager(c *chatSection) *phraseManager {
	m := &phraseManager{c: c, sel: -1}
	m.list = widget.NewList(func() int { return len(m.phrases) },
		func() fyne.CanvasObject { return newTruncLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := m.phrases[i]
			mine := ""
			if p.Owner != "" {
				mine = lang.L("(mine)") + " "
			}
			o.(*widget.Label).SetText("/" + p.Shortcut + "  " + mine + oneLine(p.Text))
		})
	m.list.OnSelected = func(i widget.ListItemID) { m.edit(i) }
	m.shortcut = newDeskEntry(c.env)
	m.shortcut.PlaceHolder = lang.L("Shortcut, e.g. fh")
	m.text = newDeskMultiLineEntry(c.env)
	m.text.Wrapping = fyne.TextWrapWord
	m.text.SetMinRowsVisible(4)
	m.text.PlaceHolder = lang.L("Phrase text; {nick} {order} {courier} {tracking} {staff} are filled in")
	m.personal = widget.NewCheck(lang.L("Only for me"), nil)
	m.msg = widget.NewLabel("")
	m.msg.Wrapping = fyne.TextWrapWord
	m.msg.Importance = widget.DangerImportance
	up := widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { m.move(-1, m.report) })
	down := widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { m.move(1, m.report) })
	add := widget.NewButtonWithIcon(lang.L("New phrase"), theme.ContentAddIcon(), m.clear)
	del := widget.NewButtonWithIcon(lang.X("chat.delete", "Delete"), theme.DeleteIcon(), func() { m.remove(m.report) })
	save := widget.NewButtonWithIcon(lang.X("chat.save", "Save"), theme.DocumentSaveIcon(), func() { m.save(m.report) })
	save.Importance = widget.HighImportance
	form := container.NewVBox(
		widget.NewForm(widget.NewFormItem(lang.X("chat.shortcut", "Shortcut"), m.shortcut), widget.NewFormItem(lang.X("chat.text", "Text"), m.text)),
		m.personal, container.NewHBox(save, add, del), m.msg)
	left := container.NewBorder(nil, container.NewHBox(up, down), nil, nil, m.list)
	split := container.NewHSplit(left, form)
	split.Offset = 0.45
	m.box = split
	m.reload(nil)
	return m
}

// reload reads the phrases again.
func (m *phraseManager) reload(then func()) {
	staff := m.c.env.staff.Number
	latestRun(&m.loading, m.c.env, func(ctx context.Context) ([]shop.QuickPhrase, error) { return m.c.data.Phrases(ctx, staff) },
		func(ps []shop.QuickPhrase, err error) {
			if err != nil {
				m.report(err)
				return
			}
			phrasesByManualOrder(ps)
			m.phrases = ps
			m.list.Refresh()
			if then != nil {
				then()
			}
		})
}

func (m *phraseManager) report(err error) {
	if err != nil {
		m.msg.SetText(err.Error())
	} else {
		m.msg.SetText("")
	}
}

func (m *phraseManager) edit(i int) {
	if i < 0 || i >= len(m.phrases) {
		return
	}
	m.sel = i
	p := m.phrases[i]
	m.shortcut.SetText(p.Shortcut)
	m.text.SetText(p.Text)
	m.personal.SetChecked(p.Owner != "")
}

func (m *phraseManager) clear() {
	m.sel = -1
	m.list.UnselectAll()
	m.shortcut.SetText("")
	m.text.SetText("")
	m.personal.SetChecked(false)
}

// save records the phrase being edited (a new one when none is selected); done gets how it
// went.
func (m *phraseManager) save(done func(error)) {
	p := shop.QuickPhrase{ID: shop.NewID(), Order: (len(m.phrases) + 1) * 10}
	if m.sel >= 0 && m.sel < len(m.phrases) {
		p = m.phrases[m.sel]
	}
	p.Shortcut = strings.TrimPrefix(strings.TrimSpace(m.shortcut.Text), "/")
	p.Text = strings.TrimSpace(m.text.Text)
	p.Owner = ""
	if m.personal.Checked {
		p.Owner = m.c.env.staff.Number
	}
	m.c.env.apply(shop.KindPhrasePut, p.ID, 0, p, func(err error) {
		if err != nil {
			done(err)
			return
		}
		m.reload(func() {
			for i, x := range m.phrases {
				if x.ID == p.ID {
					m.sel = i
					m.list.Select(i)
				}
			}
			done(nil)
		})
	})
}

// remove deletes the selected phrase; done gets how it went.
func (m *phraseManager) remove(done func(error)) {
	if m.sel < 0 || m.sel >= len(m.phrases) {
		done(nil)
		return
	}
	m.c.env.apply(shop.KindPhraseDelete, m.phrases[m.sel].ID, 0, nil, func(err error) {
		if err != nil {
			done(err)
			return
		}
		m.reload(func() {
			m.clear()
			done(nil)
		})
	})
}

// move moves the selected phrase up (-1) or down (+1) and renumbers the manual order, one
// phrase after the other; done gets how it went.
func (m *phraseManager) move(delta int, done func(error)) {
	i, j := m.sel, m.sel+delta
	if i < 0 || j < 0 || i >= len(m.phrases) || j >= len(m.phrases) {
		done(nil)
		return
	}
	ps := append([]shop.QuickPhrase(nil), m.phrases...)
	ps[i], ps[j] = ps[j], ps[i]
	var renumbered []shop.QuickPhrase
	for k := range ps {
		if want := (k + 1) * 10; ps[k].Order != want {
			ps[k].Order = want
			renumbered = append(renumbered, ps[k])
		}
	}
	var next func(err error)
	next = func(err error) {
		if err != nil {
			done(err)
			return
		}
		if len(renumbered) == 0 {
			m.reload(func() {
				m.sel = j
				m.list.Select(j)
				done(nil)
			})
			return
		}
		p := renumbered[0]
		renumbered = renumbered[1:]
		m.c.env.apply(shop.KindPhrasePut, p.ID, 0, p, next)
	}
	next(nil)
}

// showPhraseManager opens the quick phrase manager.
func (c *chatSection) showPhraseManager() {
	if c.env.win == nil {
		return
	}
	m := newPhraseManager(c)
	d := dialog.NewCustom(lang.X("chat.quick_phrases", "Quick phrases"), lang.L("Close"), m.box, c.env.win)
	d.Resize(fyne.NewSize(900, 560))
	d.Show()
}
