// Package server is Kefu's reference store server: the store API (storeapi) over HTTP, its
// core, and the customer chat page. Its storage sits behind store.Store (package
// kefu/server/store); Badger (kefu/server/badgerstore) is the embedded default.
//
// Staff desks log in (POST /v1/login), push their outbox (POST /v1/mutations) and long-poll the
// change feed (GET /v1/changes). Every mutation is decided by shop.Decide, the same rules the
// desk runs, and applied exactly once: its records and its result are written in one storage
// transaction, and a mutation id seen before gets its first result again as a duplicate.
// Customers chat through a small page at /c/{shop}/, whose JSON endpoints record their messages
// and the shop's auto-replies (greeting, off-hours, keywords) with no desk online. Shops put
// that page on their own sites with the widget (/c/{shop}/widget.js), and bridge other
// platforms in through API channels: signed inbound messages (POST /v1/channels/{id}/messages)
// and every staff message and auto-reply POSTed, signed, to the channel's webhook.
//
// The package's parts, by file:
//
//   - HTTP: routes.go (routes and middleware: request accounting, metrics, 405, panics),
//     json.go (strict JSON decoding, encoding, mapping the core's errors to statuses),
//     handlers.go (login, mutations, changes, health), handlers_chat.go (the customer chat's
//     endpoints), chat_page.go (the page), limiter.go (rate limits), metrics.go,
//     channel_handlers.go (API channels), widget.go (the widget and its sites).
//   - Core: apply.go (the write path: one transaction, durable, then announced; mutations
//     exactly once), feed.go (the change feed, its page cache and the long-poll wake-ups),
//     indexes.go (the indexes the core declares and keeps up to date), chat.go (the customer
//     chat), login.go (passwords and staff tokens), admin.go (shops, staff, imports),
//     channel.go (API channels: management, signed inbound, outside ids), webhook.go (the
//     stored outbound queue, its deliverer and the webhook request guards), import.go
//     (applying a platform's export file, read by package kefu/imports) with its endpoint in
//     import_http.go.
//   - Lifecycle: server.go (New, Close, the background sweeps), errors.go.
//
// Handlers call the core only; the core reaches storage only through store.Store. Demo data
// lives in package kefu/demostore, not here. The server runs in its own process
// (cmd/kefu-store) or inside another program:
//
//	srv, err := server.New(server.Params{DataDir: dir})
//	if err != nil { ... }
//	defer srv.Close()
//	if err := demostore.Seed(ctx, srv); err != nil { ... } // optional: the demo shop
//	ln, _ := net.Listen("tcp", "127.0.0.1:0")
//	go http.Serve(ln, srv.Handler())
package server
