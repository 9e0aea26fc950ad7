package screens

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// pressKey delivers a shortcut as Fyne's desktop driver does (glfw window.triggersShortcut):
// to the focused widget when it takes shortcuts, else to the window's canvas and the shortcuts
// registered there.
func pressKey(c fyne.Canvas, s fyne.Shortcut) {
	if w, ok := c.Focused().(fyne.Shortcutable); ok {
		w.TypedShortcut(s)
		return
	}
	c.(fyne.Shortcutable).TypedShortcut(s)
}

// pressTab is Tab, or Shift+Tab when back, as the desktop driver handles it (capturesTab): a
// focused field that accepts tabs gets the key, otherwise the focus moves.
func pressTab(c fyne.Canvas, back bool) {
	if t, ok := c.Focused().(fyne.Tabbable); ok && t.AcceptsTab() {
		c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
		return
	}
	if back {
		c.FocusPrevious()
	} else {
		c.FocusNext()
	}
}

// typeHere types text where the focus is, as the driver does (test.TypeOnCanvas gives it to
// the canvas's own handler instead).
func typeHere(c fyne.Canvas, text string) {
	for _, r := range text {
		if w := c.Focused(); w != nil {
			w.TypedRune(r)
		} else if h := c.OnTypedRune(); h != nil {
			h(r)
		}
	}
}

// focusName names what has the focus, for messages.
func focusName(c fyne.Canvas) string {
	switch x := c.Focused().(type) {
	case nil:
		return "nothing"
	case *deskEntry:
		return "field " + x.PlaceHolder + " holding " + x.Text
	case *searchEntry:
		return "search " + x.PlaceHolder
	case *widget.Button:
		return "button " + x.Text
	default:
		return fmt.Sprintf("%T", x)
	}
}

// sectionStart is where Ctrl+1…5 put the cursor in section i: the chat's reply box while a
// conversation is open, else the section's search.
func sectionStart(d *Desk, i int) fyne.Focusable {
	if i == SectionChat && d.chat.open != nil {
		return d.chat.composer
	}
	return d.sections[i].searchEntry()
}

// Every text field of the desk passes Ctrl+1…5, Ctrl+F and Alt+Down on: the section switches
// and the cursor lands in that section's search (the reply box in the chat), while the field
// keeps its own shortcuts.
func TestDeskShortcutsFromEveryTextField(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	cv := f.win.Canvas()

	conv, order := f.shippedConversation()
	d.Show(SectionChat)
	d.chat.openConversation(conv, "")
	d.Show(SectionOrders)
	d.orders.search.SetText(order.ID)
	if d.orders.open == nil || d.orders.open.ID != order.ID {
		t.Fatalf("searching %s did not open it", order.ID)
	}
	d.Show(SectionReviews)
	d.reviews.picker.pick(0)
	if d.reviews.open == nil {
		t.Fatal("no review opened")
	}
	d.Show(SectionCustomers)
	d.Show(SectionStock)

	fields := []struct {
		name  string
		home  int
		field fyne.Focusable
	}{
		{"the order note's reason", SectionOrders, d.orders.noteReason},
		{"the order note's text", SectionOrders, d.orders.noteText},
		{"the review's follow-up note", SectionReviews, d.reviews.work.note},
		{"the review's reply", SectionReviews, d.reviews.work.reply},
		{"the chat's reply box", SectionChat, d.chat.composer},
		{"the customer panel's product lookup", SectionChat, d.chat.panel.find},
		{"the stock search", SectionStock, d.stock.search},
		{"the customers search", SectionCustomers, d.custs.search},
	}
	for _, fl := range fields {
		for k := range sectionCount {
			d.Show(fl.home)
			cv.Focus(fl.field)
			if cv.Focused() != fl.field {
				t.Fatalf("%s cannot take the focus (%s has it)", fl.name, focusName(cv))
			}
			pressKey(cv, ctrl(fyne.KeyName(string(rune('1'+k)))))
			if d.Current() != k {
				t.Errorf("Ctrl+%d in %s: the desk shows section %d", k+1, fl.name, d.Current())
			}
			if want := sectionStart(d, k); cv.Focused() != want {
				t.Errorf("Ctrl+%d in %s: the cursor is in %s", k+1, fl.name, focusName(cv))
			}
		}
		d.Show(fl.home)
		cv.Focus(fl.field)
		pressKey(cv, ctrl(fyne.KeyF))
		if d.Current() != fl.home || cv.Focused() != d.sections[fl.home].searchEntry() {
			t.Errorf("Ctrl+F in %s: section %d, the cursor in %s", fl.name, d.Current(), focusName(cv))
		}
	}

	// Alt+Down from the order note opens the longest-waiting conversation, cursor in the reply.
	d.Show(SectionOrders)
	cv.Focus(d.orders.noteText)
	pressKey(cv, jumpKey)
	if d.Current() != SectionChat || d.chat.open == nil || d.chat.open.WaitingSince.IsZero() {
		t.Fatalf("Alt+Down in the order note: section %d, open %+v", d.Current(), d.chat.open)
	}
	if cv.Focused() != d.chat.composer {
		t.Errorf("after Alt+Down the cursor is in %s", focusName(cv))
	}

	// The fields keep their own shortcuts: select all, then what is typed replaces the text.
	d.Show(SectionOrders)
	d.orders.noteReason.SetText("顾客来电")
	cv.Focus(d.orders.noteReason)
	pressKey(cv, &fyne.ShortcutSelectAll{})
	typeHere(cv, "改地址")
	if d.orders.noteReason.Text != "改地址" {
		t.Errorf("select all then typing left %q in the reason", d.orders.noteReason.Text)
	}
	pressKey(cv, &fyne.ShortcutSelectAll{})
	pressKey(cv, &fyne.ShortcutCopy{Clipboard: fyne.CurrentApp().Clipboard()})
	if got := fyne.CurrentApp().Clipboard().Content(); got != "改地址" {
		t.Errorf("Ctrl+C in the reason copied %q", got)
	}
}

// While a dialog is open the desk's shortcuts do nothing — the section behind it stays, the
// dialog and what is typed in it too — and the dialog's fields keep their own keys; once it is
// closed the cursor is back where it was and the shortcuts work again.
func TestDeskShortcutsUnderADialog(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	cv := f.win.Canvas()

	d.switchTo(SectionCustomers)
	if cv.Focused() != d.custs.search {
		t.Fatalf("Ctrl+5 put the cursor in %s", focusName(cv))
	}
	ed := d.custs.editCustomer(d.custs.customers[0])
	dlg := cv.Overlays().Top()
	if dlg == nil {
		t.Fatal("the profile editor did not open")
	}
	if cv.Focused() != ed.name {
		t.Errorf("the profile editor opened with the cursor in %s; want the name", focusName(cv))
	}
	keys := []fyne.Shortcut{jumpKey, ctrl(fyne.KeyF)}
	for k := range sectionCount {
		keys = append(keys, ctrl(fyne.KeyName(string(rune('1'+k)))))
	}
	for _, fl := range []*deskEntry{ed.name, ed.phone, ed.bday, ed.city, ed.tags, ed.sizes, ed.styles, ed.memo} {
		cv.Focus(fl)
		if cv.Focused() != fl {
			t.Fatalf("a field of the profile editor cannot take the focus (%s has it)", focusName(cv))
		}
		text := fl.Text
		for _, s := range keys {
			pressKey(cv, s)
			if d.Current() != SectionCustomers || cv.Overlays().Top() != dlg || cv.Focused() != fl || fl.Text != text {
				t.Fatalf("%s in the profile editor: section %d, dialog open %v, cursor in %s, text %q (was %q)",
					s.ShortcutName(), d.Current(), cv.Overlays().Top() == dlg, focusName(cv), fl.Text, text)
			}
		}
	}
	// A control that takes no shortcuts leaves them to the window: still nothing behind the dialog.
	cv.Focus(ed.optOut)
	pressKey(cv, ctrl(fyne.Key1))
	if d.Current() != SectionCustomers {
		t.Errorf("Ctrl+1 on the editor's check box switched the section behind the dialog to %d", d.Current())
	}
	cv.Focus(ed.name)
	pressKey(cv, &fyne.ShortcutSelectAll{})
	typeHere(cv, "王小明")
	if ed.name.Text != "王小明" {
		t.Errorf("select all then typing in the name left %q", ed.name.Text)
	}
	ed.dlg.Hide()
	if cv.Focused() != d.custs.search {
		t.Errorf("after the editor closed the cursor is in %s; want back in the search", focusName(cv))
	}
	pressKey(cv, ctrl(fyne.Key2))
	if d.Current() != SectionOrders {
		t.Errorf("after the dialog closed Ctrl+2 shows section %d", d.Current())
	}

	// The shelf count: the dialog opens with the figure selected, keys stay in the dialog, and
	// once recorded the cursor is in the stock search for the next SKU.
	s := d.stock
	d.switchTo(SectionStock)
	all, _ := f.db.SearchProducts("", 0)
	want := all[len(all)/3]
	wv := want.Variants[0]
	typeHere(cv, wv.Barcode)
	s.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if s.open == nil || s.open.ID != want.ID {
		t.Fatalf("scanning %s opened %v", wv.Barcode, s.open)
	}
	tapButton(t, s.detail, "记录盘点数…")
	count, ok := cv.Focused().(*deskEntry)
	if !ok {
		t.Fatalf("the count dialog opened with the cursor in %s", focusName(cv))
	}
	typeHere(cv, "7")
	for _, k := range keys {
		pressKey(cv, k)
	}
	if d.Current() != SectionStock || cv.Overlays().Top() == nil || cv.Focused() != count || count.Text != "7" {
		t.Fatalf("the desk's keys in the count: section %d, dialog open %v, cursor in %s, count %q",
			d.Current(), cv.Overlays().Top() != nil, focusName(cv), count.Text)
	}
	test.Tap(overlayButton(t, f.win, "记录"))
	if got, _ := f.db.Product(want.ID); got.Variants[0].Warehouse != 7 {
		t.Errorf("the count recorded %d", got.Variants[0].Warehouse)
	}
	if cv.Focused() != s.search {
		t.Errorf("after the count the cursor is in %s; want the stock search", focusName(cv))
	}
}

// After an action the cursor goes where the next step is, so that what is typed next never
// lands in an order note meant for nobody.
func TestFocusAfterActions(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	cv := f.win.Canvas()
	conv, order := f.shippedConversation()

	t.Run("a note added from the chat's customer panel: back to the reply", func(t *testing.T) {
		stockCloseOverlays(f.win)
		d.switchTo(SectionChat)
		d.chat.openConversation(conv, "")
		cv.Focus(d.chat.panel.find) // the staff member had looked up a product
		d.chat.showAddNote(order.ID)
		var text *deskEntry
		stockWalk(cv.Overlays().Top(), func(o fyne.CanvasObject) {
			if x, ok := o.(*deskEntry); ok && x.MultiLine {
				text = x
			}
		})
		if text == nil {
			t.Fatalf("the note dialog has no note field: %s", stockOverlayText(f.win))
		}
		if cv.Focused() != text {
			t.Errorf("the note dialog opened with the cursor in %s; want the note", focusName(cv))
			cv.Focus(text)
		}
		typeHere(cv, "顾客要求周六送货")
		test.Tap(overlayButton(t, f.win, "添加备注"))
		if cv.Overlays().Top() != nil {
			t.Fatal("the note dialog is still open")
		}
		if cv.Focused() != d.chat.composer {
			t.Fatalf("after adding the note the cursor is in %s; want the reply box", focusName(cv))
		}
		typeHere(cv, "好的，已备注")
		if !strings.HasSuffix(d.chat.composer.Text, "好的，已备注") {
			t.Errorf("typing after the note went elsewhere: the composer holds %q", d.chat.composer.Text)
		}
		notes, err := f.db.Notes(order.ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, n := range notes {
			found = found || n.Text == "顾客要求周六送货"
			if strings.Contains(n.Text, "好的") {
				t.Errorf("the chat's text landed in a note: %q", n.Text)
			}
		}
		if !found {
			t.Errorf("the note was not added: %+v", notes)
		}
	})

	t.Run("a message or a card sent: the reply box", func(t *testing.T) {
		stockCloseOverlays(f.win)
		c := d.chat
		c.composer.SetText("")
		cv.Focus(c.composer)
		typeHere(cv, "在的亲")
		c.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		if ob := f.outbox(); len(ob) == 0 || ob[len(ob)-1].Kind != shop.KindChatSend || c.composer.Text != "" {
			t.Fatalf("Enter did not send: composer %q", c.composer.Text)
		}
		if cv.Focused() != c.composer {
			t.Errorf("after sending the cursor is in %s", focusName(cv))
		}
		products, _ := f.db.SearchProducts("", 1)
		cv.Focus(c.panel.find)
		if err := waited(func(done func(error)) { c.sendProductCard(products[0], done) }); err != nil {
			t.Fatal(err)
		}
		if cv.Focused() != c.composer {
			t.Errorf("after sending a product card from the panel the cursor is in %s", focusName(cv))
		}
	})

	t.Run("a note added in the orders section: the form emptied, the search", func(t *testing.T) {
		stockCloseOverlays(f.win)
		o := d.orders
		d.switchTo(SectionOrders)
		cv.Focus(o.search)
		typeHere(cv, order.ID)
		if o.open == nil || o.open.ID != order.ID {
			t.Fatalf("searching %s did not open it", order.ID)
		}
		// A click on 添加备注 leaves the focus where it was in the desktop driver (the button
		// takes focus only by keyboard), which test.Tap does not: run the button as clicked.
		o.noteAdd.OnTapped()
		if cv.Focused() != o.noteText {
			t.Errorf("an empty note leaves the cursor in %s; want the note to write", focusName(cv))
		}
		cv.Focus(o.noteReason)
		typeHere(cv, "顾客来电")
		pressTab(cv, false)
		typeHere(cv, "改发顺丰")
		o.noteAdd.OnTapped()
		ob := f.outbox()
		if len(ob) == 0 {
			t.Fatal("no note recorded")
		}
		var p shop.OrderNoteAdd
		if last := ob[len(ob)-1]; last.Kind != shop.KindOrderNote || json.Unmarshal(last.Data, &p) != nil || p.Text != "改发顺丰" || p.Reason != "顾客来电" {
			t.Fatalf("the note recorded: %+v", ob[len(ob)-1])
		}
		if o.noteText.Text != "" || o.noteReason.Text != "" {
			t.Errorf("the form holds %q / %q after the note", o.noteText.Text, o.noteReason.Text)
		}
		if cv.Focused() != o.search {
			t.Fatalf("after the note the cursor is in %s; want the order search", focusName(cv))
		}
		typeHere(cv, "13800")
		if o.search.Text != "13800" || o.noteText.Text != "" {
			t.Errorf("typing after the note: search %q (the number should be replaced), note %q", o.search.Text, o.noteText.Text)
		}
	})

	t.Run("a review moved: the search", func(t *testing.T) {
		stockCloseOverlays(f.win)
		r := d.reviews
		d.switchTo(SectionReviews)
		r.picker.pick(0)
		if r.open == nil || len(shop.ReviewNext(r.open.State)) == 0 {
			t.Fatalf("the first review cannot move: %+v", r.open)
		}
		next := shop.ReviewNext(r.open.State)[0]
		cv.Focus(r.work.note)
		typeHere(cv, "已电话联系")
		r.work.moveBtns[next].OnTapped()
		if r.work.note.Text != "" || cv.Focused() != r.search {
			t.Errorf("after the move: note %q, the cursor in %s", r.work.note.Text, focusName(cv))
		}
	})
}

// Tab and Shift+Tab walk the order note form in the order it reads, out of the multi-line note
// too, and through the profile editor; the reply box lets Tab go on instead of typing a tab.
func TestTabOrderInForms(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	cv := f.win.Canvas()
	_, order := f.shippedConversation()
	o := d.orders
	d.switchTo(SectionOrders)
	typeHere(cv, order.ID)
	if o.open == nil {
		t.Fatalf("searching %s did not open it", order.ID)
	}
	cv.Focus(o.noteFlag)
	for i, want := range []fyne.Focusable{o.noteReason, o.noteText, o.noteAdd} {
		pressTab(cv, false)
		if cv.Focused() != want {
			t.Fatalf("Tab %d in the note form: the cursor is in %s", i+1, focusName(cv))
		}
	}
	for i, want := range []fyne.Focusable{o.noteText, o.noteReason, o.noteFlag} {
		pressTab(cv, true)
		if cv.Focused() != want {
			t.Fatalf("Shift+Tab %d in the note form: the cursor is in %s", i+1, focusName(cv))
		}
	}
	if strings.Contains(o.noteText.Text, "\t") {
		t.Errorf("Tab typed a tab into the note: %q", o.noteText.Text)
	}

	d.switchTo(SectionCustomers)
	ed := d.custs.editCustomer(d.custs.customers[0])
	order2 := []fyne.Focusable{ed.name, ed.phone, ed.bday, ed.city, ed.vip, ed.tags, ed.sizes, ed.styles, ed.memo, ed.optOut}
	for i := 1; i < len(order2); i++ {
		pressTab(cv, false)
		if cv.Focused() != order2[i] {
			t.Fatalf("Tab %d in the profile editor: the cursor is in %s", i, focusName(cv))
		}
	}
	pressTab(cv, true)
	if cv.Focused() != ed.memo {
		t.Errorf("Shift+Tab from the opt-out box: the cursor is in %s", focusName(cv))
	}
	ed.dlg.Hide()

	conv, _ := f.shippedConversation()
	d.switchTo(SectionChat)
	d.chat.openConversation(conv, "")
	d.chat.composer.SetText("")
	cv.Focus(d.chat.composer)
	pressTab(cv, false)
	if cv.Focused() == d.chat.composer || d.chat.composer.Text != "" {
		t.Errorf("Tab in the reply box: the cursor stays (%s), the box holds %q", focusName(cv), d.chat.composer.Text)
	}
}
