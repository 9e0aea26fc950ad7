package bench

import (
	"testing"
	"time"

	"kefu/localdb"
	"kefu/shop"
	"kefu/shop/demoshop"
)

// The sync child's staff member writes real order notes on what has arrived: each one lands in
// the outbox, and none fails or conflicts.
func TestNoteDuringSync(t *testing.T) {
	db, err := localdb.Open(localdb.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var recs []shop.Record
	if err := demoshop.Generate(demoshop.Small, 7, fingerprintNow, func(r shop.Record) error {
		r.Seq = int64(len(recs) + 1)
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyChanges(recs, int64(len(recs))); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	res := make(chan syncActions, 1)
	go func() { res <- noteDuringSync(db, "1001", stop) }()
	for db.OutboxLen() < 3 {
		time.Sleep(syncActionEvery / 4) // polling, not a timed assertion
	}
	close(stop)
	got := <-res
	if got.err != "" {
		t.Fatal(got.err)
	}
	if got.n < 3 || got.n != db.OutboxLen() || got.reads != 0 || got.slowest <= 0 {
		t.Fatalf("%d actions (slowest %v), %d in the outbox", got.n, got.slowest, db.OutboxLen())
	}
	out, err := db.Outbox(10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range out {
		if m.Kind != shop.KindOrderNote || m.Staff != "1001" {
			t.Fatalf("outbox holds %s by %s", m.Kind, m.Staff)
		}
	}
}
