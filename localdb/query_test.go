package localdb

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"kefu/shop"
)

func TestMessagesPagingNewestFirst(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		srv := seeded(t, db)
		var recs []shop.Record
		for i := 0; i < 120; i++ {
			id := fmt.Sprintf("msg%03d", i)
			at := t0.Add(time.Duration(i/2) * time.Second) // pairs share a time: ordered by id
			recs = append(recs, shop.NewRecord(shop.TypeMessage, id, shop.Message{ID: id, ConversationID: "v2", From: shop.FromCustomer, Text: id, At: at}))
			oid := fmt.Sprintf("other%03d", i)
			recs = append(recs, shop.NewRecord(shop.TypeMessage, oid, shop.Message{ID: oid, ConversationID: "v3", Text: oid, At: at}))
		}
		srv.put(recs...)
		pull(t, db, srv)
		page, err := db.Messages("v2", "", 50)
		if err != nil {
			t.Fatal(err)
		}
		want := func(from, to int) []string {
			var out []string
			for i := from; i < to; i++ {
				out = append(out, fmt.Sprintf("msg%03d", i))
			}
			return out
		}
		got := ids(page, func(m shop.Message) string { return m.ID })
		if !eq(got, want(70, 120)) {
			t.Fatalf("newest 50: %v", got)
		}
		page, _ = db.Messages("v2", got[0], 50)
		got = ids(page, func(m shop.Message) string { return m.ID })
		if !eq(got, want(20, 70)) {
			t.Fatalf("second page: %v", got)
		}
		page, _ = db.Messages("v2", got[0], 50)
		if got = ids(page, func(m shop.Message) string { return m.ID }); !eq(got, want(0, 20)) {
			t.Fatalf("last page: %v", got)
		}
		if page, _ = db.Messages("v2", "msg000", 50); len(page) != 0 {
			t.Fatalf("before the first: %d", len(page))
		}
		if _, err := db.Messages("v2", "other005", 50); !errors.Is(err, ErrNotFound) {
			t.Fatalf("before a message of another conversation: %v", err)
		}
		if page, _ = db.Messages("v9", "", 50); len(page) != 0 {
			t.Fatalf("unknown conversation: %d", len(page))
		}
	})
}

func TestSearchOrders(t *testing.T) {
	db := openMem(t)
	seeded(t, db)
	if _, err := db.Apply(mut(t, shop.KindCaseOpen, "k9", "1001", shop.CaseOpenData{OrderID: "2026112704", Kind: shop.CaseReturn, Summary: "退货"})); err != nil {
		t.Fatal(err)
	}
	red := shop.FlagRed
	grey := shop.FlagGrey
	for _, c := range []struct {
		q    string
		f    OrderFilter
		want []string
	}{
		{"", OrderFilter{}, []string{"2026112704", "2026112702", "2026112701", "2026112603"}},
		{"202611270", OrderFilter{}, []string{"2026112704", "2026112702", "2026112701"}},
		{"2026112603", OrderFilter{}, []string{"2026112603"}},
		{"138 0000", OrderFilter{}, []string{"2026112702", "2026112701"}},
		{"13912", OrderFilter{}, []string{"2026112603"}}, // stored as 139-1234-5678
		{"lucy", OrderFilter{}, []string{"2026112603"}},  // nick LucyC and receiver Lucy Chen: once
		{"LUCK", OrderFilter{}, []string{"2026112704"}},
		{"王", OrderFilter{}, []string{"2026112702", "2026112701"}},
		{"赵六", OrderFilter{}, []string{"2026112704"}},
		{"小鱼", OrderFilter{Status: shop.StatusShipped}, []string{"2026112702"}},
		{"小鱼", OrderFilter{Payment: shop.PayCOD}, []string{"2026112702"}},
		{"", OrderFilter{Payment: shop.PayCOD}, []string{"2026112702"}},
		{"", OrderFilter{Flag: &red}, []string{"2026112603"}},
		{"", OrderFilter{Flag: &grey}, []string{"2026112704", "2026112702", "2026112701"}},
		{"", OrderFilter{Status: shop.StatusUnpaid, Flag: &grey}, []string{"2026112701"}},
		{"", OrderFilter{Flag: &grey, Payment: shop.PayOnline}, []string{"2026112704", "2026112701"}},
		{"", OrderFilter{AfterSales: true}, []string{"2026112704", "2026112702", "2026112603"}},
		{"lucy", OrderFilter{AfterSales: true}, []string{"2026112603"}},
		{"", OrderFilter{AfterSales: true, Status: shop.StatusShipped}, []string{"2026112702"}},
		{"nobody", OrderFilter{}, []string{}},
	} {
		os, err := db.SearchOrders(c.q, c.f, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := orderIDs(os); !eq(got, c.want) {
			t.Errorf("SearchOrders(%q, %+v) = %v, want %v", c.q, c.f, got, c.want)
		}
	}
	if os, _ := db.SearchOrders("", OrderFilter{}, 2); !eq(orderIDs(os), []string{"2026112704", "2026112702"}) {
		t.Errorf("limit: %v", orderIDs(os))
	}
	if os, _ := db.OrdersOf("c1", 0); !eq(orderIDs(os), []string{"2026112702", "2026112701"}) {
		t.Errorf("OrdersOf: %v", orderIDs(os))
	}
	if os, _ := db.OrdersOf("c1", 1); !eq(orderIDs(os), []string{"2026112702"}) {
		t.Errorf("OrdersOf limit: %v", orderIDs(os))
	}
	if _, err := db.Order("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing order: %v", err)
	}
}

func TestSearchProductsRanking(t *testing.T) {
	db := openMem(t)
	srv := seeded(t, db)
	search := func(q string) []string {
		ps, err := db.SearchProducts(q, 0)
		if err != nil {
			t.Fatal(err)
		}
		return ids(ps, func(p shop.Product) string { return p.ID })
	}
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"", []string{"p1", "p2", "p3", "p4"}}, // by name: 儿童外套, 外套 加厚, 红色儿童外套, 袜子 (byte order)
		{"kd-1-red-120", []string{"p1"}},
		{"KD-1", []string{"p4", "p1", "p3"}}, // exact barcode, then SKU prefixes by name
		{"kd-10", []string{"p3"}},
		{"6901234567890", []string{"p1"}},
		{"690123", []string{}}, // barcodes match exactly only
		{"外套", []string{"p2", "p1", "p3"}},
		{"儿童外套", []string{"p1", "p3"}},
		{" sock ", []string{"p4"}},
	} {
		if got := search(c.q); !eq(got, c.want) {
			t.Errorf("SearchProducts(%q) = %v, want %v", c.q, got, c.want)
		}
	}
	if ps, _ := db.SearchProducts("外套", 1); len(ps) != 1 || ps[0].ID != "p2" {
		t.Errorf("limit: %v", ps)
	}
	// Product writes update the in-memory index: a rename, a deletion, a local stock change.
	srv.add(shop.TypeProduct, "p2", shop.Product{ID: "p2", Name: "羽绒服", Variants: []shop.Variant{{SKU: "YR-1", Warehouse: 3}}})
	srv.put(shop.Record{Type: shop.TypeProduct, ID: "p4", Deleted: true})
	pull(t, db, srv)
	if got := search("外套"); !eq(got, []string{"p1", "p3"}) {
		t.Errorf("after rename: %v", got)
	}
	if got := search("yr"); !eq(got, []string{"p2"}) {
		t.Errorf("new SKU: %v", got)
	}
	if got := search("sock"); len(got) != 0 {
		t.Errorf("deleted product found: %v", got)
	}
	apply(t, db, mut(t, shop.KindStockAdjust, "p1", "1001", shop.StockAdjust{SKU: "KD-1-RED-120", Delta: -2, Reason: "破损"}))
	if p, _ := db.Product("p1"); p.Variants[0].Warehouse != 3 {
		t.Errorf("stock %d", p.Variants[0].Warehouse)
	}
	if ps, _ := db.SearchProducts("kd-1-red-120", 0); len(ps) != 1 || ps[0].Variants[0].Warehouse != 3 {
		t.Errorf("search after a stock change: %+v", ps)
	}
}

func TestSearchCustomers(t *testing.T) {
	db := openMem(t)
	seeded(t, db)
	search := func(q string, limit int) []string {
		cs, err := db.SearchCustomers(q, limit)
		if err != nil {
			t.Fatal(err)
		}
		return ids(cs, func(c shop.Customer) string { return c.ID })
	}
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"", []string{"c3", "c2", "c1"}}, // by nick, case-insensitive: lucky猫, LucyC, 小鱼儿
		{"luc", []string{"c3", "c2"}},
		{"lucy chen", []string{"c2"}},
		{"LUCKY猫", []string{"c3"}},
		{"王芳", []string{"c1"}},
		{"1380000", []string{"c1"}}, // stored as "138 0000 0001"
		{"13", []string{"c3", "c2", "c1"}},
		{"13712345678", []string{"c3"}},
		{"小鱼", []string{"c1"}},
		{"鱼", []string{}},
	} {
		if got := search(c.q, 0); !eq(got, c.want) {
			t.Errorf("SearchCustomers(%q) = %v, want %v", c.q, got, c.want)
		}
	}
	// Exact matches first.
	apply(t, db, mut(t, shop.KindCustomerAdd, "c4", "1001", shop.Customer{Nick: "Luc"}))
	if got := search("luc", 0); !eq(got, []string{"c4", "c3", "c2"}) {
		t.Errorf("exact first: %v", got)
	}
	if got := search("luc", 1); !eq(got, []string{"c4"}) {
		t.Errorf("limit: %v", got)
	}
	if c, err := db.Customer("c4"); err != nil || c.Nick != "Luc" {
		t.Errorf("Customer: %+v %v", c, err)
	}
}

func TestConversationsOrderingAndFilters(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		seeded(t, db)
		list := func(f ConversationFilter, staff, q string, limit int) []string {
			cs, err := db.Conversations(f, staff, q, limit)
			if err != nil {
				t.Fatal(err)
			}
			return convIDs(cs)
		}
		for _, c := range []struct {
			f     ConversationFilter
			staff string
			q     string
			want  []string
		}{
			// waiting: v2 (20 min), v1 (5 min); open: v4 (10 min ago), v3 (30 min ago); closed: v5.
			{FilterAll, "", "", []string{"v2", "v1", "v4", "v3"}},
			{"", "", "", []string{"v2", "v1", "v4", "v3"}},
			{FilterWaiting, "", "", []string{"v2", "v1"}},
			{FilterMine, "1001", "", []string{"v3", "v5"}},
			{FilterMine, "1002", "", []string{"v2"}},
			{FilterClosed, "", "", []string{"v5"}},
			{FilterAll, "", "luc", []string{"v2", "v4", "v3"}},
			{FilterAll, "", "CKY", []string{"v4", "v3"}}, // substring
			{FilterClosed, "", "lucy", []string{"v5"}},
			{FilterWaiting, "", "鱼", []string{"v1"}},
			{FilterMine, "1001", "lucky", []string{"v3"}},
		} {
			if got := list(c.f, c.staff, c.q, 0); !eq(got, c.want) {
				t.Errorf("Conversations(%q, %q, %q) = %v, want %v", c.f, c.staff, c.q, got, c.want)
			}
		}
		if got := list(FilterAll, "", "", 3); !eq(got, []string{"v2", "v1", "v4"}) {
			t.Errorf("limit: %v", got)
		}
		if got := list(FilterAll, "", "luc", 1); !eq(got, []string{"v2"}) {
			t.Errorf("query limit: %v", got)
		}
		if _, err := db.Conversations("bogus", "", "", 0); err == nil {
			t.Error("unknown filter accepted")
		}
		if n, _ := db.WaitingCount(); n != 2 {
			t.Errorf("waiting %d", n)
		}
		// Answering v2 moves it from the waiting index to the open one, newest first.
		apply(t, db, mut(t, shop.KindChatSend, "v2", "1001", shop.ChatSend{MessageID: "m-x", Text: "在的"}))
		if got := list(FilterAll, "", "", 0); !eq(got, []string{"v1", "v2", "v4", "v3"}) {
			t.Errorf("after reply: %v", got)
		}
		if n, _ := db.WaitingCount(); n != 1 {
			t.Errorf("waiting %d after reply", n)
		}
		apply(t, db, mut(t, shop.KindChatClose, "v1", "1001", nil))
		if got := list(FilterClosed, "", "", 0); !eq(got, []string{"v1", "v5"}) {
			t.Errorf("closed: %v", got)
		}
		if got := list(FilterAll, "", "", 0); !eq(got, []string{"v2", "v4", "v3"}) {
			t.Errorf("after close: %v", got)
		}
		if cs, _ := db.ConversationsOf("c3"); !eq(convIDs(cs), []string{"v4", "v3"}) {
			t.Errorf("ConversationsOf: %v", convIDs(cs))
		}
		checkConsistent(t, db)
	})
}

func TestReviewsCasesPhrasesAndSingletons(t *testing.T) {
	db := openMem(t)
	seeded(t, db)
	reviews := func(f ReviewFilter, limit int) []string {
		rs, err := db.Reviews(f, limit)
		if err != nil {
			t.Fatal(err)
		}
		return ids(rs, func(r shop.Review) string { return r.ID })
	}
	for _, c := range []struct {
		f    ReviewFilter
		want []string
	}{
		{ReviewFilter{}, []string{"r3", "r1", "r2"}}, // unanswered newest first, then answered
		{ReviewFilter{Rating: shop.RatingBad}, []string{"r1"}},
		{ReviewFilter{Rating: shop.RatingGood}, []string{"r2"}},
		{ReviewFilter{ProductID: "p1"}, []string{"r3", "r1"}},
		{ReviewFilter{Query: "lucy"}, []string{"r1", "r2"}},
		{ReviewFilter{Query: "颜色"}, []string{"r1"}},
		{ReviewFilter{Query: "20261127"}, []string{"r3"}},
		{ReviewFilter{State: shop.ReviewContacted}, []string{}},
	} {
		if got := reviews(c.f, 0); !eq(got, c.want) {
			t.Errorf("Reviews(%+v) = %v, want %v", c.f, got, c.want)
		}
	}
	if got := reviews(ReviewFilter{}, 1); !eq(got, []string{"r3"}) {
		t.Errorf("limit: %v", got)
	}
	apply(t, db, mut(t, shop.KindReviewReply, "r1", "1001", shop.ReviewReplyData{Text: "抱歉，已为您补发"}))
	if got := reviews(ReviewFilter{}, 0); !eq(got, []string{"r3", "r2", "r1"}) {
		t.Errorf("after reply: %v", got)
	}

	cases := func(open bool, limit int) []string {
		cs, err := db.Cases(open, limit)
		if err != nil {
			t.Fatal(err)
		}
		return ids(cs, func(c shop.AfterSalesCase) string { return c.ID })
	}
	// k2 is overdue: first. k1 due in 2 days. k3 resolved.
	if got := cases(true, 0); !eq(got, []string{"k2", "k1"}) {
		t.Errorf("open cases %v", got)
	}
	if got := cases(false, 0); !eq(got, []string{"k2", "k1", "k3"}) {
		t.Errorf("all cases %v", got)
	}
	if got := cases(false, 1); !eq(got, []string{"k2"}) {
		t.Errorf("limit: %v", got)
	}
	apply(t, db, mut(t, shop.KindCaseMove, "k2", "1002", shop.Move{From: "waiting_warehouse", To: "resolved"}))
	if got := cases(true, 0); !eq(got, []string{"k1"}) {
		t.Errorf("after resolving k2: %v", got)
	}
	if got := cases(false, 0); !eq(got, []string{"k1", "k2", "k3"}) {
		t.Errorf("all after resolving k2: %v", got)
	}
	if cs, _ := db.CasesOf("2026112702"); !eq(ids(cs, func(c shop.AfterSalesCase) string { return c.ID }), []string{"k2", "k3"}) {
		t.Errorf("CasesOf: %v", cs)
	}

	ps, err := db.Phrases("1002")
	if err != nil || !eq(ids(ps, func(p shop.QuickPhrase) string { return p.ID }), []string{"ph2", "ph1", "ph3"}) {
		t.Errorf("phrases(1002) %v %v", ps, err)
	}
	if ps, _ := db.Phrases("1001"); len(ps) != 2 {
		t.Errorf("phrases(1001) %d", len(ps))
	}
	s, err := db.Shop()
	if err != nil || s.Name != "小熊童装" {
		t.Errorf("shop %+v %v", s, err)
	}
	st, err := db.StaffList()
	if err != nil || len(st) != 2 || st[0].Number != "1001" {
		t.Errorf("staff %+v %v", st, err)
	}
	a, ok, err := db.AutoReplies()
	if err != nil || !ok || a.Greeting != "欢迎光临" {
		t.Errorf("auto replies %+v %v %v", a, ok, err)
	}
	empty := openMem(t)
	if _, err := empty.Shop(); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty shop: %v", err)
	}
	if _, ok, err := empty.AutoReplies(); ok || err != nil {
		t.Errorf("empty auto replies: %v %v", ok, err)
	}
	checkConsistent(t, db)
}
