package shop

import (
	"slices"
	"strings"
	"testing"
)

func TestRegistryIsComplete(t *testing.T) {
	if err := CheckKinds(Registry()); err != nil {
		t.Fatal(err)
	}
	if len(Kinds) != len(Registry()) {
		t.Fatalf("Kinds has %d kinds, the registry %d", len(Kinds), len(Registry()))
	}
	for _, k := range Kinds {
		s, ok := k.Spec()
		if !ok || s.Kind != k || k.Label() != s.Label {
			t.Errorf("kind %s: spec %+v, %v", k, s, ok)
		}
	}
	if l := Kind("chat.delete_everything").Label(); l != "chat.delete_everything" {
		t.Errorf("an unregistered kind is labelled %q", l)
	}
}

// TestCheckSpecNamesTheMissingPiece declares kinds with one piece missing or wrong each: the
// check names the kind and the piece.
func TestCheckSpecNamesTheMissingPiece(t *testing.T) {
	good := KindSpec{Kind: "order.test", Entity: TypeOrder, Creates: []Creation{{TypeNote, "note_id"}}, Label: "Order note",
		Rule: change(orderNote)}
	if err := CheckSpec(good); err != nil {
		t.Fatalf("a complete spec: %v", err)
	}
	cases := map[string]struct {
		edit func(s *KindSpec)
		want string
	}{
		"name":            {func(s *KindSpec) { s.Kind = "OrderTest" }, "family.verb"},
		"entity":          {func(s *KindSpec) { s.Entity = "" }, "no entity type"},
		"unknown entity":  {func(s *KindSpec) { s.Entity = "parcel" }, `entity type "parcel" is unknown`},
		"rule":            {func(s *KindSpec) { s.Rule = Rule{} }, "no rule"},
		"payload":         {func(s *KindSpec) { s.Rule.payload = nil }, "no payload type"},
		"label":           {func(s *KindSpec) { s.Label = "" }, "no label key"},
		"creates":         {func(s *KindSpec) { s.Creates = nil }, "Creates is not declared"},
		"created type":    {func(s *KindSpec) { s.Creates = []Creation{{"parcel", "note_id"}} }, `creates entity type "parcel"`},
		"created id":      {func(s *KindSpec) { s.Creates = []Creation{{TypeNote, "parcel_id"}} }, `data field "parcel_id"`},
		"new, not listed": {func(s *KindSpec) { s.New = true }, "creates a new order, but Creates does not list it"},
		"new with fixed":  {func(s *KindSpec) { s.New, s.EntityID = true, "x" }, "cannot fix its id"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := good
			c.edit(&s)
			err := CheckSpec(s)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), string(s.Kind)) {
				t.Fatalf("CheckSpec = %v; want it to name %s and say %q", err, s.Kind, c.want)
			}
		})
	}
	if err := CheckKinds([]KindSpec{good, good}); err == nil || !strings.Contains(err.Error(), `kind "order.test" is declared twice`) {
		t.Fatalf("a kind declared twice: %v", err)
	}
}

func TestPayloadTypes(t *testing.T) {
	for _, c := range []struct {
		k    Kind
		want string
	}{{KindChatSend, "ChatSend"}, {KindChatRead, ""}, {KindCustomerAdd, "Customer"}, {KindAutoReplyPut, "AutoReplies"}} {
		s, _ := c.k.Spec()
		got := ""
		if p := s.Payload(); p != nil {
			got = p.Name()
		}
		if got != c.want {
			t.Errorf("%s: payload %q; want %q", c.k, got, c.want)
		}
	}
}

func TestCreated(t *testing.T) {
	for _, c := range []struct {
		m    Mutation
		want []Ref
	}{
		{mut(t, KindChatSend, "v1", "1001", ChatSend{MessageID: "m1", Text: "hi"}), []Ref{{TypeMessage, "m1"}}},
		{mut(t, KindChatRead, "v1", "1001", nil), nil},
		{mut(t, KindOrderNote, "o1", "1001", OrderNoteAdd{NoteID: "n1"}), []Ref{{TypeNote, "n1"}}},
		{mut(t, KindCaseOpen, "k9", "1001", CaseOpenData{OrderID: "o1"}), []Ref{{TypeCase, "k9"}}},
		{mut(t, KindReviewContact, "r1", "1001", ReviewContactData{ConversationID: "v9"}), []Ref{{TypeConversation, "v9"}}},
		{mut(t, KindReviewContact, "r1", "1001", ReviewContactData{ConversationID: "v9", MessageID: "m2", Text: "x"}),
			[]Ref{{TypeConversation, "v9"}, {TypeMessage, "m2"}}},
		{Mutation{Kind: "chat.delete_everything", Entity: "v1"}, nil},
	} {
		if got := Created(c.m); !slices.Equal(got, c.want) {
			t.Errorf("%s: created %v; want %v", c.m.Kind, got, c.want)
		}
	}
}
