package screens

import (
	"strings"
	"testing"
	"time"

	"kefu/desk"
	"kefu/shop"
)

// The bulk composer and the progress line say who was skipped for a placeholder with no value.
func TestSkippedTextNamesUnfilledPlaceholders(t *testing.T) {
	newFixture(t) // the Chinese translations
	got := skippedText(desk.BulkPlan{OptedOut: 1, Unfilled: 3, Placeholders: []string{"{order}"}})
	if !strings.Contains(got, "3 位的消息会留下未填写的 {order}") || !strings.Contains(got, "1 位已退订") {
		t.Fatalf("skipped: %q", got)
	}
	text := shipSkippedText([]desk.ShipSkip{{Order: "2026120300000031", Nick: "小鱼儿", Placeholders: []string{"{tracking}"}}})
	if !strings.Contains(text, "2026120300000031") || !strings.Contains(text, "小鱼儿") || !strings.Contains(text, "{tracking} 没有内容") {
		t.Fatalf("ship notices skipped: %q", text)
	}
}

// The order's "send shipment notice" for an order shipped without a tracking number does not
// send "{tracking}" to the customer.
func TestManualShipNoticeNeedsTracking(t *testing.T) {
	f := newFixture(t)
	conv := f.openCustomer("c-manual", shop.Order{ID: "2026120300000041", Status: shop.StatusShipped, Courier: "中通",
		ShippedAt: testNow.Add(-time.Minute)})
	var ord shop.Order
	if _, ok, err := f.db.Get(shop.TypeOrder, "2026120300000041", &ord); err != nil || !ok {
		t.Fatalf("order: %v %v", ok, err)
	}
	before := len(f.outbox())
	f.desk.orders.shipNotice(ord, false)
	f.drain()
	for _, m := range f.outbox()[before:] {
		if m.Kind == shop.KindOrderShipNote {
			t.Fatalf("a shipment notice without a tracking number went to %s: %s", conv.ID, m.Data)
		}
	}
	// With the tracking number it goes.
	ord.Tracking = "ZT42"
	f.desk.orders.shipNotice(ord, false)
	f.drain()
	sent := 0
	for _, m := range f.outbox()[before:] {
		if m.Kind == shop.KindOrderShipNote {
			sent++
			if shop.HasUnfilled(string(m.Data)) {
				t.Errorf("the notice holds a placeholder: %s", m.Data)
			}
		}
	}
	if sent != 1 {
		t.Fatalf("%d notices sent with the tracking number; want 1", sent)
	}
}
