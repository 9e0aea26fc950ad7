package screens

import (
	"image/color"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// bubbleData is one message as the thread shows it.
type bubbleData struct {
	id      string
	from    shop.Sender
	meta    string // who and when, e.g. "工号 1001 · 14:05"
	text    string
	pending bool
	failed  bool // its delivery to the conversation's channel failed
}

// thread shows a conversation's messages as bubbles: the customer's on the left, the shop's on
// the right, system notices centred. Message bodies are plain labels, wrapped here to the
// thread's width, so every bubble's height is known exactly and the scroll never guesses.
type thread struct {
	widget.BaseWidget
	box     *fyne.Container
	scroll  *container.Scroll
	bubbles []*bubble
	width   float32
	// onTop runs when the staff member scrolls to the top: the section pages older messages in.
	onTop func()
	// pinned keeps the newest message in view across resizes until the staff member scrolls
	// away from it; resizing ignores the scroll events a resize itself makes.
	pinned, resizing bool
}

// threadTopMargin is how close to the top the scroll must come for older messages to page in.
const threadTopMargin = 40

func newThread() *thread {
	t := &thread{box: container.NewVBox()}
	t.scroll = container.NewVScroll(t.box)
	t.scroll.OnScrolled = func(p fyne.Position) {
		if t.resizing {
			return
		}
		view, content := t.scroll.Size().Height, t.box.MinSize().Height
		t.pinned = p.Y+view >= content-theme.Padding()
		if !t.pinned && p.Y <= threadTopMargin && view > 0 && content > view && t.onTop != nil && len(t.bubbles) > 0 {
			t.onTop()
		}
	}
	t.ExtendBaseWidget(t)
	return t
}

// set replaces the messages shown. It scrolls to the newest when asked to (another
// conversation was opened) or when the newest was in view; otherwise the staff member keeps
// reading where they were.
func (t *thread) set(items []bubbleData, toNewest bool) {
	sc := t.scroll
	atBottom := sc.Offset.Y+sc.Size().Height >= sc.Content.MinSize().Height-theme.Padding()
	old := make(map[string]*bubble, len(t.bubbles))
	for _, b := range t.bubbles {
		old[b.data.id] = b
	}
	objs := make([]fyne.CanvasObject, len(items))
	bubbles := make([]*bubble, 0, len(items))
	for i, it := range items {
		b := old[it.id]
		if b == nil || it.id == "" || b.data != it {
			b = newBubble(it)
			b.thread = t
			b.wrap(t.width)
		}
		bubbles = append(bubbles, b)
		objs[i] = b
	}
	t.bubbles = bubbles
	t.box.Objects = objs
	t.box.Refresh()
	if toNewest || atBottom {
		t.pinned = true
		t.scroll.Refresh() // the content takes its new height first, or it cannot scroll there
		t.scroll.ScrollToBottom()
	}
}

// prepend adds older messages above the ones shown and keeps the ones in view where they are.
func (t *thread) prepend(items []bubbleData) {
	before := t.box.MinSize().Height
	objs := make([]fyne.CanvasObject, 0, len(items)+len(t.bubbles))
	bubbles := make([]*bubble, 0, len(items)+len(t.bubbles))
	for _, it := range items {
		b := newBubble(it)
		b.thread = t
		b.wrap(t.width)
		bubbles = append(bubbles, b)
		objs = append(objs, b)
	}
	for _, b := range t.bubbles {
		bubbles = append(bubbles, b)
		objs = append(objs, b)
	}
	t.bubbles = bubbles
	t.box.Objects = objs
	t.box.Refresh()
	added := t.box.MinSize().Height - before
	t.scroll.Offset.Y += added
	t.scroll.Refresh()
}

// Resize re-wraps the messages when the width changes, before the scroll lays them out.
func (t *thread) Resize(s fyne.Size) {
	if s.Width != t.width {
		t.width = s.Width
		for _, b := range t.bubbles {
			b.wrap(s.Width)
		}
		t.box.Refresh()
	}
	t.resizing = true
	t.BaseWidget.Resize(s)
	t.resizing = false
	if t.pinned {
		t.scroll.ScrollToBottom()
	}
}

// cullMargin is how far beyond the thread's view bubbles are still drawn, so that scrolling a
// little shows them at once.
const cullMargin = 400

// farFromView reports whether bubble b lies far outside the thread's view, where it need not
// be drawn: Fyne paints every object of the window in every frame, scrolled out of sight or
// not, and a conversation holds dozens of messages, so each keystroke in the composer would
// repaint them all. It is asked as the window is painted, so it always follows the scroll.
func (t *thread) farFromView(b *bubble) bool {
	view := t.scroll.Size().Height
	if view <= 0 {
		return false
	}
	y := b.Position().Y
	return y+b.Size().Height < t.scroll.Offset.Y-cullMargin || y > t.scroll.Offset.Y+view+cullMargin
}

func (t *thread) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.scroll) }

// bubble is one message of the thread.
type bubble struct {
	widget.BaseWidget
	data  bubbleData
	bg    *canvas.Rectangle
	meta  *canvas.Text
	body  *widget.Label
	width float32 // the bubble's width for the current row width
	// thread, if set, is the thread that shows the bubble: far outside its view the bubble is
	// not drawn (it keeps its size).
	thread *thread
}

const bubbleShare = 0.72 // of the thread's width, at most

func newBubble(d bubbleData) *bubble {
	b := &bubble{data: d}
	b.bg = canvas.NewRectangle(color.Transparent)
	b.bg.CornerRadius = theme.InputRadiusSize() * 2
	b.meta = canvas.NewText(d.meta, color.Transparent)
	b.meta.TextSize = theme.CaptionTextSize()
	b.body = widget.NewLabel(d.text)
	if d.from == shop.FromSystem {
		b.body.Alignment = fyne.TextAlignCenter
		b.meta.Alignment = fyne.TextAlignCenter
	}
	b.applyColors()
	b.ExtendBaseWidget(b)
	return b
}

// applyColors takes the bubble's colours from the current theme.
func (b *bubble) applyColors() {
	b.bg.FillColor = bubbleColor(b.data.from)
	b.meta.Color = theme.Color(theme.ColorNamePlaceHolder)
	if b.data.pending {
		b.meta.Color = theme.Color(theme.ColorNameWarning)
	}
	if b.data.failed {
		b.meta.Color = theme.Color(theme.ColorNameError)
	}
}

// bubbleColor is the background of a sender's bubbles.
func bubbleColor(from shop.Sender) color.Color {
	switch from {
	case shop.FromStaff:
		p := theme.Color(theme.ColorNamePrimary)
		r, g, bl, _ := p.RGBA()
		return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(bl >> 8), A: 0x30}
	case shop.FromAuto:
		s := theme.Color(theme.ColorNameSuccess)
		r, g, bl, _ := s.RGBA()
		return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(bl >> 8), A: 0x28}
	case shop.FromSystem:
		return color.Transparent
	}
	return theme.Color(theme.ColorNameInputBackground)
}

// wrap lays the text out for a row of the given width.
func (b *bubble) wrap(rowWidth float32) {
	if rowWidth <= 0 {
		rowWidth = 480
	}
	pad := theme.Padding()
	inner := theme.InnerPadding()
	maxW := max(rowWidth*bubbleShare, 160)
	b.body.Text = strings.Join(wrapText(b.data.text, maxW-2*inner-2*pad, theme.TextSize(), b.body.TextStyle), "\n")
	b.body.Refresh()
	w := b.body.MinSize().Width
	w = max(w, b.meta.MinSize().Width+2*inner)
	b.width = min(w, maxW) + 2*pad
	if b.data.from == shop.FromSystem {
		b.width = rowWidth - 2*pad
	}
	b.Refresh()
}

func (b *bubble) CreateRenderer() fyne.WidgetRenderer { return &bubbleRenderer{b: b} }

type bubbleRenderer struct{ b *bubble }

func (r *bubbleRenderer) Layout(size fyne.Size) {
	b := r.b
	pad := theme.Padding()
	inner := theme.InnerPadding()
	x := pad
	switch b.data.from {
	case shop.FromStaff:
		x = size.Width - b.width - pad
	case shop.FromSystem:
		x = (size.Width - b.width) / 2
	}
	b.bg.Move(fyne.NewPos(x, pad/2))
	b.bg.Resize(fyne.NewSize(b.width, size.Height-pad))
	mh := b.meta.MinSize().Height
	b.meta.Move(fyne.NewPos(x+pad+inner, pad))
	b.meta.Resize(fyne.NewSize(b.width-2*pad-2*inner, mh))
	bs := b.body.MinSize()
	b.body.Move(fyne.NewPos(x+pad, pad+mh-inner/2))
	b.body.Resize(fyne.NewSize(b.width-2*pad, bs.Height))
}

func (r *bubbleRenderer) MinSize() fyne.Size {
	b := r.b
	pad := theme.Padding()
	inner := theme.InnerPadding()
	return fyne.NewSize(0, pad+b.meta.MinSize().Height-inner/2+b.body.MinSize().Height+pad/2)
}

func (r *bubbleRenderer) Refresh() {
	r.b.applyColors()
	r.b.bg.Refresh()
	r.b.meta.Refresh()
	r.Layout(r.b.Size())
}

func (r *bubbleRenderer) Objects() []fyne.CanvasObject {
	if t := r.b.thread; t != nil && t.farFromView(r.b) {
		return nil
	}
	return []fyne.CanvasObject{r.b.bg, r.b.meta, r.b.body}
}

func (r *bubbleRenderer) Destroy() {}

// wrapText breaks text into lines no wider than width: between words for Latin text, between
// characters for Chinese, inside a word only when the word alone is too wide. It keeps the
// Chinese line-breaking rules (禁则): no line starts with closing punctuation (，。；：？！、）」
// …) — the character before it moves down with it, or, when that is a long word, the mark
// hangs at the line's end (into the bubble's padding) — and no line ends with opening
// punctuation (（「《“…), which moves down to the text it opens.
func wrapText(text string, width, size float32, style fyne.TextStyle) []string {
	var out []string
	measure := func(s string) float32 { return fyne.MeasureText(s, size, style).Width }
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		var line []string // the tokens of the line being filled
		lineW := float32(0)
		emit := func(toks []string) { out = append(out, strings.TrimRight(strings.Join(toks, ""), " ")) }
		for _, tok := range tokens(para) {
			tw := measure(tok)
			if len(line) > 0 && lineW+tw > width {
				n := kinsokuCarry(line, tok)
				if n > 0 && isClosingToken(tok) && measure(strings.Join(line[len(line)-n:], "")+tok) > width {
					n = -1 // what would move is a long word: the mark hangs instead
				}
				if n < 0 { // the mark hangs at the line's end, into the bubble's padding
					line = append(line, tok)
					lineW += tw
					continue
				}
				emit(line[:len(line)-n])
				line = append([]string(nil), line[len(line)-n:]...)
				lineW = measure(strings.Join(line, ""))
				if tok == " " && len(line) == 0 {
					continue
				}
			}
			if tw > width { // a word longer than the line: cut it by characters
				cur := strings.Join(line, "")
				for _, r := range tok {
					rw := measure(string(r))
					if cur != "" && lineW+rw > width && !isLineStartBanned(r) {
						out = append(out, cur)
						cur, lineW = "", 0
					}
					cur += string(r)
					lineW += rw
				}
				line = []string{cur}
				continue
			}
			line = append(line, tok)
			lineW += tw
		}
		emit(line)
	}
	return out
}

// kinsokuCarry is how many tokens at the end of a full line must move to the next line with
// next so that the next line does not start with closing punctuation and this one does not end
// with opening punctuation; -1 when that would leave this line empty (next then hangs).
func kinsokuCarry(line []string, next string) int {
	n := 0
	if r, _ := utf8.DecodeRuneInString(next); isLineStartBanned(r) {
		for n < len(line) && isClosingToken(line[len(line)-1-n]) {
			n++ // "！」" moves together
		}
		n++ // and the character they close
	}
	for n < len(line) {
		if r, _ := utf8.DecodeLastRuneInString(line[len(line)-1-n]); !isLineEndBanned(r) {
			break
		}
		n++
	}
	if n >= len(line) {
		if n == 0 {
			return 0
		}
		return -1
	}
	return n
}

// isClosingToken reports whether a token is closing punctuation only.
func isClosingToken(tok string) bool {
	for _, r := range tok {
		if !isLineStartBanned(r) {
			return false
		}
	}
	return tok != ""
}

// lineStartBanned are the marks no line may start with: closing brackets and quotes, commas,
// stops, the ellipsis and the iteration and prolonged-sound marks.
const lineStartBanned = "，。、；：？！）」』】》〉〕〗〙〛］｝”’…‥・·～％" + ",.;:?!)]}%"

// lineEndBanned are the marks no line may end with: opening brackets and quotes.
const lineEndBanned = "（「『【《〈〔〖〘〚［｛“‘" + "([{"

// isLineStartBanned reports whether r may not start a line (closing punctuation).
func isLineStartBanned(r rune) bool { return strings.ContainsRune(lineStartBanned, r) }

// isLineEndBanned reports whether r may not end a line (opening punctuation).
func isLineEndBanned(r rune) bool { return strings.ContainsRune(lineEndBanned, r) }

// tokens splits a paragraph into the pieces a line may break between: runs of Latin letters,
// digits and punctuation, single spaces, and single characters of other scripts.
func tokens(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		word := r < utf8.RuneSelf && !unicode.IsSpace(r)
		if word {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
		if unicode.IsSpace(r) {
			out = append(out, " ")
		} else {
			out = append(out, string(r))
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}
