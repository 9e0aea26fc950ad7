package screens

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2/lang"

	"kefu/desk"
	"kefu/internal/sheet"
	"kefu/shop"
)

// orderExportHeader is the order export's header row.
func orderExportHeader() []string {
	return []string{lang.L("Order number"), lang.L("Order status"), lang.L("Buyer nick"), lang.L("Receiver name"), lang.L("Phone"),
		lang.L("Shipping address"), lang.L("Payment method"), lang.L("COD call"), lang.L("Total"), lang.L("Order flag"), lang.L("Flag set by"), lang.L("Notes"),
		lang.L("Courier company"), lang.L("Tracking number"), lang.L("Ordered at"), lang.L("Paid at"), lang.L("Shipped at")}
}

// orderTable is the orders as an export table; notes holds each order's notes by order ID,
// newest first as the desk lists them.
func orderTable(orders []shop.Order, notes map[string][]shop.OrderNote) sheet.Table {
	rows := make([][]sheet.Cell, 0, len(orders))
	for _, o := range orders {
		a := o.Address
		rows = append(rows, []sheet.Cell{sheet.C(o.ID), sheet.T(statusName(o.Status)), sheet.T(o.Nick), sheet.T(a.Receiver), sheet.C(a.Phone),
			sheet.T(a.Province + a.City + a.District + a.Detail), sheet.T(paymentName(o.Payment)), sheet.T(codCall(o)), sheet.Money(int64(o.Total)),
			sheet.T(flagName(o.Flag)), sheet.C(o.FlagBy), sheet.T(notesText(notes[o.ID])), sheet.T(o.Courier), sheet.C(o.Tracking),
			sheet.At(o.CreatedAt), sheet.At(o.PaidAt), sheet.At(o.ShippedAt)})
	}
	return sheet.Table{Name: lang.L("Orders"), Header: orderExportHeader(), Rows: rows, Zone: shop.ShopZone}
}

// notesText is an order's notes in one cell, one line each: time, who wrote it, flag, reason
// and text, as the order's history shows them.
func notesText(notes []shop.OrderNote) string {
	lines := make([]string, 0, len(notes))
	for _, n := range notes {
		text, reason := n.Text, n.Reason
		if n.System {
			text, reason = systemNoteText(text), systemNoteText(reason)
		}
		if n.Source != "" {
			reason = "" // an imported seller memo: noteAuthor says what it is
		}
		if reason != "" {
			reason = fmt.Sprintf(lang.L("Reason: %s"), oneLine(reason))
		}
		lines = append(lines, joinNonEmpty(" · ", fmtFull(n.At), noteAuthor(n), flagName(n.Flag), reason, oneLine(text)))
	}
	return strings.Join(lines, "\n")
}

// orderNotes reads the notes of each order, by order ID.
func orderNotes(ctx context.Context, data OrderData, orders []shop.Order) (map[string][]shop.OrderNote, error) {
	notes := make(map[string][]shop.OrderNote, len(orders))
	for _, o := range orders {
		ns, err := data.Notes(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		notes[o.ID] = ns
	}
	return notes, nil
}

// caseExportHeader is the after-sales export's header row.
func caseExportHeader() []string {
	return []string{lang.L("Case number"), lang.L("Order number"), lang.L("Case kind"), lang.L("Case state"), lang.L("Case owner"),
		lang.L("Due date"), lang.L("Needs attention"), lang.L("Case summary"), lang.L("Opened at"), lang.L("Last moved")}
}

// caseTable is the cases as an export table; needs-attention is judged at now.
func (c *caseList) caseTable(cases []shop.AfterSalesCase) sheet.Table {
	rows := make([][]sheet.Cell, 0, len(cases))
	for _, k := range cases {
		rows = append(rows, []sheet.Cell{sheet.C(k.ID), sheet.C(k.OrderID), sheet.T(caseKindName(k.Kind)), sheet.T(caseStateName(k.State)),
			sheet.C(k.Owner), sheet.At(k.Due), sheet.T(attentionText(k, c)), sheet.T(oneLine(k.Summary)), sheet.At(k.CreatedAt), sheet.At(caseLastMove(k))})
	}
	return sheet.Table{Name: lang.L("After-sales cases"), Header: caseExportHeader(), Rows: rows, Zone: shop.ShopZone}
}

// listedOrders reads the full orders of list rows, in the rows' order, skipping any that was
// deleted since it was listed. It runs in the background: the list holds rows only.
func listedOrders(ctx context.Context, w Writer, rows []desk.OrderRow) ([]shop.Order, error) {
	orders := make([]shop.Order, 0, len(rows))
	for _, r := range rows {
		ord, _, err := getEntity[shop.Order](ctx, w, shop.TypeOrder, r.ID)
		if errors.Is(err, desk.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		orders = append(orders, ord)
	}
	return orders, nil
}

// exportOrders saves the listed orders (search and filters as shown), with their notes: the
// full orders of the listed rows are read in the export's background work.
func (o *orderSection) exportOrders() {
	rows, data, w := slices.Clone(o.orders), o.data, o.env.writer
	saveExport(o.env, exportBase(o.env, "orders"), func(ctx context.Context) (sheet.Table, error) {
		orders, err := listedOrders(ctx, w, rows)
		if err != nil {
			return sheet.Table{}, err
		}
		notes, err := orderNotes(ctx, data, orders)
		if err != nil {
			return sheet.Table{}, err
		}
		return orderTable(orders, notes), nil
	})
}

// exportCases saves the listed after-sales cases.
func (c *caseList) exportCases() {
	t := c.caseTable(c.cases) // on Fyne's goroutine: it reads the list's clock
	saveExport(c.o.env, exportBase(c.o.env, "after-sales"), func(context.Context) (sheet.Table, error) { return t, nil })
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
