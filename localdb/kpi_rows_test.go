package localdb

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

// kpiWindows are the periods the KPI row tests ask for: the fixture's weeks by month, week and
// day, and the last month up to now (where the desk's offline messages fall).
func kpiWindows() []struct {
	from, to time.Time
	period   shop.Period
} {
	now := time.Now()
	return []struct {
		from, to time.Time
		period   shop.Period
	}{
		{time.Date(2026, 10, 1, 0, 0, 0, 0, shop.ShopZone), time.Date(2026, 12, 1, 0, 0, 0, 0, shop.ShopZone), shop.PeriodMonth},
		{time.Date(2026, 10, 26, 0, 0, 0, 0, shop.ShopZone), time.Date(2026, 11, 2, 0, 0, 0, 0, shop.ShopZone), shop.PeriodWeek},
		{time.Date(2026, 10, 21, 0, 0, 0, 0, shop.ShopZone), time.Date(2026, 10, 22, 0, 0, 0, 0, shop.ShopZone), shop.PeriodDay},
		{now.AddDate(0, -1, 0), now.Add(24 * time.Hour), shop.PeriodDay},
	}
}

// fullRecordKPIs computes the KPIs from every record of the KPI types the desk shows, each
// decoded whole (the server's way, shop.KPIAccumulator.AddRecord), pending states included.
func fullRecordKPIs(t *testing.T, db *DB, from, to time.Time, period shop.Period) shop.KPIReport {
	t.Helper()
	var rep shop.KPIReport
	err := db.view(func(txn *badger.Txn) error {
		acc, err := newKPIAccumulator(txn, from, to, period)
		if err != nil {
			return err
		}
		for _, typ := range shop.KPITypes {
			err := eachEntity(txn, typ, func(id string, data []byte) error {
				return acc.AddRecord(shop.Record{Type: typ, ID: id, Data: append([]byte(nil), data...)})
			})
			if err != nil {
				return err
			}
		}
		rep = acc.Report()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// sameKPIsAsFullRecords checks that KPIReport (through the KPI rows) gives, for every window of
// kpiWindows, the report of every record decoded whole, and that the fixture gave figures.
func sameKPIsAsFullRecords(t *testing.T, db *DB, stage string) {
	t.Helper()
	messages := 0
	for _, w := range kpiWindows() {
		got, err := db.KPIReport(w.from, w.to, w.period)
		if err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		want := fullRecordKPIs(t, db, w.from, w.to, w.period)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s, %s from %s: KPI rows give\n%+v\nwhole records\n%+v", stage, w.period, w.from.Format(time.DateOnly), got.Total, want.Total)
		}
		messages += got.Total.Team.Stretches + got.Total.Team.Responses
	}
	if messages == 0 {
		t.Errorf("%s: the fixture gives no chat figures", stage)
	}
}

// countKPIRows counts the KPI rows of messages and of conversations.
func countKPIRows(t *testing.T, db *DB) (msgs, convs int) {
	t.Helper()
	err := db.view(func(txn *badger.Txn) error {
		scanKeys(txn, ixPrefix(ixKPIMessage), false, nil, func([]byte) bool { msgs++; return true })
		scanKeys(txn, ixPrefix(ixKPIConversation), false, nil, func([]byte) bool { convs++; return true })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return msgs, convs
}

// The KPIs read from the KPI rows are those of the whole records, after a pull, offline
// actions (a reply, a transfer, both pending), feed updates (a message moved in time and to
// another staff member, a conversation reassigned, a message and a conversation deleted) and
// the offline actions' confirmation.
func TestKPIRowsGiveTheFullRecordReport(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		s := kpiShop()
		pull(t, db, s)
		sameKPIsAsFullRecords(t, db, "after the first pull")

		reply := mut(t, shop.KindChatSend, "kv03", "1001", shop.ChatSend{MessageID: "km-offline", Text: "马上为您处理"})
		transfer := mut(t, shop.KindChatTransfer, "kv04", "1001", shop.ChatTransfer{To: "1001"})
		apply(t, db, reply)
		apply(t, db, transfer)
		if db.OutboxLen() != 2 {
			t.Fatalf("outbox holds %d actions; want the 2 offline ones", db.OutboxLen())
		}
		sameKPIsAsFullRecords(t, db, "with offline actions pending")

		moved := shop.Message{ID: "km005b", ConversationID: "kv05", From: shop.FromStaff, Staff: "1002", Text: "您好",
			At: time.Date(2026, 10, 22, 15, 30, 0, 0, shop.ShopZone)}
		s.add(shop.TypeMessage, moved.ID, moved)
		var c shop.Conversation
		if _, ok, _ := s.Get(shop.TypeConversation, "kv06", &c); !ok {
			t.Fatal("the fixture has no conversation kv06")
		}
		c.Assignee = "1001"
		s.add(shop.TypeConversation, c.ID, c)
		// A deleted message, and a deleted conversation with its messages (messages left without
		// their conversation count on the server's side only, as before the KPI rows).
		dels := []shop.Record{{Type: shop.TypeMessage, ID: "km010a", Deleted: true}, {Type: shop.TypeConversation, ID: "kv07", Deleted: true}}
		for i := 7; i < 60; i += 12 {
			for _, part := range []string{"a", "b"} {
				dels = append(dels, shop.Record{Type: shop.TypeMessage, ID: fmt.Sprintf("km%03d%s", i, part), Deleted: true})
			}
		}
		s.put(dels...)
		pull(t, db, s)
		sameKPIsAsFullRecords(t, db, "after feed updates and deletes")

		var acks []Ack
		for _, m := range []shop.Mutation{reply, transfer} {
			s.apply(t, m, time.Now())
			acks = append(acks, Ack{ID: m.ID, Status: AckApplied})
		}
		if err := db.Acknowledge(acks); err != nil {
			t.Fatal(err)
		}
		pull(t, db, s)
		sameKPIsAsFullRecords(t, db, "after the server took the offline actions")
	})
}

// A first full sync through the bulk import stages the KPI rows with the other index keys:
// the imported store holds the same rows as one fed page by page, and the same KPIs.
func TestKPIRowsAfterABulkImport(t *testing.T) {
	feed := kpiShop().since(0)
	want, got := openDir(t, t.TempDir()), openDir(t, t.TempDir())
	if err := pages(feed, 40, want.ApplyChanges); err != nil {
		t.Fatal(err)
	}
	b, err := got.BeginBulkImport(0)
	if err != nil {
		t.Fatal(err)
	}
	if err := pages(feed, 40, b.Add); err != nil {
		t.Fatal(err)
	}
	if err := b.Finish(); err != nil {
		t.Fatal(err)
	}
	wm, wc := countKPIRows(t, want)
	gm, gc := countKPIRows(t, got)
	if gm == 0 || gc == 0 || gm != wm || gc != wc {
		t.Fatalf("KPI rows after the bulk import: %d messages, %d conversations; fed page by page %d, %d", gm, gc, wm, wc)
	}
	sameKPIsAsFullRecords(t, got, "after the bulk import")
	for _, w := range kpiWindows() {
		a, _ := want.KPIReport(w.from, w.to, w.period)
		b, _ := got.KPIReport(w.from, w.to, w.period)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s from %s: the bulk-imported store's KPIs differ from the fed one's", w.period, w.from.Format(time.DateOnly))
		}
	}
}

// A store of schema 6 (no KPI rows) gets them at Open, for every message and conversation,
// and its KPIs are those of the whole records again.
func TestOpenBuildsTheKPIRows(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	pull(t, db, kpiShop())
	apply(t, db, mut(t, shop.KindChatSend, "kv02", "1002", shop.ChatSend{MessageID: "km-pending", Text: "稍等"}))
	wantMsgs, wantConvs := countKPIRows(t, db)
	if err := db.bdb.DropPrefix(ixPrefix(ixKPIMessage), ixPrefix(ixKPIConversation)); err != nil {
		t.Fatal(err)
	}
	if err := db.bdb.Update(func(txn *badger.Txn) error { return txn.Set(keySchema, []byte("6")) }); err != nil {
		t.Fatal(err)
	}
	if m, c := countKPIRows(t, db); m != 0 || c != 0 {
		t.Fatalf("the schema-6 store still has %d + %d KPI rows", m, c)
	}
	db.Close()

	db2 := openDir(t, dir)
	m, c := countKPIRows(t, db2)
	if m != wantMsgs || c != wantConvs || m == 0 {
		t.Fatalf("after the upgrade: %d message and %d conversation rows; want %d and %d", m, c, wantMsgs, wantConvs)
	}
	sameKPIsAsFullRecords(t, db2, "after the upgrade")
	if db2.OutboxLen() != 1 {
		t.Fatalf("the upgrade left %d actions in the outbox; want 1", db2.OutboxLen())
	}
}

// A message or conversation whose fields cannot sit in a row (a \x01 byte) gets a row that
// says to read its record; the KPIs still count it.
func TestKPIRowsOfOddFields(t *testing.T) {
	db := openMem(t)
	s := kpiShop()
	at := time.Date(2026, 10, 21, 10, 0, 0, 0, shop.ShopZone)
	s.add(shop.TypeConversation, "odd", shop.Conversation{ID: "odd", CustomerID: "c\x01x", Assignee: "10\x0101", LastAt: at.Add(time.Hour)})
	s.add(shop.TypeMessage, "odd1", shop.Message{ID: "odd1", ConversationID: "odd", From: shop.FromCustomer, Text: "在吗", At: at})
	s.add(shop.TypeMessage, "odd2", shop.Message{ID: "odd2", ConversationID: "odd", From: shop.FromStaff, Staff: "10\x0101", Text: "在", At: at.Add(5 * time.Minute)})
	pull(t, db, s)
	var kinds []string
	err := db.view(func(txn *badger.Txn) error {
		for _, ix := range []*index{ixKPIMessage, ixKPIConversation} {
			scanKeys(txn, ixPrefix(ix), false, nil, func(k []byte) bool {
				if id, ok := ixID(ix, k); ok && (id == "odd" || id == "odd1" || id == "odd2") {
					_, fields, _, _ := kpiRow(k[len(ix.prefix):])
					kinds = append(kinds, fmt.Sprintf("%s:%q", id, fields))
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`odd1:"\x01customer\x01\x01odd"`, `odd2:"\x02"`, `odd:"\x02"`}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("rows %q; want %q", kinds, want)
	}
	sameKPIsAsFullRecords(t, db, "with odd fields")
}
