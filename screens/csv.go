package screens

import (
	"io"

	"kefu/internal/sheet"
)

// utf8BOM starts every exported CSV file: without it Excel on a Chinese Windows reads the file
// as GBK and shows Chinese as mojibake.
const utf8BOM = sheet.UTF8BOM

// writeCSV writes a header and rows of plain text as a UTF-8 CSV file with a byte-order mark,
// the form Excel opens correctly (the evidence package's index). Cells that start with
// = + - @ are prefixed with a quote so a spreadsheet does not run them as formulas. Exports
// with order numbers, phones, amounts or times build a sheet.Table instead (saveExport), which
// keeps each kind of cell as Excel should read it.
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	t := sheet.Table{Header: header, Rows: make([][]sheet.Cell, len(rows))}
	for i, r := range rows {
		t.Rows[i] = make([]sheet.Cell, len(r))
		for j, c := range r {
			t.Rows[i][j] = sheet.T(c)
		}
	}
	return t.WriteCSV(w)
}
