package demoshop

import (
	"fmt"
	"strings"
	"time"

	"kefu/shop"
)

// planAfterSales chooses the orders that get an after-sales case, a review and a complaint.
func (g *gen) planAfterSales() {
	pr := newRNG(g.seed, streamPerm, 4)
	var completed, shipped []int32
	for i, s := range g.orders {
		switch s.status {
		case shop.StatusCompleted:
			completed = append(completed, int32(i))
		case shop.StatusShipped:
			if s.shipped < g.now.Add(-4*24*time.Hour).Unix() {
				shipped = append(shipped, int32(i))
			}
		}
	}
	used := make(map[int32]bool)
	// take returns the first order of list, in a scrambled order, that is unused and fits.
	take := func(list []int32, ok func(i int32) bool) int32 {
		if len(list) == 0 {
			return -1
		}
		p := newPerm(&pr, uint64(len(list)))
		for j := range list {
			i := list[p.at(j)]
			if !used[i] && ok(i) {
				used[i] = true
				return i
			}
		}
		return -1
	}
	anyOrder := func(int32) bool { return true }
	recent := g.now.Add(-60 * 24 * time.Hour).Unix()

	for k := range g.size.Reviews {
		spec := reviewSpecAt(k)
		i := take(completed, func(i int32) bool { return spec == nil || g.doneBefore(i, spec.age, 15) })
		if i < 0 && spec != nil {
			i = take(completed, func(i int32) bool { return g.doneBefore(i, spec.age, 400) })
		}
		if i < 0 {
			break
		}
		g.reviewOrders = append(g.reviewOrders, i)
	}
	for k := range g.size.Cases {
		spec := caseSpecAt(k)
		kind := shop.CaseKinds[k%len(shop.CaseKinds)]
		if spec != nil {
			kind = spec.kind
		}
		var i int32 = -1
		if kind == shop.CaseLost {
			i = take(shipped, anyOrder)
		}
		if i < 0 {
			if kind == shop.CaseLost {
				kind = shop.CaseQuality
			}
			// Cases are about orders of the last two months, when there are enough of them.
			i = take(completed, func(i int32) bool {
				if spec != nil {
					return g.doneBefore(i, spec.age, 15)
				}
				return g.orders[i].done > recent
			})
			if i < 0 && spec != nil {
				i = take(completed, func(i int32) bool { return g.doneBefore(i, spec.age, 400) })
			}
			if i < 0 && spec == nil {
				i = take(completed, anyOrder)
			}
		}
		if i < 0 {
			break
		}
		g.cases = append(g.cases, plannedCase{order: i, kind: kind})
	}
	var bought []int32
	for i, s := range g.orders {
		if s.status != shop.StatusUnpaid && s.created < g.now.Add(-2*time.Hour).Unix() {
			bought = append(bought, int32(i))
		}
	}
	for range g.size.Complaints {
		if len(bought) == 0 {
			break
		}
		g.complaintOrders = append(g.complaintOrders, bought[pr.intn(len(bought))])
	}
}

// doneBefore reports whether order i was completed more than an hour and at most days days
// before the moment age ago.
func (g *gen) doneBefore(i int32, age time.Duration, days int) bool {
	at := g.now.Add(-age)
	d := g.orders[i].done
	return d < at.Add(-time.Hour).Unix() && d > at.Add(-time.Duration(days)*24*time.Hour).Unix()
}

// plannedCase is an after-sales case chosen by planAfterSales.
type plannedCase struct {
	order int32
	kind  shop.CaseKind
}

// caseSpec fixes one of the first cases, so that the after-sales list always shows the failure
// to prevent (an exchange untouched for three weeks) next to fresh open cases.
type caseSpec struct {
	kind  shop.CaseKind
	age   time.Duration
	path  []shop.CaseState
	notes []string
}

var caseSpecs = []caseSpec{
	{kind: shop.CaseExchange, age: 23 * 24 * time.Hour, path: []shop.CaseState{shop.CaseWaitingWarehouse},
		notes: []string{"仓库这个尺码缺货，等补货后换新"}},
	{kind: shop.CaseQuality, age: 5 * time.Hour},
	{kind: shop.CaseReturn, age: 2 * 24 * time.Hour, path: []shop.CaseState{shop.CaseWaitingCustomer},
		notes: []string{"已发退货地址，等客户寄回"}},
}

func caseSpecAt(k int) *caseSpec {
	if k < len(caseSpecs) {
		return &caseSpecs[k]
	}
	return nil
}

// casePaths are the moves a case of each kind goes through to its end.
var casePaths = map[shop.CaseKind]struct {
	states []shop.CaseState
	notes  []string
}{
	shop.CaseReturn:   {[]shop.CaseState{shop.CaseWaitingCustomer, shop.CaseWaitingWarehouse, shop.CaseRefunded}, []string{"已发退货地址，等客户寄回", "客户已寄回，等仓库签收验货", "验货无误，已退款"}},
	shop.CaseExchange: {[]shop.CaseState{shop.CaseWaitingCustomer, shop.CaseWaitingWarehouse, shop.CaseResolved}, []string{"已发换货地址，等客户寄回", "仓库已收到，准备换新", "新尺码已发出"}},
	shop.CaseLost:     {[]shop.CaseState{shop.CaseWaitingWarehouse, shop.CaseResolved}, []string{"已联系快递查件，仓库准备补发", "已补发，运单号已告知客户"}},
	shop.CaseWrong:    {[]shop.CaseState{shop.CaseWaitingCustomer, shop.CaseResolved}, []string{"请客户拍照确认收到的颜色", "已补发正确颜色，错发的不用寄回"}},
	shop.CaseMissing:  {[]shop.CaseState{shop.CaseResolved}, []string{"核对打包记录后已补发"}},
	shop.CaseQuality:  {[]shop.CaseState{shop.CaseWaitingCustomer, shop.CaseRefunded}, []string{"请客户拍照", "已退款20元作为补偿"}},
}

// caseRecord makes after-sales case k.
func (g *gen) caseRecord(k int) shop.AfterSalesCase {
	pc := g.cases[k]
	r := newRNG(g.seed, streamCase, k)
	p := g.planOrder(int(pc.order))
	o := &p.o
	it := o.Items[0]
	col, size, _ := strings.Cut(it.Variant, " ")
	var summary string
	switch pc.kind {
	case shop.CaseReturn:
		summary = fmt.Sprintf("7天无理由退货：%s（%s），%s", it.Name, it.Variant, pick(&r, []string{"客户说颜色不喜欢", "孩子不喜欢", "买重复了"}))
	case shop.CaseExchange:
		summary = fmt.Sprintf("换码：%s %s码偏小，换大一码", it.Name, size)
	case shop.CaseLost:
		summary = fmt.Sprintf("%s %s 物流4天未更新，疑似丢件", o.Courier, o.Tracking)
	case shop.CaseWrong:
		other := col
		for other == col {
			other = pick(&r, colours).name
		}
		summary = fmt.Sprintf("发错颜色：订的%s，收到的是%s", col, other)
	case shop.CaseMissing:
		summary = "少发一件：订单里的赠品袜子没收到"
		if n := len(o.Items); n > 1 {
			summary = fmt.Sprintf("少发一件：订单%d件只收到%d件", n, n-1)
		}
	default:
		summary = fmt.Sprintf("质量问题：%s%s，客户要求补偿", it.Name, pick(&r, []string{"袖口开线", "掉色", "拉链坏了", "有污渍"}))
	}

	spec := caseSpecAt(k)
	var created time.Time
	since := p.doneAt
	if since.IsZero() {
		since = o.ShippedAt.Add(4 * 24 * time.Hour)
	}
	path, notes := casePaths[pc.kind].states, casePaths[pc.kind].notes
	if spec != nil {
		created = g.now.Add(-spec.age)
		path, notes = spec.path, spec.notes
	} else {
		created = since.Add(r.dur(time.Hour, 5*24*time.Hour))
		if created.After(g.now.Add(-10 * time.Minute)) {
			created = g.now.Add(-10 * time.Minute)
		}
		created = staffTime(&r, created, g.now.Add(-10*time.Minute))
		// Recent cases are mostly still open; most older ones are done, some are forgotten.
		unfinished := r.chance(25)
		if g.now.Sub(created) < 3*24*time.Hour {
			unfinished = r.chance(90)
		}
		if unfinished {
			n := r.intn(len(path)) // drop at least the final move
			path, notes = path[:n], notes[:n]
		}
	}
	owner := pick(&r, []string{agentLi, agentZhang, agentZhang, OwnerStaff})
	c := shop.AfterSalesCase{ID: caseID(k), OrderID: o.ID, CustomerID: o.CustomerID, Kind: pc.kind, State: shop.CaseOpen,
		Owner: owner, Due: created.Add(3 * 24 * time.Hour), Summary: summary, CreatedAt: created, UpdatedAt: created,
		Steps: []shop.Step{{To: string(shop.CaseOpen), Staff: owner, At: created, Note: summary}}}
	if pc.kind == shop.CaseLost {
		c.Due = created.Add(5 * 24 * time.Hour)
	}
	at := created
	for j, to := range path {
		at = staffTime(&r, at.Add(r.dur(2*time.Hour, 3*24*time.Hour)), g.now.Add(-5*time.Minute))
		if spec != nil {
			at = created.Add(2 * time.Hour)
		}
		if at.After(g.now.Add(-5 * time.Minute)) {
			break
		}
		c.Steps = append(c.Steps, shop.Step{From: string(c.State), To: string(to), Staff: owner, At: at, Note: notes[j]})
		c.State, c.UpdatedAt = to, at
	}
	return c
}

// reviewSpec fixes one of the first reviews, so that the review screen always has bad and
// neutral reviews waiting for follow-up, one of them overdue, and a malicious one with evidence.
type reviewSpec struct {
	stars int
	age   time.Duration
	state shop.ReviewState
}

var reviewSpecs = []reviewSpec{
	{stars: 1, age: 3 * 24 * time.Hour, state: shop.ReviewNew},
	{stars: 2, age: 5 * time.Hour, state: shop.ReviewNew},
	{stars: 3, age: 30 * time.Hour, state: shop.ReviewNew},
	{stars: 1, age: 9 * 24 * time.Hour, state: shop.ReviewMalicious},
	{stars: 2, age: 4 * 24 * time.Hour, state: shop.ReviewContacted},
}

func reviewSpecAt(k int) *reviewSpec {
	if k < len(reviewSpecs) {
		return &reviewSpecs[k]
	}
	return nil
}

var reviewTexts = map[int][]string{
	5: {"质量很好，面料软软的，孩子很喜欢，按身高买的尺码刚刚好", "第二次回购了，物流很快，两天就到了", "颜色和图片一样，做工精细，没有线头，好评！",
		"宝宝穿上很可爱，洗了一次没有掉色", "客服很耐心，帮忙选了尺码，穿着刚好", "性价比很高，活动价买的很划算，下次还来", "衣服很厚实，孩子说很暖和"},
	4: {"整体不错，就是稍微有点大，孩子明年还能穿", "衣服挺好的，物流慢了一天", "质量可以，颜色比图片稍深一点", "款式好看，就是有点线头，剪掉就好了"},
	3: {"一般吧，和图片有色差，颜色偏暗", "质量还可以，就是洗了一次有点起球", "尺码偏小，建议拍大一码", "中规中矩，这个价格不算便宜"},
	2: {"尺码偏小很多，换货流程太麻烦", "洗了一次就掉色了，有点失望", "包装很随意，衣服皱巴巴的", "说好当天发货，拖了三天"},
	1: {"质量太差了，线头很多，穿一次就开线", "发错颜色了，客服态度也不好", "衣服有很大的异味，孩子穿了皮肤发红", "等了一个星期才发货，孩子生日都过了"},
}

var goodReplies = []string{"感谢亲的支持，小熊童装会继续努力，期待您再次光临～", "谢谢亲的好评！宝贝穿得开心就是我们最大的动力～", "感谢回购，有任何问题随时联系客服哦～"}
var badReplies = []string{"非常抱歉给您带来不好的体验，客服已经联系您处理，请留意消息～", "亲，衣服出厂前都经过质检，给您带来的困扰我们深表歉意，已为您安排退换。"}

const maliciousText = "垃圾，别买！"
const maliciousReply = "该买家以差评要挟返现，聊天记录已存证，请其他买家理性参考。"

// reviewRecord makes review k, and the evidence locked for it when it is malicious.
func (g *gen) reviewRecord(k int) (shop.Review, []shop.Evidence) {
	r := newRNG(g.seed, streamReview, k)
	oi := int(g.reviewOrders[k])
	p := g.planOrder(oi)
	o := &p.o
	spec := reviewSpecAt(k)
	stars := []int{5, 4, 3, 2, 1}[r.weighted([]int{72, 14, 6, 3, 5})]
	at := p.doneAt.Add(r.dur(2*time.Hour, 10*24*time.Hour))
	if at.After(g.now.Add(-time.Minute)) {
		at = g.clampPast(p.doneAt.Add(r.dur(time.Minute, max(time.Minute, g.now.Sub(p.doneAt)/2))))
	}
	if spec != nil {
		stars, at = spec.stars, g.now.Add(-spec.age)
	}
	rv := shop.Review{ID: reviewID(k), OrderID: o.ID, CustomerID: o.CustomerID, Nick: o.Nick, ProductID: o.Items[0].ProductID,
		Stars: stars, Text: pick(&r, reviewTexts[stars]), At: at, State: shop.ReviewNew}
	staff := pick(&r, []string{agentLi, agentZhang, OwnerStaff})
	limit := g.now.Add(-time.Minute)
	t := at
	step := func(to shop.ReviewState, note string, lo, hi time.Duration) bool {
		next := staffTime(&r, t.Add(r.dur(lo, hi)), limit)
		if next.After(limit) {
			return false
		}
		t = next
		rv.Steps = append(rv.Steps, shop.Step{From: string(rv.State), To: string(to), Staff: staff, At: t, Note: note})
		if to == shop.ReviewContacted {
			rv.Contacts++
		}
		rv.State, rv.UpdatedAt = to, t
		return true
	}
	reply := func(text string) {
		next := staffTime(&r, at.Add(r.dur(time.Hour, 30*time.Hour)), limit)
		if next.Before(limit) {
			rv.Reply, rv.ReplyBy, rv.ReplyAt = text, staff, next
			if next.After(rv.UpdatedAt) {
				rv.UpdatedAt = next
			}
		}
	}
	var evidence []shop.Evidence
	want := shop.ReviewNew
	if spec != nil {
		want = spec.state
	} else if shop.RatingOf(stars) != shop.RatingGood && g.now.Sub(at) > 24*time.Hour {
		want = []shop.ReviewState{shop.ReviewNew, shop.ReviewContacted, shop.ReviewResolving, shop.ReviewResolved,
			shop.ReviewRevisionRequested, shop.ReviewRevised, shop.ReviewUnreachable, shop.ReviewMalicious}[r.weighted([]int{15, 15, 10, 10, 10, 20, 10, 10})]
	}
	switch want {
	case shop.ReviewNew:
		if rv.Rating() == shop.RatingGood && r.chance(60) {
			reply(pick(&r, goodReplies))
		}
	case shop.ReviewMalicious:
		rv.Stars, rv.Text = 1, maliciousText
		if step(shop.ReviewMalicious, "买家要求返现50元否则不改差评，已存证", time.Hour, 2*24*time.Hour) {
			reply(maliciousReply)
			rv.BuyerStars, rv.BuyerText = 1, "以差评要挟返现"
			evidence = g.evidenceFor(&rv, o, k, staff)
		}
	case shop.ReviewUnreachable:
		if step(shop.ReviewContacted, "旺旺留言，未回复", time.Hour, 20*time.Hour) {
			step(shop.ReviewUnreachable, "电话两次未接，留言也未回复", 20*time.Hour, 3*24*time.Hour)
		}
	default:
		reply(pick(&r, badReplies))
		path := []shop.ReviewState{shop.ReviewContacted, shop.ReviewResolving, shop.ReviewResolved, shop.ReviewRevisionRequested, shop.ReviewRevised}
		notes := []string{"电话联系买家，了解情况", "同意换货，已发换货地址", "换货已签收，买家满意", "请买家修改评价", "买家已追加好评"}
		for j, to := range path {
			if !step(to, notes[j], time.Hour, 2*24*time.Hour) || to == want {
				break
			}
		}
		if rv.State == shop.ReviewRevised {
			rv.Stars = 5
			rv.Text += "\n追评：客服处理很及时，换了合适的尺码，孩子很喜欢，改为好评。"
		}
	}
	if rv.Rating() == shop.RatingGood && rv.State == shop.ReviewNew && r.chance(40) {
		rv.BuyerStars, rv.BuyerText = 5, "好买家，沟通愉快，欢迎再来～"
	}
	return rv, evidence
}

// evidenceFor locks a chat excerpt and the order's facts for a malicious review.
func (g *gen) evidenceFor(rv *shop.Review, o *shop.Order, k int, staff string) []shop.Evidence {
	at := rv.UpdatedAt
	chat := shop.Evidence{ID: evidenceID(k, 1), ReviewID: rv.ID, Kind: "chat", Title: "买家聊天记录：以差评要挟返现",
		Text: fmt.Sprintf("%s：衣服不错，但你们不返现50元我就给差评\n%s：亲，平台规定不能以好评换返现，质量问题我们可以退换\n%s：那我就给差评",
			rv.Nick, staffNames[staff], rv.Nick),
		LockedAt: at, Staff: staff}
	order := shop.Evidence{ID: evidenceID(k, 2), ReviewID: rv.ID, Kind: "order", Title: "订单 " + o.ID,
		Text:     fmt.Sprintf("订单 %s\n%s\n实付 %s\n%s %s\n签收后好评前无售后申请", o.ID, describeOrder(o), o.Total, o.Courier, o.Tracking),
		LockedAt: at, Staff: staff}
	chat.SHA256, order.SHA256 = shop.EvidenceHash(chat), shop.EvidenceHash(order)
	return []shop.Evidence{chat, order}
}

var complaintTexts = map[shop.ComplaintCategory][]string{
	shop.ComplaintQuality:   {"衣服洗一次就严重缩水，要求退款", "拉链质量差，穿两天就坏了", "鞋底开胶，才穿了一周"},
	shop.ComplaintService:   {"客服回复太慢，等了半小时没人理", "客服态度不好，说话很冲", "答应当天发货结果三天后才发"},
	shop.ComplaintOther:     {"包装破损，外箱被压坏", "要的发票一直没开", "说好的赠品没有收到"},
	shop.ComplaintEmergency: {"孩子穿了以后皮肤起红疹，要求说明面料成分并赔偿", "衣服上的小装饰脱落，差点被孩子误吞", "羽绒服有刺鼻异味，担心甲醛超标"},
}

var (
	resolvedTexts   = []string{"已全额退款并补偿20元红包，客户表示满意", "已补发，客户确认收到", "已向客户道歉，并对客服做了培训", "已提供面料检测报告并退款，客户接受"}
	unresolvedTexts = []string{"客户坚持要求三倍赔偿，协商未果，已提交平台介入", "多次联系客户未回复，关闭"}
)

// complaintRecord makes complaint k. The first sixteen go through every category and state.
func (g *gen) complaintRecord(k int) shop.Complaint {
	r := newRNG(g.seed, streamComplaint, k)
	oi := int(g.complaintOrders[k])
	p := g.planOrder(oi)
	o := &p.o
	cat := shop.ComplaintCategories[k%4]
	state := shop.ComplaintStates[(k/4)%4]
	if k >= 16 {
		cat = shop.ComplaintCategories[r.weighted([]int{40, 35, 15, 10})]
		state = shop.ComplaintStates[r.weighted([]int{15, 15, 55, 15})]
	}
	start := o.CreatedAt.Add(time.Hour)
	created := r.timeIn(maxTime(start, g.now.Add(-60*24*time.Hour)), g.now.Add(-10*time.Minute))
	if state == shop.ComplaintOpen {
		created = r.timeIn(maxTime(start, g.now.Add(-2*24*time.Hour)), g.now.Add(-10*time.Minute))
	}
	created = staffTime(&r, created, g.now.Add(-10*time.Minute))
	owner := pick(&r, []string{OwnerStaff, agentLi, agentZhang})
	c := shop.Complaint{ID: complaintID(k), CustomerID: o.CustomerID, Category: cat, Description: pick(&r, complaintTexts[cat]),
		Owner: owner, State: shop.ComplaintOpen, CreatedAt: created, UpdatedAt: created,
		Steps: []shop.Step{{To: string(shop.ComplaintOpen), Staff: owner, At: created}}}
	if r.chance(80) {
		c.OrderID = o.ID
	}
	t := created
	move := func(to shop.ComplaintState, note string) {
		next := staffTime(&r, t.Add(r.dur(10*time.Minute, 24*time.Hour)), g.now.Add(-time.Minute))
		if next.After(g.now.Add(-time.Minute)) {
			next = r.timeIn(t, g.now.Add(-time.Minute))
		}
		t = next
		c.Steps = append(c.Steps, shop.Step{From: string(c.State), To: string(to), Staff: owner, At: t, Note: note})
		c.State, c.UpdatedAt = to, t
		if to == shop.ComplaintResolved || to == shop.ComplaintUnresolved {
			c.Resolution = note
		}
	}
	switch state {
	case shop.ComplaintInProgress:
		move(shop.ComplaintInProgress, "已联系客户，正在核实")
	case shop.ComplaintResolved:
		move(shop.ComplaintInProgress, "已联系客户，正在核实")
		move(shop.ComplaintResolved, pick(&r, resolvedTexts))
	case shop.ComplaintUnresolved:
		move(shop.ComplaintInProgress, "已联系客户，正在核实")
		move(shop.ComplaintUnresolved, pick(&r, unresolvedTexts))
	}
	return c
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
