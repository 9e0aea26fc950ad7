package shop

import (
	"strings"
	"testing"
	"time"
)

func TestCentsString(t *testing.T) {
	for c, want := range map[Cents]string{0: "¥0.00", 12850: "¥128.50", 5: "¥0.05", -199: "-¥1.99"} {
		if got := c.String(); got != want {
			t.Errorf("Cents(%d) = %q, want %q", int64(c), got, want)
		}
	}
}

func TestVariantFigures(t *testing.T) {
	v := Variant{Color: "藏青", Size: "120", Listed: 10, Warehouse: 7, Reserved: 3}
	if v.Available() != 4 || v.Drift() != 3 || v.Label() != "藏青 120" {
		t.Fatalf("available %d drift %d label %q", v.Available(), v.Drift(), v.Label())
	}
	v.Reserved = 9
	if v.Available() != 0 {
		t.Fatalf("over-reserved variant shows %d available, want 0", v.Available())
	}
	if (Variant{Size: "90"}).Label() != "90" || (Variant{Color: "红色"}).Label() != "红色" {
		t.Fatal("label with one part")
	}
}

func TestFlags(t *testing.T) {
	if len(Flags) != 6 || FlagRed != 1 || FlagPurple != 5 {
		t.Fatal("flags must number as Taobao's: 0 grey … 5 purple")
	}
	if Flag(6).Valid() || Flag(-1).Valid() || !FlagGrey.Valid() {
		t.Fatal("Valid")
	}
	if FlagYellow.String() != "yellow" || Flag(9).String() != "flag(9)" {
		t.Fatal("String")
	}
}

func TestRatingOf(t *testing.T) {
	want := map[int]Rating{1: RatingBad, 2: RatingBad, 3: RatingNeutral, 4: RatingGood, 5: RatingGood}
	for s, r := range want {
		if RatingOf(s) != r {
			t.Errorf("%d stars = %s, want %s", s, RatingOf(s), r)
		}
	}
}

func TestCaseTransitions(t *testing.T) {
	legal := map[[2]CaseState]bool{}
	for from, tos := range caseMoves {
		for _, to := range tos {
			legal[[2]CaseState{from, to}] = true
		}
	}
	for _, from := range CaseStates {
		for _, to := range CaseStates {
			if CanMoveCase(from, to) != legal[[2]CaseState{from, to}] {
				t.Errorf("CanMoveCase(%s, %s)", from, to)
			}
		}
	}
	if CanMoveCase(CaseRefunded, CaseOpen) || !CanMoveCase(CaseOpen, CaseWaitingWarehouse) || CanMoveCase(CaseOpen, CaseOpen) {
		t.Fatal("case state machine")
	}
}

func TestReviewTransitions(t *testing.T) {
	chain := []ReviewState{ReviewNew, ReviewContacted, ReviewResolving, ReviewResolved, ReviewRevisionRequested, ReviewRevised}
	for i := 0; i+1 < len(chain); i++ {
		if !CanMoveReview(chain[i], chain[i+1]) {
			t.Errorf("%s → %s must be legal", chain[i], chain[i+1])
		}
		if CanMoveReview(chain[i+1], chain[i]) {
			t.Errorf("%s → %s must be illegal", chain[i+1], chain[i])
		}
	}
	if CanMoveReview(ReviewNew, ReviewResolved) || CanMoveReview(ReviewRevised, ReviewNew) || CanMoveReview(ReviewMalicious, ReviewContacted) {
		t.Fatal("skipping steps or leaving a final state must be illegal")
	}
	for _, s := range []ReviewState{ReviewNew, ReviewContacted, ReviewResolving} {
		if !CanMoveReview(s, ReviewUnreachable) || !CanMoveReview(s, ReviewMalicious) {
			t.Errorf("%s must have the side exits", s)
		}
	}
}

func TestComplaintTransitions(t *testing.T) {
	if !CanMoveComplaint(ComplaintOpen, ComplaintInProgress) || !CanMoveComplaint(ComplaintInProgress, ComplaintResolved) ||
		CanMoveComplaint(ComplaintResolved, ComplaintOpen) || CanMoveComplaint(ComplaintInProgress, ComplaintOpen) {
		t.Fatal("complaint state machine")
	}
}

func TestCaseAttention(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, ShopZone)
	c := AfterSalesCase{State: CaseWaitingWarehouse, Kind: CaseExchange, CreatedAt: now.Add(-20 * 24 * time.Hour),
		UpdatedAt: now.Add(-20 * 24 * time.Hour), Due: now.Add(-17 * 24 * time.Hour)}
	if !c.Overdue(now) || !c.Untouched(now) || !c.NeedsAttention(now) {
		t.Fatal("a 20-day-old exchange must be overdue and untouched")
	}
	c.State = CaseResolved
	if c.NeedsAttention(now) {
		t.Fatal("a resolved case needs no attention")
	}
	fresh := AfterSalesCase{State: CaseOpen, CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour), Due: now.Add(48 * time.Hour)}
	if fresh.NeedsAttention(now) {
		t.Fatal("a fresh case needs no attention")
	}
}

func TestReviewUntouched(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, ShopZone)
	r := Review{Stars: 2, State: ReviewNew, At: now.Add(-25 * time.Hour)}
	if !r.Untouched(now, ReviewReminderAfter) {
		t.Fatal("bad review untouched 25 h")
	}
	if (Review{Stars: 5, State: ReviewNew, At: r.At}).Untouched(now, ReviewReminderAfter) {
		t.Fatal("good reviews are never surfaced")
	}
	r.State = ReviewContacted
	if r.Untouched(now, ReviewReminderAfter) {
		t.Fatal("a contacted review is not untouched")
	}
}

func TestGreetingLimit(t *testing.T) {
	four := "欢迎光临小熊童装！\n默认中通快递\n满199减30\n有问题随时问我哦"
	if err := ValidateGreeting(four); err != nil {
		t.Fatalf("4 lines refused: %v", err)
	}
	if err := ValidateGreeting(four + "\n第五行"); err == nil {
		t.Fatal("5 lines accepted")
	}
	if LineCount(four+"\n\n") != 4 || LineCount("") != 0 || LineCount("a\r\nb") != 2 {
		t.Fatal("LineCount")
	}
}

func TestBusinessHoursAndReplies(t *testing.T) {
	a := AutoReplies{Greeting: "您好", OffHours: "客服下班了", Keywords: []KeywordReply{{Keyword: "发货", Text: "48小时内发货"}, {Keyword: "尺码", Text: "看尺码表"}}}
	for d := range a.Hours {
		a.Hours[d] = BusinessHours{Open: 9 * 60, Close: 22 * 60}
	}
	a.Hours[time.Sunday] = BusinessHours{} // closed on Sundays
	wed10 := time.Date(2026, 11, 25, 10, 0, 0, 0, ShopZone)
	wed23 := time.Date(2026, 11, 25, 23, 0, 0, 0, ShopZone)
	sun10 := time.Date(2026, 11, 29, 10, 0, 0, 0, ShopZone)
	if !a.Open(wed10) || a.Open(wed23) || a.Open(sun10) {
		t.Fatal("Open by weekday hours")
	}
	if got := a.Replies(true, "什么时候发货", wed10); strings.Join(got, "|") != "您好|48小时内发货" {
		t.Fatalf("first contact in hours: %q", got)
	}
	if got := a.Replies(false, "在吗", wed23); strings.Join(got, "|") != "客服下班了" {
		t.Fatalf("off hours: %q", got)
	}
	if got := a.Replies(false, "发货和尺码", sun10); strings.Join(got, "|") != "客服下班了|48小时内发货" {
		t.Fatalf("one keyword reply at most: %q", got)
	}
	if got := (AutoReplies{OffHours: "x"}).Replies(false, "hi", wed23); len(got) != 0 {
		t.Fatal("no hours set means no off-hours reply")
	}
}

func TestFill(t *testing.T) {
	got := Fill("{nick}您好，订单{order}已由{courier}发出，单号{tracking}。{staff}为您服务{unknown}", map[string]string{
		"nick": "小鱼儿", "order": "2026112700000001", "courier": "中通", "tracking": "ZT123", "staff": "1001"})
	want := "小鱼儿您好，订单2026112700000001已由中通发出，单号ZT123。1001为您服务{unknown}"
	if got != want {
		t.Fatalf("Fill = %q", got)
	}
	if u := Unfilled(Fill("{nick} {order}", map[string]string{"nick": "a"})); len(u) != 1 || u[0] != "{order}" {
		t.Fatalf("Unfilled = %v", u)
	}
}

func TestStatsAndRuleGroups(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, ShopZone)
	orders := []Order{
		{Total: 10000, Status: StatusCompleted, CreatedAt: now.Add(-40 * 24 * time.Hour)},
		{Total: 30000, Status: StatusShipped, CreatedAt: now.Add(-5 * 24 * time.Hour)},
		{Total: 99999, Status: StatusUnpaid, CreatedAt: now},
		{Total: 50000, Status: StatusClosed, CreatedAt: now},
	}
	s := StatsOf(orders)
	if s.Orders != 2 || s.Spent != 40000 || s.Average() != 20000 || !s.LastOrder.Equal(now.Add(-5*24*time.Hour)) {
		t.Fatalf("stats %+v", s)
	}
	if (CustomerStats{}).Average() != 0 {
		t.Fatal("average of nothing")
	}
	c := Customer{VIP: 3, Tags: []string{"回头客"}}
	cases := []struct {
		rule GroupRule
		want bool
	}{
		{GroupRule{MinSpent: 40000}, true}, {GroupRule{MinSpent: 40001}, false},
		{GroupRule{WithinDays: 7}, true}, {GroupRule{WithinDays: 3}, false},
		{GroupRule{MinVIP: 3}, true}, {GroupRule{MinVIP: 4}, false},
		{GroupRule{Tag: "回头客"}, true}, {GroupRule{Tag: "大码"}, false},
		{GroupRule{MinSpent: 100, WithinDays: 30, MinVIP: 1, Tag: "回头客"}, true},
	}
	for _, tc := range cases {
		if got := tc.rule.Match(c, s, now); got != tc.want {
			t.Errorf("%+v matched %v", tc.rule, got)
		}
	}
	if (GroupRule{WithinDays: 30}).Match(c, CustomerStats{}, now) {
		t.Fatal("a customer who never bought is not a recent buyer")
	}
}

func TestDaysPhonesBirthdays(t *testing.T) {
	a := time.Date(2026, 11, 27, 15, 59, 0, 0, time.UTC) // 23:59 in China
	b := time.Date(2026, 11, 27, 16, 1, 0, 0, time.UTC)  // 00:01 next day in China
	if SameShopDay(a, b) || !SameShopDay(a, a.Add(-time.Hour)) {
		t.Fatal("SameShopDay must count China days")
	}
	for _, p := range []string{"13812345678", "+86 138-1234-5678"} {
		if !ValidPhone(p) {
			t.Errorf("%q is a phone", p)
		}
	}
	for _, p := range []string{"", "abc", "12", "<script>"} {
		if ValidPhone(p) {
			t.Errorf("%q is not a phone", p)
		}
	}
	if !ValidBirthday("03-15") || !ValidBirthday("2019-12-31") || ValidBirthday("13-01") || ValidBirthday("2019/12/31") {
		t.Fatal("ValidBirthday")
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, ShopZone)
	for bd, want := range map[string]int{"11-27": 0, "11-30": 3, "2018-11-26": 364, "01-01": 35} {
		if got, ok := (Customer{Birthday: bd}).BirthdayIn(now); !ok || got != want {
			t.Errorf("birthday %s in %d days, want %d", bd, got, want)
		}
	}
	if _, ok := (Customer{}).BirthdayIn(now); ok {
		t.Fatal("no birthday")
	}
}

func TestWaiting(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, ShopZone)
	c := Conversation{WaitingSince: now.Add(-200 * time.Second)}
	if c.Waiting(now) != 200*time.Second {
		t.Fatal("waiting")
	}
	c.Closed = true
	if c.Waiting(now) != 0 || (Conversation{}).Waiting(now) != 0 {
		t.Fatal("closed or answered conversations do not wait")
	}
}

func TestVIPDiscount(t *testing.T) {
	prev := -1
	for l := 0; l <= 5; l++ {
		if d := VIPDiscount(l); d <= prev && l > 0 {
			t.Fatalf("discount must grow with level: %d → %d", l, d)
		} else {
			prev = d
		}
	}
	if VIPDiscount(0) != 0 {
		t.Fatal("no VIP, no discount")
	}
}
