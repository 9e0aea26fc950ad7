package screens

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kefu/localdb"
	"kefu/shop"
)

// fakeServer is the store server as far as these tests need it: the demo shop as the feed
// gave it, the shared rules deciding each pushed mutation, and a feed of what they wrote.
type fakeServer struct {
	recs map[string]shop.Record
	seq  int64
}

func newFakeServer(t *testing.T) *fakeServer {
	s := &fakeServer{recs: map[string]shop.Record{}}
	for i, r := range demoRecords(t) {
		r.Seq = int64(i + 1)
		s.recs[string(r.Type)+"/"+r.ID] = r
		s.seq = r.Seq
	}
	return s
}

func (s *fakeServer) Get(t shop.EntityType, id string, v any) (int64, bool, error) {
	r, ok := s.recs[string(t)+"/"+id]
	if !ok || r.Deleted {
		return 0, false, nil
	}
	return r.Seq, true, json.Unmarshal(r.Data, v)
}

// sync pushes the desk's outbox, acknowledges it and pulls what the server wrote, as the sync
// engine does when it is back online.
func (s *fakeServer) sync(t *testing.T, db *localdb.DB) {
	t.Helper()
	out, err := db.Outbox(0)
	if err != nil {
		t.Fatal(err)
	}
	var acks []localdb.Ack
	var feed []shop.Record
	for _, m := range out {
		o, err := shop.Decide(s, m, testNow)
		if err != nil {
			t.Fatalf("server: %s: %v", m.Kind, err)
		}
		if o.Conflict != nil {
			acks = append(acks, localdb.Ack{ID: m.ID, Status: localdb.AckConflict, Conflict: o.Conflict})
			continue
		}
		for _, r := range o.Records {
			s.seq++
			r.Seq = s.seq
			s.recs[string(r.Type)+"/"+r.ID] = r
			feed = append(feed, r)
		}
		acks = append(acks, localdb.Ack{ID: m.ID, Status: localdb.AckApplied})
	}
	if err := db.Acknowledge(acks); err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyChanges(feed, s.seq); err != nil {
		t.Fatal(err)
	}
}

// TestReviewFollowUpUI: filter bad reviews, contact the buyer (the chat opens with the apology
// in the composer), move the review to resolved, all with sync off: everything is recorded
// locally and shown as pending. Then sync runs: nothing is pending any more and the server
// holds the same follow-up.
func TestReviewFollowUpUI(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	d.Show(SectionReviews)
	r := d.reviews
	remindBefore := r.remindN
	if remindBefore == 0 || !d.status.reviews.Visible() {
		t.Fatal("the demo shop's untouched bad reviews are not surfaced")
	}

	r.rating.SetSelectedIndex(3) // bad
	if len(r.reviews) == 0 {
		t.Fatal("no bad review listed")
	}
	for _, rv := range r.reviews {
		if rv.Rating() != shop.RatingBad {
			t.Fatalf("the bad filter listed a %d-star review", rv.Stars)
		}
	}
	first := r.reviews[0]
	if !first.Untouched(testNow, shop.ReviewReminderAfter) || first.State != shop.ReviewNew {
		t.Fatalf("the first bad review %s (%s) is not an untouched one", first.ID, first.State)
	}
	r.picker.pick(0)
	if r.open == nil || r.open.ID != first.ID {
		t.Fatal("picking the first row did not open it")
	}

	// Contact the buyer: the contact is logged and the chat opens with the apology.
	test.Tap(r.work.contact)
	if d.Current() != SectionChat || d.chat.open == nil || d.chat.open.CustomerID != first.CustomerID {
		t.Fatalf("contacting the buyer did not open the buyer's chat (section %d)", d.Current())
	}
	if !strings.Contains(d.chat.composer.Text, first.OrderID) || !strings.Contains(d.chat.composer.Text, first.Nick) {
		t.Fatalf("the composer holds %q; want the apology naming the buyer and the order", d.chat.composer.Text)
	}
	ob := f.outbox()
	if len(ob) != 1 || ob[0].Kind != shop.KindReviewContact || ob[0].Entity != first.ID {
		t.Fatalf("outbox %+v; want the contact", ob)
	}

	// Back in the reviews: contacted, then resolving, then resolved with a note.
	d.Show(SectionReviews)
	if r.open == nil || r.open.State != shop.ReviewContacted {
		t.Fatalf("the review is %v after the contact; want contacted", r.open)
	}
	test.Tap(r.work.moveBtns[shop.ReviewResolving])
	test.Type(r.work.note, "已补发新的一件")
	test.Tap(r.work.moveBtns[shop.ReviewResolved])
	f.drain()     // the store's change notices come back to the window,
	f.desk.Tick() // and are drawn by the next tick
	rv, err := f.db.Review(first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rv.State != shop.ReviewResolved || len(rv.Steps) != 3 || rv.Steps[2].Note != "已补发新的一件" || rv.Steps[2].Staff != f.staff.Number {
		t.Fatalf("review after the moves %+v", rv)
	}
	if n := len(f.outbox()); n != 3 {
		t.Fatalf("%d mutations in the outbox; want contact and two moves", n)
	}
	if !strings.Contains(joined(r.detail), "待同步") {
		t.Fatalf("the detail does not say the review is pending: %s", joined(r.detail))
	}
	if !strings.Contains(d.status.pending.Text, "3") {
		t.Fatalf("status bar says %q; want 3 pending", d.status.pending.Text)
	}
	if r.remindN != remindBefore-1 {
		t.Fatalf("%d reminders after the follow-up; want %d", r.remindN, remindBefore-1)
	}
	// The next legal step is offered, finished ones are not.
	if !holds(r.detail, r.work.moveBtns[shop.ReviewRevisionRequested]) || holds(r.detail, r.work.moveBtns[shop.ReviewResolving]) {
		t.Fatal("the detail does not offer exactly the next legal steps of a resolved review")
	}

	// Sync comes back.
	srv := newFakeServer(t)
	srv.sync(t, f.db)
	f.drain()
	if f.db.OutboxLen() != 0 || f.db.IsPending(shop.TypeReview, first.ID) {
		t.Fatal("after sync the review is still pending")
	}
	d.Tick()
	if strings.Contains(joined(r.detail), "待同步") {
		t.Fatal("the detail still says pending after sync")
	}
	var server shop.Review
	if _, ok, err := srv.Get(shop.TypeReview, first.ID, &server); err != nil || !ok || server.State != shop.ReviewResolved || server.Contacts != 1 {
		t.Fatalf("the server has %+v, %v", server, err)
	}
	if probs, _ := f.db.Problems(); len(probs) != 0 {
		t.Fatalf("problems after sync: %+v", probs)
	}
}

// holds reports whether o is in the tree under root (containers and scrolls).
func holds(root, o fyne.CanvasObject) bool {
	if root == o {
		return true
	}
	switch x := root.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			if holds(c, o) {
				return true
			}
		}
	case *container.Scroll:
		return holds(x.Content, o)
	}
	return false
}

// TestReviewReplyCountAndTemplates: the reply counts characters as they are typed, refuses
// more than 500, and a template fills it.
func TestReviewReplyCountAndTemplates(t *testing.T) {
	f := newFixture(t)
	f.desk.Show(SectionReviews)
	w := f.desk.reviews.work
	if w.saveReply.Disabled() == false {
		t.Fatal("an empty reply can be published")
	}
	test.Type(w.reply, "亲，抱歉")
	if w.replyLen.Text != "4/500" || w.saveReply.Disabled() {
		t.Fatalf("count %q, disabled %v", w.replyLen.Text, w.saveReply.Disabled())
	}
	w.reply.SetText(strings.Repeat("歉", 501))
	if w.replyLen.Text != "501/500" || !w.saveReply.Disabled() {
		t.Fatalf("over the limit: count %q, disabled %v", w.replyLen.Text, w.saveReply.Disabled())
	}
	if len(w.templates.Options) == 0 {
		t.Fatal("no reply templates")
	}
	w.templates.SetSelectedIndex(0)
	if w.reply.Text != w.templates.Options[0] || w.saveReply.Disabled() {
		t.Fatalf("the template did not fill the reply: %q", w.reply.Text)
	}
	open := f.desk.reviews.open.ID
	test.Tap(w.saveReply)
	rv, err := f.db.Review(open)
	if err != nil || rv.Reply != w.templates.Options[0] || rv.ReplyBy != f.staff.Number {
		t.Fatalf("reply %q by %q, %v", rv.Reply, rv.ReplyBy, err)
	}
}

// TestEvidenceExportHashes locks a file, a chat excerpt and order facts, exports the locker,
// and checks that every file in the ZIP hashes to what index.csv and the locked item say, and
// that a locked item cannot be replaced.
func TestEvidenceExportHashes(t *testing.T) {
	db := newDemoStore(t)
	reviews, err := db.Reviews(localdb.ReviewFilter{Rating: shop.RatingBad}, 1)
	if err != nil || len(reviews) == 0 {
		t.Fatalf("no bad review: %v", err)
	}
	rv := reviews[0]
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 5000)...)
	items := []shop.Evidence{
		{Kind: evidenceFile, Title: "聊天截图", FileName: `C:\截图\chat 1.png`, Content: png},
		{Kind: evidenceChat, Title: "与买家的聊天", Text: "[2026-05-14 10:00:00] 买家: 不返现就差评"},
		{Kind: evidenceOrder, Title: "订单", Text: orderFactsText(shop.Order{ID: rv.OrderID, Nick: rv.Nick, Status: shop.StatusCompleted})},
	}
	ids := make([]string, len(items))
	for i, ev := range items {
		ev.ReviewID = rv.ID
		ev.LockedAt = testNow
		ids[i] = shop.NewID()
		m, err := shop.NewMutation(shop.KindEvidenceAdd, ids[i], "1002", testNow, ev)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Apply(m); err != nil {
			t.Fatal(err)
		}
	}
	locked, err := db.EvidenceOf(rv.ID)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]shop.Evidence{}
	for _, ev := range locked {
		byID[ev.ID] = ev
	}

	var buf bytes.Buffer
	if err := writeEvidenceZip(&buf, rv, locked, testNow); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[zf.Name] = b
	}
	if _, ok := files["review.txt"]; !ok {
		t.Fatal("no review.txt in the ZIP")
	}
	index := strings.TrimPrefix(string(files["index.csv"]), utf8BOM)
	rows, err := csv.NewReader(strings.NewReader(index)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(locked) || strings.Join(rows[0], ",") != "file,title,kind,locked_at,staff,sha256" {
		t.Fatalf("index.csv rows %v", rows)
	}
	want := map[string][]byte{evidenceFile: png, evidenceChat: []byte(items[1].Text), evidenceOrder: []byte(items[2].Text)}
	for _, row := range rows[1:] {
		name, kind, staff, sum := row[0], row[2], row[4], row[5]
		b, ok := files[name]
		if !ok {
			t.Fatalf("index names %s, which is not in the ZIP", name)
		}
		h := sha256.Sum256(b)
		if hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s hashes to %x; the index says %s", name, h, sum)
		}
		o := sha256.Sum256(want[kind])
		if sum != hex.EncodeToString(o[:]) || !bytes.Equal(b, want[kind]) {
			t.Errorf("%s: the exported %s item differs from what was locked", name, kind)
		}
		if staff != "1002" {
			t.Errorf("%s locked by %q", name, staff)
		}
		if strings.ContainsAny(name, `\/:`) {
			t.Errorf("unsafe file name %q in the ZIP", name)
		}
	}
	for _, id := range ids {
		if byID[id].SHA256 == "" || byID[id].LockedAt.IsZero() {
			t.Errorf("item %s locked without hash or time: %+v", id, byID[id])
		}
	}

	// A locked item cannot change: the same id again, with other content, is refused and
	// the item stays as it was.
	changed := byID[ids[0]]
	changed.Content, changed.SHA256 = []byte("forged"), ""
	m, err := shop.NewMutation(shop.KindEvidenceAdd, ids[0], "1001", testNow, changed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Apply(m); err == nil || !strings.Contains(err.Error(), "cannot be changed") {
		t.Fatalf("replacing a locked item: %v; want a rejection", err)
	}
	after, err := db.EvidenceOf(rv.ID)
	if err != nil || len(after) != len(locked) {
		t.Fatalf("evidence after the refused change: %d items, %v", len(after), err)
	}
	for _, ev := range after {
		if ev.ID == ids[0] && (!bytes.Equal(ev.Content, png) || ev.SHA256 != byID[ids[0]].SHA256) {
			t.Fatal("the locked file changed")
		}
	}
	// Files over 8 MB are refused before they are read whole.
	if _, err := readEvidenceFile(bytes.NewReader(make([]byte, shop.MaxEvidenceBytes+1))); err != errEvidenceTooBig {
		t.Fatalf("a 8 MB + 1 file: %v", err)
	}
	if b, err := readEvidenceFile(bytes.NewReader(png)); err != nil || !bytes.Equal(b, png) {
		t.Fatalf("reading a small file: %v", err)
	}
}

// TestReviewReminderSetting: a longer reminder delay surfaces fewer reviews, in the list and in
// the status bar, and is kept as a preference.
func TestReviewReminderSetting(t *testing.T) {
	f := newFixture(t)
	f.desk.Show(SectionReviews)
	r := f.desk.reviews
	n24 := r.remindN
	if n24 == 0 || !strings.HasPrefix(f.desk.status.reviews.Text, fmt.Sprint(n24)) {
		t.Fatalf("%d reminders at 24 h; the status bar says %q", n24, f.desk.status.reviews.Text)
	}
	// The status bar's reminder opens the inbox with every filter cleared, reminders on top.
	r.rating.SetSelectedIndex(1) // good: no reminder among them
	f.desk.Show(SectionChat)
	test.Tap(f.desk.status.reviews)
	if f.desk.Current() != SectionReviews || r.rating.SelectedIndex() != 0 || len(r.reviews) < n24 {
		t.Fatalf("the reminder opened section %d with rating filter %d", f.desk.Current(), r.rating.SelectedIndex())
	}
	for i := range n24 {
		if !r.reviews[i].Untouched(testNow, shop.ReviewReminderAfter) {
			t.Fatalf("row %d (%s) is not an untouched review; reminders come first", i, r.reviews[i].ID)
		}
	}
	r.remindAt.SetSelectedIndex(len(reviewRemindChoices) - 1) // 72 h
	if got := f.desk.env.app.Preferences().Int(prefReviewRemindHours); got != 72 {
		t.Fatalf("preference %d; want 72", got)
	}
	if r.remindN >= n24 {
		t.Fatalf("%d reminders at 72 h, %d at 24 h; want fewer", r.remindN, n24)
	}
	if !strings.HasPrefix(f.desk.status.reviews.Text, fmt.Sprint(r.remindN)) && r.remindN > 0 {
		t.Fatalf("status bar says %q; want %d reviews", f.desk.status.reviews.Text, r.remindN)
	}
}

// TestReplyTemplatesStayInTheWindow: the reply templates open in a list that fits between the
// window's edges, in a window as small as a 1280×720 screen leaves, even when the reply box is
// at the bottom of the pane; picking one fills the reply.
func TestReplyTemplatesStayInTheWindow(t *testing.T) {
	f := newFixture(t)
	room := fyne.NewSize(1264, 648)
	f.win.Resize(room)
	f.desk.Show(SectionReviews)
	f.drain()
	r := f.desk.reviews
	// Scroll the reply box to the window's bottom edge, where the drop-down used to run over
	// the status bar.
	r.scroll.ScrollToBottom()
	w := r.work
	test.Tap(w.templates.button)
	p := w.templates.popup
	if p == nil || !p.Visible() {
		t.Fatal("the reply templates did not open")
	}
	inner := p.Content
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(inner)
	size := inner.Size()
	if pos.X < 0 || pos.Y < 0 || pos.X+size.Width > room.Width+0.5 || pos.Y+size.Height > room.Height+0.5 {
		t.Errorf("the templates take %v at %v; the window is %v", size, pos, room)
	}
	if _, ok := inner.(*container.Scroll); !ok {
		t.Errorf("the templates are a %T, not a list that scrolls", inner)
	}
	var pick *widget.Button
	for _, o := range test.LaidOutObjects(inner) {
		if b, ok := o.(*widget.Button); ok && pick == nil {
			pick = b
		}
	}
	if pick == nil {
		t.Fatal("no template to pick")
	}
	test.Tap(pick)
	if w.reply.Text != w.templates.Options[0] || p.Visible() {
		t.Errorf("picking the first template: reply %q, list still open %v", w.reply.Text, p.Visible())
	}
}

// TestGoodReviewsNeedNoFollowUp: new good reviews that do not complain read 无需跟进 and have
// a filter of their own; 待跟进 lists only reviews that need follow-up, which come first.
func TestGoodReviewsNeedNoFollowUp(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	d.Show(SectionReviews)
	r := d.reviews
	idx := func(name string) int {
		for i, o := range r.state.Options {
			if o == name {
				return i
			}
		}
		t.Fatalf("the state filter has no %q: %v", name, r.state.Options)
		return -1
	}
	// All states: no good review waiting only for a reply is listed before one to follow up.
	seenGood := false
	for _, rv := range r.reviews {
		if rv.State != shop.ReviewNew {
			continue
		}
		if !rv.NeedsFollowUp() {
			seenGood = true
		} else if seenGood {
			t.Errorf("%d★ review %s to follow up is listed after a good one", rv.Stars, rv.ID)
		}
	}
	r.state.SetSelectedIndex(idx("待跟进"))
	if len(r.reviews) == 0 {
		t.Fatal("待跟进 lists nothing")
	}
	for _, rv := range r.reviews {
		if rv.State != shop.ReviewNew || !rv.NeedsFollowUp() {
			t.Errorf("待跟进 lists %s: %d★ %q, state %s", rv.ID, rv.Stars, rv.Text, rv.State)
		}
	}
	r.state.SetSelectedIndex(idx("无需跟进"))
	if len(r.reviews) == 0 {
		t.Fatal("无需跟进 lists nothing; the demo shop has good reviews")
	}
	for i, rv := range r.reviews {
		if rv.State != shop.ReviewNew || rv.NeedsFollowUp() || rv.Stars < 4 {
			t.Errorf("无需跟进 lists %s: %d★ state %s", rv.ID, rv.Stars, rv.State)
		}
		row := newReviewRow()
		r.updateRow(i, row)
		if got := row.(*reviewRow).state.Text; !strings.HasPrefix(got, "无需跟进") {
			t.Errorf("a good review's row reads %q", got)
		}
	}
}

// TestReviewProductFilterNamesAndReminderCount: the product filter offers every product by name
// (read as names only), and picking one lists only its reviews; the reminder count above the
// list and in the status bar is the number of reviews the rule finds untouched, at two delays.
func TestReviewProductFilterNamesAndReminderCount(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	d.Show(SectionReviews)
	r := d.reviews
	ps, err := f.db.SearchProducts("", 0)
	if err != nil || len(ps) < 5 {
		t.Fatalf("products: %d, %v", len(ps), err)
	}
	f.waitFor("the product filter", func() bool { return len(r.products) == len(ps) })
	if len(r.product.Options) != len(ps)+1 {
		t.Fatalf("the product filter has %d choices for %d products", len(r.product.Options), len(ps))
	}
	for i, p := range ps { // SearchProducts("") lists by name
		if r.products[i].ID != p.ID || r.products[i].Name != p.Name || r.product.Options[i+1] != p.Name {
			t.Fatalf("choice %d is %+v (%q); want %s %q", i+1, r.products[i], r.product.Options[i+1], p.ID, p.Name)
		}
	}
	all, err := f.db.Reviews(localdb.ReviewFilter{}, 0)
	if err != nil || len(all) == 0 {
		t.Fatalf("reviews: %d, %v", len(all), err)
	}
	pid := all[len(all)/2].ProductID
	want := 0
	for _, rv := range all {
		if rv.ProductID == pid {
			want++
		}
	}
	i := 0
	for k, p := range r.products {
		if p.ID == pid {
			i = k + 1
		}
	}
	if i == 0 {
		t.Fatalf("product %s of a review is not in the filter", pid)
	}
	r.product.SetSelectedIndex(i)
	if len(r.reviews) != min(want, reviewListLimit) {
		t.Errorf("filtering by %s lists %d reviews; the store has %d", pid, len(r.reviews), want)
	}
	for _, rv := range r.reviews {
		if rv.ProductID != pid {
			t.Errorf("filtering by %s lists review %s of %s", pid, rv.ID, rv.ProductID)
		}
	}
	r.product.SetSelectedIndex(0)

	for _, hours := range []int{24, 72} {
		r.remindAt.SetSelectedIndex(slicesIndex(reviewRemindChoices, hours))
		d.Tick()
		untouched := 0
		for _, rv := range all {
			if rv.Untouched(testNow, time.Duration(hours)*time.Hour) {
				untouched++
			}
		}
		if untouched == 0 {
			t.Fatalf("no review of the demo shop is untouched at %d h", hours)
		}
		if r.remindN != untouched || !strings.HasPrefix(d.status.reviews.Text, fmt.Sprint(untouched)) {
			t.Errorf("at %d h the list says %d and the status bar %q; %d reviews are untouched", hours, r.remindN, d.status.reviews.Text, untouched)
		}
	}
}

// slicesIndex is the index of v in xs, or -1.
func slicesIndex(xs []int, v int) int {
	for i, x := range xs {
		if x == v {
			return i
		}
	}
	return -1
}
