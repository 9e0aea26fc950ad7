package sheet

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The number formats of the workbook's cells.
const (
	textFormat     = 49 // "@": what is typed into the cell later stays text too
	amountFormat   = "0.00"
	dateTimeFormat = "yyyy-mm-dd hh:mm"
)

// The widths of a column, in Excel's units (about one Latin character each).
const (
	minWidth = 8
	maxWidth = 60
)

// WriteXLSX writes the table as an Excel workbook of one sheet: the header bold and frozen,
// codes and text as text cells, amounts as numbers shown with two decimals, instants as
// date-times in the table's zone, and text with line breaks wrapped.
func (t Table) WriteXLSX(w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	name := sheetName(t.Name)
	if err := x.SetSheetName("Sheet1", name); err != nil {
		return fmt.Errorf("writing XLSX: %w", err)
	}
	st, err := newStyles(x)
	if err != nil {
		return fmt.Errorf("writing XLSX: %w", err)
	}
	sw, err := x.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("writing XLSX: %w", err)
	}
	for i, width := range t.widths() {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("writing XLSX: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("writing XLSX: %w", err)
	}
	head := make([]any, len(t.Header))
	for i, h := range t.Header {
		head[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return fmt.Errorf("writing XLSX: %w", err)
	}
	for r, row := range t.Rows {
		cells := make([]any, len(row))
		for i, c := range row {
			cells[i] = t.xlsxCell(c, st)
		}
		ref, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return fmt.Errorf("writing XLSX: %w", err)
		}
		if err := sw.SetRow(ref, cells); err != nil {
			return fmt.Errorf("writing XLSX: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("writing XLSX: %w", err)
	}
	if err := x.Write(w); err != nil {
		return fmt.Errorf("writing XLSX: %w", err)
	}
	return nil
}

// styles are the workbook's cell styles.
type styles struct {
	header, text, wrapped, amount, whole, dateTime int
}

func newStyles(x *excelize.File) (styles, error) {
	var st styles
	amountFmt, dateFmt := amountFormat, dateTimeFormat
	top := &excelize.Alignment{Vertical: "top"}
	defs := []struct {
		id *int
		s  excelize.Style
	}{
		{&st.header, excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: textFormat, Alignment: top}},
		{&st.text, excelize.Style{NumFmt: textFormat, Alignment: top}},
		{&st.wrapped, excelize.Style{NumFmt: textFormat, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&st.amount, excelize.Style{CustomNumFmt: &amountFmt, Alignment: top}},
		{&st.whole, excelize.Style{NumFmt: 1, Alignment: top}}, // "0"
		{&st.dateTime, excelize.Style{CustomNumFmt: &dateFmt, Alignment: top}},
	}
	for _, d := range defs {
		id, err := x.NewStyle(&d.s)
		if err != nil {
			return st, err
		}
		*d.id = id
	}
	return st, nil
}

// xlsxCell is a cell as the stream writer takes it.
func (t Table) xlsxCell(c Cell, st styles) excelize.Cell {
	switch c.Kind {
	case Amount:
		return excelize.Cell{StyleID: st.amount, Value: float64(c.Num) / 100}
	case Int:
		return excelize.Cell{StyleID: st.whole, Value: c.Num}
	case Time:
		if c.At.IsZero() {
			return excelize.Cell{StyleID: st.dateTime}
		}
		return excelize.Cell{StyleID: st.dateTime, Value: wallClock(c.At.In(t.zone()))}
	}
	if strings.Contains(c.Text, "\n") {
		return excelize.Cell{StyleID: st.wrapped, Value: c.Text}
	}
	return excelize.Cell{StyleID: st.text, Value: c.Text}
}

// wallClock is t's wall-clock reading in its own zone as the same reading in UTC: Excel's
// date-times have no zone, and excelize turns an instant into one through UTC.
func wallClock(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

// widths are the columns' widths: each column's longest line (a CJK character counting two),
// within minWidth and maxWidth.
func (t Table) widths() []float64 {
	w := make([]float64, len(t.Header))
	measure := func(i int, s string) {
		for line := range strings.SplitSeq(s, "\n") {
			w[i] = max(w[i], displayWidth(line)+2)
		}
	}
	for i, h := range t.Header {
		measure(i, h)
	}
	for _, r := range t.Rows {
		for i, c := range r {
			if i >= len(w) {
				break
			}
			switch c.Kind {
			case Text, Code:
				measure(i, c.Text)
			case Amount:
				measure(i, amountText(c.Num))
			case Int:
				measure(i, fmt.Sprint(c.Num))
			case Time:
				measure(i, DateTimeLayout)
			}
		}
	}
	for i := range w {
		w[i] = min(max(w[i], minWidth), maxWidth)
	}
	return w
}

// displayWidth is how many Latin characters wide s is: wide (CJK) characters count two.
func displayWidth(s string) float64 {
	n := 0.0
	for _, r := range s {
		if r >= 0x1100 && utf8.RuneLen(r) >= 3 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// sheetName is a usable sheet name: Excel allows 31 characters and none of : \ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" {
		return "Sheet1"
	}
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}
