// Package storeapi is the contract between Kefu Desk and a store server: the JSON request and
// response types of version 1 of the store API, its error codes, and the OpenAPI description
// (openapi.yaml, embedded as Spec) that the server's responses are tested against.
//
// Staff endpoints live under /v1 and need a bearer token from POST /v1/login; each token sees one
// shop only. Customer endpoints live under /c/<shop>/ and need no staff token.
package storeapi

import (
	"fmt"
	"time"

	"kefu/shop"
)

// Version is the API version this package describes.
const Version = 1

// Paths of the store API.
const (
	PathLogin     = "/v1/login"
	PathMutations = "/v1/mutations"
	PathChanges   = "/v1/changes"
	PathHealth    = "/healthz"
	PathMetrics   = "/metrics"
	PathChat      = "/c/" // customer side: /c/{shop}/ (page), /c/{shop}/api/... (JSON)
)

// Limits the server enforces.
const (
	MaxBodyBytes     = 16 << 20 // a request body over this gets 413
	MaxBatch         = 500      // mutations per POST /v1/mutations
	MaxChangesLimit  = 5000     // changes per GET /v1/changes
	DefaultLimit     = 1000
	MaxWaitSeconds   = 60
	TokenLifetime    = 30 * 24 * time.Hour
	CustomerTokenLen = 32
)

// LoginRequest is the body of POST /v1/login.
type LoginRequest struct {
	Shop     string `json:"shop"`
	Staff    string `json:"staff"` // staff number (工号)
	Password string `json:"password"`
}

// LoginResponse answers a successful login.
type LoginResponse struct {
	Token   string     `json:"token"`
	Expires time.Time  `json:"expires"`
	Staff   shop.Staff `json:"staff"`
	Shop    shop.Shop  `json:"shop"`
}

// MutationsRequest is the body of POST /v1/mutations.
type MutationsRequest struct {
	Mutations []shop.Mutation `json:"mutations"`
}

// Status is the outcome of one pushed mutation.
type Status string

// Mutation statuses.
const (
	StatusApplied   Status = "applied"   // applied now
	StatusDuplicate Status = "duplicate" // applied before, with the outcome given again
	StatusConflict  Status = "conflict"  // did not fit the current state; Conflict says why
	StatusRejected  Status = "rejected"  // can never apply; Reason says why
)

// Result is the outcome of one mutation, in the order the mutations were sent.
type Result struct {
	ID        string          `json:"id"`
	Status    Status          `json:"status"`
	Seq       int64           `json:"seq,omitempty"`   // feed sequence of the last record it wrote
	First     Status          `json:"first,omitempty"` // for a duplicate: the first outcome
	Reason    string          `json:"reason,omitempty"`
	Conflict  *shop.Conflict  `json:"conflict,omitempty"`
	Overwrote *shop.Overwrite `json:"overwrote,omitempty"`
}

// MutationsResponse answers POST /v1/mutations.
type MutationsResponse struct {
	Results []Result `json:"results"`
}

// ChangesResponse answers GET /v1/changes?after=SEQ&limit=N&wait=SECONDS. A page ends only
// between the server's commits: one that reaches limit (or about 8 MB) inside a commit carries
// on to that commit's last record, so Changes may hold more than limit records.
type ChangesResponse struct {
	Changes []shop.Record `json:"changes"` // oldest first; each the entity's latest state
	Next    int64         `json:"next"`    // the cursor to ask from next time
	More    bool          `json:"more"`    // more changes are waiting beyond this page
	Total   int64         `json:"total"`   // the shop's newest seq, for progress bars
}

// Error codes of ErrorResponse.
const (
	CodeBadRequest   = "bad_request"
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	CodeNotFound     = "not_found"
	CodeTooLarge     = "too_large"
	CodeRateLimited  = "rate_limited"
	CodeInternal     = "internal"
	CodeUnavailable  = "unavailable"
)

// ErrorResponse is the body of every error answer.
type ErrorResponse struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error makes ErrorResponse an error, so clients can return it as one.
func (e *ErrorResponse) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// HealthResponse answers GET /healthz.
type HealthResponse struct {
	Status  string `json:"status"`  // "ok"
	Seq     int64  `json:"seq"`     // newest sequence number over all shops
	Version string `json:"version"` // kefu-store's release and commit, e.g. "0.2.0 (commit 1fc8fde2a3b4)"
}

// ChatStartRequest is the body of POST /c/{shop}/api/start: a customer opens the chat page.
type ChatStartRequest struct {
	Nick    string `json:"nick"`
	Product string `json:"product,omitempty"` // product id the customer came from (a QR code)
}

// ChatStartResponse gives the customer a private token for their conversation.
type ChatStartResponse struct {
	Conversation string `json:"conversation"`
	Token        string `json:"token"`
	ShopName     string `json:"shop_name"`
}

// ChatSendRequest is the body of POST /c/{shop}/api/messages: a customer's message.
type ChatSendRequest struct {
	Token string `json:"token"`
	ID    string `json:"id,omitempty"` // optional client id: a retried send is not stored twice
	Text  string `json:"text"`
}

// ChatMessage is a message as the customer's page shows it.
type ChatMessage struct {
	ID   string      `json:"id"`
	From shop.Sender `json:"from"`
	Text string      `json:"text"`
	At   time.Time   `json:"at"`
}

// ChatMessagesResponse answers GET /c/{shop}/api/messages?token=&after= and a send.
type ChatMessagesResponse struct {
	Messages []ChatMessage `json:"messages"`
}
