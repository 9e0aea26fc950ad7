package imports

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Kefu's own templates, for what no platform exports in a known format: warehouse stock from
// an ERP, customers, reviews. Their columns are documented in docs/import-templates.md; the
// desk's import dialog offers them for download.

// Templates lists the formats that have a Kefu template.
var Templates = []string{"stock", "customers", "reviews"}

// templateExamples is one example row per template, in the order of the format's columns.
var templateExamples = map[string][]string{
	"stock":     {"WY-001-120", "35", "3", "0", "6901234567890", "儿童加绒卫衣 蓝色 120"},
	"customers": {"tb_xiaoyu", "余小鱼", "13800000000", "杭州", "05-20", "2", "老客,宝妈", "110, 120", "简约", "喜欢蓝色"},
	"reviews":   {"3515313147329357900", "tb_xiaoyu", "5", "很好，孩子很喜欢", "2026-11-22 09:00:00", "WY-001-120"},
}

// WriteTemplate writes the template of a format (one of Templates): its header row, with
// the Chinese column names, and one example row; as XLSX when xlsx, else as CSV (UTF-8 with a
// BOM, cells neutralised).
func WriteTemplate(w io.Writer, format string, xlsx bool) error {
	f, ok := FormatByName(format)
	example, has := templateExamples[format]
	if !ok || !has {
		return fmt.Errorf("no template %q; the templates are %v", format, Templates)
	}
	header := make([]string, len(f.fields))
	for i, fd := range f.fields {
		header[i] = fd.names[0]
	}
	if !xlsx {
		cw := NewCSVWriter(w)
		cw.Write(header)
		cw.Write(example)
		return cw.Flush()
	}
	x := excelize.NewFile()
	defer x.Close()
	for r, cells := range [][]string{header, example} {
		for c, v := range cells {
			name, _ := excelize.CoordinatesToCellName(c+1, r+1)
			// Text cells: an order number or a phone must not become a number in Excel.
			if err := x.SetCellStr("Sheet1", name, v); err != nil {
				return err
			}
		}
	}
	_, err := x.WriteTo(w)
	return err
}
