package screens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// SearchData is what the search over everything reads.
type SearchData interface {
	Search(ctx context.Context, q desk.SearchQuery) (desk.SearchResult, error)
	SearchCustomers(ctx context.Context, q string, limit int) ([]shop.Customer, error)
	Customer(ctx context.Context, id string) (shop.Customer, error)
}

// searchKey is Ctrl+Shift+F (Cmd+Shift+F on macOS): the search over everything, from anywhere.
var searchKey = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}

// isSearchKey reports whether s is Ctrl+Shift+F.
func isSearchKey(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	return ok && cs.KeyName == searchKey.KeyName && cs.Modifier == searchKey.Modifier
}

// searchRow is one hit as the results list shows it.
type searchRow struct {
	hit desk.SearchHit
	who string // the customer's nick, or the staff member
}

// searchDialog is the search over every message, note, review, case, complaint and piece of
// evidence: a query box with filters (kind, staff number, customer, dates), the hits newest
// first with the hit highlighted, and choosing one opens it where it lives.
type searchDialog struct {
	env  *env
	data SearchData
	open func(desk.SearchHit) // shows a hit in its section (the desk sets it)

	query    *searchEntry
	kind     *widget.Select
	staff    *widget.Entry
	customer *widget.Entry
	from, to *widget.Entry
	status   *widget.Label
	list     *widget.List
	rows     []searchRow
	loading  latest
	dlg      dialog.Dialog
	box      fyne.CanvasObject
}

func newSearchDialog(e *env, data SearchData, open func(desk.SearchHit)) *searchDialog {
	s := &searchDialog{env: e, data: data, open: open}
	s.query = newSearchEntry(lang.X("search.placeholder", "Search messages, notes, reviews, cases…"), nil, func(string) { s.run() })
	kinds := []string{lang.X("search.kind.all", "All kinds")}
	for _, k := range desk.SearchKinds {
		kinds = append(kinds, searchKindName(k))
	}
	s.kind = widget.NewSelect(kinds, nil)
	s.kind.SetSelectedIndex(0)
	s.kind.OnChanged = func(string) { s.run() }
	entry := func(ph string) *widget.Entry {
		x := widget.NewEntry()
		x.PlaceHolder = ph
		x.OnChanged = func(string) { s.run() }
		return x
	}
	s.staff = entry(lang.X("search.staff", "Staff no."))
	s.customer = entry(lang.X("search.customer", "Customer nick"))
	s.from = entry(lang.X("search.from", "From 2026-01-31"))
	s.to = entry(lang.X("search.to", "To 2026-12-31"))
	s.status = widget.NewLabel("")
	s.list = widget.NewList(func() int { return len(s.rows) }, newSearchRowView, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i < len(s.rows) {
			o.(*searchRowView).set(s.rows[i], s.env.now())
		}
	})
	s.list.OnSelected = func(i widget.ListItemID) {
		s.list.UnselectAll()
		if i < len(s.rows) {
			s.choose(i)
		}
	}
	filters := container.NewGridWithColumns(5, s.kind, s.staff, s.customer, s.from, s.to)
	s.box = container.NewBorder(container.NewVBox(s.query, filters, s.status), nil, nil, nil, s.list)
	if e.win != nil {
		s.dlg = dialog.NewCustom(lang.X("search.title", "Search everything"), lang.L("Close"), s.box, e.win)
		s.dlg.Resize(fyne.NewSize(960, 600))
	}
	return s
}

// show opens the dialog with the query box focused.
func (s *searchDialog) show() {
	if s.dlg != nil {
		s.dlg.Show()
		s.env.win.Canvas().Focus(s.query)
	}
	s.run()
}

// choose opens hit i where it lives and closes the dialog.
func (s *searchDialog) choose(i int) {
	hit := s.rows[i].hit
	if s.dlg != nil {
		s.dlg.Hide()
	}
	if s.open != nil {
		s.open(hit)
	}
}

// searchRead is one search's hits with who they concern.
type searchRead struct {
	res  desk.SearchResult
	rows []searchRow
}

// parseDay reads a date typed as 2026-12-07 (or 2026/12/07) in the shop's time zone.
func parseDay(s string) (time.Time, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "/", "-")
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation("2006-1-2", s, shop.ShopZone)
	return t, err == nil
}

// run searches for what the boxes say (in the background; the newest run wins).
func (s *searchDialog) run() {
	q := desk.SearchQuery{Text: s.query.Text, Staff: strings.TrimSpace(s.staff.Text), Limit: 100}
	if i := s.kind.SelectedIndex(); i > 0 {
		q.Kinds = []desk.SearchKind{desk.SearchKinds[i-1]}
	}
	from, ok1 := parseDay(s.from.Text)
	to, ok2 := parseDay(s.to.Text)
	if !ok1 || !ok2 {
		s.status.SetText(lang.X("search.bad_date", "Type dates as 2026-12-07."))
		return
	}
	q.From = from
	if !to.IsZero() {
		q.To = to.AddDate(0, 0, 1)
	}
	nick := strings.TrimSpace(s.customer.Text)
	latestRun(&s.loading, s.env, func(ctx context.Context) (searchRead, error) {
		var r searchRead
		if strings.TrimSpace(q.Text) == "" {
			return r, nil
		}
		if nick != "" {
			cs, err := s.data.SearchCustomers(ctx, nick, 1)
			if err != nil {
				return r, err
			}
			if len(cs) == 0 {
				return r, nil
			}
			q.Customer = cs[0].ID
		}
		var err error
		if r.res, err = s.data.Search(ctx, q); err != nil {
			return r, err
		}
		nicks := map[string]string{}
		for _, h := range r.res.Hits {
			who := ""
			if h.CustomerID != "" {
				n, ok := nicks[h.CustomerID]
				if !ok {
					if c, err := s.data.Customer(ctx, h.CustomerID); err == nil {
						n = c.Nick
					}
					nicks[h.CustomerID] = n
				}
				who = n
			}
			if h.Staff != "" && (h.Kind != desk.SearchMessage || who == "") {
				who = joinNonEmpty(" · ", who, staffLabel(h.Staff))
			}
			r.rows = append(r.rows, searchRow{hit: h, who: who})
		}
		return r, nil
	}, func(r searchRead, err error) { s.showResults(q, r, err) })
}

// showResults draws a search's outcome.
func (s *searchDialog) showResults(q desk.SearchQuery, r searchRead, err error) {
	s.rows = r.rows
	s.list.Refresh()
	s.list.ScrollToTop()
	switch {
	case err != nil:
		s.status.SetText(fmt.Sprintf(lang.X("search.error", "Could not search: %v"), err))
	case strings.TrimSpace(q.Text) == "":
		s.status.SetText(lang.X("search.hint", "Chinese phrases, words, order and phone numbers (any part of them)."))
	case len(s.rows) == 0:
		s.status.SetText(lang.X("search.none", "Nothing found."))
	case r.res.More:
		s.status.SetText(fmt.Sprintf(lang.X("search.more", "The newest %d results."), len(s.rows)))
	default:
		s.status.SetText(fmt.Sprintf(lang.X("search.count", "%d results."), len(s.rows)))
	}
	if err == nil && !r.res.Complete && strings.TrimSpace(q.Text) != "" {
		s.status.SetText(s.status.Text + " " + fmt.Sprintf(lang.X("search.indexing", "Indexing older records: %d%%."), r.res.Percent))
	}
}

// searchKindName is a kind as the filter and the rows name it.
func searchKindName(k desk.SearchKind) string {
	switch k {
	case desk.SearchMessage:
		return lang.X("search.kind.message", "Chat messages")
	case desk.SearchNote:
		return lang.X("search.kind.note", "Order notes")
	case desk.SearchReview:
		return lang.X("search.kind.review", "Reviews")
	case desk.SearchCase:
		return lang.X("search.kind.case", "After-sales cases")
	case desk.SearchComplaint:
		return lang.X("search.kind.complaint", "Complaints")
	case desk.SearchEvidence:
		return lang.X("search.kind.evidence", "Evidence")
	}
	return string(k)
}

func searchKindIcon(k desk.SearchKind) fyne.Resource {
	switch k {
	case desk.SearchMessage:
		return iconChat
	case desk.SearchNote, desk.SearchCase:
		return iconOrders
	case desk.SearchReview, desk.SearchEvidence:
		return iconReviews
	case desk.SearchComplaint:
		return iconCustomers
	}
	return theme.SearchIcon()
}

// searchRowView is one line of the results: the kind's icon, who and when, and the snippet
// with the hit in the accent colour.
type searchRowView struct {
	widget.BaseWidget
	icon    *widget.Icon
	head    *widget.Label
	snippet *widget.RichText
	box     fyne.CanvasObject
}

func newSearchRowView() fyne.CanvasObject {
	v := &searchRowView{icon: widget.NewIcon(iconChat), head: widget.NewLabel(""), snippet: widget.NewRichText()}
	v.head.TextStyle.Bold = true
	v.head.Truncation = fyne.TextTruncateEllipsis
	v.snippet.Truncation = fyne.TextTruncateEllipsis
	v.box = container.NewBorder(nil, nil, v.icon, nil, container.NewVBox(v.head, v.snippet))
	v.ExtendBaseWidget(v)
	return v
}

func (v *searchRowView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(v.box) }

func (v *searchRowView) set(r searchRow, now time.Time) {
	v.icon.SetResource(searchKindIcon(r.hit.Kind))
	v.head.SetText(joinNonEmpty(" · ", searchKindName(r.hit.Kind), r.who, fmtWhen(r.hit.At, now)))
	v.snippet.Segments = snippetSegments(r.hit.Snippet, r.hit.Marks)
	v.snippet.Refresh()
}

// snippetSegments is a snippet as rich text: the marked runes bold in the primary colour.
func snippetSegments(text string, marks [][2]int) []widget.RichTextSegment {
	rs := []rune(text)
	plain := widget.RichTextStyleInline
	hit := widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePrimary, TextStyle: fyne.TextStyle{Bold: true}}
	var segs []widget.RichTextSegment
	at := 0
	for _, m := range marks {
		if m[0] < at || m[1] > len(rs) || m[0] >= m[1] {
			continue
		}
		if m[0] > at {
			segs = append(segs, &widget.TextSegment{Text: string(rs[at:m[0]]), Style: plain})
		}
		segs = append(segs, &widget.TextSegment{Text: string(rs[m[0]:m[1]]), Style: hit})
		at = m[1]
	}
	if at < len(rs) || len(segs) == 0 {
		segs = append(segs, &widget.TextSegment{Text: string(rs[at:]), Style: plain})
	}
	return segs
}
