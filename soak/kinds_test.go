package soak

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/shop"
)

// soakProblems names what keeps the soak from making every registered kind: a kind without a
// weight or a builder in soakKinds, or an entry for a kind that is not registered.
func soakProblems(kinds []shop.Kind, sk map[shop.Kind]soakKind) []string {
	var problems []string
	for _, k := range kinds {
		switch s, ok := sk[k]; {
		case !ok:
			problems = append(problems, fmt.Sprintf("kind %s has no entry in soakKinds (soak/mutations.go): give it a weight and a builder", k))
		case s.weight <= 0:
			problems = append(problems, fmt.Sprintf("kind %s has no soak weight in soakKinds (soak/mutations.go)", k))
		case s.build == nil:
			problems = append(problems, fmt.Sprintf("kind %s has no soak builder in soakKinds (soak/mutations.go)", k))
		}
	}
	for k := range sk {
		if !slices.Contains(kinds, k) {
			problems = append(problems, fmt.Sprintf("soakKinds has kind %s, which is not registered in shop", k))
		}
	}
	slices.Sort(problems)
	return problems
}

func TestEveryKindIsSoaked(t *testing.T) {
	for _, p := range soakProblems(shop.Kinds, soakKinds) {
		t.Error(p)
	}
}

func TestSoakProblemsNameTheKind(t *testing.T) {
	sk := map[shop.Kind]soakKind{
		shop.KindChatRead:  {0, (*gen).buildChat},
		shop.KindChatClaim: {2, nil},
		"chat.test":        {1, (*gen).buildChat},
	}
	got := strings.Join(soakProblems([]shop.Kind{shop.KindChatSend, shop.KindChatRead, shop.KindChatClaim}, sk), "\n")
	for _, want := range []string{"kind chat.send has no entry", "kind chat.read has no soak weight",
		"kind chat.claim has no soak builder", "soakKinds has kind chat.test, which is not registered"} {
		if !strings.Contains(got, want) {
			t.Errorf("the problems do not say %q:\n%s", want, got)
		}
	}
}

func TestCreatedFollowsTheRegistry(t *testing.T) {
	m, err := shop.NewMutation(shop.KindOrderNote, "o1", "1001", time.Time{}, shop.OrderNoteAdd{NoteID: "n1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := created(m); !slices.Equal(got, []key{{shop.TypeNote, "n1"}}) {
		t.Fatalf("created(order.note) = %v", got)
	}
}
