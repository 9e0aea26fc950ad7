package server

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kefu/shop"
)

// chromiumPath finds Debian's chromium. Without it the browser test skips, unless the
// environment variable CI is set (then it fails: CI installs chromium).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (install the Debian package chromium)")
	}
	t.Skip("chromium is not installed; set CI to make this a failure")
	return ""
}

// TestChatPageInBrowser loads the customer chat page in headless Chromium, posts messages
// holding HTML and JavaScript, and checks that none of it ran or became markup: the page shows
// the text as typed.
func TestChatPageInBrowser(t *testing.T) {
	path := chromiumPath(t)
	e := newEnv(t, "")
	bctx := headlessBrowser(t, path)

	const (
		imgAttack    = `<img src=x onerror="document.title='pwned'">`
		scriptAttack = `<script>window.pwned = 1; document.title = 'pwned'</script>`
		nickAttack   = `<b onmouseover="window.pwned=2">访客</b>`
	)
	err := chromedp.Do(bctx,
		chromedp.Navigate(e.hs.URL+"/c/alpha/"),
		chromedp.WaitVisible(chromedp.ID("start")),
		chromedp.SendKeys(chromedp.ID("nick"), nickAttack),
		chromedp.Click(chromedp.CSS("#start button")),
		chromedp.WaitVisible(chromedp.ID("send")),
		chromedp.SetValue(chromedp.ID("text"), imgAttack),
		chromedp.Click(chromedp.CSS("#send button")),
		chromedp.Poll[chromedp.Void](`document.getElementById("log").textContent.includes("onerror=")`),
		chromedp.SetValue(chromedp.ID("text"), scriptAttack),
		chromedp.Click(chromedp.CSS("#send button")),
		chromedp.Poll[chromedp.Void](`document.getElementById("log").textContent.includes("window.pwned = 1")`),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	title := run(t, bctx, chromedp.Title())
	pwned := run(t, bctx, chromedp.Evaluate[bool](`window.pwned !== undefined`))
	markup := run(t, bctx, chromedp.Evaluate[bool](`document.querySelector("#log img, #log script, #log b") !== null`))
	logText := run(t, bctx, chromedp.Text(chromedp.ID("log")))
	if title == "pwned" || pwned {
		t.Fatalf("a customer's message ran as script: title %q, window.pwned set %v", title, pwned)
	}
	if markup {
		t.Fatal("a customer's message became markup on the page")
	}
	for _, want := range []string{imgAttack, scriptAttack} {
		if !strings.Contains(logText, want) {
			t.Errorf("the page does not show %q as text; it shows %q", want, logText)
		}
	}
	if !strings.Contains(title, "阿尔法<童装>") {
		t.Errorf("the shop name with <> is not shown as text in the title: %q", title)
	}
	// The server stored the text exactly as typed.
	stored := 0
	for _, r := range e.all(e.login("alpha", "1001")) {
		if r.Type != shop.TypeMessage {
			continue
		}
		var m shop.Message
		if err := r.Decode(&m); err != nil {
			t.Fatal(err)
		}
		if m.Text == imgAttack || m.Text == scriptAttack {
			stored++
		}
	}
	if stored != 2 {
		t.Fatalf("%d of the 2 messages stored as typed", stored)
	}
}

// headlessBrowser starts headless Chromium at path for the test (for at most 3 minutes) and
// returns its context.
func headlessBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	return bctx
}

// run runs one browser action and fails the test on an error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}
