package localdb

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"kefu/shop"
)

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, shop.ShopZone)

// clock is the desks' "now" in tests.
var clock = t0.Add(time.Hour)

func openMem(t testing.TB) *DB {
	t.Helper()
	db, err := Open(Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	db.now = func() time.Time { return clock }
	t.Cleanup(func() { db.Close() })
	return db
}

func openDir(t testing.TB, dir string) *DB {
	t.Helper()
	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	db.now = func() time.Time { return clock }
	t.Cleanup(func() { db.Close() })
	return db
}

// stores runs a test on an in-memory store and on one in a temporary directory.
func stores(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Run("mem", func(t *testing.T) { fn(t, openMem(t)) })
	t.Run("dir", func(t *testing.T) { fn(t, openDir(t, t.TempDir())) })
}

// server is a tiny stand-in for the store server: the same rules over a map, and a feed.
type server struct {
	recs map[entKey]shop.Record
	seq  int64
}

func newServer() *server { return &server{recs: map[entKey]shop.Record{}} }

func (s *server) Get(t shop.EntityType, id string, v any) (int64, bool, error) {
	r, ok := s.recs[entKey{t, id}]
	if !ok || r.Deleted {
		return 0, false, nil
	}
	return r.Seq, true, json.Unmarshal(r.Data, v)
}

func (s *server) put(recs ...shop.Record) []shop.Record {
	out := make([]shop.Record, 0, len(recs))
	for _, r := range recs {
		s.seq++
		r.Seq = s.seq
		s.recs[entKey{r.Type, r.ID}] = r
		out = append(out, r)
	}
	return out
}

func (s *server) add(t shop.EntityType, id string, v any) shop.Record {
	return s.put(shop.NewRecord(t, id, v))[0]
}

// apply runs a mutation on the server and returns its outcome.
func (s *server) apply(t *testing.T, m shop.Mutation, now time.Time) shop.Outcome {
	t.Helper()
	out, err := shop.Decide(s, m, now)
	if err != nil {
		t.Fatalf("server: %s: %v", m.Kind, err)
	}
	if out.Conflict == nil {
		s.put(out.Records...)
	}
	return out
}

// since is the (compacted) feed after cursor, oldest first.
func (s *server) since(cursor int64) []shop.Record {
	var out []shop.Record
	for _, r := range s.recs {
		if r.Seq > cursor {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// pull applies the server's feed after the desk's cursor.
func pull(t *testing.T, db *DB, s *server) {
	t.Helper()
	c, err := db.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyChanges(s.since(c), s.seq); err != nil {
		t.Fatal(err)
	}
}

// demo fills a server with a small hand-made shop.
func demo() *server {
	s := newServer()
	s.add(shop.TypeShop, "s1", shop.Shop{ID: "s1", Name: "小熊童装", Courier: "中通"})
	s.add(shop.TypeStaff, "1001", shop.Staff{Number: "1001", Name: "王晓", Role: shop.RoleOwner})
	s.add(shop.TypeStaff, "1002", shop.Staff{Number: "1002", Name: "李娜", Role: shop.RoleAgent})
	s.add(shop.TypeCustomer, "c1", shop.Customer{ID: "c1", Nick: "小鱼儿", Name: "王芳", Phone: "138 0000 0001", CreatedAt: t0})
	s.add(shop.TypeCustomer, "c2", shop.Customer{ID: "c2", Nick: "LucyC", Name: "Lucy Chen", Phone: "13912345678", CreatedAt: t0})
	s.add(shop.TypeCustomer, "c3", shop.Customer{ID: "c3", Nick: "lucky猫", Phone: "13712345678", CreatedAt: t0})
	s.add(shop.TypeOrder, "2026112701", shop.Order{ID: "2026112701", CustomerID: "c1", Nick: "小鱼儿", Status: shop.StatusUnpaid,
		Payment: shop.PayOnline, CreatedAt: t0.Add(-3 * time.Hour), Total: 12800,
		Address: shop.Address{Receiver: "王芳", Phone: "13800000001", Province: "浙江省", City: "杭州市", Detail: "文三路1号"}})
	s.add(shop.TypeOrder, "2026112702", shop.Order{ID: "2026112702", CustomerID: "c1", Nick: "小鱼儿", Status: shop.StatusShipped,
		Payment: shop.PayCOD, CreatedAt: t0.Add(-2 * time.Hour), Courier: "中通", Tracking: "ZT1",
		Address: shop.Address{Receiver: "王芳", Phone: "13800000001", Province: "浙江省", City: "杭州市", Detail: "文三路1号"}})
	s.add(shop.TypeOrder, "2026112603", shop.Order{ID: "2026112603", CustomerID: "c2", Nick: "LucyC", Status: shop.StatusCompleted,
		Payment: shop.PayOnline, CreatedAt: t0.Add(-26 * time.Hour), Flag: shop.FlagRed,
		Address: shop.Address{Receiver: "Lucy Chen", Phone: "139-1234-5678", Province: "上海市", City: "上海市", Detail: "南京路2号"}})
	s.add(shop.TypeOrder, "2026112704", shop.Order{ID: "2026112704", CustomerID: "c3", Nick: "lucky猫", Status: shop.StatusPaid,
		Payment: shop.PayOnline, CreatedAt: t0.Add(-time.Hour),
		Address: shop.Address{Receiver: "赵六", Phone: "13712345678", Province: "江苏省", City: "南京市", Detail: "中山路3号"}})
	s.add(shop.TypeConversation, "v1", shop.Conversation{ID: "v1", CustomerID: "c1", Nick: "小鱼儿", WaitingSince: t0.Add(-5 * time.Minute),
		LastAt: t0.Add(-5 * time.Minute), Unread: 1, Messages: 1})
	s.add(shop.TypeConversation, "v2", shop.Conversation{ID: "v2", CustomerID: "c2", Nick: "LucyC", WaitingSince: t0.Add(-20 * time.Minute),
		LastAt: t0.Add(-time.Minute), Unread: 2, Messages: 2, Assignee: "1002"})
	s.add(shop.TypeConversation, "v3", shop.Conversation{ID: "v3", CustomerID: "c3", Nick: "lucky猫", LastAt: t0.Add(-30 * time.Minute),
		Messages: 3, Assignee: "1001"})
	s.add(shop.TypeConversation, "v4", shop.Conversation{ID: "v4", CustomerID: "c3", Nick: "lucky猫", LastAt: t0.Add(-10 * time.Minute),
		Messages: 1})
	s.add(shop.TypeConversation, "v5", shop.Conversation{ID: "v5", CustomerID: "c2", Nick: "LucyC", LastAt: t0.Add(-time.Hour),
		Closed: true, Assignee: "1001"})
	s.add(shop.TypeMessage, "m1", shop.Message{ID: "m1", ConversationID: "v1", From: shop.FromCustomer, Text: "在吗", At: t0.Add(-5 * time.Minute)})
	s.add(shop.TypeProduct, "p1", shop.Product{ID: "p1", Name: "儿童外套", Variants: []shop.Variant{
		{SKU: "KD-1-RED-120", Barcode: "6901234567890", Warehouse: 5, Listed: 8}, {SKU: "KD-1-RED-130", Warehouse: 2}}})
	s.add(shop.TypeProduct, "p2", shop.Product{ID: "p2", Name: "外套 加厚", Variants: []shop.Variant{{SKU: "WT-2", Warehouse: 9}}})
	s.add(shop.TypeProduct, "p3", shop.Product{ID: "p3", Name: "红色儿童外套", Variants: []shop.Variant{{SKU: "KD-10", Warehouse: 1}}})
	s.add(shop.TypeProduct, "p4", shop.Product{ID: "p4", Name: "袜子", Variants: []shop.Variant{{SKU: "SOCK-1", Barcode: "KD-1", Warehouse: 1}}})
	s.add(shop.TypeReview, "r1", shop.Review{ID: "r1", OrderID: "2026112603", CustomerID: "c2", Nick: "LucyC", ProductID: "p1",
		Stars: 2, Text: "颜色不对", At: t0.Add(-2 * time.Hour), State: shop.ReviewNew})
	s.add(shop.TypeReview, "r2", shop.Review{ID: "r2", OrderID: "2026112603", CustomerID: "c2", Nick: "LucyC", ProductID: "p2",
		Stars: 5, Text: "很好", At: t0.Add(-time.Hour), State: shop.ReviewNew, Reply: "谢谢", ReplyBy: "1001"})
	s.add(shop.TypeReview, "r3", shop.Review{ID: "r3", OrderID: "2026112701", CustomerID: "c1", Nick: "小鱼儿", ProductID: "p1",
		Stars: 3, Text: "一般", At: t0.Add(-30 * time.Minute), State: shop.ReviewNew})
	s.add(shop.TypeCase, "k1", shop.AfterSalesCase{ID: "k1", OrderID: "2026112603", CustomerID: "c2", Kind: shop.CaseExchange,
		State: shop.CaseOpen, Owner: "1001", Due: t0.Add(48 * time.Hour), CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0.Add(-time.Hour),
		Steps: []shop.Step{{To: "open", Staff: "1001", At: t0.Add(-time.Hour)}}})
	s.add(shop.TypeCase, "k2", shop.AfterSalesCase{ID: "k2", OrderID: "2026112702", CustomerID: "c1", Kind: shop.CaseLost,
		State: shop.CaseWaitingWarehouse, Owner: "1002", Due: t0.Add(-time.Hour), CreatedAt: t0.Add(-50 * time.Hour), UpdatedAt: t0.Add(-2 * time.Hour)})
	s.add(shop.TypeCase, "k3", shop.AfterSalesCase{ID: "k3", OrderID: "2026112702", CustomerID: "c1", Kind: shop.CaseWrong,
		State: shop.CaseResolved, Owner: "1002", CreatedAt: t0.Add(-100 * time.Hour), UpdatedAt: t0.Add(-90 * time.Hour)})
	s.add(shop.TypePhrase, "ph1", shop.QuickPhrase{ID: "ph1", Shortcut: "hi", Text: "您好", Uses: 3})
	s.add(shop.TypePhrase, "ph2", shop.QuickPhrase{ID: "ph2", Shortcut: "bye", Text: "再见", Uses: 9})
	s.add(shop.TypePhrase, "ph3", shop.QuickPhrase{ID: "ph3", Shortcut: "me", Text: "工号1002", Owner: "1002"})
	s.add(shop.TypeAutoReply, shop.AutoRepliesID, shop.AutoReplies{ID: shop.AutoRepliesID, Greeting: "欢迎光临"})
	return s
}

// seeded opens nothing: it pulls the demo shop into db and returns the server.
func seeded(t *testing.T, db *DB) *server {
	t.Helper()
	s := demo()
	pull(t, db, s)
	return s
}

func mut(t testing.TB, kind shop.Kind, entity, staff string, data any) shop.Mutation {
	t.Helper()
	m, err := shop.NewMutation(kind, entity, staff, t0, data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func apply(t testing.TB, db *DB, m shop.Mutation) shop.Outcome {
	t.Helper()
	out, err := db.Apply(m)
	if err != nil {
		t.Fatalf("apply %s: %v", m.Kind, err)
	}
	if out.Conflict != nil {
		t.Fatalf("apply %s: conflict %s", m.Kind, out.Conflict.Reason)
	}
	return out
}

func noteMut(t testing.TB, order, noteID string, flag shop.Flag, text string) shop.Mutation {
	return mut(t, shop.KindOrderNote, order, "1001", shop.OrderNoteAdd{NoteID: noteID, Flag: flag, Text: text})
}

func mustOrder(t testing.TB, db *DB, id string) shop.Order {
	t.Helper()
	o, err := db.Order(id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func noteIDs(t testing.TB, db *DB, order string) []string {
	t.Helper()
	ns, err := db.Notes(order)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range ns {
		ids = append(ids, n.ID)
	}
	return ids
}

func ids[T any](xs []T, id func(T) string) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func orderIDs(os []shop.Order) []string { return ids(os, func(o shop.Order) string { return o.ID }) }
func convIDs(cs []shop.Conversation) []string {
	return ids(cs, func(c shop.Conversation) string { return c.ID })
}

func eq(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkConsistent verifies the store's invariants: the i/ keyspace is exactly the index keys
// of the live e/ states; an entity is pending exactly when it has p/ markers, and then it has
// an s/ copy; every marker names an outbox entry that lists the entity; the outbox length
// counter matches.
func checkConsistent(t *testing.T, db *DB) {
	t.Helper()
	want := map[string]bool{}
	pendingE := map[entKey]bool{}
	serverS := map[entKey]bool{}
	marked := map[entKey]bool{}
	got := map[string]bool{}
	outbox := map[uint64]envelope{}
	err := db.bdb.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().KeyCopy(nil)
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			switch {
			case bytes.HasPrefix(k, []byte(prefixEntity)):
				ek, _ := parseEntityKey(k)
				st, err := decodeState(v)
				if err != nil {
					return err
				}
				if st.pending {
					pendingE[ek] = true
				}
				if st.absent && !st.pending {
					t.Errorf("%s: a tombstone that is not pending", ek)
				}
				if st.exists() {
					for _, ik := range indexKeys(ek.T, ek.ID, st.data) {
						want[string(ik)] = true
					}
				}
			case bytes.HasPrefix(k, []byte(prefixServer)):
				ek, _ := parseEntityKey(k)
				serverS[ek] = true
			case bytes.HasPrefix(k, []byte(prefixPending)):
				ek, seq, ok := parsePendingKey(k)
				if !ok {
					t.Errorf("bad pending key %q", k)
				}
				marked[ek] = true
				_ = seq
			case bytes.HasPrefix(k, []byte(prefixIndex)):
				got[string(k)] = true
			case bytes.HasPrefix(k, []byte(prefixOutbox)):
				var e envelope
				if err := json.Unmarshal(v, &e); err != nil {
					return err
				}
				outbox[uint64(len(outbox))] = e
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if !got[k] {
			t.Errorf("index key missing: %q", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("stale index key: %q", k)
		}
	}
	for k := range marked {
		if !pendingE[k] {
			t.Errorf("%s has pending markers but is not pending in e/", k)
		}
		if !serverS[k] {
			t.Errorf("%s has pending markers but no s/ copy", k)
		}
	}
	for k := range pendingE {
		if !marked[k] {
			t.Errorf("%s is pending in e/ without markers", k)
		}
	}
	for k := range serverS {
		if !marked[k] {
			t.Errorf("%s has an s/ copy without markers", k)
		}
	}
	if n := db.OutboxLen(); n != len(outbox) {
		t.Errorf("OutboxLen = %d, outbox holds %d", n, len(outbox))
	}
}

func isRejected(err error) bool { return errors.Is(err, shop.ErrRejected) }
