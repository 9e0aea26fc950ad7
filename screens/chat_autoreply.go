package screens

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// autoReplyEditor edits the shop's auto-replies, which the server runs: the first-contact
// greeting (at most four lines, with a live preview), business hours per weekday with the
// off-hours reply, and keyword replies.
type autoReplyEditor struct {
	c        *chatSection
	rules    shop.AutoReplies
	base     int64
	greeting *deskEntry
	lines    *widget.Label
	preview  *bubble
	prevBox  *fyne.Container
	offHours *deskEntry
	open     [7]*deskEntry
	close    [7]*deskEntry
	keywords *fyne.Container
	kwRows   []*chatKeywordRow
	msg      *widget.Label
	save     *widget.Button
	box      fyne.CanvasObject
}

// chatKeywordRow is one keyword reply in the editor.
type chatKeywordRow struct {
	keyword, text *deskEntry
	row           fyne.CanvasObject
}

func newAutoReplyEditor(c *chatSection) *autoReplyEditor {
	e := &autoReplyEditor{c: c, keywords: container.NewVBox()}
	rules, _, err := c.data.AutoReplies(c.env.ctx)
	e.rules = rules
	var cur shop.AutoReplies
	e.base, _, _ = c.env.writer.Get(c.env.ctx, shop.TypeAutoReply, shop.AutoRepliesID, &cur)

	e.greeting = newDeskMultiLineEntry(c.env)
	e.greeting.SetMinRowsVisible(4)
	e.greeting.SetText(rules.Greeting)
	e.greeting.OnChanged = func(string) { e.check() }
	e.lines = widget.NewLabel("")
	e.prevBox = container.NewStack()
	e.offHours = newDeskMultiLineEntry(c.env)
	e.offHours.SetMinRowsVisible(2)
	e.offHours.Wrapping = fyne.TextWrapWord
	e.offHours.SetText(rules.OffHours)

	hours := container.New(&chatGrid{widths: []float32{90, 110, 110}})
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		h := rules.Hours[d]
		e.open[d], e.close[d] = newDeskEntry(c.env), newDeskEntry(c.env)
		e.open[d].PlaceHolder, e.close[d].PlaceHolder = "09:00", "22:00"
		if h.Open != h.Close {
			e.open[d].SetText(chatFmtMinutes(h.Open))
			e.close[d].SetText(chatFmtMinutes(h.Close))
		}
		hours.Add(widget.NewLabel(chatWeekday(d)))
		hours.Add(e.open[d])
		hours.Add(e.close[d])
	}
	for _, k := range rules.Keywords {
		e.addKeyword(k.Keyword, k.Text)
	}
	addKw := widget.NewButtonWithIcon(lang.L("Add keyword reply"), theme.ContentAddIcon(), func() { e.addKeyword("", "") })
	e.msg = widget.NewLabel("")
	e.msg.Wrapping = fyne.TextWrapWord
	e.msg.Importance = widget.DangerImportance
	if err != nil {
		e.msg.SetText(err.Error())
	}
	e.save = widget.NewButtonWithIcon(lang.L("Save auto-replies"), theme.DocumentSaveIcon(), func() {
		e.submit(func(err error) {
			if err != nil {
				e.msg.SetText(err.Error())
				return
			}
			e.msg.SetText(lang.L("Saved; the server answers customers with these rules."))
			e.msg.Importance = widget.SuccessImportance
			e.msg.Refresh()
		})
	})
	e.save.Importance = widget.HighImportance

	greetingBox := container.NewVBox(
		newHeading(lang.L("First-contact greeting (at most 4 lines)")), e.greeting, e.lines,
		newCaption(lang.L("What the customer sees:")), e.prevBox)
	hoursBox := container.NewVBox(
		newHeading(lang.L("Business hours (empty = closed that day)")), hours,
		newHeading(lang.X("chat.off_hours_reply", "Off-hours reply")), e.offHours)
	kwBox := container.NewVBox(newHeading(lang.X("chat.keyword_replies", "Keyword replies")), e.keywords, addKw)
	cols := container.NewGridWithColumns(2, container.NewVBox(greetingBox, kwBox), hoursBox)
	e.box = container.NewBorder(nil, container.NewVBox(e.msg, container.NewHBox(e.save)), nil, nil, container.NewVScroll(cols))
	e.check()
	return e
}

func (e *autoReplyEditor) addKeyword(kw, text string) {
	r := &chatKeywordRow{keyword: newDeskEntry(e.c.env), text: newDeskEntry(e.c.env)}
	r.keyword.PlaceHolder = lang.X("chat.keyword", "Keyword")
	r.text.PlaceHolder = lang.X("chat.reply", "Reply")
	r.keyword.SetText(kw)
	r.text.SetText(text)
	del := widget.NewButtonWithIcon("", theme.DeleteIcon(), nil)
	r.row = container.NewBorder(nil, nil, container.New(&fixedWidth{width: 90}, r.keyword), del, r.text)
	del.OnTapped = func() {
		for i, x := range e.kwRows {
			if x == r {
				e.kwRows = append(e.kwRows[:i], e.kwRows[i+1:]...)
				break
			}
		}
		e.keywords.Remove(r.row)
	}
	e.kwRows = append(e.kwRows, r)
	e.keywords.Add(r.row)
}

// check counts the greeting's lines, refuses more than four and redraws the preview.
func (e *autoReplyEditor) check() {
	n := shop.LineCount(e.greeting.Text)
	e.lines.SetText(fmt.Sprintf(lang.L("%d of %d lines"), n, shop.MaxGreetingLines))
	if err := shop.ValidateGreeting(e.greeting.Text); err != nil {
		e.lines.Importance = widget.DangerImportance
		e.lines.SetText(fmt.Sprintf(lang.L("%d lines: the greeting may have at most %d"), n, shop.MaxGreetingLines))
		e.save.Disable()
	} else {
		e.lines.Importance = widget.MediumImportance
		e.lines.Refresh()
		e.save.Enable()
	}
	e.preview = newBubble(bubbleData{from: shop.FromAuto, meta: lang.L("Auto-reply"), text: strings.TrimRight(e.greeting.Text, "\n")})
	e.preview.wrap(420)
	e.prevBox.Objects = []fyne.CanvasObject{e.preview}
	e.prevBox.Refresh()
}

// rulesFromForm builds the auto-replies the form describes.
func (e *autoReplyEditor) rulesFromForm() (shop.AutoReplies, error) {
	r := e.rules
	r.ID = shop.AutoRepliesID
	r.Greeting = e.greeting.Text
	if err := shop.ValidateGreeting(r.Greeting); err != nil {
		return r, fmt.Errorf(lang.L("%d lines: the greeting may have at most %d"), shop.LineCount(r.Greeting), shop.MaxGreetingLines)
	}
	r.OffHours = strings.TrimSpace(e.offHours.Text)
	for d := range r.Hours {
		o, c := strings.TrimSpace(e.open[d].Text), strings.TrimSpace(e.close[d].Text)
		if o == "" && c == "" {
			r.Hours[d] = shop.BusinessHours{}
			continue
		}
		om, ok1 := chatParseMinutes(o)
		cm, ok2 := chatParseMinutes(c)
		if !ok1 || !ok2 || om >= cm {
			return r, fmt.Errorf(lang.L("%s: give the hours as 09:00 to 22:00"), chatWeekday(time.Weekday(d)))
		}
		r.Hours[d] = shop.BusinessHours{Open: om, Close: cm}
	}
	r.Keywords = nil
	for _, k := range e.kwRows {
		kw, text := strings.TrimSpace(k.keyword.Text), strings.TrimSpace(k.text.Text)
		if kw == "" && text == "" {
			continue
		}
		if kw == "" || text == "" {
			return r, errors.New(lang.L("Every keyword needs a reply, and every reply a keyword."))
		}
		r.Keywords = append(r.Keywords, shop.KeywordReply{Keyword: kw, Text: text})
	}
	// Auto-replies go out as written: a placeholder in one would reach the customer as typed.
	all := r.Greeting + r.OffHours
	for _, k := range r.Keywords {
		all += k.Text
	}
	if left := shop.Unfilled(all); len(left) > 0 {
		return r, fmt.Errorf(lang.L("Auto-replies are sent as written: %s cannot be filled in. Write the words instead."), strings.Join(left, " "))
	}
	return r, nil
}

// submit records the edited auto-replies; done gets how it went.
func (e *autoReplyEditor) submit(done func(error)) {
	r, err := e.rulesFromForm()
	if err != nil {
		done(err)
		return
	}
	e.c.env.apply(shop.KindAutoReplyPut, shop.AutoRepliesID, e.base, r, func(err error) {
		if err != nil {
			done(err)
			return
		}
		e.rules = r
		// The next save is based on the version just written.
		background(e.c.env, func(ctx context.Context) (int64, error) {
			var cur shop.AutoReplies
			v, _, err := e.c.env.writer.Get(ctx, shop.TypeAutoReply, shop.AutoRepliesID, &cur)
			return v, err
		}, func(v int64, _ error) {
			e.base = v
			done(nil)
		})
	})
}

// showAutoReplyEditor opens the auto-reply editor.
func (c *chatSection) showAutoReplyEditor() {
	if c.env.win == nil {
		return
	}
	e := newAutoReplyEditor(c)
	d := dialog.NewCustom(lang.L("Auto-replies"), lang.L("Close"), e.box, c.env.win)
	d.Resize(fyne.NewSize(1000, 640))
	d.Show()
}

// chatParseMinutes reads "9:00" or "09:30" as minutes after midnight (24:00 allowed).
func chatParseMinutes(s string) (int, bool) {
	var h, m int
	if n, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || n != 2 {
		return 0, false
	}
	if h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// chatFmtMinutes writes minutes after midnight as HH:MM.
func chatFmtMinutes(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// chatWeekday is a weekday's translated name.
func chatWeekday(d time.Weekday) string {
	switch d {
	case time.Monday:
		return lang.X("chat.monday", "Monday")
	case time.Tuesday:
		return lang.X("chat.tuesday", "Tuesday")
	case time.Wednesday:
		return lang.X("chat.wednesday", "Wednesday")
	case time.Thursday:
		return lang.X("chat.thursday", "Thursday")
	case time.Friday:
		return lang.X("chat.friday", "Friday")
	case time.Saturday:
		return lang.X("chat.saturday", "Saturday")
	}
	return lang.X("chat.sunday", "Sunday")
}

// chatGrid lays objects out in rows of len(widths) fixed-width columns.
type chatGrid struct{ widths []float32 }

func (g *chatGrid) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	n := len(g.widths)
	y := float32(0)
	for i := 0; i < len(objs); i += n {
		h := float32(0)
		for j := i; j < i+n && j < len(objs); j++ {
			h = max(h, objs[j].MinSize().Height)
		}
		x := float32(0)
		for j := i; j < i+n && j < len(objs); j++ {
			objs[j].Move(fyne.NewPos(x, y))
			objs[j].Resize(fyne.NewSize(g.widths[j-i], h))
			x += g.widths[j-i] + pad
		}
		y += h + pad
	}
}

func (g *chatGrid) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	n := len(g.widths)
	var w, y float32
	for _, x := range g.widths {
		w += x + pad
	}
	for i := 0; i < len(objs); i += n {
		h := float32(0)
		for j := i; j < i+n && j < len(objs); j++ {
			h = max(h, objs[j].MinSize().Height)
		}
		y += h + pad
	}
	return fyne.NewSize(w-pad, max(y-pad, 0))
}
