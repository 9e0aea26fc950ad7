package demoshop

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"kefu/shop"
)

// orderPlan is an order with its notes and the facts about it the other records need.
type orderPlan struct {
	o      shop.Order
	notes  []shop.OrderNote
	cust   int
	doneAt time.Time // when the buyer confirmed receipt; zero unless completed
	typed  bool      // some notes were typed by staff
}

// scenario fixes an order of the demo so that every screen has work whatever the seed: unpaid
// orders to remind, paid ones whose address is unchecked, cash-on-delivery calls to make.
type scenario struct {
	age    time.Duration
	status shop.OrderStatus
	cod    bool
	call   shop.CallOutcome
	check  shop.AddressCheck
	chat   bool   // the buyer has a conversation, so a reminder or shipping notice can be sent
	close  string // close reason
	urgent bool   // carries a red "rush" note
}

var scenarios = []scenario{
	{age: 12 * time.Minute, status: shop.StatusUnpaid},
	{age: 3 * time.Hour, status: shop.StatusUnpaid, chat: true},
	{age: 19 * time.Hour, status: shop.StatusUnpaid, chat: true},
	{age: 30 * time.Hour, status: shop.StatusUnpaid},
	{age: 20 * time.Minute, status: shop.StatusPaid},
	{age: 150 * time.Minute, status: shop.StatusPaid},
	{age: 50 * time.Minute, status: shop.StatusPaid, cod: true, call: shop.CallNone},
	{age: 4 * time.Hour, status: shop.StatusPaid, cod: true, call: shop.CallNone},
	{age: 26 * time.Hour, status: shop.StatusPaid, cod: true, call: shop.CallNoAnswer},
	{age: 9 * time.Hour, status: shop.StatusPaid, check: shop.AddressConfirmed, urgent: true},
	{age: 30 * time.Hour, status: shop.StatusShipped, chat: true},
	{age: 6 * time.Hour, status: shop.StatusClosed, close: "重复下单"},
}

const orderSpan = 365 * 24 * time.Hour

// orderAge draws how long ago an order was placed: a busy last few days, a steady year.
func orderAge(r *rng) time.Duration {
	switch x := r.intn(100); {
	case x < 8:
		return r.dur(2*time.Minute, 72*time.Hour)
	case x < 28:
		return r.dur(72*time.Hour, 30*24*time.Hour)
	}
	return r.dur(30*24*time.Hour, orderSpan)
}

// orderStatus draws the status of an order placed age ago.
func orderStatus(r *rng, age time.Duration) shop.OrderStatus {
	st := []shop.OrderStatus{shop.StatusUnpaid, shop.StatusPaid, shop.StatusShipped, shop.StatusCompleted, shop.StatusClosed}
	var w []int
	switch {
	case age < 30*time.Minute:
		w = []int{50, 45, 0, 0, 5}
	case age < 4*time.Hour:
		w = []int{20, 75, 0, 0, 5}
	case age < 24*time.Hour:
		w = []int{20, 55, 20, 0, 5}
	case age < 48*time.Hour:
		w = []int{8, 27, 57, 0, 8}
	case age < 72*time.Hour:
		w = []int{0, 25, 67, 0, 8}
	case age < 10*24*time.Hour:
		w = []int{0, 0, 55, 37, 8}
	case age < 20*24*time.Hour:
		w = []int{0, 0, 8, 84, 8}
	default:
		w = []int{0, 0, 0, 92, 8}
	}
	return st[r.weighted(w)]
}

// orderID is a 16-digit platform order number: the day it was placed and a scrambled counter.
func (g *gen) orderID(i int, created time.Time) string {
	return created.Format("20060102") + pad(g.orderNums.at(i), 8)
}

// tracking makes the unique tracking number of order i in courier c's format.
func (g *gen) tracking(r *rng, i int, c string) string {
	n := pad(g.trackNums.at(i), 8)
	switch c {
	case "顺丰":
		return "SF1" + n + pad(r.intn(10000), 4)
	case "圆通":
		return "YT7" + n + pad(r.intn(10000), 4)
	case "韵达":
		return "43" + n + pad(r.intn(100000), 5)
	}
	return "75" + n + pad(r.intn(100000), 5)
}

// clampPast keeps t at least a second before now.
func (g *gen) clampPast(t time.Time) time.Time {
	if limit := g.now.Add(-time.Second); t.After(limit) {
		return limit
	}
	return t
}

// staffTime moves t into the staff's working day (09:00–22:00) when it can without passing limit.
func staffTime(r *rng, t, limit time.Time) time.Time { return within(r, t, limit, 9*60, 22*60) }

// timeIn returns a random time in [a, b] (a when b is not after a).
func (r *rng) timeIn(a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(r.dur(0, b.Sub(a)))
}

// planOrder makes order i, deterministically: the same i always gives the same order.
func (g *gen) planOrder(i int) orderPlan {
	r := newRNG(g.seed, streamOrder, i)
	var sc *scenario
	if i < len(scenarios) {
		sc = &scenarios[i]
	}
	var p orderPlan
	p.cust = g.buyers.at(r.skewed(g.size.Customers))
	if sc != nil && sc.chat && g.scenarioCust[i] >= 0 {
		p.cust = g.scenarioCust[i]
	}
	cu := &g.customers[p.cust]
	age := orderAge(&r)
	status := orderStatus(&r, age)
	cod := r.chance(7)
	if sc != nil {
		age, status, cod = sc.age, sc.status, sc.cod
	}
	if cod && status == shop.StatusUnpaid {
		status = shop.StatusPaid // cash on delivery is never waiting for payment
	}
	created := g.now.Add(-age)
	o := &p.o
	o.ID = g.orderID(i, created)
	o.CustomerID, o.Nick = cu.ID, cu.Nick
	o.CreatedAt, o.Status, o.Payment = created, status, shop.PayOnline
	if cod {
		o.Payment = shop.PayCOD
	}

	// Items: one to three lines, mostly in the child's size.
	lines := 1 + r.weighted([]int{70, 22, 8})
	var sum shop.Cents
	for range lines {
		pi := g.popularProduct(&r)
		k := g.variantFor(&r, pi, cu.sizeIdx, 75)
		pr := &g.products[pi]
		v := pr.Variants[k]
		qty := 1
		if r.chance(10) {
			qty = 2
		}
		merged := false
		for j := range o.Items {
			if o.Items[j].SKU == v.SKU {
				o.Items[j].Qty += qty
				merged = true
			}
		}
		if !merged {
			o.Items = append(o.Items, shop.OrderItem{ProductID: pr.ID, SKU: v.SKU, Name: pr.Name, Variant: v.Label(), Qty: qty, Price: v.Price})
		}
		sum += v.Price * shop.Cents(qty)
	}
	switch {
	case places[cu.place].remote:
		o.Shipping = 1500
	case sum < 9900:
		o.Shipping = 600
	}
	o.Total = sum + o.Shipping
	o.Address = g.address(p.cust, false, &r)

	var notes []shop.OrderNote
	sysNote := func(at time.Time, text, reason, staff string) {
		notes = append(notes, shop.OrderNote{OrderID: o.ID, Text: text, Reason: reason, Staff: staff, At: at, System: true})
	}
	staff := func() string { return pick(&r, []string{OwnerStaff, agentLi, agentLi, agentZhang, agentZhang}) }

	// Payment and the cash-on-delivery call.
	paidOnline := !cod && status != shop.StatusUnpaid
	closedKind := 0 // for closed orders: 0 timed out, 1 closed by staff, 2 refunded
	if status == shop.StatusClosed {
		closedKind = r.weighted([]int{40, 35, 25})
		if sc != nil && sc.close != "" {
			closedKind = 1
		}
		if age < 48*time.Hour && closedKind == 0 {
			closedKind = 1 // the platform closes unpaid orders after two days
		}
		paidOnline = !cod && closedKind == 2
	}
	if paidOnline {
		o.PaidAt = g.clampPast(created.Add(r.dur(20*time.Second, 20*time.Minute)))
	}
	ready := o.PaidAt // when the order could be packed
	if cod {
		call := shop.CallOutcome(pick(&r, []string{"", "", "", "", "", "confirmed", "confirmed", "no_answer", "no_answer"}))
		switch {
		case status == shop.StatusShipped || status == shop.StatusCompleted:
			call = shop.CallConfirmed
		case status == shop.StatusClosed:
			call = shop.CallRefused
		}
		if sc != nil && status == shop.StatusPaid {
			call = sc.call
		}
		if call != shop.CallNone && age > 11*time.Minute {
			at := staffTime(&r, created.Add(r.dur(10*time.Minute, min(5*time.Hour, age-time.Minute))), g.now.Add(-time.Minute))
			o.CODCall, o.CODCallAt, o.CODCallBy = call, at, staff()
			sysNote(at, string(call), "COD call", o.CODCallBy)
			ready = at
		} else if status != shop.StatusPaid {
			status, o.Status = shop.StatusPaid, shop.StatusPaid // no call yet: not shipped
		}
		if ready.IsZero() {
			ready = created
		}
	}

	// Shipping and delivery.
	if status == shop.StatusShipped || status == shop.StatusCompleted {
		latest := g.now.Add(-10 * time.Minute)
		ship := within(&r, ready.Add(r.dur(2*time.Hour, 30*time.Hour)), latest, 9*60, 19*60) // the warehouse works by day
		if ship.After(latest) {
			ship = r.timeIn(ready.Add(time.Minute), latest)
		}
		o.ShippedAt = ship
		if status == shop.StatusCompleted {
			room := g.now.Sub(ship) - time.Hour
			if room < 2*24*time.Hour {
				status, o.Status = shop.StatusShipped, shop.StatusShipped
			} else {
				p.doneAt = ship.Add(r.dur(2*24*time.Hour, min(12*24*time.Hour, room)))
				if cod {
					o.PaidAt = p.doneAt.Add(-r.dur(time.Hour, 24*time.Hour)) // cash paid on delivery
				}
			}
		}
		o.Courier = couriers[r.weighted(courierWeights)]
	}

	// The after-payment address check.
	if !cod && (status == shop.StatusPaid || status == shop.StatusShipped || status == shop.StatusCompleted) {
		var check shop.AddressCheck
		x := r.intn(100)
		switch {
		case status == shop.StatusPaid && age < 2*time.Hour:
			if x < 15 {
				check = shop.AddressConfirmed
			}
		case status == shop.StatusPaid:
			if x < 55 {
				check = shop.AddressConfirmed
			} else if x < 63 {
				check = shop.AddressChanged
			}
		default:
			if x < 45 {
				check = shop.AddressConfirmed
			} else if x < 49 {
				check = shop.AddressChanged
			}
		}
		if sc != nil {
			check = sc.check
		}
		limit := g.now.Add(-30 * time.Second)
		if !o.ShippedAt.IsZero() {
			limit = o.ShippedAt.Add(-time.Minute)
		}
		at := staffTime(&r, o.PaidAt.Add(r.dur(3*time.Minute, 3*time.Hour)), limit)
		if (!o.ShippedAt.IsZero() && !at.Before(o.ShippedAt)) || at.After(g.now.Add(-30*time.Second)) {
			check = shop.AddressUnchecked
		}
		if check != shop.AddressUnchecked {
			by := staff()
			text := o.Address.String()
			reason := "address confirmed"
			if check == shop.AddressChanged {
				next := g.address(p.cust, true, &r)
				text += " → " + next.String()
				o.Address = next
				reason = "address changed"
			}
			if r.chance(10) {
				o.Courier = "顺丰" // the buyer asked for SF Express and paid the difference
				text += " · 顺丰"
			}
			o.AddressCheck, o.AddressCheckBy = check, by
			sysNote(at, text, reason, by)
		}
	}
	if o.Courier != "" && !o.ShippedAt.IsZero() {
		o.Tracking = g.tracking(&r, i, o.Courier)
	}

	// Closing.
	if status == shop.StatusClosed {
		switch closedKind {
		case 0:
			o.CloseReason = timeoutClose
		case 1:
			o.CloseReason = pick(&r, staffCloseReasons)
			if sc != nil && sc.close != "" {
				o.CloseReason = sc.close
			}
			if cod {
				o.CloseReason = codRefusedClose
			}
			at := created.Add(r.dur(5*time.Minute, min(20*time.Hour, max(age-time.Minute, 5*time.Minute))))
			sysNote(staffTime(&r, g.clampPast(at), g.now.Add(-time.Second)), o.CloseReason, "order closed", staff())
		default:
			o.CloseReason = refundClose
		}
	}

	// Notes staff typed, with a flag.
	if (r.chance(16) || (sc != nil && sc.urgent)) && age > 5*time.Minute {
		n := 1 + r.weighted([]int{70, 22, 8})
		end := g.now.Add(-30 * time.Second)
		if !o.ShippedAt.IsZero() {
			end = o.ShippedAt
		}
		seen := map[int]bool{}
		for k := range n {
			f, text, reason := g.noteText(&r, o, seen)
			if sc != nil && sc.urgent && k == 0 {
				f, text, reason = shop.FlagRed, "加急！客户孩子周末生日要穿，今天务必发出", "客户催发货"
			}
			at := staffTime(&r, r.timeIn(created.Add(time.Minute), end), end)
			notes = append(notes, shop.OrderNote{OrderID: o.ID, Flag: f, Text: text, Reason: reason, Staff: staff(), At: at})
		}
		p.typed = true
	}

	// In time order, every note carries the flag the order had when it was written.
	sort.SliceStable(notes, func(a, b int) bool { return notes[a].At.Before(notes[b].At) })
	flag := shop.FlagGrey
	for k := range notes {
		nt := &notes[k]
		if nt.System {
			nt.Flag = flag
		} else {
			flag = nt.Flag
			o.Flag, o.FlagBy, o.FlagAt = nt.Flag, nt.Staff, nt.At
		}
		nt.ID = uuid7(&r, nt.At, nsNote, i, k)
	}
	o.NoteCount = len(notes)
	p.notes = notes
	return p
}

type noteTemplate struct {
	flag         shop.Flag
	text, reason string
}

var noteTemplates = []noteTemplate{
	{shop.FlagRed, "加急！客户孩子周末生日要穿，今天务必发出", "客户催发货"},
	{shop.FlagRed, "发货前核对颜色：要%c，别发错", "防止发错"},
	{shop.FlagRed, "客户说上次少发一件，这单仔细核对件数", "重点核对"},
	{shop.FlagYellow, "客户担心%s码偏小，发货前再确认一次", "待确认尺码"},
	{shop.FlagYellow, "等客户确认颜色后再发货", "待确认"},
	{shop.FlagYellow, "客户出差，要求晚两天发货", "延迟发货"},
	{shop.FlagGreen, "已与客户确认尺码和地址，正常发货", "已核实"},
	{shop.FlagGreen, "赠品：儿童袜子一双，已放入", "赠品"},
	{shop.FlagBlue, "客户需要开发票，抬头：%t", "开票"},
	{shop.FlagBlue, "老客户，包裹里放一张感谢卡", "老客户关怀"},
	{shop.FlagPurple, "VIP客户，送小熊贴纸一套", "VIP赠品"},
	{shop.FlagPurple, "与客户的另一单合并发货", "合并发货"},
	{shop.FlagGrey, "已处理完毕", "完成"},
	{shop.FlagGrey, "客户说不用加急了", "取消加急"},
}

var noteWeights = []int{12, 10, 8, 10, 6, 4, 8, 7, 8, 7, 6, 4, 6, 4}

var companies = []string{"杭州星辰科技有限公司", "上海优贝贸易有限公司", "成都小太阳幼儿园", "广州市乐童文化传播有限公司", "南京启明教育咨询有限公司"}

// noteText picks a typed note for order o, one not in seen (and adds it there).
func (g *gen) noteText(r *rng, o *shop.Order, seen map[int]bool) (shop.Flag, string, string) {
	k := r.weighted(noteWeights)
	for seen[k] {
		k = (k + 1) % len(noteTemplates)
	}
	seen[k] = true
	t := noteTemplates[k]
	it := o.Items[0]
	col, size, _ := strings.Cut(it.Variant, " ")
	text := strings.NewReplacer("%c", col, "%s", size, "%t", pick(r, companies)).Replace(t.text)
	return t.flag, text, t.reason
}

// orderSum is what the planning pass keeps of each order.
type orderSum struct {
	created, shipped, done int64 // unix seconds; 0 when not
	cust                   int32
	status                 shop.OrderStatus
}

// planOrders runs through every order once to learn what the records emitted before the orders
// must agree with: stock reserved by unpaid and unshipped orders, each customer's spending.
func (g *gen) planOrders() {
	n := g.size.Orders
	g.orders = make([]orderSum, n)
	g.reserved = make([]int32, len(g.products)*g.size.VariantsPerProduct)
	g.stats = make([]custStats, g.size.Customers)
	for c := range g.stats {
		g.stats[c].lastAny = -1
	}
	latest := make([]int64, g.size.Customers)
	skuIdx := g.skuIndex()
	for i := range n {
		p := g.planOrder(i)
		o := &p.o
		s := orderSum{created: o.CreatedAt.Unix(), cust: int32(p.cust), status: o.Status}
		if !o.ShippedAt.IsZero() {
			s.shipped = o.ShippedAt.Unix()
		}
		if !p.doneAt.IsZero() {
			s.done = p.doneAt.Unix()
		}
		g.orders[i] = s
		if o.Status == shop.StatusUnpaid || o.Status == shop.StatusPaid {
			for _, it := range o.Items {
				g.reserved[skuIdx[it.SKU]] += int32(it.Qty)
			}
		}
		st := &g.stats[p.cust]
		if o.Status != shop.StatusUnpaid && o.Status != shop.StatusClosed {
			st.paid++
			st.spent += int64(o.Total)
		}
		if st.first == 0 || s.created < st.first {
			st.first = s.created
		}
		if st.lastAny < 0 || s.created > latest[p.cust] {
			st.lastAny, latest[p.cust] = int32(i), s.created
		}
	}
}

// skuIndex maps every SKU to its position in g.reserved.
func (g *gen) skuIndex() map[string]int {
	m := make(map[string]int, len(g.products)*g.size.VariantsPerProduct)
	for p := range g.products {
		for k, v := range g.products[p].Variants {
			m[v.SKU] = p*g.size.VariantsPerProduct + k
		}
	}
	return m
}

// orderRecord is order i as emitted, with the reminders and shipping notices the chats sent.
func (g *gen) orderRecord(p *orderPlan, i int) shop.Order {
	o := p.o
	if t, ok := g.remindAt[int32(i)]; ok {
		o.RemindedAt = t
	}
	if t, ok := g.shipNoticeAt[int32(i)]; ok {
		o.ShipNoticeAt = t
	}
	return o
}

// describeOrder is a one-line description of an order for evidence and cards.
func describeOrder(o *shop.Order) string {
	var items []string
	for _, it := range o.Items {
		items = append(items, fmt.Sprintf("%s（%s）×%d", it.Name, it.Variant, it.Qty))
	}
	return strings.Join(items, "，")
}
