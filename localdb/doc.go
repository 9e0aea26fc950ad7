// Package localdb is the desk's local store, on Badger v4: a cache of the shop's entities with
// the secondary indexes the screens query, the outbox of staff actions (mutations) the server
// has not acknowledged yet, and the change-feed cursor. The cache can always be rebuilt from the
// server (ResetCache); the outbox cannot, so every write that touches it is synced to disk.
//
// # Keyspace
//
// Keys are short ASCII prefixes; <seq> is an 8-byte big-endian integer, <t> an 8-byte
// big-endian time (Unix nanoseconds with the sign bit flipped, zero time first), and \0 the NUL
// byte that ends an index value (values never contain one).
//
//	m/schema                     schema version (decimal); a newer one refuses to open
//	m/cursor                     change-feed cursor (8 bytes)
//	m/outseq                     last outbox sequence used (8 bytes, written in the same
//	                             transaction as the outbox entry; not a Badger Sequence)
//	m/resetting                  set while ResetCache runs; Open finishes an interrupted reset
//	m/u/<key>                    Meta/SetMeta settings
//	e/<type>/<id>                the local view of an entity: flags, version, JSON. Flags: pending
//	                             (a mutation in the outbox wrote it) and absent (a tombstone kept
//	                             while a pending mutation deleted it). Version is the server's
//	                             feed seq of the state the desk last had from the server.
//	s/<type>/<id>                for pending entities only: the last server-confirmed state
//	                             (same encoding; absent when the server has none)
//	o/<seq>                      outbox entry: the mutation and the entities its local effect wrote
//	u/<mutation id>              the outbox seq of a mutation (for Acknowledge)
//	p/<type>/<id>/<seq>          pending marker: outbox mutation seq wrote this entity
//	x/<mutation id>              a Problem: a pushed mutation the server did not apply
//	i/<index>/[<value>\0][<t>]<id>   secondary indexes, declared by the entity files (below):
//	                             orders by number, nick, phone, receiver (prefix),
//	                             customer, created, status, flag, payment and counted
//	                             total (the customer figures); customers by nick, name,
//	                             phone; conversations by nick, customer, waiting-since
//	                             (waiting ones), last-at (open / closed), assignee;
//	                             messages by conversation+at; notes by order+at; cases by
//	                             order, open, finished; reviews by at (unanswered /
//	                             answered) and customer+at; evidence by review;
//	                             complaints by customer+created.
//	m/ixspend                    set once the counted-total index covers every stored order
//
// # Indexes
//
// Each entity type with indexes has an index spec (index.go): the fields of its state the
// indexes read, and for each index its name, layout (value, time, both or neither before the id)
// and a function giving an entity's key in it, if it belongs there at all. Every write of e/
// goes through one function (wtx.setEntity) that asks the spec for the keys of the old and the
// new state, deletes the stale ones and adds the new ones (a message whose At changes moves in
// the conversation's index); the migration backfill (DB.backfill) writes the keys of added
// indexes from the same spec. Adding an index is one spec.index call in the entity's file plus
// the query that reads it; changing the keys an existing index stores needs a new
// SchemaVersion and a step in migrate.go. Products are searched in memory (name, pinyin, SKU,
// barcode): the index is built at Open and updated after every committed product write.
//
// # Files
//
// Storage mechanics: db.go (Open, Close, lifetime, settings, subscribers), keys.go (the
// keyspace and the stored state encoding), index.go (index specs and keys), read.go (snapshot
// reads: scans, typed loads), write.go (the write transaction and setEntity), outbox.go
// (Apply, the outbox, Acknowledge), problems.go, feed.go (ApplyChanges and the cursor),
// rebase.go, reset.go (ResetCache), migrate.go (schema steps and the backfill), records.go
// (EachRecord), disk*.go (free space, damaged files), bulk.go (the first full sync's bulk
// import: the feed staged in sorted runs, bulkrun.go, and loaded with Badger's StreamWriter;
// Open restores a store whose load was cut short) and mapped_*.go (the tables it writes stop
// counting as resident memory).
//
// One file per entity, with its index spec and its reads: orders.go (with the order work
// lists), notes.go, conversations.go, messages.go, customers.go (with groups, the customer
// figures, and the complaints-by-date and staff-messages-per-day reads the campaign code
// beside them uses), cases.go, reviews.go (with evidence), complaints.go, products.go (its
// search index in productsearch.go) and settings.go (shop, staff, quick phrases,
// auto-replies: read whole, without indexes).
//
// # Pending mutations and the rebase rule
//
// Apply runs shop.Decide on the local view and, in one transaction, writes the resulting
// records to e/ as pending, saving first the entity's previous state to s/ if it was not pending
// yet, adds the p/ markers and appends the mutation to the outbox.
//
// ApplyChanges stores server records. An entity without pending mutations takes the server's
// record (version = its feed seq). A pending entity keeps its local view; the record goes to
// s/ and the entity is rebased: take the pending mutations that wrote it and, transitively,
// every entity those mutations wrote; reset all those entities to their s/ state; replay the
// mutations in outbox order with shop.Decide on that view and write their records as pending.
// A replay that now conflicts or is rejected (for example because the note it creates already
// came from the server) leaves the mutation in the outbox, for the server to decide, but shows
// no effect. So the server is authoritative and pending local edits are rebased, never
// dropped: a note typed offline stays visible on top of whatever the server says about its
// order until the server answers.
//
// Acknowledge removes answered mutations from the outbox and their markers. Applied ones leave
// their local effect in e/ until the feed brings the server's state; entities left without
// markers stop being pending (their s/ copy goes). Duplicate ones (applied by the server
// earlier, the answer lost) may already be in the server copies the feed brought, so the
// entities they wrote are rebased without them: replaying a stock adjustment on top of a
// server state that already holds it would count it twice, for good. Conflict and rejected
// ones store the conflict's current records as server state, rebase the entities the mutation
// wrote (so its effect disappears and the remaining pending mutations are replayed) and keep a
// Problem for the UI. The outbox only shrinks through Acknowledge.
//
// All writers are serialised by a mutex; reads are Badger snapshots and run concurrently.
// Subscribers are notified after each commit, outside any transaction.
package localdb
