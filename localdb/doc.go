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
//	i/<index>/[<value>\0][<t>]<id>   secondary indexes (index.go lists them): orders by
//	                             number, nick, phone, receiver (prefix), customer+created,
//	                             created, status, flag, payment; customers by nick, name, phone;
//	                             conversations by nick, customer, waiting-since (waiting ones),
//	                             last-at (open / closed), assignee; messages by conversation+at;
//	                             notes by order+at; cases by order, open, finished; reviews by
//	                             at (unanswered / answered); evidence by review; complaints by
//	                             customer+created.
//
// Every write of e/ goes through one function that computes the index keys of the old and the
// new state, deletes the stale ones and adds the new ones (a message whose At changes moves in
// the conversation's index). Products are searched in memory (name, pinyin, SKU, barcode): the
// index is built at Open and updated after every committed product write.
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
