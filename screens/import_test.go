package screens

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/crypto/bcrypt"

	"kefu/assets"
	"kefu/desk"
	"kefu/imports/importtest"
	"kefu/internal/testkit"
	"kefu/localdb"
	"kefu/server"
	"kefu/shop"
)

// The import tests' shop on a loopback kefu-store: an owner and an agent, nothing else.
const (
	importShop     = "imp"
	importPassword = "secret-pw"
)

// newImportFixture starts a kefu-store on a loopback port with an empty shop, signs staff
// member number in (1001 is the owner, 1002 an agent) on a desk whose sync engine runs, and
// shows that desk in a test window.
func newImportFixture(t *testing.T, number string) (*fixture, *httptest.Server) {
	t.Helper()
	if err := assets.SetupLanguage(assets.Chinese); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Params{PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ctx := context.Background()
	if _, err := srv.ImportShop(ctx, server.ShopAccount{ID: importShop}, func(func(shop.Record) error) error { return nil }, []server.StaffLogin{
		{Staff: shop.Staff{Number: "1001", Name: "王店主", Role: shop.RoleOwner}, Password: importPassword},
		{Staff: shop.Staff{Number: "1002", Name: "李客服", Role: shop.RoleAgent}, Password: importPassword},
	}); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.CloseClientConnections(); hs.Close() })

	a := test.NewTempApp(t)
	a.Settings().SetTheme(assets.Theme())
	f := &fixture{t: t, clock: testkit.NewClock(testNow)}
	f.db, err = localdb.Open(localdb.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	f.dk, err = desk.Open(desk.Params{Store: f.db, Server: hs.URL, Clock: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.dk.Close)
	s, err := f.dk.SignInDemo(ctx, importShop, number, importPassword)
	if err != nil {
		t.Fatal(err)
	}
	f.staff = s.Staff
	if _, err := f.dk.Start(s, nil); err != nil {
		t.Fatal(err)
	}
	f.win = test.NewTempWindow(t, nil)
	f.desk = NewDesk(Params{Data: f.dk, Staff: f.staff, Window: f.win, App: a,
		Now: func() time.Time { return testNow }, ManualTick: true, Threads: Threads{Go: f.goWait, Do: f.queue}})
	f.win.SetContent(f.desk.Content())
	f.win.Resize(fyne.NewSize(1280, 780))
	cancel := f.dk.Subscribe(func(c desk.Change) { f.queue(func() { f.desk.Refresh(c.Types) }) })
	t.Cleanup(cancel)
	t.Cleanup(f.desk.Close)
	f.drain()
	return f, hs
}

// writeTaobaoOrders writes a made-up Taobao order report (GBK, as the seller center exports
// it) of generated orders i.
func writeTaobaoOrders(t *testing.T, path string, is ...int) {
	t.Helper()
	var b bytes.Buffer
	w := importtest.GBK(&b)
	fmt.Fprintln(w, importtest.TaobaoOrderHeader)
	for _, i := range is {
		fmt.Fprintln(w, importtest.Generated(i).Row())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeCustomers writes Kefu's customers template, its example row kept, with one good
// customer more and one whose birthday is no date.
func writeCustomers(t *testing.T, path string) {
	t.Helper()
	var b bytes.Buffer
	if err := desk.WriteImportTemplate(&b, "customers", false); err != nil {
		t.Fatal(err)
	}
	b.WriteString("tb_dabai,白大,13900000002,苏州,03-08,1,,,,\r\n")
	b.WriteString("tb_bad,错生日,13900000003,上海,13-45,0,,,,\r\n")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestImportDialog adds a Taobao order report and a customers template with one bad row
// through the dialog, checks the dry runs, imports, saves the refused rows and a template,
// sees the imported orders' buyer message and seller memo in the Orders section, and then,
// with the server gone, is told that importing needs it.
func TestImportDialog(t *testing.T) {
	f, hs := newImportFixture(t, "1001")
	d := f.desk.imports
	if d == nil || d.item == nil {
		t.Fatal("the owner has no Import entry")
	}
	dir := t.TempDir()
	orders, customers := filepath.Join(dir, "ExportOrderList.csv"), filepath.Join(dir, "客户.csv")
	writeTaobaoOrders(t, orders, 1, 7, 10)
	writeCustomers(t, customers)
	saved := map[string]string{}
	d.save = func(name string, done func(io.WriteCloser, string)) {
		p := filepath.Join(dir, "out-"+name)
		w, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		saved[name] = p
		done(w, p)
	}

	test.Tap(d.item)
	if f.win.Canvas().Overlays().Top() == nil {
		t.Fatal("tapping Import opened no dialog")
	}
	for _, p := range []string{orders, customers} {
		d.open = func(done func(string)) { done(p) }
		test.Tap(d.add)
	}
	if len(d.files) != 2 {
		t.Fatalf("files in the dialog: %d, want 2", len(d.files))
	}
	o, c := d.files[0], d.files[1]
	if o.err != nil || c.err != nil {
		t.Fatalf("dry runs failed: %v; %v", o.err, c.err)
	}
	if o.dry.Format != "taobao-orders" || o.dry.Encoding != "GB18030" || !o.dry.DryRun || o.dry.Rows != 3 || o.dry.New != 3 || o.dry.Refused != 0 {
		t.Errorf("the order report's dry run: %+v", o.dry)
	}
	if c.dry.Format != "customers" || c.dry.Rows != 3 || c.dry.New != 2 || c.dry.Refused != 1 || len(c.dry.Refusals) != 1 || c.dry.Refusals[0].Line != 4 {
		t.Errorf("the customers' dry run: %+v", c.dry)
	}
	shown := joined(d.list)
	if len(o.dry.Header) == 0 || o.dry.Header[0] != "订单编号" || len(o.dry.Preview) != 3 || o.dry.Preview[1][1] != importtest.Generated(7).Nick {
		t.Errorf("the order report's first rows: %q %q", o.dry.Header, o.dry.Preview)
	}
	for _, want := range []string{o.dry.Label, "GB18030", "订单编号", importtest.Generated(7).Nick,
		fmt.Sprintf(lang.X("import.counts_dry", ""), 3, 0, 2, 0, 1)[:len("试导入：3 行")],
		fmt.Sprintf(lang.X("import.refusal", ""), 4, c.dry.Refusals[0].Column, c.dry.Refusals[0].Reason)} {
		if !strings.Contains(shown, want) {
			t.Errorf("the dialog does not show %q: %s", want, shown)
		}
	}
	// A dry run writes nothing.
	if _, found, _ := f.dk.Get(context.Background(), shop.TypeOrder, importtest.Generated(1).ID, &shop.Order{}); found {
		t.Error("the dry run wrote an order")
	}
	if want := fmt.Sprintf(lang.X("import.run", ""), 5); d.run.Text != want || d.run.Disabled() {
		t.Fatalf("import button %q (disabled %v), want %q", d.run.Text, d.run.Disabled(), want)
	}

	test.Tap(d.run)
	if o.done == nil || c.done == nil {
		t.Fatalf("not imported: %v; %v; %s", o.err, c.err, d.msg.full)
	}
	if o.done.DryRun || o.done.New != 3 || c.done.New != 2 || c.done.Refused != 1 {
		t.Errorf("imported: %+v; %+v", *o.done, *c.done)
	}
	if want := fmt.Sprintf(lang.X("import.summary", ""), 2, 2, 6, 5, 0, 0, 1); d.msg.full != want {
		t.Errorf("summary %q, want %q", d.msg.full, want)
	}
	if d.progress.Value != 1 || !d.run.Disabled() {
		t.Errorf("after the import: progress %v, import button disabled %v", d.progress.Value, d.run.Disabled())
	}

	// The refused rows, saved as a CSV for Excel with the reason first.
	save := findButton(d.list, lang.X("import.save_refused", ""))
	if save == nil {
		t.Fatalf("no button to save the refused rows: %s", joined(d.list))
	}
	test.Tap(save)
	b, err := os.ReadFile(saved["客户-refused.csv"])
	if err != nil {
		t.Fatalf("refused rows not saved (%v): %s", err, d.msg.full)
	}
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Errorf("the refused rows have no BOM: %q", b)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][0] != "错误 / error" || rows[1][1] != "tb_bad" || !strings.Contains(rows[1][0], c.dry.Refusals[0].Reason) {
		t.Errorf("refused rows file: %q", rows)
	}
	d.saveTemplate("stock", false)
	if b, err := os.ReadFile(saved["kefu-stock-template.csv"]); err != nil || !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Errorf("stock template (%v): %q", err, b)
	}

	// The imported orders reach the desk: the buyer's message, and the seller memo as the
	// platform's note.
	withMessage, withMemo := importtest.Generated(7), importtest.Generated(10)
	f.waitFor("the imported orders on the desk", func() bool {
		_, found, _ := f.dk.Get(context.Background(), shop.TypeOrder, withMemo.ID, &shop.Order{})
		_, found2, _ := f.dk.Get(context.Background(), shop.TypeOrder, withMessage.ID, &shop.Order{})
		return found && found2
	})
	f.desk.showOrder(withMessage.ID)
	f.waitFor("the order with the buyer's message", func() bool {
		return strings.Contains(joined(f.desk.orders.info), fmt.Sprintf(lang.X("import.buyer_message", ""), withMessage.Message))
	})
	f.desk.showOrder(withMemo.ID)
	memoBy := fmt.Sprintf(lang.X("import.seller_memo", ""), "淘宝")
	f.waitFor("the platform's seller memo", func() bool {
		h := joined(f.desk.orders.history)
		return strings.Contains(h, withMemo.Memo) && strings.Contains(h, memoBy)
	})
	if h := joined(f.desk.orders.history); strings.Contains(h, "platform seller memo") {
		t.Errorf("the memo note shows the server's reason: %s", h)
	}
	if h := joined(f.desk.orders.history); strings.Contains(h, strings.TrimSpace(fmt.Sprintf(lang.L("No. %s"), ""))) || !strings.Contains(memoBy, "淘宝 卖家备注") {
		t.Errorf("the memo note: %s (by %q)", h, memoBy)
	}

	// The server gone, a file added is not kept, and the dialog says why.
	hs.Listener.Close()
	hs.CloseClientConnections()
	more := filepath.Join(dir, "more.csv")
	writeTaobaoOrders(t, more, 20)
	d.open = func(done func(string)) { done(more) }
	test.Tap(d.add)
	if !strings.Contains(d.msg.full, needsServerText()) {
		t.Errorf("offline: %q, want the needs-the-server message", d.msg.full)
	}
	for _, x := range d.files {
		if x.path == more {
			t.Error("offline, the dialog kept the file it could not check")
		}
	}
}

// TestImportOnlyForOwnersAndManagers: an agent's desk has no Import entry, and an owner's
// desk that is not connected says that importing needs the server.
func TestImportOnlyForOwnersAndManagers(t *testing.T) {
	agent, _ := newImportFixture(t, "1002")
	if agent.desk.imports != nil {
		t.Error("an agent sees the Import entry")
	}
	if strings.Contains(joined(agent.desk.Content()), lang.X("import.rail", "")) {
		t.Errorf("the agent's window shows %q", lang.X("import.rail", ""))
	}

	f := newFixture(t)
	f.staff.Role = shop.RoleOwner
	a := test.NewTempApp(t)
	owner := NewDesk(Params{Data: f.dk, Staff: f.staff, Window: f.win, App: a, Now: func() time.Time { return testNow },
		ManualTick: true, Threads: Threads{Go: f.goWait, Do: f.queue}})
	t.Cleanup(owner.Close)
	f.win.SetContent(owner.Content())
	if owner.imports == nil {
		t.Fatal("an owner has no Import entry")
	}
	test.Tap(owner.imports.item)
	top := f.win.Canvas().Overlays().Top()
	if top == nil || !strings.Contains(strings.Join(allTexts(top), " "), needsServerText()) {
		t.Errorf("offline, the Import entry does not say it needs the server")
	}
}

// allTexts collects the text under o, through widgets' renderers too (a dialog's message).
func allTexts(o fyne.CanvasObject) []string {
	var out []string
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, allTexts(c)...)
		}
		return out
	case *widget.Label, *wrapLabel, *widget.RichText, *canvas.Text:
		return texts(o)
	}
	if w, ok := o.(fyne.Widget); ok {
		for _, c := range test.WidgetRenderer(w).Objects() {
			out = append(out, allTexts(c)...)
		}
	}
	return out
}

// TestChatPanelShowsBuyerMessageAndPlatformMemo: the chat's customer panel shows an imported
// order's buyer message, and its seller memo as the platform's, not a staff number's.
func TestChatPanelShowsBuyerMessageAndPlatformMemo(t *testing.T) {
	f := newFixture(t)
	o := shop.Order{ID: "35153131473293586", Status: shop.StatusPaid, Source: "taobao", BuyerMessage: "请尽快发货，谢谢", CreatedAt: testNow}
	memo := shop.OrderNote{ID: "n1", OrderID: o.ID, Text: "备注：送小礼物", Reason: "platform seller memo", Source: "taobao", At: testNow, System: true}
	row := joined(f.desk.chat.panel.orderRow(o, []shop.OrderNote{memo}))
	for _, want := range []string{"买家留言：请尽快发货，谢谢", "备注：送小礼物", "淘宝 卖家备注"} {
		if !strings.Contains(row, want) {
			t.Errorf("the panel's order row does not show %q: %s", want, row)
		}
	}
	if no := strings.TrimSpace(fmt.Sprintf(lang.L("No. %s"), "")); strings.Contains(row, no) {
		t.Errorf("the platform's memo is shown as a staff member's (%q): %s", no, row)
	}
}
