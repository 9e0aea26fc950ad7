package localdb

import (
	"encoding/json"
	"testing"

	"kefu/shop"
)

// FuzzApplyChanges feeds the change applier arbitrary records (any type, id, seq, tombstone
// flag and payload bytes) on top of the demo shop with a pending note. It must never panic,
// never lose the pending mutation, and leave the entity, index, pending and outbox keyspaces
// consistent (checkConsistent). Its seed corpus is testdata/fuzz/FuzzApplyChanges.
func FuzzApplyChanges(f *testing.F) {
	db := openMem(f)
	s := demo()
	if err := db.ApplyChanges(s.since(0), s.seq); err != nil {
		f.Fatal(err)
	}
	if _, err := db.Apply(noteMut(f, "2026112701", shop.NewID(), shop.FlagRed, "待处理的备注")); err != nil {
		f.Fatal(err)
	}
	order, _ := json.Marshal(shop.Order{ID: "2026112701", CustomerID: "c2", Status: shop.StatusPaid})
	f.Add("order", "2026112701", int64(1), false, order, int64(2))
	f.Add("order", "2026112701", int64(0), true, []byte(nil), int64(-1))
	f.Add("product", "p1", int64(1<<62), false, []byte(`{"id":"p1","variants":[{"sku":"KD-1-RED-120","warehouse":-5}]}`), int64(9))
	f.Add("conversation", "v1", int64(-3), false, []byte(`{"id":"v1","customer_id":7}`), int64(0))
	f.Add("nonsense", "", int64(5), false, []byte("\xff\xfe"), int64(5))

	f.Fuzz(func(t *testing.T, typ, id string, seq int64, deleted bool, data []byte, next int64) {
		before := db.OutboxLen()
		rec := shop.Record{Type: shop.EntityType(typ), ID: id, Seq: seq, Deleted: deleted, Data: json.RawMessage(data)}
		// Twice, as a retried pull would: the second time must be harmless too.
		for range 2 {
			_ = db.ApplyChanges([]shop.Record{rec, {Type: shop.TypeOrder, ID: "2026112701", Seq: seq, Data: json.RawMessage(data)}}, next)
		}
		if got := db.OutboxLen(); got != before {
			t.Fatalf("the outbox went from %d to %d mutations", before, got)
		}
		checkConsistent(t, db)
		if !db.IsPending(shop.TypeOrder, "2026112701") {
			t.Fatal("the order with the pending note is no longer pending")
		}
		// Queries over whatever was stored must not panic.
		_, _ = db.Order("2026112701")
		_, _ = db.Order(id)
		_, _ = db.Notes("2026112701")
	})
}
