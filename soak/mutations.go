package soak

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"kefu/localdb"
	"kefu/shop"
)

// soakKind is how the soak makes mutations of one kind: how often it picks the kind, relative
// to the others, and the builder that makes one (entity, base version and data; ok is false
// when the desk has nothing to act on). Every registered kind needs one (TestEveryKindIsSoaked).
type soakKind struct {
	weight int
	build  func(g *gen, k shop.Kind) (entity string, base int64, data any, ok bool, err error)
}

// soakKinds is the soak's way with every mutation kind.
var soakKinds = map[shop.Kind]soakKind{
	shop.KindChatSend:      {6, (*gen).buildChat},
	shop.KindChatRead:      {3, (*gen).buildChat},
	shop.KindChatClaim:     {2, (*gen).buildChat},
	shop.KindChatTransfer:  {2, (*gen).buildChat},
	shop.KindChatClose:     {2, (*gen).buildChat},
	shop.KindChatReopen:    {2, (*gen).buildChatReopen},
	shop.KindOrderNote:     {5, (*gen).buildOrderNote},
	shop.KindOrderAddress:  {3, (*gen).buildOrderAddress},
	shop.KindOrderCODCall:  {2, (*gen).buildOrderCODCall},
	shop.KindOrderRemind:   {2, (*gen).buildOrderRemindOrClose},
	shop.KindOrderClose:    {1, (*gen).buildOrderRemindOrClose},
	shop.KindOrderShipNote: {2, (*gen).buildOrderShipNotice},
	shop.KindCaseOpen:      {2, (*gen).buildCaseOpen},
	shop.KindCaseMove:      {3, (*gen).buildCaseMove},
	shop.KindStockAdjust:   {5, (*gen).buildStock},
	shop.KindStockSet:      {3, (*gen).buildStock},
	shop.KindStockLow:      {2, (*gen).buildStock},
	shop.KindReviewMove:    {3, (*gen).buildReview},
	shop.KindReviewReply:   {2, (*gen).buildReview},
	shop.KindReviewBuyer:   {2, (*gen).buildReview},
	shop.KindReviewContact: {2, (*gen).buildReview},
	shop.KindEvidenceAdd:   {2, (*gen).buildReview},
	shop.KindCustomerSet:   {3, (*gen).buildCustomerSet},
	shop.KindCustomerAdd:   {1, (*gen).buildCustomerAdd},
	shop.KindPhrasePut:     {2, (*gen).buildPhrase},
	shop.KindPhraseDelete:  {1, (*gen).buildPhrase},
	shop.KindPhraseUse:     {3, (*gen).buildPhrase},
	shop.KindAutoReplyPut:  {1, (*gen).buildAutoReplies},
	shop.KindGroupPut:      {2, (*gen).buildGroup},
	shop.KindGroupDelete:   {1, (*gen).buildGroup},
	shop.KindComplaintOpen: {2, (*gen).buildComplaintOpen},
	shop.KindComplaintMove: {2, (*gen).buildComplaintMove},

	shop.KindCallLog:           {3, (*gen).buildCallLog},
	shop.KindHandoverWrite:     {1, (*gen).buildHandoverWrite},
	shop.KindHandoverAck:       {1, (*gen).buildHandoverAck},
	shop.KindConcessionGive:    {4, (*gen).buildConcessionGive},
	shop.KindConcessionApprove: {2, (*gen).buildConcessionDecide},
	shop.KindConcessionDecline: {2, (*gen).buildConcessionDecide},
	shop.KindTeamSetQuota:      {1, (*gen).buildTeamSet},
	shop.KindTeamSetLimits:     {1, (*gen).buildTeamSet},

	// The KPI kinds (kpi.go).
	shop.KindOutageRecord:   {1, (*gen).buildOutage},
	shop.KindTeamSetWeights: {1, (*gen).buildTeamWeights},
	shop.KindRankingClose:   {1, (*gen).buildRankingClose},
}

// gen makes random mutations for one desk, against the entities in the desk's own store.
type gen struct {
	r       *runner
	d       *desk
	rng     *rand.Rand
	applied map[shop.Kind]bool // kinds this desk has applied at least once
	total   int
	n       int // serial for names
}

func newGen(r *runner, d *desk, rng *rand.Rand) *gen {
	g := &gen{r: r, d: d, rng: rng, applied: map[shop.Kind]bool{}}
	for _, k := range shop.Kinds {
		g.total += g.weight(k)
	}
	return g
}

// pickKind picks a kind by weight; now and then one this desk has not applied yet, so that
// every kind is exercised early in a run.
func (g *gen) pickKind() shop.Kind {
	if len(g.applied) < len(shop.Kinds) && g.rng.IntN(3) == 0 {
		var left []shop.Kind
		for _, k := range shop.Kinds {
			if !g.applied[k] && g.weight(k) > 0 {
				left = append(left, k)
			}
		}
		if len(left) > 0 {
			return left[g.rng.IntN(len(left))]
		}
	}
	n := g.rng.IntN(g.total)
	for _, k := range shop.Kinds {
		if n -= g.weight(k); n < 0 {
			return k
		}
	}
	return shop.Kinds[0]
}

// one makes one mutation, applies it to the desk's store, records what happened and kicks the
// engine. Refusals are counted, not errors; an error means the local store failed.
func (g *gen) one() error {
	kind := g.pickKind()
	entity, base, data, ok, err := g.build(kind)
	if err != nil {
		return fmt.Errorf("building %s: %w", kind, err)
	}
	if !ok {
		g.r.rec.note(g.d.i, kind, outNoTarget, shop.Mutation{})
		return nil
	}
	m, err := shop.NewMutation(kind, entity, g.d.staff, g.d.now(), data)
	if err != nil {
		return err
	}
	m.Base = base
	out, err := g.d.db.Apply(m)
	switch {
	case errors.Is(err, shop.ErrRejected):
		g.r.rec.note(g.d.i, kind, outRejected, m)
	case err != nil:
		return err
	case out.Conflict != nil:
		g.r.rec.note(g.d.i, kind, outConflict, m)
	default:
		g.r.rec.note(g.d.i, kind, outApplied, m)
		g.applied[kind] = true
		if kind == shop.KindComplaintOpen {
			var c shop.Complaint
			if json.Unmarshal(m.Data, &c) == nil && c.CustomerID != "" {
				g.r.complaintMu.Lock()
				g.r.complaintCusts = append(g.r.complaintCusts, c.CustomerID)
				g.r.complaintMu.Unlock()
			}
		}
		g.d.eng.Kick()
	}
	return nil
}

// Random content.
var (
	chatTexts = []string{"您好，在的，请问有什么可以帮您？", "亲，这款今天下单明天发货哦", "尺码偏小，建议拍大一码",
		"已经帮您备注了，请放心", "Hello! Your parcel is on its way.", "好的，马上为您处理 🙏", "这个颜色目前有货",
		"亲，退换货请在七天内申请哦", "多谢惠顾，欢迎下次光临！"}
	noteTexts = []string{"客户要求周末送货", "加急发货", "改地址：已与客户确认", "赠品：发一双袜子", "客户说包装破损，注意加固",
		"VIP 客户，优先处理", "Gift wrap please", "缺货，等待补货后发"}
	reasons   = []string{"盘点", "退货入库", "破损", "补货", "recount", "样品"}
	cities    = []string{"杭州", "上海", "北京", "广州", "成都", "武汉"}
	nickParts = []string{"小", "大", "阿", "happy", "爱", "momo", "星", "猫"}
)

func (g *gen) text(list []string) string {
	g.n++
	return fmt.Sprintf("%s #%d-%d", list[g.rng.IntN(len(list))], g.d.i+1, g.n)
}

// hotSet is the number of entities at the head of a list that half of the picks choose from:
// the desks list entities in the same order, so they often act on the same few at once.
const hotSet = 4

// pickHot picks an entity of list: half of the time one of the first hotSet.
func pickHot[T any](rng *rand.Rand, list []T) (T, bool) {
	if len(list) > hotSet && rng.IntN(2) == 0 {
		return list[rng.IntN(hotSet)], true
	}
	return pick(rng, list)
}

// pick picks an element of list at random; false when it is empty.
func pick[T any](rng *rand.Rand, list []T) (T, bool) {
	var zero T
	if len(list) == 0 {
		return zero, false
	}
	return list[rng.IntN(len(list))], true
}

// ver is the version the desk has of an entity (0 when it has none).
func (g *gen) ver(t shop.EntityType, id string) int64 {
	v, _, _ := g.d.db.Get(t, id, nil)
	return v
}

func (g *gen) conversation(f localdb.ConversationFilter) (shop.Conversation, bool, error) {
	cs, err := g.d.db.Conversations(f, g.d.staff, "", 300)
	if err != nil {
		return shop.Conversation{}, false, err
	}
	c, ok := pickHot(g.rng, cs)
	return c, ok, nil
}

func (g *gen) order(f localdb.OrderFilter) (shop.Order, bool, error) {
	os, err := g.d.db.SearchOrders("", f, 300)
	if err != nil {
		return shop.Order{}, false, err
	}
	o, ok := pickHot(g.rng, os)
	return o, ok, nil
}

// conversationOf returns a conversation with the customer, or any conversation.
func (g *gen) conversationOf(customerID string) (shop.Conversation, bool, error) {
	cs, err := g.d.db.ConversationsOf(customerID)
	if err != nil {
		return shop.Conversation{}, false, err
	}
	if c, ok := pickHot(g.rng, cs); ok {
		return c, true, nil
	}
	return g.conversation(localdb.FilterAll)
}

func (g *gen) staffNumber() string {
	n, _ := staffOf(g.rng.IntN(3))
	return n
}

func (g *gen) address() shop.Address {
	return shop.Address{Receiver: "收件人" + fmt.Sprint(g.rng.IntN(100)), Phone: fmt.Sprintf("13%09d", g.rng.IntN(1e9)),
		Province: "浙江省", City: cities[g.rng.IntN(len(cities))] + "市", District: "西湖区",
		Detail: fmt.Sprintf("文三路 %d 号", 1+g.rng.IntN(500))}
}

// build makes the entity, base version and data of a mutation of kind k. ok is false when the
// desk has nothing to act on.
func (g *gen) build(k shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	sk, found := soakKinds[k]
	if !found {
		return "", 0, nil, false, fmt.Errorf("no generator for kind %q", k)
	}
	return sk.build(g, k)
}

// buildChat builds KindChatSend, KindChatRead, KindChatClaim, KindChatTransfer, KindChatClose.
func (g *gen) buildChat(k shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	f := localdb.FilterAll
	if rng.IntN(3) == 0 {
		f = localdb.FilterWaiting
	}
	c, found, err := g.conversation(f)
	if !found && err == nil {
		c, found, err = g.conversation(localdb.FilterAll)
	}
	if err != nil || !found {
		return "", 0, nil, false, err
	}
	switch k {
	case shop.KindChatSend:
		p := shop.ChatSend{MessageID: shop.NewID(), Text: g.text(chatTexts)}
		if rng.IntN(5) == 0 {
			if ps, _ := g.d.db.SearchProducts("", 0); len(ps) > 0 {
				pr := ps[rng.IntN(len(ps))]
				p.Card = &shop.Card{Kind: "product", ID: pr.ID, Title: pr.Name, Lines: []string{"现货"}}
				if rng.IntN(2) == 0 {
					p.Text = ""
				}
			}
		}
		data = p
	case shop.KindChatTransfer:
		data = shop.ChatTransfer{To: g.staffNumber()}
	}
	return c.ID, g.ver(shop.TypeConversation, c.ID), data, true, nil
}

// buildChatReopen builds KindChatReopen.
func (g *gen) buildChatReopen(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	c, found, err := g.conversation(localdb.FilterClosed)
	if err != nil || !found {
		return "", 0, nil, false, err
	}
	return c.ID, g.ver(shop.TypeConversation, c.ID), nil, true, nil
}

// buildOrderNote builds KindOrderNote.
func (g *gen) buildOrderNote(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	o, found, err := g.order(localdb.OrderFilter{})
	if err != nil || !found {
		return "", 0, nil, false, err
	}
	return o.ID, g.ver(shop.TypeOrder, o.ID), shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.Flags[rng.IntN(len(shop.Flags))],
		Text: g.text(noteTexts), Reason: reasons[rng.IntN(len(reasons))]}, true, nil
}

// buildOrderAddress builds KindOrderAddress.
func (g *gen) buildOrderAddress(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	st := shop.StatusPaid
	if rng.IntN(4) == 0 {
		st = shop.StatusUnpaid
	}
	o, found, err := g.order(localdb.OrderFilter{Status: st})
	if err != nil || !found {
		return "", 0, nil, false, err
	}
	p := shop.AddressCheckSet{NoteID: shop.NewID(), Result: shop.AddressConfirmed}
	if rng.IntN(2) == 0 {
		a := g.address()
		p.Result, p.Address = shop.AddressChanged, &a
	}
	if rng.IntN(3) == 0 {
		p.Courier = []string{"中通", "顺丰", "圆通"}[rng.IntN(3)]
	}
	return o.ID, g.ver(shop.TypeOrder, o.ID), p, true, nil
}

// buildOrderCODCall builds KindOrderCODCall.
func (g *gen) buildOrderCODCall(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	o, found, err := g.order(localdb.OrderFilter{Payment: shop.PayCOD})
	if err != nil || !found {
		return "", 0, nil, false, err
	}
	outcomes := []shop.CallOutcome{shop.CallConfirmed, shop.CallRefused, shop.CallNoAnswer}
	return o.ID, g.ver(shop.TypeOrder, o.ID), shop.CODCall{NoteID: shop.NewID(), Outcome: outcomes[rng.IntN(3)]}, true, nil
}

// buildOrderRemindOrClose builds KindOrderRemind, KindOrderClose.
func (g *gen) buildOrderRemindOrClose(k shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	unpaid, err := g.d.db.SearchOrders("", localdb.OrderFilter{Status: shop.StatusUnpaid}, 0)
	if err != nil {
		return "", 0, nil, false, err
	}
	o, found := pickHot(rng, unpaid)
	// The demo shop has few unpaid orders: close one now and then only, and keep a few to
	// remind; otherwise try an order that is not unpaid (a conflict).
	if !found || (k == shop.KindOrderClose && (len(unpaid) <= 3 || rng.IntN(4) != 0)) {
		o, found, err = g.order(localdb.OrderFilter{})
	}
	if err != nil || !found {
		return "", 0, nil, false, err
	}
	if k == shop.KindOrderClose {
		return o.ID, g.ver(shop.TypeOrder, o.ID), shop.OrderCloseData{NoteID: shop.NewID(), Reason: "客户重复下单"}, true, nil
	}
	c, found, err := g.conversationOf(o.CustomerID)
	if err != nil || !found {
		return "", 0, nil, false, err
	}
	return o.ID, g.ver(shop.TypeOrder, o.ID), shop.Remind{MessageID: shop.NewID(), ConversationID: c.ID,
		Text: "亲，您的订单还未付款哦 " + g.text(chatTexts), Force: rng.IntN(2) == 0}, true, nil
}

// buildOrderShipNotice builds KindOrderShipNote.
func (g *gen) buildOrderShipNotice(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	o, found, err := g.order(localdb.OrderFilter{Status: shop.StatusShipped})
	if err != nil || !found {
		return "", 0, nil, false, err
	}
	c, found, err := g.conversationOf(o.CustomerID)
	if err != nil || !found {
		return "", 0, nil, false, err
	}
	return o.ID, g.ver(shop.TypeOrder, o.ID), shop.ShipNotice{MessageID: shop.NewID(), ConversationID: c.ID,
		Text: "您的包裹已发出 " + o.Tracking, Force: rng.IntN(2) == 0}, true, nil
}

// buildCaseOpen builds KindCaseOpen.
func (g *gen) buildCaseOpen(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	st := []shop.OrderStatus{shop.StatusShipped, shop.StatusCompleted, shop.StatusPaid}[rng.IntN(3)]
	o, found, err := g.order(localdb.OrderFilter{Status: st})
	if err != nil || !found {
		return "", 0, nil, false, err
	}
	p := shop.CaseOpenData{OrderID: o.ID, Kind: shop.CaseKinds[rng.IntN(len(shop.CaseKinds))], Summary: g.text(noteTexts)}
	if rng.IntN(2) == 0 {
		p.Due = g.d.now().Add(time.Duration(1+rng.IntN(10)) * 24 * time.Hour).Truncate(time.Second)
		p.Owner = g.staffNumber()
	}
	return shop.NewID(), 0, p, true, nil
}

// buildCaseMove builds KindCaseMove.
func (g *gen) buildCaseMove(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	cs, err := g.d.db.Cases(false, 0)
	if err != nil {
		return "", 0, nil, false, err
	}
	for range 5 {
		c, found := pickHot(rng, cs)
		if !found {
			break
		}
		next := shop.CaseNext(c.State)
		if rng.IntN(5) != 0 { // keep cases alive: refunded is final
			next = without(next, shop.CaseRefunded)
		}
		to, found := pickHot(rng, next)
		if !found {
			continue
		}
		return c.ID, g.ver(shop.TypeCase, c.ID), shop.Move{From: string(c.State), To: string(to), Note: g.text(noteTexts)}, true, nil
	}
	return "", 0, nil, false, nil
}

// buildStock builds KindStockAdjust, KindStockSet, KindStockLow.
func (g *gen) buildStock(k shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	ps, err := g.d.db.SearchProducts("", 0)
	if err != nil {
		return "", 0, nil, false, err
	}
	p, found := pickHot(rng, ps)
	if !found {
		return "", 0, nil, false, nil
	}
	v, found := pickHot(rng, p.Variants)
	if !found && k != shop.KindStockLow {
		return "", 0, nil, false, nil
	}
	switch k {
	case shop.KindStockAdjust:
		d := rng.IntN(21) - 8
		if d == 0 {
			d = 1
		}
		data = shop.StockAdjust{SKU: v.SKU, Delta: d, Reason: reasons[rng.IntN(len(reasons))]}
	case shop.KindStockSet:
		data = shop.StockSet{SKU: v.SKU, Expected: v.Warehouse, Warehouse: rng.IntN(200), Reason: "盘点"}
	default:
		data = shop.StockThreshold{LowStock: rng.IntN(30)}
	}
	return p.ID, g.ver(shop.TypeProduct, p.ID), data, true, nil
}

// buildReview builds KindReviewMove, KindReviewReply, KindReviewBuyer, KindReviewContact, KindEvidenceAdd.
func (g *gen) buildReview(k shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	rs, err := g.d.db.Reviews(localdb.ReviewFilter{}, 0)
	if err != nil {
		return "", 0, nil, false, err
	}
	for range 8 {
		rv, found := pickHot(rng, rs)
		if !found {
			break
		}
		base := g.ver(shop.TypeReview, rv.ID)
		switch k {
		case shop.KindReviewMove:
			next := shop.ReviewNext(rv.State)
			if rng.IntN(8) != 0 { // keep reviews alive: revised and malicious are final
				next = without(next, shop.ReviewRevised, shop.ReviewMalicious)
			}
			to, found := pickHot(rng, next)
			if !found {
				continue
			}
			return rv.ID, base, shop.Move{From: string(rv.State), To: string(to), Note: g.text(noteTexts)}, true, nil
		case shop.KindReviewReply:
			return rv.ID, base, shop.ReviewReplyData{Text: "感谢您的评价！" + g.text(chatTexts)}, true, nil
		case shop.KindReviewBuyer:
			o, err := g.d.db.Order(rv.OrderID)
			if errors.Is(err, localdb.ErrNotFound) || (err == nil && o.Status != shop.StatusCompleted) {
				continue
			}
			if err != nil {
				return "", 0, nil, false, err
			}
			return rv.ID, base, shop.ReviewBuyerData{Stars: 1 + rng.IntN(5), Text: "好买家"}, true, nil
		case shop.KindReviewContact:
			p := shop.ReviewContactData{}
			switch rng.IntN(10) {
			case 0: // logged without a conversation
			case 1, 2, 3: // a new conversation with the buyer
				p.ConversationID = shop.NewID()
			default:
				cs, err := g.d.db.ConversationsOf(rv.CustomerID)
				if err != nil {
					return "", 0, nil, false, err
				}
				c, found := pickHot(rng, cs)
				if !found {
					p.ConversationID = shop.NewID()
				} else {
					p.ConversationID = c.ID
				}
			}
			if p.ConversationID != "" && rng.IntN(4) != 0 {
				p.MessageID, p.Text = shop.NewID(), "您好，看到您的评价，想了解一下情况 "+g.text(chatTexts)
			}
			return rv.ID, base, p, true, nil
		default: // evidence
			e := shop.Evidence{ReviewID: rv.ID, Kind: []string{"chat", "order", "file"}[rng.IntN(3)], Title: "证据 " + g.text(noteTexts)}
			if e.Kind == "file" {
				e.FileName = fmt.Sprintf("photo-%d.jpg", g.n)
				e.Content = make([]byte, 16+rng.IntN(2048))
				for i := range e.Content {
					e.Content[i] = byte(rng.IntN(256))
				}
			} else {
				e.Text = strings.Repeat("聊天记录 ", 1+rng.IntN(20))
			}
			return shop.NewID(), 0, e, true, nil
		}
	}
	return "", 0, nil, false, nil
}

// buildCustomerSet builds KindCustomerSet.
func (g *gen) buildCustomerSet(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	cs, err := g.d.db.SearchCustomers("", 400)
	if err != nil {
		return "", 0, nil, false, err
	}
	c, found := pickHot(rng, cs)
	if !found {
		return "", 0, nil, false, nil
	}
	var p shop.CustomerSet
	for !customerSetNames(p) {
		switch rng.IntN(10) {
		case 0:
			p.Name = ptr("客户" + fmt.Sprint(g.rng.IntN(1000)))
		case 1:
			p.Phone = ptr(fmt.Sprintf("13%09d", rng.IntN(1e9)))
		case 2:
			p.Birthday = ptr(fmt.Sprintf("%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28)))
		case 3:
			p.City = ptr(cities[rng.IntN(len(cities))])
		case 4:
			p.VIP = ptr(rng.IntN(6))
		case 5:
			p.Tags = ptr([]string{"回头客", "soak"}[:1+rng.IntN(2)])
		case 6:
			gs, err := g.d.db.Groups()
			if err != nil {
				return "", 0, nil, false, err
			}
			ids := []string{}
			for _, gr := range gs {
				if gr.Rule == nil && rng.IntN(2) == 0 {
					ids = append(ids, gr.ID)
				}
			}
			p.Groups = &ids
		case 7:
			p.Sizes = ptr(fmt.Sprint(100 + 10*rng.IntN(8)))
		case 8:
			p.Memo = ptr(g.text(noteTexts))
		default:
			p.OptOut = ptr(rng.IntN(2) == 0)
		}
	}
	return c.ID, g.ver(shop.TypeCustomer, c.ID), p, true, nil
}

// buildCustomerAdd builds KindCustomerAdd.
func (g *gen) buildCustomerAdd(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	c := shop.Customer{Nick: fmt.Sprintf("soak%s%d-%d", nickParts[rng.IntN(len(nickParts))], g.d.i+1, g.n)}
	g.n++
	if rng.IntN(2) == 0 {
		c.Phone = fmt.Sprintf("15%09d", rng.IntN(1e9))
	}
	return shop.NewID(), 0, c, true, nil
}

// buildPhrase builds KindPhrasePut, KindPhraseDelete, KindPhraseUse.
func (g *gen) buildPhrase(k shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	ps, err := g.d.db.Phrases(g.d.staff)
	if err != nil {
		return "", 0, nil, false, err
	}
	p, found := pickHot(rng, ps)
	if k == shop.KindPhrasePut {
		id := shop.NewID()
		if found && rng.IntN(2) == 0 {
			id = p.ID
		} else {
			p = shop.QuickPhrase{}
			if rng.IntN(2) == 0 {
				p.Owner = g.d.staff
			}
		}
		p.ID, p.Uses = "", 0
		p.Shortcut, p.Text = fmt.Sprintf("s%d", rng.IntN(100)), g.text(chatTexts)
		return id, g.ver(shop.TypePhrase, id), p, true, nil
	}
	if !found {
		return "", 0, nil, false, nil
	}
	return p.ID, g.ver(shop.TypePhrase, p.ID), nil, true, nil
}

// buildAutoReplies builds KindAutoReplyPut.
func (g *gen) buildAutoReplies(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	a := shop.AutoReplies{Greeting: "欢迎光临！\n今天全场包邮 " + fmt.Sprint(g.n)}
	if rng.IntN(2) == 0 {
		a.Keywords = []shop.KeywordReply{{Keyword: "发货", Text: "下单后 48 小时内发货"}, {Keyword: "尺码", Text: "请参考详情页尺码表"}}
	}
	if rng.IntN(3) == 0 {
		for d := range a.Hours {
			a.Hours[d] = shop.BusinessHours{Open: 9 * 60, Close: 22 * 60}
		}
		a.OffHours = "客服已下班，明天 9 点回复您"
	}
	g.n++
	return shop.AutoRepliesID, g.ver(shop.TypeAutoReply, shop.AutoRepliesID), a, true, nil
}

// buildGroup builds KindGroupPut, KindGroupDelete.
func (g *gen) buildGroup(k shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	gs, err := g.d.db.Groups()
	if err != nil {
		return "", 0, nil, false, err
	}
	gr, found := pickHot(rng, gs)
	if k == shop.KindGroupDelete {
		if !found {
			return "", 0, nil, false, nil
		}
		return gr.ID, g.ver(shop.TypeGroup, gr.ID), nil, true, nil
	}
	id := shop.NewID()
	if found && rng.IntN(2) == 0 {
		id = gr.ID
	}
	ng := shop.Group{Name: "分组 " + g.text(cities)}
	if rng.IntN(2) == 0 {
		ng.Rule = &shop.GroupRule{MinSpent: shop.Cents(rng.IntN(100000)), WithinDays: rng.IntN(365), MinVIP: rng.IntN(6)}
	}
	return id, g.ver(shop.TypeGroup, id), ng, true, nil
}

// buildComplaintOpen builds KindComplaintOpen.
func (g *gen) buildComplaintOpen(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	cs, err := g.d.db.SearchCustomers("", 400)
	if err != nil {
		return "", 0, nil, false, err
	}
	c, found := pickHot(rng, cs)
	if !found {
		return "", 0, nil, false, nil
	}
	p := shop.Complaint{CustomerID: c.ID, Category: shop.ComplaintCategories[rng.IntN(len(shop.ComplaintCategories))],
		Description: g.text(noteTexts)}
	if os, err := g.d.db.OrdersOf(c.ID, 10); err != nil {
		return "", 0, nil, false, err
	} else if o, found := pickHot(rng, os); found && rng.IntN(2) == 0 {
		p.OrderID = o.ID
	}
	return shop.NewID(), 0, p, true, nil
}

// buildComplaintMove builds KindComplaintMove.
func (g *gen) buildComplaintMove(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	rng := g.rng
	g.r.complaintMu.Lock()
	custs := append([]string(nil), g.r.complaintCusts...)
	g.r.complaintMu.Unlock()
	for range 8 {
		cust, found := pickHot(rng, custs)
		if !found {
			break
		}
		cs, err := g.d.db.ComplaintsOf(cust)
		if err != nil {
			return "", 0, nil, false, err
		}
		c, found := pickHot(rng, cs)
		if !found {
			continue
		}
		var next []shop.ComplaintState
		for _, s := range shop.ComplaintStates {
			if shop.CanMoveComplaint(c.State, s) {
				next = append(next, s)
			}
		}
		to, found := pickHot(rng, next)
		if !found {
			continue
		}
		return c.ID, g.ver(shop.TypeComplaint, c.ID), shop.Move{From: string(c.State), To: string(to), Note: g.text(noteTexts)}, true, nil
	}
	return "", 0, nil, false, nil
}

func ptr[T any](v T) *T { return &v }

func without[T comparable](list []T, drop ...T) []T {
	var out []T
	for _, x := range list {
		keep := true
		for _, d := range drop {
			if x == d {
				keep = false
			}
		}
		if keep {
			out = append(out, x)
		}
	}
	return out
}

// customerSetNames reports whether p sets at least one field.
func customerSetNames(p shop.CustomerSet) bool {
	return p.Name != nil || p.Phone != nil || p.Birthday != nil || p.City != nil || p.VIP != nil || p.Tags != nil ||
		p.Groups != nil || p.Sizes != nil || p.Styles != nil || p.Memo != nil || p.OptOut != nil
}
