package shop

import "strings"

// The customer kinds.
const (
	KindCustomerSet Kind = "customer.set" // last writer wins per field
	KindCustomerAdd Kind = "customer.add" // entity: the new customer's id
)

var customerKinds = []KindSpec{
	{Kind: KindCustomerSet, Entity: TypeCustomer, Creates: CreatesNothing, Label: "Customer details", Rule: withData(customerSet)},
	{Kind: KindCustomerAdd, Entity: TypeCustomer, New: true, Creates: []Creation{{Type: TypeCustomer}}, Label: "New customer", Rule: withData(customerAdd)},
}

// CustomerSet sets some of a customer's fields; each named field is last-writer-wins.
type CustomerSet struct {
	Name     *string   `json:"name,omitempty"`
	Phone    *string   `json:"phone,omitempty"`
	Birthday *string   `json:"birthday,omitempty"`
	City     *string   `json:"city,omitempty"`
	VIP      *int      `json:"vip,omitempty"`
	Tags     *[]string `json:"tags,omitempty"`
	Groups   *[]string `json:"groups,omitempty"`
	Sizes    *string   `json:"sizes,omitempty"`
	Styles   *string   `json:"styles,omitempty"`
	Memo     *string   `json:"memo,omitempty"`
	OptOut   *bool     `json:"opt_out,omitempty"`
}

func customerAdd(d *decider, c Customer) error {
	if err := rejectText("nick", c.Nick, MaxShortText, true); err != nil {
		return err
	}
	if err := checkCustomer(c); err != nil {
		return err
	}
	c.ID, c.CreatedAt, c.ChangedBy, c.ChangedAt = d.m.Entity, d.at, d.m.Staff, d.at
	d.put(TypeCustomer, c.ID, c)
	return nil
}

func customerSet(d *decider, p CustomerSet) error {
	var c Customer
	ver, err := d.load(TypeCustomer, d.m.Entity, &c)
	if err != nil {
		return err
	}
	if d.m.Base > 0 && ver > d.m.Base && c.ChangedBy != "" && c.ChangedBy != d.m.Staff {
		d.out.Overwrote = &Overwrite{Field: c.ChangedWhat, By: c.ChangedBy, At: c.ChangedAt}
	}
	var fields []string
	set := func(name string, changed bool) {
		if changed {
			fields = append(fields, name)
		}
	}
	set("name", setTo(&c.Name, p.Name))
	set("phone", setTo(&c.Phone, p.Phone))
	set("birthday", setTo(&c.Birthday, p.Birthday))
	set("city", setTo(&c.City, p.City))
	set("sizes", setTo(&c.Sizes, p.Sizes))
	set("styles", setTo(&c.Styles, p.Styles))
	set("memo", setTo(&c.Memo, p.Memo))
	set("vip", setTo(&c.VIP, p.VIP))
	set("tags", setTo(&c.Tags, p.Tags))
	set("groups", setTo(&c.Groups, p.Groups))
	set("opt_out", setTo(&c.OptOut, p.OptOut))
	if len(fields) == 0 {
		return reject("customer.set names no field")
	}
	if err := checkCustomer(c); err != nil {
		return err
	}
	c.ChangedBy, c.ChangedAt, c.ChangedWhat = d.m.Staff, d.at, strings.Join(fields, ",")
	d.put(TypeCustomer, c.ID, c)
	return nil
}

// setTo sets *dst to *src when src is given, and reports whether it was.
func setTo[T any](dst *T, src *T) bool {
	if src != nil {
		*dst = *src
	}
	return src != nil
}

func checkCustomer(c Customer) error {
	for _, f := range []struct{ name, v string }{{"name", c.Name}, {"city", c.City}, {"sizes", c.Sizes}, {"styles", c.Styles}} {
		if err := rejectText(f.name, f.v, MaxShortText, false); err != nil {
			return err
		}
	}
	if err := rejectText("memo", c.Memo, MaxNoteRunes, false); err != nil {
		return err
	}
	if c.Phone != "" && !ValidPhone(c.Phone) {
		return reject("phone %q is not a phone number", c.Phone)
	}
	if c.Email != "" && !ValidEmail(c.Email) {
		return reject("e-mail %q is not an e-mail address", c.Email)
	}
	if c.Birthday != "" && !ValidBirthday(c.Birthday) {
		return reject("birthday %q is not MM-DD or YYYY-MM-DD", c.Birthday)
	}
	if c.VIP < 0 || c.VIP > 5 {
		return reject("VIP level %d is not 0 to 5", c.VIP)
	}
	if len(c.Tags) > 50 || len(c.Groups) > 200 {
		return reject("too many tags or groups")
	}
	for _, t := range append(append([]string{}, c.Tags...), c.Groups...) {
		if err := rejectText("tag", t, MaxShortText, true); err != nil {
			return err
		}
	}
	return nil
}
