package sync

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	ctx := context.Background()

	resp, err := Login(ctx, ts.url()+"/", testShop, "1002", testPassword)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if resp.Token == "" || resp.Staff.Number != "1002" || resp.Shop.ID != testShop || resp.Expires.IsZero() {
		t.Errorf("login answer = %+v", resp)
	}

	_, err = Login(ctx, ts.url(), testShop, "1002", "wrong password")
	if !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: %v, want ErrWrongPassword", err)
	}
	_, err = Login(ctx, ts.url(), "no-such-shop", "1002", "demo")
	if !errors.Is(err, ErrWrongPassword) {
		t.Errorf("unknown shop: %v, want ErrWrongPassword", err)
	}
	_, err = Login(ctx, ts.url(), testShop, "", "demo")
	if !errors.Is(err, ErrWrongPassword) {
		t.Errorf("no staff number: %v, want ErrWrongPassword", err)
	}
}

func TestLoginUnreachable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = Login(context.Background(), "http://"+addr, testShop, "1001", testPassword)
	if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNotKefuStore) || errors.Is(err, ErrWrongPassword) {
		t.Errorf("closed port: %v, want only ErrUnreachable", err)
	}
	for _, u := range []string{"", "store.example.com", "ftp://store.example.com", "http://", "http://x/?a=b"} {
		if _, err := Login(context.Background(), u, testShop, "1001", testPassword); !errors.Is(err, ErrBadURL) {
			t.Errorf("address %q: %v, want ErrBadURL", u, err)
		}
	}
}

// Servers that answer, but not like a Kefu store: an HTML page, a JSON API of another shape, a
// proxy's error page.
func TestLoginNotAKefuStore(t *testing.T) {
	t.Parallel()
	cases := map[string]http.HandlerFunc{
		"html page": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!doctype html><title>路由器登录</title><h1>Welcome</h1>"))
		},
		"html 404": func(w http.ResponseWriter, r *http.Request) {
			http.NotFound(w, r)
		},
		"other json": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"access_token": "x", "expires_in": 3600}`))
		},
		"not json at all": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`<html>`))
		},
		"proxy 502": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
		},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			_, err := Login(context.Background(), srv.URL, testShop, "1001", testPassword)
			if !errors.Is(err, ErrNotKefuStore) || errors.Is(err, ErrWrongPassword) || errors.Is(err, ErrUnreachable) {
				t.Errorf("%v, want only ErrNotKefuStore", err)
			}
			if !strings.Contains(err.Error(), "did not answer like a Kefu store") {
				t.Errorf("message %q does not say so", err)
			}
		})
	}
}

// A store API error other than a refusal keeps the server's message (here: a 429 after too
// many failed logins).
func TestLoginRateLimited(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"code":"rate_limited","message":"too many failed logins; try again in 2 minutes"}`))
	}))
	defer srv.Close()
	_, err := Login(context.Background(), srv.URL, testShop, "1001", testPassword)
	var se *ServerError
	if !errors.As(err, &se) || se.StatusCode != http.StatusTooManyRequests || se.RetryAfter.Seconds() != 120 ||
		!strings.Contains(err.Error(), "try again in 2 minutes") {
		t.Errorf("%v (%+v), want the server's 429 with its message", err, se)
	}
}
