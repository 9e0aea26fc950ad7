package screens

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// groupsBlock shows the customer's groups: the manual ones as check boxes (ticking one puts
// the customer in it), the rule groups the customer matches now as a line.
func (c *customerSection) groupsBlock(cu shop.Customer, st shop.CustomerStats) []fyne.CanvasObject {
	var manual []string
	var ruled []string
	byName := map[string]string{}
	for _, g := range c.groups {
		if g.Rule == nil {
			manual = append(manual, g.Name)
			byName[g.Name] = g.ID
		} else if g.Rule.Match(cu, st, c.env.now()) {
			ruled = append(ruled, g.Name)
		}
	}
	if len(manual) == 0 && len(ruled) == 0 {
		return nil
	}
	objs := []fyne.CanvasObject{newHeading(lang.L("Groups"))}
	if len(manual) > 0 {
		var checked []string
		for _, g := range c.groups {
			if g.Rule == nil && contains(cu.Groups, g.ID) {
				checked = append(checked, g.Name)
			}
		}
		cg := widget.NewCheckGroup(manual, nil)
		cg.Horizontal = true
		cg.Selected = checked
		cg.OnChanged = func(sel []string) {
			ids := make([]string, 0, len(sel))
			for _, name := range sel {
				ids = append(ids, byName[name])
			}
			a := desk.Action{Kind: shop.KindCustomerSet, Entity: cu.ID, BaseOf: shop.TypeCustomer, Data: shop.CustomerSet{Groups: &ids}}
			c.env.record(a, func(out shop.Outcome, err error) {
				if err == nil {
					c.showOverwrite(out.Overwrote)
				}
				c.load(false)
			})
		}
		objs = append(objs, cg)
	}
	if len(ruled) > 0 {
		objs = append(objs, newCaption(fmt.Sprintf(lang.L("In rule groups: %s"), strings.Join(ruled, "、"))))
	}
	return objs
}

// groupByID finds a known group.
func (c *customerSection) groupByID(id string) (shop.Group, bool) {
	for _, g := range c.groups {
		if g.ID == id {
			return g, true
		}
	}
	return shop.Group{}, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// groupEditor is the dialog that creates or changes a group: a manual group (members ticked
// on their profiles) or a rule group (spent over, bought within, VIP level, tag).
type groupEditor struct {
	c        *customerSection
	old      *shop.Group
	name     *deskEntry
	kind     *widget.RadioGroup
	minSpent *deskEntry // yuan
	within   *deskEntry // days
	minVIP   *widget.Select
	tag      *deskEntry
	msg      *widget.Label
	save     *widget.Button
	remove   *widget.Button
	dlg      dialog.Dialog
}

// editGroup opens the group editor; old nil creates a group.
func (c *customerSection) editGroup(old *shop.Group) *groupEditor {
	e := &groupEditor{c: c, old: old}
	e.name = newDeskEntry(c.env)
	e.name.SetPlaceHolder(lang.L("e.g. Regulars"))
	manual, rule := lang.L("Manual: tick members on their profile"), lang.L("Rule: members follow their orders")
	e.kind = widget.NewRadioGroup([]string{manual, rule}, nil)
	e.minSpent, e.within, e.tag = newDeskEntry(c.env), newDeskEntry(c.env), newDeskEntry(c.env)
	e.minSpent.SetPlaceHolder("0")
	e.within.SetPlaceHolder("0")
	e.minVIP = widget.NewSelect([]string{"0", "1", "2", "3", "4", "5"}, nil)
	e.minVIP.SetSelectedIndex(0)
	e.msg = widget.NewLabel("")
	e.msg.Importance = widget.DangerImportance
	e.msg.Wrapping = fyne.TextWrapWord
	ruleBox := widget.NewForm(
		widget.NewFormItem(lang.L("Spent at least (¥)"), e.minSpent),
		widget.NewFormItem(lang.L("Bought in the last days"), e.within),
		widget.NewFormItem(lang.L("VIP level at least"), e.minVIP),
		widget.NewFormItem(lang.L("Has tag"), e.tag),
	)
	e.kind.OnChanged = func(s string) {
		if s == rule {
			ruleBox.Show()
		} else {
			ruleBox.Hide()
		}
	}
	e.kind.SetSelected(manual)
	if old != nil {
		e.name.SetText(old.Name)
		if r := old.Rule; r != nil {
			e.kind.SetSelected(rule)
			if r.MinSpent > 0 {
				e.minSpent.SetText(strconv.FormatFloat(float64(r.MinSpent)/100, 'f', -1, 64))
			}
			if r.WithinDays > 0 {
				e.within.SetText(strconv.Itoa(r.WithinDays))
			}
			e.minVIP.SetSelectedIndex(r.MinVIP)
			e.tag.SetText(r.Tag)
		}
	}
	e.save = widget.NewButton(lang.L("Save"), e.submit)
	e.save.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { e.dlg.Hide() })
	buttons := []fyne.CanvasObject{cancel, e.save}
	if old != nil {
		e.remove = widget.NewButton(lang.L("Delete group"), e.delete)
		e.remove.Importance = widget.DangerImportance
		buttons = append([]fyne.CanvasObject{e.remove}, buttons...)
	}
	body := container.NewVBox(
		widget.NewForm(widget.NewFormItem(lang.L("Group name"), e.name)),
		e.kind, ruleBox, e.msg, container.NewHBox(buttons...))
	title := lang.L("New customer group")
	if old != nil {
		title = lang.L("Edit customer group")
	}
	if c.env.win != nil {
		e.dlg = dialog.NewCustomWithoutButtons(title, body, c.env.win)
		e.dlg.Resize(fyne.NewSize(460, 0))
		e.dlg.Show()
	}
	return e
}

// rule reads the rule fields; nil for a manual group.
func (e *groupEditor) rule() (*shop.GroupRule, error) {
	if e.kind.Selected != e.kind.Options[1] {
		return nil, nil
	}
	r := &shop.GroupRule{MinVIP: e.minVIP.SelectedIndex(), Tag: strings.TrimSpace(e.tag.Text)}
	if s := strings.TrimSpace(e.minSpent.Text); s != "" {
		y, err := strconv.ParseFloat(s, 64)
		if err != nil || y < 0 || y > 1e9 {
			return nil, fmt.Errorf(lang.L("%q is not an amount in yuan"), s)
		}
		r.MinSpent = shop.Cents(math.Round(y * 100))
	}
	if s := strings.TrimSpace(e.within.Text); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 3650 {
			return nil, fmt.Errorf(lang.L("%q is not a number of days (0 to 3650)"), s)
		}
		r.WithinDays = n
	}
	if r.MinVIP < 0 {
		r.MinVIP = 0
	}
	return r, nil
}

func (e *groupEditor) submit() {
	name := strings.TrimSpace(e.name.Text)
	if name == "" {
		e.msg.SetText(lang.L("Give the group a name."))
		return
	}
	r, err := e.rule()
	if err != nil {
		e.msg.SetText(err.Error())
		return
	}
	g := shop.Group{Name: name, Rule: r}
	a := desk.Action{Kind: shop.KindGroupPut, Entity: shop.NewID(), Data: &g}
	if e.old != nil {
		a.Entity, a.BaseOf, g.Owner = e.old.ID, shop.TypeGroup, e.old.Owner
	}
	e.c.env.record(a, func(_ shop.Outcome, err error) {
		if err != nil {
			return
		}
		if e.dlg != nil {
			e.dlg.Hide()
		}
		e.c.fillGroups()
		e.c.selectGroup(a.Entity)
		e.c.load(true)
	})
}

func (e *groupEditor) delete() {
	e.c.env.applyOn(shop.TypeGroup, shop.KindGroupDelete, e.old.ID, nil, func(err error) {
		if err != nil {
			return
		}
		if e.dlg != nil {
			e.dlg.Hide()
		}
		e.c.group.SetSelectedIndex(0)
		e.c.reload()
	})
}
