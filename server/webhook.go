package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// The outbound side of API channels: every staff message and auto-reply written into a
// channel's conversation is queued (afterPut, in the transaction that writes it) and POSTed
// to the channel's webhook, signed like inbound messages. The queue is stored (index outq,
// shop.Delivery records), so it survives restarts; each conversation's messages go in order,
// one at a time, and a conversation whose webhook fails waits alone: the others go on.
// Failed attempts are retried with exponential backoff for shop.DeliveryRetryFor.
//
// Requests are guarded: webhook URLs that resolve to loopback, private, link-local or other
// special addresses are refused when set and again at every dial (against DNS rebinding),
// unless Params.AllowPrivateWebhooks; redirects are not followed; a request may take
// webhookTimeout; at most webhookBodyLimit bytes of an answer are read.

const (
	webhookTimeout   = 10 * time.Second
	webhookBodyLimit = 64 << 10
	// webhookPerChannel is how many conversations of one channel are delivered at once.
	webhookPerChannel = 4
	// webhookMaxBackoff caps the wait between two attempts.
	webhookMaxBackoff = 10 * time.Minute
)

// ErrPrivateAddress refuses a webhook that resolves to an address kefu-store must not call.
var ErrPrivateAddress = errors.New("the webhook's address is loopback, private or link-local")

// webhooks delivers the queued messages of every shop.
type webhooks struct {
	s            *Server
	allowPrivate bool
	backoff      time.Duration // the first retry's wait
	client       *http.Client
	wake         chan struct{}
	ctx          context.Context // ends when the server closes
	cancel       context.CancelFunc
	done         chan struct{}

	mu      sync.Mutex
	shops   map[string]bool // the shops that have (or had) a channel
	scanned bool            // shops holds those of the store too (the first sweep looked)
	busy    map[string]bool // shop, channel, conversation being delivered
	running map[string]int  // shop, channel → conversations being delivered
	wg      sync.WaitGroup
}

func newWebhooks(s *Server, allowPrivate bool, backoff time.Duration) *webhooks {
	if backoff <= 0 {
		backoff = time.Second
	}
	w := &webhooks{s: s, allowPrivate: allowPrivate, backoff: backoff, wake: make(chan struct{}, 1),
		done: make(chan struct{}), shops: map[string]bool{}, busy: map[string]bool{}, running: map[string]int{}}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: w.checkDial}
	w.client = &http.Client{
		Timeout: webhookTimeout,
		Transport: &http.Transport{
			Proxy:               nil, // a proxy would dial for us, past the address check
			DialContext:         dialer.DialContext,
			TLSHandshakeTimeout: 5 * time.Second,
			MaxIdleConnsPerHost: webhookPerChannel,
			IdleConnTimeout:     time.Minute,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return w
}

// blockedAddr reports whether a webhook must not reach ip.
func blockedAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(ip) // carrier-grade NAT
}

// checkDial refuses, at dial time, the addresses webhooks must not reach: the name was
// resolved again for this dial, so a name that changed its address since it was checked is
// caught here.
func (w *webhooks) checkDial(_, address string, _ syscall.RawConn) error {
	if w.allowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dialing %s: %w", address, ErrPrivateAddress)
	}
	if blockedAddr(ap.Addr()) {
		return fmt.Errorf("dialing %s: %w", address, ErrPrivateAddress)
	}
	return nil
}

// checkURL checks a webhook URL as it is set: http or https, a host, no user name or
// password, and (without AllowPrivateWebhooks) every address it resolves to public.
func (w *webhooks) checkURL(ctx context.Context, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return "", refuse(ErrInvalid, "the webhook must be an http or https URL, not %q", raw)
	}
	if u.User != nil || u.Fragment != "" || len(raw) > 2048 {
		return "", refuse(ErrInvalid, "the webhook URL must not hold a user name, password or #fragment, and be at most 2048 bytes")
	}
	if w.allowPrivate {
		return raw, nil
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ips, err := net.DefaultResolver.LookupNetIP(rctx, "ip", host)
		if err != nil {
			return "", refuse(ErrInvalid, "the webhook's host %s does not resolve: %v", host, err)
		}
		addrs = ips
	}
	for _, ip := range addrs {
		if blockedAddr(ip) {
			return "", refuse(ErrInvalid, "the webhook's host %s is %s: %v (kefu-store --allow-private-webhooks allows it)", host, ip, ErrPrivateAddress)
		}
	}
	return raw, nil
}

// addShop tells the deliverer that a shop has a channel.
func (w *webhooks) addShop(shopID string) {
	w.mu.Lock()
	w.shops[shopID] = true
	w.mu.Unlock()
}

// channelShops lists the shops that have (or had) a channel: on the first call, those whose
// channel index or queue holds an entry.
func (w *webhooks) channelShops() ([]string, error) {
	w.mu.Lock()
	scanned := w.scanned
	var ids []string
	for id := range w.shops {
		ids = append(ids, id)
	}
	w.mu.Unlock()
	if scanned {
		return ids, nil
	}
	all, err := w.s.store.Shops(w.ctx)
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	for _, id := range all {
		err := w.s.store.View(w.ctx, id, func(tx store.ReadTx) error {
			for _, ix := range []store.Index{idxChannel, idxOutQ} {
				if err := tx.Scan(ix.Name, store.Query{}, func(store.Entry) bool { found[id] = true; return false }); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	w.mu.Lock()
	for id := range found {
		w.shops[id] = true
	}
	w.scanned = true
	ids = ids[:0]
	for id := range w.shops {
		ids = append(ids, id)
	}
	w.mu.Unlock()
	return ids, nil
}

// poke makes the deliverer look at the queues now.
func (w *webhooks) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// queueDelivery queues a message just written (rec, with its seq) for its channel's webhook
// when it is a staff message or auto-reply of a channel's conversation.
func queueDelivery(tx store.Tx, rec shop.Record) error {
	var m shop.Message
	if err := rec.Decode(&m); err != nil || (m.From != shop.FromStaff && m.From != shop.FromAuto) {
		return nil
	}
	var c shop.Conversation
	if _, ok, err := (txReader{tx}).Get(shop.TypeConversation, m.ConversationID, &c); err != nil || !ok || c.Channel == "" {
		return err
	}
	d := shop.Delivery{ID: m.ID, Channel: c.Channel, ConversationID: c.ID, State: shop.DeliveryPending, CreatedAt: m.At}
	if _, err := putRecord(tx, shop.NewRecord(shop.TypeDelivery, d.ID, d)); err != nil {
		return err
	}
	if err := tx.AddEntry(idxOutQ.Name, store.Entry{Key: []any{c.Channel, c.ID, rec.Seq}, ID: m.ID}); err != nil {
		return err
	}
	return tx.AddEntry(idxDlv.Name, store.Entry{Key: []any{c.Channel, newestFirst(rec.Seq)}, ID: m.ID})
}

// run delivers until the server closes: it looks at the queues when poked, when the next
// attempt is due, and at least every second.
func (w *webhooks) run() {
	defer close(w.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-w.s.closing:
			w.cancel()
			w.wg.Wait()
			return
		case <-w.wake:
		case <-timer.C:
		}
		wait := w.sweep()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// head is the first queued message of one conversation.
type head struct {
	channel, conv, msg string
	seq                int64
}

// sweep starts the attempts that are due and returns how long to wait before the next one.
func (w *webhooks) sweep() time.Duration {
	next := time.Second
	shops, err := w.channelShops()
	if err != nil {
		if !errors.Is(err, store.ErrClosed) && w.ctx.Err() == nil {
			w.s.log.Warn("webhooks: listing shops", "err", err)
		}
		return next
	}
	now := w.s.now()
	for _, shopID := range shops {
		var heads []head
		channels := map[string]*shop.Channel{}
		dues := map[string]time.Time{}
		err := w.s.store.View(w.ctx, shopID, func(tx store.ReadTx) error {
			last := ""
			err := tx.Scan(idxOutQ.Name, store.Query{}, func(e store.Entry) bool {
				ch, conv := e.Key[0].(string), e.Key[1].(string)
				if k := ch + "\x00" + conv; k != last {
					last = k
					heads = append(heads, head{channel: ch, conv: conv, msg: e.ID, seq: e.Key[2].(int64)})
				}
				return len(heads) < 10000
			})
			if err != nil {
				return err
			}
			for _, h := range heads {
				if _, ok := channels[h.channel]; !ok {
					var ch shop.Channel
					if _, found, err := (txReader{tx}).Get(shop.TypeChannel, h.channel, &ch); err != nil {
						return err
					} else if found {
						channels[h.channel] = &ch
					} else {
						channels[h.channel] = nil
					}
				}
				var d shop.Delivery
				if _, ok, err := (txReader{tx}).Get(shop.TypeDelivery, h.msg, &d); err != nil {
					return err
				} else if ok {
					dues[h.msg] = d.NextAt
				}
			}
			return nil
		})
		if err != nil {
			if !errors.Is(err, store.ErrClosed) && w.ctx.Err() == nil {
				w.s.log.Warn("webhooks: reading the queue", "shop", shopID, "err", err)
			}
			continue
		}
		for _, h := range heads {
			ch := channels[h.channel]
			if ch != nil && ch.Paused {
				continue
			}
			if due := dues[h.msg]; due.After(now) {
				next = min(next, due.Sub(now))
				continue
			}
			w.start(shopID, h, ch)
		}
	}
	return max(next, 5*time.Millisecond)
}

// start attempts a conversation's head in its own goroutine, unless the conversation is being
// delivered already or its channel has webhookPerChannel attempts running.
func (w *webhooks) start(shopID string, h head, ch *shop.Channel) {
	convKey := shopID + "\x00" + h.channel + "\x00" + h.conv
	chKey := shopID + "\x00" + h.channel
	w.mu.Lock()
	if w.busy[convKey] || w.running[chKey] >= webhookPerChannel {
		w.mu.Unlock()
		return
	}
	w.busy[convKey] = true
	w.running[chKey]++
	w.wg.Add(1)
	w.mu.Unlock()
	go func() {
		defer w.wg.Done()
		defer func() {
			w.mu.Lock()
			delete(w.busy, convKey)
			if w.running[chKey]--; w.running[chKey] == 0 {
				delete(w.running, chKey)
			}
			w.mu.Unlock()
			w.poke()
		}()
		if err := w.attempt(shopID, h, ch); err != nil && w.ctx.Err() == nil && !errors.Is(err, store.ErrClosed) {
			w.s.log.Warn("webhooks: delivering", "shop", shopID, "channel", h.channel, "message", h.msg, "err", err)
		}
	}()
}

// attempt POSTs one message to its channel's webhook and records the outcome: delivered (and
// off the queue), retrying with the next attempt's time, or failed (and off the queue) once
// retried for shop.DeliveryRetryFor or when the channel is gone.
func (w *webhooks) attempt(shopID string, h head, ch *shop.Channel) error {
	var ev storeapi.WebhookEvent
	var secret string
	gone, settled := ch == nil, false
	if !gone {
		err := w.s.store.View(w.ctx, shopID, func(tx store.ReadTx) error {
			rd := txReader{tx}
			// The sweep may have read the queue before an attempt that ended since took
			// the message off it: then it is settled, and not sent again.
			var d shop.Delivery
			if _, ok, err := rd.Get(shop.TypeDelivery, h.msg, &d); err != nil {
				return err
			} else if ok && (d.State == shop.DeliveryDelivered || d.State == shop.DeliveryFailed) {
				settled = true
				return nil
			}
			var m shop.Message
			var c shop.Conversation
			if _, ok, err := rd.Get(shop.TypeMessage, h.msg, &m); err != nil || !ok {
				return err
			}
			if _, _, err := rd.Get(shop.TypeConversation, h.conv, &c); err != nil {
				return err
			}
			ev = storeapi.WebhookEvent{Event: storeapi.EventMessageCreated, ID: m.ID, Channel: h.channel, Conversation: c.ExternalID,
				Customer: c.ExternalCustomer, Text: messageText(m), From: m.From, Staff: m.Staff, At: m.At}
			cred, _, err := tx.Credential(channelCredential(h.channel))
			secret = string(cred.Hash)
			return err
		})
		if err != nil {
			return err
		}
	}
	var failure string
	switch {
	case settled:
		return nil
	case gone:
		failure = "the channel was deleted"
	case ev.ID == "":
		failure = "the message is gone"
	default:
		failure = w.post(ch.Webhook, secret, ev)
		if w.ctx.Err() != nil {
			return nil // the server is closing: the message stays queued
		}
	}
	now := w.s.now()
	return w.s.write(context.Background(), shopID, func(tx store.Tx) error {
		var d shop.Delivery
		if _, ok, err := (txReader{tx}).Get(shop.TypeDelivery, h.msg, &d); err != nil {
			return err
		} else if !ok {
			d = shop.Delivery{ID: h.msg, Channel: h.channel, ConversationID: h.conv, CreatedAt: now}
		}
		if d.State == shop.DeliveryDelivered || d.State == shop.DeliveryFailed {
			return tx.RemoveEntry(idxOutQ.Name, store.Entry{Key: []any{h.channel, h.conv, h.seq}, ID: h.msg})
		}
		d.Attempts++
		done := true
		switch {
		case failure == "":
			d.State, d.DeliveredAt, d.NextAt, d.LastError = shop.DeliveryDelivered, now, time.Time{}, ""
		case gone || ev.ID == "" || now.Sub(d.CreatedAt) >= shop.DeliveryRetryFor:
			d.State, d.NextAt, d.LastError = shop.DeliveryFailed, time.Time{}, failure
		default:
			if d.RetryingSince.IsZero() {
				d.RetryingSince = now
			}
			d.State, d.LastError, done = shop.DeliveryRetrying, failure, false
			d.NextAt = now.Add(w.backoffAfter(d.Attempts))
		}
		if _, err := putRecord(tx, shop.NewRecord(shop.TypeDelivery, d.ID, d)); err != nil {
			return err
		}
		if done {
			return tx.RemoveEntry(idxOutQ.Name, store.Entry{Key: []any{h.channel, h.conv, h.seq}, ID: h.msg})
		}
		return nil
	})
}

// backoffAfter is the wait after the attempts-th failed attempt: the first retry's wait,
// doubled for each further failure, at most webhookMaxBackoff.
func (w *webhooks) backoffAfter(attempts int) time.Duration {
	d := w.backoff
	for i := 1; i < attempts && d < webhookMaxBackoff; i++ {
		d *= 2
	}
	return min(d, webhookMaxBackoff)
}

// post sends one event and returns why it failed, "" when the webhook answered 2xx.
func (w *webhooks) post(hook, secret string, ev storeapi.WebhookEvent) string {
	body, err := json.Marshal(ev)
	if err != nil {
		return "encoding the event: " + err.Error()
	}
	req, err := http.NewRequestWithContext(w.ctx, http.MethodPost, hook, bytes.NewReader(body))
	if err != nil {
		return "the webhook URL: " + err.Error()
	}
	ts := w.s.now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "kefu-store")
	req.Header.Set(storeapi.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(storeapi.HeaderSignature, storeapi.Sign(secret, ts, body))
	resp, err := w.client.Do(req)
	if err != nil {
		if errors.Is(err, ErrPrivateAddress) {
			return ErrPrivateAddress.Error() + " (kefu-store --allow-private-webhooks allows it)"
		}
		return err.Error()
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, webhookBodyLimit))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return ""
	}
	msg := fmt.Sprintf("the webhook answered %s", resp.Status)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		msg += " (redirects are not followed)"
	}
	if a := strings.TrimSpace(string(answer)); a != "" {
		if len(a) > 200 {
			a = a[:200] + "…"
		}
		msg += ": " + strings.ToValidUTF8(a, "?")
	}
	return msg
}
