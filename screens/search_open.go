package screens

import (
	"fyne.io/fyne/v2/theme"

	"kefu/desk"
)

// openSearchHit shows a search hit where it lives: a message in its conversation, scrolled to
// it; a note or a case in its order; a review or evidence in the reviews section; a complaint
// in its customer's profile.
func (d *Desk) openSearchHit(h desk.SearchHit) {
	switch h.Kind {
	case desk.SearchMessage:
		d.Show(SectionChat)
		d.chat.scrollTarget = h.ID
		d.chat.openWithDraft(h.Parent, "")
	case desk.SearchNote, desk.SearchCase:
		d.Show(SectionOrders)
		d.orders.openOrder(h.Parent)
		d.orders.show(h.Parent)
	case desk.SearchReview:
		d.Show(SectionReviews)
		d.reviews.show(h.ID)
	case desk.SearchEvidence:
		d.Show(SectionReviews)
		d.reviews.show(h.Parent)
	case desk.SearchComplaint:
		d.Show(SectionCustomers)
		d.custs.show(h.CustomerID)
	}
}

// searchPageStep is how many more messages the thread reads while looking for a search hit
// older than the ones shown, and searchPageMax where it gives up (and shows the newest).
const (
	searchPageStep = 200
	searchPageMax  = 5000
)

// reachTarget scrolls the thread to the message a search chose once it is among the messages
// shown, reading older pages until it is (drawThread calls it).
func (c *chatSection) reachTarget() {
	if c.scrollTarget == "" || c.open == nil {
		return
	}
	for i, b := range c.thread.bubbles {
		if b.data.id == c.scrollTarget {
			c.thread.scrollToBubble(i)
			c.foundMessage, c.scrollTarget = c.scrollTarget, ""
			return
		}
	}
	if len(c.thread.bubbles) < c.shown || c.shown >= searchPageMax { // all read: not in this conversation
		c.scrollTarget = ""
		return
	}
	c.shown += searchPageStep
	c.showThread(*c.open, false)
}

// bubbleTop is where bubble i of the thread starts, as the thread's box lays bubbles out.
func (t *thread) bubbleTop(i int) float32 {
	var y float32
	for _, b := range t.bubbles[:i] {
		y += b.MinSize().Height + theme.Padding()
	}
	return y
}

// scrollToBubble scrolls the thread so that bubble i shows a third of the way down.
func (t *thread) scrollToBubble(i int) {
	t.scroll.Refresh()
	view, content := t.scroll.Size().Height, t.box.MinSize().Height
	y := t.bubbleTop(i) - view/3
	y = max(0, min(y, content-view))
	t.pinned = false
	t.scroll.Offset.Y = y
	t.scroll.Refresh()
}
