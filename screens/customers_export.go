package screens

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/internal/sheet"
	"kefu/shop"
)

// customerExportHeader is the customer export's header row.
func customerExportHeader() []string {
	return []string{lang.L("Nick"), lang.L("Name"), lang.L("Phone"), lang.L("City"), lang.L("Birthday"), lang.L("VIP level"),
		lang.L("Tags"), lang.L("Sizes"), lang.L("Styles"), lang.L("Paid orders"), lang.L("Total spent"), lang.L("Average order"),
		lang.L("Last purchase"), lang.L("Bulk messages"), lang.L("Memo"), lang.L("Customer since")}
}

// customerTable is customers with their figures as an export table. The birthday (month and
// day) is a code: Excel would make "05-15" a date of this year.
func customerTable(ms []desk.Member) sheet.Table {
	rows := make([][]sheet.Cell, 0, len(ms))
	for _, m := range ms {
		c, st := m.Customer, m.Stats
		bulk := lang.L("Yes")
		if c.OptOut {
			bulk = lang.L("Opted out")
		}
		rows = append(rows, []sheet.Cell{sheet.T(c.Nick), sheet.T(c.Name), sheet.C(c.Phone), sheet.T(c.City), sheet.C(c.Birthday), sheet.N(c.VIP),
			sheet.T(strings.Join(c.Tags, "、")), sheet.T(c.Sizes), sheet.T(c.Styles), sheet.N(st.Orders), sheet.Money(int64(st.Spent)),
			sheet.Money(int64(st.Average())), sheet.At(st.LastOrder), sheet.T(bulk), sheet.T(oneLine(c.Memo)), sheet.At(c.CreatedAt)})
	}
	return sheet.Table{Name: lang.L("Customers"), Header: customerExportHeader(), Rows: rows, Zone: shop.ShopZone}
}

// complaintExportHeader is the complaint export's header row.
func complaintExportHeader() []string {
	return []string{lang.L("Logged at"), lang.L("Nick"), lang.L("Order"), lang.L("Category"), lang.L("State"), lang.L("Owner"),
		lang.L("Details"), lang.L("Resolution"), lang.L("Last moved")}
}

// complaintTable is complaints as an export table, with the customer's nick (read from the
// store: call it in the background).
func (c *customerSection) complaintTable(ctx context.Context, cs []shop.Complaint) sheet.Table {
	rows := make([][]sheet.Cell, 0, len(cs))
	nicks := map[string]string{}
	for _, k := range cs {
		nick, ok := nicks[k.CustomerID]
		if !ok {
			nick = k.CustomerID
			if cu, err := c.data.Customer(ctx, k.CustomerID); err == nil {
				nick = cu.Nick
			}
			nicks[k.CustomerID] = nick
		}
		rows = append(rows, []sheet.Cell{sheet.At(k.CreatedAt), sheet.T(nick), sheet.C(k.OrderID), sheet.T(complaintCategoryName(k.Category)),
			sheet.T(complaintStateName(k.State)), sheet.C(k.Owner), sheet.T(oneLine(k.Description)), sheet.T(oneLine(k.Resolution)), sheet.At(k.UpdatedAt)})
	}
	return sheet.Table{Name: lang.L("Complaints"), Header: complaintExportHeader(), Rows: rows, Zone: shop.ShopZone}
}

// The export choices of the customers section.
const (
	exportEveryCustomer = iota
	exportGroup
	exportComplaints
)

// exportTable builds the table of an export choice: every customer, the members of group g
// now, or the complaints of all time. It reads the store: call it in the background.
func (c *customerSection) exportTable(ctx context.Context, what int, g *shop.Group, now time.Time) (sheet.Table, error) {
	switch what {
	case exportEveryCustomer:
		ms, err := c.data.AllCustomers(ctx)
		return customerTable(ms), err
	case exportGroup:
		if g == nil {
			return sheet.Table{}, errors.New(lang.L("Pick a group first."))
		}
		ms, err := c.data.GroupMembers(ctx, *g, now)
		return customerTable(ms), err
	}
	cs, err := c.data.Complaints(ctx, periodStart(now, 0), now.AddDate(100, 0, 0))
	if err != nil {
		return sheet.Table{}, err
	}
	return c.complaintTable(ctx, cs), nil
}

// exportName is the suggested file name of an export choice, without extension.
func (c *customerSection) exportName(what int, g *shop.Group) string {
	switch what {
	case exportEveryCustomer:
		return exportBase(c.env, "customers")
	case exportGroup:
		if g != nil {
			return exportBase(c.env, "group-"+g.Name)
		}
	}
	return exportBase(c.env, "complaints")
}

// exportMenu asks what to export and then where to save it.
func (c *customerSection) exportMenu() {
	if c.env.win == nil {
		return
	}
	choices := []string{lang.L("Every customer"), lang.L("The selected group"), lang.L("Complaints")}
	pick := widget.NewRadioGroup(choices, nil)
	pick.SetSelected(choices[exportEveryCustomer])
	g := c.selectedGroup()
	if g != nil {
		gv := *g // the export reads it in the background
		g = &gv
		pick.SetSelected(choices[exportGroup])
	}
	dialog.ShowForm(lang.X("export.what", "What to export"), lang.L("Export"), lang.L("Cancel"),
		[]*widget.FormItem{widget.NewFormItem("", pick)}, func(ok bool) {
			if !ok {
				return
			}
			what := max(slices.Index(choices, pick.Selected), exportEveryCustomer)
			if what == exportGroup && g == nil {
				c.env.showError(errors.New(lang.L("Pick a group first.")))
				return
			}
			now := c.env.now()
			saveExport(c.env, c.exportName(what, g), func(ctx context.Context) (sheet.Table, error) {
				return c.exportTable(ctx, what, g, now)
			})
		}, c.env.win)
}

// exportComplaints saves the complaints listed (cs) with their customers' nicks.
func (c *customerSection) exportComplaints(cs []shop.Complaint) {
	cs = slices.Clone(cs)
	saveExport(c.env, exportBase(c.env, "complaints"), func(ctx context.Context) (sheet.Table, error) {
		return c.complaintTable(ctx, cs), nil
	})
}
