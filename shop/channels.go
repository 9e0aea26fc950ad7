package shop

import (
	"net/mail"
	"strings"
	"time"
)

// API channels bring customers in from outside systems (a platform's chat, WeChat, a shop's
// own site): the outside system posts its customers' messages to the store server, and the
// server posts every staff message and auto-reply of the channel's conversations to the
// channel's webhook. The channel (TypeChannel) and each outbound message's delivery
// (TypeDelivery) are records of the feed; the channel's secret never is.

// Channel is an API channel of the shop. Its secret is kept by the server only.
type Channel struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Webhook   string    `json:"webhook"` // the URL staff messages are POSTed to
	Paused    bool      `json:"paused,omitempty"`
	CreatedBy string    `json:"created_by,omitempty"` // staff number
	CreatedAt time.Time `json:"created_at"`
	// SecretAt is when the current secret was made (at creation or the last rotation).
	SecretAt time.Time `json:"secret_at"`
}

// ExternalID is an entity's id in the outside system behind an API channel.
type ExternalID struct {
	Channel string `json:"channel"`
	ID      string `json:"id"`
}

// DeliveryState is where a message's delivery to its channel's webhook stands.
type DeliveryState string

// The delivery states: pending until the first attempt, retrying after a failed one,
// delivered once the webhook answered 2xx, failed when it had not in DeliveryRetryFor (or the
// channel was deleted).
const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryRetrying  DeliveryState = "retrying"
	DeliveryDelivered DeliveryState = "delivered"
	DeliveryFailed    DeliveryState = "failed"
)

// DeliveryRetryFor is how long a message's delivery is retried before it fails.
const DeliveryRetryFor = 24 * time.Hour

// Delivery is the delivery of one staff or auto-reply message to its conversation's channel
// webhook; its id is the message's id.
type Delivery struct {
	ID             string        `json:"id"` // the message id
	Channel        string        `json:"channel"`
	ConversationID string        `json:"conversation_id"`
	State          DeliveryState `json:"state"`
	Attempts       int           `json:"attempts,omitempty"`
	CreatedAt      time.Time     `json:"created_at"`
	// RetryingSince is when the first attempt failed; zero before.
	RetryingSince time.Time `json:"retrying_since,omitzero"`
	NextAt        time.Time `json:"next_at,omitzero"`     // when the next attempt is due
	LastError     string    `json:"last_error,omitempty"` // why the last attempt failed, for a person
	DeliveredAt   time.Time `json:"delivered_at,omitzero"`
}

// ValidEmail reports whether s is a plain e-mail address (local@domain, no name part).
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>\t\r\n") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".")
}
