package sync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"kefu/internal/testkit"
	"kefu/localdb"
	"kefu/shop"
)

// A wrong server at the desk's address — a Wi-Fi sign-in page (200 or 401), a web site, an API
// of another shape — is reported as such (CauseWebPage, CauseNotKefuStore), not as plain
// offline and never as a sign-out. The outbox keeps every pending action, the cursor stays, and
// once the real store answers at the address again the outbox is delivered.
func TestWrongServerKeepsTheOutboxUntilTheStoreAnswers(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	var mode atomic.Value
	mode.Store("store")
	var wrong atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := mode.Load().(string)
		if m == "store" {
			ts.srv.Handler().ServeHTTP(w, r)
			return
		}
		wrong.Add(1)
		switch m {
		case "html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!DOCTYPE html><html><head><title>欢迎使用免费 Wi-Fi</title></head><body>请先登录</body></html>"))
		case "portal 401":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte("<html><body>Authentication required</body></html>"))
		case "garbage json":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"status":"ok","items":[1,2,3]}`))
		}
	}))
	defer front.Close()

	d := newDesk(t, ts, "desk", "1001", func(p *Params) { p.BaseURL, p.HTTPClient = front.URL, nil })
	d.waitSynced(ts)
	dm := findFixture(t, d.db)
	cursor, _ := d.db.Cursor()

	var sent []string
	steps := []struct {
		mode  string
		note  bool // record a note while it answers
		cause Cause
	}{
		{"garbage json", false, CauseNotKefuStore}, // an empty outbox: the pull meets it
		{"html", true, CauseWebPage},
		{"portal 401", true, CauseWebPage},
		{"garbage json", true, CauseNotKefuStore},
	}
	for _, st := range steps {
		mode.Store(st.mode)
		wrong.Store(0)
		if st.note {
			_, id := d.note(dm.orders[0].ID, shop.FlagYellow, fmt.Sprintf("地址有误时写的备注 %d", len(sent)))
			sent = append(sent, id)
		} else {
			d.eng.Kick()
		}
		testkit.WaitFor(t, st.mode+" reported", func() bool {
			return d.eng.Status().Cause == st.cause && wrong.Load() >= 3
		})
		s := d.eng.Status()
		if s.State != StateOffline || !strings.Contains(s.Err, "did not answer like a Kefu store") {
			t.Errorf("%s: status %v; want offline saying it is not a Kefu store", st.mode, s)
		}
		if d.db.OutboxLen() != len(sent) || s.Pending != len(sent) {
			t.Errorf("%s: outbox %d, status pending %d; want %d", st.mode, d.db.OutboxLen(), s.Pending, len(sent))
		}
		if c, _ := d.db.Cursor(); c != cursor {
			t.Errorf("%s: the cursor moved from %d to %d", st.mode, cursor, c)
		}
	}

	mode.Store("store") // the real store answers at the address again
	d.eng.Kick()
	d.waitSynced(ts)
	if s := d.eng.Status(); s.Cause != CauseNone || s.Err != "" {
		t.Errorf("back on the store the status still says %v (%s)", s.Err, s.Cause)
	}
	notes := 0
	for _, r := range ts.feed(t, d.token) {
		for _, id := range sent {
			if strings.Contains(string(r.Data), id) {
				notes++
			}
		}
	}
	if notes != len(sent) {
		t.Errorf("the server has %d of the %d notes recorded meanwhile", notes, len(sent))
	}
}

// Sign-in at an address where a web page answers says so (ErrWebPage, CauseWebPage).
func TestLoginAtAWebPage(t *testing.T) {
	t.Parallel()
	for name, h := range map[string]http.HandlerFunc{
		"200 page": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!doctype html><title>路由器登录</title>"))
		},
		"404 page": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte("<html><h1>Not Found</h1></html>"))
		},
		"502 page": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			_, err := Login(context.Background(), srv.URL, testShop, "1001", testPassword)
			if !errors.Is(err, ErrWebPage) || !errors.Is(err, ErrNotKefuStore) || CauseOf(err) != CauseWebPage {
				t.Errorf("%v (cause %q); want ErrWebPage", err, CauseOf(err))
			}
		})
	}
}

func TestCauseOf(t *testing.T) {
	cases := map[Cause]error{
		CauseNone:          nil,
		CauseUnreachable:   fmt.Errorf("cannot reach x: %w", ErrUnreachable),
		CauseWebPage:       fmt.Errorf("x: %w", ErrWebPage),
		CauseNotKefuStore:  fmt.Errorf("x: %w", ErrNotKefuStore),
		CauseWrongPassword: fmt.Errorf("%w (no)", ErrWrongPassword),
		CauseBadURL:        fmt.Errorf("%w: %q", ErrBadURL, "ftp://x"),
		CauseServerError:   &ServerError{StatusCode: 503},
		CauseRefused:       &ServerError{StatusCode: 400, Code: "bad_request"},
		CauseSignedOut:     &ServerError{StatusCode: 401, Code: "unauthorized"},
		CauseDiskFull:      fmt.Errorf("%w: applying: %w", ErrLocal, localdb.ErrDiskFull),
		CauseReadOnly:      fmt.Errorf("%w: applying: %w", ErrLocal, localdb.ErrReadOnly),
		CauseLocal:         fmt.Errorf("%w: reading the outbox: boom", ErrLocal),
		CauseOther:         errors.New("boom"),
	}
	for want, err := range cases {
		if got := CauseOf(err); got != want {
			t.Errorf("CauseOf(%v) = %q; want %q", err, got, want)
		}
	}
}
