package sheet

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var shanghai = time.FixedZone("CST", 8*3600)

// sample is a table with every kind of cell, including the traps: a 16-digit order number, a
// phone, a SKU with a leading zero, a nick that looks like a formula, a negative amount and
// notes over two lines.
func sample() Table {
	at := time.Date(2026, 11, 27, 7, 30, 0, 0, time.UTC) // 15:30 in Shanghai
	return Table{Name: "订单", Zone: shanghai,
		Header: []string{"订单号", "手机", "SKU", "昵称", "金额", "件数", "下单时间", "付款时间", "备注"},
		Rows: [][]Cell{
			{C("2026112700000001"), C("13800138000"), C("0012345"), T("=HYPERLINK(\"x\")"), Money(12850), N(3), At(at), At(time.Time{}), T("第一条\n第二条")},
			{C(`A"1`), C(""), C("KD-1"), T("小鱼儿, \"大号\""), Money(-1250), N(0), At(at.Add(time.Hour)), At(at), T("")},
		}}
}

func TestWriteCSVKeepsCodesAsText(t *testing.T) {
	var b bytes.Buffer
	if err := sample().WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, UTF8BOM+"订单号,手机,SKU,") || !strings.Contains(out, "\r\n") {
		t.Fatalf("no BOM, header or CRLF: %q", out)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, UTF8BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{`="2026112700000001"`, `="13800138000"`, `="0012345"`, `'=HYPERLINK("x")`, "128.50", "3", "2026-11-27 15:30", "", "第一条\n第二条"},
		{`="A""1"`, "", `="KD-1"`, `小鱼儿, "大号"`, "-12.50", "0", "2026-11-27 16:30", "2026-11-27 15:30", ""},
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows: %q", len(rows), rows)
	}
	for r, w := range want {
		for c := range w {
			if rows[r+1][c] != w[c] {
				t.Errorf("row %d column %s: %q; want %q", r+1, rows[0][c], rows[r+1][c], w[c])
			}
		}
	}
}

func TestWriteXLSXTypesCells(t *testing.T) {
	var b bytes.Buffer
	if err := sample().WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); len(got) != 1 || got[0] != "订单" {
		t.Fatalf("sheets %q", got)
	}
	text := map[string]string{"A1": "订单号", "A2": "2026112700000001", "B2": "13800138000", "C2": "0012345",
		"D2": "=HYPERLINK(\"x\")", "I2": "第一条\n第二条", "A3": `A"1`}
	for ref, want := range text {
		typ, err := x.GetCellType("订单", ref)
		if err != nil {
			t.Fatal(err)
		}
		if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
			t.Errorf("%s is of type %v, not a string", ref, typ)
		}
		if v, _ := x.GetCellValue("订单", ref); v != want {
			t.Errorf("%s = %q; want %q", ref, v, want)
		}
		if f, _ := x.GetCellFormula("订单", ref); f != "" {
			t.Errorf("%s holds the formula %q", ref, f)
		}
	}
	for ref, want := range map[string]string{"E2": "128.5", "E3": "-12.5", "F2": "3"} {
		typ, _ := x.GetCellType("订单", ref)
		raw, _ := x.GetCellValue("订单", ref, excelize.Options{RawCellValue: true})
		if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset || raw != want {
			t.Errorf("%s: type %v, raw %q; want a number %s", ref, typ, raw, want)
		}
	}
	if v, _ := x.GetCellValue("订单", "E2"); v != "128.50" {
		t.Errorf("E2 shows %q; want 128.50", v)
	}
	// The instant is a date-time serial of 15:30 Shanghai time, shown as such.
	raw, _ := x.GetCellValue("订单", "G2", excelize.Options{RawCellValue: true})
	got, err := excelize.ExcelDateToTime(mustFloat(t, raw), false)
	if err != nil || !got.Equal(time.Date(2026, 11, 27, 15, 30, 0, 0, time.UTC)) {
		t.Errorf("G2 raw %q is %v; want 2026-11-27 15:30", raw, got)
	}
	if v, _ := x.GetCellValue("订单", "G2"); v != "2026-11-27 15:30" {
		t.Errorf("G2 shows %q", v)
	}
	if v, _ := x.GetCellValue("订单", "H2"); v != "" {
		t.Errorf("the zero time H2 shows %q", v)
	}
	if panes, err := x.GetPanes("订单"); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	var f float64
	if _, err := fmt.Sscan(s, &f); err != nil {
		t.Fatalf("%q is not a number: %v", s, err)
	}
	return f
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{"a.csv": CSV, "订单.CSV": CSV, "a.xlsx": XLSX, "a": XLSX, "a.csv.txt": XLSX} {
		if got := FormatOf(name); got != want {
			t.Errorf("FormatOf(%q) = %v; want %v", name, got, want)
		}
	}
}

func TestSheetName(t *testing.T) {
	for in, want := range map[string]string{"": "Sheet1", "a/b:c": "a-b-c", strings.Repeat("字", 40): strings.Repeat("字", 31)} {
		if got := sheetName(in); got != want {
			t.Errorf("sheetName(%q) = %q; want %q", in, got, want)
		}
	}
}
