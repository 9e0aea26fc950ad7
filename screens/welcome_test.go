package screens

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
	"kefu/desk"
	"kefu/internal/version"
	"kefu/server"
	"kefu/shop"
)

// startStore serves a real kefu-store (no shop needed for /healthz) on a loopback port.
func startStore(t *testing.T) string {
	t.Helper()
	srv, err := server.New(server.Params{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return hs.URL
}

// checkServer is the desk's check, as main.go wires it.
func checkServer(server string) (string, error) {
	info, err := desk.CheckServer(context.Background(), server)
	if err != nil {
		return "", &SignInError{Cause: desk.CauseOf(err), Err: err}
	}
	return info.Version, nil
}

// welcomeRecorder is a welcome page in a test window, with what its callbacks were given.
type welcomeRecorder struct {
	w         *Welcome
	win       fyne.Window
	demo      int
	connected int
	signIns   []string // "server shop staff password"
}

func newTestWelcome(t *testing.T, lang string, p WelcomeParams) *welcomeRecorder {
	t.Helper()
	if err := assets.SetupLanguage(lang); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	r := &welcomeRecorder{}
	if p.Check == nil {
		p.Check = checkServer
	}
	p.SignIn = func(server, shopID, staff, password string) error {
		r.signIns = append(r.signIns, strings.Join([]string{server, shopID, staff, password}, " "))
		return nil
	}
	p.Connected = func() { r.connected++ }
	p.Demo = func() { r.demo++ }
	r.w = NewWelcome(p)
	r.w.async = func(f func()) { f() } // the test driver's fyne.Do runs in place
	r.win = test.NewTempWindow(t, r.w.Content())
	r.win.Resize(fyne.NewSize(1280, 780))
	r.w.Focus(r.win.Canvas())
	return r
}

// The first-run page offers both choices in the window's language; the demo choice does
// what --demo does (the launcher's callback).
func TestWelcomeOffersBothChoices(t *testing.T) {
	for _, c := range []struct{ lang, title, connect, demo string }{
		{assets.Chinese, "欢迎使用客服台", "连接我店铺的服务器", "试用演示店铺"},
		{assets.English, "Welcome to Kefu Desk", "Connect to my shop's server", "Try the demo shop"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			r := newTestWelcome(t, c.lang, WelcomeParams{})
			got := joined(r.w.Content())
			for _, want := range []string{c.title, c.connect, c.demo} {
				if !strings.Contains(got, want) {
					t.Errorf("the page lacks %q: %s", want, got)
				}
			}
			test.Tap(r.w.demo)
			if r.demo != 1 {
				t.Errorf("the demo choice ran %d times", r.demo)
			}
		})
	}
}

// Connecting: the address is checked at a real kefu-store, then the sign-in form for it
// signs in there; Change the address goes back with the address kept.
func TestWelcomeConnectsToARealStore(t *testing.T) {
	url := startStore(t)
	r := newTestWelcome(t, assets.Chinese, WelcomeParams{Staff: "1002"})
	test.Tap(r.w.connect)
	if r.w.shown != stepAddress || r.win.Canvas().Focused() != r.w.address {
		t.Fatalf("the connect choice did not show the address step with the cursor in it: %s", joined(r.w.Content()))
	}
	test.Type(r.w.address, url+"/")
	test.Tap(r.w.check)
	if r.w.shown != stepSignIn {
		t.Fatalf("a real kefu-store's address was not accepted: %s", joined(r.w.Content()))
	}
	l := r.w.login
	if got := l.serverLabel.Text; !strings.Contains(got, url) || !strings.Contains(got, "客服台店铺服务器 "+version.Release()) {
		t.Errorf("the sign-in form names the server as %q; want %s and its version", got, url)
	}
	if l.staffEntry.Text != "1002" {
		t.Errorf("the staff number is not prefilled: %q", l.staffEntry.Text)
	}
	test.Type(l.shopEntry, "demo")
	test.Type(l.password, "secret")
	test.Tap(l.submit)
	if want := url + " demo 1002 secret"; len(r.signIns) != 1 || r.signIns[0] != want || r.connected != 1 {
		t.Fatalf("signed in with %q (connected %d times); want %q", r.signIns, r.connected, want)
	}

	test.Tap(l.back)
	if r.w.shown != stepAddress || r.w.address.Text != url {
		t.Errorf("Change the address shows step %d with %q", r.w.shown, r.w.address.Text)
	}
}

// A wrong address is explained on the address step, which stays: nothing answering, a web
// page, an address that is not one; a name without a scheme is taken as https.
func TestWelcomeExplainsAWrongAddress(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<html><body>Not here</body></html>")
	}))
	t.Cleanup(page.Close)
	cases := []struct{ typed, server, want string }{
		{"http://127.0.0.1:9", "http://127.0.0.1:9", "无法连接服务器“http://127.0.0.1:9”"},
		{page.URL, page.URL, "不是客服台的店铺服务器：它返回的是一个网页"},
		{"http://", "http://", "不是有效的网址"},
		{"", "", "请输入您店铺服务器的地址"},
	}
	for _, c := range cases {
		t.Run(c.typed, func(t *testing.T) {
			r := newTestWelcome(t, assets.Chinese, WelcomeParams{})
			test.Tap(r.w.connect)
			r.w.address.SetText(c.typed)
			test.Tap(r.w.check)
			if r.w.shown != stepAddress || r.w.check.Disabled() {
				t.Fatalf("after a wrong address the page shows step %d (check disabled %v)", r.w.shown, r.w.check.Disabled())
			}
			if !strings.Contains(r.w.message.Text, c.want) {
				t.Errorf("the page says %q; want %q", r.w.message.Text, c.want)
			}
			if r.w.address.Text != c.server {
				t.Errorf("the address reads %q; want %q", r.w.address.Text, c.server)
			}
		})
	}
	if got := normalAddress(" store.example.com/ "); got != "https://store.example.com" {
		t.Errorf("a name without a scheme became %q", got)
	}
}

// menuItem finds the window menu's item labelled label.
func menuItem(t *testing.T, w fyne.Window, label string) *fyne.MenuItem {
	t.Helper()
	var all []string
	if m := w.MainMenu(); m != nil {
		for _, menu := range m.Items {
			for _, it := range menu.Items {
				if it.Label == label {
					return it
				}
				all = append(all, menu.Label+" › "+it.Label)
			}
		}
	}
	t.Fatalf("no %q in the window's menu: %q", label, all)
	return nil
}

// overlayButton finds the button labelled text in the window's dialogs.
func overlayButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Button:
			if x.Text == text {
				found = x
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
			return
		}
		if wd, ok := o.(fyne.Widget); ok {
			for _, c := range test.WidgetRenderer(wd).Objects() {
				walk(c)
			}
		}
	}
	for _, o := range w.Canvas().Overlays().List() {
		walk(o)
	}
	if found == nil {
		t.Fatalf("no %q button in the window's dialogs", text)
	}
	return found
}

// overlayText is the text of the window's dialogs.
func overlayText(w fyne.Window) string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if c, ok := o.(*fyne.Container); ok {
			for _, x := range c.Objects {
				walk(x)
			}
			return
		}
		out = append(out, texts(o)...)
		if wd, ok := o.(fyne.Widget); ok {
			for _, c := range test.WidgetRenderer(wd).Objects() {
				walk(c)
			}
		}
	}
	for _, o := range w.Canvas().Overlays().List() {
		walk(o)
	}
	return strings.Join(out, " | ")
}

// menuDesk is the fixture's desk in a window of its own, with the window menu main.go gives it.
func menuDesk(t *testing.T, f *fixture, switchShop func(), about *About) fyne.Window {
	t.Helper()
	win := test.NewTempWindow(t, nil)
	d := NewDesk(Params{Data: f.dk, Staff: f.staff, Window: win, App: fyne.CurrentApp(), ManualTick: true,
		Threads: Threads{Go: f.goWait, Do: f.queue}, SwitchShop: switchShop, About: about})
	t.Cleanup(d.Close)
	win.SetContent(d.Content())
	win.Resize(fyne.NewSize(1280, 780))
	f.drain()
	return win
}

// Switch shop or server asks first, says that the unsent work is kept when there is some, and
// switches only when confirmed.
func TestSwitchShopMenuItem(t *testing.T) {
	for _, pending := range []bool{false, true} {
		t.Run(fmt.Sprintf("pending=%v", pending), func(t *testing.T) {
			f := newFixture(t)
			switched := 0
			win := menuDesk(t, f, func() { switched++ }, nil)
			if pending {
				a := desk.Action{Kind: shop.KindPhrasePut, Entity: "p-test", Data: shop.QuickPhrase{Shortcut: "hi", Text: "亲，在的"}}
				if _, err := f.dk.Apply(context.Background(), a); err != nil {
					t.Fatal(err)
				}
			}
			item := menuItem(t, win, "切换店铺或服务器…")
			item.Action()
			got := overlayText(win)
			if !strings.Contains(got, "切换店铺或服务器？") || !strings.Contains(got, "您将退出这家店铺") {
				t.Fatalf("the confirmation says: %s", got)
			}
			const kept = "还有 1 项操作没有送达服务器。它们不会丢失"
			if strings.Contains(got, kept) != pending {
				t.Errorf("with pending=%v the confirmation says: %s", pending, got)
			}
			test.Tap(overlayButton(t, win, "取消"))
			if switched != 0 {
				t.Fatal("Cancel switched shop")
			}
			item.Action()
			test.Tap(overlayButton(t, win, "退出并切换"))
			if switched != 1 {
				t.Errorf("confirming switched %d times", switched)
			}
		})
	}
}

// The About box (Help › About Kefu Desk) names the desk, its version and commit, the server
// and its version, the data folder (whose path it copies) and the font's licence.
func TestAboutBox(t *testing.T) {
	f := newFixture(t)
	about := &About{Server: "https://store.example.com", DataDir: "/home/lin/.config/kefu-desk",
		ServerVersion: func(context.Context) (string, error) { return "0.2.0 (commit 1fc8fde2a3b4)", nil }}
	win := menuDesk(t, f, func() {}, about)
	menuItem(t, win, "关于客服台").Action()
	f.drain()
	got := overlayText(win)
	for _, want := range []string{"Kefu Desk 客服台", "版本 " + version.Version + "，提交 " + version.Commit(),
		"https://store.example.com", "kefu-store 0.2.0 (commit 1fc8fde2a3b4)", "/home/lin/.config/kefu-desk",
		"字体许可", "SIL OPEN FONT LICENSE Version 1.1"} {
		if !strings.Contains(got, want) {
			t.Errorf("the About box lacks %q: %s", want, got)
		}
	}
	test.Tap(overlayButton(t, win, "复制文件夹路径"))
	if c := fyne.CurrentApp().Clipboard().Content(); c != about.DataDir {
		t.Errorf("the clipboard holds %q", c)
	}

	// A server that does not answer leaves its version unknown, said so.
	b := newAboutBox(f.desk.env, About{Server: "http://127.0.0.1:9", DataDir: "d",
		ServerVersion: func(context.Context) (string, error) { return "", fmt.Errorf("no answer") }})
	f.drain()
	if got := b.serverVersion.Text; !strings.Contains(got, "服务器版本未知") {
		t.Errorf("an unanswered version reads %q", got)
	}
}
