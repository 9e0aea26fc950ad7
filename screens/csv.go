package screens

import (
	"encoding/csv"
	"fmt"
	"io"
)

// utf8BOM starts every exported CSV file: without it Excel on a Chinese Windows reads the file
// as GBK and shows Chinese as mojibake.
const utf8BOM = "\ufeff"

// writeCSV writes a header and rows as a UTF-8 CSV file with a byte-order mark, the form Excel
// opens correctly. Cells that start with = + - @ are prefixed with a quote so a spreadsheet does
// not run them as formulas (a nick such as "=HYPERLINK(...)" stays text).
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // Excel's line ends
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	cells := make([]string, 0, len(header))
	for _, r := range rows {
		cells = cells[:0]
		for _, c := range r {
			cells = append(cells, spreadsheetSafe(c))
		}
		if err := cw.Write(cells); err != nil {
			return fmt.Errorf("writing CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	return nil
}

// spreadsheetSafe keeps a cell from being read as a formula.
func spreadsheetSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
