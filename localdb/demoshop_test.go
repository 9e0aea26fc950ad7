package localdb

import (
	"testing"

	"kefu/shop"
	"kefu/shop/demoshop"
)

// TestDemoShop loads the generated Small demo shop page by page, as the sync engine does, and
// checks the indexes against the records.
func TestDemoShop(t *testing.T) {
	db := openDir(t, t.TempDir())
	srv := newServer()
	err := demoshop.Generate(demoshop.Small, 7, clock, func(r shop.Record) error {
		srv.put(r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := srv.since(0)
	for i := 0; i < len(all); i += 2000 {
		page := all[i:min(i+2000, len(all))]
		if err := db.ApplyChanges(page, page[len(page)-1].Seq); err != nil {
			t.Fatal(err)
		}
	}
	checkConsistent(t, db)

	waiting, products := 0, 0
	msgs := map[string]int{}
	var someOrder string
	for _, r := range all {
		switch r.Type {
		case shop.TypeConversation:
			var c shop.Conversation
			if err := r.Decode(&c); err != nil {
				t.Fatal(err)
			}
			if convWaiting(c) {
				waiting++
			}
		case shop.TypeMessage:
			var m shop.Message
			if err := r.Decode(&m); err != nil {
				t.Fatal(err)
			}
			msgs[m.ConversationID]++
		case shop.TypeProduct:
			products++
		case shop.TypeOrder:
			someOrder = r.ID
		}
	}
	if n, err := db.WaitingCount(); err != nil || n != waiting {
		t.Errorf("WaitingCount = %d, %v; want %d", n, err, waiting)
	}
	if cs, _ := db.Conversations(FilterWaiting, "", "", 0); len(cs) != waiting {
		t.Errorf("waiting list %d, want %d", len(cs), waiting)
	}
	if ps, _ := db.SearchProducts("", 0); len(ps) != products || products != demoshop.Small.Products {
		t.Errorf("%d products listed, %d generated", len(ps), products)
	}
	for conv, n := range msgs {
		ms, err := db.Messages(conv, "", 0)
		if err != nil || len(ms) != n {
			t.Fatalf("conversation %s: %d messages listed, %d generated (%v)", conv, len(ms), n, err)
		}
	}
	o := mustOrder(t, db, someOrder)
	apply(t, db, noteMut(t, o.ID, shop.NewID(), shop.FlagBlue, "演示备注"))
	if got := mustOrder(t, db, o.ID); got.NoteCount != o.NoteCount+1 || got.Flag != shop.FlagBlue {
		t.Errorf("note on a demo order: %+v", got)
	}
	checkConsistent(t, db)
}
