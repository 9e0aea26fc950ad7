package screens

import (
	"context"

	"kefu/shop"
)

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
	background(c.env, func(ctx context.Context) (shop.Conversation, error) {
		conv, _, err := getEntity[shop.Conversation](ctx, c.env.writer, shop.TypeConversation, id)
		return conv, err
	}, func(conv shop.Conversation, err error) {
		if err == nil {
			c.openConversation(conv, draft)
		}
	})
}

// openConversation opens a conversation just read, clearing the list's search and filter when
// it is not in the list, and puts draft, if any, in the composer.
func (c *chatSection) openConversation(conv shop.Conversation, draft string) {
	if c.list.index(conv.ID) < 0 {
		c.search.SetText("")
		c.filter.SetSelectedIndex(0)
	}
	c.show(conv)
	c.list.keepOpen() // the list being read again does not open its first conversation
	c.picker.highlight(c.list.index(conv.ID))
	if draft != "" {
		c.composer.SetText(draft)
	}
	if c.env.win != nil {
		c.env.win.Canvas().Focus(c.composer)
	}
}
