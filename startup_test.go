package main

import (
	"strings"
	"testing"
	"time"

	"kefu/desk"
)

// startShown shows the window saying that the shop's data is being opened, opens the store off
// Fyne's goroutine once the window is up, then shows the desk (here: the sign-in form).
func TestStartShownOpensTheStoreAfterTheWindow(t *testing.T) {
	dir := t.TempDir()
	l := newTestLauncher(t, dir)
	var open func()
	l.goAsync = func(f func()) { open = f }
	shown := false
	l.shown = func() { shown = true }
	l.startShown()
	if got := windowText(l.win); !strings.Contains(got, "正在打开店铺的数据") || l.desk != nil {
		t.Fatalf("before the store is open the window shows:\n%s", got)
	}
	if open == nil {
		t.Fatal("the store is not opened in the background")
	}
	d, err := desk.Open(desk.Params{Dir: localDir(l.opts)})
	if err != nil {
		t.Fatalf("the store was opened before the window was up: %v", err)
	}
	d.Close()
	open()
	if !shown {
		t.Fatal("the store was opened without waiting for the window")
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(windowText(l.win), "登录您的店铺") {
		if time.Now().After(deadline) {
			t.Fatalf("after the store opened the window shows:\n%s", windowText(l.win))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if l.desk == nil || l.failed() {
		t.Fatal("the desk did not start")
	}
}

// Closing the window while the store is still being opened closes the store once it is open
// (another desk can then open it), or does not open it when the window was not up yet; it is
// not a failed start.
func TestCloseWhileTheStoreOpens(t *testing.T) {
	for _, windowUp := range []bool{false, true} {
		dir := t.TempDir()
		l := newTestLauncher(t, dir)
		l.win = l.app.NewWindow("kefu") // closed by the test (a temporary window is closed again at cleanup)
		var open func()
		l.goAsync = func(f func()) { open = f }
		release := make(chan struct{})
		l.shown = func() { <-release }
		l.startShown()
		op := l.opening
		go open()
		if windowUp {
			close(release)
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
				op.mu.Lock()
				started := op.started
				op.mu.Unlock()
				if started {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the store was not opened")
				}
			}
		}
		l.closeWindow()
		if !windowUp {
			close(release)
			<-op.done
		}
		if l.failed() {
			t.Fatalf("window up %v: closing the window while the store opened counts as a failed start", windowUp)
		}
		d, err := desk.Open(desk.Params{Dir: localDir(l.opts)})
		if err != nil {
			t.Fatalf("window up %v: the store was left open: %v", windowUp, err)
		}
		d.Close()
	}
}
