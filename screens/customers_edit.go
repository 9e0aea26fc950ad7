package screens

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// customerEditor is the dialog that edits a customer's profile. Only the fields the staff
// member changed are sent, each last-writer-wins on the server.
type customerEditor struct {
	c       *customerSection
	cu      shop.Customer
	base    int64
	name    *deskEntry
	phone   *deskEntry
	bday    *deskEntry
	city    *deskEntry
	vip     *widget.Select
	tags    *deskEntry
	sizes   *deskEntry
	styles  *deskEntry
	memo    *deskEntry
	optOut  *widget.Check
	msg     *widget.Label
	saveBtn *widget.Button
	dlg     dialog.Dialog
}

// editCustomer opens the profile editor for cu.
func (c *customerSection) editCustomer(cu shop.Customer) *customerEditor {
	e := &customerEditor{c: c, cu: cu}
	// The version the staff member edits: the base that tells whose change a save replaces.
	background(c.env, func(ctx context.Context) (int64, error) {
		var raw map[string]any
		v, _, err := c.env.writer.Get(ctx, shop.TypeCustomer, cu.ID, &raw)
		return v, err
	}, func(v int64, err error) {
		if err == nil {
			e.base = v
		}
	})
	entry := func(v, placeholder string) *deskEntry {
		w := newDeskEntry(c.env)
		w.SetText(v)
		w.SetPlaceHolder(placeholder)
		return w
	}
	e.name = entry(cu.Name, "")
	e.phone = entry(cu.Phone, "13800000000")
	e.bday = entry(cu.Birthday, lang.L("MM-DD or YYYY-MM-DD"))
	e.city = entry(cu.City, "")
	e.vip = widget.NewSelect([]string{"0", "1", "2", "3", "4", "5"}, nil)
	e.vip.SetSelectedIndex(cu.VIP)
	e.tags = entry(strings.Join(cu.Tags, listSep()), lang.L("comma separated"))
	e.sizes = entry(cu.Sizes, "110, 120")
	e.styles = entry(cu.Styles, "")
	e.memo = newDeskMultiLineEntry(c.env)
	e.memo.SetText(cu.Memo)
	e.memo.SetMinRowsVisible(3)
	e.optOut = widget.NewCheck(lang.L("No bulk messages (opted out)"), nil)
	e.optOut.SetChecked(cu.OptOut)
	e.msg = widget.NewLabel("")
	e.msg.Importance = widget.DangerImportance
	e.msg.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Name"), e.name),
		widget.NewFormItem(lang.L("Phone"), e.phone),
		widget.NewFormItem(lang.L("Birthday"), e.bday),
		widget.NewFormItem(lang.L("City"), e.city),
		widget.NewFormItem(lang.L("VIP level"), e.vip),
		widget.NewFormItem(lang.L("Tags"), e.tags),
		widget.NewFormItem(lang.L("Sizes"), e.sizes),
		widget.NewFormItem(lang.L("Styles"), e.styles),
		widget.NewFormItem(lang.L("Memo"), e.memo),
		widget.NewFormItem("", e.optOut),
	)
	e.saveBtn = widget.NewButton(lang.L("Save"), e.save)
	e.saveBtn.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { e.dlg.Hide() })
	body := container.NewVBox(form, e.msg, container.NewHBox(cancel, e.saveBtn))
	if c.env.win != nil {
		e.dlg = dialog.NewCustomWithoutButtons(cu.Nick, body, c.env.win)
		e.dlg.Resize(fyne.NewSize(480, 0))
		e.dlg.Show()
		c.env.focus(e.name)
	}
	return e
}

// splitTags splits a comma list (Chinese or ASCII commas), dropping empty tags and repeats.
func splitTags(s string) []string {
	s = strings.NewReplacer("，", ",", "、", ",").Replace(s)
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" && !contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// changes is the customer.set of the fields that differ from the profile shown.
func (e *customerEditor) changes() (shop.CustomerSet, bool) {
	var p shop.CustomerSet
	any := false
	str := func(dst **string, old, now string) {
		now = strings.TrimSpace(now)
		if now != old {
			v := now
			*dst = &v
			any = true
		}
	}
	str(&p.Name, e.cu.Name, e.name.Text)
	str(&p.Phone, e.cu.Phone, e.phone.Text)
	str(&p.Birthday, e.cu.Birthday, e.bday.Text)
	str(&p.City, e.cu.City, e.city.Text)
	str(&p.Sizes, e.cu.Sizes, e.sizes.Text)
	str(&p.Styles, e.cu.Styles, e.styles.Text)
	str(&p.Memo, e.cu.Memo, e.memo.Text)
	if v := e.vip.SelectedIndex(); v >= 0 && v != e.cu.VIP {
		p.VIP = &v
		any = true
	}
	if tags := splitTags(e.tags.Text); strings.Join(tags, "\x00") != strings.Join(e.cu.Tags, "\x00") {
		p.Tags = &tags
		any = true
	}
	if o := e.optOut.Checked; o != e.cu.OptOut {
		p.OptOut = &o
		any = true
	}
	return p, any
}

func (e *customerEditor) save() {
	p, changed := e.changes()
	if !changed {
		if e.dlg != nil {
			e.dlg.Hide()
		}
		return
	}
	if p.Phone != nil && *p.Phone != "" && !shop.ValidPhone(*p.Phone) {
		e.msg.SetText(lang.L("The phone number has only digits, spaces, dashes and a leading +."))
		return
	}
	if p.Birthday != nil && *p.Birthday != "" && !shop.ValidBirthday(*p.Birthday) {
		e.msg.SetText(lang.L("Write the birthday as MM-DD or YYYY-MM-DD."))
		return
	}
	e.c.env.record(desk.Action{Kind: shop.KindCustomerSet, Entity: e.cu.ID, Base: e.base, Data: p}, func(out shop.Outcome, err error) {
		if err != nil {
			return
		}
		if e.dlg != nil {
			e.dlg.Hide()
		}
		e.c.showOverwrite(out.Overwrote)
		e.c.load(false)
	})
}
