package screens

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// searchFixture is the demo desk with a conversation whose searched message has 80 newer
// ones after it (so that it is not among the newest page the thread shows first) and an order
// with a note in English.
type searchFixture struct {
	*fixture
	conv, order string
}

func newSearchFixture(t *testing.T) *searchFixture {
	f := &searchFixture{fixture: newFixture(t)}
	ctx := context.Background()
	convs, err := f.dk.Conversations(ctx, desk.FilterAll, "", "", 1)
	if err != nil || len(convs) == 0 {
		t.Fatalf("the demo shop's conversations: %v %v", convs, err)
	}
	rows, err := f.dk.SearchOrderRows(ctx, "", desk.OrderFilter{}, 1)
	if err != nil || len(rows) == 0 {
		t.Fatalf("the demo shop's orders: %v %v", rows, err)
	}
	f.conv, f.order = convs[0].ID, rows[0].ID
	at := testNow.Add(-10 * time.Hour)
	var recs []shop.Record
	msg := func(id, text string) {
		at = at.Add(time.Minute)
		recs = append(recs, shop.NewRecord(shop.TypeMessage, id, shop.Message{ID: id, ConversationID: f.conv,
			From: shop.FromCustomer, Text: text, At: at}))
	}
	msg("m-search-cn", "上次说的那个发错货的事呢？订单号 T2026120755501 还没补发")
	for i := 0; i < 80; i++ {
		msg(fmt.Sprintf("m-search-later-%02d", i), fmt.Sprintf("后来的第%d条消息", i))
	}
	recs = append(recs, shop.NewRecord(shop.TypeNote, "n-search-en", shop.OrderNote{ID: "n-search-en", OrderID: f.order,
		Flag: shop.FlagBlue, Text: "Customer asked for express delivery", Staff: "1001", At: at}))
	base := int64(len(demoRecords(t)))
	for i := range recs {
		recs[i].Seq = base + int64(i) + 1
	}
	if err := f.db.ApplyChanges(recs, base+int64(len(recs))); err != nil {
		t.Fatal(err)
	}
	f.drain()
	return f
}

// search opens the search with Ctrl+Shift+F, types q and returns the dialog.
func (f *searchFixture) search(q string) *searchDialog {
	f.t.Helper()
	d := f.desk
	d.Show(SectionStock) // from anywhere
	if !d.handleShortcut(searchKey) {
		f.t.Fatal("Ctrl+Shift+F is not a desk shortcut")
	}
	f.drain()
	s := d.search
	s.query.SetText("")
	test.Type(s.query, q)
	f.drain()
	return s
}

func hitIndex(s *searchDialog, id string) int {
	for i, r := range s.rows {
		if r.hit.ID == id {
			return i
		}
	}
	return -1
}

// TestSearchOpensTheMessageScrolledToIt: a Chinese phrase and an order number inside a
// message find it; choosing the hit opens its conversation with the message in view, though
// it is older than the newest page of the thread; the snippet highlights the phrase.
func TestSearchOpensTheMessageScrolledToIt(t *testing.T) {
	f := newSearchFixture(t)
	for _, q := range []string{"发错货", "120755501"} {
		s := f.search(q)
		i := hitIndex(s, "m-search-cn")
		if i < 0 {
			t.Fatalf("%q: the message is not among %d hits (%s)", q, len(s.rows), s.status.Text)
		}
		row := newSearchRowView().(*searchRowView)
		row.set(s.rows[i], testNow)
		var marked string
		for _, seg := range row.snippet.Segments {
			if ts, ok := seg.(*widget.TextSegment); ok && ts.Style.TextStyle.Bold {
				marked += ts.Text
			}
		}
		if !strings.EqualFold(marked, q) {
			t.Errorf("%q: the snippet highlights %q", q, marked)
		}
		s.list.Select(i)
		f.drain()
		c := f.desk.chat
		if f.desk.Current() != SectionChat || c.open == nil || c.open.ID != f.conv {
			t.Fatalf("%q: section %d, conversation %v", q, f.desk.Current(), c.open)
		}
		if c.foundMessage != "m-search-cn" {
			t.Fatalf("%q: the thread did not reach the message (found %q, %d shown)", q, c.foundMessage, len(c.thread.bubbles))
		}
		th := c.thread
		bi := -1
		for j, b := range th.bubbles {
			if b.data.id == "m-search-cn" {
				bi = j
			}
		}
		top, view := th.bubbleTop(bi), th.scroll.Size().Height
		if view <= 0 || top < th.scroll.Offset.Y || top > th.scroll.Offset.Y+view {
			t.Errorf("%q: the message at %v is out of the view [%v, %v]", q, top, th.scroll.Offset.Y, th.scroll.Offset.Y+view)
		}
		if th.scroll.Offset.Y+view >= th.box.MinSize().Height-1 {
			t.Errorf("%q: the thread is at its newest message, not at the hit", q)
		}
	}
}

// TestSearchOpensTheOrderOfANote: an English word (by its prefix) finds the order note; the
// kind filter keeps it or drops it; choosing it opens the order.
func TestSearchOpensTheOrderOfANote(t *testing.T) {
	f := newSearchFixture(t)
	s := f.search("expre")
	i := hitIndex(s, "n-search-en")
	if i < 0 {
		t.Fatalf("the note is not among %d hits (%s)", len(s.rows), s.status.Text)
	}
	s.kind.SetSelectedIndex(1) // chat messages only
	f.drain()
	if hitIndex(s, "n-search-en") >= 0 {
		t.Fatal("the chat-messages filter keeps an order note")
	}
	s.kind.SetSelectedIndex(2) // order notes
	f.drain()
	if i = hitIndex(s, "n-search-en"); i < 0 {
		t.Fatal("the order-notes filter drops the note")
	}
	s.list.Select(i)
	f.drain()
	o := f.desk.orders
	if f.desk.Current() != SectionOrders || o.open == nil || o.open.ID != f.order {
		t.Fatalf("section %d, order %v; want order %s", f.desk.Current(), o.open, f.order)
	}
}
