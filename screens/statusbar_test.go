package screens

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
	"kefu/localdb"
	"kefu/shop"
)

func decodeJSON(b []byte, v any) error { return json.Unmarshal(b, v) }

func TestStatusBarSyncStates(t *testing.T) {
	f := newFixture(t)
	b := f.desk.status
	since := time.Date(2026, 5, 15, 14, 5, 0, 0, shop.ShopZone)
	cases := []struct {
		view     SyncView
		zh, en   string
		progress bool
	}{
		{SyncView{State: SyncOnline}, "在线", "Online", false},
		{SyncView{State: SyncOffline, Since: since, Err: "dial tcp: connection refused", Cause: CauseUnreachable},
			"离线（14:05 起） · 服务器无法连接", "Offline since 14:05 · server unreachable", false},
		{SyncView{State: SyncSyncing, Done: 3, Total: 10}, "同步中 3 / 10", "Syncing 3 of 10", true},
		{SyncView{State: SyncSyncing, Done: 3, Total: 10, Left: 95 * time.Second}, "同步中 3 / 10，约剩 1分35秒", "Syncing 3 of 10, 1m 35s left", true},
		{SyncView{State: SyncSignedOut}, "已退出登录", "Signed out", false},
	}
	for _, c := range cases {
		f.desk.SetSync(c.view)
		if b.sync.Text != c.zh {
			t.Errorf("%s: status bar says %q; want %q", c.view.State, b.sync.Text, c.zh)
		}
		if b.progBox.Visible() != c.progress {
			t.Errorf("%s: progress bar visible = %v", c.view.State, b.progBox.Visible())
		}
	}
	if b.progress.Max != 10 || b.progress.Value != 3 {
		t.Errorf("syncing 3 of 10 set the bar to %v of %v", b.progress.Value, b.progress.Max)
	}
	f.desk.SetSync(SyncView{State: SyncOffline, Since: since, Err: "dial tcp: connection refused"})
	if bar := joined(b.box); strings.Contains(bar, "dial tcp") {
		t.Errorf("the raw error shows in the status bar: %s", bar)
	}
	if !strings.Contains(b.staff.Text, "李娜") || !strings.Contains(b.staff.Text, "工号 1002") {
		t.Errorf("the staff member shows as %q", b.staff.Text)
	}
	if b.pending.Text != "已全部同步" {
		t.Errorf("with an empty outbox the bar says %q", b.pending.Text)
	}

	// Customers waiting: the count, red because the demo's longest wait is over 180 s.
	n, err := f.db.WaitingCount()
	if err != nil || n == 0 {
		t.Fatalf("waiting count %d, %v", n, err)
	}
	if want := strconv.Itoa(n) + " 位顾客等待中"; b.waiting.Text != want {
		t.Errorf("waiting shows %q; want %q", b.waiting.Text, want)
	}
	first, _ := f.db.Conversations(localdb.FilterWaiting, "", "", 1)
	if first[0].Waiting(testNow) <= defaultAlertAfter || b.waiting.Importance != widget.DangerImportance {
		t.Errorf("longest wait %v: waiting importance %v; want danger", first[0].Waiting(testNow), b.waiting.Importance)
	}

	// The same states in English.
	if err := assets.SetupLanguage(assets.English); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { assets.SetupLanguage(assets.Chinese) })
	for _, c := range cases {
		if got := syncText(c.view); got != c.en {
			t.Errorf("%s in English: %q; want %q", c.view.State, got, c.en)
		}
	}
}

func TestProblemsDialog(t *testing.T) {
	f := newFixture(t)
	d := f.desk
	b := d.status
	if b.problems.Visible() {
		t.Fatal("the problems button shows with no problems")
	}
	d.Show(SectionOrders)
	ord := *d.orders.open
	d.orders.noteFlag.SetSelectedIndex(int(shop.FlagGreen))
	test.Type(d.orders.noteText, "可以发货")
	test.Tap(d.orders.noteAdd)
	out := f.outbox()
	m := out[len(out)-1]

	// The server refused it: someone closed the matter first.
	server := ord
	server.Flag, server.FlagBy, server.FlagAt = shop.FlagBlue, "1003", testNow.Add(-time.Minute)
	conflict := &shop.Conflict{Reason: "order flag changed meanwhile", By: "1003", At: server.FlagAt,
		Current: []shop.Record{shop.NewRecord(shop.TypeOrder, ord.ID, server)}}
	if err := f.db.Acknowledge([]localdb.Ack{{ID: m.ID, Status: localdb.AckConflict, Conflict: conflict}}); err != nil {
		t.Fatal(err)
	}
	f.drain()
	d.Refresh(nil)
	if !b.problems.Visible() || b.problems.Text != "1 个问题" {
		t.Fatalf("problems button visible %v, %q", b.problems.Visible(), b.problems.Text)
	}
	test.Tap(b.problems)
	card := joined(d.problems.list)
	for _, want := range []string{"订单备注", ord.ID, "冲突", "order flag changed meanwhile", "可以发货", flagName(shop.FlagBlue), "工号 1003"} {
		if !strings.Contains(card, want) {
			t.Errorf("the problem card lacks %q: %s", want, card)
		}
	}
	var dismiss *widget.Button
	for _, o := range test.LaidOutObjects(d.problems.list) {
		if btn, ok := o.(*widget.Button); ok && btn.Text == "知道了" {
			dismiss = btn
		}
	}
	if dismiss == nil {
		t.Fatal("no dismiss button")
	}
	test.Tap(dismiss)
	if probs, _ := f.db.Problems(); len(probs) != 0 {
		t.Errorf("%d problems left after dismissing", len(probs))
	}
	if b.problems.Visible() {
		t.Error("the problems button still shows")
	}
}
