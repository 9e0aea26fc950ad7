package screens

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// Evidence kinds, as shop.Evidence.Kind holds them.
const (
	evidenceChat  = "chat"
	evidenceOrder = "order"
	evidenceFile  = "file"
)

// excerptLimit is how many of the buyer's latest messages the chat excerpt dialog offers.
const excerptLimit = 100

// errEvidenceTooBig is returned for a file over shop.MaxEvidenceBytes.
var errEvidenceTooBig = errors.New("screens: the file is larger than 8 MB")

// lockerObjects is the evidence locker: the locked items, read-only, and the buttons that add
// items or export the locker as a ZIP; items are the locked ones, err why they could not be
// read.
func (r *reviewSection) lockerObjects(items []shop.Evidence, err error) []fyne.CanvasObject {
	objs := []fyne.CanvasObject{newHeading(lang.L("Evidence locker"))}
	if err != nil {
		objs = append(objs, newCaption(fmt.Sprintf(lang.L("Could not read the evidence: %v"), err)))
	}
	if len(items) == 0 && err == nil {
		objs = append(objs, newCaption(lang.L("Nothing locked yet. Items are locked with a SHA-256 and the time, and never change.")))
	}
	for _, ev := range items {
		title := container.NewBorder(nil, nil, widget.NewIcon(theme.ConfirmIcon()), nil, newHeading(ev.Title))
		meta := joinNonEmpty(" · ", evidenceKindName(ev.Kind), fmtFull(ev.LockedAt), staffLabel(ev.Staff))
		if r.env.writer.IsPending(shop.TypeEvidence, ev.ID) {
			meta = joinNonEmpty(" · ", meta, lang.L("Pending"))
		}
		objs = append(objs, container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()),
			title, newCaption(meta), newCaption("SHA-256 "+ev.SHA256)))
	}
	chat := widget.NewButtonWithIcon(lang.L("Chat excerpt"), theme.ContentAddIcon(), func() { r.addChatExcerpt() })
	order := widget.NewButtonWithIcon(lang.L("Order facts"), theme.ContentAddIcon(), func() { r.addOrderFacts() })
	file := widget.NewButtonWithIcon(lang.L("Image or file"), theme.ContentAddIcon(), func() { r.addFile() })
	export := widget.NewButtonWithIcon(lang.L("Export ZIP"), theme.DownloadIcon(), func() { r.exportLocker() })
	if len(items) == 0 {
		export.Disable()
	}
	objs = append(objs, container.NewHScroll(container.NewHBox(chat, order, file, export)))
	return objs
}

func evidenceKindName(kind string) string {
	switch kind {
	case evidenceChat:
		return lang.L("Chat excerpt")
	case evidenceOrder:
		return lang.L("Order facts")
	case evidenceFile:
		return lang.L("Image or file")
	}
	return kind
}

// lockEvidence hashes an item, stamps it with the time and records it; locked items are
// append-only (shop refuses a second evidence.add with the same id).
func (r *reviewSection) lockEvidence(ev shop.Evidence) {
	ev.ReviewID = r.open.ID
	ev.LockedAt = r.env.now()
	ev.SHA256 = shop.EvidenceHash(ev)
	r.env.apply(shop.KindEvidenceAdd, shop.NewID(), 0, ev, func(err error) {
		if err == nil {
			r.load(false)
		}
	})
}

// excerptLine is one message as a chat excerpt shows it.
func excerptLine(m shop.Message, nick string) string {
	who := nick
	switch m.From {
	case shop.FromStaff:
		who = staffLabel(m.Staff)
	case shop.FromAuto:
		who = lang.L("Auto-reply")
	case shop.FromSystem:
		who = lang.L("System message")
	}
	text := m.Text
	if m.Card != nil {
		text = joinNonEmpty(" ", text, "["+m.Card.Title+"]")
	}
	return fmt.Sprintf("[%s] %s: %s", m.At.In(shop.ShopZone).Format("2006-01-02 15:04:05"), who, text)
}

// addChatExcerpt lets the staff member tick messages of the buyer's conversations and locks
// them as one chat excerpt.
func (r *reviewSection) addChatExcerpt() {
	if r.open == nil || r.env.win == nil {
		return
	}
	rv := *r.open
	convs, err := r.data.ConversationsOf(r.env.ctx, rv.CustomerID)
	if err != nil || len(convs) == 0 {
		dialog.ShowInformation(lang.L("Chat excerpt"), lang.L("The buyer has no conversation on this desk."), r.env.win)
		return
	}
	msgs, err := r.data.Messages(r.env.ctx, convs[0].ID, "", excerptLimit)
	if err != nil {
		r.env.showError(err)
		return
	}
	checks := make([]*widget.Check, len(msgs))
	list := container.NewVBox()
	for i, m := range msgs {
		checks[i] = widget.NewCheck(oneLine(excerptLine(m, rv.Nick)), nil)
		list.Add(checks[i])
	}
	title := newDeskEntry(r.env)
	title.SetText(fmt.Sprintf(lang.L("Chat with %s"), rv.Nick))
	scroll := container.NewVScroll(list)
	scroll.SetMinSize(fyne.NewSize(560, 360))
	body := container.NewBorder(container.NewVBox(widget.NewLabel(lang.L("Tick the messages to lock:")), title), nil, nil, nil, scroll)
	d := dialog.NewCustomConfirm(lang.L("Chat excerpt"), lang.L("Lock as evidence"), lang.L("Cancel"), body, func(ok bool) {
		if !ok {
			return
		}
		var lines []string
		for i, c := range checks {
			if c.Checked {
				lines = append(lines, excerptLine(msgs[i], rv.Nick))
			}
		}
		if len(lines) == 0 {
			return
		}
		r.lockEvidence(shop.Evidence{Kind: evidenceChat, Title: strings.TrimSpace(title.Text), Text: strings.Join(lines, "\n")})
	}, r.env.win)
	d.Show()
	if len(checks) > 0 {
		scroll.ScrollToBottom()
	}
}

// orderFactsText is the order as an evidence item records it.
func orderFactsText(o shop.Order) string {
	lines := []string{
		fmt.Sprintf(lang.L("Order %s"), o.ID),
		fmt.Sprintf(lang.L("Buyer: %s"), o.Nick),
		fmt.Sprintf(lang.L("Order status: %s"), statusName(o.Status)),
		fmt.Sprintf(lang.L("Ordered at: %s"), fmtFull(o.CreatedAt)),
	}
	if !o.PaidAt.IsZero() {
		lines = append(lines, fmt.Sprintf(lang.L("Paid at: %s"), fmtFull(o.PaidAt)))
	}
	if !o.ShippedAt.IsZero() {
		lines = append(lines, fmt.Sprintf(lang.L("Shipped at: %s"), joinNonEmpty(" ", fmtFull(o.ShippedAt), o.Courier, o.Tracking)))
	}
	for _, it := range o.Items {
		lines = append(lines, fmt.Sprintf("%s %s ×%d %s", it.Name, it.Variant, it.Qty, it.Price))
	}
	lines = append(lines, fmt.Sprintf(lang.L("Order total: %s"), o.Total))
	return strings.Join(lines, "\n")
}

// addOrderFacts shows the order's facts and locks them on confirmation.
func (r *reviewSection) addOrderFacts() {
	if r.open == nil || r.env.win == nil {
		return
	}
	o, err := r.data.Order(r.env.ctx, r.open.OrderID)
	if err != nil {
		r.env.showError(err)
		return
	}
	text := orderFactsText(o)
	dialog.ShowCustomConfirm(lang.L("Order facts"), lang.L("Lock as evidence"), lang.L("Cancel"), newWrapLabel(text), func(ok bool) {
		if ok {
			r.lockEvidence(shop.Evidence{Kind: evidenceOrder, Title: fmt.Sprintf(lang.L("Order %s"), o.ID), Text: text})
		}
	}, r.env.win)
}

// readEvidenceFile reads at most shop.MaxEvidenceBytes from rd.
func readEvidenceFile(rd io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(rd, shop.MaxEvidenceBytes+1))
	if err != nil {
		return nil, fmt.Errorf("screens: reading the file: %w", err)
	}
	if len(b) > shop.MaxEvidenceBytes {
		return nil, errEvidenceTooBig
	}
	return b, nil
}

// addFile picks an image or file from disk and locks it.
func (r *reviewSection) addFile() {
	if r.open == nil || r.env.win == nil {
		return
	}
	dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			r.env.showError(err)
			return
		}
		if rc == nil {
			return
		}
		defer rc.Close()
		b, err := readEvidenceFile(rc)
		if err != nil {
			r.env.showError(err)
			return
		}
		name := rc.URI().Name()
		r.lockEvidence(shop.Evidence{Kind: evidenceFile, Title: name, FileName: name, Content: b})
	}, r.env.win).Show()
}

// exportLocker saves the open review's locker as a ZIP the staff member names.
func (r *reviewSection) exportLocker() {
	if r.open == nil || r.env.win == nil {
		return
	}
	rv := *r.open
	items, err := r.data.EvidenceOf(r.env.ctx, rv.ID)
	if err != nil {
		r.env.showError(err)
		return
	}
	var buf bytes.Buffer
	if err := writeEvidenceZip(&buf, rv, items, r.env.now()); err != nil {
		r.env.showError(err)
		return
	}
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			r.env.showError(err)
			return
		}
		if wc == nil {
			return
		}
		_, werr := wc.Write(buf.Bytes())
		if cerr := wc.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			r.env.showError(fmt.Errorf("screens: saving the evidence: %w", werr))
		}
	}, r.env.win)
	d.SetFileName(fmt.Sprintf("evidence-%s.zip", rv.ID))
	d.Show()
}

// evidenceFileName is the name of item i in the ZIP: a number, the kind, and the file's own
// name (reduced to a safe base name) or .txt for text items.
func evidenceFileName(i int, ev shop.Evidence) string {
	name := ev.Kind + ".txt"
	if ev.Kind == evidenceFile {
		base := path.Base(strings.ReplaceAll(ev.FileName, "\\", "/"))
		base = strings.Map(func(r rune) rune {
			if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
				return '_'
			}
			return r
		}, base)
		if base == "" || base == "." || base == ".." {
			base = "file.bin"
		}
		name = base
	}
	return fmt.Sprintf("%02d-%s", i+1, name)
}

// evidenceBytes is what the item's hash covers: the file's bytes, or its text.
func evidenceBytes(ev shop.Evidence) []byte {
	if ev.Kind == evidenceFile {
		return ev.Content
	}
	return []byte(ev.Text)
}

// writeEvidenceZip writes the locker as a ZIP for a platform appeal: review.txt (the review and
// its follow-up), one file per item, and index.csv listing each item's file, title, kind, lock
// time, staff number and SHA-256 (taken when it was locked).
func writeEvidenceZip(w io.Writer, rv shop.Review, items []shop.Evidence, now time.Time) error {
	zw := zip.NewWriter(w)
	add := func(name string, at time.Time, b []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
		if err != nil {
			return err
		}
		_, err = f.Write(b)
		return err
	}
	lines := []string{
		fmt.Sprintf(lang.L("Review %s"), rv.ID),
		fmt.Sprintf(lang.L("Buyer: %s"), rv.Nick),
		fmt.Sprintf(lang.L("Order %s"), rv.OrderID),
		stars(rv.Stars) + " " + fmtFull(rv.At),
		fmt.Sprintf(lang.L("Follow-up state: %s"), reviewStateName(rv.State)),
		"", rv.Text,
	}
	if rv.Reply != "" {
		lines = append(lines, "", joinNonEmpty(" · ", lang.L("Shop's reply"), staffLabel(rv.ReplyBy), fmtFull(rv.ReplyAt)), rv.Reply)
	}
	if len(rv.Steps) > 0 {
		lines = append(lines, "")
	}
	for _, s := range rv.Steps {
		lines = append(lines, joinNonEmpty(" ", fmtFull(s.At), reviewStateName(shop.ReviewState(s.From)), "→",
			reviewStateName(shop.ReviewState(s.To)), staffLabel(s.Staff), s.Note))
	}
	lines = append(lines, "", fmt.Sprintf(lang.L("Exported at %s"), fmtFull(now)), "")
	sum := strings.Join(lines, "\n")
	if err := add("review.txt", now, []byte(sum)); err != nil {
		return fmt.Errorf("screens: writing the evidence ZIP: %w", err)
	}
	rows := make([][]string, 0, len(items))
	for i, ev := range items {
		name := evidenceFileName(i, ev)
		if err := add(name, ev.LockedAt, evidenceBytes(ev)); err != nil {
			return fmt.Errorf("screens: writing the evidence ZIP: %w", err)
		}
		rows = append(rows, []string{name, ev.Title, ev.Kind, ev.LockedAt.UTC().Format(time.RFC3339), ev.Staff, ev.SHA256})
	}
	var idx bytes.Buffer
	if err := writeCSV(&idx, []string{"file", "title", "kind", "locked_at", "staff", "sha256"}, rows); err != nil {
		return err
	}
	if err := add("index.csv", now, idx.Bytes()); err != nil {
		return fmt.Errorf("screens: writing the evidence ZIP: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("screens: writing the evidence ZIP: %w", err)
	}
	return nil
}
