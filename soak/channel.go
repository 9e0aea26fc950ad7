package soak

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"kefu/demostore"
	"kefu/shop"
	"kefu/storeapi"
)

// The channel driver: an outside system bridged in through an API channel. It posts
// customers' messages to the channel (signed; some sent again with the same id, some while
// the server is down or being killed), and serves the channel's webhook on loopback, failing
// a share of the calls. The checks count the inbound messages the server confirmed but does
// not have (lost) or stored twice (duplicated), the staff messages and auto-replies of the
// channel's conversations the webhook never got (lost), and those it got out of order.

// ChannelReport is what the channel driver did and found.
type ChannelReport struct {
	Inbound    int // inbound messages the server confirmed
	Repeats    int // sent again with the same id (must be stored once)
	Calls      int // webhook calls
	Failed     int // webhook calls answered with an error on purpose
	Delivered  int // distinct messages the webhook got
	Lost       int // confirmed inbound messages the server lacks, outbound messages the webhook lacks
	Duplicated int // inbound messages stored more than once
	OutOfOrder int // conversations whose messages reached the webhook out of order
}

// channelFailShare is the share of webhook calls that fail.
const channelFailShare = 0.3

// channelConvs is how many outside conversations the driver writes in.
const channelConvs = 6

type channelDriver struct {
	base   string
	hc     *http.Client
	rng    *rand.Rand
	token  string
	id     string
	secret string
	srv    *http.Server
	ln     net.Listener

	mu        sync.Mutex
	flakyRng  *rand.Rand
	flaky     bool
	calls     int
	failed    int
	badSig    int
	received  map[string][]string // outside conversation → message ids, in order of first receipt
	got       map[string]bool
	confirmed map[string]bool // outside message ids the server confirmed
	sent      map[string]bool // outside message ids sent at all
	repeats   int
}

// newChannelDriver logs in as the demo shop's owner, starts the webhook receiver and makes
// the channel. The server must run.
func newChannelDriver(ctx context.Context, base string, rng *rand.Rand) (*channelDriver, error) {
	c := &channelDriver{base: base, hc: &http.Client{Timeout: 10 * time.Second}, rng: rng,
		flakyRng: rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())), flaky: true,
		received: map[string][]string{}, got: map[string]bool{}, confirmed: map[string]bool{}, sent: map[string]bool{}}
	var lr storeapi.LoginResponse
	if _, err := c.call(ctx, http.MethodPost, storeapi.PathLogin, storeapi.LoginRequest{Shop: soakShop, Staff: demostore.Owner, Password: demostore.Password}, &lr); err != nil {
		return nil, fmt.Errorf("soak: channel: logging in: %w", err)
	}
	c.token = lr.Token
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("soak: channel: %w", err)
	}
	c.ln = ln
	c.srv = &http.Server{Handler: http.HandlerFunc(c.serve), ReadHeaderTimeout: 10 * time.Second}
	go c.srv.Serve(ln)
	var cc storeapi.ChannelCreated
	if _, err := c.call(ctx, http.MethodPost, storeapi.PathChannels, storeapi.ChannelRequest{Name: "soak bridge", Webhook: "http://" + ln.Addr().String() + "/hook"}, &cc); err != nil {
		c.close()
		return nil, fmt.Errorf("soak: channel: creating it: %w", err)
	}
	c.id, c.secret = cc.ID, cc.Secret
	return c, nil
}

func (c *channelDriver) close() {
	if c.srv != nil {
		c.srv.Close()
	}
}

// call sends a JSON request with the staff token and decodes a 2xx answer into out.
func (c *channelDriver) call(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return doJSON(c.hc, req, out)
}

// doJSON sends req and decodes a 2xx answer into out (if not nil); status is the HTTP status
// (0 when no answer came), and an answer that is not 2xx is an error with its body.
func doJSON(hc *http.Client, req *http.Request, out any) (int, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(data))
	}
	if out == nil {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, json.Unmarshal(data, out)
}

// serve is the channel's webhook: it checks the signature, fails a share of the calls while
// flaky, and records the first receipt of every message.
func (c *channelDriver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if err := storeapi.VerifySignature(c.secret, r.Header.Get(storeapi.HeaderTimestamp), r.Header.Get(storeapi.HeaderSignature), body, time.Now()); err != nil {
		c.badSig++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if c.flaky && c.flakyRng.Float64() < channelFailShare {
		c.failed++
		http.Error(w, "flaky on purpose", http.StatusBadGateway)
		return
	}
	var ev storeapi.WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if !c.got[ev.ID] {
		c.got[ev.ID] = true
		c.received[ev.Conversation] = append(c.received[ev.Conversation], ev.ID)
	}
	w.WriteHeader(http.StatusNoContent)
}

// run posts inbound messages until ctx ends.
func (c *channelDriver) run(ctx context.Context) error {
	texts := []string{"你好", "有120码吗", "什么时候发货？", "到哪了", "可以开发票吗", "谢谢"}
	var sent []storeapi.InboundMessage
	for n := 0; ; n++ {
		if !sleep(ctx, between(c.rng, 150*time.Millisecond, 900*time.Millisecond)) {
			return nil
		}
		var m storeapi.InboundMessage
		if len(sent) > 0 && c.rng.IntN(5) == 0 { // the bridge sends a message again
			m = sent[c.rng.IntN(len(sent))]
			c.mu.Lock()
			c.repeats++
			c.mu.Unlock()
		} else {
			k := c.rng.IntN(channelConvs)
			m = storeapi.InboundMessage{ID: fmt.Sprintf("out-%d", n), Conversation: fmt.Sprintf("oc-%d", k),
				Customer: storeapi.InboundCustomer{ID: fmt.Sprintf("ou-%d", k), Nick: fmt.Sprintf("桥接客人%d", k)},
				Text:     fmt.Sprintf("%s (%d)", texts[c.rng.IntN(len(texts))], n)}
			sent = append(sent, m)
		}
		c.send(ctx, m)
	}
}

// send posts one message until the server confirms it (for at most a minute after ctx ends).
func (c *channelDriver) send(ctx context.Context, m storeapi.InboundMessage) {
	body, err := json.Marshal(m)
	if err != nil {
		return
	}
	c.mu.Lock()
	c.sent[m.ID] = true
	c.mu.Unlock()
	var ended time.Time
	for {
		ts := time.Now().Unix()
		req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, c.base+storeapi.PathChannels+"/"+c.id+"/messages", bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(storeapi.HeaderTimestamp, strconv.FormatInt(ts, 10))
		req.Header.Set(storeapi.HeaderSignature, storeapi.Sign(c.secret, ts, body))
		var res storeapi.InboundResult
		status, err := doJSON(c.hc, req, &res)
		if err == nil {
			c.mu.Lock()
			c.confirmed[m.ID] = true
			c.mu.Unlock()
			return
		}
		if status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusNotFound {
			return
		}
		if ctx.Err() != nil {
			if ended.IsZero() {
				ended = time.Now()
			}
			if time.Since(ended) > time.Minute {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// drain stops the failures and waits until the server records every delivery of the channel
// as done (delivered or failed). The server must run.
func (c *channelDriver) drain(ctx context.Context, timeout time.Duration) error {
	c.mu.Lock()
	c.flaky = false
	c.mu.Unlock()
	deadline := time.Now().Add(timeout)
	for {
		open, err := c.openDeliveries(ctx)
		if err == nil && open == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("soak: channel: %d deliveries still open after %s (last error: %v)", open, timeout, err)
		}
		if !sleep(ctx, 500*time.Millisecond) {
			return ctx.Err()
		}
	}
}

// openDeliveries counts the channel's deliveries that are pending or retrying, from the feed.
func (c *channelDriver) openDeliveries(ctx context.Context) (int, error) {
	open := 0
	var after int64
	for {
		var cr storeapi.ChangesResponse
		if _, err := c.call(ctx, http.MethodGet, fmt.Sprintf("%s?after=%d&limit=%d", storeapi.PathChanges, after, storeapi.MaxChangesLimit), nil, &cr); err != nil {
			return -1, err
		}
		for _, rec := range cr.Changes {
			var d shop.Delivery
			if rec.Type == shop.TypeDelivery && !rec.Deleted && rec.Decode(&d) == nil && d.State != shop.DeliveryDelivered && d.State != shop.DeliveryFailed {
				open++
			}
		}
		if !cr.More {
			return open, nil
		}
		after = cr.Next
	}
}

// inboundID is the id the server gives an inbound message (server.inboundMessageID).
func inboundID(channelID, outsideID string) string {
	h := sha256.Sum256([]byte(channelID + "\x00" + outsideID))
	return "ch-" + hex.EncodeToString(h[:16])
}

// check compares what the driver sent and received with the server's records.
func (c *channelDriver) check(rep *Report, srv *serverState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cr := &rep.Channel
	cr.Inbound, cr.Repeats, cr.Calls, cr.Failed, cr.Delivered = len(c.confirmed), c.repeats, c.calls, c.failed, len(c.got)
	if c.badSig > 0 {
		cr.Lost += c.badSig
		rep.finding("channel: %d webhook calls had a bad signature", c.badSig)
	}
	convs := map[string]shop.Conversation{} // Kefu id → conversation of the channel
	for k, rec := range srv.recs {
		var cv shop.Conversation
		if k.T == shop.TypeConversation && !rec.Deleted && rec.Decode(&cv) == nil && cv.Channel == c.id {
			convs[cv.ID] = cv
		}
	}
	for id := range c.confirmed {
		if rec, ok := srv.recs[key{shop.TypeMessage, inboundID(c.id, id)}]; !ok || rec.Deleted {
			cr.Lost++
			rep.finding("channel: lost: inbound message %s was confirmed, but the server has no %s", id, inboundID(c.id, id))
		}
	}
	type out struct {
		id  string
		seq int64
	}
	outbound := map[string][]out{} // outside conversation → staff messages and auto-replies, in seq order
	customerMsgs := 0
	for k, rec := range srv.recs {
		var m shop.Message
		if k.T != shop.TypeMessage || rec.Deleted || rec.Decode(&m) != nil {
			continue
		}
		cv, ok := convs[m.ConversationID]
		if !ok {
			continue
		}
		if m.From == shop.FromCustomer {
			customerMsgs++
			continue
		}
		if m.From == shop.FromStaff || m.From == shop.FromAuto {
			outbound[cv.ExternalID] = append(outbound[cv.ExternalID], out{m.ID, rec.Seq})
		}
	}
	if customerMsgs > len(c.sent) {
		cr.Duplicated += customerMsgs - len(c.sent)
		rep.finding("channel: duplicated: %d customer messages stored for %d distinct inbound ids", customerMsgs, len(c.sent))
	}
	for conv, msgs := range outbound {
		sort.Slice(msgs, func(i, j int) bool { return msgs[i].seq < msgs[j].seq })
		var want []string
		for _, m := range msgs {
			want = append(want, m.id)
			if !c.got[m.id] {
				cr.Lost++
				rep.finding("channel: lost: message %s of conversation %s never reached the webhook", m.id, conv)
			}
		}
		if got := c.received[conv]; len(got) == len(want) && fmt.Sprint(got) != fmt.Sprint(want) {
			cr.OutOfOrder++
			rep.finding("channel: conversation %s reached the webhook out of order", conv)
		}
	}
	rep.Lost += cr.Lost
	rep.Duplicated += cr.Duplicated
}
