package localdb

import (
	"bytes"
	"sort"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// TestIndexKeysKeepTheirLayout pins the index keys the specs produce to the layout of schema
// version 3, written out by hand: a change to a spec that changes a stored key must come with a
// new schema version and a migration.
func TestIndexKeysKeepTheirLayout(t *testing.T) {
	created, waited, last := t0, t0.Add(time.Minute), t0.Add(time.Hour)
	tk := func(at time.Time) string {
		if at.IsZero() {
			return "\x00\x00\x00\x00\x00\x00\x00\x00"
		}
		return string(u64(uint64(at.UnixNano()) ^ 1<<63))
	}
	// The order lookup keys carry the list row after the value (schema 4): status, payment,
	// COD call, flag, total, nick, receiver, phone.
	rowA17 := "\x01paid\x01cod\x01\x01" + string(rune('0'+shop.FlagRed)) + "\x011999\x01XiaoYu\x01Wang Fang\x01138-0000 0001"
	cases := []struct {
		name string
		rec  shop.Record
		want []string
	}{
		{"order", shop.NewRecord(shop.TypeOrder, "A-17", shop.Order{ID: "A-17", CustomerID: "c1", Nick: "XiaoYu",
			Status: shop.StatusPaid, Payment: shop.PayCOD, Address: shop.Address{Receiver: "Wang Fang", Phone: "138-0000 0001"},
			CreatedAt: created, Flag: shop.FlagRed, Total: 1999}),
			[]string{
				"i/on/a-17" + rowA17 + "\x00" + tk(created) + "A-17",
				"i/onk/xiaoyu" + rowA17 + "\x00" + tk(created) + "A-17",
				"i/oph/13800000001" + rowA17 + "\x00" + tk(created) + "A-17",
				"i/orc/wang fang" + rowA17 + "\x00" + tk(created) + "A-17",
				"i/ocu/c1\x00" + tk(created) + "A-17",
				"i/ot/" + tk(created) + "A-17",
				"i/ost/" + string(shop.StatusPaid) + "\x00" + tk(created) + "A-17",
				"i/ofl/" + string(rune('0'+shop.FlagRed)) + "\x00" + tk(created) + "A-17",
				"i/opy/" + string(shop.PayCOD) + "\x00" + tk(created) + "A-17",
				"i/osp/c1\x011999\x00" + tk(created) + "A-17",
			}},
		{"unpaid order without buyer", shop.NewRecord(shop.TypeOrder, "B", shop.Order{ID: "B", Status: shop.StatusUnpaid, Payment: shop.PayOnline}),
			[]string{
				"i/on/b\x01unpaid\x01online\x01\x010\x010\x01\x01\x01\x00" + tk(time.Time{}) + "B",
				"i/ot/" + tk(time.Time{}) + "B",
				"i/ost/" + string(shop.StatusUnpaid) + "\x00" + tk(time.Time{}) + "B",
				"i/ofl/0\x00" + tk(time.Time{}) + "B",
				"i/opy/" + string(shop.PayOnline) + "\x00" + tk(time.Time{}) + "B",
			}},
		{"customer", shop.NewRecord(shop.TypeCustomer, "c1", shop.Customer{ID: "c1", Nick: "LucyC", Name: "露西", Phone: "+86 139 0000 0002"}),
			[]string{"i/cnk/lucyc\x00c1", "i/cnm/露西\x00c1", "i/cph/8613900000002\x00c1"}},
		{"waiting conversation", shop.NewRecord(shop.TypeConversation, "v1", shop.Conversation{ID: "v1", Nick: "Ann", CustomerID: "c1",
			Assignee: "1001", WaitingSince: waited, LastAt: last}),
			[]string{"i/vn/ann\x00v1", "i/vcu/c1\x00v1", "i/vw/" + tk(waited) + "v1", "i/vaw/1001\x00" + tk(waited) + "v1",
				"i/kc/" + kpiRowHex(last) + "\x01c1\x011001\x00v1"}},
		{"open conversation", shop.NewRecord(shop.TypeConversation, "v2", shop.Conversation{ID: "v2", LastAt: last}),
			[]string{"i/vo/" + tk(last) + "v2", "i/kc/" + kpiRowHex(last) + "\x01\x01\x00v2"}},
		{"closed conversation", shop.NewRecord(shop.TypeConversation, "v3", shop.Conversation{ID: "v3", Assignee: "1002",
			WaitingSince: waited, LastAt: last, Closed: true}),
			[]string{"i/vc/" + tk(last) + "v3", "i/val/1002\x00" + tk(last) + "v3", "i/kc/" + kpiRowHex(last) + "\x01\x011002\x00v3"}},
		{"message", shop.NewRecord(shop.TypeMessage, "m1", shop.Message{ID: "m1", ConversationID: "v1", At: last}),
			[]string{"i/mc/v1\x00" + tk(last) + "m1", "i/km/" + kpiRowHex(last) + "\x01\x01\x01v1\x00m1"}},
		{"note", shop.NewRecord(shop.TypeNote, "n1", shop.OrderNote{ID: "n1", OrderID: "A-17", At: last}),
			[]string{"i/no/A-17\x00" + tk(last) + "n1"}},
		{"open case", shop.NewRecord(shop.TypeCase, "k1", shop.AfterSalesCase{ID: "k1", OrderID: "A-17", State: shop.CaseOpen, CreatedAt: created}),
			[]string{"i/co/A-17\x00k1", "i/cx/k1"}},
		{"finished case", shop.NewRecord(shop.TypeCase, "k2", shop.AfterSalesCase{ID: "k2", State: shop.CaseResolved, CreatedAt: created, UpdatedAt: last}),
			[]string{"i/cf/" + tk(last) + "k2"}},
		{"unanswered review", shop.NewRecord(shop.TypeReview, "r1", shop.Review{ID: "r1", CustomerID: "c1", At: created}),
			[]string{"i/ru/" + tk(created) + "r1", "i/rcu/c1\x00" + tk(created) + "r1"}},
		{"answered review", shop.NewRecord(shop.TypeReview, "r2", shop.Review{ID: "r2", At: created, Reply: "谢谢"}),
			[]string{"i/ra/" + tk(created) + "r2"}},
		{"evidence", shop.NewRecord(shop.TypeEvidence, "e1", shop.Evidence{ID: "e1", ReviewID: "r1"}),
			[]string{"i/ev/r1\x00e1"}},
		{"complaint", shop.NewRecord(shop.TypeComplaint, "p1", shop.Complaint{ID: "p1", CustomerID: "c1", CreatedAt: created}),
			[]string{"i/cpc/c1\x00" + tk(created) + "p1"}},
		{"product", shop.NewRecord(shop.TypeProduct, "g1", shop.Product{ID: "g1", Name: "儿童外套"}), nil},
		{"undecodable order", shop.Record{Type: shop.TypeOrder, ID: "X", Data: []byte("{")}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, k := range indexKeys(c.rec.Type, c.rec.ID, c.rec.Data) {
				got = append(got, string(k))
			}
			sort.Strings(got)
			want := append([]string(nil), c.want...)
			sort.Strings(want)
			if !eq(got, want) {
				t.Errorf("index keys\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestIndexKeysParseBack: every key a spec makes gives back its id, time and value.
func TestIndexKeysParseBack(t *testing.T) {
	at := t0.Add(42 * time.Second)
	for name, ix := range indexes {
		k := ixKey(ix, "va\x00lue", at, "the-id")
		if !bytes.HasPrefix(k, ixPrefix(ix)) || string(ixPrefix(ix)) != "i/"+name+"/" {
			t.Errorf("%s: key %q outside the index's prefix", name, k)
		}
		if id, ok := ixID(ix, k); !ok || id != "the-id" {
			t.Errorf("%s: id %q, %v", name, id, ok)
		}
		if ix.time && !bytes.Equal(ixTime(ix, k), timeKey(at)) {
			t.Errorf("%s: time %x; want %x", name, ixTime(ix, k), timeKey(at))
		}
		if ix.value && ixValue(ix, k) != "value" {
			t.Errorf("%s: value %q; want the value without its NUL", name, ixValue(ix, k))
		}
		if specs[ix.entity] == nil {
			t.Errorf("%s: no spec for its entity type %s", name, ix.entity)
		}
	}
}

// TestBackfillWritesWhatTheWritePathWrites: with every index key dropped, the migration
// backfill of every index brings back exactly the keys the writes had made, pending entities
// included.
func TestBackfillWritesWhatTheWritePathWrites(t *testing.T) {
	db := openMem(t)
	seeded(t, db)
	apply(t, db, noteMut(t, "2026112701", "n-back", shop.FlagRed, "回填"))
	indexKeySet := func() []string {
		var ks []string
		if err := db.bdb.View(func(txn *badger.Txn) error {
			scanKeys(txn, []byte(prefixIndex), false, nil, func(k []byte) bool {
				ks = append(ks, string(k))
				return true
			})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return ks
	}
	before := indexKeySet()
	if len(before) == 0 {
		t.Fatal("the seeded store has no index keys")
	}
	if err := db.bdb.DropPrefix([]byte(prefixIndex)); err != nil {
		t.Fatal(err)
	}
	if n := len(indexKeySet()); n != 0 {
		t.Fatalf("%d index keys left after dropping them", n)
	}
	all := make([]*index, 0, len(indexes))
	for _, ix := range indexes {
		all = append(all, ix)
	}
	if err := db.backfill(all...); err != nil {
		t.Fatal(err)
	}
	if after := indexKeySet(); !eq(after, before) {
		t.Fatalf("backfill wrote %d index keys; the writes had made %d", len(after), len(before))
	}
	checkConsistent(t, db)
}
