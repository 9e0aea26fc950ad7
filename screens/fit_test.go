package screens

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
	"kefu/localdb"
)

// The room a window loses on a screen: its frame and title bar (as main's openingSize leaves
// them) and the window menu's bar above the content.
const (
	fitFrameWidth, fitFrameHeight = 16, 40
	fitMenuHeight                 = 32
)

// smallScreenFixture is an in-memory desk in language code whose window has the room a
// width×height screen leaves it (the language is back to Chinese after the test), and that room.
func smallScreenFixture(t *testing.T, code string, width, height float32) (*fixture, fyne.Size) {
	t.Helper()
	f := newFixtureIn(t, code, localdb.Options{InMemory: true}, false)
	t.Cleanup(func() { assets.SetupLanguage(assets.Chinese) })
	room := fyne.NewSize(width-fitFrameWidth, height-fitFrameHeight-fitMenuHeight)
	f.win.Resize(room)
	return f, room
}

// TestDeskFitsSmallScreens lays the desk out headless, as on a 1366×768 screen in English and
// a 1280×720 one in Chinese, with the status bar at its widest (offline, problems, the
// reminders): every section's content must fit the window the screen leaves, and laid out at
// that size no button is cut or pushed past the window's right edge, the status bar's labels
// are whole, and the chat's product panel draws no price over the stock figures.
func TestDeskFitsSmallScreens(t *testing.T) {
	for _, c := range []struct {
		code          string
		width, height float32
	}{{assets.English, 1366, 768}, {assets.Chinese, 1280, 720}} {
		t.Run(fmt.Sprintf("%s-%gx%g", c.code, c.width, c.height), func(t *testing.T) {
			f, room := smallScreenFixture(t, c.code, c.width, c.height)
			d := f.desk

			// The widest status bar: offline, with problems to look at.
			d.status.overdue = func() int { return 6 }
			d.SetSync(SyncView{State: SyncOffline, Since: testNow.Add(-3 * time.Minute), LastSync: testNow.Add(-3 * time.Minute)})
			d.status.showCounts(statusCounts{pending: 12, problems: 3, waiting: waitingCount{n: 12}, cases: 14})
			f.drain()
			if !d.status.problems.Visible() {
				t.Fatal("the problems button does not show with 3 problems")
			}

			for i := 0; i < sectionCount; i++ {
				d.Show(i)
				f.drain()
				f.win.Resize(room)
				min := d.Content().MinSize()
				if min.Width > room.Width || min.Height > room.Height {
					t.Errorf("section %d needs %.0f×%.0f; the %g×%g screen leaves %.0f×%.0f", i,
						min.Width, min.Height, c.width, c.height, room.Width, room.Height)
				}
				checkNothingCut(t, fmt.Sprintf("section %d", i), d.Content(), room)
			}
			checkWhole(t, "the status bar", d.status.box)
			d.Show(SectionChat)
			f.drain()
			checkProductColumns(t, d.chat.panel.prod)
		})
	}
}

// checkNothingCut fails for a shown button narrower than its text and icon, or reaching past
// the window's right or bottom edge.
func checkNothingCut(t *testing.T, where string, root fyne.CanvasObject, win fyne.Size) {
	t.Helper()
	drv := fyne.CurrentApp().Driver()
	scrolled := map[fyne.CanvasObject]bool{} // inside a scroller, which shows the rest on demand
	for _, s := range shownObjects(root) {
		if sc, ok := s.(*container.Scroll); ok {
			for _, o := range shownObjects(sc.Content) {
				scrolled[o] = true
			}
		}
	}
	for _, o := range shownObjects(root) {
		b, ok := o.(*widget.Button)
		if !ok || !shown(b) || b.Text == "" {
			continue
		}
		if b.Size().Width+0.5 < b.MinSize().Width {
			t.Errorf("%s: the button %q is %.0f wide; its text needs %.0f", where, b.Text, b.Size().Width, b.MinSize().Width)
		}
		if scrolled[b] {
			continue
		}
		pos := drv.AbsolutePositionForObject(b)
		if right := pos.X + b.Size().Width; right > win.Width+0.5 {
			t.Errorf("%s: the button %q ends at x=%.0f, past the window's %.0f", where, b.Text, right, win.Width)
		}
		if bottom := pos.Y + b.Size().Height; bottom > win.Height+0.5 {
			t.Errorf("%s: the button %q ends at y=%.0f, below the window's %.0f", where, b.Text, bottom, win.Height)
		}
	}
}

// checkWhole fails for a shown label under root whose text does not fit its width (it would
// end in …).
func checkWhole(t *testing.T, where string, root fyne.CanvasObject) {
	t.Helper()
	for _, o := range shownObjects(root) {
		l, ok := o.(*widget.Label)
		if !ok || !shown(l) || l.Text == "" || strings.Contains(l.Text, "\n") {
			continue
		}
		need := fyne.MeasureText(l.Text, theme.TextSize(), l.TextStyle).Width + 2*theme.InnerPadding()
		if l.Size().Width+0.5 < need {
			t.Errorf("%s: %q gets %.0f of the %.0f it needs", where, l.Text, l.Size().Width, need)
		}
	}
}

// checkProductColumns fails when a variant row of the chat's product panel draws its price
// over its stock figures, or cuts either.
func checkProductColumns(t *testing.T, prod *fyne.Container) {
	t.Helper()
	rows := 0
	for _, o := range shownObjects(prod) {
		row, ok := o.(*fyne.Container)
		if !ok {
			continue
		}
		if _, ok := row.Layout.(*variantRowLayout); !ok || len(row.Objects) != 3 {
			continue
		}
		rows++
		price, figures := row.Objects[1].(*widget.RichText), row.Objects[2].(*widget.RichText)
		for _, rt := range []*widget.RichText{price, figures} {
			need := fyne.MeasureText(rt.String(), theme.TextSize(), fyne.TextStyle{}).Width + 2*theme.InnerPadding()
			if rt.Size().Width+0.5 < need {
				t.Errorf("product panel: %q gets %.0f of the %.0f it needs", rt.String(), rt.Size().Width, need)
			}
		}
		sameLine := figures.Position().Y < price.Position().Y+price.Size().Height-2*theme.InnerPadding()
		if end := price.Position().X + price.Size().Width; sameLine && end > figures.Position().X+0.5 {
			t.Errorf("product panel: the price %q ends at %.0f, over the figures %q from %.0f",
				price.String(), end, figures.String(), figures.Position().X)
		}
		if end := figures.Position().X + figures.Size().Width; end > row.Size().Width+0.5 {
			t.Errorf("product panel: %q ends at %.0f, past the row's %.0f", figures.String(), end, row.Size().Width)
		}
	}
	if rows == 0 {
		t.Error("the chat's product panel shows no variant")
	}
}

// shown reports whether o is visible and has been given room.
func shown(o fyne.CanvasObject) bool { return o.Visible() && o.Size().Width > 0 }

// shownObjects is o and what is drawn under it, leaving out hidden objects and all under them.
func shownObjects(o fyne.CanvasObject) []fyne.CanvasObject {
	if o == nil || !o.Visible() {
		return nil
	}
	out := []fyne.CanvasObject{o}
	var children []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		children = x.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(x).Objects()
	}
	for _, c := range children {
		out = append(out, shownObjects(c)...)
	}
	return out
}
