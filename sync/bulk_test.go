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

	now := time.Now()
	members, err := d.db.Customers(localdb.CustomerScan{Candidate: func(st shop.CustomerStats) bool { return st.Spent >= 1 }})
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
	// The bulk message of package desk: one chat.send into each customer's latest conversation.
	type send struct {
		customer shop.Customer
		conv     string
		text     string
	}
	var sends []send
	for _, c := range custs {
		convs, err := d.db.ConversationsOf(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(convs) > 0 {
			sends = append(sends, send{c, convs[0].ID, shop.Fill(template, map[string]string{"nick": c.Nick})})
		}
	}
	if len(sends) != fixtureConvs {
		t.Fatalf("%d sends; want %d", len(sends), fixtureConvs)
	}
	before := ts.feed(t, d.token)

	// Offline: the messages wait in the outbox.
	d.cable.unplugged.Store(true)
	want := map[string]string{} // conversation → text
	for _, s := range sends {
		m, err := shop.NewMutation(shop.KindChatSend, s.conv, d.staff, now, shop.ChatSend{MessageID: shop.NewID(), Text: s.text})
		if err != nil {
			t.Fatal(err)
		}
		out, err := d.db.Apply(m)
		if err != nil || out.Conflict != nil {
			t.Fatalf("recording the message to %s: %v %+v", s.customer.Nick, err, out.Conflict)
		}
		want[s.conv] = s.text
		if !strings.HasPrefix(s.text, s.customer.Nick+"您好") {
			t.Fatalf("text %q for %s", s.text, s.customer.Nick)
		}
	}
	if n := d.db.OutboxLen(); n != len(sends) {
		t.Fatalf("%d mutations queued, want %d", n, len(sends))
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

	// The messages came back from the server: each customer has had one staff message today,
	// which the desk's daily cap counts.
	for _, s := range sends {
		if n, err := d.db.StaffMessagesOn(s.customer.ID, now); err != nil || n != 1 {
			t.Fatalf("%s has %d staff messages today (%v); want 1", s.customer.Nick, n, err)
		}
	}
}
