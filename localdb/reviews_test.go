package localdb

import (
	"fmt"
	"testing"
	"time"

	"kefu/shop"
)

// reviewLegal is the follow-up state machine as the issue states it: the workflow new →
// contacted → resolving → resolved → revision requested → revised, with the side exits
// unreachable and reported-as-malicious. Written out here, not read from package shop, so a
// change of the rules shows up as a failing test.
var reviewLegal = map[shop.ReviewState][]shop.ReviewState{
	shop.ReviewNew:               {shop.ReviewContacted, shop.ReviewUnreachable, shop.ReviewMalicious},
	shop.ReviewContacted:         {shop.ReviewResolving, shop.ReviewUnreachable, shop.ReviewMalicious},
	shop.ReviewResolving:         {shop.ReviewResolved, shop.ReviewUnreachable, shop.ReviewMalicious},
	shop.ReviewResolved:          {shop.ReviewRevisionRequested},
	shop.ReviewRevisionRequested: {shop.ReviewRevised, shop.ReviewUnreachable},
	shop.ReviewUnreachable:       {shop.ReviewContacted, shop.ReviewMalicious},
}

func legalMove(from, to shop.ReviewState) bool {
	for _, s := range reviewLegal[from] {
		if s == to {
			return true
		}
	}
	return false
}

// TestReviewEveryTransitionOnDesk moves a review from every state to every state through
// Apply: legal moves are recorded (state, step with staff, time and note, outbox, pending),
// illegal ones and moves from a stale state come back as conflicts naming the current state
// and store nothing.
func TestReviewEveryTransitionOnDesk(t *testing.T) {
	db := openMem(t)
	s := demo()
	for _, from := range shop.ReviewStates {
		for _, to := range shop.ReviewStates {
			id := fmt.Sprintf("rv-%s-%s", from, to)
			s.add(shop.TypeReview, id, shop.Review{ID: id, OrderID: "2026112603", CustomerID: "c2", Nick: "LucyC", Stars: 2,
				Text: "颜色不对", At: t0, State: from, Steps: []shop.Step{{From: "new", To: string(from), Staff: "1001", At: t0}}})
		}
	}
	pull(t, db, s)
	legal := 0
	for _, from := range shop.ReviewStates {
		for _, to := range shop.ReviewStates {
			id := fmt.Sprintf("rv-%s-%s", from, to)
			before := db.OutboxLen()
			m := mut(t, shop.KindReviewMove, id, "1002", shop.Move{From: string(from), To: string(to), Note: "已电话联系"})
			out, err := db.Apply(m)
			if err != nil {
				t.Fatalf("%s → %s: %v", from, to, err)
			}
			r, err := db.Review(id)
			if err != nil {
				t.Fatal(err)
			}
			if legalMove(from, to) {
				legal++
				if out.Conflict != nil {
					t.Errorf("%s → %s is legal but conflicted: %s", from, to, out.Conflict.Reason)
					continue
				}
				last := r.Steps[len(r.Steps)-1]
				if r.State != to || len(r.Steps) != 2 || last.From != string(from) || last.To != string(to) ||
					last.Staff != "1002" || !last.At.Equal(t0) || last.Note != "已电话联系" {
					t.Errorf("%s → %s: review %+v", from, to, r)
				}
				if db.OutboxLen() != before+1 || !db.IsPending(shop.TypeReview, id) {
					t.Errorf("%s → %s: not in the outbox or not pending", from, to)
				}
				continue
			}
			if out.Conflict == nil {
				t.Errorf("%s → %s is illegal but applied", from, to)
				continue
			}
			if out.Conflict.By != "1001" || len(out.Conflict.Current) != 1 {
				t.Errorf("%s → %s: conflict %+v; want the current state made by 1001", from, to, out.Conflict)
			}
			if r.State != from || len(r.Steps) != 1 || db.OutboxLen() != before || db.IsPending(shop.TypeReview, id) {
				t.Errorf("%s → %s: an illegal move changed the review (%s, %d steps) or the outbox", from, to, r.State, len(r.Steps))
			}
		}
	}
	if legal != 14 {
		t.Fatalf("%d legal moves; the issue's machine has 14", legal)
	}

	// A move from a state the review has left (another desk moved it first) conflicts too.
	id := "rv-new-contacted"
	out, err := db.Apply(mut(t, shop.KindReviewMove, id, "1001", shop.Move{From: "new", To: "unreachable"}))
	if err != nil || out.Conflict == nil {
		t.Fatalf("a move from a stale state: %+v, %v; want a conflict", out, err)
	}
	// Unknown states are refused, not conflicts.
	if _, err := db.Apply(mut(t, shop.KindReviewMove, id, "1001", shop.Move{From: "contacted", To: "forgotten"})); !isRejected(err) {
		t.Fatalf("an unknown state: %v; want a rejection", err)
	}
	checkConsistent(t, db)
}

// TestReviewMovesRebaseOverServer: a desk moves a review offline while the server moved it
// elsewhere. The pushed move is a conflict: the desk shows the server's state and keeps a
// problem naming who moved it, and the server's steps are intact.
func TestReviewMovesRebaseOverServer(t *testing.T) {
	db := openMem(t)
	s := seeded(t, db)
	mine := mut(t, shop.KindReviewMove, "r1", "1002", shop.Move{From: "new", To: "contacted", Note: "desk"})
	apply(t, db, mine)
	theirs := mut(t, shop.KindReviewMove, "r1", "1001", shop.Move{From: "new", To: "unreachable", Note: "other desk"})
	if out := s.apply(t, theirs, clock); out.Conflict != nil {
		t.Fatal(out.Conflict.Reason)
	}
	pull(t, db, s)
	// Rebased on the server's state the pending move no longer applies: the desk shows the
	// server's state, and the move waits in the outbox for the server's verdict.
	if r, _ := db.Review("r1"); r.State != shop.ReviewUnreachable || db.OutboxLen() != 1 {
		t.Fatalf("before the answer the desk shows %s with %d pending; want the server's state and the move kept", r.State, db.OutboxLen())
	}
	out := s.apply(t, mine, clock)
	if out.Conflict == nil {
		t.Fatal("the server applied a move from a state the review had left")
	}
	if err := db.Acknowledge([]Ack{{ID: mine.ID, Status: AckConflict, Conflict: out.Conflict}}); err != nil {
		t.Fatal(err)
	}
	r, err := db.Review("r1")
	if err != nil {
		t.Fatal(err)
	}
	if r.State != shop.ReviewUnreachable || db.IsPending(shop.TypeReview, "r1") || len(r.Steps) != 1 || r.Steps[0].Staff != "1001" {
		t.Fatalf("after the conflict the desk shows %+v; want the server's state", r)
	}
	probs, err := db.Problems()
	if err != nil || len(probs) != 1 || probs[0].MutationID != mine.ID || probs[0].By != "1001" {
		t.Fatalf("problems %+v, %v; want the conflicting move by 1001", probs, err)
	}
	checkConsistent(t, db)
}

// TestReviewRemindersAndStars: untouched neutral and bad reviews are listed oldest first; a
// touched one drops out; the stars filter picks exact star counts.
func TestReviewRemindersAndStars(t *testing.T) {
	db := openMem(t)
	seeded(t, db)
	// r1 (2★, 2 h old) and r3 (3★, 30 min old) are new; r2 is good.
	got, err := db.ReviewReminders(t0.Add(10*time.Minute), time.Hour, 0)
	if err != nil || len(got) != 1 || got[0].ID != "r1" {
		t.Fatalf("reminders after 1 h: %v, %v; want r1", got, err)
	}
	got, _ = db.ReviewReminders(t0.Add(3*time.Hour), time.Hour, 0)
	if len(got) != 2 || got[0].ID != "r1" || got[1].ID != "r3" {
		t.Fatalf("reminders 3 h later: %v; want r1 then r3", got)
	}
	apply(t, db, mut(t, shop.KindReviewMove, "r1", "1002", shop.Move{From: "new", To: "contacted"}))
	if got, _ = db.ReviewReminders(t0.Add(3*time.Hour), time.Hour, 0); len(got) != 1 || got[0].ID != "r3" {
		t.Fatalf("after r1 was contacted the reminders are %v; want r3", got)
	}
	for stars, want := range map[int]string{2: "r1", 3: "r3", 5: "r2"} {
		rs, err := db.Reviews(ReviewFilter{Stars: stars}, 0)
		if err != nil || len(rs) != 1 || rs[0].ID != want {
			t.Errorf("%d stars: %v, %v; want %s", stars, rs, err, want)
		}
	}
}
