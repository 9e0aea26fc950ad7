package server

import (
	"errors"
	"fmt"
)

// Errors of the server's calls. A refusal (a request the server will not do, with a message
// a person can read) wraps one of them; the HTTP layer answers each with its status.
var (
	ErrClosed      = errors.New("server is closed")
	ErrShopExists  = errors.New("shop exists already")
	ErrNoShop      = errors.New("shop does not exist")
	ErrInvalidShop = errors.New("shop id must be 1 to 32 lowercase letters, digits, '-' or '_'")
	ErrInvalid     = errors.New("invalid value")
	// ErrUnauthorized refuses a login, a staff token or a customer's chat token.
	ErrUnauthorized = errors.New("not authorised")
	// ErrConflict refuses a write that clashes with what is stored.
	ErrConflict = errors.New("conflict with the stored data")
	// ErrForbidden refuses a staff member whose role may not do the call.
	ErrForbidden = errors.New("not allowed for this staff member")
	// ErrNotFound refuses a call about something that does not exist (a channel).
	ErrNotFound = errors.New("not found")
	// ErrRateLimited refuses a call made too often (an API channel's inbound messages).
	ErrRateLimited = errors.New("rate limited")
)

// refusal is a request the server refuses: kind is one of the errors above, msg what the
// person reads.
type refusal struct {
	kind error
	msg  string
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.kind }

// refuse makes a refusal of kind with a message.
func refuse(kind error, format string, args ...any) error {
	return &refusal{kind: kind, msg: fmt.Sprintf(format, args...)}
}
