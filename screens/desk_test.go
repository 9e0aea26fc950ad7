package screens

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"kefu/localdb"
	"kefu/shop"
)

func TestSectionsSwitchByShortcutAndRail(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	if d.Current() != SectionChat {
		t.Fatalf("the desk opens on section %d; want chat", d.Current())
	}
	for i := sectionCount - 1; i >= 0; i-- {
		if !d.handleShortcut(ctrl(fyne.KeyName(string(rune('1' + i))))) {
			t.Fatalf("Ctrl+%d was not handled", i+1)
		}
		if d.Current() != i {
			t.Fatalf("after Ctrl+%d the desk shows section %d", i+1, d.Current())
		}
		for j, it := range d.rail.items {
			if it.selected != (j == i) {
				t.Errorf("section %d shown: rail item %d selected = %v", i, j, it.selected)
			}
		}
		for j, s := range d.sections {
			if s.content().Visible() != (j == i) {
				t.Errorf("section %d shown: section %d visible = %v", i, j, s.content().Visible())
			}
		}
	}
	if d.handleShortcut(ctrl(fyne.Key6)) || d.handleShortcut(ctrl(fyne.KeyG)) {
		t.Error("Ctrl+6 and Ctrl+G are not desk shortcuts but were handled")
	}

	// The rail.
	test.Tap(d.rail.items[SectionStock])
	if d.Current() != SectionStock {
		t.Fatalf("tapping the stock rail item shows section %d", d.Current())
	}

	// Through the window's canvas, as the driver delivers them when nothing has the focus.
	c := f.win.Canvas().(fyne.Shortcutable)
	c.TypedShortcut(ctrl(fyne.Key4))
	if d.Current() != SectionReviews {
		t.Fatalf("Ctrl+4 on the canvas shows section %d", d.Current())
	}

	// Ctrl+F focuses the shown section's search; a focused entry passes Ctrl+2 on.
	c.TypedShortcut(ctrl(fyne.KeyF))
	if got := f.win.Canvas().Focused(); got != d.reviews.search {
		t.Fatalf("Ctrl+F focused %T; want the reviews search", got)
	}
	d.reviews.search.TypedShortcut(ctrl(fyne.Key2))
	if d.Current() != SectionOrders {
		t.Fatalf("Ctrl+2 typed in the search shows section %d", d.Current())
	}
	d.handleShortcut(ctrl(fyne.KeyF))
	if got := f.win.Canvas().Focused(); got != d.orders.search {
		t.Fatalf("Ctrl+F focused %T; want the orders search", got)
	}

	// Every section shows real data once shown.
	lens := map[string]int{"chat": len(d.chat.convs), "orders": len(d.orders.orders), "stock": len(d.stock.products),
		"reviews": len(d.reviews.reviews), "customers": 0}
	d.Show(SectionCustomers)
	lens["customers"] = len(d.custs.customers)
	for name, n := range lens {
		if n == 0 {
			t.Errorf("the %s section lists nothing", name)
		}
	}
}

func TestSearchInEverySection(t *testing.T) {
	f := newFixture(t)
	d := f.desk

	t.Run("chat by nick", func(t *testing.T) {
		all, err := f.db.Conversations(localdb.FilterAll, "", "", 0)
		if err != nil || len(all) < 10 {
			t.Fatalf("conversations: %d, %v", len(all), err)
		}
		want := all[len(all)/2]
		d.Show(SectionChat)
		test.Type(d.chat.search, want.Nick)
		if d.chat.open == nil || d.chat.list.index(want.ID) < 0 {
			t.Fatalf("searching %q did not list conversation %s: %d results", want.Nick, want.ID, len(d.chat.convs))
		}
		for _, c := range d.chat.convs {
			if !strings.Contains(strings.ToLower(c.Nick), strings.ToLower(want.Nick)) {
				t.Errorf("searching %q listed %q", want.Nick, c.Nick)
			}
		}
		d.chat.picker.pick(d.chat.list.index(want.ID))
		if d.chat.open.ID != want.ID || d.chat.nick.Text != want.Nick {
			t.Errorf("picking %s opened %s (%q)", want.ID, d.chat.open.ID, d.chat.nick.Text)
		}
		if len(d.chat.thread.bubbles) == 0 {
			t.Error("the open conversation shows no messages")
		}
	})

	t.Run("orders by phone", func(t *testing.T) {
		orders, err := f.db.SearchOrders("", localdb.OrderFilter{}, 100)
		if err != nil || len(orders) < 50 {
			t.Fatalf("orders: %d, %v", len(orders), err)
		}
		want := orders[37]
		phone := want.Address.Phone
		d.Show(SectionOrders)
		test.Type(d.orders.search, phone)
		i := d.orders.list.index(want.ID)
		if i < 0 {
			t.Fatalf("searching phone %s did not list order %s (%d results)", phone, want.ID, len(d.orders.orders))
		}
		for _, o := range d.orders.orders {
			if !strings.HasPrefix(o.Phone, phone) {
				t.Errorf("searching phone %s listed order %s with phone %s", phone, o.ID, o.Phone)
			}
		}
		d.orders.picker.pick(i)
		if got := joined(d.orders.info); !strings.Contains(got, want.ID) || !strings.Contains(got, phone) {
			t.Errorf("order detail does not show the number and phone: %s", got)
		}
	})

	t.Run("stock by barcode and by name", func(t *testing.T) {
		products, err := f.db.SearchProducts("", 0)
		if err != nil || len(products) < 10 {
			t.Fatalf("products: %d, %v", len(products), err)
		}
		p := products[7]
		v := p.Variants[len(p.Variants)-1]
		d.Show(SectionStock)
		test.Type(d.stock.search, v.Barcode)
		if d.stock.open == nil || d.stock.open.ID != p.ID || d.stock.openSKU != v.SKU {
			t.Fatalf("scanning barcode %s opened %+v / %q; want %s / %s", v.Barcode, d.stock.open, d.stock.openSKU, p.ID, v.SKU)
		}
		if got := joined(d.stock.detail); !strings.Contains(got, v.SKU) || !strings.Contains(got, p.Name) {
			t.Errorf("stock detail lacks the SKU or name: %s", got)
		}
		d.stock.search.SetText("")
		word := []rune(p.Name)
		query := string(word[len(word)-2:]) // e.g. 毛衣
		test.Type(d.stock.search, query)
		found := false
		for _, x := range d.stock.products {
			found = found || x.ID == p.ID
			if !strings.Contains(x.Name, query) {
				t.Errorf("searching %q listed %q", query, x.Name)
			}
		}
		if !found {
			t.Errorf("searching %q did not list %q", query, p.Name)
		}
	})

	t.Run("reviews by order number and rating", func(t *testing.T) {
		reviews, err := f.db.Reviews(localdb.ReviewFilter{}, 0)
		if err != nil || len(reviews) < 10 {
			t.Fatalf("reviews: %d, %v", len(reviews), err)
		}
		want := reviews[len(reviews)-3]
		d.Show(SectionReviews)
		test.Type(d.reviews.search, want.OrderID)
		if d.reviews.list.index(want.ID) < 0 || d.reviews.open == nil || d.reviews.open.OrderID != want.OrderID {
			t.Fatalf("searching order %s did not find review %s", want.OrderID, want.ID)
		}
		d.reviews.search.SetText("")
		d.reviews.rating.SetSelectedIndex(3) // bad
		if len(d.reviews.reviews) == 0 {
			t.Fatal("the demo shop has no bad reviews listed")
		}
		for _, r := range d.reviews.reviews {
			if r.Rating() != shop.RatingBad {
				t.Errorf("the bad filter listed a %d-star review", r.Stars)
			}
		}
	})

	t.Run("customers by phone", func(t *testing.T) {
		custs, err := f.db.SearchCustomers("", 0)
		if err != nil || len(custs) < 10 {
			t.Fatalf("customers: %d, %v", len(custs), err)
		}
		var want shop.Customer
		for _, c := range custs[5:] {
			if c.Phone != "" {
				want = c
				break
			}
		}
		d.Show(SectionCustomers)
		test.Type(d.custs.search, want.Phone)
		if d.custs.open == nil || d.custs.open.ID != want.ID {
			t.Fatalf("searching phone %s opened %+v; want %s", want.Phone, d.custs.open, want.ID)
		}
		orders, err := f.db.OrdersOf(want.ID, recentOrdersLimit)
		if err != nil {
			t.Fatal(err)
		}
		got := joined(d.custs.detail)
		for _, o := range orders {
			if !strings.Contains(got, o.ID) {
				t.Errorf("the profile does not list order %s: %s", o.ID, got)
			}
		}
		if !strings.Contains(got, want.Nick) || !strings.Contains(got, want.Phone) {
			t.Errorf("the profile lacks the nick or phone: %s", got)
		}

		// A search that finds nothing empties the detail rather than leave the last customer.
		d.custs.search.SetText("")
		test.Type(d.custs.search, "没有这个人")
		if len(d.custs.customers) != 0 || d.custs.open != nil || d.custs.scroll.Visible() || !d.custs.empty.Visible() {
			t.Errorf("a search with no match: %d listed, open %v, detail visible %v", len(d.custs.customers), d.custs.open, d.custs.scroll.Visible())
		}
	})
}

func TestAddRedFlagNote(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	orders, err := f.db.SearchOrders("", localdb.OrderFilter{Status: shop.StatusPaid}, 10)
	if err != nil || len(orders) == 0 {
		t.Fatalf("paid orders: %d, %v", len(orders), err)
	}
	ord := orders[3]
	d.Show(SectionOrders)
	test.Type(d.orders.search, ord.ID)
	if d.orders.open == nil || d.orders.open.ID != ord.ID {
		t.Fatalf("searching %s did not open it", ord.ID)
	}
	before := len(f.outbox())

	// Without text nothing is recorded.
	test.Tap(d.orders.noteAdd)
	if !d.orders.noteMsg.Visible() || len(f.outbox()) != before {
		t.Fatal("an empty note was recorded or not explained")
	}

	d.orders.noteFlag.SetSelectedIndex(int(shop.FlagRed))
	test.Type(d.orders.noteReason, "顾客要求改尺码")
	test.Type(d.orders.noteText, "改发 130 码，已和顾客确认")
	test.Tap(d.orders.noteAdd)

	if d.orders.noteMsg.Visible() {
		t.Fatalf("adding the note showed %q", d.orders.noteMsg.Text)
	}
	if d.orders.noteText.Text != "" || d.orders.noteReason.Text != "" {
		t.Error("the form was not cleared after adding the note")
	}
	if len(d.orders.history.Objects) == 0 {
		t.Fatal("the history is empty after adding a note")
	}
	top := joined(d.orders.history.Objects[0])
	for _, want := range []string{"改发 130 码，已和顾客确认", "顾客要求改尺码", staffLabel("1002"), flagName(shop.FlagRed), lang.L("Pending")} {
		if !strings.Contains(top, want) {
			t.Errorf("the newest note %q lacks %q", top, want)
		}
	}
	if info := joined(d.orders.info); !strings.Contains(info, flagName(shop.FlagRed)) || !strings.Contains(info, staffLabel("1002")) {
		t.Errorf("the order's flag line does not show the red flag set by 1002: %s", info)
	}

	out := f.outbox()
	if len(out) != before+1 {
		t.Fatalf("outbox has %d mutations; want %d", len(out), before+1)
	}
	m := out[len(out)-1]
	if m.Kind != shop.KindOrderNote || m.Entity != ord.ID || m.Staff != "1002" || m.Base == 0 {
		t.Errorf("outbox holds %s on %s by %s base %d; want an order note on %s by 1002 with its base", m.Kind, m.Entity, m.Staff, m.Base, ord.ID)
	}
	if !strings.Contains(string(m.Data), `"flag":1`) || !strings.Contains(string(m.Data), "顾客要求改尺码") {
		t.Errorf("the mutation's data is %s", m.Data)
	}
	stored, err := f.db.Order(ord.ID)
	if err != nil || stored.Flag != shop.FlagRed || stored.FlagBy != "1002" {
		t.Errorf("the stored order has flag %v by %q (%v)", stored.Flag, stored.FlagBy, err)
	}
	if got := d.status.pending.Text; got != "1 待同步" {
		t.Errorf("the status bar says %q; want 1 待同步", got)
	}

	// Once the server has it, the pending mark goes.
	if err := f.db.Acknowledge([]localdb.Ack{{ID: m.ID, Status: localdb.AckApplied}}); err != nil {
		t.Fatal(err)
	}
	f.drain()
	d.Tick()
	if top := joined(d.orders.history.Objects[0]); strings.Contains(top, lang.L("Pending")) {
		t.Errorf("the note is still marked pending after the server applied it: %s", top)
	}
	if got := d.status.pending.Text; got != lang.L("All saved to the server") {
		t.Errorf("the status bar says %q after the acknowledgement", got)
	}
}

func TestSendChatWithEnter(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	waiting, err := f.db.Conversations(localdb.FilterWaiting, "", "", 0)
	if err != nil || len(waiting) == 0 {
		t.Fatalf("waiting conversations: %d, %v", len(waiting), err)
	}
	conv := waiting[0]
	d.chat.picker.pick(d.chat.list.index(conv.ID))
	if d.chat.open == nil || d.chat.open.ID != conv.ID {
		t.Fatalf("picking %s did not open it", conv.ID)
	}
	before := len(f.outbox())

	comp := d.chat.composer
	test.Type(comp, "您好，马上为您查询")
	comp.KeyDown(&fyne.KeyEvent{Name: "LeftShift"})
	comp.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	comp.KeyUp(&fyne.KeyEvent{Name: "LeftShift"})
	if comp.Text != "您好，马上为您查询\n" || len(f.outbox()) != before {
		t.Fatalf("Shift+Enter: composer %q, outbox %d → %d; want a new line and nothing sent", comp.Text, before, len(f.outbox()))
	}
	test.Type(comp, "稍等一分钟")
	comp.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})

	const text = "您好，马上为您查询\n稍等一分钟"
	if comp.Text != "" {
		t.Errorf("the composer still holds %q after sending", comp.Text)
	}
	out := f.outbox()
	if len(out) != before+1 {
		t.Fatalf("outbox has %d mutations; want %d", len(out), before+1)
	}
	m := out[len(out)-1]
	var p shop.ChatSend
	if m.Kind != shop.KindChatSend || m.Entity != conv.ID || decodeJSON(m.Data, &p) != nil || p.Text != text || p.MessageID == "" {
		t.Fatalf("outbox holds %s on %s: %s", m.Kind, m.Entity, m.Data)
	}
	bs := d.chat.thread.bubbles
	last := bs[len(bs)-1]
	if last.data.text != text || last.data.from != shop.FromStaff || !last.data.pending ||
		!strings.Contains(last.meta.Text, lang.L("Pending")) || !strings.Contains(last.meta.Text, staffLabel("1002")) {
		t.Errorf("the last bubble is %+v (meta %q); want the sent text, pending, by 1002", last.data, last.meta.Text)
	}
	if d.chat.open.Waiting(testNow) != 0 {
		t.Error("the conversation still waits after the reply")
	}

	if err := f.db.Acknowledge([]localdb.Ack{{ID: m.ID, Status: localdb.AckApplied}}); err != nil {
		t.Fatal(err)
	}
	f.drain()
	d.Tick()
	bs = d.chat.thread.bubbles
	if last := bs[len(bs)-1]; last.data.pending || strings.Contains(last.meta.Text, lang.L("Pending")) {
		t.Errorf("the message is still pending after the acknowledgement: %q", last.meta.Text)
	}
}

func TestRefreshRedrawsChangedSections(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	d.Show(SectionOrders)
	ord := *d.orders.open
	d.Show(SectionChat)

	// Another desk flagged the order; the change arrives from the server's feed.
	ord.Flag, ord.FlagBy, ord.FlagAt = shop.FlagPurple, "1003", testNow
	rec := shop.NewRecord(shop.TypeOrder, ord.ID, ord)
	cur, err := f.db.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	rec.Seq = cur + 1
	if err := f.db.ApplyChanges([]shop.Record{rec}, cur+1); err != nil {
		t.Fatal(err)
	}
	f.drain()
	if !d.dirty[SectionOrders] || d.dirty[SectionStock] {
		t.Fatalf("after an order changed: orders dirty %v, stock dirty %v", d.dirty[SectionOrders], d.dirty[SectionStock])
	}
	d.Show(SectionOrders)
	if info := joined(d.orders.info); !strings.Contains(info, flagName(shop.FlagPurple)) || !strings.Contains(info, staffLabel("1003")) {
		t.Errorf("the orders section does not show the purple flag set by 1003: %s", info)
	}
}
