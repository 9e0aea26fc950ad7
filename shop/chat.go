package shop

import (
	"strings"
	"time"
	"unicode/utf8"
)

// The chat kinds; their entity is a conversation.
const (
	KindChatSend     Kind = "chat.send"
	KindChatRead     Kind = "chat.read"
	KindChatClaim    Kind = "chat.claim" // first claim wins
	KindChatTransfer Kind = "chat.transfer"
	KindChatClose    Kind = "chat.close"
	KindChatReopen   Kind = "chat.reopen"
)

var chatKinds = []KindSpec{
	{Kind: KindChatSend, Entity: TypeConversation, Creates: []Creation{{TypeMessage, "message_id"}}, Label: "Chat message", Rule: withData(chatSend)},
	{Kind: KindChatRead, Entity: TypeConversation, Creates: CreatesNothing, Label: "Conversation read", Rule: change(chatRead)},
	{Kind: KindChatClaim, Entity: TypeConversation, Creates: CreatesNothing, Label: "Conversation claimed", Rule: change(chatClaim)},
	{Kind: KindChatTransfer, Entity: TypeConversation, Creates: CreatesNothing, Label: "Conversation transferred", Rule: change(chatTransfer)},
	{Kind: KindChatClose, Entity: TypeConversation, Creates: CreatesNothing, Label: "Conversation closed", Rule: change(chatClose)},
	{Kind: KindChatReopen, Entity: TypeConversation, Creates: CreatesNothing, Label: "Conversation reopened", Rule: change(chatReopen)},
}

// ChatSend is a staff message, product or order card sent into a conversation.
type ChatSend struct {
	MessageID string `json:"message_id"` // id of the new message; made on the desk
	Text      string `json:"text"`
	Card      *Card  `json:"card,omitempty"`
}

// ChatTransfer hands a conversation to another staff member.
type ChatTransfer struct {
	To string `json:"to"` // staff number
}

func chatSend(d *decider, p ChatSend) error {
	return d.message(d.m.Entity, p.MessageID, p.Text, p.Card)
}

func chatRead(_ *decider, c *Conversation, _ NoData) error {
	c.Unread = 0
	return nil
}

func chatClaim(d *decider, c *Conversation, _ NoData) error {
	if c.Assignee != "" && c.Assignee != d.m.Staff {
		return d.conflict(c.Assignee, c.AssignedAt, d.cur, "conversation already claimed by %s", c.Assignee)
	}
	c.Assignee, c.AssignedAt = d.m.Staff, d.at
	return nil
}

func chatTransfer(d *decider, c *Conversation, p ChatTransfer) error {
	var s Staff
	if _, err := d.load(TypeStaff, p.To, &s); err != nil {
		return err
	}
	c.Assignee, c.AssignedAt = p.To, d.at
	return nil
}

func chatClose(_ *decider, c *Conversation, _ NoData) error {
	c.Closed, c.WaitingSince, c.Unread = true, time.Time{}, 0
	return nil
}

func chatReopen(_ *decider, c *Conversation, _ NoData) error {
	c.Closed = false
	return nil
}

// message appends a staff message to a conversation and updates the conversation.
func (d *decider) message(convID, msgID, text string, card *Card) error {
	if err := checkID("message id", msgID); err != nil {
		return err
	}
	if err := rejectText("message", text, MaxMessageRunes, card == nil); err != nil {
		return err
	}
	if card != nil {
		if err := rejectText("card title", card.Title, MaxShortText, true); err != nil {
			return err
		}
	}
	var c Conversation
	if _, err := d.load(TypeConversation, convID, &c); err != nil {
		return err
	}
	return d.messageInto(c, msgID, text, card)
}

// messageInto appends a checked staff message to conversation c (loaded, or being started).
func (d *decider) messageInto(c Conversation, msgID, text string, card *Card) error {
	convID := c.ID
	if err := d.fresh(TypeMessage, msgID); err != nil {
		return err
	}
	msg := Message{ID: msgID, ConversationID: convID, From: FromStaff, Staff: d.m.Staff, Text: text, Card: card, At: d.at}
	d.put(TypeMessage, msgID, msg)
	c.LastText, c.LastAt = PreviewText(msg), d.at
	c.WaitingSince, c.Unread, c.Closed = time.Time{}, 0, false
	c.Messages++
	if c.Assignee == "" {
		c.Assignee, c.AssignedAt = d.m.Staff, d.at
	}
	d.put(TypeConversation, convID, c)
	return nil
}

// PreviewText is how a message appears as a conversation's last message.
func PreviewText(m Message) string {
	t := m.Text
	if t == "" && m.Card != nil {
		t = "[" + m.Card.Title + "]"
	}
	t = strings.Join(strings.Fields(t), " ")
	if utf8.RuneCountInString(t) > 60 {
		t = string([]rune(t)[:60]) + "…"
	}
	return t
}
