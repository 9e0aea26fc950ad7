package imports

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// CSVWriter writes CSV for people to open in Excel: UTF-8 with a BOM (so Excel reads Chinese),
// and every cell that begins with =, +, - or @ (or a tab or carriage return before one) led by
// an apostrophe, so that Excel shows it as text instead of running it as a formula.
type CSVWriter struct {
	w      *csv.Writer
	bom    io.Writer
	wrote  bool
	record []string
}

// NewCSVWriter writes to w; the BOM goes out with the first row.
func NewCSVWriter(w io.Writer) *CSVWriter {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &CSVWriter{w: cw, bom: w}
}

// Write writes one row, its cells neutralised.
func (c *CSVWriter) Write(cells []string) error {
	if !c.wrote {
		c.wrote = true
		if _, err := c.bom.Write([]byte("\ufeff")); err != nil {
			return err
		}
	}
	c.record = c.record[:0]
	for _, v := range cells {
		c.record = append(c.record, Neutralise(v))
	}
	return c.w.Write(c.record)
}

// Flush writes what is buffered and returns the first error of any write.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// Neutralise makes a cell safe to open in a spreadsheet: one that begins with a formula
// character (=, +, -, @, or a tab or carriage return) gets a leading apostrophe.
func Neutralise(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// WriteErrorFile writes the refused rows of the export file at path as CSV for Excel (see
// CSVWriter): the file's header with an error column (错误 / error) first, then each row whose
// line is in reasons, as the file has it, with its reason. A desk saves it next to the file,
// for the shop to fix and import again.
func WriteErrorFile(w io.Writer, path string, reasons map[int]string) error {
	f, err := OpenPath(path, DefaultLimits)
	if err != nil {
		return err
	}
	defer f.Close()
	cw := NewCSVWriter(w)
	if err := cw.Write(append([]string{"错误 / error"}, f.Header...)); err != nil {
		return err
	}
	for {
		cells, line, err := f.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if reason, ok := reasons[line]; ok {
			if err := cw.Write(append([]string{reason}, cells...)); err != nil {
				return err
			}
		}
	}
	return cw.Flush()
}
