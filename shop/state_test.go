package shop

import (
	"testing"
	"time"
)

// TestReviewNeedsFollowUp: neutral and bad reviews need follow-up, good ones only when their
// text complains; an untouched good review that does not complain raises no reminder.
func TestReviewNeedsFollowUp(t *testing.T) {
	now := time.Date(2026, 5, 15, 12, 0, 0, 0, ShopZone)
	cases := []struct {
		stars int
		text  string
		want  bool
	}{
		{5, "颜色和图片一样，做工精细，没有线头，好评！", false},
		{5, "宝宝穿上很可爱，洗了一次没有掉色", false},
		{5, "不起球，也不掉色，就是发货太慢", true},
		{4, "Lovely, fits well", false},
		{5, "衣服不错，就是发货太慢了", true},
		{5, "Nice but the zip arrived broken", true},
		{3, "中规中矩", true},
		{1, "发错颜色了", true},
	}
	for _, c := range cases {
		rv := Review{Stars: c.stars, Text: c.text, State: ReviewNew, At: now.Add(-48 * time.Hour)}
		if got := rv.NeedsFollowUp(); got != c.want {
			t.Errorf("%d★ %q: needs follow-up %v; want %v", c.stars, c.text, got, c.want)
		}
		if got := rv.Untouched(now, ReviewReminderAfter); got != c.want {
			t.Errorf("%d★ %q untouched two days: reminder %v; want %v", c.stars, c.text, got, c.want)
		}
	}
}

// TestOrderPaymentStates: a cash-on-delivery order is pending until its call confirmed it; the
// address check is due once an online order is paid or a COD order confirmed, before shipping.
func TestOrderPaymentStates(t *testing.T) {
	cases := []struct {
		name        string
		o           Order
		pending, ad bool
	}{
		{"unpaid online", Order{Status: StatusUnpaid, Payment: PayOnline}, false, false},
		{"paid online", Order{Status: StatusPaid, Payment: PayOnline}, false, true},
		{"shipped online", Order{Status: StatusShipped, Payment: PayOnline}, false, false},
		{"COD, no call", Order{Status: StatusPaid, Payment: PayCOD}, true, false},
		{"COD, no answer", Order{Status: StatusPaid, Payment: PayCOD, CODCall: CallNoAnswer}, true, false},
		{"COD, confirmed", Order{Status: StatusPaid, Payment: PayCOD, CODCall: CallConfirmed}, false, true},
		{"COD, shipped", Order{Status: StatusShipped, Payment: PayCOD, CODCall: CallConfirmed}, false, false},
	}
	for _, c := range cases {
		if got := CODPending(c.o); got != c.pending {
			t.Errorf("%s: COD pending %v; want %v", c.name, got, c.pending)
		}
		if got := AddressCheckDue(c.o); got != c.ad {
			t.Errorf("%s: address check due %v; want %v", c.name, got, c.ad)
		}
	}
}
