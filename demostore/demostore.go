// Package demostore seeds the demo shop into a store server: shop "demo" from the demo
// generator (kefu/shop/demoshop) with its two staff logins. kefu-store --demo and the desk's
// --demo use it; package server itself knows no demo data.
//
//	srv, _ := server.New(server.Params{DataDir: dir})
//	if err := demostore.Seed(ctx, srv); err != nil { ... } // shop "demo", staff 1001 and 1002, password "demo"
package demostore

import (
	"context"

	"kefu/server"
	"kefu/server/store"
	"kefu/shop"
	"kefu/shop/demoshop"
)

// The demo shop's logins.
const (
	Shop     = demoshop.ShopID // "demo"
	Password = "demo"
	Owner    = "1001" // 王晓, owner
	Agent    = "1002" // 李娜, agent
)

// GeneratorSeed is the seed of the demo shop's generator: every server makes the same shop.
const GeneratorSeed = 1

// Seed creates the demo shop (demoshop.Small) on srv with its staff logins Owner and Agent,
// both with Password, unless the shop exists already. Dates are relative to the server's
// clock at the time of seeding.
func Seed(ctx context.Context, srv *server.Server) error {
	return SeedSize(ctx, srv, demoshop.Small)
}

// SeedSize is Seed with a shop of the given size (demoshop.Large for benchmarks: about 1.3
// million records, written in chunked transactions).
func SeedSize(ctx context.Context, srv *server.Server, size demoshop.Size) error {
	now := srv.Now()
	gen := func(emit func(shop.Record) error) error {
		return demoshop.Generate(size, GeneratorSeed, now, emit)
	}
	_, err := srv.ImportShop(ctx, server.ShopAccount{ID: Shop, Demo: true}, gen, []server.StaffLogin{
		{Staff: shop.Staff{Number: Owner, Name: "王晓", Role: shop.RoleOwner}, Password: Password},
		{Staff: shop.Staff{Number: Agent, Name: "李娜", Role: shop.RoleAgent}, Password: Password},
	})
	return err
}

// ExampleOrders are the order numbers used by the examples of storeapi/openapi.yaml: orders
// of a demo shop seeded on 2026-11-23 (China time). The last eight digits of a demo order
// number do not depend on the day of seeding; the first eight are the day it was placed.
var ExampleOrders = []string{
	"2026112356894305", // paid (order.note)
	"2026112329641946", // paid, address unchecked (order.address)
	"2026112311399023", // cash on delivery, not called (order.cod_call)
	"2026112347884869", // unpaid, customer in chat c000147 (order.remind)
	"2026112202389587", // unpaid (order.close)
	"2026112293156100", // shipped, customer in chat c000284 (order.ship_notice, case.open)
}

// OrderNumbers maps each of ExampleOrders to the number of the same order in srv's demo shop
// (they differ when the shop was seeded on another day than the examples'). It is empty when
// there is no demo shop.
func OrderNumbers(ctx context.Context, srv *server.Server) (map[string]string, error) {
	out := map[string]string{}
	err := srv.Store().View(ctx, Shop, func(tx store.ReadTx) error {
		acct, found, err := tx.Account()
		if err != nil || !found {
			return err
		}
		seeded := acct.Created.In(shop.ShopZone)
		for _, ex := range ExampleOrders {
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
