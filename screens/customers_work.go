package screens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"kefu/desk"
	"kefu/shop"
)

// CustomerWorkData is what the customers section reads beyond CustomerData: groups and their
// members, figures from all of a customer's orders, complaints, and the plan of a bulk message.
type CustomerWorkData interface {
	Groups(ctx context.Context) ([]shop.Group, error)
	GroupMembers(ctx context.Context, g shop.Group, now time.Time) ([]desk.Member, error)
	AllCustomers(ctx context.Context) ([]desk.Member, error)
	CustomerStats(ctx context.Context, customerID string) (shop.CustomerStats, error)
	ComplaintsOf(ctx context.Context, customerID string) ([]shop.Complaint, error)
	Complaints(ctx context.Context, from, to time.Time) ([]shop.Complaint, error)
	PlanBulk(ctx context.Context, req desk.BulkRequest) (desk.BulkPlan, error)
	StaffList(ctx context.Context) ([]shop.Staff, error)
}

// customerSectionData is everything the customers section reads.
type customerSectionData interface {
	CustomerData
	CustomerWorkData
	JobData
}

// Preference keys of the customers section (fyne Preferences).
const (
	prefDailyCap    = "customers.daily_cap"  // most staff messages a customer gets in a day from bulk sends
	prefBulkDraft   = "customers.bulk_draft" // the bulk message being written
	prefBdayText    = "customers.bday_text"  // birthday greeting template
	prefBdayDays    = "customers.bday_days"  // greet this many days before the birthday
	prefBdayGroup   = "customers.bday_group" // group id greeted ("" = every customer)
	prefBdayAuto    = "customers.bday_auto"  // send the greetings by themselves at prefBdayAt
	prefBdayAt      = "customers.bday_at"    // HH:MM, shop time
	defaultDailyCap = 2
)

// showOverwrite tells the staff member that their save replaced someone else's newer change.
func (c *customerSection) showOverwrite(o *shop.Overwrite) {
	if o == nil || c.env.win == nil {
		return
	}
	msg := fmt.Sprintf(lang.L("Saved. %s had changed %s at %s; your change replaced it."),
		staffLabel(o.By), fieldNames(o.Field), fmtWhen(o.At, c.env.now()))
	dialog.ShowInformation(lang.L("Changed by someone else too"), msg, c.env.win)
}

// fieldNames translates a customer.set field list such as "name,phone".
func fieldNames(s string) string {
	names := map[string]string{
		"name": lang.L("Name"), "phone": lang.L("Phone"), "birthday": lang.L("Birthday"), "city": lang.L("City"),
		"vip": lang.L("VIP level"), "tags": lang.L("Tags"), "groups": lang.L("Groups"), "sizes": lang.L("Sizes"),
		"styles": lang.L("Styles"), "memo": lang.L("Memo"), "opt_out": lang.L("Bulk messages"),
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		if n, ok := names[f]; ok {
			out = append(out, n)
		} else if f != "" {
			out = append(out, f)
		}
	}
	return strings.Join(out, "、")
}

// complaintStateName is a complaint state in words.
func complaintStateName(s shop.ComplaintState) string {
	switch s {
	case shop.ComplaintOpen:
		return lang.L("state.open")
	case shop.ComplaintInProgress:
		return lang.L("In progress")
	case shop.ComplaintResolved:
		return lang.L("Resolved")
	case shop.ComplaintUnresolved:
		return lang.L("Closed unresolved")
	}
	return string(s)
}

// complaintCategoryName is a complaint category in words.
func complaintCategoryName(c shop.ComplaintCategory) string {
	switch c {
	case shop.ComplaintQuality:
		return lang.L("Quality")
	case shop.ComplaintService:
		return lang.L("Service")
	case shop.ComplaintOther:
		return lang.L("Other category")
	case shop.ComplaintEmergency:
		return lang.L("Emergency")
	}
	return string(c)
}
