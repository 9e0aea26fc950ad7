package screens

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kefu/localdb"
	"kefu/shop"
)

// arrive applies records to the store as the sync engine does with the server's change feed.
func (f *fixture) arrive(recs ...shop.Record) {
	f.t.Helper()
	cur, err := f.db.Cursor()
	if err != nil {
		f.t.Fatal(err)
	}
	for i := range recs {
		cur++
		recs[i].Seq = cur
	}
	if err := f.db.ApplyChanges(recs, cur); err != nil {
		f.t.Fatal(err)
	}
	f.drain()
}

// customerWrites makes the records the server writes when a customer sends text at `at`.
func (f *fixture) customerWrites(convID, text string, at time.Time) []shop.Record {
	f.t.Helper()
	n := 0
	recs, err := shop.CustomerWrites(f.db, convID, shop.NewID(), text, at, func() string { n++; return fmt.Sprintf("auto-%s-%d", convID, n) })
	if err != nil {
		f.t.Fatal(err)
	}
	return recs
}

// shippedConversation finds an answered open conversation whose discussed order (else the
// customer's latest) has shipped with a tracking number.
func (f *fixture) shippedConversation() (shop.Conversation, shop.Order) {
	f.t.Helper()
	all, err := f.db.Conversations(localdb.FilterAll, "", "", 0)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, c := range all {
		if !c.WaitingSince.IsZero() || c.OrderID != "" {
			continue
		}
		os, err := f.db.OrdersOf(c.CustomerID, 1)
		if err == nil && len(os) == 1 && os[0].Tracking != "" && os[0].Courier != "" {
			return c, os[0]
		}
	}
	f.t.Fatal("the demo shop has no answered conversation whose customer's latest order shipped")
	return shop.Conversation{}, shop.Order{}
}

// TestChatDoneWhen is the flow: a customer message arrives → the conversation goes to
// the top with its waiting time → "/" expands a phrase with placeholders filled → Enter sends
// → the message is in the outbox and shows pending → sent once sync acknowledges it.
func TestChatDoneWhen(t *testing.T) {
	f := newFixture(t)
	d, c := f.desk, f.desk.chat
	conv, order := f.shippedConversation()
	waiting, err := f.db.Conversations(localdb.FilterWaiting, "", "", 1)
	if err != nil || len(waiting) == 0 {
		t.Fatalf("waiting: %v %v", waiting, err)
	}
	if c.convs[0].ID == conv.ID {
		t.Fatal("the chosen conversation is at the top before its customer writes")
	}

	// The customer wrote while the desk was offline, before everyone now waiting; it arrives.
	at := waiting[0].WaitingSince.Add(-30 * time.Second)
	f.arrive(f.customerWrites(conv.ID, "我的快递到哪里了？", at)...)
	d.Tick()
	if c.convs[0].ID != conv.ID {
		t.Fatalf("the conversation is at %d after the customer wrote; want the top", c.list.index(conv.ID))
	}
	row := newConvRow().(*convRow)
	c.updateRow(0, row)
	wait := testNow.Sub(at)
	if got := row.when.String(); got != fmt.Sprintf(lang.L("Waiting %s"), fmtWait(wait)) {
		t.Errorf("the top row shows %q; want the wait of %s", got, fmtWait(wait))
	}
	if seg := styledSeg(row.when); wait > c.alert && seg.Style.ColorName != waitColor(wait, c.warn, c.alert) {
		t.Errorf("the wait is drawn in %s", seg.Style.ColorName)
	}
	if c.alerts == 0 || !c.notified[conv.ID].Equal(at) {
		t.Errorf("a wait of %s raised no notification (%d raised)", wait, c.alerts)
	}
	raised := c.alerts
	d.Tick()
	if c.alerts != raised {
		t.Errorf("the same wait notified again: %d → %d", raised, c.alerts)
	}
	if !strings.Contains(d.status.waiting.Text, fmt.Sprintf(lang.L("%d waited too long"), c.overdue())) || c.overdue() == 0 {
		t.Errorf("the status bar does not count the long waits: %q", d.status.waiting.Text)
	}

	// Alt+Down opens the longest wait.
	d.Show(SectionOrders)
	if !d.handleShortcut(jumpKey) || d.Current() != SectionChat || c.open == nil || c.open.ID != conv.ID {
		t.Fatalf("Alt+Down: section %d, open %v", d.Current(), c.open)
	}
	if got := threadText(c); !strings.Contains(got, "我的快递到哪里了？") {
		t.Fatalf("the thread lacks the customer's message: %s", got)
	}

	// "/" with the shortcut offers the phrase; Enter expands it with the placeholders filled.
	before := len(f.outbox())
	comp := c.composer
	test.Type(comp, "/f")
	if !c.suggest.visible() || !chatHasPhrase(c.suggest.matches, "ph-fh", "") {
		t.Fatalf("typing /f offers %+v", c.suggest.matches)
	}
	test.Type(comp, "h")
	if c.suggest.matches[0].Shortcut != "fh" {
		t.Fatalf("typing /fh offers %+v first", c.suggest.matches[0])
	}
	comp.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if c.suggest.visible() {
		t.Fatal("the suggestions stay open after picking")
	}
	phrase := ""
	ps, _ := f.db.Phrases(f.staff.Number)
	for _, p := range ps {
		if p.Shortcut == "fh" {
			phrase = p.Text
		}
	}
	want := shop.Fill(phrase, map[string]string{"order": order.ID, "courier": order.Courier, "tracking": order.Tracking})
	if comp.Text != want || len(shop.Unfilled(comp.Text)) != 0 {
		t.Fatalf("the composer holds %q; want %q", comp.Text, want)
	}
	out := f.outbox()
	if len(out) != before+1 || out[len(out)-1].Kind != shop.KindPhraseUse {
		t.Fatalf("choosing the phrase recorded %d mutations; want its use counted", len(out)-before)
	}

	// Enter sends: in the outbox, shown pending.
	comp.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if comp.Text != "" {
		t.Errorf("the composer still holds %q", comp.Text)
	}
	out = f.outbox()
	m := out[len(out)-1]
	var p shop.ChatSend
	if m.Kind != shop.KindChatSend || m.Entity != conv.ID || decodeJSON(m.Data, &p) != nil || p.Text != want {
		t.Fatalf("the outbox ends with %s on %s: %s", m.Kind, m.Entity, m.Data)
	}
	bs := c.thread.bubbles
	last := bs[len(bs)-1]
	if last.data.text != want || !last.data.pending || !strings.Contains(last.meta.Text, lang.L("Pending")) {
		t.Errorf("the last bubble is %+v; want the phrase, pending", last.data)
	}
	if c.list.index(conv.ID) == 0 && len(c.convs) > 1 && c.convs[1].Waiting(testNow) > 0 {
		t.Error("the answered conversation stays above the waiting ones")
	}

	// The server applied it: sent.
	if err := f.db.Acknowledge([]localdb.Ack{{ID: m.ID, Status: localdb.AckApplied}}); err != nil {
		t.Fatal(err)
	}
	f.drain()
	d.Tick()
	bs = c.thread.bubbles
	if last := bs[len(bs)-1]; last.data.pending || strings.Contains(last.meta.Text, lang.L("Pending")) {
		t.Errorf("still pending after the acknowledgement: %q", last.meta.Text)
	}
}

func TestPhraseQueryAndMatch(t *testing.T) {
	cases := []struct {
		text, q string
		ok      bool
	}{
		{"/fh", "fh", true}, {"好的 /运单", "运单", true}, {"好的\n/", "", true},
		{"2/3", "", false}, {"/fh 已", "", false}, {"no slash", "", false},
	}
	for _, c := range cases {
		q, _, ok := phraseQuery(c.text)
		if q != c.q || ok != c.ok {
			t.Errorf("phraseQuery(%q) = %q, %v; want %q, %v", c.text, q, ok, c.q, c.ok)
		}
	}
	ps := []shop.QuickPhrase{
		{ID: "1", Shortcut: "wl", Text: "运单{tracking}正在派送", Uses: 9},
		{ID: "2", Shortcut: "fh", Text: "已经发货", Uses: 5},
		{ID: "3", Shortcut: "fhsj", Text: "下午4点前发货", Uses: 7},
		{ID: "4", Shortcut: "hi", Text: "您好"},
	}
	ids := func(ps []shop.QuickPhrase) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.ID)
		}
		return strings.Join(s, ",")
	}
	if got := ids(matchPhrases(ps, "fh", 0)); got != "2,3" {
		t.Errorf("fh matches %s", got)
	}
	if got := ids(matchPhrases(ps, "发货", 0)); got != "2,3" {
		t.Errorf("发货 matches %s", got)
	}
	if got := ids(matchPhrases(ps, "", 2)); got != "1,2" {
		t.Errorf("an empty query offers %s; want the two most used", got)
	}
}

func chatThreadPagesInHistory(t *testing.T, f *fixture) {
	c := f.desk.chat
	conv, _ := f.shippedConversation()
	var recs []shop.Record
	start := testNow.Add(-48 * time.Hour)
	for i := range 130 {
		id := fmt.Sprintf("hist-%04d", i)
		recs = append(recs, shop.NewRecord(shop.TypeMessage, id, shop.Message{ID: id, ConversationID: conv.ID,
			From: shop.FromCustomer, Text: fmt.Sprintf("第%d条", i), At: start.Add(time.Duration(i) * time.Minute)}))
	}
	f.arrive(recs...)
	c.picker.pick(c.list.index(conv.ID))
	if len(c.thread.bubbles) != threadPageLimit {
		t.Fatalf("the thread opened with %d messages; want %d", len(c.thread.bubbles), threadPageLimit)
	}
	total, err := f.db.Messages(conv.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	newest := c.thread.bubbles[len(c.thread.bubbles)-1].data.id
	// Scrolling up to the top pages older messages in, 50 at a time, until the first.
	for range 10 {
		c.thread.scroll.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DY: 1e6}})
	}
	if len(c.thread.bubbles) != len(total) || !c.allShown {
		t.Fatalf("after scrolling up the thread holds %d of %d messages", len(c.thread.bubbles), len(total))
	}
	for i, b := range c.thread.bubbles {
		if b.data.id != total[i].ID {
			t.Fatalf("message %d is %s; want %s", i, b.data.id, total[i].ID)
		}
	}
	if c.thread.bubbles[len(c.thread.bubbles)-1].data.id != newest {
		t.Error("paging moved the newest message")
	}
	// A reload keeps the history paged in.
	c.reload()
	if len(c.thread.bubbles) != len(total) {
		t.Errorf("a reload dropped the paged-in history: %d of %d", len(c.thread.bubbles), len(total))
	}
}

func chatClaimTransferClose(t *testing.T, f *fixture) {
	c := f.desk.chat
	all, err := f.db.Conversations(localdb.FilterAll, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 2 {
		t.Fatal("the demo shop has fewer than two open conversations")
	}
	// The server says: one conversation is nobody's, a colleague holds the other.
	free, taken := all[0], all[1]
	free.Assignee, free.AssignedAt = "", time.Time{}
	taken.Assignee, taken.AssignedAt = "1003", testNow.Add(-time.Minute)
	f.arrive(shop.NewRecord(shop.TypeConversation, free.ID, free), shop.NewRecord(shop.TypeConversation, taken.ID, taken))
	f.desk.Tick()

	// A claim of a free conversation wins.
	c.picker.pick(c.list.index(free.ID))
	test.Tap(c.claimBtn)
	if got, _ := f.db.Conversation(free.ID); got.Assignee != f.staff.Number {
		t.Fatalf("after claiming, assignee %q", got.Assignee)
	}
	if !c.claimBtn.Disabled() {
		t.Error("the claim button stays enabled on one's own conversation")
	}

	// A colleague claimed the other first: the claim loses and says so.
	c.picker.pick(c.list.index(taken.ID))
	before := len(f.outbox())
	test.Tap(c.claimBtn)
	if len(f.outbox()) != before {
		t.Error("a losing claim was recorded")
	}
	if got, _ := f.db.Conversation(taken.ID); got.Assignee != taken.Assignee {
		t.Errorf("a losing claim changed the assignee to %q", got.Assignee)
	}
	if !chatOverlayShows(f.win, taken.Assignee) {
		t.Error("the losing claim was not shown with who holds the conversation")
	}
	chatCloseOverlays(f.win)

	// Transfer to 1003, then close without questions, then reopen.
	c.picker.pick(c.list.index(free.ID))
	c.transferTo(free.ID, "1003")
	if got, _ := f.db.Conversation(free.ID); got.Assignee != "1003" {
		t.Fatalf("after the transfer, assignee %q", got.Assignee)
	}
	test.Tap(c.closeBtn)
	if got, _ := f.db.Conversation(free.ID); !got.Closed {
		t.Fatal("tapping end chat did not close the conversation")
	}
	if f.win.Canvas().Overlays().Top() != nil {
		t.Error("closing asked something")
	}
	c.filter.SetSelectedIndex(3) // closed
	c.picker.pick(c.list.index(free.ID))
	test.Tap(c.closeBtn)
	if got, _ := f.db.Conversation(free.ID); got.Closed {
		t.Error("reopening did not reopen")
	}
}

// threadText is the text of the thread's bubbles, one per line.
func threadText(c *chatSection) string {
	var out []string
	for _, b := range c.thread.bubbles {
		out = append(out, b.data.meta+" "+b.data.text)
	}
	return strings.Join(out, "\n")
}

// chatOverlayShows reports whether the window's top overlay shows text containing s.
func chatOverlayShows(w fyne.Window, s string) bool {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	return strings.Contains(strings.Join(chatTexts(top), " "), s)
}

// chatTexts collects texts under o, walking into widgets through their renderers.
func chatTexts(o fyne.CanvasObject) []string {
	out := texts(o)
	if w, ok := o.(fyne.Widget); ok {
		for _, c := range test.WidgetRenderer(w).Objects() {
			out = append(out, chatTexts(c)...)
		}
	}
	if c, ok := o.(*fyne.Container); ok {
		for _, x := range c.Objects {
			if _, isW := x.(fyne.Widget); isW {
				out = append(out, chatTexts(x)...)
			}
		}
	}
	return out
}

func chatCloseOverlays(w fyne.Window) {
	for w.Canvas().Overlays().Top() != nil {
		w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	}
}

func chatCustomerPanelCardsAndNote(t *testing.T, f *fixture) {
	c := f.desk.chat
	conv, order := f.shippedConversation()
	c.picker.pick(c.list.index(conv.ID))
	cu, err := f.db.Customer(conv.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	panel := strings.Join(chatTexts(c.panel.detail), " | ")
	for _, want := range []string{cu.Nick, order.ID, statusName(order.Status), order.Tracking} {
		if !strings.Contains(panel, want) {
			t.Errorf("the panel lacks %q: %s", want, panel)
		}
	}

	// A product looked up shows its variants with real stock, and goes out as a card.
	prods, _ := f.db.SearchProducts("", 1)
	pr := prods[0]
	test.Type(c.panel.find, pr.Name)
	if len(c.panel.found.Objects) == 0 {
		t.Fatalf("looking up %q found nothing", pr.Name)
	}
	test.Tap(c.panel.found.Objects[0].(*chatTapRow))
	prodText := strings.Join(chatTexts(c.panel.prod), " | ")
	v := pr.Variants[0]
	if !strings.Contains(prodText, v.Label()) || !strings.Contains(prodText, fmt.Sprintf(lang.L("%d available · %d listed"), v.Available(), v.Listed)) {
		t.Errorf("the product lacks variant %s with its stock: %s", v.Label(), prodText)
	}
	before := len(f.outbox())
	if err := waited(func(done func(error)) { c.sendProductCard(pr, done) }); err != nil {
		t.Fatal(err)
	}
	var p shop.ChatSend
	out := f.outbox()
	if len(out) != before+1 || decodeJSON(out[len(out)-1].Data, &p) != nil || p.Card == nil || p.Card.Kind != "product" || p.Card.ID != pr.ID {
		t.Fatalf("the product card was not sent: %s", out[len(out)-1].Data)
	}
	if err := waited(func(done func(error)) { c.sendOrderCard(order, done) }); err != nil {
		t.Fatal(err)
	}
	out = f.outbox()
	if decodeJSON(out[len(out)-1].Data, &p) != nil || p.Card == nil || p.Card.Kind != "order" || p.Card.ID != order.ID {
		t.Fatalf("the order card was not sent: %s", out[len(out)-1].Data)
	}
	if got := threadText(c); !strings.Contains(got, pr.Name) || !strings.Contains(got, order.ID) {
		t.Errorf("the cards are not in the thread: %s", got)
	}

	// A note added from the panel shows as the order's latest, pending.
	if err := waited(func(done func(error)) {
		c.addNote(order.ID, shop.FlagYellow, "顾客催物流，已联系快递", done)
	}); err != nil {
		t.Fatal(err)
	}
	panel = strings.Join(chatTexts(c.panel.orders), " | ")
	if !strings.Contains(panel, "顾客催物流，已联系快递") || !strings.Contains(panel, lang.L("Pending")) {
		t.Errorf("the new note is not in the panel: %s", panel)
	}
	if o, _ := f.db.Order(order.ID); o.Flag != shop.FlagYellow {
		t.Errorf("the order's flag is %v", o.Flag)
	}
}

func chatQRCodeOfChatLink(t *testing.T, f *fixture) {
	c := f.desk.chat
	s, err := f.db.Shop()
	if err != nil {
		t.Fatal(err)
	}
	c.serverURL = "http://127.0.0.1:8700/"
	want := s.ChatURL
	if want == "" {
		want = "http://127.0.0.1:8700/c/" + s.ID + "/"
	}
	if got := c.chatLink(""); got != want {
		t.Errorf("chat link %q; want %q", got, want)
	}
	if got := c.chatLink("p-1"); got != want+"?product=p-1" {
		t.Errorf("product link %q", got)
	}
	png, err := qrPNG(c.chatLink("p-1"))
	if err != nil || len(png) < 100 || string(png[1:4]) != "PNG" {
		t.Fatalf("QR code: %d bytes, %v", len(png), err)
	}
	if _, err := qrPNG(""); err == nil {
		t.Error("a QR code of no link was made")
	}
	c.showQR("p-1")
	if !chatOverlayShows(f.win, want+"?product=p-1") {
		t.Error("the QR dialog does not show the link")
	}
	chatCloseOverlays(f.win)
	c.copyText(c.chatLink(""))
	if got := fyne.CurrentApp().Clipboard().Content(); got != want {
		t.Errorf("the clipboard holds %q", got)
	}
}

func chatPhraseManager(t *testing.T, f *fixture) {
	c := f.desk.chat
	m := newPhraseManager(c)
	n := len(m.phrases)
	test.Type(m.shortcut, "/dh")
	test.Type(m.text, "亲，{nick}，您的订单{order}我们今天发出～")
	m.personal.SetChecked(true)
	if err := waited(func(done func(error)) { m.save(done) }); err != nil {
		t.Fatal(err)
	}
	if len(m.phrases) != n+1 || m.sel < 0 || m.phrases[m.sel].Shortcut != "dh" || m.phrases[m.sel].Owner != f.staff.Number {
		t.Fatalf("after saving: %d phrases, selected %d", len(m.phrases), m.sel)
	}
	id := m.phrases[m.sel].ID
	// Sort: move it to the top.
	for m.sel > 0 {
		if err := waited(func(done func(error)) { m.move(-1, done) }); err != nil {
			t.Fatal(err)
		}
	}
	if m.phrases[0].ID != id {
		t.Fatalf("moving up left %s first", m.phrases[0].ID)
	}
	// Edit, then delete.
	m.edit(0)
	m.text.SetText("亲，订单{order}今天发出～")
	if err := waited(func(done func(error)) { m.save(done) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.db.Phrases(f.staff.Number); !chatHasPhrase(got, id, "亲，订单{order}今天发出～") {
		t.Fatal("the edit was not stored")
	}
	m.edit(0)
	if err := waited(func(done func(error)) { m.remove(done) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.db.Phrases(f.staff.Number); chatHasPhrase(got, id, "") || len(got) != n {
		t.Fatalf("after deleting: %d phrases", len(got))
	}
}

func chatHasPhrase(ps []shop.QuickPhrase, id, text string) bool {
	for _, p := range ps {
		if p.ID == id && (text == "" || p.Text == text) {
			return true
		}
	}
	return false
}

func chatAutoReplyEditor(t *testing.T, f *fixture) {
	c := f.desk.chat
	e := newAutoReplyEditor(c)

	// Five lines are refused as typed, with the preview showing them.
	e.greeting.SetText("第一行\n第二行\n第三行\n第四行\n第五行")
	if !e.save.Disabled() || e.lines.Importance != widget.DangerImportance {
		t.Error("a five-line greeting can be saved")
	}
	if !strings.Contains(e.preview.data.text, "第五行") {
		t.Errorf("the preview shows %q", e.preview.data.text)
	}
	if _, err := e.rulesFromForm(); err == nil {
		t.Error("rulesFromForm took five lines")
	}
	// Four lines, Monday to Friday 09:00–18:00 only, one keyword.
	e.greeting.SetText("您好，欢迎光临！\n默认中通快递\n全店满199减30\n有问题随时问我～")
	if e.save.Disabled() {
		t.Fatal("a four-line greeting cannot be saved")
	}
	for d := range 7 {
		e.open[d].SetText("")
		e.close[d].SetText("")
		if d >= 1 && d <= 5 {
			e.open[d].SetText("09:00")
			e.close[d].SetText("18:00")
		}
	}
	e.offHours.SetText("下班啦，明早9点回复您～")
	for len(e.kwRows) > 0 {
		e.keywords.Remove(e.kwRows[0].row)
		e.kwRows = e.kwRows[1:]
	}
	e.addKeyword("尺码", "身高加10厘米选码")
	if err := waited(func(done func(error)) { e.submit(done) }); err != nil {
		t.Fatal(err)
	}
	got, ok, err := f.db.AutoReplies()
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if got.Greeting != e.greeting.Text || got.Hours[time.Saturday] != (shop.BusinessHours{}) ||
		got.Hours[time.Monday] != (shop.BusinessHours{Open: 540, Close: 1080}) || len(got.Keywords) != 1 {
		t.Fatalf("stored %+v", got)
	}
	// What the server will answer with these rules.
	sat := time.Date(2026, 5, 16, 10, 0, 0, 0, shop.ShopZone)
	if r := got.Replies(false, "尺码怎么选", sat); len(r) != 2 || r[0] != "下班啦，明早9点回复您～" || r[1] != "身高加10厘米选码" {
		t.Errorf("Saturday replies %q", r)
	}
	// A bad hour is refused with the day named.
	e.open[1].SetText("25:00")
	if err := waited(func(done func(error)) { e.submit(done) }); err == nil || !strings.Contains(err.Error(), chatWeekday(time.Monday)) {
		t.Errorf("a bad hour: %v", err)
	}
}

func chatSettings(t *testing.T, f *fixture) {
	c := f.desk.chat
	if c.warn != defaultWarnAfter || c.alert != defaultAlertAfter {
		t.Fatalf("thresholds %v/%v", c.warn, c.alert)
	}
	if err := c.saveSettings("30", "20", ""); err == nil {
		t.Error("red before yellow was taken")
	}
	if err := c.saveSettings("30", "90", "客服李娜｜满199减30"); err != nil {
		t.Fatal(err)
	}
	if w, a := loadWaitThresholds(fyne.CurrentApp()); w != 30*time.Second || a != 90*time.Second {
		t.Errorf("stored thresholds %v/%v", w, a)
	}
	if c.signature() != "客服李娜｜满199减30" {
		t.Errorf("signature %q", c.signature())
	}
	f.desk.Tick()
	if f.desk.status.alert != 90*time.Second {
		t.Errorf("the status bar uses %v", f.desk.status.alert)
	}
}

// TestChatTools runs the chat's tools on one desk (a demo desk per test would make the suite
// slow): history paging, the customer panel with cards and notes, the QR code, the phrase
// manager, the auto-reply editor, assignment, and last the settings.
func TestChatTools(t *testing.T) {
	f := newFixture(t)
	for _, st := range []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"history pages in", chatThreadPagesInHistory},
		{"customer panel, cards and notes", chatCustomerPanelCardsAndNote},
		{"QR code of the chat link", chatQRCodeOfChatLink},
		{"phrase manager", chatPhraseManager},
		{"auto-reply editor", chatAutoReplyEditor},
		{"claim, transfer, close", chatClaimTransferClose},
		{"settings", chatSettings},
	} {
		f.t = t
		if !t.Run(st.name, func(t *testing.T) { f.t = t; st.fn(t, f) }) {
			break
		}
	}
}

// A conversation opened from elsewhere (a review's buyer) while the chat list is filtered
// away from it stays open once the list, read again in the background without the filter,
// comes back; the draft stays in the composer.
func TestOpenWithDraftInTheBackground(t *testing.T) {
	f := newAsyncFixture(t)
	c := f.desk.chat
	f.waitFor("the conversations", func() bool { return len(c.convs) > 0 })
	want := c.convs[len(c.convs)-1]
	c.filter.SetSelectedIndex(3) // closed ones only
	f.waitFor("the closed conversations", func() bool { return c.list.index(want.ID) < 0 })
	f.desk.showChat(want.ID, "草稿")
	f.waitFor("the conversation open with the list back", func() bool {
		return c.open != nil && c.open.ID == want.ID && c.list.index(want.ID) >= 0 && c.filter.SelectedIndex() == 0
	})
	f.waitFor("nothing left to draw", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.queued) == 0
	})
	if c.open.ID != want.ID || c.composer.Text != "草稿" {
		t.Fatalf("open %s with %q in the composer; want %s with the draft", c.open.ID, c.composer.Text, want.ID)
	}
}
