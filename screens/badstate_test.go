package screens

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"kefu/assets"
	"kefu/localdb"
	"kefu/shop"
)

// newFullDiskFixture is a desk whose store's disk can be made full (full.Store(true)): the real
// local store then refuses every write with localdb.ErrDiskFull.
func newFullDiskFixture(t *testing.T) (*fixture, *atomic.Bool) {
	full := &atomic.Bool{}
	f := newFixtureWith(t, localdb.Options{InMemory: true, FreeSpace: func(string) (uint64, error) {
		if full.Load() {
			return 3 << 20, nil
		}
		return 500 << 30, nil
	}})
	return f, full
}

// A chat reply sent while the disk is full is not lost: the staff member is told in plain
// words, the text stays in the composer, nothing is half-recorded; sent again once there is
// room, it goes out as typed.
func TestChatReplyOnAFullDiskStaysInTheComposer(t *testing.T) {
	f, full := newFullDiskFixture(t)
	d := f.desk
	waiting, err := f.db.Conversations(localdb.FilterWaiting, "", "", 1)
	if err != nil || len(waiting) == 0 {
		t.Fatalf("waiting conversations: %v", err)
	}
	d.chat.picker.pick(d.chat.list.index(waiting[0].ID))
	before := len(f.outbox())
	const text = "您好，这件外套 130 码还有货，今天下午发出"

	full.Store(true)
	test.Type(d.chat.composer, text)
	d.chat.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if d.chat.composer.Text != text {
		t.Fatalf("after the failed send the composer holds %q; want %q", d.chat.composer.Text, text)
	}
	if n := len(f.outbox()); n != before {
		t.Fatalf("the outbox went from %d to %d on a full disk", before, n)
	}
	if !chatOverlayShows(f.win, "磁盘已满") || !chatOverlayShows(f.win, "您输入的内容还在") {
		t.Errorf("the failure shows %q; want the disk-full message", strings.Join(chatTexts(f.win.Canvas().Overlays().Top()), " "))
	}
	chatCloseOverlays(f.win)

	full.Store(false) // space freed: the same Enter sends it
	d.chat.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if d.chat.composer.Text != "" {
		t.Errorf("the composer still holds %q after sending", d.chat.composer.Text)
	}
	out := f.outbox()
	var p shop.ChatSend
	if len(out) != before+1 || decodeJSON(out[len(out)-1].Data, &p) != nil || p.Text != text {
		t.Fatalf("after the retry the outbox has %d (want %d), last %s", len(out), before+1, out[len(out)-1].Data)
	}
}

// An order note written while the disk is full stays in the form (text and reason), with the
// disk-full message; added again once there is room, it is recorded as written.
func TestOrderNoteOnAFullDiskStaysInTheForm(t *testing.T) {
	f, full := newFullDiskFixture(t)
	d := f.desk
	orders, err := f.db.SearchOrders("", localdb.OrderFilter{Status: shop.StatusPaid}, 3)
	if err != nil || len(orders) == 0 {
		t.Fatalf("paid orders: %v", err)
	}
	d.Show(SectionOrders)
	test.Type(d.orders.search, orders[0].ID)
	if d.orders.open == nil {
		t.Fatal("the order did not open")
	}
	before := len(f.outbox())

	full.Store(true)
	test.Type(d.orders.noteReason, "顾客来电")
	test.Type(d.orders.noteText, "地址改为 上海市浦东新区 88 号")
	test.Tap(d.orders.noteAdd)
	if d.orders.noteText.Text != "地址改为 上海市浦东新区 88 号" || d.orders.noteReason.Text != "顾客来电" {
		t.Fatalf("after the failure the form holds %q / %q", d.orders.noteText.Text, d.orders.noteReason.Text)
	}
	if n := len(f.outbox()); n != before {
		t.Fatalf("the outbox went from %d to %d on a full disk", before, n)
	}
	if !chatOverlayShows(f.win, "磁盘已满") {
		t.Errorf("the failure shows %q; want the disk-full message", strings.Join(chatTexts(f.win.Canvas().Overlays().Top()), " "))
	}
	chatCloseOverlays(f.win)

	full.Store(false)
	test.Tap(d.orders.noteAdd)
	if d.orders.noteText.Text != "" {
		t.Errorf("the form still holds %q after the note was added", d.orders.noteText.Text)
	}
	out := f.outbox()
	if len(out) != before+1 || !strings.Contains(string(out[len(out)-1].Data), "上海市浦东新区 88 号") ||
		!strings.Contains(string(out[len(out)-1].Data), "顾客来电") {
		t.Fatalf("after the retry the outbox has %d (want %d)", len(out), before+1)
	}
}

// A wrong server at the desk's address shows in the status bar as what it is, in words, and
// not as plain offline; the pending count is the store's own. The same for a full disk met
// while syncing. Back online, the banner goes.
func TestStatusBarExplainsAWrongServer(t *testing.T) {
	f := newFixture(t)
	b := f.desk.status
	b.server = "http://192.168.1.20:8420"
	f.desk.SetSync(SyncView{State: SyncOffline, Cause: CauseWebPage,
		Err: "the server did not answer like a Kefu store (it answered with a web page): POST /v1/mutations"})
	if !b.banner.Visible() || !strings.Contains(b.bannerText.Text, "服务器“http://192.168.1.20:8420”不是客服台的店铺服务器") ||
		!strings.Contains(b.bannerText.Text, "网页") || !strings.Contains(b.bannerText.Text, "请检查服务器地址") {
		t.Errorf("web page: banner visible %v, %q", b.banner.Visible(), b.bannerText.Text)
	}
	if bar := joined(b.row); b.sync.Text != "服务器地址有误？" || strings.Contains(bar, "/v1/") {
		t.Errorf("web page: state %q, bar %q", b.sync.Text, bar)
	}
	f.desk.SetSync(SyncView{State: SyncOffline, Cause: CauseNotKefuStore, Err: "x"})
	if !strings.Contains(b.bannerText.Text, "不是客服台的店铺服务器") || strings.Contains(b.bannerText.Text, "网页") {
		t.Errorf("not a store: %q", b.bannerText.Text)
	}
	f.desk.SetSync(SyncView{State: SyncOffline, Cause: CauseServerError, Err: "server answered 502 Bad Gateway: <html>"})
	if bar := joined(b.row); !strings.Contains(b.bannerText.Text, "服务器“http://192.168.1.20:8420”返回了错误") || strings.Contains(bar, "502") {
		t.Errorf("a proxy's 502 page: %q, bar %q", b.bannerText.Text, bar)
	}
	f.desk.SetSync(SyncView{State: SyncOnline, Cause: CauseDiskFull, Err: "changes not received: disk full"})
	if !b.banner.Visible() || !strings.Contains(b.bannerText.Text, "磁盘已满") {
		t.Errorf("disk full: %q", b.bannerText.Text)
	}
	f.desk.SetSync(SyncView{State: SyncOnline})
	if b.banner.Visible() {
		t.Errorf("online: the banner still shows %q", b.bannerText.Text)
	}

	if err := assets.SetupLanguage(assets.English); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { assets.SetupLanguage(assets.Chinese) })
	f.desk.SetSync(SyncView{State: SyncOffline, Cause: CauseWebPage})
	if want := "The server at http://192.168.1.20:8420 is not a Kefu store: it answered with a web page. Check the address"; !strings.HasPrefix(b.bannerText.Text, want) {
		t.Errorf("in English: %q", b.bannerText.Text)
	}
}

// The sign-in form says in words what went wrong: a web page or another service at the
// address, the wrong password, no answer; what was typed stays in the form.
func TestSignInExplainsWhatWentWrong(t *testing.T) {
	if err := assets.SetupLanguage(assets.Chinese); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	const server = "http://192.168.1.20:8420"
	cases := []struct {
		cause string
		want  string
	}{
		{CauseWebPage, "服务器“" + server + "”不是客服台的店铺服务器：它返回的是一个网页。请检查服务器地址"},
		{CauseNotKefuStore, "服务器“" + server + "”不是客服台的店铺服务器：它的回应不是店铺服务器的格式"},
		{CauseWrongPassword, "店铺、工号或密码不正确"},
		{CauseUnreachable, "无法连接服务器“" + server + "”"},
	}
	for _, c := range cases {
		var calls atomic.Int32
		l := NewLogin(server, "demo", "1001", func(shopID, staff, pw string) error {
			calls.Add(1)
			return &SignInError{Cause: c.cause, Err: errors.New("raw error")}
		}, func() { t.Errorf("%s: signed in", c.cause) })
		l.async = func(f func()) { f() } // the test driver's fyne.Do runs in place: no goroutine
		test.NewTempWindow(t, l.Content())
		test.Type(l.password, "secret")
		test.Tap(l.submit)
		if calls.Load() != 1 || l.submit.Disabled() {
			t.Fatalf("%s: sign-in called %d times, button disabled %v", c.cause, calls.Load(), l.submit.Disabled())
		}
		if !strings.Contains(l.message.Text, c.want) {
			t.Errorf("%s: the form says %q; want %q", c.cause, l.message.Text, c.want)
		}
		if l.shopEntry.Text != "demo" || l.staffEntry.Text != "1001" || l.password.Text != "secret" {
			t.Errorf("%s: the form lost what was typed", c.cause)
		}
	}
	// An error the desk did not sort keeps its own text.
	if got := signInText(server, fmt.Errorf("something odd")); got != "something odd" {
		t.Errorf("unsorted error shown as %q", got)
	}
}
