package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
)

// chatScript runs the customer chat page. It writes every message with textContent (never
// innerHTML), so nothing a customer or the shop types can become markup.
const chatScript = `(function () {
  "use strict";
  var base = location.pathname.replace(/[^\/]*$/, "");
  var api = base + "api/";
  var key = "kefu-chat:" + base;
  var product = new URLSearchParams(location.search).get("product") || "";
  var $ = function (id) { return document.getElementById(id); };
  var log = $("log"), status = $("status"), startForm = $("start"), sendForm = $("send");
  var seen = {}, last = "", state = null, polling = false, pending = null;
  try { state = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { state = null; }

  function say(text) { status.textContent = text || ""; }
  function show(m) {
    if (seen[m.id]) { return; }
    seen[m.id] = true;
    var row = document.createElement("div");
    row.className = "msg " + (m.from === "customer" ? "me" : "shop");
    var bubble = document.createElement("p");
    bubble.textContent = m.text;
    var when = document.createElement("time");
    when.textContent = new Date(m.at).toLocaleString();
    row.appendChild(bubble);
    row.appendChild(when);
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
  }
  function take(list) {
    list.forEach(show);
    if (list.length) { last = list[list.length - 1].id; }
  }
  function call(method, url, body) {
    var opts = { method: method, headers: {} };
    if (body) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(url, opts).then(function (r) {
      return r.json().then(function (b) {
        if (!r.ok) { var e = new Error(b.message || ("HTTP " + r.status)); e.status = r.status; throw e; }
        return b;
      });
    });
  }
  function forget() {
    localStorage.removeItem(key);
    state = null;
    startForm.hidden = false;
    sendForm.hidden = true;
  }
  function poll() {
    if (!state || polling) { return; }
    polling = true;
    var url = api + "messages?wait=25&token=" + encodeURIComponent(state.token) + "&after=" + encodeURIComponent(last);
    call("GET", url).then(function (b) {
      polling = false; say(""); take(b.messages); poll();
    }, function (e) {
      polling = false;
      if (e.status === 401) { forget(); say(e.message); return; }
      say("连接中断，正在重试… / Reconnecting…");
      setTimeout(poll, 3000);
    });
  }
  function opened() {
    startForm.hidden = true;
    sendForm.hidden = false;
    $("text").focus();
    poll();
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  startForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var nick = $("nick").value.trim();
    if (!nick) { return; }
    call("POST", api + "start", { nick: nick, product: product }).then(function (b) {
      state = { token: b.token, conversation: b.conversation };
      localStorage.setItem(key, JSON.stringify(state));
      say(""); opened();
    }, function (e) { say(e.message); });
  });
  sendForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var box = $("text"), text = box.value;
    if (!text.trim() || !state) { return; }
    pending = pending && pending.text === text ? pending : { id: uuid(), text: text };
    call("POST", api + "messages", { token: state.token, id: pending.id, text: text }).then(function (b) {
      pending = null; box.value = ""; say(""); take(b.messages);
    }, function (e) {
      if (e.status === 401) { forget(); }
      say(e.message);
    });
  });
  $("text").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); sendForm.requestSubmit(); }
  });
  if (state && state.token) { opened(); }
})();`

// chatScriptHash is the script's CSP hash: the page allows that one inline script and nothing else.
var chatScriptHash = func() string {
	h := sha256.Sum256([]byte(chatScript))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}()

var chatPage = template.Must(template.New("chat").Parse(`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Name}} · 在线客服</title>
<style>
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;background:#f4f5f7;color:#1f2328;display:flex;flex-direction:column;height:100vh}
header{background:#ff5000;color:#fff;padding:.6em 1em}
header h1{font-size:1.1em;margin:0}
header p{margin:0;font-size:.8em;opacity:.9}
#log{flex:1;overflow-y:auto;padding:1em}
.msg{display:flex;flex-direction:column;margin:.4em 0;max-width:80%}
.msg p{margin:0;padding:.5em .8em;border-radius:.6em;background:#fff;white-space:pre-wrap;word-break:break-word}
.msg time{font-size:.7em;color:#6e7781;margin:.1em .3em}
.me{margin-left:auto;align-items:flex-end}
.me p{background:#95ec69}
form{display:flex;gap:.5em;padding:.6em;background:#fff;border-top:1px solid #d0d7de}
input,textarea{flex:1;font:inherit;padding:.4em;border:1px solid #d0d7de;border-radius:.4em;resize:none}
button{font:inherit;padding:.4em 1em;border:0;border-radius:.4em;background:#ff5000;color:#fff}
#status{min-height:1.2em;margin:0;padding:0 1em;font-size:.8em;color:#cf222e}
[hidden]{display:none}
</style>
</head>
<body>
<header><h1>{{.Name}}</h1><p>在线客服 · Customer service</p></header>
{{if .Missing}}<main id="log"><p>找不到这家店，请检查链接。<br>There is no such shop here; please check the link.</p></main>
{{else}}<main id="log" aria-live="polite"></main>
<p id="status" role="status"></p>
<form id="start"><input id="nick" maxlength="64" autocomplete="nickname" placeholder="您的昵称 / Your nickname" required><button>开始咨询</button></form>
<form id="send" hidden><textarea id="text" rows="2" maxlength="5000" placeholder="请输入消息，回车发送 / Type a message"></textarea><button>发送</button></form>
<script>{{.Script}}</script>{{end}}
</body>
</html>
`))

var chatCSP = "default-src 'none'; script-src " + chatScriptHash + "; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// handleChatPage serves the customer chat page of a shop.
func (s *Server) handleChatPage(w http.ResponseWriter, r *http.Request) {
	info, err := s.publicShop(r.Context(), r.PathValue("shop"))
	status := http.StatusOK
	switch {
	case errors.Is(err, ErrNoShop):
		status = http.StatusNotFound
		info.Name = "找不到这家店 · Shop not found"
	case err != nil:
		s.internal(w, r, err)
		return
	}
	var buf bytes.Buffer
	data := struct {
		Name    string
		Missing bool
		Script  template.JS
	}{info.Name, status != http.StatusOK, template.JS(chatScript)}
	if err := chatPage.Execute(&buf, data); err != nil {
		s.internal(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", chatCSPFor(info.WidgetSites))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
