package localdb

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"kefu/shop"
)

// kpiShop is a shop with chats spread over several weeks, orders, notes, calls and an outage.
func kpiShop() *server {
	s := demo()
	start := time.Date(2026, 10, 20, 9, 0, 0, 0, shop.ShopZone)
	for i := range 60 {
		conv := fmt.Sprintf("kv%02d", i%12)
		cust := fmt.Sprintf("kc%02d", i%12)
		t := start.Add(time.Duration(i) * 13 * time.Hour)
		s.add(shop.TypeMessage, fmt.Sprintf("km%03da", i), shop.Message{ID: fmt.Sprintf("km%03da", i), ConversationID: conv, From: shop.FromCustomer, Text: "在吗", At: t})
		if i%4 != 3 {
			staff := []string{"1001", "1002"}[i%2]
			s.add(shop.TypeMessage, fmt.Sprintf("km%03db", i), shop.Message{ID: fmt.Sprintf("km%03db", i), ConversationID: conv, From: shop.FromStaff, Staff: staff, Text: "您好", At: t.Add(time.Duration(i%7+1) * time.Minute)})
		}
		if i%5 == 0 {
			s.add(shop.TypeOrder, fmt.Sprintf("ko%03d", i), shop.Order{ID: fmt.Sprintf("ko%03d", i), CustomerID: cust, CreatedAt: t.Add(3 * time.Hour), Status: shop.StatusPaid})
		}
		s.add(shop.TypeCall, fmt.Sprintf("kk%03d", i), shop.CallLog{ID: fmt.Sprintf("kk%03d", i), Staff: "1002", At: t})
		s.add(shop.TypeNote, fmt.Sprintf("kn%03d", i), shop.OrderNote{ID: fmt.Sprintf("kn%03d", i), OrderID: "2026112701", Staff: "1001", Text: "备注", At: t})
	}
	for i := range 12 {
		last := start.Add(time.Duration(48+i) * 13 * time.Hour)
		s.add(shop.TypeConversation, fmt.Sprintf("kv%02d", i), shop.Conversation{ID: fmt.Sprintf("kv%02d", i), CustomerID: fmt.Sprintf("kc%02d", i),
			LastAt: last, Closed: i%3 == 0, Assignee: "1002"})
	}
	// A conversation whose chat ended long before: its messages are outside every window asked.
	s.add(shop.TypeConversation, "old", shop.Conversation{ID: "old", CustomerID: "c1", LastAt: start.AddDate(0, -3, 0), Closed: true})
	s.add(shop.TypeMessage, "old1", shop.Message{ID: "old1", ConversationID: "old", From: shop.FromCustomer, At: start.AddDate(0, -3, 0)})
	s.add(shop.TypeOutage, "ko", shop.Outage{ID: "ko", Staff: "1002", From: start.Add(13 * time.Hour), To: start.Add(13*time.Hour + 3*time.Minute)})
	return s
}

// The desk's KPIs, read through its time indexes, are those of every record fed whole: the
// desk and the server (which feeds its whole store) agree.
func TestKPIReportMatchesEveryRecordFed(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		s := kpiShop()
		pull(t, db, s)
		for _, c := range []struct {
			from   time.Time
			period shop.Period
		}{
			{time.Date(2026, 10, 1, 0, 0, 0, 0, shop.ShopZone), shop.PeriodMonth},
			{time.Date(2026, 10, 26, 0, 0, 0, 0, shop.ShopZone), shop.PeriodWeek},
			{time.Date(2026, 10, 21, 0, 0, 0, 0, shop.ShopZone), shop.PeriodDay},
		} {
			to := c.period.Next(c.from)
			if c.period == shop.PeriodMonth {
				to = c.from.AddDate(0, 2, 0)
			}
			got, err := db.KPIReport(c.from, to, c.period)
			if err != nil {
				t.Fatal(err)
			}
			acc := shop.NewKPIAccumulator(shop.KPIOptions{From: c.from, To: to, Period: c.period})
			for _, r := range s.since(0) {
				if err := acc.AddRecord(r); err != nil {
					t.Fatal(err)
				}
			}
			want := acc.Report()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s from %s: desk report\n%+v\nwant\n%+v", c.period, c.from.Format(time.DateOnly), got.Total, want.Total)
			}
			if got.Total.Team.Responses == 0 || got.Total.Team.Calls == 0 {
				t.Errorf("%s from %s: the fixture gives no figures: %+v", c.period, c.from.Format(time.DateOnly), got.Total.Team)
			}
		}
	})
}

func TestClosedRankingAndWeights(t *testing.T) {
	db := openMem(t)
	s := demo()
	if w, err := db.TeamWeights(); err != nil || w != shop.DefaultRankingWeights {
		t.Fatalf("weights before any are set: %+v %v", w, err)
	}
	s.add(shop.TypeTeam, shop.TeamID, shop.TeamSettings{ID: shop.TeamID, Weights: &shop.RankingWeights{Response: 9}})
	s.add(shop.TypeRanking, "2026-10", shop.Ranking{ID: "2026-10", ClosedBy: "1001", Rows: []shop.RankRow{{Staff: "1002", Score: 80}}})
	pull(t, db, s)
	if w, _ := db.TeamWeights(); w.Response != 9 {
		t.Errorf("weights %+v", w)
	}
	r, ok, err := db.ClosedRanking("2026-10")
	if err != nil || !ok || !r.Closed() || r.Rows[0].Score != 80 {
		t.Errorf("closed ranking %+v %v %v", r, ok, err)
	}
	if _, ok, _ := db.ClosedRanking("2026-09"); ok {
		t.Error("an open month reads as closed")
	}
}

// The KPI scan's readers of stored JSON find the fields even when a text holds the markers,
// and fall back to a full decode for data they do not expect.
func TestKPIFieldReaders(t *testing.T) {
	at := time.Date(2026, 11, 3, 9, 30, 15, 123456789, shop.ShopZone)
	tricky := `客户说 "from":"staff" 和 "at":"2020-01-01T00:00:00Z" "system":true \"`
	for _, m := range []shop.Message{
		{ID: "m1", ConversationID: "v1", From: shop.FromCustomer, Text: tricky, At: at},
		{ID: "m2", ConversationID: "v1", From: shop.FromStaff, Staff: "1002", Text: tricky, Card: &shop.Card{Kind: "order", ID: "o1", Title: "订单"}, At: at},
	} {
		got, err := decodeMsgKPI(shop.NewRecord(shop.TypeMessage, m.ID, m).Data)
		if err != nil || got.From != m.From || got.Staff != m.Staff || !got.At.Equal(m.At) {
			t.Errorf("message %s read as %+v, %v", m.ID, got, err)
		}
	}
	for _, n := range []shop.OrderNote{
		{ID: "n1", OrderID: "o1", Text: tricky, Staff: "1001", At: at},
		{ID: "n2", OrderID: "o1", Text: tricky, Staff: "1001", At: at, System: true},
	} {
		got, err := decodeNoteKPI(shop.NewRecord(shop.TypeNote, n.ID, n).Data)
		if err != nil || got.Staff != n.Staff || got.System != n.System || !got.At.Equal(n.At) {
			t.Errorf("note %s read as %+v, %v", n.ID, got, err)
		}
	}
	c, err := decodeConvKPI(shop.NewRecord(shop.TypeConversation, "v1", shop.Conversation{ID: "v1", CustomerID: "c1", Nick: `"assignee":"x"`, LastText: tricky}).Data)
	if err != nil || c.CustomerID != "c1" || c.Assignee != "" {
		t.Errorf("conversation read as %+v, %v", c, err)
	}
	o, err := decodeOrderKPI(shop.NewRecord(shop.TypeOrder, "o1", shop.Order{ID: "o1", CustomerID: "c2", BuyerMessage: tricky, CreatedAt: at}).Data)
	if err != nil || o.CustomerID != "c2" || !o.CreatedAt.Equal(at) {
		t.Errorf("order read as %+v, %v", o, err)
	}
	// Escaped values and odd data go the long way.
	m, err := decodeMsgKPI([]byte(`{"from":"cust\"omer","at":"2026-11-03T09:30:15+08:00"}`))
	if err != nil || m.From != `cust"omer` {
		t.Errorf("escaped sender read as %+v, %v", m, err)
	}
}
