package screens

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// customerCSVHeader is the customer export's header row.
func customerCSVHeader() []string {
	return []string{lang.L("Nick"), lang.L("Name"), lang.L("Phone"), lang.L("City"), lang.L("Birthday"), lang.L("VIP level"),
		lang.L("Tags"), lang.L("Sizes"), lang.L("Styles"), lang.L("Paid orders"), lang.L("Total spent"), lang.L("Average order"),
		lang.L("Last purchase"), lang.L("Bulk messages"), lang.L("Memo"), lang.L("Customer since")}
}

// customerCSVRows are customers with their figures as export rows.
func customerCSVRows(ms []desk.Member) [][]string {
	rows := make([][]string, 0, len(ms))
	for _, m := range ms {
		c, st := m.Customer, m.Stats
		last := ""
		if !st.LastOrder.IsZero() {
			last = fmtFull(st.LastOrder)
		}
		bulk := lang.L("Yes")
		if c.OptOut {
			bulk = lang.L("Opted out")
		}
		rows = append(rows, []string{c.Nick, c.Name, c.Phone, c.City, c.Birthday, strconv.Itoa(c.VIP),
			strings.Join(c.Tags, "、"), c.Sizes, c.Styles, strconv.Itoa(st.Orders), st.Spent.String(), st.Average().String(),
			last, bulk, oneLine(c.Memo), fmtFull(c.CreatedAt)})
	}
	return rows
}

// complaintCSVHeader is the complaint export's header row.
func complaintCSVHeader() []string {
	return []string{lang.L("Logged at"), lang.L("Nick"), lang.L("Order"), lang.L("Category"), lang.L("State"), lang.L("Owner"),
		lang.L("Details"), lang.L("Resolution"), lang.L("Last moved")}
}

// complaintCSVRows are complaints as export rows, with the customer's nick.
func (c *customerSection) complaintCSVRows(cs []shop.Complaint) [][]string {
	rows := make([][]string, 0, len(cs))
	nicks := map[string]string{}
	for _, k := range cs {
		nick, ok := nicks[k.CustomerID]
		if !ok {
			nick = k.CustomerID
			if cu, err := c.data.Customer(c.env.ctx, k.CustomerID); err == nil {
				nick = cu.Nick
			}
			nicks[k.CustomerID] = nick
		}
		rows = append(rows, []string{fmtFull(k.CreatedAt), nick, k.OrderID, complaintCategoryName(k.Category),
			complaintStateName(k.State), k.Owner, oneLine(k.Description), oneLine(k.Resolution), fmtFull(k.UpdatedAt)})
	}
	return rows
}

// exportRows are the rows of an export choice: every customer, the selected group, or the
// complaints of all time.
func (c *customerSection) exportRows(what int) (name string, header []string, rows [][]string, err error) {
	switch what {
	case 0:
		ms, err := c.data.AllCustomers(c.env.ctx)
		return "customers", customerCSVHeader(), customerCSVRows(ms), err
	case 1:
		g := c.selectedGroup()
		if g == nil {
			return "", nil, nil, fmt.Errorf("%s", lang.L("Pick a group first."))
		}
		ms, err := c.data.GroupMembers(c.env.ctx, *g, c.env.now())
		return "group-" + g.Name, customerCSVHeader(), customerCSVRows(ms), err
	default:
		cs, err := c.data.Complaints(c.env.ctx, periodStart(c.env.now(), 0), c.env.now().AddDate(100, 0, 0))
		return "complaints", complaintCSVHeader(), c.complaintCSVRows(cs), err
	}
}

// exportMenu asks what to export and then where to save it.
func (c *customerSection) exportMenu() {
	if c.env.win == nil {
		return
	}
	choices := []string{lang.L("Every customer"), lang.L("The selected group"), lang.L("Complaints")}
	pick := widget.NewRadioGroup(choices, nil)
	pick.SetSelected(choices[0])
	if c.selectedGroup() != nil {
		pick.SetSelected(choices[1])
	}
	dialog.ShowForm(lang.L("Export to CSV"), lang.L("Export"), lang.L("Cancel"),
		[]*widget.FormItem{widget.NewFormItem("", pick)}, func(ok bool) {
			if !ok {
				return
			}
			what := 0
			for i, ch := range choices {
				if ch == pick.Selected {
					what = i
				}
			}
			name, header, rows, err := c.exportRows(what)
			if err != nil {
				c.env.showError(err)
				return
			}
			c.exportCSV(name, header, rows)
		}, c.env.win)
}

// exportCSV asks where to save and writes a UTF-8 CSV with a byte-order mark.
func (c *customerSection) exportCSV(name string, header []string, rows [][]string) {
	if c.env.win == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			c.env.showError(err)
			return
		}
		if w == nil {
			return
		}
		err = writeCSV(w, header, rows)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			c.env.showError(err)
			return
		}
		dialog.ShowInformation(lang.L("Export saved"), pluralf(len(rows), "%d rows saved to %s", len(rows), w.URI().Name()), c.env.win)
	}, c.env.win)
	d.SetFileName(name + "-" + c.env.now().In(shop.ShopZone).Format("20060102") + ".csv")
	d.Show()
}
