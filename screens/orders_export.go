package screens

import (
	"fmt"
	"io"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"kefu/shop"
)

// orderCSVHeader is the order export's header row.
func orderCSVHeader() []string {
	return []string{lang.L("Order number"), lang.L("Order status"), lang.L("Buyer nick"), lang.L("Receiver name"), lang.L("Phone"),
		lang.L("Shipping address"), lang.L("Payment method"), lang.L("COD call"), lang.L("Total"), lang.L("Order flag"), lang.L("Flag set by"), lang.L("Notes"),
		lang.L("Courier company"), lang.L("Tracking number"), lang.L("Ordered at"), lang.L("Paid at"), lang.L("Shipped at")}
}

// orderCSVRows are the orders as export rows.
func orderCSVRows(orders []shop.Order) [][]string {
	rows := make([][]string, 0, len(orders))
	stamp := func(t interface{ IsZero() bool }, s string) string {
		if t.IsZero() {
			return ""
		}
		return s
	}
	for _, o := range orders {
		a := o.Address
		rows = append(rows, []string{o.ID, statusName(o.Status), o.Nick, a.Receiver, a.Phone,
			a.Province + a.City + a.District + a.Detail, paymentName(o.Payment), codCall(o), o.Total.String(), flagName(o.Flag),
			o.FlagBy, strconv.Itoa(o.NoteCount), o.Courier, o.Tracking, fmtFull(o.CreatedAt),
			stamp(o.PaidAt, fmtFull(o.PaidAt)), stamp(o.ShippedAt, fmtFull(o.ShippedAt))})
	}
	return rows
}

// caseCSVHeader is the after-sales export's header row.
func caseCSVHeader() []string {
	return []string{lang.L("Case number"), lang.L("Order number"), lang.L("Case kind"), lang.L("Case state"), lang.L("Case owner"),
		lang.L("Due date"), lang.L("Needs attention"), lang.L("Case summary"), lang.L("Opened at"), lang.L("Last moved")}
}

// caseCSVRows are the cases as export rows; needs-attention is judged at now.
func (c *caseList) caseCSVRows(cases []shop.AfterSalesCase) [][]string {
	rows := make([][]string, 0, len(cases))
	for _, k := range cases {
		due := ""
		if !k.Due.IsZero() {
			due = fmtFull(k.Due)
		}
		rows = append(rows, []string{k.ID, k.OrderID, caseKindName(k.Kind), caseStateName(k.State), k.Owner, due,
			attentionText(k, c), oneLine(k.Summary), fmtFull(k.CreatedAt), fmtFull(caseLastMove(k))})
	}
	return rows
}

// saveCSV asks where to save and writes the file; name is the suggested file name.
func saveCSV(e *env, name string, header []string, rows [][]string) {
	if e.win == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			e.showError(err)
			return
		}
		if w == nil {
			return // cancelled
		}
		if err := writeCSVFile(w, header, rows); err != nil {
			e.showError(err)
			return
		}
		dialog.ShowInformation(lang.L("Export saved"), pluralf(len(rows), "%d rows saved to %s", len(rows), w.URI().Name()), e.win)
	}, e.win)
	d.SetFileName(name)
	d.Show()
}

// writeCSVFile writes the CSV and closes the file, reporting the first error.
func writeCSVFile(w io.WriteCloser, header []string, rows [][]string) error {
	err := writeCSV(w, header, rows)
	if cerr := w.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing the CSV file: %w", cerr)
	}
	return err
}

// exportOrders saves the listed orders (search and filters as shown) as CSV.
func (o *orderSection) exportOrders() {
	name := fmt.Sprintf("orders-%s.csv", o.env.now().In(shop.ShopZone).Format("20060102-1504"))
	saveCSV(o.env, name, orderCSVHeader(), orderCSVRows(o.orders))
}

// exportCases saves the listed after-sales cases as CSV.
func (c *caseList) exportCases() {
	name := fmt.Sprintf("after-sales-%s.csv", c.o.env.now().In(shop.ShopZone).Format("20060102-1504"))
	saveCSV(c.o.env, name, caseCSVHeader(), c.caseCSVRows(c.cases))
}

// codCall is the COD call column: the outcome, or "COD unconfirmed" for packers to hold.
func codCall(o shop.Order) string {
	switch {
	case codUnconfirmed(o) && o.CODCall == shop.CallNone:
		return lang.L("COD unconfirmed")
	case codUnconfirmed(o):
		return lang.L("COD unconfirmed") + " (" + systemNoteText(string(o.CODCall)) + ")"
	case o.CODCall != shop.CallNone:
		return systemNoteText(string(o.CODCall))
	}
	return ""
}
