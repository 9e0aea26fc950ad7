package desk

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"kefu/shop"
	kefusync "kefu/sync"
)

// API channels and the website widget. The chat reads the channels and the messages'
// deliveries from the local store (the feed brings them); owners and managers manage them on
// the server, through the sync engine's session: those calls need the server to answer.

// Errors of the channel and widget calls. They wrap the sync engine's error, so its words
// stay in the chain.
var (
	// ErrNeedsServer: the call (a channel or widget call, an import) needs the store server,
	// and the desk is not connected to it (offline, signed out, or sync has not started).
	ErrNeedsServer = errors.New("this needs the store server, which does not answer")
	// ErrSignedOut: the server no longer accepts the desk's sign-in.
	ErrSignedOut = errors.New("signed out: sign in again")
	// ErrForbidden: only the shop's owner or a manager may do this.
	ErrForbidden = errors.New("only the shop's owner or a manager may do this")
	// ErrPrivateWebhook: the server refuses webhook URLs on loopback, private or link-local
	// addresses (unless it was started to allow them).
	ErrPrivateWebhook = errors.New("the server may not call loopback, private or link-local webhook addresses")
)

// ChannelChange is a change to a channel: the fields given change.
type ChannelChange struct {
	Name    *string
	Webhook *string
	Paused  *bool
}

// CanManageChannels reports whether a staff member may manage channels and the widget: the
// shop's owner and its managers.
func CanManageChannels(s shop.Staff) bool {
	return s.Role == shop.RoleOwner || s.Role == shop.RoleManager
}

// Channels lists the shop's channels as the desk has them, by name (for the chat's tags).
func (d *Desk) Channels(ctx context.Context) ([]shop.Channel, error) {
	return read(ctx, d.db.Channels)
}

// Deliveries reads, from the desk's store, the deliveries of the messages with these ids,
// keyed by message id; messages not sent to a channel have none.
func (d *Desk) Deliveries(ctx context.Context, messageIDs []string) (map[string]shop.Delivery, error) {
	return read(ctx, func() (map[string]shop.Delivery, error) { return d.db.Deliveries(messageIDs) })
}

// FetchChannels lists the shop's channels as the server has them now.
func (d *Desk) FetchChannels(ctx context.Context) ([]shop.Channel, error) {
	return onServer(d, ctx, func(e *kefusync.Engine) ([]shop.Channel, error) { return e.Channels(ctx) })
}

// CreateChannel creates a channel with a name and a webhook URL and returns it with its
// secret, which is shown this once.
func (d *Desk) CreateChannel(ctx context.Context, name, webhook string) (ch shop.Channel, secret string, err error) {
	err = d.withServer(ctx, func(e *kefusync.Engine) (err error) {
		ch, secret, err = e.CreateChannel(ctx, name, webhook)
		return err
	})
	return ch, secret, err
}

// UpdateChannel renames, re-points, pauses or resumes a channel.
func (d *Desk) UpdateChannel(ctx context.Context, id string, c ChannelChange) (shop.Channel, error) {
	return onServer(d, ctx, func(e *kefusync.Engine) (shop.Channel, error) {
		return e.UpdateChannel(ctx, id, kefusync.ChannelChange{Name: c.Name, Webhook: c.Webhook, Paused: c.Paused})
	})
}

// DeleteChannel deletes a channel; its conversations stay, its queued deliveries fail.
func (d *Desk) DeleteChannel(ctx context.Context, id string) error {
	return d.withServer(ctx, func(e *kefusync.Engine) error { return e.DeleteChannel(ctx, id) })
}

// RotateChannelSecret gives a channel a new secret, returned this once.
func (d *Desk) RotateChannelSecret(ctx context.Context, id string) (string, error) {
	return onServer(d, ctx, func(e *kefusync.Engine) (string, error) { return e.RotateChannelSecret(ctx, id) })
}

// ChannelDeliveries is a channel's delivery log: up to limit deliveries, newest first.
func (d *Desk) ChannelDeliveries(ctx context.Context, id string, limit int) ([]shop.Delivery, error) {
	return onServer(d, ctx, func(e *kefusync.Engine) ([]shop.Delivery, error) { return e.ChannelDeliveries(ctx, id, limit) })
}

// WidgetSites are the sites allowed to embed the shop's chat widget.
func (d *Desk) WidgetSites(ctx context.Context) ([]string, error) {
	return onServer(d, ctx, func(e *kefusync.Engine) ([]string, error) { return e.WidgetSites(ctx) })
}

// SetWidgetSites sets the sites allowed to embed the chat widget and returns them as kept.
func (d *Desk) SetWidgetSites(ctx context.Context, sites []string) ([]string, error) {
	return onServer(d, ctx, func(e *kefusync.Engine) ([]string, error) { return e.SetWidgetSites(ctx, sites) })
}

// WidgetSnippet is the one line the shop pastes into its site's pages for the chat widget:
// served where customers reach the shop's chat page (shop.ChatURL, when it is the store
// server's /c/<shop>/ at a public address), else from the desk's server address.
func (d *Desk) WidgetSnippet(ctx context.Context) string {
	s, _ := d.Shop(ctx)
	id, _ := d.db.Meta(metaShop)
	if id == "" {
		id = s.ID
	}
	base := d.Server()
	if public, ok := strings.CutSuffix(s.ChatURL, "/c/"+url.PathEscape(id)+"/"); ok && public != "" {
		base = public
	}
	return kefusync.WidgetSnippet(base, id)
}

// withServer runs a call with the running sync engine, sorting its failure into the desk's
// errors. What a change does comes back through the feed, which the server wakes.
func (d *Desk) withServer(ctx context.Context, call func(*kefusync.Engine) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	e := d.engine
	d.mu.Unlock()
	if e == nil {
		return fmt.Errorf("desk: %w", ErrNeedsServer)
	}
	err := call(e)
	for _, m := range []struct{ sync, desk error }{
		{kefusync.ErrForbidden, ErrForbidden},
		{kefusync.ErrPrivateWebhook, ErrPrivateWebhook},
		{kefusync.ErrSignedOut, ErrSignedOut},
		{kefusync.ErrUnreachable, ErrNeedsServer},
		{kefusync.ErrNotKefuStore, ErrNeedsServer},
	} {
		if errors.Is(err, m.sync) {
			return fmt.Errorf("desk: %w: %w", m.desk, err)
		}
	}
	if err != nil {
		return fmt.Errorf("desk: %w", err)
	}
	return nil
}

// onServer is withServer for a call with a result.
func onServer[T any](d *Desk, ctx context.Context, call func(*kefusync.Engine) (T, error)) (T, error) {
	var v T
	err := d.withServer(ctx, func(e *kefusync.Engine) (err error) {
		v, err = call(e)
		return err
	})
	return v, err
}

// ServerRefusal is the server's own words when it refused a call as invalid (a malformed
// webhook URL, a name too long…), and whether err is such a refusal.
func ServerRefusal(err error) (string, bool) {
	var se *kefusync.ServerError
	if errors.As(err, &se) && se.Code != "" && se.StatusCode >= 400 && se.StatusCode < 500 {
		return se.Message, true
	}
	return "", false
}
