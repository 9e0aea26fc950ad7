package soak

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

// customers plays customers writing to the shop through the public chat page's endpoints
// (/c/{shop}/api/...), straight to the server, so that the desks have server-side changes to
// pull. Every message carries a client id and is sent until the server confirms it, sometimes
// twice on purpose: a message must be stored once.
type customers struct {
	base  string
	hc    *http.Client
	rng   *rand.Rand
	nicks []string // nicks of the shop's customers, to come back as

	sessions  []chatSession
	lastStart time.Time

	mu        sync.Mutex
	chats     int
	resends   int
	confirmed map[string]string // message id → conversation, confirmed by the server
	unsure    map[string]string // sent, but never confirmed (the run ended)
}

type chatSession struct{ nick, conv, token string }

func newCustomers(base string, rng *rand.Rand, st *serverState) *customers {
	c := &customers{base: base, hc: &http.Client{Timeout: 10 * time.Second}, rng: rng,
		confirmed: map[string]string{}, unsure: map[string]string{}}
	for _, rec := range st.list {
		if rec.Type == shop.TypeCustomer && !rec.Deleted {
			var cu shop.Customer
			if rec.Decode(&cu) == nil && cu.Nick != "" {
				c.nicks = append(c.nicks, cu.Nick)
			}
		}
	}
	return c
}

// webMessageID is the id the server gives a customer message sent with a client id
// (server.customerMessageID).
func webMessageID(convID, clientID string) string {
	h := sha256.Sum256([]byte(convID + "\x00" + clientID))
	return "web-" + hex.EncodeToString(h[:16])
}

// post sends a JSON body to the chat API and decodes the answer; status is the HTTP status
// (0 when no answer came).
func (c *customers) post(ctx context.Context, path string, body, out any) (int, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+storeapi.PathChat+soakShop+path, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	return doJSON(c.hc, req, out)
}

// run writes customer messages until ctx ends.
func (c *customers) run(ctx context.Context) error {
	texts := []string{"你好，在吗？", "这个有货吗", "什么时候发货？", "尺码怎么选", "我的快递到哪了", "可以便宜点吗",
		"Is this in stock?", "谢谢 👍", "退货地址是哪里"}
	for n := 0; ; n++ {
		if !sleep(ctx, between(c.rng, 200*time.Millisecond, 1200*time.Millisecond)) {
			return nil
		}
		if len(c.sessions) == 0 || (time.Since(c.lastStart) > 15*time.Second && c.rng.IntN(3) == 0) {
			c.start(ctx)
		}
		s, ok := pick(c.rng, c.sessions)
		if !ok {
			continue
		}
		clientID := shop.NewID()
		text := fmt.Sprintf("%s (%d)", texts[c.rng.IntN(len(texts))], n)
		c.send(ctx, s, clientID, text)
		if c.rng.IntN(6) == 0 { // the page sends it again (a retry after a lost answer)
			c.mu.Lock()
			c.resends++
			c.mu.Unlock()
			c.send(ctx, s, clientID, text)
		}
	}
}

// start opens a chat as a known customer or a new visitor. Failures (server down, the
// per-address limit on new chats) are simply tried again later.
func (c *customers) start(ctx context.Context) {
	c.lastStart = time.Now()
	nick := fmt.Sprintf("访客%d", c.rng.IntN(100000))
	if n, ok := pick(c.rng, c.nicks); ok && c.rng.IntN(2) == 0 {
		nick = n
	}
	var resp storeapi.ChatStartResponse
	if _, err := c.post(ctx, "/api/start", storeapi.ChatStartRequest{Nick: nick}, &resp); err != nil {
		return
	}
	c.sessions = append(c.sessions, chatSession{nick: nick, conv: resp.Conversation, token: resp.Token})
	c.mu.Lock()
	c.chats++
	c.mu.Unlock()
}

// send sends one message until the server confirms it (for at most a minute after ctx ends:
// the soak restarts the server when the faults stop).
func (c *customers) send(ctx context.Context, s chatSession, clientID, text string) {
	id := webMessageID(s.conv, clientID)
	c.mu.Lock()
	c.unsure[id] = s.conv
	c.mu.Unlock()
	var ended time.Time
	for {
		var resp storeapi.ChatMessagesResponse
		status, err := c.post(context.WithoutCancel(ctx), "/api/messages", storeapi.ChatSendRequest{Token: s.token, ID: clientID, Text: text}, &resp)
		if err == nil {
			c.mu.Lock()
			delete(c.unsure, id)
			c.confirmed[id] = s.conv
			c.mu.Unlock()
			return
		}
		if status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusConflict {
			return // refused for good: stays unsure (not stored, or stored once before)
		}
		if ctx.Err() != nil {
			if ended.IsZero() {
				ended = time.Now()
			}
			if time.Since(ended) > time.Minute {
				return
			}
		}
		wait := 200 * time.Millisecond
		if status == http.StatusTooManyRequests {
			wait = 2 * time.Second
		}
		time.Sleep(wait)
	}
}

// counts returns the chats started, the messages confirmed and the deliberate resends.
func (c *customers) counts() (chats, msgs, resends int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.chats, len(c.confirmed), c.resends
}
