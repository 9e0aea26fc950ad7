package shop

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// memState is a Reader over a map, applying outcomes like a store would.
type memState struct {
	recs map[EntityType]map[string]Record
	seq  int64
}

func newMem() *memState { return &memState{recs: map[EntityType]map[string]Record{}} }

func (s *memState) Get(t EntityType, id string, v any) (int64, bool, error) {
	r, ok := s.recs[t][id]
	if !ok || r.Deleted {
		return 0, false, nil
	}
	return r.Seq, true, json.Unmarshal(r.Data, v)
}

func (s *memState) put(recs ...Record) {
	for _, r := range recs {
		s.seq++
		r.Seq = s.seq
		if s.recs[r.Type] == nil {
			s.recs[r.Type] = map[string]Record{}
		}
		s.recs[r.Type][r.ID] = r
	}
}

func (s *memState) add(t EntityType, id string, v any) { s.put(NewRecord(t, id, v)) }

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, ShopZone)

// fixture is a small shop: one customer with an order, a conversation, a product, a review.
func fixture() *memState {
	s := newMem()
	s.add(TypeStaff, "1001", Staff{Number: "1001", Name: "王晓", Role: RoleOwner})
	s.add(TypeStaff, "1002", Staff{Number: "1002", Name: "李娜", Role: RoleAgent})
	s.add(TypeCustomer, "c1", Customer{ID: "c1", Nick: "小鱼儿", Phone: "13800000001"})
	s.add(TypeOrder, "o1", Order{ID: "o1", CustomerID: "c1", Nick: "小鱼儿", Status: StatusUnpaid, Payment: PayOnline,
		Address: Address{Receiver: "王芳", Phone: "13800000001", Province: "浙江省", City: "杭州市", Detail: "文三路1号"}})
	s.add(TypeOrder, "o2", Order{ID: "o2", CustomerID: "c1", Status: StatusShipped, Payment: PayCOD, Courier: "中通", Tracking: "ZT1"})
	s.add(TypeOrder, "o3", Order{ID: "o3", CustomerID: "c1", Status: StatusCompleted})
	s.add(TypeConversation, "v1", Conversation{ID: "v1", CustomerID: "c1", Nick: "小鱼儿", WaitingSince: t0.Add(-time.Minute), Unread: 2, Messages: 2})
	s.add(TypeProduct, "p1", Product{ID: "p1", Name: "儿童外套", Variants: []Variant{{SKU: "KD-1-RED-120", Warehouse: 5, Listed: 8}}})
	s.add(TypeReview, "r1", Review{ID: "r1", OrderID: "o3", CustomerID: "c1", Stars: 1, State: ReviewNew})
	return s
}

func mut(t *testing.T, kind Kind, entity, staff string, data any) Mutation {
	t.Helper()
	m, err := NewMutation(kind, entity, staff, t0, data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// apply decides m on s and writes the outcome, failing the test on errors.
func apply(t *testing.T, s *memState, m Mutation) Outcome {
	t.Helper()
	out, err := Decide(s, m, t0.Add(time.Second))
	if err != nil {
		t.Fatalf("%s: %v", m.Kind, err)
	}
	s.put(out.Records...)
	return out
}

func rejected(t *testing.T, s *memState, m Mutation, want string) {
	t.Helper()
	_, err := Decide(s, m, t0)
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("%s: want rejection containing %q, got %v", m.Kind, want, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: rejection %q does not say %q", m.Kind, err, want)
	}
}

func conflicted(t *testing.T, s *memState, m Mutation, want string) *Conflict {
	t.Helper()
	out, err := Decide(s, m, t0)
	if err != nil {
		t.Fatalf("%s: %v", m.Kind, err)
	}
	if out.Conflict == nil || len(out.Records) != 0 {
		t.Fatalf("%s: want conflict %q, got %+v", m.Kind, want, out)
	}
	if !strings.Contains(out.Conflict.Reason, want) {
		t.Fatalf("%s: conflict %q does not say %q", m.Kind, out.Conflict.Reason, want)
	}
	if len(out.Conflict.Current) == 0 {
		t.Fatalf("%s: conflict without the current state", m.Kind)
	}
	return out.Conflict
}

func get[T any](t *testing.T, s *memState, typ EntityType, id string) T {
	t.Helper()
	var v T
	if _, ok, err := s.Get(typ, id, &v); err != nil || !ok {
		t.Fatalf("%s %s: found %v, %v", typ, id, ok, err)
	}
	return v
}

func TestValidateEnvelope(t *testing.T) {
	s := fixture()
	good := mut(t, KindChatRead, "v1", "1001", nil)
	for name, m := range map[string]Mutation{
		"no id":      func() Mutation { m := good; m.ID = ""; return m }(),
		"bad kind":   func() Mutation { m := good; m.Kind = "chat.delete_everything"; return m }(),
		"no entity":  func() Mutation { m := good; m.Entity = ""; return m }(),
		"slash id":   func() Mutation { m := good; m.Entity = "../x"; return m }(),
		"long id":    func() Mutation { m := good; m.Entity = strings.Repeat("x", 65); return m }(),
		"no staff":   func() Mutation { m := good; m.Staff = ""; return m }(),
		"negative b": func() Mutation { m := good; m.Base = -1; return m }(),
	} {
		if _, err := Decide(s, m, t0); !errors.Is(err, ErrRejected) {
			t.Errorf("%s: want rejected, got %v", name, err)
		}
	}
	m := mut(t, KindOrderNote, "o1", "1001", map[string]any{"note_id": NewID(), "flag": 1, "text": "x", "colour": "red"})
	rejected(t, s, m, "unknown field")
	rejected(t, s, mut(t, KindOrderNote, "o1", "1001", nil), "needs data")
	rejected(t, s, mut(t, KindOrderNote, "nope", "1001", OrderNoteAdd{NoteID: NewID(), Text: "x"}), "does not exist")
}

func TestStamp(t *testing.T) {
	m := Mutation{At: t0}
	if !Stamp(m, t0.Add(time.Hour)).Equal(t0) {
		t.Fatal("past desk time is kept")
	}
	if !Stamp(m, t0.Add(-time.Hour)).Equal(t0.Add(-time.Hour)) {
		t.Fatal("a desk clock in the future is clamped to now")
	}
	if !Stamp(Mutation{}, t0).Equal(t0) {
		t.Fatal("zero time means now")
	}
}

func TestChatSendReadClaimTransferClose(t *testing.T) {
	s := fixture()
	msgID := NewID()
	out := apply(t, s, mut(t, KindChatSend, "v1", "1002", ChatSend{MessageID: msgID, Text: "您好，有货的"}))
	if len(out.Records) != 2 {
		t.Fatalf("send writes the message and the conversation, got %d records", len(out.Records))
	}
	msg := get[Message](t, s, TypeMessage, msgID)
	if msg.From != FromStaff || msg.Staff != "1002" || !msg.At.Equal(t0) {
		t.Fatalf("message %+v", msg)
	}
	c := get[Conversation](t, s, TypeConversation, "v1")
	if !c.WaitingSince.IsZero() || c.Unread != 0 || c.Messages != 3 || c.LastText != "您好，有货的" || c.Assignee != "1002" {
		t.Fatalf("conversation after reply %+v", c)
	}
	rejected(t, s, mut(t, KindChatSend, "v1", "1002", ChatSend{MessageID: msgID, Text: "again"}), "exists already")
	rejected(t, s, mut(t, KindChatSend, "v1", "1002", ChatSend{MessageID: NewID(), Text: "  "}), "empty")
	rejected(t, s, mut(t, KindChatSend, "v1", "1002", ChatSend{MessageID: NewID(), Text: strings.Repeat("长", MaxMessageRunes+1)}), "at most")
	if err := checkText("message", "bad \xff utf8", 100, true); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("invalid UTF-8 accepted: %v", err) // JSON decoding replaces it; direct callers are checked
	}
	card := &Card{Kind: "product", ID: "p1", Title: "儿童外套"}
	apply(t, s, mut(t, KindChatSend, "v1", "1002", ChatSend{MessageID: NewID(), Card: card}))
	if c := get[Conversation](t, s, TypeConversation, "v1"); c.LastText != "[儿童外套]" {
		t.Fatalf("card preview %q", c.LastText)
	}

	// First claim wins; the loser sees who has it.
	s.add(TypeConversation, "v2", Conversation{ID: "v2", CustomerID: "c1"})
	apply(t, s, mut(t, KindChatClaim, "v2", "1001", nil))
	cf := conflicted(t, s, mut(t, KindChatClaim, "v2", "1002", nil), "already claimed by 1001")
	if cf.By != "1001" {
		t.Fatalf("conflict by %q", cf.By)
	}
	apply(t, s, mut(t, KindChatClaim, "v2", "1001", nil)) // claiming one's own again is fine
	apply(t, s, mut(t, KindChatTransfer, "v2", "1001", ChatTransfer{To: "1002"}))
	if c := get[Conversation](t, s, TypeConversation, "v2"); c.Assignee != "1002" {
		t.Fatal("transfer")
	}
	rejected(t, s, mut(t, KindChatTransfer, "v2", "1001", ChatTransfer{To: "9999"}), "does not exist")
	apply(t, s, mut(t, KindChatClose, "v1", "1001", nil))
	if c := get[Conversation](t, s, TypeConversation, "v1"); !c.Closed {
		t.Fatal("close")
	}
	apply(t, s, mut(t, KindChatReopen, "v1", "1001", nil))
	apply(t, s, mut(t, KindChatRead, "v1", "1001", nil))
	if c := get[Conversation](t, s, TypeConversation, "v1"); c.Closed {
		t.Fatal("reopen")
	}
}

func TestOrderNotesAndFlagLastWriterWins(t *testing.T) {
	s := fixture()
	base := s.recs[TypeOrder]["o1"].Seq
	n1, n2 := NewID(), NewID()
	apply(t, s, mut(t, KindOrderNote, "o1", "1001", OrderNoteAdd{NoteID: n1, Flag: FlagRed, Text: "改地址", Reason: "买家要求"}))
	// 1002 saw the order before 1001's note: their flag wins in server order, and they are told.
	m := mut(t, KindOrderNote, "o1", "1002", OrderNoteAdd{NoteID: n2, Flag: FlagGreen, Text: "已核实"})
	m.Base = base
	out := apply(t, s, m)
	if out.Overwrote == nil || out.Overwrote.By != "1001" || out.Overwrote.Field != "flag" {
		t.Fatalf("overwrote %+v", out.Overwrote)
	}
	o := get[Order](t, s, TypeOrder, "o1")
	if o.Flag != FlagGreen || o.FlagBy != "1002" || o.NoteCount != 2 {
		t.Fatalf("order %+v", o)
	}
	if n := get[OrderNote](t, s, TypeNote, n1); n.Staff != "1001" || n.Reason != "买家要求" || n.Flag != FlagRed {
		t.Fatalf("note %+v", n)
	}
	rejected(t, s, mut(t, KindOrderNote, "o1", "1001", OrderNoteAdd{NoteID: NewID(), Flag: 7, Text: "x"}), "six flags")
	rejected(t, s, mut(t, KindOrderNote, "o1", "1001", OrderNoteAdd{NoteID: NewID(), Flag: FlagRed}), "empty")
	rejected(t, s, mut(t, KindOrderNote, "o1", "1001", OrderNoteAdd{NoteID: n1, Flag: FlagRed, Text: "dup"}), "exists already")
}

func TestAddressCheck(t *testing.T) {
	s := fixture()
	newAddr := Address{Receiver: "王芳", Phone: "13800000002", Province: "浙江省", City: "杭州市", Detail: "文二路2号"}
	apply(t, s, mut(t, KindOrderAddress, "o1", "1001", AddressCheckSet{NoteID: NewID(), Result: AddressChanged, Address: &newAddr, Courier: "顺丰"}))
	o := get[Order](t, s, TypeOrder, "o1")
	if o.Address != newAddr || o.AddressCheck != AddressChanged || o.Courier != "顺丰" || o.NoteCount != 1 {
		t.Fatalf("order %+v", o)
	}
	rejected(t, s, mut(t, KindOrderAddress, "o1", "1001", AddressCheckSet{NoteID: NewID(), Result: AddressChanged}), "needs the new address")
	rejected(t, s, mut(t, KindOrderAddress, "o1", "1001", AddressCheckSet{NoteID: NewID(), Result: "maybe"}), "not confirmed or changed")
	bad := newAddr
	bad.Phone = "call me"
	rejected(t, s, mut(t, KindOrderAddress, "o1", "1001", AddressCheckSet{NoteID: NewID(), Result: AddressChanged, Address: &bad}), "not a phone")
	conflicted(t, s, mut(t, KindOrderAddress, "o2", "1001", AddressCheckSet{NoteID: NewID(), Result: AddressConfirmed}), "can no longer change")
}

func TestCODCallRemindCloseShipNotice(t *testing.T) {
	s := fixture()
	apply(t, s, mut(t, KindOrderCODCall, "o2", "1001", CODCall{NoteID: NewID(), Outcome: CallConfirmed}))
	if o := get[Order](t, s, TypeOrder, "o2"); o.CODCall != CallConfirmed || o.CODCallBy != "1001" {
		t.Fatalf("cod %+v", o)
	}
	rejected(t, s, mut(t, KindOrderCODCall, "o1", "1001", CODCall{NoteID: NewID(), Outcome: CallConfirmed}), "not cash on delivery")
	rejected(t, s, mut(t, KindOrderCODCall, "o2", "1001", CODCall{NoteID: NewID(), Outcome: "maybe"}), "call outcome")

	apply(t, s, mut(t, KindOrderRemind, "o1", "1001", Remind{MessageID: NewID(), ConversationID: "v1", Text: "亲，订单还没付款哦"}))
	conflicted(t, s, mut(t, KindOrderRemind, "o1", "1002", Remind{MessageID: NewID(), ConversationID: "v1", Text: "again"}), "already reminded today")
	apply(t, s, mut(t, KindOrderRemind, "o1", "1002", Remind{MessageID: NewID(), ConversationID: "v1", Text: "again", Force: true}))
	conflicted(t, s, mut(t, KindOrderRemind, "o2", "1001", Remind{MessageID: NewID(), ConversationID: "v1", Text: "x"}), "not unpaid")

	apply(t, s, mut(t, KindOrderShipNote, "o2", "1001", ShipNotice{MessageID: NewID(), ConversationID: "v1", Text: "已发货 中通 ZT1"}))
	conflicted(t, s, mut(t, KindOrderShipNote, "o1", "1001", ShipNotice{MessageID: NewID(), ConversationID: "v1", Text: "x"}), "not shipped")
	// Once per order (two desks sending it automatically must not message the customer twice),
	// unless forced.
	conflicted(t, s, mut(t, KindOrderShipNote, "o2", "1002", ShipNotice{MessageID: NewID(), ConversationID: "v1", Text: "again"}), "sent already")
	apply(t, s, mut(t, KindOrderShipNote, "o2", "1002", ShipNotice{MessageID: NewID(), ConversationID: "v1", Text: "again", Force: true}))

	rejected(t, s, mut(t, KindOrderClose, "o1", "1001", OrderCloseData{NoteID: NewID()}), "reason is empty")
	apply(t, s, mut(t, KindOrderClose, "o1", "1001", OrderCloseData{NoteID: NewID(), Reason: "重复下单"}))
	if o := get[Order](t, s, TypeOrder, "o1"); o.Status != StatusClosed || o.CloseReason != "重复下单" {
		t.Fatalf("close %+v", o)
	}
	conflicted(t, s, mut(t, KindOrderClose, "o1", "1001", OrderCloseData{NoteID: NewID(), Reason: "x"}), "only unpaid")
}

func TestAfterSalesEveryTransition(t *testing.T) {
	for _, from := range CaseStates {
		for _, to := range CaseStates {
			s := fixture()
			s.add(TypeCase, "k1", AfterSalesCase{ID: "k1", OrderID: "o3", State: from})
			m := mut(t, KindCaseMove, "k1", "1001", Move{From: string(from), To: string(to), Note: "n"})
			out, err := Decide(s, m, t0)
			if err != nil {
				t.Fatalf("%s→%s: %v", from, to, err)
			}
			if legal := CanMoveCase(from, to); legal != (out.Conflict == nil) {
				t.Errorf("%s→%s: legal %v, conflict %+v", from, to, legal, out.Conflict)
			}
		}
	}
	s := fixture()
	apply(t, s, mut(t, KindCaseOpen, "k9", "1001", CaseOpenData{OrderID: "o3", Kind: CaseExchange, Summary: "换大一码"}))
	c := get[AfterSalesCase](t, s, TypeCase, "k9")
	if c.State != CaseOpen || c.Owner != "1001" || c.CustomerID != "c1" || !c.Due.After(t0) {
		t.Fatalf("case %+v", c)
	}
	rejected(t, s, mut(t, KindCaseOpen, "k9", "1001", CaseOpenData{OrderID: "o3", Kind: CaseExchange, Summary: "x"}), "exists already")
	rejected(t, s, mut(t, KindCaseOpen, "k8", "1001", CaseOpenData{OrderID: "o3", Kind: "teleport", Summary: "x"}), "unknown")
	apply(t, s, mut(t, KindCaseMove, "k9", "1002", Move{From: "open", To: "waiting_warehouse"}))
	// A second desk that still thinks the case is open conflicts, and learns who moved it.
	cf := conflicted(t, s, mut(t, KindCaseMove, "k9", "1001", Move{From: "open", To: "resolved"}), "is waiting_warehouse now")
	if cf.By != "1002" {
		t.Fatalf("conflict by %q", cf.By)
	}
	if c := get[AfterSalesCase](t, s, TypeCase, "k9"); len(c.Steps) != 2 || c.Steps[1].Staff != "1002" {
		t.Fatalf("steps %+v", c.Steps)
	}
}

func TestReviewEveryTransitionAndReplies(t *testing.T) {
	for _, from := range ReviewStates {
		for _, to := range ReviewStates {
			s := fixture()
			s.add(TypeReview, "r1", Review{ID: "r1", OrderID: "o3", Stars: 1, State: from})
			out, err := Decide(s, mut(t, KindReviewMove, "r1", "1001", Move{From: string(from), To: string(to)}), t0)
			if err != nil {
				t.Fatalf("%s→%s: %v", from, to, err)
			}
			if legal := CanMoveReview(from, to); legal != (out.Conflict == nil) {
				t.Errorf("%s→%s: legal %v, conflict %+v", from, to, legal, out.Conflict)
			}
		}
	}
	s := fixture()
	rejected(t, s, mut(t, KindReviewMove, "r1", "1001", Move{From: "new", To: "forgotten"}), "unknown")
	apply(t, s, mut(t, KindReviewReply, "r1", "1001", ReviewReplyData{Text: "非常抱歉，已联系您处理"}))
	rejected(t, s, mut(t, KindReviewReply, "r1", "1001", ReviewReplyData{Text: strings.Repeat("歉", 501)}), "at most 500")
	apply(t, s, mut(t, KindReviewBuyer, "r1", "1001", ReviewBuyerData{Stars: 5, Text: "好买家"}))
	rejected(t, s, mut(t, KindReviewBuyer, "r1", "1001", ReviewBuyerData{Stars: 6}), "1 to 5")
	s.add(TypeReview, "r2", Review{ID: "r2", OrderID: "o1", Stars: 2, State: ReviewNew})
	rejected(t, s, mut(t, KindReviewBuyer, "r2", "1001", ReviewBuyerData{Stars: 3}), "after order o1 is completed")
	apply(t, s, mut(t, KindReviewContact, "r1", "1002", ReviewContactData{ConversationID: "v1", MessageID: NewID(), Text: "亲，非常抱歉"}))
	r := get[Review](t, s, TypeReview, "r1")
	if r.State != ReviewContacted || r.Contacts != 1 || r.Reply == "" || r.BuyerStars != 5 {
		t.Fatalf("review %+v", r)
	}
	if c := get[Conversation](t, s, TypeConversation, "v1"); c.LastText != "亲，非常抱歉" {
		t.Fatal("contact message not in the chat")
	}
}

func TestEvidenceLocked(t *testing.T) {
	s := fixture()
	ev := Evidence{ReviewID: "r1", Kind: "file", Title: "聊天截图", FileName: "a.png", Content: []byte{1, 2, 3}}
	apply(t, s, mut(t, KindEvidenceAdd, "e1", "1001", ev))
	got := get[Evidence](t, s, TypeEvidence, "e1")
	if got.SHA256 != "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81" || got.LockedAt.IsZero() {
		t.Fatalf("evidence %+v", got)
	}
	ev.Title = "changed"
	rejected(t, s, mut(t, KindEvidenceAdd, "e1", "1001", ev), "cannot be changed")
	ev.SHA256 = "00"
	rejected(t, s, mut(t, KindEvidenceAdd, "e2", "1001", ev), "hash does not match")
}

func TestStockAdjustAndCompareAndSet(t *testing.T) {
	s := fixture()
	apply(t, s, mut(t, KindStockAdjust, "p1", "1001", StockAdjust{SKU: "KD-1-RED-120", Delta: -2, Reason: "破损"}))
	p := get[Product](t, s, TypeProduct, "p1")
	if v, _ := p.Variant("KD-1-RED-120"); v.Warehouse != 3 {
		t.Fatalf("warehouse %d", v.Warehouse)
	}
	conflicted(t, s, mut(t, KindStockAdjust, "p1", "1001", StockAdjust{SKU: "KD-1-RED-120", Delta: -4, Reason: "x"}), "cannot take away 4")
	rejected(t, s, mut(t, KindStockAdjust, "p1", "1001", StockAdjust{SKU: "KD-1-RED-120", Delta: 0, Reason: "x"}), "sensible")
	rejected(t, s, mut(t, KindStockAdjust, "p1", "1001", StockAdjust{SKU: "KD-1-RED-120", Delta: 1 << 30, Reason: "x"}), "sensible")
	rejected(t, s, mut(t, KindStockAdjust, "p1", "1001", StockAdjust{SKU: "nope", Delta: 1, Reason: "x"}), "no SKU")
	rejected(t, s, mut(t, KindStockAdjust, "p1", "1001", StockAdjust{SKU: "KD-1-RED-120", Delta: 1}), "reason is empty")
	apply(t, s, mut(t, KindStockSet, "p1", "1002", StockSet{SKU: "KD-1-RED-120", Expected: 3, Warehouse: 10, Reason: "盘点"}))
	cf := conflicted(t, s, mut(t, KindStockSet, "p1", "1001", StockSet{SKU: "KD-1-RED-120", Expected: 3, Warehouse: 4, Reason: "盘点"}), "has 10 in the warehouse now, not 3")
	if cf.By != "1002" {
		t.Fatalf("conflict by %q", cf.By)
	}
	rejected(t, s, mut(t, KindStockSet, "p1", "1001", StockSet{SKU: "KD-1-RED-120", Expected: 10, Warehouse: -1, Reason: "x"}), "sensible")
	apply(t, s, mut(t, KindStockLow, "p1", "1001", StockThreshold{LowStock: 5}))
	if p := get[Product](t, s, TypeProduct, "p1"); p.LowStock != 5 {
		t.Fatal("threshold")
	}
}

func TestCustomerFieldsLastWriterWins(t *testing.T) {
	s := fixture()
	base := s.recs[TypeCustomer]["c1"].Seq
	name, vip := "王芳", 3
	apply(t, s, mut(t, KindCustomerSet, "c1", "1001", CustomerSet{Name: &name, VIP: &vip}))
	phone := "13900000000"
	m := mut(t, KindCustomerSet, "c1", "1002", CustomerSet{Phone: &phone})
	m.Base = base
	out := apply(t, s, m)
	if out.Overwrote == nil || out.Overwrote.By != "1001" || out.Overwrote.Field != "name,vip" {
		t.Fatalf("overwrote %+v", out.Overwrote)
	}
	c := get[Customer](t, s, TypeCustomer, "c1")
	if c.Name != "王芳" || c.VIP != 3 || c.Phone != phone || c.ChangedBy != "1002" || c.ChangedWhat != "phone" {
		t.Fatalf("customer %+v", c)
	}
	bad := 9
	rejected(t, s, mut(t, KindCustomerSet, "c1", "1001", CustomerSet{VIP: &bad}), "VIP level")
	rejected(t, s, mut(t, KindCustomerSet, "c1", "1001", CustomerSet{}), "names no field")
	bd := "2019-02-30x"
	rejected(t, s, mut(t, KindCustomerSet, "c1", "1001", CustomerSet{Birthday: &bd}), "birthday")
	apply(t, s, mut(t, KindCustomerAdd, "c2", "1001", Customer{Nick: "新客户"}))
	rejected(t, s, mut(t, KindCustomerAdd, "c2", "1001", Customer{Nick: "again"}), "exists already")
	rejected(t, s, mut(t, KindCustomerAdd, "c3", "1001", Customer{}), "nick is empty")
}

func TestPhrases(t *testing.T) {
	s := fixture()
	apply(t, s, mut(t, KindPhrasePut, "q1", "1001", QuickPhrase{Shortcut: "fh", Text: "{nick}您好，已发货"}))
	apply(t, s, mut(t, KindPhraseUse, "q1", "1002", nil))
	apply(t, s, mut(t, KindPhrasePut, "q1", "1001", QuickPhrase{Shortcut: "fh", Text: "改过的"}))
	if q := get[QuickPhrase](t, s, TypePhrase, "q1"); q.Uses != 1 || q.Text != "改过的" {
		t.Fatalf("phrase %+v", q)
	}
	apply(t, s, mut(t, KindPhrasePut, "q2", "1002", QuickPhrase{Shortcut: "my", Text: "我的", Owner: "1002"}))
	rejected(t, s, mut(t, KindPhrasePut, "q3", "1001", QuickPhrase{Text: "x", Owner: "1002"}), "belongs to the staff member")
	rejected(t, s, mut(t, KindPhraseDelete, "q2", "1001", nil), "personal phrase")
	apply(t, s, mut(t, KindPhraseDelete, "q2", "1002", nil))
	var q QuickPhrase
	if _, ok, _ := s.Get(TypePhrase, "q2", &q); ok {
		t.Fatal("deleted phrase still there")
	}
	rejected(t, s, mut(t, KindPhraseUse, "q2", "1002", nil), "does not exist")
}

func TestAutoReplyPut(t *testing.T) {
	s := fixture()
	a := AutoReplies{Greeting: "1\n2\n3\n4", Keywords: []KeywordReply{{Keyword: "发货", Text: "48小时"}}}
	a.Hours[1] = BusinessHours{Open: 540, Close: 1320}
	apply(t, s, mut(t, KindAutoReplyPut, AutoRepliesID, "1001", a))
	a.Greeting += "\n5"
	rejected(t, s, mut(t, KindAutoReplyPut, AutoRepliesID, "1001", a), "at most 4")
	a.Greeting = "hi"
	a.Hours[2] = BusinessHours{Open: 900, Close: 100}
	rejected(t, s, mut(t, KindAutoReplyPut, AutoRepliesID, "1001", a), "business hours")
	rejected(t, s, mut(t, KindAutoReplyPut, "other", "1001", AutoReplies{}), "entity")
}

func TestGroupsAndComplaints(t *testing.T) {
	s := fixture()
	apply(t, s, mut(t, KindGroupPut, "g1", "1001", Group{Name: "高价值", Rule: &GroupRule{MinSpent: 100000}}))
	rejected(t, s, mut(t, KindGroupPut, "g2", "1001", Group{Name: "x", Rule: &GroupRule{MinVIP: 9}}), "out of range")
	apply(t, s, mut(t, KindGroupDelete, "g1", "1001", nil))
	rejected(t, s, mut(t, KindGroupDelete, "g1", "1001", nil), "does not exist")

	apply(t, s, mut(t, KindComplaintOpen, "k1", "1001", Complaint{CustomerID: "c1", OrderID: "o3", Category: ComplaintQuality, Description: "衣服起球"}))
	rejected(t, s, mut(t, KindComplaintOpen, "k2", "1001", Complaint{CustomerID: "c1", Category: "rude", Description: "x"}), "unknown")
	rejected(t, s, mut(t, KindComplaintOpen, "k3", "1001", Complaint{CustomerID: "nobody", Category: ComplaintOther, Description: "x"}), "does not exist")
	apply(t, s, mut(t, KindComplaintMove, "k1", "1002", Move{From: "open", To: "in_progress"}))
	apply(t, s, mut(t, KindComplaintMove, "k1", "1002", Move{From: "in_progress", To: "resolved", Note: "已换新"}))
	if c := get[Complaint](t, s, TypeComplaint, "k1"); c.State != ComplaintResolved || c.Resolution != "已换新" || len(c.Steps) != 3 {
		t.Fatalf("complaint %+v", c)
	}
	conflicted(t, s, mut(t, KindComplaintMove, "k1", "1001", Move{From: "resolved", To: "open"}), "cannot move")
}

func TestCustomerWritesRunsAutoReplies(t *testing.T) {
	s := fixture()
	s.add(TypeConversation, "v9", Conversation{ID: "v9", CustomerID: "c1", Nick: "小鱼儿"})
	a := AutoReplies{ID: AutoRepliesID, Greeting: "欢迎光临", OffHours: "下班了", Keywords: []KeywordReply{{Keyword: "尺码", Text: "请看尺码表"}}}
	for d := range a.Hours {
		a.Hours[d] = BusinessHours{Open: 9 * 60, Close: 22 * 60}
	}
	s.add(TypeAutoReply, AutoRepliesID, a)
	n := 0
	id := func() string { n++; return "auto" + string(rune('0'+n)) }
	recs, err := CustomerWrites(s, "v9", "m1", "尺码怎么选", t0, id) // 10:00 Friday: open
	if err != nil {
		t.Fatal(err)
	}
	s.put(recs...)
	c := get[Conversation](t, s, TypeConversation, "v9")
	if c.Messages != 3 || c.Unread != 1 || !c.WaitingSince.Equal(t0) || c.LastText != "请看尺码表" {
		t.Fatalf("conversation %+v", c)
	}
	if m := get[Message](t, s, TypeMessage, "auto1"); m.From != FromAuto || m.Text != "欢迎光临" {
		t.Fatalf("greeting %+v", m)
	}
	night := time.Date(2026, 11, 27, 23, 30, 0, 0, ShopZone)
	recs, err = CustomerWrites(s, "v9", "m2", "在吗", night, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 { // message, off-hours reply, conversation; no second greeting
		t.Fatalf("second message wrote %d records", len(recs))
	}
	s.put(recs...)
	if c := get[Conversation](t, s, TypeConversation, "v9"); !c.WaitingSince.Equal(t0) {
		t.Fatal("the wait starts at the first unanswered message")
	}
	if _, err := CustomerWrites(s, "nope", "m3", "hi", t0, id); !errors.Is(err, ErrRejected) {
		t.Fatal("unknown conversation")
	}
	if _, err := CustomerWrites(s, "v9", "m4", "", t0, id); !errors.Is(err, ErrRejected) {
		t.Fatal("empty message")
	}
}

func TestEveryKindIsDecided(t *testing.T) {
	s := fixture()
	for _, k := range Kinds {
		_, err := Decide(s, Mutation{ID: NewID(), Kind: k, Entity: "x", Staff: "1001", At: t0}, t0)
		if err != nil && strings.Contains(err.Error(), "unknown mutation kind") {
			t.Errorf("kind %s has no rule", k)
		}
	}
}
