package screens

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
	"kefu/shop"
)

func TestStockFreshness(t *testing.T) {
	if err := assets.SetupLanguage(assets.Chinese); err != nil {
		t.Fatal(err)
	}
	now := testNow
	for _, c := range []struct {
		v    SyncView
		want string
		warn bool
	}{
		{SyncView{State: SyncOnline, LastSync: now.Add(-20 * time.Second)}, "库存同步于 刚刚", false},
		{SyncView{State: SyncOnline, LastSync: now.Add(-3 * time.Minute)}, "库存同步于 3 分钟前", false},
		{SyncView{State: SyncSyncing, LastSync: now.Add(-3*time.Minute - 59*time.Second)}, "库存同步于 3 分钟前", false},
		{SyncView{State: SyncOffline, LastSync: now.Add(-2 * time.Hour)}, "离线：库存最后同步于 2 小时前", true},
		{SyncView{State: SyncSignedOut, LastSync: now.Add(-50 * time.Hour)}, "离线：库存最后同步于 2 天前", true},
		{SyncView{State: SyncOffline}, "库存数尚未同步，可能已过时", true},
		{SyncView{}, "库存数尚未同步，可能已过时", true},
		{SyncView{State: SyncSyncing}, "库存数正在同步", false},
	} {
		if got, warn := stockFreshness(c.v, now); got != c.want || warn != c.warn {
			t.Errorf("stockFreshness(%+v) = %q, %v; want %q, %v", c.v, got, warn, c.want, c.warn)
		}
	}
}

// stockLineTexts renders the list's lines as the list draws them.
func stockLineTexts(s *stockSection) []string {
	var out []string
	for i := range s.lines {
		r := newStockRow().(*stockRow)
		s.updateRow(i, r)
		if s.lines[i].variant < 0 {
			out = append(out, r.name.Text+" | "+r.category.String())
		} else {
			out = append(out, strings.Join([]string{r.sku.Text, r.label.Text, r.listed.Text, r.warehouse.Text, r.reserved.Text, r.avail.Text, r.drift.Text}, " | "))
		}
	}
	return out
}

func TestStockSection(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	s := d.stock
	d.Show(SectionStock)

	// Pinyin initials: 儿童外套 and its variants with their available stock.
	test.Type(s.search, "etwt")
	if len(s.products) == 0 {
		t.Fatal("typing etwt lists nothing")
	}
	for _, p := range s.products {
		if !strings.Contains(p.Name, "儿童外套") {
			t.Errorf("etwt listed %s", p.Name)
		}
	}
	p := s.products[0]
	rows := stockLineTexts(s)
	if !strings.HasPrefix(rows[0], p.Name) || len(rows) < 1+len(p.Variants) {
		t.Fatalf("the list does not group the variants under %s: %q", p.Name, rows)
	}
	for k, v := range p.Variants {
		want := strings.Join([]string{v.SKU, v.Label(), strconv.Itoa(v.Listed), strconv.Itoa(v.Warehouse), strconv.Itoa(v.Reserved), strconv.Itoa(v.Available())}, " | ")
		if !strings.HasPrefix(rows[1+k], want) {
			t.Errorf("variant row %d = %q, want %q…", k, rows[1+k], want)
		}
	}
	if s.open == nil || s.open.ID != p.ID {
		t.Fatalf("the first match is not open: %+v", s.open)
	}
	// Full pinyin and a mix find it too.
	for _, q := range []string{"ertongwaitao", "ertongwt"} {
		s.search.SetText(q)
		if len(s.products) == 0 || !strings.Contains(s.products[0].Name, "儿童外套") {
			t.Errorf("typing %s: %d products, first %v", q, len(s.products), s.products)
		}
	}

	// A scanner types a barcode and Enter: the list lands on that variant.
	all, _ := f.db.SearchProducts("", 0)
	want := all[len(all)/2]
	wv := want.Variants[len(want.Variants)-1]
	s.search.SetText("")
	test.Type(s.search, wv.Barcode)
	s.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if s.open == nil || s.open.ID != want.ID || s.openSKU != wv.SKU {
		t.Fatalf("scanning %s opened %v / %q; want %s / %s", wv.Barcode, s.open, s.openSKU, want.ID, wv.SKU)
	}
	if l := s.exactLine(); l < 0 || s.skuOf(l) != wv.SKU {
		t.Errorf("the scanned variant's line: %d", l)
	}
	if got := joined(s.detail); !strings.Contains(got, wv.SKU) || !strings.Contains(got, strconv.Itoa(wv.Available())) {
		t.Errorf("the detail lacks the scanned variant: %s", got)
	}

	// The stock figures say how fresh they are.
	d.SetSync(SyncView{State: SyncOffline, LastSync: testNow.Add(-2 * time.Hour)})
	if got := s.fresh.String(); got != "离线：库存最后同步于 2 小时前" {
		t.Errorf("freshness: %q", got)
	}
	if !strings.Contains(joined(s.detail), "离线：库存最后同步于 2 小时前") {
		t.Errorf("the detail does not say how fresh the figures are: %s", joined(s.detail))
	}

	// Record a shelf count: a compare-and-set against the figure shown, pending while the sync
	// is off.
	if f.db.IsPending(shop.TypeProduct, want.ID) {
		t.Fatal("pending before any change")
	}
	if err := waited(func(done func(error)) { s.recordCount(want.ID, wv.SKU, wv.Warehouse, wv.Warehouse+3, "盘点", done) }); err != nil {
		t.Fatal(err)
	}
	got, _ := f.db.Product(want.ID)
	if v, _ := got.Variant(wv.SKU); v.Warehouse != wv.Warehouse+3 {
		t.Errorf("warehouse %d after counting %d", v.Warehouse, wv.Warehouse+3)
	}
	out := f.outbox()
	last := out[len(out)-1]
	var set shop.StockSet
	if last.Kind != shop.KindStockSet || last.Entity != want.ID || json.Unmarshal(last.Data, &set) != nil ||
		set != (shop.StockSet{SKU: wv.SKU, Expected: wv.Warehouse, Warehouse: wv.Warehouse + 3, Reason: "盘点"}) {
		t.Errorf("outbox: %+v %+v", last, set)
	}
	if !f.db.IsPending(shop.TypeProduct, want.ID) {
		t.Error("the count is not pending with the sync off")
	}
	if got := joined(s.detail); !strings.Contains(got, "库存修改待同步") || !strings.Contains(got, strconv.Itoa(wv.Warehouse+3)) {
		t.Errorf("the detail does not show the pending count: %s", got)
	}
	if l := s.lineOf(want.ID, ""); l < 0 || !strings.Contains(stockLineTexts(s)[l], "待同步") {
		t.Errorf("the list does not mark the product pending")
	}

	// A count against a figure that changed meanwhile is a conflict showing both figures.
	err := waited(func(done func(error)) { s.recordCount(want.ID, wv.SKU, wv.Warehouse, 1, "盘点", done) })
	var sc *stockConflict
	if !errors.As(err, &sc) || sc.Saw != wv.Warehouse || sc.Now != wv.Warehouse+3 || !errors.Is(err, errConflict) {
		t.Errorf("stale count: %v", err)
	}
	if n := len(f.outbox()); n != len(out) {
		t.Errorf("the conflicting count was recorded: %d in the outbox", n)
	}
	if both := fmt.Sprintf("你看到的是 %d，现在是 %d", wv.Warehouse, wv.Warehouse+3); !strings.Contains(stockOverlayText(f.win), both) {
		t.Errorf("the conflict does not show both figures (%s): %s", both, stockOverlayText(f.win))
	}
	stockCloseOverlays(f.win)

	// The same through the dialog: 2 counted on the shelf, against the figure shown now.
	tapButton(t, s.detail, "记录盘点数…")
	top := f.win.Canvas().Overlays().Top()
	var count *deskEntry
	var record *widget.Button
	stockWalk(top, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *deskEntry:
			if count == nil {
				count = x
			}
		case *widget.Button:
			if x.Text == "记录" {
				record = x
			}
		}
	})
	if count == nil || record == nil || count.Text != strconv.Itoa(wv.Warehouse+3) {
		t.Fatalf("the count dialog: entry %v, button %v: %s", count, record, stockOverlayText(f.win))
	}
	count.SetText("2")
	test.Tap(record)
	if got, _ := f.db.Product(want.ID); got.Variants[len(got.Variants)-1].Warehouse != 2 {
		t.Errorf("after the dialog: %+v", got.Variants[len(got.Variants)-1])
	}
	out = f.outbox()
	if json.Unmarshal(out[len(out)-1].Data, &set) != nil || set.Expected != wv.Warehouse+3 || set.Warehouse != 2 || set.Reason != "盘点" {
		t.Errorf("the dialog's count: %+v", set)
	}

	// Low-stock threshold and list.
	if err := waited(func(done func(error)) { s.setThreshold(want.ID, 9999, done) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.db.Product(want.ID); got.LowStock != 9999 {
		t.Errorf("threshold %d", got.LowStock)
	}
	s.search.SetText("")
	s.view.SetSelectedIndex(stockViewLow)
	low, _ := f.db.LowStockProducts(0)
	if len(s.products) == 0 || len(s.products) != min(len(low), productListLimit) {
		t.Errorf("low-stock list: %d, store %d", len(s.products), len(low))
	}
	found := false
	for _, p := range s.products {
		found = found || p.ID == want.ID
		if !isLow(p) {
			t.Errorf("%s listed as low: threshold %d", p.Name, p.LowStock)
		}
	}
	if !found {
		t.Error("the product with a high threshold is not on the low-stock list")
	}
	s.view.SetSelectedIndex(stockViewAll)
}

func TestStockSendCard(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	s := d.stock
	if d.chat.open == nil {
		t.Fatal("no conversation open in the chat")
	}
	conv := d.chat.open.ID
	d.Show(SectionStock)
	test.Type(s.search, "etwt")
	p := s.products[0]
	v := p.Variants[1]
	if err := s.sendCard(p, v); err != nil {
		t.Fatal(err)
	}
	out := f.outbox()
	last := out[len(out)-1]
	var send shop.ChatSend
	if last.Kind != shop.KindChatSend || last.Entity != conv || json.Unmarshal(last.Data, &send) != nil || send.Card == nil {
		t.Fatalf("outbox: %+v", last)
	}
	c := send.Card
	if c.Kind != "product" || c.ID != p.ID || c.Title != p.Name || c.URL != p.URL ||
		!strings.Contains(strings.Join(c.Lines, "\n"), v.SKU) || !strings.Contains(strings.Join(c.Lines, "\n"), v.Price.String()) ||
		!strings.Contains(strings.Join(c.Lines, "\n"), strconv.Itoa(v.Available())) {
		t.Errorf("card: %+v", c)
	}
	if !strings.Contains(joined(s.detail), "已把") {
		t.Errorf("the detail does not say the card was sent: %s", joined(s.detail))
	}
	if err := s.sendLink(p, v); err != nil {
		t.Fatal(err)
	}
	if m := f.outbox(); json.Unmarshal(m[len(m)-1].Data, &send) != nil || !strings.Contains(send.Text, p.URL) {
		t.Errorf("link: %+v", send)
	}
	d.chat.open = nil
	if err := s.sendCard(p, v); !errors.Is(err, errNoChat) {
		t.Errorf("without an open chat: %v", err)
	}
}

// stockWalk calls fn on o and everything under it, walking into widgets through their
// renderers.
func stockWalk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			stockWalk(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			stockWalk(c, fn)
		}
	}
}

// stockOverlayText is the text of the window's top overlay (a dialog).
func stockOverlayText(w fyne.Window) string {
	var out []string
	stockWalk(w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.RichText:
			out = append(out, x.String())
		}
	})
	return strings.Join(out, " ")
}

func stockCloseOverlays(w fyne.Window) {
	for w.Canvas().Overlays().Top() != nil {
		w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	}
}

// Typed searches are read in the background; the window shows the newest one's results once
// they are back, and an older search's late results never replace them.
func TestStockSearchInTheBackground(t *testing.T) {
	f := newAsyncFixture(t)
	s := f.desk.stock
	f.desk.Show(SectionStock)
	f.waitFor("the stock list", func() bool { return len(s.products) > 0 })
	test.Type(s.search, "etwt")
	f.waitFor("the products of etwt", func() bool {
		if len(s.products) == 0 || s.open == nil || !strings.Contains(s.open.Name, "儿童外套") {
			return false
		}
		for _, p := range s.products {
			if !strings.Contains(p.Name, "儿童外套") {
				return false
			}
		}
		return true
	})
	// "e", "et", "etw" were searched for on the way: their results were dropped.
	if got := s.list.loading.gen; got < 5 {
		t.Fatalf("%d list reads; want one per keystroke after the first load", got)
	}
	if !strings.Contains(s.count.String(), fmt.Sprint(len(s.products))) {
		t.Fatalf("the count line %q does not count the %d products shown", s.count.String(), len(s.products))
	}
}
