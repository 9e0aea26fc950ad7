package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// The website widget: /c/{shop}/widget.js, one <script> line a shop pastes into its site's
// theme, shows a chat bubble that opens the shop's chat page in a frame, passing the product
// being viewed. The shop lists the sites that may embed it (GET and PUT /v1/widget); the chat
// page's frame-ancestors policy names exactly those, so no other site can frame it.
//
//	<script src="https://kefu.example.com/c/demo/widget.js" data-product="p000001" async></script>
//
// The product is the script's data-product, else the page's <meta name="kefu-product">.

// maxWidgetSites caps the sites a shop may list.
const maxWidgetSites = 20

// widgetScript is the widget; it reads its own URL to find the chat page.
const widgetScript = `(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || window.__kefuWidget) { return; }
  window.__kefuWidget = true;
  var page = me.src.replace(/widget\.js(\?.*)?$/, "");
  var meta = document.querySelector('meta[name="kefu-product"]');
  var product = me.getAttribute("data-product") || (meta && meta.getAttribute("content")) || "";
  var frame = null;
  var bubble = document.createElement("button");
  bubble.id = "kefu-bubble";
  bubble.type = "button";
  bubble.setAttribute("aria-label", "在线客服 / Chat with us");
  bubble.textContent = "💬";
  bubble.style.cssText = "position:fixed;right:20px;bottom:20px;z-index:2147483646;width:56px;height:56px;border-radius:50%;border:0;background:#ff5000;color:#fff;font-size:26px;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer";
  bubble.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "kefu-frame";
      frame.title = "在线客服 / Customer service";
      frame.src = page + (product ? "?product=" + encodeURIComponent(product) : "");
      frame.style.cssText = "position:fixed;right:20px;bottom:86px;z-index:2147483647;width:360px;max-width:calc(100vw - 40px);height:520px;max-height:calc(100vh - 110px);border:0;border-radius:12px;box-shadow:0 4px 16px rgba(0,0,0,.3);background:#fff";
      frame.addEventListener("load", function () { frame.setAttribute("data-loaded", "1"); });
      document.body.appendChild(frame);
      return;
    }
    frame.hidden = !frame.hidden;
  });
  if (document.body) { document.body.appendChild(bubble); }
  else { document.addEventListener("DOMContentLoaded", function () { document.body.appendChild(bubble); }); }
})();
`

// chatCSPFor is the chat page's Content-Security-Policy: framed by the shop's widget sites
// only (by none when it lists none).
func chatCSPFor(sites []string) string {
	if len(sites) == 0 {
		return chatCSP
	}
	return strings.TrimSuffix(chatCSP, "'none'") + strings.Join(sites, " ")
}

// cleanSite checks a site that may embed the widget and returns its origin.
func cleanSite(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(u.Host, " ;,'\"*") {
		return "", refuse(ErrInvalid, "site %q is not an origin like https://shop.example.com", raw)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// WidgetSites are the sites that may embed the shop's chat widget.
func (s *Server) WidgetSites(ctx context.Context, shopID string) ([]string, error) {
	info, err := s.publicShop(ctx, shopID)
	if info.WidgetSites == nil {
		info.WidgetSites = []string{}
	}
	return info.WidgetSites, err
}

// SetWidgetSites sets the sites that may embed the shop's chat widget, for an owner or a
// manager.
func (s *Server) SetWidgetSites(ctx context.Context, shopID, staff string, sites []string) ([]string, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.inflight.Done()
	if len(sites) > maxWidgetSites {
		return nil, refuse(ErrInvalid, "%d sites; at most %d", len(sites), maxWidgetSites)
	}
	clean := []string{}
	for _, raw := range sites {
		site, err := cleanSite(raw)
		if err != nil {
			return nil, err
		}
		if !containsString(clean, site) {
			clean = append(clean, site)
		}
	}
	err := s.write(context.WithoutCancel(ctx), shopID, func(tx store.Tx) error {
		if err := manager(tx, staff); err != nil {
			return err
		}
		info := shop.Shop{ID: shopID, Name: shopID}
		if _, _, err := (txReader{tx}).Get(shop.TypeShop, shopID, &info); err != nil {
			return err
		}
		info.WidgetSites = clean
		_, err := putRecord(tx, shop.NewRecord(shop.TypeShop, shopID, info))
		return err
	})
	return clean, err
}

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) handleWidgetGet(w http.ResponseWriter, r *http.Request, tok store.TokenInfo) {
	sites, err := s.WidgetSites(r.Context(), tok.Shop)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, storeapi.WidgetSettings{Sites: sites})
}

func (s *Server) handleWidgetPut(w http.ResponseWriter, r *http.Request, tok store.TokenInfo) {
	var req storeapi.WidgetSettings
	if !readJSON(w, r, &req) {
		return
	}
	sites, err := s.SetWidgetSites(r.Context(), tok.Shop, tok.Staff, req.Sites)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, storeapi.WidgetSettings{Sites: sites})
}

// handleWidgetScript serves the widget of a shop.
func (s *Server) handleWidgetScript(w http.ResponseWriter, r *http.Request) {
	if _, err := s.publicShop(r.Context(), r.PathValue("shop")); err != nil {
		s.failErr(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=300")
	w.Write([]byte(widgetScript))
}
