package server

import (
	"net/netip"
	"testing"
	"time"
)

func TestBlockedAddr(t *testing.T) {
	for addr, blocked := range map[string]bool{
		"127.0.0.1": true, "::1": true, "10.0.0.8": true, "172.16.3.4": true, "192.168.0.1": true,
		"169.254.169.254": true, "fe80::1": true, "fd00::1": true, "0.0.0.0": true, "::": true,
		"100.64.0.1": true, "224.0.0.1": true, "::ffff:127.0.0.1": true, "::ffff:10.1.1.1": true,
		"93.184.216.34": false, "2606:2800:220:1::1": false, "8.8.8.8": false,
	} {
		if got := blockedAddr(netip.MustParseAddr(addr)); got != blocked {
			t.Errorf("blockedAddr(%s) = %v, want %v", addr, got, blocked)
		}
	}
}

func TestWebhookBackoff(t *testing.T) {
	w := &webhooks{backoff: time.Second}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	for i, d := range want {
		if got := w.backoffAfter(i + 1); got != d {
			t.Errorf("after %d failures: %s, want %s", i+1, got, d)
		}
	}
	if got := w.backoffAfter(60); got != webhookMaxBackoff {
		t.Errorf("after 60 failures: %s, want the cap %s", got, webhookMaxBackoff)
	}
}

func TestCleanSite(t *testing.T) {
	for raw, want := range map[string]string{
		"https://Shop.Example.com":      "https://shop.example.com",
		"https://shop.example.com/":     "https://shop.example.com",
		"http://localhost:8080":         "http://localhost:8080",
		"https://shop.example.com/page": "",
		"javascript:alert(1)":           "",
		"https://*.example.com":         "",
		"https://a.com; script-src *":   "",
		"shop.example.com":              "",
	} {
		got, err := cleanSite(raw)
		if (err == nil) != (want != "") || got != want && want != "" {
			t.Errorf("cleanSite(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
}
