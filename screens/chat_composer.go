package screens

import (
	"context"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// maxSuggestions is how many quick phrases the composer offers at once.
const maxSuggestions = 6

// chatComposer is the chat's composer with quick-phrase suggestions: while they are open, the
// arrow keys move through them, Enter picks one and Escape closes them.
type chatComposer struct {
	composer
	keys func(k *fyne.KeyEvent) bool // handles a key before the composer; true when it did
}

func newChatComposer(placeholder string, keys func(fyne.Shortcut) bool, onSend func(string)) *chatComposer {
	c := &chatComposer{}
	c.onSend, c.shortcuts = onSend, keys
	c.ExtendBaseWidget(c)
	c.MultiLine = true
	c.Wrapping = fyne.TextWrapWord
	c.SetMinRowsVisible(3)
	c.PlaceHolder = placeholder
	return c
}

// TypedKey gives the suggestion keys to the suggestions first.
func (c *chatComposer) TypedKey(k *fyne.KeyEvent) {
	if c.keys != nil && !c.shift && c.keys(k) {
		return
	}
	c.composer.TypedKey(k)
}

// phraseQuery finds the "/word" being typed at the end of text: a slash at the start or after
// a space or line break, followed by no space. It returns the word and where the slash is.
func phraseQuery(text string) (query string, at int, ok bool) {
	i := strings.LastIndex(text, "/")
	if i < 0 {
		return "", 0, false
	}
	if i > 0 {
		r := []rune(text[:i])
		if !unicode.IsSpace(r[len(r)-1]) {
			return "", 0, false
		}
	}
	q := text[i+1:]
	if strings.IndexFunc(q, unicode.IsSpace) >= 0 {
		return "", 0, false
	}
	return q, i, true
}

// matchPhrases picks the phrases for a query, keeping the given order (most used first)
// within each group: the shortcut typed in full, shortcuts starting with the query, then
// shortcuts or texts containing it.
func matchPhrases(phrases []shop.QuickPhrase, q string, limit int) []shop.QuickPhrase {
	q = strings.ToLower(q)
	var exact, first, rest []shop.QuickPhrase
	for _, p := range phrases {
		sc := strings.ToLower(p.Shortcut)
		switch {
		case q != "" && sc == q:
			exact = append(exact, p)
		case strings.HasPrefix(sc, q):
			first = append(first, p)
		case strings.Contains(sc, q) || strings.Contains(strings.ToLower(p.Text), q):
			rest = append(rest, p)
		}
	}
	out := append(append(exact, first...), rest...)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// phraseSuggest is the list of quick phrases offered above the composer.
type phraseSuggest struct {
	c       *chatSection
	box     *fyne.Container
	rows    *fyne.Container
	matches []shop.QuickPhrase
	sel     int
	at      int    // where the "/" is in the composer's text
	loading latest // the phrases being read

	filling bool              // a phrase picked is being filled (its values are read): Send waits
	chooser *orderChooser     // the open "which order?" question, if any
	why     map[string]string // why a placeholder of the phrase inserted last has no value
	warn    *widget.RichText  // under the composer: the placeholders not filled in yet
}

func newPhraseSuggest(c *chatSection) *phraseSuggest {
	s := &phraseSuggest{c: c, rows: container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()))}
	hint := newCaption(lang.L("Quick phrases: ↑↓ choose, Enter uses, Esc closes"))
	s.box = container.NewVBox(hint, s.rows)
	s.box.Hide()
	s.warn = newUnfilledLine()
	c.composer.OnChanged = func(string) {
		s.update()
		c.checkUnfilled()
	}
	c.composer.keys = s.key
	return s
}

func (s *phraseSuggest) visible() bool { return s.box.Visible() && len(s.matches) > 0 }

func (s *phraseSuggest) hide() {
	s.matches = nil
	s.box.Hide()
}

// update offers the phrases matching what follows the "/" being typed.
func (s *phraseSuggest) update() {
	q, at, ok := phraseQuery(s.c.composer.Text)
	if !ok || s.c.open == nil {
		s.loading.gen++ // a read under way offers nothing any more
		s.hide()
		return
	}
	staff := s.c.env.staff.Number
	latestRun(&s.loading, s.c.env, func(ctx context.Context) ([]shop.QuickPhrase, error) { return s.c.data.Phrases(ctx, staff) },
		func(all []shop.QuickPhrase, err error) {
			if err != nil {
				s.hide()
				return
			}
			s.offer(matchPhrases(all, q, maxSuggestions), at)
		})
}

// offer shows the phrases found for the "/" at position at of the composer's text.
func (s *phraseSuggest) offer(matches []shop.QuickPhrase, at int) {
	s.matches, s.at, s.sel = matches, at, 0
	if len(s.matches) == 0 {
		s.hide()
		return
	}
	s.draw()
	s.box.Show()
}

func (s *phraseSuggest) draw() {
	objs := make([]fyne.CanvasObject, len(s.matches))
	for i, p := range s.matches {
		i := i
		label := "/" + p.Shortcut + "  " + oneLine(p.Text)
		if p.Owner != "" {
			label = "/" + p.Shortcut + "  " + lang.L("(mine)") + " " + oneLine(p.Text)
		}
		objs[i] = newChatTapRow(label, i == s.sel, func() { s.sel = i; s.pickSelected() })
	}
	s.rows.Objects = objs
	s.rows.Refresh()
}

// key moves through the suggestions (↑ ↓), picks one (Enter) or closes them (Esc).
func (s *phraseSuggest) key(k *fyne.KeyEvent) bool {
	if !s.visible() {
		return false
	}
	switch k.Name {
	case fyne.KeyDown:
		s.sel = (s.sel + 1) % len(s.matches)
	case fyne.KeyUp:
		s.sel = (s.sel + len(s.matches) - 1) % len(s.matches)
	case fyne.KeyReturn, fyne.KeyEnter:
		s.pickSelected()
		return true
	case fyne.KeyEscape:
		s.hide()
		return true
	default:
		return false
	}
	s.draw()
	return true
}

// pickSelected replaces the "/word" with the highlighted phrase, its placeholders filled
// from the open conversation (read in the background; see fillPhrase), and counts the use.
func (s *phraseSuggest) pickSelected() {
	if !s.visible() || s.sel < 0 || s.sel >= len(s.matches) {
		return
	}
	p := s.matches[s.sel]
	s.hide()
	s.c.fillPhrase(p, s.c.composer.Text, s.at)
	s.c.focusComposer() // a phrase tapped with the mouse took the focus away
	s.c.env.apply(shop.KindPhraseUse, p.ID, 0, nil, nil)
}

// chatTapRow is a one-line row that runs a function when tapped, highlighted when selected.
type chatTapRow struct {
	widget.BaseWidget
	label    *widget.Label
	bg       *themedRect
	selected bool
	onTap    func()
}

func newChatTapRow(text string, selected bool, onTap func()) *chatTapRow {
	r := &chatTapRow{label: newTruncLabel(text), selected: selected, onTap: onTap}
	r.bg = newThemedRect(theme.ColorNameHover)
	if selected {
		r.bg = newThemedRect(theme.ColorNameSelection)
		r.label.TextStyle.Bold = true
	}
	r.ExtendBaseWidget(r)
	return r
}

// Tapped runs the row's function.
func (r *chatTapRow) Tapped(*fyne.PointEvent) {
	if r.onTap != nil {
		r.onTap()
	}
}

func (r *chatTapRow) CreateRenderer() fyne.WidgetRenderer {
	if !r.selected {
		return widget.NewSimpleRenderer(r.label)
	}
	return widget.NewSimpleRenderer(container.NewStack(r.bg, r.label))
}
