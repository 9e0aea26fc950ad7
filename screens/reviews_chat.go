package screens

import "kefu/shop"

// showChat opens a conversation in the chat section with draft in the composer. The reviews
// section calls it after it logged a contact with a review's buyer.
func (d *Desk) showChat(convID, draft string) {
	d.Show(SectionChat)
	d.chat.openWithDraft(convID, draft)
}

// openWithDraft opens conversation id (found in the list or not, e.g. a closed one or one just
// started from a review) and puts draft, if any, in the composer for the staff member to edit
// and send.
// It is the reviews section's hook into the chat section.
func (c *chatSection) openWithDraft(id, draft string) {
	var conv shop.Conversation
	if _, ok, err := c.env.writer.Get(c.env.ctx, shop.TypeConversation, id, &conv); err != nil || !ok {
		return
	}
	if c.indexOf(id) < 0 {
		c.search.SetText("")
		c.filter.SetSelectedIndex(0)
	}
	c.show(conv)
	c.picker.highlight(c.indexOf(id))
	if draft != "" {
		c.composer.SetText(draft)
	}
	if c.env.win != nil {
		c.env.win.Canvas().Focus(c.composer)
	}
}
