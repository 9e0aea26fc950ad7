package desk

import (
	"context"
	"testing"
	"time"

	"kefu/localdb"
	"kefu/shop"
)

// TestProductNamesAndUntouchedReviews: the desk's product names are the products' ids and names
// by name; its untouched count is the number of reviews the rule finds untouched at each time;
// a work list order's row is the row a lookup gives.
func TestProductNamesAndUntouchedReviews(t *testing.T) {
	recs := shopRecords()
	recs = append(recs,
		shop.NewRecord(shop.TypeProduct, "p2", shop.Product{ID: "p2", Name: "外套"}),
		shop.NewRecord(shop.TypeProduct, "p1", shop.Product{ID: "p1", Name: "儿童外套"}),
		shop.NewRecord(shop.TypeReview, "r1", shop.Review{ID: "r1", ProductID: "p1", Stars: 1, Text: "差", At: t0.Add(-30 * time.Hour), State: shop.ReviewNew}),
		shop.NewRecord(shop.TypeReview, "r2", shop.Review{ID: "r2", ProductID: "p1", Stars: 3, Text: "一般", At: t0.Add(-2 * time.Hour), State: shop.ReviewNew}),
		shop.NewRecord(shop.TypeReview, "r3", shop.Review{ID: "r3", ProductID: "p2", Stars: 5, Text: "很好", At: t0.Add(-50 * time.Hour), State: shop.ReviewNew}),
		shop.NewRecord(shop.TypeReview, "r4", shop.Review{ID: "r4", ProductID: "p2", Stars: 2, Text: "慢", At: t0.Add(-50 * time.Hour), State: shop.ReviewContacted}),
	)
	d, _, _ := newDesk(t, localdb.Options{}, recs...)
	ctx := context.Background()
	names, err := d.ProductNames(ctx)
	if err != nil || len(names) != 2 || names[0] != (ProductName{ID: "p1", Name: "儿童外套"}) || names[1] != (ProductName{ID: "p2", Name: "外套"}) {
		t.Fatalf("ProductNames = %+v, %v; want p1 儿童外套 then p2 外套", names, err)
	}
	for _, c := range []struct {
		now  time.Time
		want int
	}{{t0, 1}, {t0.Add(-6 * time.Hour), 0}, {t0.Add(-6*time.Hour + time.Nanosecond), 1}, {t0.Add(22 * time.Hour), 1}, {t0.Add(23 * time.Hour), 2}} {
		n, err := d.UntouchedReviews(ctx, c.now, shop.ReviewReminderAfter)
		if err != nil || n != c.want {
			t.Errorf("UntouchedReviews at %v = %d, %v; want %d", c.now, n, err, c.want)
		}
		rs, _ := d.ReviewReminders(ctx, c.now, shop.ReviewReminderAfter, 0)
		if len(rs) != c.want {
			t.Errorf("ReviewReminders at %v lists %d; the count is %d", c.now, len(rs), c.want)
		}
	}
	ord, err := d.Order(ctx, "2026112701")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := d.SearchOrderRows(ctx, "2026112701", OrderFilter{}, 0)
	if err != nil || len(rows) != 1 {
		t.Fatalf("SearchOrderRows = %+v, %v", rows, err)
	}
	if w := RowOf(ord); w.ID != rows[0].ID || w.Total != rows[0].Total || w.Status != rows[0].Status || !w.CreatedAt.Equal(rows[0].CreatedAt) {
		t.Errorf("RowOf gives %+v; the lookup %+v", w, rows[0])
	}
}
