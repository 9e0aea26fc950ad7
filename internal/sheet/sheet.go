// Package sheet writes a table of typed cells as a file a spreadsheet opens as the desk meant
// it: XLSX with text cells for codes, numbers for amounts and date-times for instants, or a
// UTF-8 CSV (with a byte-order mark, so Excel on a Chinese Windows reads Chinese) whose codes
// are written as ="…" so that Excel and WPS keep every digit. It knows nothing of the shop or
// of the window: the screens build a Table and pick the format.
//
// Why ="…" in CSV and not a leading tab: Excel and WPS evaluate ="2026112700000001" to a text
// cell holding exactly the 16 digits, the form Taobao's and Qianniu's own exports use (so a
// shop's staff and tools know it, and Kefu's import unwraps it). A leading tab also keeps the
// digits, but the tab stays in the cell: an order number copied from it into the platform's
// search carries the tab, and a lookup against the bare number fails. Measured with
// LibreOffice 7.4 (soffice --headless --convert-to xlsx, default CSV options): ="…" is read as
// a formula whose value is the whole 16-digit text; a tab-led cell is text that still holds
// the tab; a bare 2026112700000003 becomes the number 2026112700000000. Later LibreOffice
// versions have an "Evaluate formulas" box in the CSV import dialog, which must stay ticked
// for ="…". XLSX, the default, needs no such trick anywhere.
package sheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
)

// Kind is what a cell holds, which decides how each format writes it.
type Kind uint8

// The kinds of cells.
const (
	// Text is free text (a nick, an address, notes). A CSV cell that begins with = + - @ gets a
	// leading apostrophe so a spreadsheet does not run it as a formula; XLSX text is never one.
	Text Kind = iota
	// Code is an identifier that may be all digits (an order, tracking or phone number, a SKU,
	// a barcode): always text, never a number, so no digit is lost and no leading zero dropped.
	Code
	// Amount is money, held in cents: a number with two decimals.
	Amount
	// Int is a whole number (a count, a level).
	Int
	// Time is an instant: a date-time in the table's zone. The zero time is an empty cell.
	Time
)

// Cell is one typed value of a table.
type Cell struct {
	Kind Kind
	Text string    // Text and Code
	Num  int64     // Amount (in cents) and Int
	At   time.Time // Time
}

// T is a text cell.
func T(s string) Cell { return Cell{Kind: Text, Text: s} }

// C is a code cell: digits and letters that must stay text.
func C(s string) Cell { return Cell{Kind: Code, Text: s} }

// Money is an amount in cents.
func Money(cents int64) Cell { return Cell{Kind: Amount, Num: cents} }

// N is a whole number.
func N(n int) Cell { return Cell{Kind: Int, Num: int64(n)} }

// At is an instant, written as a date-time in the table's zone; the zero time is an empty cell.
func At(t time.Time) Cell { return Cell{Kind: Time, At: t} }

// Table is a header and rows of typed cells, one sheet of a workbook or one CSV file.
type Table struct {
	// Name names the XLSX sheet (cut to Excel's 31 characters); empty is "Sheet1".
	Name   string
	Header []string
	Rows   [][]Cell
	// Zone is where instants are read as wall-clock date-times; nil is UTC.
	Zone *time.Location
}

// Format is a file format of an export.
type Format int

// The formats.
const (
	// XLSX is an Excel workbook, the default.
	XLSX Format = iota
	// CSV is UTF-8 comma-separated values with a byte-order mark.
	CSV
)

// Ext is the format's file-name extension, with its dot.
func (f Format) Ext() string {
	if f == CSV {
		return ".csv"
	}
	return ".xlsx"
}

// FormatOf is the format a file name asks for: CSV for a name ending in .csv (any case),
// XLSX for any other.
func FormatOf(name string) Format {
	if strings.EqualFold(path.Ext(name), ".csv") {
		return CSV
	}
	return XLSX
}

// Write writes the table in format f.
func (t Table) Write(w io.Writer, f Format) error {
	if f == CSV {
		return t.WriteCSV(w)
	}
	return t.WriteXLSX(w)
}

// UTF8BOM starts every CSV file: without it Excel on a Chinese Windows reads the file as GBK
// and shows Chinese as mojibake.
const UTF8BOM = "\ufeff"

// DateTimeLayout is how a CSV writes an instant: a form Excel, WPS and LibreOffice all read as
// a date-time.
const DateTimeLayout = "2006-01-02 15:04"

// WriteCSV writes the table as a UTF-8 CSV with a byte-order mark and CRLF line ends.
func (t Table) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, UTF8BOM); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // Excel's line ends
	if err := cw.Write(t.Header); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	line := make([]string, 0, len(t.Header))
	for _, r := range t.Rows {
		line = line[:0]
		for _, c := range r {
			line = append(line, t.csvText(c))
		}
		if err := cw.Write(line); err != nil {
			return fmt.Errorf("writing CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	return nil
}

// csvText is a cell as CSV text.
func (t Table) csvText(c Cell) string {
	switch c.Kind {
	case Code:
		return CodeText(c.Text)
	case Amount:
		return amountText(c.Num)
	case Int:
		return strconv.FormatInt(c.Num, 10)
	case Time:
		if c.At.IsZero() {
			return ""
		}
		return c.At.In(t.zone()).Format(DateTimeLayout)
	}
	return FormulaSafe(c.Text)
}

// CodeText is a code as a CSV cell Excel and WPS keep as text: ="…", quotes inside doubled.
// An empty code stays empty.
func CodeText(s string) string {
	if s == "" {
		return ""
	}
	return `="` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// FormulaSafe keeps a CSV text cell from being read as a formula: one that starts with
// = + - @ gets a leading apostrophe (a nick such as "=HYPERLINK(...)" stays text).
func FormulaSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

// amountText is cents as a number with two decimals, e.g. -1250 as -12.50.
func amountText(cents int64) string {
	sign := ""
	u := uint64(cents)
	if cents < 0 {
		sign, u = "-", uint64(-cents)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

func (t Table) zone() *time.Location {
	if t.Zone == nil {
		return time.UTC
	}
	return t.Zone
}
