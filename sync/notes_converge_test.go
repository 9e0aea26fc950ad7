package sync

import (
	"testing"

	"kefu/internal/testkit"
	"kefu/shop"
)

// TestOfflineNotesConverge: two desks add notes with different flags to one order while the
// server is down. After reconnecting, both desks list both notes, and the order's flag, and who
// set it, are the same on both desks and on the server.
func TestOfflineNotesConverge(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	a := newDesk(t, ts, "desk A", "1001", nil)
	b := newDesk(t, ts, "desk B", "1002", nil)
	a.waitSynced(ts)
	b.waitSynced(ts)
	order := findFixture(t, a.db).orders[0].ID

	ts.stop()
	_, noteA := a.note(order, shop.FlagRed, "A offline: 改发顺丰")
	_, noteB := b.note(order, shop.FlagBlue, "B offline: 客户要求改地址")
	testkit.WaitFor(t, "both desks offline with their note pending", func() bool {
		sa, sb := a.eng.Status(), b.eng.Status()
		return sa.State == StateOffline && sa.Pending == 1 && sb.State == StateOffline && sb.Pending == 1
	})
	// Offline, each desk shows its own note and its own flag.
	for _, c := range []struct {
		d    *desk
		note string
		flag shop.Flag
	}{{a, noteA, shop.FlagRed}, {b, noteB, shop.FlagBlue}} {
		notes, err := c.d.db.Notes(order)
		if err != nil || len(notes) == 0 || notes[0].ID != c.note {
			t.Fatalf("%s offline: newest note is not its own (%d notes, %v)", c.d.name, len(notes), err)
		}
		if o, err := c.d.db.Order(order); err != nil || o.Flag != c.flag {
			t.Fatalf("%s offline: flag %v (%v); want %v", c.d.name, o.Flag, err, c.flag)
		}
	}

	ts.start(false)
	a.waitSynced(ts)
	b.waitSynced(ts)
	a.waitSynced(ts) // a may have pulled before b pushed

	var server shop.Order
	if err := ts.feed(t, a.token)["order/"+order].Decode(&server); err != nil {
		t.Fatal(err)
	}
	if server.Flag != shop.FlagRed && server.Flag != shop.FlagBlue {
		t.Fatalf("the server's flag is %v; want one of the two set offline", server.Flag)
	}
	for _, d := range []*desk{a, b} {
		notes, err := d.db.Notes(order)
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]shop.OrderNote{}
		for _, n := range notes {
			have[n.ID] = n
		}
		if _, ok := have[noteA]; !ok {
			t.Errorf("%s does not show desk A's note", d.name)
		}
		if _, ok := have[noteB]; !ok {
			t.Errorf("%s does not show desk B's note", d.name)
		}
		if have[noteA].Staff != "1001" || have[noteB].Staff != "1002" {
			t.Errorf("%s: notes by %q and %q; want 1001 and 1002", d.name, have[noteA].Staff, have[noteB].Staff)
		}
		o, err := d.db.Order(order)
		if err != nil {
			t.Fatal(err)
		}
		if o.Flag != server.Flag || o.FlagBy != server.FlagBy || !o.FlagAt.Equal(server.FlagAt) {
			t.Errorf("%s: flag %v by %s at %v; the server has %v by %s at %v", d.name, o.Flag, o.FlagBy, o.FlagAt, server.Flag, server.FlagBy, server.FlagAt)
		}
		if d.db.IsPending(shop.TypeOrder, order) || d.db.IsPending(shop.TypeNote, noteA) || d.db.IsPending(shop.TypeNote, noteB) {
			t.Errorf("%s still marks the order or a note pending", d.name)
		}
	}
	// The flag is the one of the note the server applied last.
	want := map[string]shop.Flag{"1001": shop.FlagRed, "1002": shop.FlagBlue}[server.FlagBy]
	if server.Flag != want {
		t.Errorf("the server's flag %v was set by %s, whose note set %v", server.Flag, server.FlagBy, want)
	}
}
