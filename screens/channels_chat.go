package screens

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2/lang"

	"kefu/shop"
)

// The chat's side of API channels: a conversation that came through a channel carries the
// channel's name as a tag (in its list row and the thread's header), and each staff message
// and auto-reply of it shows how its delivery to the channel's webhook stands. Both come from
// the local store, which the feed keeps current.

// loadChannelNames reads the channels' names for the tags, in the background, and redraws the
// rows and the header with them.
func (c *chatSection) loadChannelNames() {
	latestRun(&c.channelLoad, c.env, func(ctx context.Context) (map[string]string, error) {
		chs, err := c.data.Channels(ctx)
		names := make(map[string]string, len(chs))
		for _, ch := range chs {
			names[ch.ID] = ch.Name
		}
		return names, err
	}, func(names map[string]string, err error) {
		if err != nil {
			return // the tags keep the names read before
		}
		c.channelNames = names
		c.picker.list.Refresh()
		c.showInfo()
	})
}

// channelTag is what a conversation's tag says: its channel's name, "" for the chat page's
// conversations. A channel deleted since still tags its conversations.
func (c *chatSection) channelTag(conv shop.Conversation) string {
	if conv.Channel == "" || c.channelNames == nil { // nil: the names are not read yet
		return ""
	}
	if name := c.channelNames[conv.Channel]; name != "" {
		return name
	}
	return lang.L("Deleted channel")
}

// threadPage is a page of the thread: the messages and, in a channel's conversation, their
// deliveries by message id.
type threadPage struct {
	msgs       []shop.Message
	deliveries map[string]shop.Delivery
}

// readThread reads up to limit messages of conv before message before (off Fyne's goroutine)
// and, for a channel's conversation, the deliveries of its staff messages and auto-replies.
func (c *chatSection) readThread(ctx context.Context, conv shop.Conversation, before string, limit int) (threadPage, error) {
	msgs, err := c.data.Messages(ctx, conv.ID, before, limit)
	if err != nil || conv.Channel == "" {
		return threadPage{msgs: msgs}, err
	}
	var ids []string
	for _, m := range msgs {
		if m.From == shop.FromStaff || m.From == shop.FromAuto {
			ids = append(ids, m.ID)
		}
	}
	ds, err := c.data.Deliveries(ctx, ids)
	return threadPage{msgs: msgs, deliveries: ds}, err
}

// keepDeliveries remembers the deliveries read with a page of the thread.
func (c *chatSection) keepDeliveries(p threadPage, fresh bool) {
	if fresh || c.deliveries == nil {
		c.deliveries = map[string]shop.Delivery{}
	}
	for id, d := range p.deliveries {
		c.deliveries[id] = d
	}
}

// maxReasonRunes caps how much of a failed delivery's reason the bubble's one line shows
// (the delivery log shows all of it).
const maxReasonRunes = 40

// shortReason is a delivery failure's reason for the bubble: without the request line Go's
// HTTP client puts first (Post "https://…": ), cut to maxReasonRunes.
func shortReason(reason string) string {
	reason = oneLine(reason)
	if rest, ok := strings.CutPrefix(reason, `Post "`); ok {
		if _, after, found := strings.Cut(rest, `": `); found {
			reason = after
		}
	}
	if utf8.RuneCountInString(reason) > maxReasonRunes {
		reason = string([]rune(reason)[:maxReasonRunes]) + "…"
	}
	return reason
}

// deliveryText says how a message's delivery stands, for its bubble's line of who and when,
// and whether it failed.
func deliveryText(d shop.Delivery) (string, bool) {
	switch d.State {
	case shop.DeliveryDelivered:
		return "✓ " + lang.L("Delivered"), false
	case shop.DeliveryRetrying:
		return fmt.Sprintf(lang.L("Retrying since %s"), fmtClock(d.RetryingSince)), false
	case shop.DeliveryFailed:
		if reason := shortReason(d.LastError); reason != "" {
			return fmt.Sprintf(lang.L("Not delivered: %s"), reason), true
		}
		return lang.L("Not delivered"), true
	}
	return lang.L("Delivering"), false
}
