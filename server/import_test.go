package server

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kefu/imports/importtest"
	"kefu/shop"
	"kefu/storeapi"
)

// upload posts a file to the import endpoint and checks the status.
func (e *env) upload(token, name string, content []byte, dry bool, want int) (storeapi.ImportResponse, storeapi.ErrorResponse) {
	e.t.Helper()
	q := url.Values{"name": {name}}
	if dry {
		q.Set("dry_run", "true")
	}
	req, err := http.NewRequest(http.MethodPost, e.hs.URL+storeapi.PathImport+"?"+q.Encode(), bytes.NewReader(content))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		e.t.Fatalf("import %s: status %d, want %d: %s", name, resp.StatusCode, want, data)
	}
	var ir storeapi.ImportResponse
	var er storeapi.ErrorResponse
	if want == http.StatusOK {
		err = json.Unmarshal(data, &ir)
	} else {
		err = json.Unmarshal(data, &er)
	}
	if err != nil {
		e.t.Fatalf("import %s: %v: %s", name, err, data)
	}
	return ir, er
}

func (e *env) seq(token string) int64 { return e.changes(token, 0, 1, 0).Total }

func gbkBytes(t testing.TB, s string) []byte {
	var b bytes.Buffer
	w := importtest.GBK(&b)
	io.WriteString(w, s)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func counts(r storeapi.ImportResponse) string {
	return fmt.Sprintf("%d new, %d changed, %d unchanged, %d refused", r.New, r.Changed, r.Unchanged, r.Refused)
}

func decodeRec[T any](t testing.TB, recs map[string]shop.Record, key string) T {
	t.Helper()
	var v T
	r, ok := recs[key]
	if !ok {
		t.Fatalf("no record %s", key)
	}
	if err := r.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// taobaoPair is a small Taobao order report (GBK) and item report (UTF-8) of three orders;
// the first order's buyer is alpha's customer 小鱼儿, its first line alpha's SKU p-1-120.
func taobaoPair(t testing.TB, memo, status string) (orders, items []byte) {
	o := []importtest.TaobaoOrder{importtest.Generated(0), importtest.Generated(1), importtest.Generated(2)}
	o[0].Nick, o[0].Memo, o[0].Message, o[0].Status = "小鱼儿", memo, "请发顺丰", status
	o[2].Status, o[2].CloseReason = "交易关闭", "买家未付款"
	var ob, ib strings.Builder
	ob.WriteString(importtest.TaobaoOrderHeader + "\r\n")
	ib.WriteString(importtest.TaobaoItemHeader + "\r\n")
	for i, ord := range o {
		ob.WriteString(ord.Row() + "\r\n")
		for k, it := range importtest.GeneratedItems(i) {
			if i == 0 && k == 0 {
				it.SKU = "p-1-120"
			}
			ib.WriteString(it.Row() + "\r\n")
		}
	}
	return gbkBytes(t, ob.String()), []byte(ib.String())
}

func TestImportTaobaoPair(t *testing.T) {
	e := newEnv(t, "")
	owner := e.login("alpha", "1001")
	orders, items := taobaoPair(t, "送小礼物", "买家已付款，等待卖家发货")

	r, _ := e.upload(owner, "ExportOrderList202611.csv", orders, false, http.StatusOK)
	if r.Format != "taobao-orders" || r.Encoding != "GB18030" || r.New != 3 || r.Refused != 0 || r.Rows != 3 || len(r.Preview) != 3 {
		t.Fatalf("orders: %s %s: %s %v", r.Format, r.Encoding, counts(r), r.Refusals)
	}
	r, _ = e.upload(owner, "ExportOrderDetailList202611.csv", items, false, http.StatusOK)
	if r.Format != "taobao-items" || r.Changed != 7 || r.Refused != 0 {
		t.Fatalf("items: %s: %s %v", r.Format, counts(r), r.Refusals)
	}
	all := e.all(owner)
	id0, id2 := importtest.Generated(0).ID, importtest.Generated(2).ID
	o := decodeRec[shop.Order](t, all, "order/"+id0)
	if o.CustomerID != "u-1" || o.Status != shop.StatusPaid || o.Source != "taobao" || o.BuyerMessage != "请发顺丰" || o.PlatformMemo != "送小礼物" || o.NoteCount != 1 {
		t.Errorf("order %+v", o)
	}
	if o.Total != 24800 || len(o.Items) != 2 || o.Items[0].ProductID != "p-1" || o.Address.Zip != "310000" || o.Tracking != "YT0000000000" {
		t.Errorf("order items/amounts %+v", o)
	}
	if c := decodeRec[shop.Order](t, all, "order/"+id2); c.Status != shop.StatusClosed || c.CloseReason != "买家未付款" || c.CustomerID == "" {
		t.Errorf("closed order %+v", c)
	} else if cust := decodeRec[shop.Customer](t, all, "customer/"+c.CustomerID); cust.Nick != importtest.Generated(2).Nick || cust.City != "杭州市" {
		t.Errorf("made customer %+v", cust)
	}
	var memo shop.OrderNote
	for k, rec := range all {
		if strings.HasPrefix(k, "note/") {
			rec.Decode(&memo)
		}
	}
	if memo.OrderID != id0 || memo.Text != "送小礼物" || memo.Source != "taobao" || memo.Staff != "" {
		t.Errorf("memo note %+v", memo)
	}

	// The same files again: nothing changes, the feed stays where it was.
	seq := e.seq(owner)
	for _, f := range []struct {
		name string
		b    []byte
	}{{"ExportOrderList202611.csv", orders}, {"ExportOrderDetailList202611.csv", items}} {
		if r, _ := e.upload(owner, f.name, f.b, false, http.StatusOK); r.Unchanged != r.Rows || r.New+r.Changed+r.Refused != 0 || r.Seq != seq {
			t.Errorf("re-import %s: %s, seq %d (was %d)", f.name, counts(r), r.Seq, seq)
		}
	}
	if got := e.seq(owner); got != seq {
		t.Fatalf("re-import moved the feed from %d to %d", seq, got)
	}

	// Staff work on the order; a later export changes its status and memo: the status and a
	// new memo note come in, the flag and the changed address stay.
	newAddr := shop.Address{Receiver: "李四", Phone: "13900000001", Province: "江苏省", City: "南京市", Detail: "中山路2号"}
	expectStatus(t, e.push(owner, mut(t, shop.KindOrderNote, id0, 0, shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagRed, Text: "客户要求周末送"}))[0], storeapi.StatusApplied)
	expectStatus(t, e.push(owner, mut(t, shop.KindOrderAddress, id0, 0, shop.AddressCheckSet{NoteID: shop.NewID(), Result: shop.AddressChanged, Address: &newAddr}))[0], storeapi.StatusApplied)
	orders2, _ := taobaoPair(t, "送小礼物，加急", "卖家已发货，等待买家确认")
	r, _ = e.upload(owner, "ExportOrderList202612.csv", orders2, false, http.StatusOK)
	if r.Changed != 1 || r.Unchanged != 2 {
		t.Fatalf("later export: %s", counts(r))
	}
	o = decodeRec[shop.Order](t, e.all(owner), "order/"+id0)
	if o.Status != shop.StatusShipped || o.Flag != shop.FlagRed || o.FlagBy != "1001" || o.Address != newAddr || o.AddressCheck != shop.AddressChanged || o.NoteCount != 4 || o.PlatformMemo != "送小礼物，加急" {
		t.Errorf("after staff work and a later export: %+v", o)
	}
}

func TestImportRefusedRowsAndDryRun(t *testing.T) {
	e := newEnv(t, "")
	owner := e.login("alpha", "1001")
	good := importtest.Generated(5)
	bad := importtest.Generated(6)
	bad.ID = "3.51531E+16"
	noStatus := importtest.Generated(7)
	noStatus.Status = "等待发货吧"
	content := gbkBytes(t, importtest.TaobaoOrderHeader+"\n"+good.Row()+"\n"+bad.Row()+"\n"+noStatus.Row()+"\n")
	seq := e.seq(owner)
	dry, _ := e.upload(owner, "orders.csv", content, true, http.StatusOK)
	if !dry.DryRun || dry.New != 1 || dry.Refused != 2 || e.seq(owner) != seq {
		t.Fatalf("dry run: %s, seq %d → %d", counts(dry), seq, e.seq(owner))
	}
	if _, ok := e.all(owner)["order/"+good.ID]; ok {
		t.Fatal("the dry run wrote the order")
	}
	real, _ := e.upload(owner, "orders.csv", content, false, http.StatusOK)
	if real.New != dry.New || real.Refused != dry.Refused || fmt.Sprint(real.Refusals) != fmt.Sprint(dry.Refusals) {
		t.Errorf("the dry run said %s %v, the import %s %v", counts(dry), dry.Refusals, counts(real), real.Refusals)
	}
	if r := real.Refusals[0]; r.Line != 3 || r.Column != "订单编号" || !strings.Contains(r.Reason, "float") {
		t.Errorf("refusal %+v", r)
	}
	if r := real.Refusals[1]; r.Line != 4 || r.Column != "订单状态" {
		t.Errorf("refusal %+v", r)
	}
	all := e.all(owner)
	if _, ok := all["order/"+noStatus.ID]; ok {
		t.Error("a refused row was written")
	}
	for k := range all {
		if strings.Contains(k, noStatus.Nick) {
			t.Errorf("a refused row left %s", k)
		}
	}
}

func TestImportAgentForbidden(t *testing.T) {
	e := newEnv(t, "")
	agent := e.login("alpha", "1002")
	seq := e.seq(agent)
	_, er := e.upload(agent, "customers.csv", []byte("会员名,姓名\nx,y\n"), false, http.StatusForbidden)
	if er.Code != storeapi.CodeForbidden || e.seq(agent) != seq {
		t.Errorf("agent import: %+v", er)
	}
}

func xlsxBytes(t testing.TB, rows [][]any) []byte {
	x := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImportEachFormat(t *testing.T) {
	var assistant bytes.Buffer
	w := importtest.UTF16(&assistant)
	io.WriteString(w, "version 1.00\ntitle\tprice\tnum\touter_id\tbarcode\tskuProps\tnum_id\n宝贝名称\t宝贝价格\t宝贝数量\t商家编码\t商品条形码\t销售属性组合\t数字ID\n"+
		"儿童裤子\t99.00\t20\tKZ-1\t\t99.00:12:KZ-1-110:1627207:28320;20509:28315;99.00:8:KZ-1-120:1627207:28320;20509:28316;\t556678\n")
	w.Close()
	files := []struct {
		name, format string
		content      []byte
		want         string // counts of the first import
		check        func(t *testing.T, all map[string]shop.Record)
	}{
		{"淘宝助理.csv", "taobao-assistant", assistant.Bytes(), "1 new, 0 changed, 0 unchanged, 0 refused", func(t *testing.T, all map[string]shop.Record) {
			if p := decodeRec[shop.Product](t, all, "product/taobao-556678"); len(p.Variants) != 2 || p.Variants[1].Listed != 8 {
				t.Errorf("assistant product %+v", p)
			}
		}},
		{"shopify-products.csv", "shopify-products", []byte("Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Qty,Variant Price,Variant Barcode\n" +
			"wool-hat,Wool hat,Color,Red,HAT-1,5,15.00,111\nwool-hat,,,Blue,HAT-2,2,15.00,\n"), "1 new, 0 changed, 0 unchanged, 0 refused", func(t *testing.T, all map[string]shop.Record) {
			if p := decodeRec[shop.Product](t, all, "product/shopify-wool-hat"); len(p.Variants) != 2 || p.Variants[1].Color != "Blue" {
				t.Errorf("shopify product %+v", p)
			}
		}},
		{"orders_export.csv", "shopify-orders", []byte("Name,Email,Financial Status,Fulfillment Status,Shipping,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping City,Shipping Phone,Notes\n" +
			"#1001,Bo@example.com,paid,,5.00,35.00,2026-11-20 11:10:00 -0500,1,Wool hat,15.00,HAT-1,Bo Li,Springfield,555-0100,gift wrap please\n#1001,,,,,,,1,Wool hat,15.00,HAT-2,,,,\n"),
			"1 new, 0 changed, 0 unchanged, 0 refused", func(t *testing.T, all map[string]shop.Record) {
				o := decodeRec[shop.Order](t, all, "order/#1001")
				if o.Nick != "bo@example.com" || o.Total != 3500 || len(o.Items) != 2 || o.Items[1].ProductID != "shopify-wool-hat" || o.BuyerMessage != "gift wrap please" {
					t.Errorf("shopify order %+v", o)
				}
			}},
		{"customers_export.csv", "shopify-customers", []byte("First Name,Last Name,Email,Phone,City,Tags,Note\nBo,Li,bo@example.com,555-0100,Springfield,vip,likes red\n"),
			"0 new, 1 changed, 0 unchanged, 0 refused", func(t *testing.T, all map[string]shop.Record) {
				o := decodeRec[shop.Order](t, all, "order/#1001")
				if c := decodeRec[shop.Customer](t, all, "customer/"+o.CustomerID); c.Name != "Bo Li" || c.Memo != "likes red" || len(c.Tags) != 1 {
					t.Errorf("shopify customer %+v", c)
				}
			}},
		{"wc-product-export.csv", "woocommerce-products", []byte("ID,Type,SKU,Name,Stock,Regular price,Sale price,Categories,Parent,Attribute 1 name,Attribute 1 value(s)\n" +
			"11,variable,TEE,T-shirt,,,,Clothes,,Size,\"S, M\"\n12,variation,TEE-S,T-shirt - S,4,19.00,15.00,,id:11,Size,S\n"), "1 new, 1 changed, 0 unchanged, 0 refused", func(t *testing.T, all map[string]shop.Record) {
			if p := decodeRec[shop.Product](t, all, "product/woocommerce-TEE"); len(p.Variants) != 1 || p.Variants[0].Price != 1500 {
				t.Errorf("woo product %+v", p)
			}
		}},
		{"库存.xlsx", "stock", xlsxBytes(t, [][]any{{"商品编码", "仓库数量", "订单占有数"}, {"p-1-120", 3, 1}, {"HAT-1", 9, 0}, {"NOPE", 1, 0}}), "0 new, 2 changed, 0 unchanged, 1 refused", func(t *testing.T, all map[string]shop.Record) {
			p := decodeRec[shop.Product](t, all, "product/p-1")
			if v, _ := p.Variant("p-1-120"); v.Warehouse != 3 || v.Reserved != 1 || v.Listed != 10 || v.Drift() != 7 {
				t.Errorf("stock %+v", v)
			}
		}},
		{"customers.csv", "customers", []byte("\ufeff会员名,姓名,手机,VIP等级,标签,备注\n小鱼儿,余小鱼,'13800000000,2,老客,爱穿蓝色\n新客人,陈,,,,\n"), "1 new, 1 changed, 0 unchanged, 0 refused", func(t *testing.T, all map[string]shop.Record) {
			if c := decodeRec[shop.Customer](t, all, "customer/u-1"); c.Name != "余小鱼" || c.VIP != 2 || c.Memo != "爱穿蓝色" {
				t.Errorf("customer %+v", c)
			}
		}},
		{"reviews.csv", "reviews", []byte("订单编号,会员名,商家编码,评分,评价内容,评价时间\n" + alphaOrder + ",小鱼儿,p-1-120,1,颜色不对,2026-11-22 09:00:00\n"), "1 new, 0 changed, 0 unchanged, 0 refused", func(t *testing.T, all map[string]shop.Record) {
			for k, r := range all {
				var rv shop.Review
				if strings.HasPrefix(k, "review/") && r.Decode(&rv) == nil && rv.Text == "颜色不对" {
					if rv.CustomerID != "u-1" || rv.ProductID != "p-1" || rv.State != shop.ReviewNew || rv.Stars != 1 {
						t.Errorf("review %+v", rv)
					}
					return
				}
			}
			t.Error("no imported review")
		}},
	}
	e := newEnv(t, "")
	owner := e.login("alpha", "1001")
	for _, f := range files {
		r, _ := e.upload(owner, f.name, f.content, false, http.StatusOK)
		if r.Format != f.format || !strings.Contains(counts(r), f.want) {
			t.Errorf("%s: %s: %s %v", f.name, r.Format, counts(r), r.Refusals)
			continue
		}
		f.check(t, e.all(owner))
		seq := e.seq(owner)
		if r, _ := e.upload(owner, f.name, f.content, false, http.StatusOK); r.New+r.Changed != 0 || e.seq(owner) != seq {
			t.Errorf("%s again: %s, seq %d → %d", f.name, counts(r), seq, e.seq(owner))
		}
	}
}

// rawRequest sends a hand-written request and returns the status line's code.
func (e *env) rawRequest(req string) int {
	e.t.Helper()
	c, err := net.Dial("tcp", e.hs.Listener.Addr().String())
	if err != nil {
		e.t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	io.WriteString(c, req)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestImportHostileInput(t *testing.T) {
	e := newEnv(t, "")
	owner := e.login("alpha", "1001")
	seq := e.seq(owner)
	head := "POST " + storeapi.PathImport + "?name=big.csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + owner + "\r\n"
	if code := e.rawRequest(head + fmt.Sprintf("Content-Length: %d\r\n\r\n会员名\n", storeapi.MaxImportBytes+1)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("over the size limit: %d", code)
	}
	if code := e.rawRequest(head + "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n"); code != http.StatusLengthRequired {
		t.Errorf("without a length: %d", code)
	}
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	part, _ := zw.Create("xl/worksheets/sheet1.xml")
	part.Write(bytes.Repeat([]byte("<row/>"), 20<<20))
	zw.Close()
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i*7 + i/13)
	}
	dir := t.TempDir()
	xlsPath := filepath.Join(dir, "old.xls")
	os.WriteFile(xlsPath, append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, garbage...), 0o600)
	xls, _ := os.ReadFile(xlsPath)
	for name, content := range map[string][]byte{
		"bomb.xlsx":   bomb.Bytes(),
		"garbage.bin": garbage,
		"old.xls":     xls,
		"empty.csv":   []byte("\n\n"),
		"unknown.csv": []byte("foo,bar\n1,2\n"),
		// A Shopify orders header over Taobao rows: its rows refuse, nothing is stored.
		"mismatch.csv": gbkBytes(t, "Name,Email,Financial Status,Lineitem quantity,Lineitem name\n"+importtest.Generated(1).Row()+"\n"),
		// Valid header, then a line far over the line limit before any record completes.
		"longline.csv": []byte("会员名,备注\n" + strings.Repeat("x", 2<<20) + "\n"),
	} {
		if name == "mismatch.csv" {
			r, _ := e.upload(owner, name, content, false, http.StatusOK)
			if r.Refused != 1 || r.New+r.Changed != 0 {
				t.Errorf("%s: %s", name, counts(r))
			}
			continue
		}
		if _, er := e.upload(owner, name, content, false, http.StatusBadRequest); er.Code != storeapi.CodeUnreadable || er.Message == "" {
			t.Errorf("%s: %+v", name, er)
		}
	}
	// An over-long cell refuses its row.
	r, _ := e.upload(owner, "long.csv", []byte("会员名,备注\nok,"+strings.Repeat("长", 20000)+"\n"), false, http.StatusOK)
	if r.Refused != 1 || r.Refusals[0].Column != "备注" || r.New != 0 {
		t.Errorf("long cell: %s %v", counts(r), r.Refusals)
	}
	if got := e.seq(owner); got != seq {
		t.Errorf("hostile input moved the feed from %d to %d", seq, got)
	}
}
