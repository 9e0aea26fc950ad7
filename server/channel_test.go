package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

// hookReceiver is a channel's webhook on loopback: it checks each call's signature with the
// server's clock, records the events in the order they came, and fails (with 503) while down
// is set.
type hookReceiver struct {
	t      testing.TB
	hs     *httptest.Server
	now    func() time.Time
	down   atomic.Bool
	status atomic.Int32  // answer while down; 0 means 503
	hang   chan struct{} // when set, a call while down waits until it is closed
	mu     sync.Mutex
	secret string
	events []storeapi.WebhookEvent
	calls  int
	bad    []string // what was wrong with a call
}

func newHookReceiver(t testing.TB, now func() time.Time) *hookReceiver {
	h := &hookReceiver{t: t, now: now}
	h.hs = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.hs.Close)
	return h
}

func (h *hookReceiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if h.hang != nil && h.down.Load() {
		select {
		case <-h.hang:
		case <-r.Context().Done():
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	if h.down.Load() {
		code := int(h.status.Load())
		if code == 0 {
			code = http.StatusServiceUnavailable
		}
		if code >= 300 && code < 400 {
			w.Header().Set("Location", h.hs.URL+"/elsewhere")
		}
		http.Error(w, "down for maintenance", code)
		return
	}
	if err := storeapi.VerifySignature(h.secret, r.Header.Get(storeapi.HeaderTimestamp), r.Header.Get(storeapi.HeaderSignature), body, h.now()); err != nil {
		h.bad = append(h.bad, "signature: "+err.Error())
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev storeapi.WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.Event != storeapi.EventMessageCreated {
		h.bad = append(h.bad, fmt.Sprintf("event %s: %v", body, err))
	}
	h.events = append(h.events, ev)
}

func (h *hookReceiver) setSecret(s string) {
	h.mu.Lock()
	h.secret = s
	h.mu.Unlock()
}

// got returns the events received so far and the problems seen.
func (h *hookReceiver) got() ([]storeapi.WebhookEvent, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]storeapi.WebhookEvent(nil), h.events...), append([]string(nil), h.bad...)
}

// channelEnv is the fixture server with private webhooks allowed and quick retries.
func channelEnv(t *testing.T, dir string) *env {
	t.Helper()
	e := startEnvWith(t, dir, &testClock{t: monday10}, func(p *Params) {
		p.AllowPrivateWebhooks = true
		p.WebhookRetry = time.Millisecond
	})
	e.seedFixtures()
	return e
}

// channelFixture is channelEnv with alpha's owner logged in and a channel whose webhook is
// a receiver that knows its secret.
func channelFixture(t *testing.T) (*env, string, *hookReceiver, storeapi.ChannelCreated) {
	t.Helper()
	e := channelEnv(t, "")
	owner := e.login("alpha", "1001")
	hook := newHookReceiver(t, e.clock.Now)
	cc := e.createChannel(owner, "微信", hook.hs.URL)
	hook.setSecret(cc.Secret)
	return e, owner, hook, cc
}

// createChannel makes a channel of alpha pointing at hook and returns it with its secret.
func (e *env) createChannel(owner, name, hook string) storeapi.ChannelCreated {
	e.t.Helper()
	var cc storeapi.ChannelCreated
	e.call("POST", storeapi.PathChannels, owner, storeapi.ChannelRequest{Name: name, Webhook: hook}, http.StatusCreated, &cc)
	if cc.ID == "" || cc.Secret == "" || cc.Channel.ID != cc.ID {
		e.t.Fatalf("created channel %+v", cc)
	}
	return cc
}

// inbound posts a message to a channel signed with secret at ts; it returns the status and
// body.
func (e *env) inbound(channelID, secret string, ts int64, body []byte) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.hs.URL+storeapi.PathChannels+"/"+channelID+"/messages", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(storeapi.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(storeapi.HeaderSignature, storeapi.Sign(secret, ts, body))
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func inboundBody(t testing.TB, m storeapi.InboundMessage) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// records returns the shop's records of one type, by id.
func (e *env) records(token string, typ shop.EntityType) map[string]shop.Record {
	out := map[string]shop.Record{}
	for _, r := range e.all(token) {
		if r.Type == typ && !r.Deleted {
			out[r.ID] = r
		}
	}
	return out
}

func TestChannelManagement(t *testing.T) {
	e := channelEnv(t, "")
	owner, agent := e.login("alpha", "1001"), e.login("alpha", "1002")
	hook := newHookReceiver(t, e.clock.Now)
	e.expectError("POST", storeapi.PathChannels, agent, storeapi.ChannelRequest{Name: "微信", Webhook: hook.hs.URL}, http.StatusForbidden, storeapi.CodeForbidden)
	e.expectError("POST", storeapi.PathChannels, owner, storeapi.ChannelRequest{Name: "微信", Webhook: "ftp://x"}, http.StatusBadRequest, storeapi.CodeBadRequest)
	cc := e.createChannel(owner, "微信", hook.hs.URL)

	// The list and the feed have the channel, never its secret.
	_, body := e.do("GET", storeapi.PathChannels, agent, nil)
	var list storeapi.ChannelsResponse
	if err := json.Unmarshal(body, &list); err != nil || len(list.Channels) != 1 || list.Channels[0].Name != "微信" {
		t.Fatalf("channels %s: %v", body, err)
	}
	_, feed := e.do("GET", storeapi.PathChanges+"?after=0&limit=5000", owner, nil)
	if bytes.Contains(body, []byte(cc.Secret)) || bytes.Contains(feed, []byte(cc.Secret)) {
		t.Fatal("the secret is shown after its creation")
	}
	if _, ok := e.records(owner, shop.TypeChannel)[cc.ID]; !ok {
		t.Fatal("the channel is not in the feed")
	}

	msg := inboundBody(t, storeapi.InboundMessage{ID: "m1", Conversation: "c1", Customer: storeapi.InboundCustomer{ID: "u1", Nick: "外面的客人"}, Text: "你好"})
	now := e.clock.Now().Unix()
	if st, b := e.inbound(cc.ID, cc.Secret, now, msg); st != 200 {
		t.Fatalf("inbound: %d %s", st, b)
	}

	// Rotating: the old secret stops working at once.
	var rot storeapi.ChannelSecret
	e.expectError("POST", storeapi.PathChannels+"/"+cc.ID+"/secret", agent, nil, http.StatusForbidden, storeapi.CodeForbidden)
	e.call("POST", storeapi.PathChannels+"/"+cc.ID+"/secret", owner, nil, 200, &rot)
	if rot.Secret == "" || rot.Secret == cc.Secret {
		t.Fatalf("rotated secret %q", rot.Secret)
	}
	if st, _ := e.inbound(cc.ID, cc.Secret, now, msg); st != http.StatusUnauthorized {
		t.Fatalf("old secret after rotation: %d, want 401", st)
	}
	if st, _ := e.inbound(cc.ID, rot.Secret, now, msg); st != 200 {
		t.Fatalf("new secret: %d", st)
	}

	// Paused: inbound is refused; resumed: taken again.
	paused := true
	var ch shop.Channel
	e.call("PATCH", storeapi.PathChannels+"/"+cc.ID, owner, storeapi.ChannelUpdate{Paused: &paused}, 200, &ch)
	if !ch.Paused {
		t.Fatal("not paused")
	}
	msg2 := inboundBody(t, storeapi.InboundMessage{ID: "m2", Conversation: "c1", Customer: storeapi.InboundCustomer{ID: "u1", Nick: "外面的客人"}, Text: "在吗"})
	if st, _ := e.inbound(cc.ID, rot.Secret, now, msg2); st != http.StatusConflict {
		t.Fatalf("paused channel: %d, want 409", st)
	}
	paused = false
	e.call("PATCH", storeapi.PathChannels+"/"+cc.ID, owner, storeapi.ChannelUpdate{Paused: &paused}, 200, &ch)
	if st, _ := e.inbound(cc.ID, rot.Secret, now, msg2); st != 200 {
		t.Fatalf("resumed channel: %d", st)
	}

	// Deleted: gone from the list; inbound gets 404.
	e.expectError("DELETE", storeapi.PathChannels+"/"+cc.ID, agent, nil, http.StatusForbidden, storeapi.CodeForbidden)
	e.call("DELETE", storeapi.PathChannels+"/"+cc.ID, owner, nil, http.StatusNoContent, nil)
	e.call("GET", storeapi.PathChannels, owner, nil, 200, &list)
	if len(list.Channels) != 0 {
		t.Fatalf("channels after delete: %+v", list.Channels)
	}
	if st, _ := e.inbound(cc.ID, rot.Secret, now, msg2); st != http.StatusNotFound {
		t.Fatalf("deleted channel: %d, want 404", st)
	}
	e.expectError("GET", storeapi.PathChannels+"/"+cc.ID+"/deliveries", owner, nil, http.StatusNotFound, storeapi.CodeNotFound)
}

func TestChannelInboundSignedOnce(t *testing.T) {
	e, owner, hook, cc := channelFixture(t)
	// u-1 has this phone: an outside customer with it (and no other e-mail) is u-1.
	phone := "13800138000"
	e.push(owner, mut(t, shop.KindCustomerSet, "u-1", 0, shop.CustomerSet{Phone: &phone}))
	now := e.clock.Now().Unix()
	msg := inboundBody(t, storeapi.InboundMessage{ID: "wx-1", Conversation: "wx-conv", Customer: storeapi.InboundCustomer{ID: "wx-u", Nick: "小鱼儿", Phone: phone}, Text: "有120码吗"})

	for name, bad := range map[string]struct {
		secret string
		ts     int64
	}{
		"wrong secret":  {"kfs_wrong", now},
		"stale":         {cc.Secret, now - 301},
		"in the future": {cc.Secret, now + 301},
	} {
		if st, b := e.inbound(cc.ID, bad.secret, bad.ts, msg); st != http.StatusUnauthorized {
			t.Fatalf("%s: %d %s, want 401", name, st, b)
		}
	}
	// A body changed after signing is refused too.
	req, _ := http.NewRequest("POST", e.hs.URL+storeapi.PathChannels+"/"+cc.ID+"/messages", bytes.NewReader(append(msg[:len(msg)-1:len(msg)-1], ' ', '}')))
	req.Header.Set(storeapi.HeaderTimestamp, strconv.FormatInt(now, 10))
	req.Header.Set(storeapi.HeaderSignature, storeapi.Sign(cc.Secret, now, msg))
	if resp, err := e.client.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("tampered body: %v %v", resp, err)
	}
	if n := len(e.records(owner, shop.TypeConversation)); n != 1 {
		t.Fatalf("refused messages stored something: %d conversations", n)
	}

	var first, again storeapi.InboundResult
	for i, out := range []*storeapi.InboundResult{&first, &again} {
		st, b := e.inbound(cc.ID, cc.Secret, now, msg)
		if st != 200 || json.Unmarshal(b, out) != nil {
			t.Fatalf("send %d: %d %s", i, st, b)
		}
	}
	if first != again || first.Customer != "u-1" {
		t.Fatalf("first %+v, repeat %+v; want the same, with customer u-1", first, again)
	}
	msgs := e.records(owner, shop.TypeMessage)
	customerMsgs := 0
	for _, r := range msgs {
		var m shop.Message
		r.Decode(&m)
		if m.ConversationID == first.Conversation && m.From == shop.FromCustomer {
			customerMsgs++
		}
	}
	if customerMsgs != 1 {
		t.Fatalf("%d customer messages stored, want 1", customerMsgs)
	}
	var conv shop.Conversation
	e.records(owner, shop.TypeConversation)[first.Conversation].Decode(&conv)
	if conv.Channel != cc.ID || conv.ExternalID != "wx-conv" || conv.CustomerID != "u-1" {
		t.Fatalf("conversation %+v", conv)
	}
	var cust shop.Customer
	e.records(owner, shop.TypeCustomer)["u-1"].Decode(&cust)
	if len(cust.External) != 1 || cust.External[0] != (shop.ExternalID{Channel: cc.ID, ID: "wx-u"}) {
		t.Fatalf("customer's external ids %+v", cust.External)
	}
	// The same outside conversation stays one conversation; the greeting (an auto-reply)
	// went to the webhook.
	msg2 := inboundBody(t, storeapi.InboundMessage{ID: "wx-2", Conversation: "wx-conv", Customer: storeapi.InboundCustomer{ID: "wx-u", Nick: "小鱼儿"}, Text: "什么时候发货"})
	var second storeapi.InboundResult
	if st, b := e.inbound(cc.ID, cc.Secret, now, msg2); st != 200 || json.Unmarshal(b, &second) != nil || second.Conversation != first.Conversation {
		t.Fatalf("second message: %d %s", st, b)
	}
	waitFor(t /* the auto-replies at the webhook */, func() bool { evs, _ := hook.got(); return len(evs) == 2 })
	evs, bad := hook.got()
	if len(bad) > 0 || evs[0].From != shop.FromAuto || evs[0].Conversation != "wx-conv" || evs[0].Customer != "wx-u" {
		t.Fatalf("events %+v, problems %v", evs, bad)
	}

	// Another customer whose phone and e-mail point at different customers is new.
	email := "lina@example.com"
	e.push(owner, mut(t, shop.KindCustomerAdd, "u-2", 0, shop.Customer{Nick: "别人", Email: email}))
	msg3 := inboundBody(t, storeapi.InboundMessage{ID: "wx-3", Conversation: "wx-conv-3", Customer: storeapi.InboundCustomer{ID: "wx-u3", Nick: "谁", Phone: phone, Email: email}, Text: "你好"})
	var third storeapi.InboundResult
	if st, b := e.inbound(cc.ID, cc.Secret, now, msg3); st != 200 || json.Unmarshal(b, &third) != nil {
		t.Fatalf("third: %d %s", st, b)
	}
	if third.Customer == "u-1" || third.Customer == "u-2" {
		t.Fatalf("a customer whose phone and e-mail disagree was matched to %s", third.Customer)
	}
	// The chat page, given the nick of the channel's customer, never opens the channel's
	// conversation.
	var start storeapi.ChatStartResponse
	e.call("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: "谁"}, 200, &start)
	if start.Conversation == third.Conversation {
		t.Fatal("the chat page opened an API channel's conversation")
	}
}

func TestChannelWebhookGetsStaffRepliesInOrder(t *testing.T) {
	e, owner, hook, cc := channelFixture(t)
	// The customer's first message gets the greeting (an auto-reply), then the staff reply.
	var res storeapi.InboundResult
	now := e.clock.Now().Unix()
	st, b := e.inbound(cc.ID, cc.Secret, now, inboundBody(t, storeapi.InboundMessage{ID: "q", Conversation: "conv-a", Customer: storeapi.InboundCustomer{ID: "ua", Nick: "甲"}, Text: "你好"}))
	if st != 200 || json.Unmarshal(b, &res) != nil {
		t.Fatalf("inbound: %d %s", st, b)
	}
	var want []string
	for i := range 8 {
		id := fmt.Sprintf("reply-%d", i)
		want = append(want, id)
		expectStatus(t, e.push(owner, mut(t, shop.KindChatSend, res.Conversation, 0, shop.ChatSend{MessageID: id, Text: fmt.Sprintf("回复 %d", i)}))[0], storeapi.StatusApplied)
	}
	waitFor(t /* every reply at the webhook */, func() bool { evs, _ := hook.got(); return len(evs) == 1+len(want) })
	evs, bad := hook.got()
	if len(bad) > 0 {
		t.Fatalf("problems: %v", bad)
	}
	for i, id := range want {
		ev := evs[i+1]
		if ev.ID != id || ev.From != shop.FromStaff || ev.Staff != "1001" || ev.Conversation != "conv-a" || ev.Customer != "ua" || ev.Text != fmt.Sprintf("回复 %d", i) {
			t.Fatalf("event %d: %+v, want %s", i+1, ev, id)
		}
	}
	var dl storeapi.DeliveriesResponse
	e.expectError("GET", storeapi.PathChannels+"/"+cc.ID+"/deliveries", e.login("alpha", "1002"), nil, http.StatusForbidden, storeapi.CodeForbidden)
	waitFor(t /* the deliveries recorded */, func() bool {
		e.call("GET", storeapi.PathChannels+"/"+cc.ID+"/deliveries", owner, nil, 200, &dl)
		for _, d := range dl.Deliveries {
			if d.State != shop.DeliveryDelivered {
				return false
			}
		}
		return len(dl.Deliveries) == 1+len(want)
	})
	if dl.Deliveries[0].ID != want[len(want)-1] {
		t.Fatalf("the log is not newest first: %+v", dl.Deliveries[0])
	}
	// A message of a conversation without a channel is not delivered anywhere.
	expectStatus(t, e.push(owner, mut(t, shop.KindChatSend, "c-1", 0, shop.ChatSend{MessageID: "plain", Text: "hi"}))[0], storeapi.StatusApplied)
	if _, ok := e.records(owner, shop.TypeDelivery)["plain"]; ok {
		t.Fatal("a chat-page conversation's message was queued for a webhook")
	}
}

func TestChannelWebhookDownAcrossRestart(t *testing.T) {
	e := channelEnv(t, t.TempDir())
	owner := e.login("alpha", "1001")
	hook := newHookReceiver(t, e.clock.Now)
	hook.down.Store(true)
	cc := e.createChannel(owner, "微信", hook.hs.URL)
	hook.setSecret(cc.Secret)
	now := e.clock.Now().Unix()
	convs := map[string]string{} // outside → Kefu conversation
	for _, c := range []string{"x", "y"} {
		var res storeapi.InboundResult
		st, b := e.inbound(cc.ID, cc.Secret, now, inboundBody(t, storeapi.InboundMessage{ID: "q-" + c, Conversation: c, Customer: storeapi.InboundCustomer{ID: "u-" + c, Nick: "客" + c}, Text: "你好"}))
		if st != 200 || json.Unmarshal(b, &res) != nil {
			t.Fatalf("inbound: %d %s", st, b)
		}
		convs[c] = res.Conversation
	}
	want := map[string][]string{}
	for i := range 5 {
		for _, c := range []string{"x", "y"} {
			id := fmt.Sprintf("r-%s-%d", c, i)
			want[c] = append(want[c], id)
			expectStatus(t, e.push(owner, mut(t, shop.KindChatSend, convs[c], 0, shop.ChatSend{MessageID: id, Text: id}))[0], storeapi.StatusApplied)
		}
	}
	// The webhook failed: the deliveries are retrying, with the reason.
	waitFor(t /* the head retrying */, func() bool {
		for _, r := range e.records(owner, shop.TypeDelivery) {
			var d shop.Delivery
			r.Decode(&d)
			if d.State == shop.DeliveryRetrying && d.LastError != "" && !d.RetryingSince.IsZero() {
				return true
			}
		}
		return false
	})
	if evs, _ := hook.got(); len(evs) != 0 {
		t.Fatalf("%d events while the webhook was down", len(evs))
	}

	e = e.restart()
	owner = e.login("alpha", "1001")
	hook.down.Store(false)
	e.clock.Advance(time.Hour) // past every backoff
	waitFor(t /* every message once the webhook is back */, func() bool {
		evs, _ := hook.got()
		seen := map[string]bool{}
		for _, ev := range evs {
			seen[ev.ID] = true
		}
		return len(seen) == 2+len(want["x"])+len(want["y"]) // the greetings, and the replies
	})
	evs, bad := hook.got()
	if len(bad) > 0 {
		t.Fatalf("problems: %v", bad)
	}
	// In order per conversation.
	got := map[string][]string{}
	for _, ev := range evs {
		if ev.From == shop.FromStaff && (len(got[ev.Conversation]) == 0 || got[ev.Conversation][len(got[ev.Conversation])-1] != ev.ID) {
			got[ev.Conversation] = append(got[ev.Conversation], ev.ID)
		}
	}
	for c, ids := range want {
		if fmt.Sprint(got[c]) != fmt.Sprint(ids) {
			t.Fatalf("conversation %s got %v, want %v", c, got[c], ids)
		}
	}
}

func TestChannelWebhookFailingConversationDoesNotDelayOthers(t *testing.T) {
	e := channelEnv(t, "")
	owner := e.login("alpha", "1001")
	good, bad, hung := newHookReceiver(t, e.clock.Now), newHookReceiver(t, e.clock.Now), newHookReceiver(t, e.clock.Now)
	bad.down.Store(true)
	bad.status.Store(http.StatusFound) // a redirect is a failure, not followed
	hung.down.Store(true)
	hung.hang = make(chan struct{})
	t.Cleanup(func() { close(hung.hang) })
	ch, cb, cg := e.createChannel(owner, "挂起", hung.hs.URL), e.createChannel(owner, "坏", bad.hs.URL), e.createChannel(owner, "好", good.hs.URL)
	good.setSecret(cg.Secret)
	now := e.clock.Now().Unix()
	for _, cc := range []storeapi.ChannelCreated{ch, cb, cg} {
		if st, b := e.inbound(cc.ID, cc.Secret, now, inboundBody(t, storeapi.InboundMessage{ID: "q", Conversation: "k", Customer: storeapi.InboundCustomer{ID: "u", Nick: "客"}, Text: "你好"})); st != 200 {
			t.Fatalf("inbound: %d %s", st, b)
		}
	}
	// The hung webhook holds its conversation only.
	waitFor(t /* the good webhook's greeting */, func() bool { evs, _ := good.got(); return len(evs) == 1 })
	waitFor(t /* the redirect recorded as a failure */, func() bool {
		for _, r := range e.records(owner, shop.TypeDelivery) {
			var d shop.Delivery
			r.Decode(&d)
			if d.Channel == cb.ID && d.State == shop.DeliveryRetrying && contains(d.LastError, "redirects are not followed") {
				return true
			}
		}
		return false
	})
	bad.mu.Lock()
	redirected := bad.calls
	bad.mu.Unlock()
	if redirected == 0 {
		t.Fatal("the bad webhook was never called")
	}
	// After 24 hours of failures the delivery fails and leaves the queue.
	e.clock.Advance(shop.DeliveryRetryFor + time.Hour)
	waitFor(t /* the delivery failed */, func() bool {
		for _, r := range e.records(owner, shop.TypeDelivery) {
			var d shop.Delivery
			r.Decode(&d)
			if d.Channel == cb.ID && d.State == shop.DeliveryFailed {
				return true
			}
		}
		return false
	})
}

func TestChannelPrivateWebhooksRefused(t *testing.T) {
	e := newEnv(t, "") // without AllowPrivateWebhooks
	owner := e.login("alpha", "1001")
	hook := newHookReceiver(t, e.clock.Now)
	for _, u := range []string{hook.hs.URL, "http://localhost:9/x", "http://10.1.2.3/x", "http://169.254.169.254/latest", "http://[::1]:80/", "http://192.168.1.1/"} {
		msg := e.expectError("POST", storeapi.PathChannels, owner, storeapi.ChannelRequest{Name: "内网", Webhook: u}, http.StatusBadRequest, storeapi.CodeBadRequest)
		if !contains(msg, "allow-private-webhooks") {
			t.Errorf("%s: %s", u, msg)
		}
	}
	// At dial time too: a name that resolved to a public address when it was set and to
	// loopback now (DNS rebinding) is refused when the request is made.
	failure := e.srv.webhooks.post(hook.hs.URL, "s", storeapi.WebhookEvent{ID: "x"})
	if !contains(failure, ErrPrivateAddress.Error()) {
		t.Fatalf("posting to loopback: %q", failure)
	}
	hook.mu.Lock()
	defer hook.mu.Unlock()
	if hook.calls != 0 {
		t.Fatal("the loopback webhook was called")
	}
}
