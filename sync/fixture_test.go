package sync

import (
	"context"
	"fmt"
	"time"

	"kefu/server"
	"kefu/shop"
)

// testShop is the shop the test server holds; its staff 1001 and 1002 sign in with testPassword.
const (
	testShop     = "sync-test"
	testPassword = "password"
)

// Sizes of the test shop.
const (
	fixtureProducts = 20
	fixtureOrders   = 200
	fixtureConvs    = 10
	fixtureCases    = 3
	fixtureReviews  = 5
)

// seedShop creates the test shop through the server's import: staff, auto-reply rules,
// products with stock, customers, orders, conversations with messages, after-sales cases and
// new reviews. IDs are stable, so a restarted server finds the same shop.
func seedShop(srv *server.Server) error {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, shop.ShopZone)
	staff := []server.StaffLogin{
		{Staff: shop.Staff{Number: "1001", Name: "小李", Role: shop.RoleOwner}, Password: testPassword},
		{Staff: shop.Staff{Number: "1002", Name: "小张", Role: shop.RoleAgent}, Password: testPassword},
	}
	gen := func(emit func(shop.Record) error) error {
		put := func(t shop.EntityType, id string, v any) error { return emit(shop.NewRecord(t, id, v)) }
		if err := put(shop.TypeShop, testShop, shop.Shop{ID: testShop, Name: "童装小店", Platform: "taobao", Courier: "中通"}); err != nil {
			return err
		}
		for _, l := range staff {
			if err := put(shop.TypeStaff, l.Staff.Number, l.Staff); err != nil {
				return err
			}
		}
		var hours [7]shop.BusinessHours
		for i := range hours {
			hours[i] = shop.BusinessHours{Open: 0, Close: 24 * 60}
		}
		if err := put(shop.TypeAutoReply, shop.AutoRepliesID, shop.AutoReplies{ID: shop.AutoRepliesID,
			Greeting: "您好，欢迎光临童装小店！\n默认中通快递", Hours: hours}); err != nil {
			return err
		}
		for i := range fixtureProducts {
			id := fmt.Sprintf("p%03d", i)
			p := shop.Product{ID: id, Name: fmt.Sprintf("纯棉T恤 %d", i), Category: "上衣", Variants: []shop.Variant{
				{SKU: id + "-110", Size: "110", Color: "藏青", Price: 5900, Listed: 60, Warehouse: 50},
				{SKU: id + "-120", Size: "120", Color: "藏青", Price: 5900, Listed: 40, Warehouse: 40, Reserved: 2},
			}}
			if err := put(shop.TypeProduct, id, p); err != nil {
				return err
			}
		}
		for i := range fixtureOrders {
			cid := fmt.Sprintf("c%03d", i%50)
			if i < 50 {
				if err := put(shop.TypeCustomer, cid, shop.Customer{ID: cid, Nick: fmt.Sprintf("买家%03d", i), Phone: fmt.Sprintf("138%08d", i), CreatedAt: at}); err != nil {
					return err
				}
			}
			pid := fmt.Sprintf("p%03d", i%fixtureProducts)
			o := shop.Order{ID: fmt.Sprintf("2026112000%04d", i), CustomerID: cid, Nick: fmt.Sprintf("买家%03d", i%50),
				Items: []shop.OrderItem{{ProductID: pid, SKU: pid + "-110", Name: "纯棉T恤", Variant: "藏青 110", Qty: 1, Price: 5900}},
				Total: 5900, Status: shop.StatusPaid, Payment: shop.PayOnline, CreatedAt: at.Add(time.Duration(i) * time.Minute),
				PaidAt:  at.Add(time.Duration(i)*time.Minute + time.Second),
				Address: shop.Address{Receiver: "王女士", Phone: "13800000000", Province: "浙江省", City: "杭州市", Detail: "文一路 1 号"}}
			if err := put(shop.TypeOrder, o.ID, o); err != nil {
				return err
			}
		}
		for i := range fixtureConvs {
			id := fmt.Sprintf("conv%02d", i)
			cid := fmt.Sprintf("c%03d", i)
			m := shop.Message{ID: id + "-m0", ConversationID: id, From: shop.FromCustomer, Text: "在吗？", At: at.Add(time.Duration(i) * time.Hour)}
			if err := put(shop.TypeMessage, m.ID, m); err != nil {
				return err
			}
			c := shop.Conversation{ID: id, CustomerID: cid, Nick: fmt.Sprintf("买家%03d", i), LastText: m.Text, LastAt: m.At,
				WaitingSince: m.At, Unread: 1, Messages: 1}
			if err := put(shop.TypeConversation, id, c); err != nil {
				return err
			}
		}
		for i := range fixtureCases {
			id := fmt.Sprintf("case%d", i)
			c := shop.AfterSalesCase{ID: id, OrderID: fmt.Sprintf("2026112000%04d", i), CustomerID: fmt.Sprintf("c%03d", i),
				Kind: shop.CaseExchange, State: shop.CaseOpen, Owner: "1001", Due: at.Add(72 * time.Hour), Summary: "换大一码",
				CreatedAt: at, UpdatedAt: at, Steps: []shop.Step{{To: string(shop.CaseOpen), Staff: "1001", At: at}}}
			if err := put(shop.TypeCase, id, c); err != nil {
				return err
			}
		}
		for i := range fixtureReviews {
			id := fmt.Sprintf("r%d", i)
			r := shop.Review{ID: id, OrderID: fmt.Sprintf("2026112000%04d", 10+i), CustomerID: fmt.Sprintf("c%03d", 10+i),
				Nick: fmt.Sprintf("买家%03d", 10+i), ProductID: "p000", Stars: 2, Text: "有点小", At: at, State: shop.ReviewNew}
			if err := put(shop.TypeReview, id, r); err != nil {
				return err
			}
		}
		return nil
	}
	_, err := srv.ImportShop(context.Background(), server.ShopAccount{ID: testShop, Created: at}, gen, staff)
	return err
}
