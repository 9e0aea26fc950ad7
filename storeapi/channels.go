package storeapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"kefu/shop"
)

// API channels: an outside system (a bridge to a platform's chat, WeChat, a shop's site) posts
// its customers' messages to POST /v1/channels/{id}/messages, signed with the channel's
// secret, and receives every staff message and auto-reply of its conversations at the
// channel's webhook, signed the same way. Owners and managers manage channels with a staff
// token; the website widget's settings live at PathWidget.

// Paths of the channel and widget endpoints ({id} is a channel id).
const (
	PathChannels = "/v1/channels" // GET list, POST create; /{id}: PATCH, DELETE; /{id}/secret: POST rotate; /{id}/deliveries: GET; /{id}/messages: POST inbound (signed)
	PathWidget   = "/v1/widget"   // GET, PUT the sites that may embed the chat widget
)

// The headers of a signed request, inbound and outbound.
const (
	HeaderTimestamp = "X-Kefu-Timestamp" // Unix seconds
	HeaderSignature = "X-Kefu-Signature" // "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body)
)

// SignatureTolerance is how far a signed request's timestamp may be from the receiver's clock.
const SignatureTolerance = 5 * time.Minute

// MaxInboundBytes caps the body of an inbound message.
const MaxInboundBytes = 64 << 10

// Errors of VerifySignature.
var (
	ErrBadSignature   = errors.New("the signature does not match the body")
	ErrStaleSignature = errors.New("the signature's timestamp is missing or more than 5 minutes off")
)

// Sign is the X-Kefu-Signature of body sent at Unix time ts with secret.
func Sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks a signed request's headers against body and the secret at time now:
// ErrStaleSignature for a timestamp that is missing, malformed or more than
// SignatureTolerance off, ErrBadSignature for a signature that does not match. The
// comparison is constant-time.
func VerifySignature(secret, timestamp, signature string, body []byte, now time.Time) error {
	ts, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return ErrStaleSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > SignatureTolerance || d < -SignatureTolerance {
		return ErrStaleSignature
	}
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(signature), "sha256=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil {
		return ErrBadSignature
	}
	want, _ := hex.DecodeString(strings.TrimPrefix(Sign(secret, ts, body), "sha256="))
	if !hmac.Equal(got, want) {
		return ErrBadSignature
	}
	return nil
}

// ChannelRequest is the body of POST /v1/channels.
type ChannelRequest struct {
	Name    string `json:"name"`
	Webhook string `json:"webhook"`
}

// ChannelCreated answers POST /v1/channels: the only time the secret is shown.
type ChannelCreated struct {
	ID      string       `json:"id"`
	Secret  string       `json:"secret"`
	Channel shop.Channel `json:"channel"`
}

// ChannelUpdate is the body of PATCH /v1/channels/{id}: the fields given change.
type ChannelUpdate struct {
	Name    *string `json:"name,omitempty"`
	Webhook *string `json:"webhook,omitempty"`
	Paused  *bool   `json:"paused,omitempty"`
}

// ChannelSecret answers POST /v1/channels/{id}/secret: the new secret, shown once; the old
// one stops working at once.
type ChannelSecret struct {
	Secret string `json:"secret"`
}

// ChannelsResponse answers GET /v1/channels.
type ChannelsResponse struct {
	Channels []shop.Channel `json:"channels"`
}

// DeliveriesResponse answers GET /v1/channels/{id}/deliveries: the channel's deliveries,
// newest first.
type DeliveriesResponse struct {
	Deliveries []shop.Delivery `json:"deliveries"`
}

// InboundMessage is the body of POST /v1/channels/{id}/messages: a customer's message from
// the outside system. Ids are the outside system's.
type InboundMessage struct {
	ID           string          `json:"id"`
	Conversation string          `json:"conversation"`
	Customer     InboundCustomer `json:"customer"`
	Text         string          `json:"text"`
	At           *time.Time      `json:"at,omitempty"` // when the customer wrote it; now when absent
}

// InboundCustomer is the customer of an inbound message.
type InboundCustomer struct {
	ID    string `json:"id"`
	Nick  string `json:"nick"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// InboundResult answers an inbound message (the same answer for a repeat): the Kefu ids it
// was stored under.
type InboundResult struct {
	Message      string `json:"message"`
	Conversation string `json:"conversation"`
	Customer     string `json:"customer"`
}

// EventMessageCreated is the event of a webhook call for a new staff or auto-reply message.
const EventMessageCreated = "message.created"

// WebhookEvent is the body POSTed to a channel's webhook. Conversation and Customer are the
// outside system's ids; ID is Kefu's message id, the same on every retry.
type WebhookEvent struct {
	Event        string      `json:"event"`
	ID           string      `json:"id"`
	Channel      string      `json:"channel"`
	Conversation string      `json:"conversation"`
	Customer     string      `json:"customer"`
	Text         string      `json:"text"`
	From         shop.Sender `json:"from"`            // staff or auto
	Staff        string      `json:"staff,omitempty"` // staff number of a staff message
	At           time.Time   `json:"at"`
}

// WidgetSettings is the body and answer of PUT and GET /v1/widget: the origins whose pages
// may embed the shop's chat widget (scheme://host[:port]).
type WidgetSettings struct {
	Sites []string `json:"sites"`
}
