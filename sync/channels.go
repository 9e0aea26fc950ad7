package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

// The shop's API channels and website widget are managed on the server directly, not through
// the outbox: creating a channel answers its secret, which the server shows once, and a
// webhook address is checked where it will be called from. Each call is one request with the
// engine's token, without retries (the staff member sees the failure and tries again); the
// channels and deliveries themselves come back to the local store through the feed.

// Errors of the channel calls, besides ErrSignedOut, ErrUnreachable and *ServerError.
var (
	// ErrForbidden: the server refused the call for the signed-in staff member's role (only
	// an owner or a manager manages channels and the widget).
	ErrForbidden = errors.New("only the shop's owner or a manager may do this")
	// ErrPrivateWebhook: the server refused a webhook URL that resolves to a loopback,
	// private or link-local address (kefu-store --allow-private-webhooks allows them).
	ErrPrivateWebhook = errors.New("the webhook's address is loopback, private or link-local")
)

// manageTimeout bounds one channel or widget call.
const manageTimeout = 15 * time.Second

// ChannelChange is a change to a channel: the fields given change.
type ChannelChange struct {
	Name    *string
	Webhook *string
	Paused  *bool
}

// Channels lists the shop's API channels (without their secrets).
func (e *Engine) Channels(ctx context.Context) ([]shop.Channel, error) {
	var resp storeapi.ChannelsResponse
	err := e.manage(ctx, http.MethodGet, storeapi.PathChannels, nil, nil, &resp)
	return resp.Channels, err
}

// CreateChannel creates a channel and returns it with its secret, which the server shows
// this once.
func (e *Engine) CreateChannel(ctx context.Context, name, webhook string) (shop.Channel, string, error) {
	var resp storeapi.ChannelCreated
	err := e.manage(ctx, http.MethodPost, storeapi.PathChannels, nil, storeapi.ChannelRequest{Name: name, Webhook: webhook}, &resp)
	return resp.Channel, resp.Secret, err
}

// UpdateChannel renames, re-points, pauses or resumes a channel and returns it as changed.
func (e *Engine) UpdateChannel(ctx context.Context, id string, c ChannelChange) (shop.Channel, error) {
	var ch shop.Channel
	err := e.manage(ctx, http.MethodPatch, channelPath(id), nil,
		storeapi.ChannelUpdate{Name: c.Name, Webhook: c.Webhook, Paused: c.Paused}, &ch)
	return ch, err
}

// DeleteChannel deletes a channel; its conversations stay.
func (e *Engine) DeleteChannel(ctx context.Context, id string) error {
	return e.manage(ctx, http.MethodDelete, channelPath(id), nil, nil, nil)
}

// RotateChannelSecret gives a channel a new secret, returned this once; the old one stops
// working at once.
func (e *Engine) RotateChannelSecret(ctx context.Context, id string) (string, error) {
	var resp storeapi.ChannelSecret
	err := e.manage(ctx, http.MethodPost, channelPath(id)+"/secret", nil, nil, &resp)
	return resp.Secret, err
}

// ChannelDeliveries lists up to limit of a channel's deliveries, newest first.
func (e *Engine) ChannelDeliveries(ctx context.Context, id string, limit int) ([]shop.Delivery, error) {
	q := url.Values{}
	q.Set("limit", strconv.Itoa(limit))
	var resp storeapi.DeliveriesResponse
	err := e.manage(ctx, http.MethodGet, channelPath(id)+"/deliveries", q, nil, &resp)
	return resp.Deliveries, err
}

// WidgetSites are the sites allowed to embed the shop's chat widget.
func (e *Engine) WidgetSites(ctx context.Context) ([]string, error) {
	var resp storeapi.WidgetSettings
	err := e.manage(ctx, http.MethodGet, storeapi.PathWidget, nil, nil, &resp)
	return resp.Sites, err
}

// SetWidgetSites sets the sites allowed to embed the chat widget and returns them as the
// server keeps them (origins, without repeats).
func (e *Engine) SetWidgetSites(ctx context.Context, sites []string) ([]string, error) {
	if sites == nil {
		sites = []string{}
	}
	var resp storeapi.WidgetSettings
	err := e.manage(ctx, http.MethodPut, storeapi.PathWidget, nil, storeapi.WidgetSettings{Sites: sites}, &resp)
	return resp.Sites, err
}

// WidgetSnippet is the line a shop pastes into its site's pages to show the chat widget of
// shop shopID served by the store server at baseURL.
func WidgetSnippet(baseURL, shopID string) string {
	return `<script src="` + strings.TrimRight(baseURL, "/") + "/c/" + url.PathEscape(shopID) + `/widget.js" async></script>`
}

func channelPath(id string) string { return storeapi.PathChannels + "/" + url.PathEscape(id) }

// manage makes one channel or widget call with the engine's token and sorts its failure:
// ErrSignedOut (no token, or the server refused it), ErrForbidden, ErrPrivateWebhook, or the
// client's errors (ErrUnreachable, *ServerError…).
func (e *Engine) manage(ctx context.Context, method, path string, q url.Values, body, out any) error {
	token, ok := e.currentToken()
	if !ok {
		return fmt.Errorf("%s %s: %w", method, path, ErrSignedOut)
	}
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, manageTimeout)
	defer cancel()
	err := e.api.api.call(ctx, method, path, token, q, raw, "", out)
	var se *ServerError
	if errors.As(err, &se) {
		switch {
		case se.StatusCode == http.StatusUnauthorized:
			return fmt.Errorf("%w: %w", ErrSignedOut, err)
		case se.StatusCode == http.StatusForbidden:
			return fmt.Errorf("%w: %w", ErrForbidden, err)
		case se.StatusCode == http.StatusBadRequest && strings.Contains(se.Message, "allow-private-webhooks"):
			return fmt.Errorf("%w: %w", ErrPrivateWebhook, err)
		}
	}
	return err
}
