package screens

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
	"kefu/demostore"
	"kefu/localdb"
	"kefu/shop"
)

// TestDeskHeightFitsSmallScreens lays the desk out headless as `kefu --demo` shows it — signed
// in as the demo's owner, whose rail has the Team, Channels, Hand over, Search and Import
// entries and whose desk opens with the demo's handover banner on top — and as agent 1002, in
// English and Chinese, on a 1280×720 and a 1366×768 screen, bare (as under Xvfb) and with a
// taskbar: every section's content must be
// no taller than the window the screen leaves (else Fyne grows the window past the screen's
// bottom and the status bar is lost), the status bar must end inside the window, the rail's
// items must all show without scrolling and the handover's Acknowledge button must show. Then three long handovers more are fed in: the
// banner scrolls instead of pushing the desk taller.
func TestDeskHeightFitsSmallScreens(t *testing.T) {
	for _, code := range []string{assets.English, assets.Chinese} {
		for _, staff := range []string{demostore.Owner, "1002"} {
			t.Run(fmt.Sprintf("%s-%s", code, staff), func(t *testing.T) {
				f := newFixtureAs(t, staff, code, localdb.Options{InMemory: true}, false)
				t.Cleanup(func() { assets.SetupLanguage(assets.Chinese) })
				owner := staff == demostore.Owner
				if owner != f.desk.teamWork.banner.Visible() {
					t.Fatalf("staff %s: the handover banner shows %v; the demo's handover is from 1002 for the next one", staff, f.desk.teamWork.banner.Visible())
				}
				checkDeskHeight(t, f, "the demo", owner)
				if !owner {
					return
				}
				var more []shop.Record
				for i := range 3 {
					id := fmt.Sprintf("hv-tall-%d", i)
					h := shop.Handover{ID: id, From: "1003", At: testNow.Add(-time.Duration(i+1) * time.Hour),
						Note: strings.Repeat("晚班注意：小鱼儿的换货还在等仓库回复，客户很着急，记得下午三点前再问一次仓库。", 3)}
					for j := range 6 {
						h.Items = append(h.Items, shop.HandoverItem{Type: shop.TypeOrder, ID: fmt.Sprintf("o-%d-%d", i, j), Text: "未付款，待催付"})
					}
					more = append(more, shop.NewRecord(shop.TypeHandover, id, h))
				}
				feed(t, f, more...)
				if n := strings.Count(joined(f.desk.teamWork.banner), lang.L("Acknowledge")); n < 3 {
					t.Fatalf("the banner shows %d handovers after three more came in", n)
				}
				checkDeskHeight(t, f, "four handovers", true)
			})
		}
	}
}

// heightTaskbar is the height of a Windows taskbar at 100 %: main's workArea takes it off the
// screen before openingSize fits the window.
const heightTaskbar = 40

// checkDeskHeight shows each section on each small screen and fails when the desk's content
// needs more height than the window has there, or the status bar (or, with a banner, the
// first Acknowledge button) ends below the window.
func checkDeskHeight(t *testing.T, f *fixture, where string, banner bool) {
	t.Helper()
	d := f.desk
	drv := fyne.CurrentApp().Driver()
	for _, c := range []struct {
		screen  fyne.Size
		taskbar float32 // the height the system's taskbar takes off the work area
	}{{fyne.NewSize(1280, 720), 0}, {fyne.NewSize(1280, 720), heightTaskbar}, {fyne.NewSize(1366, 768), 0}, {fyne.NewSize(1366, 768), heightTaskbar}} {
		screen := c.screen
		room := fyne.NewSize(screen.Width-fitFrameWidth, screen.Height-c.taskbar-fitFrameHeight-fitMenuHeight)
		var heights []string
		for i := 0; i < sectionCount; i++ {
			d.Show(i)
			f.drain()
			f.win.Resize(room)
			min := d.Content().MinSize()
			heights = append(heights, fmt.Sprintf("%.0f", min.Height))
			if min.Height > room.Height {
				t.Errorf("%s, section %d: the desk needs %.0f high; the %gx%g screen leaves %.0f", where, i, min.Height, screen.Width, screen.Height, room.Height)
				continue
			}
			if bottom := drv.AbsolutePositionForObject(d.status.box).Y + d.status.box.Size().Height; bottom > room.Height+0.5 {
				t.Errorf("%s, section %d: the status bar ends at y=%.0f, below the window's %.0f", where, i, bottom, room.Height)
			}
			checkRailWhole(t, fmt.Sprintf("%s, section %d at %gx%g, taskbar %g", where, i, screen.Width, screen.Height, c.taskbar), d.rail)
			if !banner {
				continue
			}
			ack := firstButton(d.teamWork.banner, lang.L("Acknowledge"))
			if ack == nil || !shown(ack) {
				t.Fatalf("%s, section %d: no Acknowledge button shows on the banner", where, i)
			}
			if bottom := drv.AbsolutePositionForObject(ack).Y + ack.Size().Height; bottom > room.Height+0.5 {
				t.Errorf("%s, section %d: the Acknowledge button ends at y=%.0f, below the window's %.0f", where, i, bottom, room.Height)
			}
		}
		t.Logf("%s at %gx%g, taskbar %g (room %.0f high): the desk's minimum height per section %s", where, screen.Width, screen.Height, c.taskbar, room.Height, strings.Join(heights, " "))
	}
	d.Show(SectionChat)
	f.drain()
}

// checkRailWhole fails when the rail's items do not all show without scrolling, or one is
// drawn shorter than its compact height (its label would be cut).
func checkRailWhole(t *testing.T, where string, r *rail) {
	t.Helper()
	if content, view := r.scroll.Content.Size().Height, r.scroll.Size().Height; content > view+0.5 {
		t.Errorf("%s: the rail's items need %.0f high and have %.0f: the last ones are scrolled away", where, content, view)
	}
	for _, o := range r.list.Objects {
		it, ok := o.(*railItem)
		if !ok || !it.Visible() {
			continue
		}
		if h := it.Size().Height; h+0.5 < it.compactHeight() {
			t.Errorf("%s: the rail item %q is %.0f high; its icon and label need %.0f", where, it.label, h, it.compactHeight())
		}
		if bottom := it.Position().Y + it.Size().Height; bottom > r.list.Size().Height+0.5 {
			t.Errorf("%s: the rail item %q ends at y=%.0f, below the rail's %.0f", where, it.label, bottom, r.list.Size().Height)
		}
	}
}

// firstButton is the first shown button under root with this text, or nil.
func firstButton(root fyne.CanvasObject, text string) *widget.Button {
	for _, o := range shownObjects(root) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	return nil
}
