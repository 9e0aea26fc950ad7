// Package server is Kefu's reference store server: the HTTP handlers of the store API
// (storeapi), its storage, and the customer chat page.
//
// Staff desks log in (POST /v1/login), push their outbox (POST /v1/mutations) and long-poll the
// change feed (GET /v1/changes). Every mutation is decided by shop.Decide, the same rules the
// desk runs, and applied exactly once: its records and its result are written in one storage
// transaction, and a mutation id seen before gets its first result again as a duplicate.
// Customers chat through a small page at /c/{shop}/, whose JSON endpoints record their messages
// and the shop's auto-replies (greeting, off-hours, keywords) with no desk online.
//
// Storage sits behind the Store interface; OpenBadger is the embedded default. The server runs
// in its own process (cmd/kefu-store) or inside another program:
//
//	srv, err := server.New(server.Params{DataDir: dir})
//	if err != nil { ... }
//	defer srv.Close()
//	if err := srv.SeedDemo(ctx); err != nil { ... } // shop "demo", staff 1001 and 1002, password "demo"
//	ln, _ := net.Listen("tcp", "127.0.0.1:0")
//	go http.Serve(ln, srv.Handler())
package server
