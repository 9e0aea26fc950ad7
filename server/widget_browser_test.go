package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kefu/shop"
	"kefu/storeapi"
)

// TestWidgetInBrowser puts the widget's one script line on a shop's site (another origin
// than kefu-store's) in headless Chromium, opens the bubble and sends a message that reaches
// the shop's feed with the product of the page; a site the shop did not list cannot frame
// the chat page.
func TestWidgetInBrowser(t *testing.T) {
	path := chromiumPath(t)
	e := newEnv(t, "")
	owner := e.login("alpha", "1001")
	// The shop's site, and a site that is not the shop's: localhost is another origin than
	// the server's 127.0.0.1.
	sitePage := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>纯棉卫衣</title></head><body><h1>纯棉卫衣</h1>
<script src="%s/c/alpha/widget.js" data-product="p-1" async></script></body></html>`, e.hs.URL)
	}
	site := httptest.NewServer(http.HandlerFunc(sitePage))
	defer site.Close()
	other := httptest.NewServer(http.HandlerFunc(sitePage))
	defer other.Close()
	siteURL := strings.Replace(site.URL, "127.0.0.1", "localhost", 1)
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)

	var ws storeapi.WidgetSettings
	e.expectError("PUT", storeapi.PathWidget, e.login("alpha", "1002"), storeapi.WidgetSettings{Sites: []string{siteURL}}, http.StatusForbidden, storeapi.CodeForbidden)
	e.expectError("PUT", storeapi.PathWidget, owner, storeapi.WidgetSettings{Sites: []string{"https://x.example.com/path"}}, http.StatusBadRequest, storeapi.CodeBadRequest)
	e.call("PUT", storeapi.PathWidget, owner, storeapi.WidgetSettings{Sites: []string{siteURL + "/"}}, 200, &ws)
	if len(ws.Sites) != 1 || ws.Sites[0] != siteURL {
		t.Fatalf("widget sites %v", ws.Sites)
	}

	bctx := headlessBrowser(t, path)

	openBubble := func(siteURL string) {
		t.Helper()
		err := chromedp.Do(bctx,
			chromedp.Navigate(siteURL+"/"),
			chromedp.WaitVisible(chromedp.CSS("#kefu-bubble")),
			chromedp.Click(chromedp.CSS("#kefu-bubble")),
			chromedp.WaitReady(chromedp.CSS("#kefu-frame[data-loaded]")),
		)
		if err != nil {
			t.Fatalf("browser on %s: %v", siteURL, err)
		}
	}
	// chatFrame is the chat page's frame (Chrome runs it as a target of its own: another
	// site), or nil when no frame shows the chat page.
	chatFrame := func() context.Context {
		t.Helper()
		infos, err := chromedp.Targets(bctx)
		if err != nil {
			t.Fatalf("browser targets: %v", err)
		}
		for _, info := range infos {
			if info.Type == "iframe" && strings.HasPrefix(info.URL, e.hs.URL+"/c/alpha/") {
				fctx, cancel := chromedp.NewContext(bctx, chromedp.WithTargetID(info.TargetID))
				t.Cleanup(cancel)
				return fctx
			}
		}
		return nil
	}

	const text = "这件卫衣有120码吗？（从网站来的）"
	openBubble(siteURL)
	var frame context.Context
	waitFor(t, func() bool { frame = chatFrame(); return frame != nil })
	err := chromedp.Do(frame,
		chromedp.WaitVisible(chromedp.ID("start")),
		chromedp.SendKeys(chromedp.ID("nick"), "网站访客"),
		chromedp.Click(chromedp.CSS("#start button")),
		chromedp.WaitVisible(chromedp.ID("send")),
		chromedp.SetValue(chromedp.ID("text"), text),
		chromedp.Click(chromedp.CSS("#send button")),
		chromedp.Poll[chromedp.Void](`document.getElementById("log").textContent.includes("120码")`),
	)
	if err != nil {
		t.Fatalf("browser, in the frame: %v", err)
	}
	// The message reaches the shop's feed, in a conversation about the page's product.
	waitFor(t, func() bool {
		recs := e.all(owner)
		for _, r := range recs {
			var m shop.Message
			if r.Type != shop.TypeMessage || r.Decode(&m) != nil || m.Text != text {
				continue
			}
			var c shop.Conversation
			return recs["conversation/"+m.ConversationID].Decode(&c) == nil && c.ProductID == "p-1" && c.Nick == "网站访客"
		}
		return false
	})

	// A site that is not listed loads the widget, but the chat page refuses its frame: no
	// frame shows it (Chrome shows its error page instead).
	openBubble(otherURL)
	if f := chatFrame(); f != nil {
		shown, err := chromedp.Run(f, chromedp.Evaluate[bool](`document.getElementById("nick") !== null`))
		if err != nil || shown {
			t.Fatalf("a site not on the shop's list framed the chat page (%v)", err)
		}
	}
	// Without any site listed, no site may frame it.
	e.call("PUT", storeapi.PathWidget, owner, storeapi.WidgetSettings{Sites: []string{}}, 200, &ws)
	resp, _ := e.do("GET", "/c/alpha/", "", nil)
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("chat page CSP without widget sites: %s", csp)
	}
}
