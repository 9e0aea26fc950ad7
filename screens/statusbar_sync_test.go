package screens

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
	"kefu/desk"
	"kefu/internal/testkit"
	"kefu/shop"
)

// rawUnreachable is the kind of error the sync engine reports when the server is gone.
const rawUnreachable = `store server unreachable: Get "http://127.0.0.1:8420/v1/changes?after=302&limit=2000": dial tcp 127.0.0.1:8420: connect: connection refused`

// Offline and signed out, the status bar says why in words of the window's language, for each
// kind of failure, never the error as it came; offline it offers "reconnect now", online and
// signed out (signing in again helps then) it does not.
func TestStatusBarOfflineReasons(t *testing.T) {
	f := newFixture(t)
	b := f.desk.status
	since := time.Date(2026, 5, 15, 14, 5, 0, 0, shop.ShopZone)
	cases := []struct {
		state, cause string
		zh, en       string
	}{
		{SyncOffline, CauseUnreachable, "离线（14:05 起） · 服务器无法连接", "Offline since 14:05 · server unreachable"},
		{SyncOffline, CauseNetworkDown, "离线（14:05 起） · 网络断开", "Offline since 14:05 · no network"},
		{SyncOffline, CauseServerError, "离线（14:05 起） · 服务器出错", "Offline since 14:05 · server error"},
		{SyncOffline, "other", "离线（14:05 起） · 连接出错", "Offline since 14:05 · connection problem"},
		{SyncOffline, CauseWebPage, "服务器地址有误？", "Wrong server address?"},
		{SyncSignedOut, CauseSignedOut, "已退出登录 · 登录已过期", "Signed out · sign-in expired"},
	}
	check := func(language string, want func(int) string) {
		t.Helper()
		for i, c := range cases {
			v := SyncView{State: c.state, Cause: c.cause, Err: rawUnreachable, LastSync: since.Add(-time.Hour)}
			if c.state == SyncOffline {
				v.Since = since
			}
			f.desk.SetSync(v)
			if b.sync.Text != want(i) {
				t.Errorf("%s, %s (%s): the bar says %q; want %q", language, c.state, c.cause, b.sync.Text, want(i))
			}
			if bar := joined(b.row); strings.Contains(bar, "127.0.0.1") || strings.Contains(bar, "Get ") {
				t.Errorf("%s, %s: the raw error shows in the bar: %s", language, c.cause, bar)
			}
			if offline := c.state == SyncOffline; b.reconnect.Visible() != offline {
				t.Errorf("%s, %s: reconnect-now button visible %v; want %v", language, c.cause, b.reconnect.Visible(), offline)
			}
		}
		f.desk.SetSync(SyncView{State: SyncOnline})
		if b.reconnect.Visible() {
			t.Errorf("%s: reconnect now offered while online", language)
		}
	}
	check("zh", func(i int) string { return cases[i].zh })
	if b.reconnect.Text != "立即重连" {
		t.Errorf("the button says %q", b.reconnect.Text)
	}
	if err := assets.SetupLanguage(assets.English); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { assets.SetupLanguage(assets.Chinese) })
	check("en", func(i int) string { return cases[i].en })
	if b.reconnect.Text != "Reconnect" {
		t.Errorf("the English button says %q", b.reconnect.Text)
	}
}

// retryLater is a store server that answers everything with 503 and Retry-After: 600, so that
// a sync engine against it waits ten minutes between tries unless told to try at once.
type retryLater struct{ requests atomic.Int32 }

func (s *retryLater) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", "600")
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write([]byte(`{"code":"unavailable","message":"restarting"}`))
}

// startRetryLater starts the fixture desk's real sync engine against a retryLater server and
// waits for its first try, after which it pauses for ten minutes.
func startRetryLater(t *testing.T, f *fixture) (*retryLater, string) {
	t.Helper()
	srv := &retryLater{}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	f.dk.UseServer(hs.URL)
	if _, err := f.dk.Start(desk.Session{Staff: f.staff, Token: "test-token"}, nil); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the engine's first try", func() bool { return srv.requests.Load() == 1 })
	return srv, hs.URL
}

// syncDetailsTexts is every text in the window's top overlay (a dialog), laid out.
func syncDetailsTexts(w fyne.Window) string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var out []string
	for _, o := range test.LaidOutObjects(top) {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		}
	}
	return strings.Join(out, " | ")
}

// syncDetailsButton is the button of the window's top overlay that says text, or nil.
func syncDetailsButton(w fyne.Window, text string) *widget.Button {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			return b
		}
	}
	return nil
}

// A tap on the sync state opens the details: the reason in words, the server's address, since
// when offline, the last sync, the countdown to the next try and the error as it came. Their
// "reconnect now", and the status bar's, make the desk's real sync engine try the server at
// once, even in a pause of ten minutes the server asked for.
func TestSyncDetailsAndReconnectNow(t *testing.T) {
	f := newFixture(t)
	b := f.desk.status
	srv, url := startRetryLater(t, f)
	b.server = url
	since := testNow.Add(-10 * time.Minute)
	f.desk.SetSync(SyncView{State: SyncOffline, Cause: CauseUnreachable, Err: rawUnreachable, Since: since,
		LastSync: since.Add(-time.Minute), NextTry: testNow.Add(3 * time.Second)})

	test.Tap(b.sync)
	got := syncDetailsTexts(f.win)
	for _, want := range []string{"与服务器的连接", "服务器无法连接", url, fmtFull(since), fmtFull(since.Add(-time.Minute)),
		"3 秒后", rawUnreachable, "立即重连", "关闭"} {
		if !strings.Contains(got, want) {
			t.Errorf("the details lack %q: %s", want, got)
		}
	}
	// A new probe while the details are open: the countdown follows, the bar stays as it is.
	f.desk.SetSync(SyncView{State: SyncOffline, Cause: CauseUnreachable, Err: rawUnreachable, Since: since,
		LastSync: since.Add(-time.Minute), NextTry: testNow.Add(time.Second)})
	if got := syncDetailsTexts(f.win); !strings.Contains(got, "1 秒后") {
		t.Errorf("the countdown did not follow the new try: %s", got)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("%d requests before reconnect now; the server asked for ten minutes", n)
	}
	btn := syncDetailsButton(f.win, "立即重连")
	if btn == nil {
		t.Fatal("no reconnect-now button in the details")
	}
	test.Tap(btn)
	testkit.WaitFor(t, "the engine's try after reconnect now in the details", func() bool { return srv.requests.Load() >= 2 })
	if f.win.Canvas().Overlays().Top() != nil {
		t.Error("the details stay open after reconnect now")
	}

	// The status bar's own button does the same, and says it is reconnecting meanwhile.
	n := srv.requests.Load()
	if !b.reconnect.Visible() {
		t.Fatal("no reconnect-now button in the bar while offline")
	}
	test.Tap(b.reconnect)
	if b.sync.Text != "正在重连…" {
		t.Errorf("after reconnect now the bar says %q", b.sync.Text)
	}
	testkit.WaitFor(t, "the engine's try after the bar's reconnect now", func() bool { return srv.requests.Load() > n })
	// The try failed: the engine's next status differs only in its next try, and the bar says
	// offline and why again.
	f.desk.SetSync(SyncView{State: SyncOffline, Cause: CauseUnreachable, Err: rawUnreachable, Since: since,
		LastSync: since.Add(-time.Minute), NextTry: testNow.Add(2 * time.Second)})
	if b.sync.Text != "离线（"+fmtClock(since)+" 起） · 服务器无法连接" {
		t.Errorf("after a failed reconnect the bar says %q", b.sync.Text)
	}

	// Online, the details have nothing to count down to.
	f.desk.SetSync(SyncView{State: SyncOnline, LastSync: testNow})
	test.Tap(b.sync)
	got = syncDetailsTexts(f.win)
	if !strings.Contains(got, "在线") || strings.Contains(got, "秒后") || strings.Contains(got, rawUnreachable) {
		t.Errorf("online details: %s", got)
	}
}
