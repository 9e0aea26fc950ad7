package screens

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// keystrokeText is what the keystroke measurements type: Chinese, as a customer-service
// reply, 28 characters.
const keystrokeText = "亲您好请问这件衣服有没有大一码的我想给孩子买两件谢谢你们"

// fyneClock splits the time a keystroke takes into what ran on "Fyne's goroutine" (the
// test's) and what ran in the background: it replaces the desk's Threads.Go with one that
// times each piece of background work (and waits for it, as the fixture's does).
type fyneClock struct {
	mu  sync.Mutex
	off time.Duration // background work timed since the last reset
}

func (fc *fyneClock) install(f *fixture) {
	f.desk.env.threads.Go = func(work func()) {
		start := time.Now()
		done := make(chan struct{})
		go func() {
			defer close(done)
			work()
		}()
		<-done
		fc.mu.Lock()
		fc.off += time.Since(start)
		fc.mu.Unlock()
		f.drain()
	}
}

// keystroke types one character into e and returns how long it held the test's goroutine
// (Fyne's, in the desk) apart from the background work it waited for.
func (fc *fyneClock) keystroke(f *fixture, e fyne.Focusable, r rune) time.Duration {
	fc.mu.Lock()
	fc.off = 0
	fc.mu.Unlock()
	start := time.Now()
	e.TypedRune(r)
	f.drain()
	total := time.Since(start)
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return total - fc.off
}

// typeAll types text into e a character at a time and returns the median and longest time a
// keystroke held Fyne's goroutine.
func (fc *fyneClock) typeAll(f *fixture, e fyne.Focusable, text string) (median, longest time.Duration) {
	var ds []time.Duration
	for _, r := range text {
		ds = append(ds, fc.keystroke(f, e, r))
	}
	slices.Sort(ds)
	return ds[len(ds)/2], ds[len(ds)-1]
}

// TestKeystrokesLeaveFynesGoroutineFree types Chinese into every text field of the desk that
// reacts as it is typed — the chat composer (plain text, and after "/" with the quick
// phrases offered), the five sections' search boxes and the chat's product lookup — and
// measures, per keystroke, how long Fyne's goroutine is held apart from the background reads:
// a keystroke must not wait on the disk or on heavy work there. KEFU_KEYSTROKE_REPORT=1 logs
// the figures.
func TestKeystrokesLeaveFynesGoroutineFree(t *testing.T) {
	f := newFixture(t)
	fc := &fyneClock{}
	fc.install(f)
	d := f.desk
	limit := 25 * time.Millisecond // generous: the race detector and a shared machine slow it
	fields := []struct {
		name    string
		section int
		entry   func() fyne.Focusable
		prefix  string
		reset   func()
	}{
		{"chat composer", SectionChat, func() fyne.Focusable { return d.chat.composer }, "", func() { d.chat.composer.SetText("") }},
		{"chat composer after /", SectionChat, func() fyne.Focusable { return d.chat.composer }, "/", func() { d.chat.composer.SetText("") }},
		{"chat product lookup", SectionChat, func() fyne.Focusable { return d.chat.panel.find }, "", func() { d.chat.panel.find.SetText("") }},
		{"chat search", SectionChat, func() fyne.Focusable { return d.chat.search }, "", func() { d.chat.search.SetText("") }},
		{"orders search", SectionOrders, func() fyne.Focusable { return d.orders.search }, "", func() { d.orders.search.SetText("") }},
		{"stock search", SectionStock, func() fyne.Focusable { return d.stock.search }, "", func() { d.stock.search.SetText("") }},
		{"reviews search", SectionReviews, func() fyne.Focusable { return d.reviews.search }, "", func() { d.reviews.search.SetText("") }},
		{"customers search", SectionCustomers, func() fyne.Focusable { return d.custs.search }, "", func() { d.custs.search.SetText("") }},
	}
	var report []string
	for _, fl := range fields {
		d.Show(fl.section)
		f.drain()
		e := fl.entry()
		if fl.prefix != "" {
			test.Type(e, fl.prefix)
		}
		median, longest := fc.typeAll(f, e, keystrokeText)
		report = append(report, fmt.Sprintf("%-24s median %6.2f ms, longest %6.2f ms", fl.name, ms(median), ms(longest)))
		if median > limit {
			t.Errorf("%s: a keystroke holds Fyne's goroutine %v (median; longest %v)", fl.name, median, longest)
		}
		if got := textOf(e); !strings.HasSuffix(got, keystrokeText) {
			t.Errorf("%s holds %q after typing", fl.name, got)
		}
		fl.reset()
		f.drain()
	}
	if os.Getenv("KEFU_KEYSTROKE_REPORT") != "" {
		t.Log("time a keystroke holds Fyne's goroutine, " + keystrokeText + " typed:\n" + strings.Join(report, "\n"))
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// textOf is the text of an entry of the desk.
func textOf(o any) string {
	switch e := o.(type) {
	case *chatComposer:
		return e.Text
	case *searchEntry:
		return e.Text
	case *deskEntry:
		return e.Text
	case *widget.Entry:
		return e.Text
	}
	return ""
}
