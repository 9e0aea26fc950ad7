package shop

import (
	"slices"
	"testing"
	"time"
)

func TestUnfilledFindsEachPlaceholderOnce(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"您拍下的订单{order}还没有付款哦", []string{"{order}"}},
		{"{nick}，订单{order}由{courier}发出，单号{tracking}；{order}", []string{"{nick}", "{order}", "{courier}", "{tracking}"}},
		{"亲，在的～", nil},
		{"{} {Order} {订单} {order", nil}, // not placeholders: empty, upper case, Chinese, open
		{"满{x}减{yy}", []string{"{x}", "{yy}"}},
	}
	for _, c := range cases {
		if got := Unfilled(c.text); !slices.Equal(got, c.want) {
			t.Errorf("Unfilled(%q) = %q; want %q", c.text, got, c.want)
		}
		if HasUnfilled(c.text) != (len(c.want) > 0) {
			t.Errorf("HasUnfilled(%q) = %v", c.text, !(len(c.want) > 0))
		}
	}
	filled := Fill("{nick}的订单{order}", map[string]string{"nick": "小鱼儿", "order": ""})
	if got := Unfilled(filled); !slices.Equal(got, []string{"{order}"}) {
		t.Errorf("an empty value leaves the placeholder: Unfilled(%q) = %q", filled, got)
	}
}

func TestTopicOf(t *testing.T) {
	cases := map[string]PhraseTopic{
		"亲爱的{nick}，您拍下的订单{order}还没有付款哦，现在付款今天就能发出":                   TopicPayment,
		"订单{order}尚未支付，请尽快完成支付":                                      TopicPayment,
		"Hello {nick}, your order {order} is not paid yet. Pay now.": TopicPayment,
		"亲，您的订单{order}已经由{courier}发出，运单号{tracking}，请注意查收哦～":          TopicShipment,
		"Your order {order} has shipped with {courier}.":             TopicShipment,
		"亲，下午4点前付款当天发货，之后的次日发出":                                      TopicGeneral,
		"亲，麻烦核对一下订单{order}的收货地址":                                     TopicGeneral,
	}
	for text, want := range cases {
		if got := TopicOf(text); got != want {
			t.Errorf("TopicOf(%q) = %d; want %d", text, got, want)
		}
	}
}

func TestOrdersFor(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, ShopZone)
	unpaidNew := Order{ID: "u2", Status: StatusUnpaid, CreatedAt: now}
	shipped := Order{ID: "s1", Status: StatusShipped, Tracking: "ZT1", CreatedAt: now.Add(-time.Hour)}
	unpaidOld := Order{ID: "u1", Status: StatusUnpaid, CreatedAt: now.Add(-2 * time.Hour)}
	done := Order{ID: "c1", Status: StatusCompleted, Tracking: "ZT0", CreatedAt: now.Add(-48 * time.Hour)}
	paid := Order{ID: "p1", Status: StatusPaid, CreatedAt: now.Add(-72 * time.Hour)}
	all := []Order{unpaidNew, shipped, unpaidOld, done, paid} // newest first, as OrdersOf lists them
	ids := func(os []Order) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	cases := []struct {
		name      string
		topic     PhraseTopic
		orders    []Order
		discussed string
		want      []string
	}{
		{"no orders", TopicPayment, nil, "", nil},
		{"no orders, general", TopicGeneral, nil, "", nil},
		{"reminder without unpaid orders", TopicPayment, []Order{shipped, done, paid}, "", nil},
		{"one unpaid order", TopicPayment, []Order{shipped, unpaidOld, paid}, "", []string{"u1"}},
		{"two unpaid orders: ask", TopicPayment, all, "", []string{"u2", "u1"}},
		{"the discussed unpaid order", TopicPayment, all, "u1", []string{"u1"}},
		{"the discussed order is paid: the unpaid ones", TopicPayment, all, "p1", []string{"u2", "u1"}},
		{"shipment: the one on its way", TopicShipment, all, "", []string{"s1"}},
		{"shipment: only completed ones", TopicShipment, []Order{done, paid}, "", []string{"c1"}},
		{"shipment: nothing shipped", TopicShipment, []Order{unpaidNew, paid}, "", nil},
		{"general: the discussed", TopicGeneral, all, "p1", []string{"p1"}},
		{"general: the latest", TopicGeneral, all, "", []string{"u2"}},
		{"general: discussed not among them", TopicGeneral, all, "zz", []string{"u2"}},
	}
	for _, c := range cases {
		if got := ids(OrdersFor(c.topic, c.orders, c.discussed)); !slices.Equal(got, c.want) {
			t.Errorf("%s: OrdersFor = %v; want %v", c.name, got, c.want)
		}
	}
}

// An auto-reply holding a placeholder is never sent (nothing fills it): the others still are.
func TestRepliesLeaveOutPlaceholders(t *testing.T) {
	wed23 := time.Date(2026, 11, 25, 23, 0, 0, 0, ShopZone)
	a := AutoReplies{Greeting: "{nick}您好，欢迎光临", OffHours: "客服下班了，明早9点回复",
		Keywords: []KeywordReply{{Keyword: "发货", Text: "订单{order}48小时内发货"}}}
	a.Hours[time.Wednesday] = BusinessHours{Open: 9 * 60, Close: 22 * 60}
	got := a.Replies(true, "什么时候发货", wed23)
	if len(got) != 1 || got[0] != "客服下班了，明早9点回复" {
		t.Fatalf("Replies = %q; want the off-hours reply only", got)
	}
}
