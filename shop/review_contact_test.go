package shop

import "testing"

// TestReviewContactStartsOrRefusesConversation: contacting the buyer from a review uses the
// buyer's conversation, starts one when the buyer has never chatted, and refuses a
// conversation with another customer.
func TestReviewContactStartsOrRefusesConversation(t *testing.T) {
	s := fixture()
	s.add(TypeCustomer, "c2", Customer{ID: "c2", Nick: "路人"})
	s.add(TypeConversation, "v2", Conversation{ID: "v2", CustomerID: "c2", Nick: "路人"})
	rejected(t, s, mut(t, KindReviewContact, "r1", "1002", ReviewContactData{ConversationID: "v2", MessageID: NewID(), Text: "亲，抱歉"}), "not with the review's buyer")
	rejected(t, s, mut(t, KindReviewContact, "r1", "1002", ReviewContactData{Text: "亲，抱歉"}), "needs the buyer's conversation")
	rejected(t, s, mut(t, KindReviewContact, "r1", "1002", ReviewContactData{ConversationID: "v1", Text: "亲，抱歉"}), "message id")

	// A contact without a message starts the conversation and logs the contact.
	out := apply(t, s, mut(t, KindReviewContact, "r1", "1002", ReviewContactData{ConversationID: "new-conv"}))
	if len(out.Records) != 2 {
		t.Fatalf("starting a conversation wrote %d records; want the conversation and the review", len(out.Records))
	}
	c := get[Conversation](t, s, TypeConversation, "new-conv")
	if c.CustomerID != "c1" || c.Assignee != "1002" || c.Messages != 0 {
		t.Fatalf("started conversation %+v", c)
	}
	r := get[Review](t, s, TypeReview, "r1")
	if r.State != ReviewContacted || r.Contacts != 1 || len(r.Steps) != 1 || r.Steps[0].Staff != "1002" {
		t.Fatalf("review after contact %+v", r)
	}
	// A second contact with a message goes into the started conversation; the state stays.
	apply(t, s, mut(t, KindReviewContact, "r1", "1001", ReviewContactData{ConversationID: "new-conv", MessageID: NewID(), Text: "给您补发一件"}))
	c = get[Conversation](t, s, TypeConversation, "new-conv")
	if c.Messages != 1 || c.LastText != "给您补发一件" {
		t.Fatalf("conversation after the contact message %+v", c)
	}
	r = get[Review](t, s, TypeReview, "r1")
	if r.State != ReviewContacted || r.Contacts != 2 || len(r.Steps) != 1 {
		t.Fatalf("review after the second contact %+v", r)
	}
	// Contacting a buyer who has never chatted, with a message, starts the conversation with it.
	s.add(TypeReview, "r3", Review{ID: "r3", OrderID: "o3", CustomerID: "c2", Nick: "路人", Stars: 3, State: ReviewUnreachable})
	apply(t, s, mut(t, KindReviewContact, "r3", "1001", ReviewContactData{ConversationID: "conv-r3", MessageID: "m-r3", Text: "亲，您好"}))
	if c := get[Conversation](t, s, TypeConversation, "conv-r3"); c.CustomerID != "c2" || c.Messages != 1 {
		t.Fatalf("conversation started with a message %+v", c)
	}
	if m := get[Message](t, s, TypeMessage, "m-r3"); m.ConversationID != "conv-r3" || m.Staff != "1001" {
		t.Fatalf("message %+v", m)
	}
	if r := get[Review](t, s, TypeReview, "r3"); r.State != ReviewContacted {
		t.Fatalf("an unreachable buyer contacted again is %s; want contacted", r.State)
	}
}
