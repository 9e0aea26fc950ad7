package demoshop

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"kefu/shop"
)

// topicKind is what the last session of a conversation is about.
type topicKind uint8

const (
	topicPreSale   topicKind = iota // questions about a product before buying
	topicRemind                     // staff reminds the buyer of an unpaid order (催付)
	topicShipped                    // staff tells the buyer the parcel left (发货通知)
	topicLogistics                  // the buyer asks where the parcel is
	topicWhenShip                   // the buyer of a paid order asks when it ships
	topicAfterSale                  // the buyer writes after receiving the parcel
)

// maxSessions is the most chat sessions (visits) one conversation has.
const maxSessions = 6

// convPlan is what is decided about a conversation before anything is emitted: the records
// emitted before it (customers, orders) must agree with it.
type convPlan struct {
	cust     int
	nth, of  int // this is the customer's nth conversation (0: the oldest) of of
	rank     int // for the newest conversation of each customer: a random rank; the first ones wait
	target   int // messages wanted
	waiting  bool
	wait     time.Duration // how long the customer has been waiting, when waiting
	final    topicKind
	order    int // the order the last session is about, or -1
	product  int // the product the last session is about, or -1
	variant  int
	starts   [maxSessions]time.Time // start of each session, oldest first
	sessions int
	closed   bool
	staff    string
	firstAt  time.Time
}

// id is the conversation's id: the customer's number, and for an older conversation of the
// customer also its position, oldest first.
func (cp *convPlan) id() string {
	if cp.nth == cp.of-1 {
		return conversationID(cp.cust)
	}
	return fmt.Sprintf("%s-%d", conversationID(cp.cust), cp.nth+1)
}

// waitingWaits are the waits of the first waiting customers: some under and some over the
// three-minute mark a desk alerts at.
var waitingWaits = []time.Duration{40 * time.Second, 95 * time.Second, 140 * time.Second, 220 * time.Second, 6 * time.Minute, 12 * time.Minute}

// pickChatters chooses the customers who chat and which of them are waiting, and gives the
// chat-dependent scenario orders their customers. A customer has one conversation, unless
// there are more conversations than customers: then some have older, closed ones as well.
func (g *gen) pickChatters() {
	n, nc := g.size.Conversations, g.size.Customers
	pr := newRNG(g.seed, streamPerm, 3)
	chat := newPerm(&pr, uint64(max(nc, 1)))
	var newest []int
	for c := range g.customers {
		cnt := 0
		if nc > 0 {
			cnt = n / nc
			if chat.at(c) < n%nc {
				cnt++
			}
		}
		g.customers[c].convFirst = len(g.convs)
		for j := range cnt {
			g.convs = append(g.convs, convPlan{cust: c, nth: j, of: cnt, rank: -1, order: -1, product: -1})
		}
		if cnt > 0 {
			g.customers[c].conv = len(g.convs) - 1
			newest = append(newest, len(g.convs)-1)
		}
	}
	nn := len(newest)
	g.waiting = min(nn, 6+nn/1000)
	rank := newPerm(&pr, uint64(max(nn, 1)))
	byRank := make([]int, nn)
	for j, k := range newest {
		g.convs[k].rank = rank.at(j)
		byRank[rank.at(j)] = k
	}
	g.scenarioCust = make([]int, len(scenarios))
	for i := range scenarios {
		g.scenarioCust[i] = -1
		if j := g.waiting + i; j < nn {
			g.scenarioCust[i] = g.convs[byRank[j]].cust
		}
	}
	// How many messages each conversation gets: a few long chats, many short ones.
	tr := newRNG(g.seed, streamTarget, 0)
	w := make([]int64, len(g.convs))
	var total int64
	for k := range w {
		w[k] = int64(10 + tr.intn(30))
		if tr.chance(12) {
			w[k] += int64(tr.intn(120))
		}
		total += w[k]
	}
	for k := range w {
		g.convs[k].target = max(1, int(w[k]*int64(g.size.Messages)/max(total, 1)))
	}
}

// planConversations decides each conversation's sessions and what the last one is about, and
// records the reminders and shipping notices it sends on their orders. A customer's older
// conversations end before the newer ones begin.
func (g *gen) planConversations() {
	g.remindAt = map[int32]time.Time{}
	g.shipNoticeAt = map[int32]time.Time{}
	for c := range g.customers {
		cu := &g.customers[c]
		if cu.conv < 0 {
			continue
		}
		var before time.Time
		for k := cu.conv; k >= cu.convFirst; k-- {
			g.planConversation(k, before)
			before = g.convs[k].firstAt
		}
	}
}

// planConversation plans conversation k; an older conversation of its customer (before is not
// zero) is an old pre-sale chat, closed, that ended a day or more before the next one began.
func (g *gen) planConversation(k int, before time.Time) {
	cp := &g.convs[k]
	r := newRNG(g.seed, streamConvPlan, k)
	cu := &g.customers[cp.cust]
	cp.staff = []string{agentLi, agentZhang, OwnerStaff}[r.weighted([]int{45, 40, 15})]
	cp.variant = -1
	final := time.Time{}
	if rk := cp.rank; rk >= 0 && rk < g.waiting {
		cp.waiting = true
		cp.wait = r.dur(20*time.Second, 15*time.Minute)
		if rk < len(waitingWaits) {
			cp.wait = waitingWaits[rk]
		}
		final = g.now.Add(-cp.wait)
	}
	latest := g.stats[cp.cust].lastAny
	if !before.IsZero() {
		latest = -1
		final = g.businessTime(&r, daysBefore(g.now, before)+r.between(1, 20))
	}
	var o *orderPlan
	if latest >= 0 {
		p := g.planOrder(int(latest))
		o = &p
	}
	margin := g.now.Add(-65 * time.Minute) // anchored sessions start before this, so they end before now
	switch {
	case cp.waiting && o != nil && o.o.Status == shop.StatusShipped:
		cp.final, cp.order = topicLogistics, int(latest)
	case cp.waiting:
		cp.final = topicPreSale
	case o != nil && o.o.Status == shop.StatusUnpaid && o.o.CreatedAt.Before(margin.Add(-10*time.Minute)):
		cp.final, cp.order = topicRemind, int(latest)
		final = o.o.CreatedAt.Add(r.dur(10*time.Minute, min(20*time.Hour, margin.Sub(o.o.CreatedAt))))
		g.remindAt[latest] = final
	case o != nil && o.o.Status == shop.StatusShipped && o.o.ShippedAt.Before(margin.Add(-5*time.Minute)):
		if r.chance(50) || o.o.ShippedAt.After(margin.Add(-2*time.Hour)) {
			cp.final, cp.order = topicShipped, int(latest)
			final = o.o.ShippedAt.Add(r.dur(5*time.Minute, min(3*time.Hour, margin.Sub(o.o.ShippedAt))))
			g.shipNoticeAt[latest] = final
		} else {
			cp.final, cp.order = topicLogistics, int(latest)
			final = o.o.ShippedAt.Add(r.dur(time.Hour, min(4*24*time.Hour, margin.Sub(o.o.ShippedAt))))
		}
	case o != nil && o.o.Status == shop.StatusPaid && o.o.CreatedAt.Before(margin.Add(-30*time.Minute)) && r.chance(50):
		cp.final, cp.order = topicWhenShip, int(latest)
		final = o.o.CreatedAt.Add(r.dur(30*time.Minute, margin.Sub(o.o.CreatedAt)))
	case o != nil && o.o.Status == shop.StatusCompleted && o.doneAt.After(g.now.Add(-20*24*time.Hour)) &&
		o.doneAt.Before(margin.Add(-time.Hour)) && r.chance(50):
		cp.final, cp.order = topicAfterSale, int(latest)
		final = o.doneAt.Add(r.dur(time.Hour, min(5*24*time.Hour, margin.Sub(o.doneAt))))
	default:
		cp.final = topicPreSale
	}
	if !final.IsZero() && !cp.waiting {
		final = g.inHours(&r, final, margin)
		switch cp.final {
		case topicRemind:
			g.remindAt[latest] = final
		case topicShipped:
			g.shipNoticeAt[latest] = final
		}
	}
	if cp.order >= 0 {
		it := o.o.Items[0]
		cp.product = g.productIndex(it.ProductID)
		for v, vv := range g.products[cp.product].Variants {
			if vv.SKU == it.SKU {
				cp.variant = v
			}
		}
	} else {
		cp.product = g.popularProduct(&r)
		cp.variant = g.variantFor(&r, cp.product, cu.sizeIdx, 100)
	}
	if final.IsZero() {
		switch x := r.intn(100); {
		case x < 10 && during(g.now, 9*60+30, 22*60):
			final = g.now.Add(-r.dur(20*time.Minute, 60*time.Minute)) // answered a moment ago
		case x < 30:
			// Earlier today, or last evening when the shop is closed now.
			final = g.now.Add(-r.dur(70*time.Minute, 10*time.Hour))
			if !during(final, 9*60+30, 21*60) {
				if final = g.businessTime(&r, 0); final.After(margin) {
					final = g.businessTime(&r, 1)
				}
			}
		default:
			final = g.businessTime(&r, r.between(1, 60))
		}
	}

	// Earlier sessions on earlier days, within business hours.
	cp.sessions = 1
	if cp.target >= 6 {
		cp.sessions = min(maxSessions, 1+cp.target/16+r.intn(2))
	}
	if cp.waiting && cp.sessions == 1 && cp.target >= 4 {
		cp.sessions = 2
	}
	cp.starts[cp.sessions-1] = final
	day := daysBefore(g.now, final)
	for s := cp.sessions - 2; s >= 0; s-- {
		day += r.between(1, 30)
		cp.starts[s] = g.businessTime(&r, day)
	}
	cp.firstAt = cp.starts[0]
	if !cp.waiting && g.now.Sub(final) > 6*time.Hour {
		cp.closed = r.chance(25)
		if g.now.Sub(final) > 24*time.Hour {
			cp.closed = r.chance(55)
		}
	}
	if !before.IsZero() {
		cp.closed = true
	}
}

// daysBefore is how many calendar days (in the shop's zone) t lies before now.
func daysBefore(now, t time.Time) int {
	y1, m1, d1 := now.Date()
	y2, m2, d2 := t.In(now.Location()).Date()
	a := time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)
	b := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC)
	return int(a.Sub(b).Hours() / 24)
}

// businessTime is a time between 09:30 and 21:00 on the day that lies days before now.
func (g *gen) businessTime(r *rng, days int) time.Time {
	y, m, d := g.now.Date()
	day := time.Date(y, m, d, 9, 30, 0, 0, g.now.Location()).AddDate(0, 0, -days)
	return day.Add(r.dur(0, 11*time.Hour+30*time.Minute))
}

// inHours moves t, when it is outside 09:30–21:00, to the next such morning, unless that is
// after limit.
func (g *gen) inHours(r *rng, t, limit time.Time) time.Time {
	return within(r, t, limit, 9*60+30, 21*60)
}

// within moves t, when its time of day is outside [open, close) (minutes after midnight), to
// within two hours after the next opening, unless that is after limit.
func within(r *rng, t, limit time.Time, open, close int) time.Time {
	if during(t, open, close) {
		return t
	}
	m := t.Hour()*60 + t.Minute()
	y, mo, d := t.Date()
	day := time.Date(y, mo, d, 0, 0, 0, 0, t.Location()).Add(time.Duration(open) * time.Minute)
	if m >= close {
		day = day.AddDate(0, 0, 1)
	}
	if c := day.Add(r.dur(0, 2*time.Hour)); !c.After(limit) {
		return c
	}
	return t
}

// during reports whether t's time of day is in [open, close), in minutes after midnight.
func during(t time.Time, open, close int) bool {
	m := t.Hour()*60 + t.Minute()
	return m >= open && m < close
}

// productIndex is the index of the product with the id.
func (g *gen) productIndex(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "p"))
	return n - 1
}

// line is a chat message before it has a time: who says what.
type line struct {
	from shop.Sender
	text string
	card *shop.Card
}

// chatCtx holds what one conversation's messages talk about.
type chatCtx struct {
	g     *gen
	r     *rng
	cp    *convPlan
	k     int
	cu    *customer
	staff string // who answers in the current session
	// The child's height (cm) and weight (jin) the customer gives.
	height, weight int
	prod           int
	vari           int
	order          *orderPlan
	out            []shop.Message
}

// messages makes conversation k's messages, oldest first. It is deterministic: the
// conversation record and the message records are made by two calls.
func (g *gen) messages(k int, buf []shop.Message) []shop.Message {
	cp := &g.convs[k]
	r := newRNG(g.seed, streamMessages, k)
	x := &chatCtx{g: g, r: &r, cp: cp, k: k, cu: &g.customers[cp.cust], out: buf[:0]}
	if cp.order >= 0 {
		p := g.planOrder(cp.order)
		x.order = &p
	}
	for s := 0; s < cp.sessions; s++ {
		last := s == cp.sessions-1
		deadline := g.now.Add(-2 * time.Second)
		if !last {
			deadline = cp.starts[s+1].Add(-5 * time.Minute)
		}
		x.staff = cp.staff
		x.height, x.weight = 0, 0
		if r.chance(15) {
			x.staff = pick(&r, []string{OwnerStaff, agentLi, agentZhang})
		}
		left := max(2, (cp.target-len(x.out))/(cp.sessions-s))
		var lines []line
		switch {
		case last && cp.waiting:
			x.prod, x.vari = cp.product, cp.variant
			lines = x.waitingLines()
			x.place(lines, cp.starts[s], deadline, placing{waiting: true})
			continue
		case last:
			x.prod, x.vari = cp.product, cp.variant
			lines = x.finalLines(left)
		default:
			x.prod = g.popularProduct(&r)
			x.vari = g.variantFor(&r, x.prod, x.cu.sizeIdx, 100)
			lines = x.preSaleLines(left, true)
		}
		how := placing{shift: last && cp.final == topicPreSale}
		if last && cp.closed && r.chance(35) {
			// The customer has the last word; the staff member closes the chat.
			lines = append(lines, line{from: shop.FromCustomer, text: pick(&r, []string{"好的，谢谢", "嗯嗯，知道了", "好的"})})
			how.keepTail = true
		}
		x.place(lines, cp.starts[s], deadline, how)
	}
	return x.out
}

// placing says how place treats a session.
type placing struct {
	shift    bool // start earlier (by up to 50 minutes) rather than drop messages after the deadline
	waiting  bool // the customer's unanswered messages, a few seconds apart
	keepTail bool // the session may end with the customer's message
}

// place gives lines their times from start on, adds the auto-replies the server would have
// sent, and appends them. Messages that would fall after deadline are dropped, or the session
// starts earlier to fit. Unless told otherwise, the session ends with a staff message.
func (x *chatCtx) place(lines []line, start, deadline time.Time, how placing) {
	r := x.r
	waiting := how.waiting
	times := make([]time.Time, len(lines))
	t := start
	for i, l := range lines {
		if i > 0 {
			prev := lines[i-1].from
			switch {
			case waiting:
				t = t.Add(r.dur(15*time.Second, 40*time.Second))
			case prev == shop.FromCustomer && l.from == shop.FromCustomer:
				t = t.Add(r.dur(5*time.Second, 40*time.Second))
			case prev == shop.FromCustomer:
				if r.chance(10) {
					t = t.Add(r.dur(3*time.Minute, 8*time.Minute))
				} else {
					t = t.Add(r.dur(15*time.Second, 150*time.Second))
				}
			case l.from == shop.FromCustomer:
				t = t.Add(r.dur(20*time.Second, 4*time.Minute))
			default:
				t = t.Add(r.dur(3*time.Second, 20*time.Second))
			}
		}
		times[i] = t
	}
	if n := len(times); how.shift && n > 0 && times[n-1].After(deadline) {
		back := min(times[n-1].Sub(deadline), 50*time.Minute)
		for i := range times {
			times[i] = times[i].Add(-back)
		}
	}
	n := len(lines)
	for n > 0 && times[n-1].After(deadline) {
		n--
	}
	if !waiting && !how.keepTail {
		for n > 0 && lines[n-1].from != shop.FromStaff {
			n--
		}
	}
	for i := range n {
		l := lines[i]
		first := len(x.out) == 0
		x.add(shop.Message{From: l.from, Text: l.text, Card: l.card, At: times[i]})
		if l.from == shop.FromCustomer {
			for j, reply := range x.g.rules.Replies(first, l.text, times[i]) {
				x.add(shop.Message{From: shop.FromAuto, Text: reply, At: times[i].Add(time.Duration(j+1) * time.Millisecond)})
			}
		}
	}
}

func (x *chatCtx) add(m shop.Message) {
	m.ConversationID = x.cp.id()
	m.ID = uuid7(x.r, m.At, nsMessage, x.k, len(x.out))
	if m.From == shop.FromStaff {
		m.Staff = x.staff
	}
	x.out = append(x.out, m)
}

// fill replaces the {key} placeholders of a template with what the conversation talks about.
func (x *chatCtx) fill(t string) string {
	if !strings.Contains(t, "{") {
		return t
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			return b.String()
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			b.WriteString(t)
			return b.String()
		}
		b.WriteString(t[:i])
		b.WriteString(x.value(t[i+1 : i+j]))
		t = t[i+j+1:]
	}
}

func (x *chatCtx) value(key string) string {
	g := x.g
	p := &g.products[x.prod]
	v := p.Variants[x.vari]
	switch key {
	case "p":
		return p.short
	case "pn":
		return p.Name
	case "c":
		return v.Color
	case "s":
		return v.Size
	case "s2":
		return p.Variants[x.biggerVariant()].Size
	case "up":
		if x.biggerVariant() == x.vari {
			return v.Size + "码"
		}
		return "大一码" + p.Variants[x.biggerVariant()].Size + "码"
	case "stock", "stock2":
		k, size := x.vari, "{s}"
		if key == "stock2" {
			k, size = x.biggerVariant(), "{s2}"
		}
		if n := g.available(x.prod, k); n > 0 {
			return x.fill("亲，{c}" + size + "码现在还有" + strconv.Itoa(n) + "件，拍下后48小时内发货～")
		}
		return x.fill("不好意思亲，{c}" + size + "码暂时断货了，预计一周内补货，可以先收藏哦～")
	case "h", "wt":
		x.child()
		if key == "h" {
			return strconv.Itoa(x.height)
		}
		return strconv.Itoa(x.weight)
	case "fl":
		s, _ := strconv.Atoi(v.Size)
		mm := 175 + (s-28)*13/2
		return fmt.Sprintf("%d.%d", mm/10, mm%10)
	case "city":
		return x.cu.City
	case "staff":
		return staffNames[x.staff]
	case "nick":
		return x.cu.Nick
	}
	if o := x.order; o != nil {
		switch key {
		case "o":
			return o.o.ID
		case "cr":
			return o.o.Courier
		case "tn":
			return o.o.Tracking
		}
	}
	return ""
}

// childWeights are typical weights in jin (half kilograms) of children of each clothing size.
var childWeights = []int{18, 21, 26, 32, 38, 44, 52, 64, 76, 90}

// child makes up, once a session, the height and weight of a child the variant fits.
func (x *chatCtx) child() {
	if x.height != 0 {
		return
	}
	v := x.g.products[x.prod].Variants[x.vari]
	idx := len(sizes) / 2
	for i, s := range sizes {
		if s == v.Size {
			idx = i
		}
	}
	cm, _ := strconv.Atoi(sizes[idx])
	x.height, x.weight = cm-10+x.r.intn(8), childWeights[idx]+x.r.intn(6)
}

// biggerVariant is the variant one size up in the same colour, or the variant itself.
func (x *chatCtx) biggerVariant() int {
	p := &x.g.products[x.prod]
	v := p.Variants[x.vari]
	if x.vari+1 < len(p.Variants) && p.Variants[x.vari+1].Color == v.Color {
		return x.vari + 1
	}
	return x.vari
}

// available is what variant k of product p can still promise.
func (g *gen) available(p, k int) int { return g.products[p].free[k] }

func (x *chatCtx) productCard() *shop.Card {
	p := &x.g.products[x.prod]
	v := p.Variants[x.vari]
	return &shop.Card{Kind: "product", ID: p.ID, Title: p.Name, URL: p.URL,
		Lines: []string{v.Price.String(), fmt.Sprintf("%s · 库存 %d", v.Label(), x.g.available(x.prod, x.vari))}}
}

func (x *chatCtx) orderCard() *shop.Card {
	o := &x.order.o
	return &shop.Card{Kind: "order", ID: o.ID, Title: "订单 " + o.ID,
		Lines: []string{describeOrder(o), "实付 " + o.Total.String(), statusText[o.Status]}}
}

var statusText = map[shop.OrderStatus]string{
	shop.StatusUnpaid: "待付款", shop.StatusPaid: "待发货", shop.StatusShipped: "已发货",
	shop.StatusCompleted: "交易成功", shop.StatusClosed: "交易关闭",
}

// script lines: "C:" the customer, "S:" staff, "P" a product card, "O" an order card.
type script []string

var (
	preSaleTopics = []script{
		{"C:这款{p}{s}码，孩子身高{h}cm能穿吗？", "S:亲，身高{h}cm拍{s}码正合适，我们家{p}版型正常，穿着不紧～", "C:孩子{wt}斤，偏胖一点，会不会小", "S:偏胖的话建议拍{up}，宽松一点，明年还能接着穿", "C:好的，那我拍{s2}码", "S:{stock2}"},
		{"C:{c}{s}码还有货吗？", "P", "S:{stock}", "C:页面上显示有货，是真的有吗？", "S:亲，以仓库实际库存为准，有货的拍下就给您锁定～"},
		{"C:这个是纯棉的吗？宝宝皮肤比较敏感", "S:亲，面料是A类婴幼儿标准，95%棉，敏感肌宝宝也可以放心穿", "C:会起球吗", "S:正常穿着不会起球，建议装洗衣袋洗哦～"},
		{"C:今天拍什么时候发货？", "S:亲，下午4点前付款当天就发，默认中通，发{city}一般两三天到～", "C:能发顺丰吗？", "S:可以的亲，顺丰需要补12元差价，拍下后联系我改一下就行"},
		{"C:有优惠吗？买两件能便宜点不", "S:亲，现在全店满199减30，两件刚好能用上哦～", "C:老客户有折扣吗？", "S:有的亲，VIP会员下单自动打折，等级越高折扣越多～"},
		{"C:{c}和图片颜色一样吗？会不会有色差", "S:亲，都是实物拍摄的，{c}在室内看会稍微深一点点，不影响的"},
		{"C:能机洗吗？会不会掉色", "S:亲，建议30度以下冷水洗，深色第一次单独洗，不会掉色的～"},
		{"C:想送朋友家孩子，身高{h}cm左右，选哪个码好", "S:亲，身高{h}cm穿{s}码，送礼建议拍{up}，穿得久；需要的话可以放张贺卡～", "C:好的，帮我写个生日快乐", "S:好的，已经帮您记下了，拍下后我给订单备注"},
		{"C:买回去不合适可以退换吗？", "S:可以的亲，支持7天无理由退换，下单还送运费险～"},
		{"C:尺码偏大还是偏小？", "S:亲，我们家尺码是标准的，按孩子身高加10厘米左右选就好"},
		{"C:这个{p}有{s2}码的吗", "S:{stock2}", "P"},
	}
	shoeTopics = []script{
		{"C:孩子脚长{fl}厘米，这双{p}穿多大码？", "S:亲，脚长{fl}厘米建议拍{s2}码，留一点余量孩子走路舒服～", "C:鞋底软吗", "S:鞋底是软胶的，可以对折，宝宝穿着不累脚", "C:好的，拍了", "S:收到～今天就给您安排发货"},
		{"C:{c}{s}码还有货吗？", "P", "S:{stock}"},
	}
	openers     = []string{"在吗", "你好", "亲，在吗？", "老板在吗", "hello"}
	staffHellos = []string{"亲，在的～请问有什么可以帮您？", "您好，我是{staff}，很高兴为您服务～", "在的亲，您说～"}
	closers     = []string{"还有其他问题随时找我哦～", "好的亲，祝宝贝穿得开心～", "感谢亲的支持，有问题随时联系我～"}

	logisticsTopic = script{"C:我的快递到哪了？订单号{o}", "S:亲，帮您查了一下，{cr}单号{tn}，已经到{city}了，预计一两天内派送～", "C:好的，谢谢", "S:不客气，收到后有问题随时找我～"}
	whenShipTopic  = script{"C:我拍的怎么还没发货？", "O", "S:亲，您的订单已经在打包了，今天一定发出～", "C:能快点吗，孩子等着穿", "S:好的，已经帮您催仓库了"}
	afterSale      = []script{
		{"C:衣服收到了，{s}码有点小，能换大一码吗", "S:可以的亲，麻烦您在订单里申请换货，寄回时写上订单号{o}～", "C:运费谁出？", "S:您下单时有运费险，寄回的运费会赔付的，放心～"},
		{"C:收到的{p}袖口有个线头开了", "S:非常抱歉亲，麻烦拍张照片给我看一下～", "C:就是袖口这里，开了一点点", "S:实在抱歉，给您补偿5元红包，或者申请退换都可以", "C:那就补偿吧", "S:好的，红包已经发给您了，再次抱歉～"},
		{"C:收到了，孩子很喜欢，尺码刚好", "S:太好啦～喜欢的话给个五星好评哦，谢谢亲的支持"},
	}
	remindReplies = []string{"好的，马上付", "晚点再付", "再考虑一下", "在等工资呢，明天付"}

	waitingPre       = []string{"在吗？", "{c}{s}码还有吗？", "孩子身高{h}穿多大尺码？", "今天拍能发货吗？", "能便宜点吗", "这款{p}会不会起球"}
	waitingLogistics = []string{"我的快递怎么还没到？", "订单{o}到哪了", "在吗？", "物流好几天没动了"}
	waitingNudges    = []string{"怎么没人回复", "？？", "人呢"}
)

// expand turns a script into lines.
func (x *chatCtx) expand(sc script) []line {
	out := make([]line, 0, len(sc))
	for _, s := range sc {
		switch {
		case s == "P":
			out = append(out, line{from: shop.FromStaff, card: x.productCard()})
		case s == "O":
			out = append(out, line{from: shop.FromStaff, card: x.orderCard()})
		case strings.HasPrefix(s, "C:"):
			out = append(out, line{from: shop.FromCustomer, text: x.fill(s[2:])})
		default:
			out = append(out, line{from: shop.FromStaff, text: x.fill(strings.TrimPrefix(s, "S:"))})
		}
	}
	return out
}

// preSaleLines is a customer-started session of product questions, about budget lines long.
func (x *chatCtx) preSaleLines(budget int, opener bool) []line {
	r := x.r
	var out []line
	if opener && budget >= 4 && r.chance(50) {
		out = append(out, line{from: shop.FromCustomer, text: pick(r, openers)},
			line{from: shop.FromStaff, text: x.fill(pick(r, staffHellos))})
	}
	topics := preSaleTopics
	if x.g.products[x.prod].shoes {
		topics = shoeTopics
	}
	for _, t := range r.subset(len(topics), len(topics)) {
		if len(out) >= budget {
			break
		}
		out = append(out, x.expand(topics[t])...)
	}
	if len(out) < budget {
		out = append(out, line{from: shop.FromStaff, text: x.fill(pick(r, closers))})
	}
	return trim(out, budget)
}

// trim cuts lines to budget, and then cuts the customer's unanswered questions at the end.
func trim(out []line, budget int) []line {
	if len(out) > budget {
		out = out[:budget]
	}
	for len(out) > 0 && out[len(out)-1].from == shop.FromCustomer {
		out = out[:len(out)-1]
	}
	return out
}

// finalLines is the last session of a conversation that is not waiting.
func (x *chatCtx) finalLines(budget int) []line {
	r := x.r
	var out []line
	switch x.cp.final {
	case topicRemind:
		out = append(out, line{from: shop.FromStaff, text: shop.Fill(phraseText("cf"), x.placeholders())},
			line{from: shop.FromCustomer, text: pick(r, remindReplies)},
			line{from: shop.FromStaff, text: "好的亲，有问题随时找我～"})
	case topicShipped:
		out = append(out, line{from: shop.FromStaff, text: shop.Fill(phraseText("fh"), x.placeholders())},
			line{from: shop.FromCustomer, text: pick(r, []string{"收到，谢谢", "好的", "这么快，赞"})},
			line{from: shop.FromStaff, text: "不客气～收到后有问题随时联系我"})
	case topicLogistics:
		out = x.expand(logisticsTopic)
	case topicWhenShip:
		out = x.expand(whenShipTopic)
	case topicAfterSale:
		out = x.expand(pick(r, afterSale))
	default:
		return x.preSaleLines(budget, true)
	}
	// The talk about the order is whole; product questions may follow.
	if len(out) < budget {
		out = append(out, x.preSaleLines(budget-len(out), false)...)
	}
	return out
}

// waitingLines is the last session of a waiting conversation: the customer's unanswered messages.
func (x *chatCtx) waitingLines() []line {
	r := x.r
	pool := waitingPre
	if x.cp.final == topicLogistics {
		pool = waitingLogistics
	}
	n := 1
	if x.cp.wait >= time.Minute {
		n = r.between(1, 3)
	}
	var out []line
	for _, i := range r.subset(len(pool), n) {
		out = append(out, line{from: shop.FromCustomer, text: x.fill(pool[i])})
	}
	if n > 1 && x.cp.wait > 3*time.Minute && r.chance(50) {
		out[n-1].text = pick(r, waitingNudges) // the customer grows impatient
	}
	return out
}

// placeholders are the values shop.Fill puts into quick phrases.
func (x *chatCtx) placeholders() map[string]string {
	m := map[string]string{"nick": x.cu.Nick, "staff": staffNames[x.staff]}
	if x.order != nil {
		m["order"], m["courier"], m["tracking"] = x.order.o.ID, x.order.o.Courier, x.order.o.Tracking
	}
	return m
}

// conversationRecord is conversation k as the server would hold it after these messages:
// built by replaying them as shop.CustomerWrites and shop's chat.send do.
func (g *gen) conversationRecord(k int, msgs []shop.Message) shop.Conversation {
	cp := &g.convs[k]
	cu := &g.customers[cp.cust]
	c := shop.Conversation{ID: cp.id(), CustomerID: cu.ID, Nick: cu.Nick}
	for _, m := range msgs {
		c.Messages++
		c.LastText, c.LastAt = shop.PreviewText(m), m.At
		switch m.From {
		case shop.FromCustomer:
			c.Unread++
			c.Closed = false
			if c.WaitingSince.IsZero() {
				c.WaitingSince = m.At
			}
		case shop.FromStaff:
			c.WaitingSince, c.Unread, c.Closed = time.Time{}, 0, false
			if c.Assignee == "" {
				c.Assignee, c.AssignedAt = m.Staff, m.At
			}
		}
	}
	if cp.closed {
		c.Closed, c.WaitingSince, c.Unread = true, time.Time{}, 0
	}
	if cp.product >= 0 {
		c.ProductID = g.products[cp.product].ID
	}
	if cp.order >= 0 {
		c.OrderID = g.orderIDOf(cp.order)
	}
	return c
}

// orderIDOf is the id of order i.
func (g *gen) orderIDOf(i int) string {
	return g.orderID(i, time.Unix(g.orders[i].created, 0).In(g.now.Location()))
}
