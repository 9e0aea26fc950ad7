package sync

import (
	"testing"

	"kefu/internal/testkit"
	"kefu/shop"
)

// TestOfflineReviewMovesConverge: two desks move the same review's follow-up while the server
// is down, A to contacted and B to unreachable. After reconnecting the server has applied
// exactly one of the moves; the other desk got a conflict, kept as a problem naming the staff
// member whose move won; and both desks and the server show the same state and steps.
func TestOfflineReviewMovesConverge(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	a := newDesk(t, ts, "desk A", "1001", nil)
	b := newDesk(t, ts, "desk B", "1002", nil)
	a.waitSynced(ts)
	b.waitSynced(ts)
	const review = "r0"

	ts.stop()
	ma := a.apply(shop.KindReviewMove, review, shop.Move{From: "new", To: "contacted", Note: "A: 电话联系"})
	mb := b.apply(shop.KindReviewMove, review, shop.Move{From: "new", To: "unreachable", Note: "B: 电话没人接"})
	testkit.WaitFor(t, "both desks offline with their move pending", func() bool {
		sa, sb := a.eng.Status(), b.eng.Status()
		return sa.State == StateOffline && sa.Pending == 1 && sb.State == StateOffline && sb.Pending == 1
	})
	for _, c := range []struct {
		d    *desk
		want shop.ReviewState
	}{{a, shop.ReviewContacted}, {b, shop.ReviewUnreachable}} {
		if r, err := c.d.db.Review(review); err != nil || r.State != c.want || !c.d.db.IsPending(shop.TypeReview, review) {
			t.Fatalf("%s offline shows %s (%v); want its own pending %s", c.d.name, r.State, err, c.want)
		}
	}

	ts.start(false)
	a.waitSynced(ts)
	b.waitSynced(ts)
	a.waitSynced(ts) // a may have pulled before b pushed

	var server shop.Review
	if err := ts.feed(t, a.token)["review/"+review].Decode(&server); err != nil {
		t.Fatal(err)
	}
	if len(server.Steps) != 1 {
		t.Fatalf("the server's review has %d steps; want exactly one of the two moves", len(server.Steps))
	}
	winner, loser, lost := a, b, mb
	if server.Steps[0].Staff == "1002" {
		winner, loser, lost = b, a, ma
	}
	wantState := map[string]shop.ReviewState{"1001": shop.ReviewContacted, "1002": shop.ReviewUnreachable}[server.Steps[0].Staff]
	if server.State != wantState {
		t.Fatalf("the server's review is %s after %s's move", server.State, server.Steps[0].Staff)
	}
	for _, d := range []*desk{a, b} {
		r, err := d.db.Review(review)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != server.State || len(r.Steps) != 1 || r.Steps[0].Staff != server.Steps[0].Staff || d.db.IsPending(shop.TypeReview, review) {
			t.Errorf("%s shows %s with steps %+v; the server has %s", d.name, r.State, r.Steps, server.State)
		}
	}
	if probs, err := winner.db.Problems(); err != nil || len(probs) != 0 {
		t.Errorf("%s, whose move won, has problems %+v (%v)", winner.name, probs, err)
	}
	probs, err := loser.db.Problems()
	if err != nil || len(probs) != 1 {
		t.Fatalf("%s has problems %+v (%v); want its move's conflict", loser.name, probs, err)
	}
	if p := probs[0]; p.MutationID != lost.ID || p.Kind != shop.KindReviewMove || p.By != winner.staff {
		t.Errorf("%s's problem %+v; want a conflict of its move, made so by %s", loser.name, p, winner.staff)
	}
}
