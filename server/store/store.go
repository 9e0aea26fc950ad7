// Package store is the storage contract of the store server (package server): the Store
// interface every storage engine implements, the values it keeps, the declared secondary
// indexes, and the sentinel errors it returns.
//
// Badger (package kefu/server/badgerstore) is the embedded default; a PostgreSQL store can
// follow. Every engine must pass the conformance suite in kefu/server/storetest, which checks
// each contract documented here. The contracts are written so that a SQL engine can keep them
// with portable SQL: every table keyed by shop first, a per-shop counter row for the feed's
// sequence numbers, one row per index entry.
//
// Everything a shop owns lives under that shop: records, the change feed, credentials, results
// of applied mutations, customer chat tokens and index entries. Only staff tokens are global (a
// token is looked up before its shop is known); each names its one shop.
//
// A SQL engine can keep the contracts this way: Update begins a transaction and locks the
// shop's counter row (created on first use) with SELECT … FOR UPDATE, which serialises the
// shop's Updates and numbers its Puts without gaps; View runs a read-only REPEATABLE READ
// transaction and reads the counter row first, so that its snapshot is taken when View begins;
// records carry their seq in a column with a unique (shop, seq) index, which is the compacted
// feed; each declared index is a table (shop, fields…, id).
//
// Contexts: every Store method takes a context first and fails with its error (errors.Is
// context.Canceled or context.DeadlineExceeded) once it is done. The methods of a ReadTx or Tx
// run under the context given to the View or Update that made it; when that context ends, they
// fail with its error and the Update rolls back.
package store

import (
	"context"
	"errors"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

// Store is the server's storage. It is safe for concurrent use by several goroutines.
type Store interface {
	// Declare registers the secondary indexes the caller will use, before any other call
	// names them. Declaring an index again with the same fields is allowed and does nothing;
	// declaring a known name with other fields fails with ErrInvalid. An engine may create
	// what it needs to hold the index (a table, a key range); entries written before are
	// kept. Indexes are not maintained by the store: the caller adds and removes entries
	// (Tx.AddEntry, Tx.RemoveEntry) in the transactions that change the records.
	Declare(ctx context.Context, indexes ...Index) error

	// Update runs fn in one read-write transaction over shop shopID's data: everything fn
	// writes commits together, or nothing does when fn returns an error, ctx ends or the
	// commit fails; the error is then returned (fn's error unchanged, so errors.Is works).
	// Updates of one shop run one at a time: a second Update of the shop waits for the first
	// to end (or for its ctx to end), so the order of their commits is the order of the
	// shop's feed. Updates of different shops may run in parallel. A committed Update is
	// visible to every later View, but may not be durable before Sync. The Tx must not be
	// used after fn returns.
	Update(ctx context.Context, shopID string, fn func(Tx) error) error
	// View runs fn on a consistent read-only snapshot of shop shopID's data: fn sees every
	// Update committed before View began and none committed after. fn's error is returned
	// unchanged. The ReadTx must not be used after fn returns.
	View(ctx context.Context, shopID string, fn func(ReadTx) error) error
	// Shops lists the ids of the shops that have an account (Tx.PutAccount), in id order
	// (bytewise).
	Shops(ctx context.Context) ([]string, error)

	// PutToken stores a staff token under hash, the SHA-256 of the token in lower-case hex,
	// replacing one stored under the same hash. The write is durable after Sync.
	PutToken(ctx context.Context, hash string, t TokenInfo) error
	// Token finds a staff token by its hash. A missing token is not an error: found is false.
	// Token does not look at the expiry: the caller does.
	Token(ctx context.Context, hash string) (t TokenInfo, found bool, err error)
	// DeleteToken removes a staff token; a missing one is not an error.
	DeleteToken(ctx context.Context, hash string) error
	// DeleteExpiredTokens removes every staff token whose Expires is not after now, and
	// returns how many it removed.
	DeleteExpiredTokens(ctx context.Context, now time.Time) (int, error)

	// Sync makes every committed Update and token write durable: it survives a crash or a
	// power cut once Sync returns nil.
	Sync(ctx context.Context) error
	// Close makes the committed writes durable and releases the store. Every call after it
	// fails with ErrClosed; a second Close returns nil. It must not be called while other
	// calls run.
	Close() error
}

// ReadTx reads one shop's data, inside a View or an Update.
type ReadTx interface {
	// Account is the shop's account: found is false when the shop does not exist (yet).
	Account() (a ShopAccount, found bool, err error)
	// Seq is the shop's newest feed sequence number: 0 before its first Put, then the number
	// the last Put returned (inside an Update, including the Update's own Puts).
	Seq() (int64, error)
	// Record is the stored state of entity (t, id), including a deleted one (a tombstone:
	// Deleted set, no Data). found is false for an entity never stored.
	Record(t shop.EntityType, id string) (rec shop.Record, found bool, err error)
	// Feed calls fn with the latest state of every entity whose seq is greater than after,
	// in seq order (oldest first), until fn returns false or the feed ends. Each entity
	// appears once, at its latest state (the feed is compacted); tombstones appear too.
	// Each record's Commit is the first seq of the Update that wrote that state (its own seq
	// when it was the Update's first Put), so that a page of the feed can end between commits
	// (SameCommit); the records of an Update commit together, so its seqs are consecutive.
	// fn must not write.
	Feed(after int64, fn func(shop.Record) bool) error
	// Credential is a staff member's password hash; found is false when there is none.
	Credential(staff string) (c Credential, found bool, err error)
	// Result is the outcome recorded for a mutation id (Tx.PutResult); found is false when
	// the id was never recorded.
	Result(mutationID string) (r storeapi.Result, found bool, err error)
	// Results calls fn with every result the shop holds, in mutation id order (bytewise),
	// until fn returns false. fn must not write.
	Results(fn func(storeapi.Result) bool) error
	// ChatToken finds a customer chat token by its hash; found is false when there is none.
	// It does not look at the expiry.
	ChatToken(hash string) (t ChatToken, found bool, err error)
	// Scan calls fn with the entries of a declared index that match q, ordered by key (field
	// by field: strings bytewise, integers numerically) and then by id, until fn returns
	// false. An undeclared index fails with ErrUnknownIndex, a query that does not fit the
	// index's fields with ErrInvalid. fn must not write.
	Scan(index string, q Query, fn func(Entry) bool) error
}

// Tx reads and writes one shop's data inside an Update. Reads see the Update's own writes.
type Tx interface {
	ReadTx
	// PutAccount creates or replaces the shop's account.
	PutAccount(a ShopAccount) error
	// PutCredential creates or replaces a staff member's password hash (c.Staff).
	PutCredential(c Credential) error
	// Put stores rec as entity (rec.Type, rec.ID)'s new state under the shop's next sequence
	// number, which it returns: one more than Seq, so a shop's sequence numbers are 1, 2, 3…
	// without gaps in commit order. rec.Seq is ignored; a deleted rec is stored as a
	// tombstone without data. The entity's previous feed entry goes: the feed holds each
	// entity once, at its latest state. A type that is not known (shop.EntityType.Known) or
	// an id that is empty or holds a NUL byte fails with ErrInvalid.
	Put(rec shop.Record) (int64, error)
	// PutResult records the outcome of a mutation under r.ID, replacing one recorded before.
	PutResult(r storeapi.Result) error
	// PutChatToken stores a customer chat token under its hash, replacing one stored before.
	PutChatToken(hash string, t ChatToken) error
	// AddEntry adds an entry to a declared index; adding one that exists does nothing. An
	// undeclared index fails with ErrUnknownIndex, an entry that does not fit the index's
	// fields (see Entry) with ErrInvalid.
	AddEntry(index string, e Entry) error
	// RemoveEntry removes an entry from a declared index; a missing entry is not an error.
	RemoveEntry(index string, e Entry) error
}

// Collector is implemented by stores that reclaim space in the background (Badger's value
// log). The server calls RunGC now and then; it returns when there is nothing left to reclaim.
type Collector interface {
	RunGC(ctx context.Context) error
}

// ShopAccount says a shop exists on this server.
type ShopAccount struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Demo    bool      `json:"demo,omitempty"` // seeded as the demo shop (package demostore)
}

// Credential is a staff member's password, as a bcrypt hash.
type Credential struct {
	Staff   string    `json:"staff"`
	Hash    []byte    `json:"hash"`
	Changed time.Time `json:"changed"`
}

// TokenInfo is what a staff token grants: one staff member of one shop, until it expires.
// Tokens are stored by their SHA-256 only.
type TokenInfo struct {
	Shop    string    `json:"shop"`
	Staff   string    `json:"staff"`
	Issued  time.Time `json:"issued"`
	Expires time.Time `json:"expires"`
}

// ChatToken binds a customer's chat token to one conversation of the shop.
type ChatToken struct {
	Conversation string    `json:"conversation"`
	Customer     string    `json:"customer"`
	FromSeq      int64     `json:"from_seq"` // the customer sees the messages written after this seq
	Expires      time.Time `json:"expires"`
}

// Errors of every Store.
var (
	// ErrClosed is returned by a store used after Close.
	ErrClosed = errors.New("store is closed")
	// ErrUnknownIndex is returned for an index that was not declared.
	ErrUnknownIndex = errors.New("index is not declared")
	// ErrInvalid is returned for a value the store cannot keep: a record of an unknown type
	// or with an invalid id, an index entry or query that does not fit the index, an index
	// declared twice with different fields.
	ErrInvalid = errors.New("invalid value for the store")
)
