package server

import (
	"errors"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

// Store is the server's storage. Handlers reach data only through it, so that storage engines
// can be swapped: Badger (OpenBadger) is the embedded default, a PostgreSQL store can follow.
//
// Everything a shop owns lives under that shop: records, the change feed, credentials, results
// of applied mutations, customer chat tokens and indexes. Only staff tokens are global (a token
// is looked up before its shop is known); each names its one shop.
type Store interface {
	// Update runs fn in one read-write transaction over shop shopID's data: everything fn
	// writes commits together, or nothing does when fn or the commit fails. Updates of one shop
	// run one at a time, so the order of their commits is the order of the shop's feed.
	Update(shopID string, fn func(Tx) error) error
	// View runs fn on a consistent read-only snapshot of shop shopID's data.
	View(shopID string, fn func(ReadTx) error) error
	// Shops lists the ids of the shops that have an account, in id order.
	Shops() ([]string, error)

	// PutToken stores a staff token under the SHA-256 of the token (hex).
	PutToken(hash string, t TokenInfo) error
	// Token finds a staff token by its hash; a missing token is not an error.
	Token(hash string) (TokenInfo, bool, error)
	// DeleteToken removes a staff token.
	DeleteToken(hash string) error
	// DeleteExpiredTokens removes every staff token that expired before now and counts them.
	DeleteExpiredTokens(now time.Time) (int, error)

	// Sync makes every committed transaction durable (on disk, surviving a power cut).
	Sync() error
	// Close syncs and closes the store. It must not be called while other calls run.
	Close() error
}

// ReadTx reads one shop's data.
type ReadTx interface {
	// Account is the shop's account: whether the shop exists.
	Account() (ShopAccount, bool, error)
	// Seq is the shop's newest feed sequence number (0 before its first record).
	Seq() (int64, error)
	// Record is the stored state of entity (t, id), including deleted ones (tombstones).
	Record(t shop.EntityType, id string) (shop.Record, bool, error)
	// Feed calls fn with the latest state of every entity whose seq is greater than after,
	// oldest first, until fn returns false. fn must not write.
	Feed(after int64, fn func(shop.Record) bool) error
	// Credential is a staff member's password hash.
	Credential(staff string) (Credential, bool, error)
	// Result is the outcome recorded for a mutation id the first time it was pushed.
	Result(mutationID string) (storeapi.Result, bool, error)
	// ChatToken finds a customer chat token by its hash.
	ChatToken(hash string) (ChatToken, bool, error)
	// Index calls fn, in key order, with every index key that starts with prefix and is not
	// less than prefix+from, until fn returns false. fn must not write.
	Index(prefix, from string, fn func(key string) bool) error
}

// Tx reads and writes one shop's data inside an Update.
type Tx interface {
	ReadTx
	// PutAccount creates or replaces the shop's account.
	PutAccount(a ShopAccount) error
	// PutCredential creates or replaces a staff member's password hash.
	PutCredential(c Credential) error
	// Put stores rec as entity (rec.Type, rec.ID)'s new state under the shop's next sequence
	// number, which it returns (rec.Seq is ignored). The entity's previous feed entry goes:
	// the feed holds each entity once, at its latest state.
	Put(rec shop.Record) (int64, error)
	// PutResult records the first outcome of a mutation, by its id.
	PutResult(r storeapi.Result) error
	// PutChatToken stores a customer chat token under its hash.
	PutChatToken(hash string, t ChatToken) error
	// SetIndex adds an index key (indexes hold keys only).
	SetIndex(key string) error
	// DeleteIndex removes an index key; a missing key is not an error.
	DeleteIndex(key string) error
}

// ShopAccount says a shop exists on this server.
type ShopAccount struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Demo    bool      `json:"demo,omitempty"` // seeded by SeedDemo
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

// ErrStoreClosed is returned by a store used after Close.
var ErrStoreClosed = errors.New("store is closed")
