package shop

import (
	"crypto/sha256"
	"encoding/hex"
)

// The review kinds: follow-up of a review (its entity), and its evidence locker.
const (
	KindReviewMove    Kind = "review.move"
	KindReviewReply   Kind = "review.reply"
	KindReviewBuyer   Kind = "review.rate_buyer"
	KindReviewContact Kind = "review.contact"
	KindEvidenceAdd   Kind = "evidence.add" // entity: the new evidence id; append-only
)

var reviewKinds = []KindSpec{
	{Kind: KindReviewMove, Entity: TypeReview, Creates: CreatesNothing, Label: "Review follow-up", Rule: change(reviewMove)},
	{Kind: KindReviewReply, Entity: TypeReview, Creates: CreatesNothing, Label: "Review reply", Rule: change(reviewReply)},
	{Kind: KindReviewBuyer, Entity: TypeReview, Creates: CreatesNothing, Label: "Review of the buyer", Rule: change(reviewRateBuyer)},
	{Kind: KindReviewContact, Entity: TypeReview, Label: "Buyer contacted", Rule: change(reviewContact),
		Creates: []Creation{{TypeConversation, "conversation_id"}, {TypeMessage, "message_id"}}},
	{Kind: KindEvidenceAdd, Entity: TypeEvidence, New: true, Creates: []Creation{{Type: TypeEvidence}}, Label: "Evidence", Rule: withData(evidenceAdd)},
}

// ReviewReplyData is the seller's public explanation of a review.
type ReviewReplyData struct {
	Text string `json:"text"`
}

// ReviewBuyerData is the shop's review of the buyer after a completed order.
type ReviewBuyerData struct {
	Stars int    `json:"stars"`
	Text  string `json:"text"`
}

// ReviewContactData logs that the buyer was contacted from the review.
type ReviewContactData struct {
	ConversationID string `json:"conversation_id"`
	MessageID      string `json:"message_id,omitempty"`
	Text           string `json:"text,omitempty"` // the message sent, if any
}

func reviewMove(d *decider, rv *Review, p Move) error {
	to, err := moveTo(d, p, machine[ReviewState]{"review", ReviewStates, CanMoveReview}, rv.State, rv.Steps, NewRecord(TypeReview, rv.ID, *rv))
	if err != nil {
		return err
	}
	rv.State = to
	rv.Steps = append(rv.Steps, d.step(p))
	rv.UpdatedAt = d.at
	return nil
}

func reviewReply(d *decider, rv *Review, p ReviewReplyData) error {
	if err := rejectText("reply", p.Text, MaxReplyRunes, true); err != nil {
		return err
	}
	rv.Reply, rv.ReplyBy, rv.ReplyAt = p.Text, d.m.Staff, d.at
	rv.UpdatedAt = d.at
	return nil
}

func reviewRateBuyer(d *decider, rv *Review, p ReviewBuyerData) error {
	if p.Stars < 1 || p.Stars > 5 {
		return reject("stars must be 1 to 5")
	}
	if err := rejectText("review of the buyer", p.Text, MaxReplyRunes, false); err != nil {
		return err
	}
	var o Order
	if _, err := d.load(TypeOrder, rv.OrderID, &o); err != nil {
		return err
	}
	if o.Status != StatusCompleted {
		return reject("the buyer can be reviewed only after order %s is completed", o.ID)
	}
	rv.BuyerStars, rv.BuyerText = p.Stars, p.Text
	rv.UpdatedAt = d.at
	return nil
}

func reviewContact(d *decider, rv *Review, p ReviewContactData) error {
	if err := d.contactBuyer(*rv, p); err != nil {
		return err
	}
	rv.Contacts++
	if rv.State == ReviewNew || rv.State == ReviewUnreachable {
		rv.Steps = append(rv.Steps, Step{From: string(rv.State), To: string(ReviewContacted), Staff: d.m.Staff, At: d.at, Note: p.Text})
		rv.State = ReviewContacted
	}
	rv.UpdatedAt = d.at
	return nil
}

// contactBuyer opens the review buyer's conversation for a contact, starting it when the
// buyer has never chatted (the desk names the new conversation), and sends the contact's
// message, if any, into it. A conversation with another customer is refused.
func (d *decider) contactBuyer(rv Review, p ReviewContactData) error {
	if p.ConversationID == "" {
		if p.Text != "" {
			return reject("a contact message needs the buyer's conversation")
		}
		return nil
	}
	if err := checkID("conversation id", p.ConversationID); err != nil {
		return err
	}
	var c Conversation
	_, found, err := d.r.Get(TypeConversation, p.ConversationID, &c)
	if err != nil {
		return err
	}
	if found && c.CustomerID != rv.CustomerID {
		return reject("conversation %s is not with the review's buyer", p.ConversationID)
	}
	if !found {
		c = Conversation{ID: p.ConversationID, CustomerID: rv.CustomerID, Nick: rv.Nick, ProductID: rv.ProductID,
			OrderID: rv.OrderID, LastAt: d.at, Assignee: d.m.Staff, AssignedAt: d.at}
	}
	if p.Text == "" {
		if !found {
			d.put(TypeConversation, c.ID, c)
		}
		return nil
	}
	if err := checkID("message id", p.MessageID); err != nil {
		return err
	}
	if err := rejectText("message", p.Text, MaxMessageRunes, true); err != nil {
		return err
	}
	return d.messageInto(c, p.MessageID, p.Text, nil)
}

func evidenceAdd(d *decider, p Evidence) error {
	var rv Review
	if _, err := d.load(TypeReview, p.ReviewID, &rv); err != nil {
		return err
	}
	if p.Kind != "chat" && p.Kind != "order" && p.Kind != "file" {
		return reject("evidence kind %q is not chat, order or file", p.Kind)
	}
	if err := rejectText("title", p.Title, MaxShortText, true); err != nil {
		return err
	}
	if err := rejectText("text", p.Text, 100_000, false); err != nil {
		return err
	}
	if len(p.Content) > MaxEvidenceBytes {
		return reject("file is %d bytes; at most %d", len(p.Content), MaxEvidenceBytes)
	}
	sum := EvidenceHash(p)
	if p.SHA256 != "" && p.SHA256 != sum {
		return reject("evidence hash does not match its content")
	}
	p.ID, p.SHA256, p.Staff = d.m.Entity, sum, d.m.Staff
	if p.LockedAt.IsZero() || p.LockedAt.After(d.at) {
		p.LockedAt = d.at
	}
	d.put(TypeEvidence, p.ID, p)
	return nil
}

// EvidenceHash is the SHA-256 (hex) of an evidence item's content: the file's bytes, or its text.
func EvidenceHash(e Evidence) string {
	b := e.Content
	if e.Kind != "file" {
		b = []byte(e.Text)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
