package screens

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"kefu/desk"
	"kefu/shop"
)

// readCSVExport reads an export's CSV back: BOM first, then the rows.
func readCSVExport(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(utf8BOM)) {
		t.Fatalf("no BOM: %q", b[:min(len(b), 40)])
	}
	rows, err := csv.NewReader(bytes.NewReader(b[len(utf8BOM):])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// openXLSX opens an exported workbook and gives its one sheet's name.
func openXLSX(t *testing.T, b []byte) (*excelize.File, string) {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	sheets := x.GetSheetList()
	if len(sheets) != 1 {
		t.Fatalf("sheets %q", sheets)
	}
	return x, sheets[0]
}

// column is the index of the header cell named name.
func column(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %q", name, header)
	return -1
}

// checkTextCell checks that a workbook cell is a string cell holding want.
func checkTextCell(t *testing.T, x *excelize.File, sheet string, col, row int, want string) {
	t.Helper()
	ref, _ := excelize.CoordinatesToCellName(col+1, row+1)
	typ, err := x.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		t.Errorf("%s is of cell type %v, not a string (want %q)", ref, typ, want)
	}
	if got, _ := x.GetCellValue(sheet, ref); got != want {
		t.Errorf("%s = %q; want %q", ref, got, want)
	}
}

// checkNumberCell checks that a workbook cell is a number whose raw value is want.
func checkNumberCell(t *testing.T, x *excelize.File, sheet string, col, row int, want string) {
	t.Helper()
	ref, _ := excelize.CoordinatesToCellName(col+1, row+1)
	typ, _ := x.GetCellType(sheet, ref)
	raw, _ := x.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) || raw != want {
		t.Errorf("%s: cell type %v, value %q; want the number %s", ref, typ, raw, want)
	}
}

// listedOrderWithNotes is a listed order of the demo shop with at least two notes.
func listedOrderWithNotes(t *testing.T, f *fixture) (int, shop.Order, []shop.OrderNote) {
	t.Helper()
	for i, r := range f.desk.orders.orders {
		if ns, err := f.db.Notes(r.ID); err == nil && len(ns) >= 2 && r.Phone != "" {
			o, err := f.db.Order(r.ID)
			if err != nil {
				t.Fatal(err)
			}
			return i, o, ns
		}
	}
	t.Fatal("no listed order of the demo shop has two notes and a phone")
	return 0, shop.Order{}, nil
}

// TestOrderExportContents: the listed orders in both formats, with the order number, phone
// and tracking number as text, the total as a number with two decimals, the times as
// date-times and every note's text in the notes cell.
func TestOrderExportContents(t *testing.T) {
	f := newFixture(t)
	f.desk.Show(SectionOrders)
	// The export reads the full orders of the listed rows, as exportOrders does.
	orders, err := listedOrders(f.desk.env.ctx, f.desk.env.writer, f.desk.orders.orders)
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != len(f.desk.orders.orders) {
		t.Fatalf("the export read %d orders for %d listed rows", len(orders), len(f.desk.orders.orders))
	}
	for k, r := range f.desk.orders.orders {
		if orders[k].ID != r.ID || orders[k].Total != r.Total || orders[k].Address.Phone != r.Phone {
			t.Fatalf("exported order %d is %s (%v, %s); the list row is %+v", k, orders[k].ID, orders[k].Total, orders[k].Address.Phone, r)
		}
	}
	i, o, notes := listedOrderWithNotes(t, f)
	if len(o.ID) != 16 {
		t.Fatalf("order number %q is not the 16 digits the test is about", o.ID)
	}
	byID, err := orderNotes(f.desk.env.ctx, f.dk, orders)
	if err != nil {
		t.Fatal(err)
	}
	table := orderTable(orders, byID)
	header := table.Header
	cNo, cPhone, cTotal, cNotes, cAt := column(t, header, "订单号"), column(t, header, "手机"), column(t, header, "合计"),
		column(t, header, "备注"), column(t, header, "下单时间")
	row := i + 1
	wantNotes := make([]string, len(notes))
	for k, n := range notes {
		wantNotes[k] = joinNonEmpty(" · ", n.At.In(shop.ShopZone).Format("2006-01-02 15:04"), noteAuthor(n), flagName(n.Flag),
			map[bool]string{true: "原因：" + oneLine(n.Reason)}[n.Reason != "" && !n.System && n.Source == ""], oneLine(n.Text))
		if n.System {
			wantNotes[k] = "" // worded by the desk: only checked to be there below
		}
	}

	var b bytes.Buffer
	if err := table.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows := readCSVExport(t, b.Bytes())
	if len(rows) != len(orders)+1 {
		t.Fatalf("%d CSV rows for %d orders", len(rows), len(orders))
	}
	if got := rows[row][cNo]; got != `="`+o.ID+`"` {
		t.Errorf("CSV order number %q; want =\"%s\"", got, o.ID)
	}
	if got := rows[row][cPhone]; got != `="`+o.Address.Phone+`"` {
		t.Errorf("CSV phone %q", got)
	}
	if got, want := rows[row][cTotal], strings.TrimPrefix(o.Total.String(), "¥"); got != want {
		t.Errorf("CSV total %q; want %q", got, want)
	}
	if got, want := rows[row][cAt], o.CreatedAt.In(shop.ShopZone).Format("2006-01-02 15:04"); got != want {
		t.Errorf("CSV ordered at %q; want %q", got, want)
	}
	lines := strings.Split(rows[row][cNotes], "\n")
	if len(lines) != len(notes) {
		t.Fatalf("notes cell has %d lines for %d notes: %q", len(lines), len(notes), rows[row][cNotes])
	}
	for k, want := range wantNotes {
		if want != "" && lines[k] != want {
			t.Errorf("note %d: %q; want %q", k, lines[k], want)
		}
		if !strings.Contains(lines[k], staffLabel(notes[k].Staff)) || !strings.Contains(lines[k], flagName(notes[k].Flag)) {
			t.Errorf("note %d %q lacks its staff or flag", k, lines[k])
		}
	}

	b.Reset()
	if err := table.WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	x, sh := openXLSX(t, b.Bytes())
	if sh != "订单" {
		t.Errorf("sheet %q", sh)
	}
	checkTextCell(t, x, sh, cNo, row, o.ID)
	checkTextCell(t, x, sh, cPhone, row, o.Address.Phone)
	checkTextCell(t, x, sh, cNotes, row, strings.Join(lines, "\n"))
	checkNumberCell(t, x, sh, cTotal, row, strconv.FormatFloat(float64(o.Total)/100, 'f', -1, 64))
	ref, _ := excelize.CoordinatesToCellName(cTotal+1, row+1)
	if got, _ := x.GetCellValue(sh, ref); got != strings.TrimPrefix(o.Total.String(), "¥") {
		t.Errorf("the total shows as %q", got)
	}
	ref, _ = excelize.CoordinatesToCellName(cAt+1, row+1)
	raw, _ := x.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
	var serial float64
	if _, err := fmt.Sscan(raw, &serial); err != nil {
		t.Fatalf("ordered at %q is not a date-time serial: %v", raw, err)
	}
	got, _ := excelize.ExcelDateToTime(serial, false)
	wall := o.CreatedAt.In(shop.ShopZone)
	if want := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, time.UTC); got.Sub(want).Abs() > time.Second {
		t.Errorf("ordered at reads %v; want the shop's wall clock %v", got, want)
	}
	// A tracking number, when the list has one, is text too.
	cTrack := column(t, header, "运单号")
	for r, o := range orders {
		if o.Tracking != "" {
			checkTextCell(t, x, sh, cTrack, r+1, o.Tracking)
			break
		}
	}
}

// TestCustomerExportContents: customers in both formats, the phone and the birthday text, the
// money numbers, and the complaints' order numbers text.
func TestCustomerExportContents(t *testing.T) {
	f := newFixture(t)
	ms := []desk.Member{{Customer: shop.Customer{Nick: "=小鱼儿", Name: "王芳", Phone: "13800138000", Birthday: "05-15", VIP: 2,
		Tags: []string{"老客", "大码"}, Memo: "只要顺丰\n周末不收", CreatedAt: testNow.AddDate(-1, 0, 0)},
		Stats: shop.CustomerStats{Orders: 2, Spent: 25650, LastOrder: testNow}}}
	table := customerTable(ms)
	var b bytes.Buffer
	if err := table.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows := readCSVExport(t, b.Bytes())
	want := []string{"'=小鱼儿", "王芳", `="13800138000"`, "", `="05-15"`, "2", "老客、大码", "", "", "2", "256.50", "128.25",
		"2026-05-15 15:04", "是", "只要顺丰 周末不收", "2025-05-15 15:04"}
	if len(rows) != 2 || len(rows[1]) != len(want) {
		t.Fatalf("rows %q", rows)
	}
	for i, w := range want {
		if rows[1][i] != w {
			t.Errorf("CSV %s = %q; want %q", rows[0][i], rows[1][i], w)
		}
	}
	b.Reset()
	if err := table.WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	x, sh := openXLSX(t, b.Bytes())
	h := table.Header
	checkTextCell(t, x, sh, column(t, h, "昵称"), 1, "=小鱼儿") // a text cell is never a formula: no quote needed
	checkTextCell(t, x, sh, column(t, h, "手机"), 1, "13800138000")
	checkTextCell(t, x, sh, column(t, h, "生日"), 1, "05-15")
	checkNumberCell(t, x, sh, column(t, h, "累计消费"), 1, "256.5")
	checkNumberCell(t, x, sh, column(t, h, "VIP 等级"), 1, "2")

	// Complaints: the order number is text in both formats.
	order := findOrder(t, f, func(o shop.Order) bool { return len(o.ID) == 16 })
	ct := f.desk.custs.complaintTable(f.desk.env.ctx, []shop.Complaint{{CustomerID: order.CustomerID, OrderID: order.ID,
		Category: shop.ComplaintQuality, State: shop.ComplaintOpen, Description: "线头", CreatedAt: testNow, UpdatedAt: testNow}})
	b.Reset()
	if err := ct.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows = readCSVExport(t, b.Bytes())
	cOrder := column(t, ct.Header, "订单")
	if rows[1][cOrder] != `="`+order.ID+`"` || rows[1][1] != order.Nick {
		t.Errorf("complaint row %q", rows[1])
	}
	b.Reset()
	if err := ct.WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	x, sh = openXLSX(t, b.Bytes())
	checkTextCell(t, x, sh, cOrder, 1, order.ID)
}

// topPopUp is the window's top overlay as a pop-up (a dialog).
func topPopUp(t *testing.T, win fyne.Window) *widget.PopUp {
	t.Helper()
	p, ok := win.Canvas().Overlays().Top().(*widget.PopUp)
	if !ok {
		t.Fatalf("no dialog open: top overlay %T", win.Canvas().Overlays().Top())
	}
	return p
}

// labelsUnder are the texts of the labels under o.
func labelsUnder(o fyne.CanvasObject) []string {
	var out []string
	walkObjects(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	})
	return out
}

// saveInFileDialog types name into the open save dialog and presses its confirm button.
func saveInFileDialog(t *testing.T, win fyne.Window, name string) {
	t.Helper()
	var entry *widget.Entry
	var save *widget.Button
	walkObjects(topPopUp(t, win).Content, func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Entry:
			entry = o
		case *widget.Button:
			if o.Importance == widget.HighImportance {
				save = o
			}
		}
	})
	if entry == nil || save == nil {
		t.Fatal("the save dialog has no name entry or save button")
	}
	if name != "" {
		entry.SetText(name)
	}
	test.Tap(save)
}

// TestExportThroughFileDialog exports the listed orders through Fyne's save dialog, as a
// staff member does: the dialog is in Chinese (its places too), suggests an .xlsx, and the
// message names the folder and the file; a name ending in .csv saves CSV; saving over a file
// asks in Chinese.
func TestExportThroughFileDialog(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home) // where Fyne's dialog starts
	f := newFixture(t)
	d := f.desk
	d.Show(SectionOrders)
	o := d.orders
	test.Tap(o.export)
	pop := topPopUp(t, f.win)
	labels := strings.Join(labelsUnder(pop.Content), "|")
	if !strings.Contains(labels, "导出为 Excel 文件") {
		t.Errorf("the dialog's title is not the export's: %s", labels)
	}
	// The side list's places, which Fyne 2.7.1 leaves in English.
	var places *widget.List
	walkObjects(pop.Content, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.List); ok && places == nil {
			places = l
		}
	})
	if places == nil || places.Length() == 0 {
		t.Fatal("the dialog has no list of places")
	}
	item := places.CreateItem()
	places.UpdateItem(0, item)
	if got := labelsUnder(item); len(got) != 1 || got[0] != "主目录" {
		t.Errorf("the first place reads %q; want 主目录", got)
	}
	wantName := "orders-" + testNow.Format("20060102-1504") + ".xlsx"
	saveInFileDialog(t, f.win, "")
	f.drain()
	msg := strings.Join(labelsUnder(topPopUp(t, f.win).Content), "\n")
	if !strings.Contains(msg, "文件夹："+home) || !strings.Contains(msg, "文件："+wantName) || !strings.Contains(msg, "已导出 "+strconv.Itoa(len(o.orders))+" 行") {
		t.Errorf("the message does not name the folder %s and the file %s:\n%s", home, wantName, msg)
	}
	if b := findButton(topPopUp(t, f.win).Content, "打开文件夹"); b == nil {
		t.Error("the message has no button to open the folder")
	}
	b, err := os.ReadFile(filepath.Join(home, wantName))
	if err != nil {
		t.Fatal(err)
	}
	x, sh := openXLSX(t, b)
	checkTextCell(t, x, sh, 0, 1, o.orders[0].ID)
	f.win.Canvas().Overlays().Top().Hide()

	// CSV when the name says so.
	test.Tap(o.export)
	saveInFileDialog(t, f.win, "订单.csv")
	f.drain()
	b, err = os.ReadFile(filepath.Join(home, "订单.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if rows := readCSVExport(t, b); len(rows) != len(o.orders)+1 || rows[1][0] != `="`+o.orders[0].ID+`"` {
		t.Errorf("the CSV export reads %d rows, first %q", len(rows), rows[1][0])
	}
	f.win.Canvas().Overlays().Top().Hide()

	// Saving over that file asks first, in Chinese.
	test.Tap(o.export)
	saveInFileDialog(t, f.win, "订单.csv")
	ask := labelsUnder(topPopUp(t, f.win).Content)
	if strings.Join(ask, "|") != "订单.csv 已存在，要替换吗？|替换文件？" && strings.Join(ask, "|") != "替换文件？|订单.csv 已存在，要替换吗？" {
		t.Errorf("the overwrite question reads %q", ask)
	}
}

// TestFolderURL: the open-folder button's URL for a Unix and a Windows path, Chinese kept.
func TestFolderURL(t *testing.T) {
	for dir, want := range map[string]string{"/home/王晓/文档": "file:///home/%E7%8E%8B%E6%99%93/%E6%96%87%E6%A1%A3",
		"C:/Users/x/Desktop": "file:///C:/Users/x/Desktop"} {
		if got := folderURL(dir).String(); got != want {
			t.Errorf("folderURL(%q) = %s; want %s", dir, got, want)
		}
	}
}

// TestImportPreviewUnwrapsTaobaoNumbers: the import's preview shows Taobao's ="…" cells as the
// numbers they are.
func TestImportPreviewUnwrapsTaobaoNumbers(t *testing.T) {
	test.NewTempApp(t)
	grid := previewTable([]string{"订单编号", "买家会员名", "备注"},
		[][]string{{`="2026112700000001"`, `="小""鱼"""`, `=SUM(1)`}, {" =\"13800138000\"\t", "plain", `=""`}})
	got := labelsUnder(grid)
	want := []string{"订单编号", "买家会员名", "备注", "2026112700000001", `小"鱼"`, "=SUM(1)", "13800138000", "plain", ""}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("preview cells %q; want %q", got, want)
	}
}

// TestFileDialogTitle: the title Fyne makes of "Save" and "File" reads as one word in Chinese.
func TestFileDialogTitle(t *testing.T) {
	f := newFixture(t)
	dialog.NewFileSave(func(fyne.URIWriteCloser, error) {}, f.win).Show()
	translateFileDialog(f.win)
	if labels := labelsUnder(topPopUp(t, f.win).Content); !slices.Contains(labels, "保存文件") {
		t.Errorf("the save dialog's labels %q have no title 保存文件", labels)
	}
}
