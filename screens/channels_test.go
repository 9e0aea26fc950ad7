package screens

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
	"kefu/demostore"
	"kefu/desk"
	"kefu/localdb"
	"kefu/server"
	"kefu/shop"
	"kefu/storeapi"
)

// webhookReceiver is a channel's webhook on loopback: it checks each call's signature and
// keeps the events.
type webhookReceiver struct {
	hs     *httptest.Server
	mu     gosync.Mutex
	secret string
	events []storeapi.WebhookEvent
	bad    []string
}

func newWebhookReceiver(t *testing.T) *webhookReceiver {
	h := &webhookReceiver{}
	h.hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		if err := storeapi.VerifySignature(h.secret, r.Header.Get(storeapi.HeaderTimestamp), r.Header.Get(storeapi.HeaderSignature), body, time.Now()); err != nil {
			h.bad = append(h.bad, err.Error())
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev storeapi.WebhookEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			h.bad = append(h.bad, err.Error())
		}
		h.events = append(h.events, ev)
	}))
	t.Cleanup(h.hs.Close)
	return h
}

func (h *webhookReceiver) setSecret(s string) {
	h.mu.Lock()
	h.secret = s
	h.mu.Unlock()
}

// got reports whether the receiver was sent a message with the text.
func (h *webhookReceiver) got(text string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ev := range h.events {
		if ev.Text == text {
			return true
		}
	}
	return false
}

// storeFixture is a desk signed in to a real kefu-store on loopback (the demo shop), synced,
// in a test window whose background work runs on goroutines of its own.
type storeFixture struct {
	*fixture
	url string
}

// newStoreFixture starts a kefu-store with the demo shop (webhooks to loopback allowed when
// private), signs staff member number in and waits for the first sync.
func newStoreFixture(t *testing.T, number string, private bool) *storeFixture {
	t.Helper()
	if err := assets.SetupLanguage(assets.Chinese); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Params{AllowPrivateWebhooks: private, WebhookRetry: 50 * time.Millisecond, PasswordCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := demostore.Seed(t.Context(), srv); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })

	a := test.NewTempApp(t)
	a.Settings().SetTheme(assets.Theme())
	f := &fixture{t: t}
	f.db, err = localdb.Open(localdb.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	f.dk, err = desk.Open(desk.Params{Store: f.db, Server: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.dk.Close)
	sess, err := f.dk.SignInDemo(t.Context(), demostore.Shop, number, demostore.Password)
	if err != nil {
		t.Fatal(err)
	}
	f.staff = sess.Staff
	var mu gosync.Mutex
	var st desk.SyncStatus
	if st, err = f.dk.Start(sess, func(s desk.SyncStatus) { mu.Lock(); st = s; mu.Unlock() }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		synced := st.State == "online" && !st.LastSync.IsZero()
		mu.Unlock()
		if synced {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the desk did not sync in 30 s: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.win = test.NewTempWindow(t, nil)
	f.desk = NewDesk(Params{Data: f.dk, Staff: f.staff, Window: f.win, App: a, ManualTick: true,
		Threads: Threads{Go: func(work func()) { go work() }, Do: f.queue}})
	f.win.SetContent(f.desk.Content())
	f.win.Resize(fyne.NewSize(1280, 780))
	cancel := f.dk.Subscribe(func(c desk.Change) { f.queue(func() { f.desk.Refresh(c.Types) }) })
	t.Cleanup(cancel)
	t.Cleanup(f.desk.Close)
	f.waitFor("the chat list to load", func() bool { return f.desk.chat.count.String() != "" })
	return &storeFixture{fixture: f, url: hs.URL}
}

// railLabels are the labels of the rail's entries, sections and tools.
func railLabels(r *rail) []string {
	var out []string
	for _, o := range r.list.Objects {
		if it, ok := o.(*railItem); ok {
			out = append(out, it.label)
		}
	}
	return out
}

// tapRail taps the rail's entry with the label.
func tapRail(t *testing.T, r *rail, label string) {
	t.Helper()
	for _, o := range r.list.Objects {
		if it, ok := o.(*railItem); ok && it.label == label {
			test.Tap(it)
			return
		}
	}
	t.Fatalf("no rail entry %q in %v", label, railLabels(r))
}

// deepButton finds the button with the text under o, walking into widgets too.
func deepButton(o fyne.CanvasObject, text string) *widget.Button {
	if b, ok := o.(*widget.Button); ok {
		if b.Text == text {
			return b
		}
		return nil
	}
	var kids []fyne.CanvasObject
	if c, ok := o.(*fyne.Container); ok {
		kids = c.Objects
	} else if w, ok := o.(fyne.Widget); ok {
		kids = test.WidgetRenderer(w).Objects()
	}
	for _, k := range kids {
		if b := deepButton(k, text); b != nil {
			return b
		}
	}
	return nil
}

// tapOverlay taps the button with the text in the window's top overlay (a dialog).
func tapOverlay(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog is open to tap %q in", text)
	}
	b := deepButton(top, text)
	if b == nil {
		t.Fatalf("no button %q in the dialog: %s", text, strings.Join(chatTexts(top), " | "))
	}
	test.Tap(b)
}

// postInbound posts a customer's message to a channel, signed with its secret.
func postInbound(t *testing.T, base, channel, secret string, m storeapi.InboundMessage) storeapi.InboundResult {
	t.Helper()
	body, _ := json.Marshal(m)
	req, _ := http.NewRequest(http.MethodPost, base+storeapi.PathChannels+"/"+channel+"/messages", bytes.NewReader(body))
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(storeapi.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(storeapi.HeaderSignature, storeapi.Sign(secret, ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("inbound message: %d %s", resp.StatusCode, raw)
	}
	var res storeapi.InboundResult
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// TestChannelsThroughTheStore drives the Channels screen and the chat against a real
// kefu-store: an owner creates a channel (its secret shown once), a signed inbound message
// appears in the chat list with the channel's tag, a reply shows its delivery turning to
// delivered, the delivery log lists it, and the channel is paused and deleted.
func TestChannelsThroughTheStore(t *testing.T) {
	f := newStoreFixture(t, demostore.Owner, true)
	hook := newWebhookReceiver(t)
	s := f.desk.channels
	if s == nil {
		t.Fatal("the owner's desk has no Channels screen")
	}
	tapRail(t, f.desk.rail, lang.L("Channels"))
	f.waitFor("the empty channel list", func() bool { return s.empty.Visible() && !s.msg.Visible() })

	// Create: the secret is shown once, with a copy button.
	test.Tap(s.newBtn)
	if s.form.name == nil {
		t.Fatal("the new channel form did not open")
	}
	s.form.name.SetText("微信小程序")
	s.form.webhook.SetText(hook.hs.URL + "/kefu")
	tapOverlay(t, f.win, lang.L("Create"))
	f.waitFor("the secret to show", func() bool { return s.shownSecret != "" })
	secret := s.shownSecret
	if s.secretVal == nil || s.secretVal.Text != secret || !chatOverlayShows(f.win, "只显示这一次") {
		t.Errorf("the secret dialog does not show the secret and the warning: %s", strings.Join(chatTexts(f.win.Canvas().Overlays().Top()), " | "))
	}
	tapOverlay(t, f.win, lang.L("Copy the secret"))
	if got := fyne.CurrentApp().Clipboard().Content(); got != secret {
		t.Errorf("clipboard = %q, want the secret", got)
	}
	tapOverlay(t, f.win, lang.L("I have copied it"))
	f.waitFor("the new channel in the list", func() bool { return s.sel != nil && s.sel.Name == "微信小程序" })
	if s.shownSecret != "" || strings.Contains(strings.Join(chatTexts(s.tabs), " "), secret) {
		t.Error("the secret is still shown after its dialog closed")
	}
	ch := *s.sel
	hook.setSecret(secret)

	// An inbound message appears in the chat list with the channel's tag.
	tapOverlay(t, f.win, lang.L("Close"))
	res := postInbound(t, f.url, ch.ID, secret, storeapi.InboundMessage{ID: "wx-1", Conversation: "wxc-1",
		Customer: storeapi.InboundCustomer{ID: "wxu-1", Nick: "小程序用户"}, Text: "有红色的吗？"})
	c := f.desk.chat
	c.search.SetText("小程序用户") // the demo shop's older waiting conversations come first
	f.waitFor("the channel's conversation in the chat list", func() bool {
		f.desk.Tick()
		return c.list.index(res.Conversation) >= 0
	})
	i := c.list.index(res.Conversation)
	row := newConvRow().(*convRow)
	c.updateRow(i, row)
	if got := row.tag.String(); got != "微信小程序" {
		t.Errorf("the row's channel tag = %q", got)
	}
	for j, conv := range c.convs {
		if conv.Channel == "" {
			c.updateRow(j, row)
			if got := row.tag.String(); got != "" {
				t.Errorf("a chat page conversation has the tag %q", got)
			}
			break
		}
	}
	c.picker.pick(i)
	f.waitFor("the conversation to open", func() bool { return c.open != nil && c.open.ID == res.Conversation })
	if !strings.Contains(c.info.String(), "微信小程序") {
		t.Errorf("the thread header does not name the channel: %q", c.info.String())
	}

	// A reply shows its delivery state, delivered once the webhook took it.
	if err := waitedAsync(f.fixture, func(done func(error)) { c.sendMessage("有的，红色 110 有货", nil, done) }); err != nil {
		t.Fatal(err)
	}
	f.waitFor("the reply to show it was delivered", func() bool {
		f.desk.Tick()
		for _, b := range c.thread.bubbles {
			if b.data.text == "有的，红色 110 有货" {
				return strings.HasSuffix(b.data.meta, " · ✓ "+lang.L("Delivered"))
			}
		}
		return false
	})
	if !hook.got("有的，红色 110 有货") {
		t.Error("the webhook did not get the reply")
	}

	// The delivery log lists it; pause, resume is offered; delete after asking.
	tapRail(t, f.desk.rail, lang.L("Channels"))
	f.waitFor("the delivery log", func() bool { return len(s.log) > 0 })
	if r := s.log[0]; r.d.State != shop.DeliveryDelivered || r.text != "有的，红色 110 有货" || r.nick != "小程序用户" {
		t.Errorf("the log's first row = %+v", r)
	}
	test.Tap(s.pauseBtn)
	f.waitFor("the channel to show paused", func() bool { return s.sel != nil && s.sel.Paused && s.pauseBtn.Text == lang.L("Resume") })
	chs, err := f.dk.FetchChannels(t.Context())
	if err != nil || len(chs) != 1 || !chs[0].Paused {
		t.Errorf("the server's channels after pausing: %+v, %v", chs, err)
	}
	test.Tap(s.delete)
	tapOverlay(t, f.win, lang.L("Yes"))
	f.waitFor("the channel to be gone", func() bool { return len(s.chans) == 0 && s.empty.Visible() })
	if chs, err := f.dk.FetchChannels(t.Context()); err != nil || len(chs) != 0 {
		t.Errorf("the server's channels after deleting: %+v, %v", chs, err)
	}
	tapOverlay(t, f.win, lang.L("Close"))
	f.waitFor("the tag of the deleted channel", func() bool {
		f.desk.Tick() // draws the changes the feed brought within refreshEvery of the last
		return strings.Contains(c.info.String(), lang.L("Deleted channel"))
	})
}

// waitedAsync runs an action that reports through a callback on the fixture's "Fyne
// goroutine" and waits for the report.
func waitedAsync(f *fixture, action func(done func(error))) error {
	var got error
	called := false
	action(func(err error) { got, called = err, true })
	f.waitFor("the action to report", func() bool { return called })
	return got
}

// TestChannelsRefusals checks what the screen says when the server refuses: a webhook on
// loopback (kefu-store without --allow-private-webhooks), and that an agent has no Channels
// screen and the server refuses the agent's calls.
func TestChannelsRefusals(t *testing.T) {
	f := newStoreFixture(t, demostore.Owner, false)
	s := f.desk.channels
	tapRail(t, f.desk.rail, lang.L("Channels"))
	f.waitFor("the channel list", func() bool { return s.empty.Visible() && !s.msg.Visible() })
	test.Tap(s.newBtn)
	s.form.name.SetText("内部桥")
	s.form.webhook.SetText("http://127.0.0.1:9/kefu")
	if b := deepButton(f.win.Canvas().Overlays().Top(), lang.L("Create")); b == nil || b.Disabled() {
		t.Fatalf("the form's create button is missing or disabled: %v", b)
	}
	tapOverlay(t, f.win, lang.L("Create"))
	f.waitFor("the refusal", func() bool { return s.msg.Visible() })
	if want := channelErrorText(desk.ErrPrivateWebhook); s.msg.Text != want {
		t.Errorf("refusal = %q, want %q", s.msg.Text, want)
	}
	if !strings.Contains(s.msg.Text, "内网") {
		t.Errorf("the refusal is not in the window's language: %q", s.msg.Text)
	}

	// The website widget: its snippet, and the sites kept as the server cleans them.
	s.tabs.SelectIndex(1)
	want := `<script src="` + f.url + `/c/demo/widget.js" async></script>`
	f.waitFor("the widget's snippet", func() bool { return s.snippet.Text == want })
	s.sites.SetText("https://Shop.example.com/\n\nhttps://shop.example.com")
	test.Tap(s.saveSites)
	f.waitFor("the sites as kept", func() bool { return s.sites.Text == "https://shop.example.com" })
	s.sites.SetText("ftp://shop.example.com")
	test.Tap(s.saveSites)
	f.waitFor("the refused site", func() bool { return s.msg.Visible() })
	if !strings.HasPrefix(s.msg.Text, "服务器拒绝：") || !strings.Contains(s.msg.Text, "ftp://shop.example.com") {
		t.Errorf("refusal of a site = %q", s.msg.Text)
	}

	t.Run("agent", func(t *testing.T) {
		// The agent's desk, on the same kind of store.
		a := newStoreFixture(t, demostore.Agent, false)
		if a.desk.channels != nil {
			t.Error("an agent's desk has the Channels screen")
		}
		for _, l := range railLabels(a.desk.rail) {
			if l == lang.L("Channels") {
				t.Error("an agent's rail shows Channels")
			}
		}
		_, err := a.dk.SetWidgetSites(context.Background(), []string{"https://shop.example.com"})
		if err == nil || channelErrorText(err) != lang.L("Only the shop's owner or a manager may manage channels and the website widget.") {
			t.Errorf("an agent setting the widget's sites: %v (%s)", err, channelErrorText(err))
		}
	})
}

// TestChannelsOffline checks that the Channels screen says it needs the server when the desk
// has no connection to it.
func TestChannelsOffline(t *testing.T) {
	f := newFixture(t) // the demo shop, with no server behind the desk
	s := newChannelsScreen(f.desk.env, f.dk)
	s.show()
	f.waitFor("the screen to say it needs the server", func() bool { return s.msg.Visible() })
	if want := channelErrorText(desk.ErrNeedsServer); s.msg.Text != want || !strings.Contains(want, "服务器") {
		t.Errorf("offline message = %q, want %q", s.msg.Text, want)
	}
}

// TestDeliveryText checks the delivery states a channel message's bubble shows.
func TestDeliveryText(t *testing.T) {
	if err := assets.SetupLanguage(assets.Chinese); err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 5, 15, 15, 4, 0, 0, shop.ShopZone)
	for _, c := range []struct {
		d      shop.Delivery
		want   string
		failed bool
	}{
		{shop.Delivery{State: shop.DeliveryDelivered}, "✓ 已送达", false},
		{shop.Delivery{State: shop.DeliveryPending}, "投递中", false},
		{shop.Delivery{State: shop.DeliveryRetrying, RetryingSince: since}, "15:04 起重试中", false},
		{shop.Delivery{State: shop.DeliveryFailed, LastError: `Post "https://bridge.example.com/kefu": dial tcp: i/o timeout`}, "未送达：dial tcp: i/o timeout", true},
		{shop.Delivery{State: shop.DeliveryFailed}, "未送达", true},
		{shop.Delivery{State: shop.DeliveryFailed, LastError: strings.Repeat("x", 100)}, "未送达：" + strings.Repeat("x", maxReasonRunes) + "…", true},
	} {
		got, failed := deliveryText(c.d)
		if got != c.want || failed != c.failed {
			t.Errorf("%s: got %q, %v; want %q, %v", c.d.State, got, failed, c.want, c.failed)
		}
	}
}
