package imports

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kefu/imports/importtest"
	"kefu/shop"
)

// readAll opens content as a file named name and reads every record and refusal.
func readAll(t *testing.T, name string, content []byte) (*File, []Record, []Refusal) {
	t.Helper()
	f, err := Open(name, bytes.NewReader(content), DefaultLimits)
	if err != nil {
		t.Fatalf("Open %s: %v", name, err)
	}
	var recs []Record
	var refs []Refusal
	if err := f.Each(func(r Record) error { recs = append(recs, r); return nil }, func(r Refusal) { refs = append(refs, r) }); err != nil {
		t.Fatalf("Each %s: %v", name, err)
	}
	return f, recs, refs
}

func gbk(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := importtest.GBK(&b)
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestTaobaoOrderReportGBK(t *testing.T) {
	o := importtest.Generated(0)
	o.Memo, o.Message = "送小礼物", "请发顺丰"
	closed := importtest.Generated(1)
	closed.Status, closed.CloseReason, closed.NewAddress = "交易关闭", "买家未付款", "上海 上海市 浦东新区 世纪大道1号(200120)"
	rounded := importtest.Generated(2)
	rounded.ID = "3.51531E+16"
	paid := importtest.Generated(3)
	paid.Status, paid.Paid = "买家已付款，等待卖家发货", "2026/11/20 10:31" // Excel's re-save: seconds lost
	content := gbk(t, importtest.TaobaoOrderHeader+"\r\n"+o.Row()+"\r\n"+closed.Row()+"\r\n"+rounded.Row()+"\r\n"+paid.Row()+"\r\n")
	if utf8Valid(content) {
		t.Fatal("the GBK sample is valid UTF-8; the test would prove nothing")
	}
	f, recs, refs := readAll(t, "导出.csv", content)
	if f.Format.Name != "taobao-orders" || f.Encoding != "GB18030" {
		t.Fatalf("format %s, encoding %s", f.Format.Name, f.Encoding)
	}
	if len(recs) != 3 || len(refs) != 1 {
		t.Fatalf("%d records, refusals %v", len(recs), refs)
	}
	if r := refs[0]; r.Line != 4 || r.Column != "订单编号" || !strings.Contains(r.Reason, "float") || !strings.HasPrefix(r.String(), "导出.csv:4: 订单编号: ") {
		t.Errorf("refusal %v", r)
	}
	got := recs[0].Order
	want := shop.Address{Receiver: "张三", Phone: "13900000000", Province: "浙江省", City: "杭州市", District: "西湖区", Detail: "文三路0号", Zip: "310000"}
	if got.ID != o.ID || got.Nick != o.Nick || got.Status != shop.StatusCompleted || got.Address != want {
		t.Errorf("order %+v", got)
	}
	if got.Total != 24800 || got.Shipping != 0 || got.Tracking != "YT0000000000" || got.Memo != "送小礼物" || got.BuyerMessage != "请发顺丰" {
		t.Errorf("order amounts/memo %+v", got)
	}
	if !got.CreatedAt.Equal(time.Date(2026, 11, 20, 10, 30, 0, 0, shop.ShopZone)) || got.Items != nil {
		t.Errorf("created %v, items %v", got.CreatedAt, got.Items)
	}
	c := recs[1].Order
	if c.Status != shop.StatusClosed || c.CloseReason != "买家未付款" || c.Address.City != "上海市" || c.Address.Zip != "200120" {
		t.Errorf("closed order %+v", c)
	}
	if p := recs[2].Order; p.Status != shop.StatusPaid || !p.PaidAt.Equal(time.Date(2026, 11, 20, 10, 31, 0, 0, shop.ShopZone)) {
		t.Errorf("paid order %+v", p)
	}
}

func utf8Valid(b []byte) bool { return strings.ToValidUTF8(string(b), "\uFFFD") == string(b) }

func TestTaobaoItemReportUTF8BOM(t *testing.T) {
	items := importtest.GeneratedItems(1)
	content := "\ufeff" + importtest.TaobaoItemHeader + "\n" + items[0].Row() + "\n" + items[1].Row() + "\n" +
		`="123","半身裙","abc","1","","","","","交易成功","",` + "\n"
	f, recs, refs := readAll(t, "ExportOrderDetailList.csv", []byte(content))
	if f.Format.Name != "taobao-items" || f.Encoding != "UTF-8 (BOM)" {
		t.Fatalf("format %s, encoding %s", f.Format.Name, f.Encoding)
	}
	if len(recs) != 2 || len(refs) != 1 || refs[0].Column != "价格" || refs[0].Line != 4 {
		t.Fatalf("records %d, refusals %v", len(recs), refs)
	}
	l := recs[1].Item
	if l.OrderID != items[1].OrderID || l.Item.SKU != items[1].SKU || l.Item.Variant != "蓝色 120cm" || l.Item.Price != 12900 || l.Item.Qty != 1 || l.Status != shop.StatusCompleted {
		t.Errorf("line %+v", l)
	}
}

func TestDetectionFromHeaderNotName(t *testing.T) {
	// A Shopify customers file named like a Taobao order report.
	content := "First Name,Last Name,Email,Phone,City,Tags,Note\nAda,Lovelace,ADA@example.com,+44 20 7946 0000,London,\"vip, newsletter\",likes wool\n"
	f, recs, refs := readAll(t, "ExportOrderList2026.csv", []byte(content))
	if f.Format.Name != "shopify-customers" || len(recs) != 1 || len(refs) != 0 {
		t.Fatalf("format %s, %d records, %v", f.Format.Name, len(recs), refs)
	}
	if c := recs[0].Customer; c.Nick != "ada@example.com" || c.Name != "Ada Lovelace" || len(c.Tags) != 2 || c.Phone != "+442079460000" {
		t.Errorf("customer %+v", c)
	}
	if _, err := Open("x.csv", strings.NewReader("foo,bar\n1,2\n"), DefaultLimits); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("unknown header: %v", err)
	}
}

func TestAssistantUTF16(t *testing.T) {
	var b bytes.Buffer
	w := importtest.UTF16(&b)
	w.Write([]byte("version 1.00\n" +
		"title\tcid\tprice\tnum\touter_id\tbarcode\tskuProps\tnum_id\n" +
		"宝贝名称\t宝贝类目\t宝贝价格\t宝贝数量\t商家编码\t商品条形码\t销售属性组合\t数字ID\n" +
		"\"儿童卫衣\"\t50010850\t129.00\t30\tWY-1\t6901234567890\t\t556677\n" +
		"\"儿童裤子\"\t50010850\t99.00\t20\tKZ-1\t\t99.00:12:KZ-1-110:1627207:28320;20509:28315;99.00:8:KZ-1-120:1627207:28320;20509:28316;\t556678\n"))
	w.Close()
	f, recs, refs := readAll(t, "商品.csv", b.Bytes())
	if f.Format.Name != "taobao-assistant" || f.Encoding != "UTF-16LE" || len(recs) != 2 || len(refs) != 0 {
		t.Fatalf("format %s, encoding %s, %d records, %v", f.Format.Name, f.Encoding, len(recs), refs)
	}
	p := recs[0].Product
	if p.Key != "556677" || p.Name != "儿童卫衣" || len(p.Variants) != 1 || p.Variants[0].SKU != "WY-1" || p.Variants[0].Listed != 30 || p.Variants[0].Price != 12900 || p.Variants[0].Barcode != "6901234567890" {
		t.Errorf("product %+v", p)
	}
	if v := recs[1].Product.Variants; len(v) != 2 || v[1].SKU != "KZ-1-120" || v[1].Listed != 8 || v[0].Price != 9900 {
		t.Errorf("variants %+v", v)
	}
}

func TestShopifyOrdersContinuationRows(t *testing.T) {
	content := "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Shipping Name,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Cancelled at,Payment Method\n" +
		"#1001,bo@example.com,paid,2026-11-20 11:13:25 -0500,fulfilled,2026-11-21 09:00:00 -0500,USD,50.00,5.00,0.00,45.00,WELCOME,10.00,Standard,2026-11-20 11:10:00 -0500,2,Wool hat,15.00,HAT-1,Bo Li,Bo Li,1 Main St,Apt 2,Springfield,12345,IL,US,555-0100,leave at door,,Shopify Payments\n" +
		"#1001,,,,,,,,,,,,,,,1,Scarf,20.00,SCARF-1,,,,,,,,,,,,\n" +
		"#1002,cy@example.com,bogus,,,,USD,10,0,0,10,,,,2026-11-20 12:00:00 -0500,1,Wool hat,10.00,HAT-1,,,,,,,,,,,,\n"
	f, recs, refs := readAll(t, "orders_export.csv", []byte(content))
	if f.Format.Name != "shopify-orders" || len(recs) != 1 || len(refs) != 1 || refs[0].Line != 4 || refs[0].Column != "Financial Status" {
		t.Fatalf("format %s, %d records, %v", f.Format.Name, len(recs), refs)
	}
	o := recs[0].Order
	if o.ID != "#1001" || o.Nick != "bo@example.com" || o.Status != shop.StatusShipped || o.Total != 4500 || o.Shipping != 500 || len(o.Items) != 2 || o.Items[1].SKU != "SCARF-1" || o.BuyerMessage != "leave at door" {
		t.Errorf("order %+v", o)
	}
	if o.Address.Detail != "1 Main St Apt 2" || o.Address.Zip != "12345" || o.PaidAt.UTC().Hour() != 16 {
		t.Errorf("address %+v, paid %v", o.Address, o.PaidAt)
	}
}

func TestShopifyProductsAndWoo(t *testing.T) {
	shopify := "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Grams,Variant Inventory Tracker,Variant Inventory Qty,Variant Price,Variant Barcode,Image Src\n" +
		"wool-hat,Wool hat,<p>Warm</p>,Acme,Hats,,true,Color,Red,Size,S,HAT-R-S,100,shopify,5,15.00,111,\n" +
		"wool-hat,,,,,,,,Red,,M,HAT-R-M,100,shopify,3,15.00,,\n" +
		"wool-hat,,,,,,,,,,,,,,,,,https://example.com/hat.jpg\n"
	f, recs, refs := readAll(t, "products.csv", []byte(shopify))
	if f.Format.Name != "shopify-products" || len(recs) != 1 || len(refs) != 0 {
		t.Fatalf("format %s, %d records, %v", f.Format.Name, len(recs), refs)
	}
	if p := recs[0].Product; p.Key != "wool-hat" || len(p.Variants) != 2 || p.Variants[0].Color != "Red" || p.Variants[1].Size != "M" || p.Variants[1].Listed != 3 {
		t.Errorf("product %+v", p)
	}
	woo := "ID,Type,SKU,Name,Published,In stock?,Stock,Regular price,Sale price,Categories,Parent,Attribute 1 name,Attribute 1 value(s),Weight (kg)\n" +
		"10,simple,MUG-1,Mug,1,1,12,9.90,,Kitchen > Mugs,,,,0.3\n" +
		"11,variable,TEE,T-shirt,1,1,,,,Clothes,,Size,\"S, M\",\n" +
		"12,variation,TEE-S,T-shirt - S,1,1,4,19.00,15.00,,id:11,Size,S,\n" +
		"13,variation,TEE-M,T-shirt - M,1,1,6,19.00,,,TEE,Size,M,\n" +
		"14,variation,TEE-L,T-shirt - L,1,1,6,19.00,,,id:99,Size,L,\n"
	f, recs, refs = readAll(t, "wc-product-export.csv", []byte(woo))
	if f.Format.Name != "woocommerce-products" || len(recs) != 4 || len(refs) != 1 || refs[0].Column != "Parent" {
		t.Fatalf("format %s, %d records, %v", f.Format.Name, len(recs), refs)
	}
	if p := recs[2].Product; !p.VariantsOnly || p.Key != "TEE" || p.Variants[0].Price != 1500 || p.Variants[0].Size != "S" {
		t.Errorf("variation %+v", p)
	}
	if p := recs[0].Product; p.Category != "Mugs" || p.Variants[0].Listed != 12 {
		t.Errorf("simple %+v", p)
	}
}

func TestKefuTemplatesXLSX(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		format string
		rows   [][]any
		check  func(t *testing.T, recs []Record, refs []Refusal)
	}{
		{"stock", [][]any{{"商品编码", "仓库数量", "订单占有数"}, {"WY-1", 12, 2}, {"WY-2", "-3", ""}}, func(t *testing.T, recs []Record, refs []Refusal) {
			if len(recs) != 1 || recs[0].Stock.Warehouse != 12 || recs[0].Stock.Reserved != 2 || len(refs) != 1 || refs[0].Column != "仓库数量" {
				t.Errorf("stock %+v %v", recs, refs)
			}
		}},
		{"customers", [][]any{{"会员名", "姓名", "手机", "VIP等级", "标签"}, {"tb_mama", "王芳", "'13800000000", 3, "老客，宝妈"}}, func(t *testing.T, recs []Record, refs []Refusal) {
			if len(recs) != 1 || recs[0].Customer.Phone != "13800000000" || recs[0].Customer.VIP != 3 || len(recs[0].Customer.Tags) != 2 {
				t.Errorf("customers %+v %v", recs[0].Customer, refs)
			}
		}},
		{"reviews", [][]any{{"订单编号", "会员名", "评分", "评价内容", "评价时间"}, {"3515313147329357900", "tb_mama", 5, "很好", 46346.5}}, func(t *testing.T, recs []Record, refs []Refusal) {
			if len(recs) != 1 || recs[0].Review.Stars != 5 || !recs[0].Review.At.Equal(time.Date(2026, 11, 20, 12, 0, 0, 0, shop.ShopZone)) {
				t.Errorf("reviews %+v %v", recs[0].Review, refs)
			}
		}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			f, recs, refs := readXLSX(t, filepath.Join(dir, tc.format+".xlsx"), tc.rows)
			if f.Format.Name != tc.format || f.Encoding != "XLSX" {
				t.Fatalf("format %s, encoding %s", f.Format.Name, f.Encoding)
			}
			tc.check(t, recs, refs)
		})
	}
}

func TestHostileFiles(t *testing.T) {
	dir := t.TempDir()
	bomb := filepath.Join(dir, "bomb.xlsx")
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	part, _ := zw.Create("xl/worksheets/sheet1.xml")
	part.Write(bytes.Repeat([]byte{' '}, 64<<20)) // 64 MiB of spaces zip to a few KiB
	zw.Close()
	os.WriteFile(bomb, z.Bytes(), 0o600)
	if _, err := OpenPath(bomb, DefaultLimits); !errors.Is(err, ErrZipBomb) {
		t.Errorf("zip bomb: %v", err)
	}
	garbage := filepath.Join(dir, "garbage.csv")
	os.WriteFile(garbage, []byte("\x00\x01\x02\x7fELF\x00\x00binary"), 0o600)
	if _, err := OpenPath(garbage, DefaultLimits); !errors.Is(err, ErrBinary) {
		t.Errorf("binary: %v", err)
	}
	if _, err := Open("old.xls", bytes.NewReader([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}), DefaultLimits); !errors.Is(err, ErrXLS) {
		t.Errorf("xls: %v", err)
	}
	// A file that starts as UTF-8 and turns into GBK later: the GBK rows are refused, never
	// read into mojibake.
	var b bytes.Buffer
	b.WriteString("会员名,姓名\n")
	for i := 0; i < 10000; i++ {
		b.WriteString("buyer_a,Ann\n")
	}
	b.Write(gbk(t, "王芳,王芳\n"))
	_, recs, refs := readAll(t, "mixed.csv", b.Bytes())
	if len(recs) != 10000 || len(refs) != 1 || !strings.Contains(refs[0].Reason, "UTF-8") {
		t.Errorf("mixed encodings: %d records, %v", len(recs), refs)
	}
	// Over-long cell: refused; over-long line: the file stops with an error.
	_, recs, refs = readAll(t, "long.csv", []byte("会员名,备注\nok,"+strings.Repeat("长", 20000)+"\n"))
	if len(recs) != 0 || len(refs) != 1 || !strings.Contains(refs[0].Reason, "at most") {
		t.Errorf("long cell: %v %v", recs, refs)
	}
	f, err := Open("line.csv", strings.NewReader("会员名,备注\nok,"+strings.Repeat("x", 2<<20)+"\n"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Each(func(Record) error { return nil }, func(Refusal) {}); !errors.Is(err, ErrLineTooLong) {
		t.Errorf("long line: %v", err)
	}
}

func TestCSVWriterNeutralises(t *testing.T) {
	var b bytes.Buffer
	w := NewCSVWriter(&b)
	w.Write([]string{"=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "王芳", "3"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "\ufeff\"'=HYPERLINK(\"\"x\"\")\",'+1,'-2,'@SUM(A1),王芳,3\r\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestMoneyAndIDs(t *testing.T) {
	for in, want := range map[string]shop.Cents{"12.5": 1250, "0元": 0, "¥1,299.00": 129900, "-3.10": -310, "": 0} {
		if got, err := money(in); err != nil || got != want {
			t.Errorf("money(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"1.234", "3.5E+2", "abc"} {
		if _, err := money(bad); err == nil {
			t.Errorf("money(%q) was accepted", bad)
		}
	}
	if _, err := idValue("3.51531E+16"); !errors.Is(err, errRounded) {
		t.Errorf("rounded id: %v", err)
	}
	if clean(`="35153131473293579"`) != "35153131473293579" || clean(`=""`) != "" || clean("'13925130165") != "13925130165" {
		t.Error("clean does not unwrap Taobao's quirks")
	}
}

// TestTemplatesReadBack writes each of Kefu's templates, as CSV and as XLSX, and reads it back
// as its own format with its example row imported.
func TestTemplatesReadBack(t *testing.T) {
	dir := t.TempDir()
	for _, name := range Templates {
		for _, xlsx := range []bool{false, true} {
			var b bytes.Buffer
			if err := WriteTemplate(&b, name, xlsx); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, fmt.Sprintf("%s-%v", name, xlsx))
			os.WriteFile(path, b.Bytes(), 0o600)
			f, err := OpenPath(path, DefaultLimits)
			if err != nil {
				t.Fatalf("%s (xlsx %v): %v", name, xlsx, err)
			}
			n := 0
			err = f.Each(func(Record) error { n++; return nil }, func(r Refusal) { t.Errorf("%s: %v", name, r) })
			f.Close()
			if err != nil || f.Format.Name != name || n != 1 {
				t.Errorf("%s (xlsx %v): format %s, %d records, %v", name, xlsx, f.Format.Name, n, err)
			}
		}
	}
	if err := WriteTemplate(io.Discard, "taobao-orders", false); err == nil {
		t.Error("a template for a platform's format")
	}
}

func TestErrorFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stock.csv")
	os.WriteFile(path, gbk(t, "商品编码,仓库数量\nWY-1,3\n=cmd|' /C calc'!A0,x\nWY-3,-1\n"), 0o600)
	var b bytes.Buffer
	if err := WriteErrorFile(&b, path, map[int]string{3: "仓库数量: \"x\" is not a quantity", 4: "仓库数量: \"-1\" is not a quantity"}); err != nil {
		t.Fatal(err)
	}
	want := "\ufeff错误 / error,商品编码,仓库数量\r\n" +
		"\"仓库数量: \"\"x\"\" is not a quantity\",'=cmd|' /C calc'!A0,x\r\n" +
		"\"仓库数量: \"\"-1\"\" is not a quantity\",WY-3,'-1\r\n"
	if b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
}

// TestTaobaoXLSX reads a Taobao order report saved as XLSX: an order number kept as text is
// read, one Excel shows as a float (3.51531E+16) is refused, a date cell is read as the
// shop's time.
func TestTaobaoXLSX(t *testing.T) {
	header := strings.Split(strings.ReplaceAll(importtest.TaobaoOrderHeader, `"`, ""), ",")
	row := func(id any, created any) []any {
		cells := make([]any, len(header))
		for i, h := range header {
			switch strings.TrimSpace(h) {
			case "订单编号":
				cells[i] = id
			case "买家会员名":
				cells[i] = "tb_buyer"
			case "订单状态":
				cells[i] = "交易成功"
			case "收货地址":
				cells[i] = "广东省 深圳市 南山区 科技园1号(518000)"
			case "买家实际支付金额":
				cells[i] = 99.5
			case "订单创建时间":
				cells[i] = created
			default:
				cells[i] = ""
			}
		}
		return cells
	}
	h := make([]any, len(header))
	for i, v := range header {
		h[i] = v
	}
	f, recs, refs := readXLSX(t, filepath.Join(t.TempDir(), "ExportOrderList.xlsx"), [][]any{h,
		row("35153131473293579", time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)), row("3.5153131473293576E+16", "2026-11-20 10:30:00")})
	if f.Format.Name != "taobao-orders" || len(recs) != 1 || len(refs) != 1 || refs[0].Line != 3 || refs[0].Column != "订单编号" {
		t.Fatalf("format %s, %d records, %v", f.Format.Name, len(recs), refs)
	}
	o := recs[0].Order
	if o.ID != "35153131473293579" || o.Total != 9950 || !o.CreatedAt.Equal(time.Date(2026, 11, 20, 10, 30, 0, 0, shop.ShopZone)) || o.Address.Zip != "518000" {
		t.Errorf("order %+v", o)
	}
}

// readXLSX writes rows to an XLSX workbook at path, then opens it and reads every record and
// refusal.
func readXLSX(t *testing.T, path string, rows [][]any) (*File, []Record, []Refusal) {
	t.Helper()
	x := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f, err := OpenPath(path, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	var recs []Record
	var refs []Refusal
	if err := f.Each(func(r Record) error { recs = append(recs, r); return nil }, func(r Refusal) { refs = append(refs, r) }); err != nil {
		t.Fatal(err)
	}
	return f, recs, refs
}
