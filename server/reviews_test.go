package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

// serverReviewLegal is the follow-up state machine as the issue states it (new → contacted →
// resolving → resolved → revision requested → revised, side exits unreachable and
// reported-as-malicious), written out so that a change of the rules fails here.
var serverReviewLegal = map[shop.ReviewState][]shop.ReviewState{
	shop.ReviewNew:               {shop.ReviewContacted, shop.ReviewUnreachable, shop.ReviewMalicious},
	shop.ReviewContacted:         {shop.ReviewResolving, shop.ReviewUnreachable, shop.ReviewMalicious},
	shop.ReviewResolving:         {shop.ReviewResolved, shop.ReviewUnreachable, shop.ReviewMalicious},
	shop.ReviewResolved:          {shop.ReviewRevisionRequested},
	shop.ReviewRevisionRequested: {shop.ReviewRevised, shop.ReviewUnreachable},
	shop.ReviewUnreachable:       {shop.ReviewContacted, shop.ReviewMalicious},
}

// importReviewShop makes shop gamma with one review per (from, to) pair, each in state from,
// last moved by 1001 at monday10.
func (e *env) importReviewShop() {
	e.t.Helper()
	recs := []shop.Record{
		rec(shop.TypeShop, "gamma", shop.Shop{ID: "gamma", Name: "伽马童装"}),
		rec(shop.TypeStaff, "1001", shop.Staff{Number: "1001", Name: "王晓", Role: shop.RoleOwner}),
		rec(shop.TypeStaff, "1002", shop.Staff{Number: "1002", Name: "李娜", Role: shop.RoleAgent}),
		rec(shop.TypeCustomer, "u-1", shop.Customer{ID: "u-1", Nick: "小鱼儿", CreatedAt: monday10}),
		rec(shop.TypeOrder, "o-1", shop.Order{ID: "o-1", CustomerID: "u-1", Nick: "小鱼儿", Status: shop.StatusCompleted, CreatedAt: monday10.Add(-72 * time.Hour)}),
	}
	for _, from := range shop.ReviewStates {
		for _, to := range shop.ReviewStates {
			id := fmt.Sprintf("rv-%s-%s", from, to)
			recs = append(recs, rec(shop.TypeReview, id, shop.Review{ID: id, OrderID: "o-1", CustomerID: "u-1", Nick: "小鱼儿", Stars: 2,
				Text: "尺码偏小", At: monday10.Add(-48 * time.Hour), State: from,
				Steps: []shop.Step{{From: "new", To: string(from), Staff: "1001", At: monday10.Add(-time.Hour)}}}))
		}
	}
	e.importShop("gamma", recs, StaffLogin{Staff: shop.Staff{Number: "1001"}, Password: pass}, StaffLogin{Staff: shop.Staff{Number: "1002"}, Password: pass})
}

// TestReviewEveryTransitionOnServer pushes a move from every follow-up state to every state:
// the legal ones are applied with the staff number, time and note recorded; the illegal ones
// come back as conflicts with the current state and who made it, and change nothing.
func TestReviewEveryTransitionOnServer(t *testing.T) {
	e := newEnv(t, "")
	e.importReviewShop()
	li := e.login("gamma", "1002")
	var ms []shop.Mutation
	var want []bool
	for _, from := range shop.ReviewStates {
		for _, to := range shop.ReviewStates {
			id := fmt.Sprintf("rv-%s-%s", from, to)
			ms = append(ms, mut(t, shop.KindReviewMove, id, 0, shop.Move{From: string(from), To: string(to), Note: "电话沟通"}))
			legal := false
			for _, s := range serverReviewLegal[from] {
				legal = legal || s == to
			}
			want = append(want, legal)
		}
	}
	results := e.push(li, ms...)
	feed := e.all(li)
	applied := 0
	for i, r := range results {
		var p shop.Move
		if err := json.Unmarshal(ms[i].Data, &p); err != nil {
			t.Fatal(err)
		}
		var rv shop.Review
		if err := feed["review/"+ms[i].Entity].Decode(&rv); err != nil {
			t.Fatal(err)
		}
		if want[i] {
			applied++
			expectStatus(t, r, storeapi.StatusApplied)
			last := rv.Steps[len(rv.Steps)-1]
			if string(rv.State) != p.To || len(rv.Steps) != 2 || last.Staff != "1002" || !last.At.Equal(monday10) || last.Note != "电话沟通" || last.From != p.From {
				t.Errorf("%s → %s: review on the server %+v", p.From, p.To, rv)
			}
			continue
		}
		expectStatus(t, r, storeapi.StatusConflict)
		c := r.Conflict
		if c == nil || c.By != "1001" || !c.At.Equal(monday10.Add(-time.Hour)) || len(c.Current) != 1 || c.Current[0].ID != ms[i].Entity {
			t.Errorf("%s → %s: conflict %+v; want the current state made by 1001", p.From, p.To, c)
			continue
		}
		var cur shop.Review
		if err := c.Current[0].Decode(&cur); err != nil || string(cur.State) != p.From {
			t.Errorf("%s → %s: conflict's current review %+v, %v", p.From, p.To, cur, err)
		}
		if string(rv.State) != p.From || len(rv.Steps) != 1 {
			t.Errorf("%s → %s: the illegal move changed the review: %+v", p.From, p.To, rv)
		}
	}
	if applied != 14 {
		t.Fatalf("%d moves applied; the issue's machine has 14 legal ones", applied)
	}

	// Two desks move the same review: the second move starts from a state the review has left.
	wang := e.login("gamma", "1001")
	e.clock.Advance(time.Minute)
	expectStatus(t, e.push(wang, mut(t, shop.KindReviewMove, "rv-contacted-resolving", 0, shop.Move{From: "resolving", To: "resolved", Note: "已补发"}))[0], storeapi.StatusApplied)
	r := e.push(li, mut(t, shop.KindReviewMove, "rv-contacted-resolving", 0, shop.Move{From: "resolving", To: "malicious"}))[0]
	expectStatus(t, r, storeapi.StatusConflict)
	if r.Conflict.By != "1001" || !contains(r.Conflict.Reason, "is resolved now") {
		t.Fatalf("stale move: conflict %+v", r.Conflict)
	}
	// An unknown state is rejected with a reason.
	r = e.push(li, mut(t, shop.KindReviewMove, "rv-new-new", 0, shop.Move{From: "new", To: "forgotten"}))[0]
	expectStatus(t, r, storeapi.StatusRejected)
}

// TestReviewFollowUpOnServer: the contact starts the buyer's conversation and logs the
// contact, the reply is limited to 500 characters, the buyer is reviewed only after a completed
// order, and locked evidence keeps its hash and cannot be replaced.
func TestReviewFollowUpOnServer(t *testing.T) {
	e := newEnv(t, "")
	e.importReviewShop()
	li := e.login("gamma", "1002")
	msg := shop.NewID()
	expectStatus(t, e.push(li, mut(t, shop.KindReviewContact, "rv-new-new", 0,
		shop.ReviewContactData{ConversationID: "conv-new", MessageID: msg, Text: "亲，非常抱歉，给您补发一件"}))[0], storeapi.StatusApplied)
	long := make([]rune, shop.MaxReplyRunes+1)
	for i := range long {
		long[i] = '歉'
	}
	expectStatus(t, e.push(li, mut(t, shop.KindReviewReply, "rv-new-new", 0, shop.ReviewReplyData{Text: string(long)}))[0], storeapi.StatusRejected)
	expectStatus(t, e.push(li, mut(t, shop.KindReviewReply, "rv-new-new", 0, shop.ReviewReplyData{Text: string(long[1:])}))[0], storeapi.StatusApplied)
	expectStatus(t, e.push(li, mut(t, shop.KindReviewBuyer, "rv-new-new", 0, shop.ReviewBuyerData{Stars: 4, Text: "沟通顺畅"}))[0], storeapi.StatusApplied)

	content := []byte("\x89PNG fake screenshot")
	sum := sha256.Sum256(content)
	ev := shop.Evidence{ReviewID: "rv-new-new", Kind: "file", Title: "聊天截图", FileName: "chat.png", Content: content, SHA256: hex.EncodeToString(sum[:])}
	expectStatus(t, e.push(li, mut(t, shop.KindEvidenceAdd, "ev-1", 0, ev))[0], storeapi.StatusApplied)
	ev.Content = []byte("changed")
	ev.SHA256 = ""
	r := e.push(li, mut(t, shop.KindEvidenceAdd, "ev-1", 0, ev))[0]
	expectStatus(t, r, storeapi.StatusRejected)
	if !contains(r.Reason, "cannot be changed") {
		t.Fatalf("replacing locked evidence: %q", r.Reason)
	}

	feed := e.all(li)
	var rv shop.Review
	if err := feed["review/rv-new-new"].Decode(&rv); err != nil {
		t.Fatal(err)
	}
	if rv.State != shop.ReviewContacted || rv.Contacts != 1 || rv.ReplyBy != "1002" || rv.BuyerStars != 4 {
		t.Fatalf("review after the follow-up %+v", rv)
	}
	var c shop.Conversation
	if err := feed["conversation/conv-new"].Decode(&c); err != nil || c.CustomerID != "u-1" || c.Messages != 1 {
		t.Fatalf("started conversation %+v, %v", c, err)
	}
	var got shop.Evidence
	if err := feed["evidence/ev-1"].Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.SHA256 != hex.EncodeToString(sum[:]) || string(got.Content) != string(content) || got.Staff != "1002" || got.LockedAt.IsZero() {
		t.Fatalf("locked evidence %+v", got)
	}
}
