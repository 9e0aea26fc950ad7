package screens

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
	"kefu/localdb"
	"kefu/shop"
)

// panelConversations is how many of the demo shop's conversations whose customers have
// orders the panel test opens, besides the first conversation of the list.
const panelConversations = 8

// TestChatPanelFitsNarrowWindows lays the desk out headless at the window a 1280×720 and a
// 1366×768 screen leave, in Chinese and English, and opens conversations in the chat: the
// right panel gets the width the desk gives it there, and in it the consulted product's name
// is whole (wrapped), the "Send card" and "QR" buttons sit the theme's padding below the
// name and inside the panel, no variant's name, price or stock figures is cut or drawn over
// another, and nothing else of the panel (customer card, orders, cases, reviews) is drawn past
// its box or over its neighbour.
func TestChatPanelFitsNarrowWindows(t *testing.T) {
	for _, c := range []struct {
		code          string
		width, height float32
	}{
		{assets.Chinese, 1280, 720}, {assets.English, 1280, 720},
		{assets.Chinese, 1366, 768}, {assets.English, 1366, 768},
	} {
		t.Run(fmt.Sprintf("%s-%gx%g", c.code, c.width, c.height), func(t *testing.T) {
			f, room := smallScreenFixture(t, c.code, c.width, c.height)
			d := f.desk
			d.Show(SectionChat)
			f.drain()
			p := d.chat.panel
			products := 0
			for _, conv := range panelTestConversations(t, f) {
				d.chat.openConversation(conv, "")
				f.drain()
				settlePanel(d.chat)
				where := fmt.Sprintf("conversation of %s", conv.Nick)
				if w, view := p.detail.Size().Width, p.scroll.Size().Width; w > view+0.5 {
					t.Errorf("%s: the panel's content is %.0f wide in a panel %.0f wide: its right part is hidden", where, w, view)
				}
				if w := p.box.Size().Width; w < 200 || w > room.Width/2 {
					t.Fatalf("%s: the panel is %.0f wide in a %.0f wide window", where, w, room.Width)
				}
				if checkPanelProduct(t, where, p) {
					products++
				}
				checkPanelBoxes(t, where, p.detail)
				checkWhole(t, where, p.profile)
			}
			if products == 0 {
				t.Error("no opened conversation showed a product in the panel")
			}
		})
	}
}

// panelTestConversations is the first conversation of the demo shop and some whose customers
// have orders (so that order rows, cases and reviews show in the panel).
func panelTestConversations(t *testing.T, f *fixture) []shop.Conversation {
	t.Helper()
	all, err := f.db.Conversations(localdb.FilterAll, "", "", 0)
	if err != nil || len(all) == 0 {
		t.Fatalf("the demo shop's conversations: %d, %v", len(all), err)
	}
	out := []shop.Conversation{all[0]}
	for _, c := range all[1:] {
		if len(out) > panelConversations {
			break
		}
		if os, err := f.db.OrdersOf(c.CustomerID, 1); err == nil && len(os) > 0 {
			out = append(out, c)
		}
	}
	if len(out) == 1 {
		t.Fatal("no conversation of the demo shop is with a customer who has orders")
	}
	return out
}

// settlePanel lays the chat out again, as the window does on its next frames once texts have
// wrapped and rows chose their lines at the width they were given.
func settlePanel(c *chatSection) {
	for i := 0; i < 2; i++ {
		c.box.Refresh()
		c.panel.scroll.Refresh()
		c.panel.detail.Refresh()
	}
}

// checkPanelProduct checks the product part of the panel, if a product shows: the name whole
// and above the buttons by the theme's padding, the buttons inside the panel, the variant rows
// whole. It reports whether a product showed.
func checkPanelProduct(t *testing.T, where string, p *customerPanel) bool {
	t.Helper()
	var name *wrapLabel
	for _, o := range shownObjects(p.prod) {
		if l, ok := o.(*wrapLabel); ok {
			name = l
			break
		}
	}
	if name == nil {
		return false
	}
	drv := fyne.CurrentApp().Driver()
	panelPos := drv.AbsolutePositionForObject(p.box)
	namePos := drv.AbsolutePositionForObject(name)
	if name.Size().Height+0.5 < name.MinSize().Height {
		t.Errorf("%s: the product name %q gets %.0f of the %.0f high it needs", where, name.full, name.Size().Height, name.MinSize().Height)
	}
	if got, want := strings.Join(strings.Fields(name.Text), ""), strings.Join(strings.Fields(name.full), ""); got != want {
		t.Errorf("%s: the product name shows as %q, not %q", where, name.Text, name.full)
	}
	for _, line := range strings.Split(name.Text, "\n") {
		need := fyne.MeasureText(line, theme.TextSize(), name.TextStyle).Width + 2*theme.InnerPadding()
		if need > name.Size().Width+0.5 {
			t.Errorf("%s: the product name's line %q needs %.0f; the name gets %.0f", where, line, need, name.Size().Width)
		}
	}
	buttons := 0
	for _, o := range shownObjects(p.prod) {
		b, ok := o.(*widget.Button)
		if !ok || b.Text == "" {
			continue
		}
		buttons++
		pos := drv.AbsolutePositionForObject(b)
		if top, below := pos.Y, namePos.Y+name.Size().Height+theme.Padding(); top+0.5 < below {
			t.Errorf("%s: the button %q starts at y=%.0f; the product name ends at %.0f, so the button should start at %.0f",
				where, b.Text, top, namePos.Y+name.Size().Height, below)
		}
		if right, edge := pos.X+b.Size().Width, panelPos.X+p.box.Size().Width; right > edge+0.5 {
			t.Errorf("%s: the button %q ends at x=%.0f, past the panel's %.0f", where, b.Text, right, edge)
		}
		if b.Size().Width+0.5 < b.MinSize().Width {
			t.Errorf("%s: the button %q is %.0f wide; its text needs %.0f", where, b.Text, b.Size().Width, b.MinSize().Width)
		}
	}
	if buttons != 2 {
		t.Errorf("%s: %d buttons under the product name, want Send card and QR", where, buttons)
	}
	rows := 0
	for _, o := range shownObjects(p.prod) {
		row, ok := o.(*fyne.Container)
		if !ok || !isVariantRow(row) {
			continue
		}
		rows++
		for _, rt := range row.Objects {
			rt := rt.(*widget.RichText)
			if need := styledWidth(rt); rt.Size().Width+0.5 < need {
				t.Errorf("%s: the variant's %q gets %.0f of the %.0f it needs", where, rt.String(), rt.Size().Width, need)
			}
		}
	}
	if rows == 0 {
		t.Errorf("%s: the product panel shows no variant", where)
	}
	return true
}

// isVariantRow reports whether row is a variant's row of the product panel: its name, price
// and stock figures.
func isVariantRow(row *fyne.Container) bool {
	if len(row.Objects) != 3 {
		return false
	}
	for _, o := range row.Objects {
		if _, ok := o.(*widget.RichText); !ok {
			return false
		}
	}
	return true
}

// checkPanelBoxes fails for a shown object under root that is drawn past the right edge of
// the container holding it, or over one of its neighbours (texts are taken without their
// inner padding, which tight rows share).
func checkPanelBoxes(t *testing.T, where string, root fyne.CanvasObject) {
	t.Helper()
	for _, o := range shownObjects(root) {
		box, ok := o.(*fyne.Container)
		if !ok || !shown(box) {
			continue
		}
		if isStackLayout(box.Layout) {
			continue
		}
		var kids []fyne.CanvasObject
		for _, k := range box.Objects {
			if shown(k) {
				kids = append(kids, k)
			}
		}
		for i, k := range kids {
			if right := k.Position().X + k.Size().Width; right > box.Size().Width+0.5 {
				t.Errorf("%s: %s ends at x=%.0f in a box %.0f wide", where, describe(k), right, box.Size().Width)
			}
			for _, n := range kids[i+1:] {
				if a, b := inkRect(k), inkRect(n); a.overlaps(b) {
					t.Errorf("%s: %s (%v) is drawn over %s (%v)", where, describe(k), a, describe(n), b)
				}
			}
		}
	}
}

// isStackLayout reports whether l draws its objects over each other on purpose.
func isStackLayout(l fyne.Layout) bool {
	return fmt.Sprintf("%T", l) == fmt.Sprintf("%T", layout.NewStackLayout())
}

// rect is an object's box in its container.
type rect struct{ x0, y0, x1, y1 float32 }

func (r rect) overlaps(o rect) bool {
	const slack = 0.5
	return r.x0+slack < o.x1 && o.x0+slack < r.x1 && r.y0+slack < o.y1 && o.y0+slack < r.y1
}

func (r rect) String() string { return fmt.Sprintf("%.0f,%.0f–%.0f,%.0f", r.x0, r.y0, r.x1, r.y1) }

// inkRect is where o draws in its container: texts without the inner padding around them,
// a container where its objects draw.
func inkRect(o fyne.CanvasObject) rect {
	p, s := o.Position(), o.Size()
	r := rect{p.X, p.Y, p.X + s.Width, p.Y + s.Height}
	switch x := o.(type) {
	case *widget.Label, *wrapLabel, *widget.RichText:
		in := theme.InnerPadding()
		r = rect{r.x0 + in, r.y0 + in, r.x1 - in, r.y1 - in}
	case *fyne.Container:
		first := true
		for _, k := range x.Objects {
			if !shown(k) {
				continue
			}
			kr := inkRect(k)
			kr = rect{kr.x0 + p.X, kr.y0 + p.Y, kr.x1 + p.X, kr.y1 + p.Y}
			if first {
				r, first = kr, false
				continue
			}
			r = rect{min(r.x0, kr.x0), min(r.y0, kr.y0), max(r.x1, kr.x1), max(r.y1, kr.y1)}
		}
	}
	return r
}

// describe names an object for a failure: its text, if it shows one.
func describe(o fyne.CanvasObject) string {
	if ts := texts(o); len(ts) > 0 {
		return fmt.Sprintf("%T %q", o, strings.Join(ts, " | "))
	}
	if _, ok := o.(*container.Scroll); ok {
		return "a scroller"
	}
	return fmt.Sprintf("%T", o)
}

// TestVariantRowsTakeTwoLinesWhenNarrow narrows the product part of the panel (the staff
// dragged the divider) below what the widest variant name, price and English stock figures
// need side by side: every row puts its figures on a second line, no text is cut or drawn
// over another and the rows do not overlap; widened again, the rows take one line.
func TestVariantRowsTakeTwoLinesWhenNarrow(t *testing.T) {
	f := newFixtureIn(t, assets.English, localdb.Options{InMemory: true}, false)
	t.Cleanup(func() { assets.SetupLanguage(assets.Chinese) })
	d := f.desk
	d.Show(SectionChat)
	conv := panelTestConversations(t, f)[0]
	d.chat.openConversation(conv, "")
	f.drain()
	p := d.chat.panel
	if len(p.prod.Objects) != 3 {
		t.Fatalf("the product part shows %d parts, want the name, the buttons and the variants", len(p.prod.Objects))
	}
	variants := p.prod.Objects[2].(*fyne.Container)
	rows := variants.Objects
	if len(rows) == 0 {
		t.Fatal("the product shows no variant")
	}
	l := rows[0].(*fyne.Container).Layout.(*variantRowLayout)
	oneLine := l.name + l.price + l.figures
	lay := func(width float32) {
		for i := 0; i < 2; i++ { // once to choose the lines, once to take the height they need
			variants.Resize(fyne.NewSize(width, variants.MinSize().Height))
			variants.Refresh()
		}
	}
	lay(oneLine - 20)
	if !l.twoLines {
		t.Fatalf("at %.0f wide (one line needs %.0f) the variants keep one line", oneLine-20, oneLine)
	}
	checkPanelBoxes(t, "two-line variants", variants)
	for _, o := range rows {
		row := o.(*fyne.Container)
		name, price, figures := row.Objects[0], row.Objects[1], row.Objects[2]
		for _, rt := range row.Objects {
			if need := styledWidth(rt.(*widget.RichText)); rt.Size().Width+0.5 < need {
				t.Errorf("two-line variants: %q gets %.0f of the %.0f it needs", rt.(*widget.RichText).String(), rt.Size().Width, need)
			}
		}
		if figures.Position().Y < name.Position().Y+name.Size().Height-2*theme.InnerPadding()-0.5 {
			t.Errorf("two-line variants: %q is not below %q", figures.(*widget.RichText).String(), name.(*widget.RichText).String())
		}
		if end := price.Position().X + price.Size().Width; end > row.Size().Width+0.5 {
			t.Errorf("two-line variants: the price ends at %.0f, past the row's %.0f", end, row.Size().Width)
		}
	}
	lay(oneLine + 20)
	if l.twoLines {
		t.Errorf("at %.0f wide (one line needs %.0f) the variants keep two lines", oneLine+20, oneLine)
	}
	checkPanelBoxes(t, "one-line variants", variants)
}

// TestChatPanelLaysItselfOutAfterReads lays the panel out for a customer without orders, then
// hands it, as reads finishing in the background do, another customer's orders and a product,
// and checks the panel at once, without laying the window out again: the parts below the ones
// that grew must have moved. The window re-lays a box out on its next frame when a part's
// size changes, but misses it when nested parts of two boxes change in one frame: at 1280×720
// the variants were drawn over the orders until something else changed.
func TestChatPanelLaysItselfOutAfterReads(t *testing.T) {
	f := newFixtureIn(t, assets.Chinese, localdb.Options{InMemory: true}, false)
	d := f.desk
	f.win.Resize(fyne.NewSize(1280-fitFrameWidth, 720-fitFrameHeight-fitMenuHeight))
	d.Show(SectionChat)
	f.drain()
	p := d.chat.panel
	convs := panelTestConversations(t, f)
	d.chat.openConversation(convs[0], "")
	f.drain()
	settlePanel(d.chat)
	checkPanelBoxes(t, "the first conversation", p.detail)

	other := convs[len(convs)-1]
	orders, err := f.db.OrdersOf(other.CustomerID, panelOrders)
	if err != nil || len(orders) == 0 {
		t.Fatalf("the orders of %s: %d, %v", other.Nick, len(orders), err)
	}
	p.drawOrders(panelOrderList{orders: orders}, nil)
	checkPanelBoxes(t, "orders arrived", p.detail)
	pr, err := p.c.data.Product(context.Background(), orders[0].Items[0].ProductID)
	if err != nil {
		t.Fatal(err)
	}
	p.drawProduct(pr, nil)
	checkPanelBoxes(t, "a product arrived", p.detail)
	p.drawProfile(shop.Customer{Nick: other.Nick, Memo: strings.Repeat("顾客说孩子皮肤敏感，只要纯棉。", 6)}, other.Nick, nil)
	checkPanelBoxes(t, "a customer with a long memo arrived", p.detail)
}

// TestThreadHeaderInfoIsWhole: on a 1280×720 screen in English the open conversation's header
// line (channel, assignee, wait) is whole beside the action buttons: it wraps rather than ends
// in …, and gets the height of its lines.
func TestThreadHeaderInfoIsWhole(t *testing.T) {
	for _, code := range []string{assets.English, assets.Chinese} {
		f, _ := smallScreenFixture(t, code, 1280, 720)
		d := f.desk
		d.Show(SectionChat)
		f.drain()
		c := d.chat
		for _, conv := range panelTestConversations(t, f) {
			c.openConversation(conv, "")
			f.drain()
			settlePanel(c)
			text := styledSeg(c.info).Text
			need := fyne.MeasureText(text, theme.CaptionTextSize(), fyne.TextStyle{}).Width
			if c.info.Truncation != fyne.TextTruncateOff || (c.info.Wrapping == fyne.TextWrapOff && c.info.Size().Width < need) {
				t.Fatalf("%s, %s: the header's %q gets %.0f of the %.0f it needs, cut", code, conv.ID, text, c.info.Size().Width, need)
			}
			if h := c.info.MinSize().Height; c.info.Size().Height+0.5 < h {
				t.Fatalf("%s, %s: the header's %q is %.0f high, its lines need %.0f", code, conv.ID, text, c.info.Size().Height, h)
			}
		}
	}
}
