package server

import (
	"context"

	"kefu/shop"
	"kefu/shop/demoshop"
)

// The demo shop's logins.
const (
	DemoShop     = demoshop.ShopID // "demo"
	DemoPassword = "demo"
	DemoOwner    = "1001" // 王晓, owner
	DemoAgent    = "1002" // 李娜, agent
)

// DemoSeed is the seed of the demo shop's generator: every server makes the same shop.
const DemoSeed = 1

// SeedDemo creates the demo shop (demoshop.Small) with its staff logins 1001 (owner) and 1002
// (agent), both with password "demo", unless the shop exists already. Dates are relative to
// the server's clock at the time of seeding.
func (s *Server) SeedDemo(ctx context.Context) error {
	return s.SeedDemoSize(ctx, demoshop.Small)
}

// SeedDemoSize is SeedDemo with a shop of the given size (demoshop.Large for benchmarks: about
// 1.3 million records, written in chunked transactions).
func (s *Server) SeedDemoSize(ctx context.Context, size demoshop.Size) error {
	now := s.now()
	gen := func(emit func(shop.Record) error) error {
		return demoshop.Generate(size, DemoSeed, now, emit)
	}
	_, err := s.ImportShop(ctx, ShopAccount{ID: DemoShop, Demo: true}, gen, []StaffLogin{
		{Staff: shop.Staff{Number: DemoOwner, Name: "王晓", Role: shop.RoleOwner}, Password: DemoPassword},
		{Staff: shop.Staff{Number: DemoAgent, Name: "李娜", Role: shop.RoleAgent}, Password: DemoPassword},
	})
	return err
}

// demoExampleOrders are the order numbers used by the examples of storeapi/openapi.yaml: orders
// of a demo shop seeded on 2026-11-23 (China time). The last eight digits of a demo order
// number do not depend on the day of seeding; the first eight are the day it was placed.
var demoExampleOrders = []string{
	"2026112356894305", // paid (order.note)
	"2026112329641946", // paid, address unchecked (order.address)
	"2026112311399023", // cash on delivery, not called (order.cod_call)
	"2026112347884869", // unpaid, customer in chat c000147 (order.remind)
	"2026112202389587", // unpaid (order.close)
	"2026112293156100", // shipped, customer in chat c000284 (order.ship_notice, case.open)
}

// DemoOrderNumbers maps each order number used by the examples of storeapi/openapi.yaml to the
// number of the same order in this server's demo shop (they differ when the shop was seeded on
// another day than the examples'). It is empty when there is no demo shop.
func (s *Server) DemoOrderNumbers() (map[string]string, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.inflight.Done()
	out := map[string]string{}
	err := s.store.View(DemoShop, func(tx ReadTx) error {
		acct, found, err := tx.Account()
		if err != nil || !found {
			return err
		}
		seeded := acct.Created.In(shop.ShopZone)
		for _, ex := range demoExampleOrders {
			for back := -1; back <= 7; back++ {
				id := seeded.AddDate(0, 0, -back).Format("20060102") + ex[8:]
				if _, ok, err := tx.Record(shop.TypeOrder, id); err != nil {
					return err
				} else if ok {
					out[ex] = id
					break
				}
			}
		}
		return nil
	})
	return out, err
}
