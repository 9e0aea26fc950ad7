package sync

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"kefu/localdb"
	"kefu/shop"
)

// A bulk message (群发) recorded offline is pushed when the cable is back; the connection is
// cut after the server applied the first pushes, and the retries still deliver each message
// exactly once. Then the per-day cap stops a second bulk message the same day.
func TestBulkSendRetriedAfterCutIsDeliveredOnce(t *testing.T) {
	t.Parallel()
	var cut *cutter
	ts := newTestServer(t, func(h http.Handler) http.Handler {
		cut = &cutter{next: h}
		return cut
	})
	d := newDesk(t, ts, "desk", "1002", nil)
	d.waitSynced(ts)

	g := shop.Group{ID: shop.NewID(), Name: "买过的客户", Rule: &shop.GroupRule{MinSpent: 1}}
	now := time.Now()
	members, err := d.db.GroupMembers(g, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 50 {
		t.Fatalf("%d members; every customer of the test shop bought", len(members))
	}
	var custs []shop.Customer
	for _, m := range members {
		custs = append(custs, m.Customer)
	}
	const template = "{nick}您好，新款纯棉T恤到了"
	plan, err := d.db.PlanBulk(localdb.BulkRequest{Members: custs, Template: template, DailyCap: 3, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Sends) != fixtureConvs || plan.NoChat != 50-fixtureConvs {
		t.Fatalf("%d sends, %d without a chat; want %d and %d", len(plan.Sends), plan.NoChat, fixtureConvs, 50-fixtureConvs)
	}
	before := ts.feed(t, d.token)

	// Offline: the messages wait in the outbox.
	d.cable.unplugged.Store(true)
	want := map[string]string{} // conversation → text
	for _, s := range plan.Sends {
		m, err := localdb.BulkMutation(s, d.staff, now)
		if err != nil {
			t.Fatal(err)
		}
		out, err := d.db.Apply(m)
		if err != nil || out.Conflict != nil {
			t.Fatalf("recording the message to %s: %v %+v", s.Customer.Nick, err, out.Conflict)
		}
		want[s.ConversationID] = s.Text
		if !strings.HasPrefix(s.Text, s.Customer.Nick+"您好") {
			t.Fatalf("text %q for %s", s.Text, s.Customer.Nick)
		}
	}
	if n := d.db.OutboxLen(); n != len(plan.Sends) {
		t.Fatalf("%d mutations queued, want %d", n, len(plan.Sends))
	}

	// Back online, and the first push and its retry lose their answers.
	cut.armed.Store(2)
	seen := cut.seen.Load()
	d.cable.unplugged.Store(false)
	d.eng.Kick()
	d.waitSynced(ts)
	if cut.cuts.Load() != 2 || cut.seen.Load()-seen < 3 {
		t.Fatalf("%d pushes cut of %d seen; want 2 cut and a retry", cut.cuts.Load(), cut.seen.Load()-seen)
	}

	after := ts.feed(t, d.token)
	got := map[string]int{}
	for key, r := range after {
		if !strings.HasPrefix(key, "message/") {
			continue
		}
		if _, old := before[key]; old {
			continue
		}
		var m shop.Message
		if err := r.Decode(&m); err != nil {
			t.Fatal(err)
		}
		if want[m.ConversationID] != m.Text || m.From != shop.FromStaff || m.Staff != "1002" {
			t.Errorf("unexpected new message in %s: %+v", m.ConversationID, m)
		}
		got[m.ConversationID]++
	}
	for conv := range want {
		if got[conv] != 1 {
			t.Errorf("conversation %s got the bulk message %d times", conv, got[conv])
		}
		var c0, c1 shop.Conversation
		before["conversation/"+conv].Decode(&c0)
		after["conversation/"+conv].Decode(&c1)
		if c1.Messages-c0.Messages != 1 {
			t.Errorf("conversation %s: %d new messages on the server, want 1", conv, c1.Messages-c0.Messages)
		}
	}
	if ps, _ := d.db.Problems(); len(ps) != 0 {
		t.Errorf("problems: %+v", ps)
	}

	// The messages came back from the server: a cap of one a day now skips everyone.
	again, err := d.db.PlanBulk(localdb.BulkRequest{Members: custs, Template: template, DailyCap: 1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Sends) != 0 || again.Capped != fixtureConvs {
		t.Fatalf("second bulk the same day: %d sends, %d capped; want 0 and %d", len(again.Sends), again.Capped, fixtureConvs)
	}
}
