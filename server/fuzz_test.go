package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"kefu/storeapi"
)

// The fuzz targets here send arbitrary request bodies straight to the server's handler (no
// network) and check that every answer is a clear one: never a 500 (a panic in a handler is
// recovered as a 500), an error body with a code and a message, and nothing written to the
// other shop. Seed corpora live in testdata/fuzz/<target>; `make test` runs them, `make fuzz`
// explores further.

// fuzzServer is a server with the fixture shops and a staff token for each.
type fuzzServer struct {
	e     *env
	alpha string
	beta  string
	chat  string // a customer token of alpha's chat
	addr  atomic.Uint64
}

func newFuzzServer(f *testing.F) *fuzzServer {
	e := newEnv(f, "")
	fs := &fuzzServer{e: e, alpha: e.login("alpha", "1001"), beta: e.login("beta", "2001")}
	var start storeapi.ChatStartResponse
	e.call("POST", "/c/alpha/api/start", "", storeapi.ChatStartRequest{Nick: "访客"}, 200, &start)
	fs.chat = start.Token
	return fs
}

// serve sends a request to the handler from a fresh address (so the per-address login limit
// does not hide the decoding) and returns the status and body.
func (fs *fuzzServer) serve(method, path, token string, body []byte) (int, []byte) {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	n := fs.addr.Add(1)
	req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:4000", n>>16&255, n>>8&255, n&255)
	rec := httptest.NewRecorder()
	fs.e.srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// betaTotal is beta's newest feed seq.
func (fs *fuzzServer) betaTotal(t *testing.T) int64 {
	code, body := fs.serve("GET", storeapi.PathChanges+"?after=0&limit=1", fs.beta, nil)
	var cr storeapi.ChangesResponse
	if code != 200 || json.Unmarshal(body, &cr) != nil {
		t.Fatalf("beta's feed: %d %s", code, body)
	}
	return cr.Total
}

// check fails unless status is one of ok and an error answer is a proper ErrorResponse.
func check(t *testing.T, what string, status int, body []byte, ok ...int) {
	t.Helper()
	good := false
	for _, s := range ok {
		good = good || s == status
	}
	if !good {
		t.Fatalf("%s: status %d: %s", what, status, body)
	}
	if status >= 400 {
		var er storeapi.ErrorResponse
		if err := json.Unmarshal(body, &er); err != nil || er.Code == "" || er.Message == "" {
			t.Fatalf("%s: status %d with an unclear error body %q (%v)", what, status, body, err)
		}
	}
}

// FuzzMutationsBody posts arbitrary bodies to POST /v1/mutations with alpha's token.
func FuzzMutationsBody(f *testing.F) {
	fs := newFuzzServer(f)
	f.Add([]byte(`{"mutations":[{"id":"m-1","kind":"order.note","entity":"o-100","data":{"note_id":"n-1","flag":"red","text":"备注"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		before := fs.betaTotal(t)
		status, resp := fs.serve("POST", storeapi.PathMutations, fs.alpha, body)
		check(t, "mutations", status, resp, 200, 400, 413)
		if status == 200 {
			var mr storeapi.MutationsResponse
			if err := json.Unmarshal(resp, &mr); err != nil {
				t.Fatalf("answer %s: %v", resp, err)
			}
			for _, r := range mr.Results {
				switch r.Status {
				case storeapi.StatusApplied, storeapi.StatusDuplicate, storeapi.StatusConflict:
				case storeapi.StatusRejected:
					if r.Reason == "" {
						t.Fatalf("rejected without a reason: %+v", r)
					}
				default:
					t.Fatalf("result status %q", r.Status)
				}
			}
		}
		if after := fs.betaTotal(t); after != before {
			t.Fatalf("alpha's request changed beta's feed from %d to %d", before, after)
		}
	})
}

// FuzzLoginBody posts arbitrary bodies to POST /v1/login.
func FuzzLoginBody(f *testing.F) {
	fs := newFuzzServer(f)
	f.Add([]byte(`{"shop":"alpha","staff":"1001","password":"secret-pass"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		status, resp := fs.serve("POST", storeapi.PathLogin, "", body)
		check(t, "login", status, resp, 200, 400, 401, 413, 429)
		if status == 200 {
			var lr storeapi.LoginResponse
			if err := json.Unmarshal(resp, &lr); err != nil || lr.Token == "" {
				t.Fatalf("login answer %s: %v", resp, err)
			}
		}
	})
}

// FuzzChatBodies posts arbitrary bodies to the customer chat endpoints (start and send; which
// picks one) of alpha, as a customer with a valid token would, and as a stranger.
func FuzzChatBodies(f *testing.F) {
	fs := newFuzzServer(f)
	f.Add(uint8(0), []byte(`{"nick":"小鱼儿","product":"p-1"}`))
	f.Add(uint8(1), []byte(`{"token":"TOKEN","text":"<script>alert(1)</script>"}`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		before := fs.betaTotal(t)
		// Let the corpus name the real customer token.
		body = bytes.ReplaceAll(body, []byte("TOKEN"), []byte(fs.chat))
		path := "/c/alpha/api/start"
		if which%2 == 1 {
			path = "/c/alpha/api/messages"
		}
		status, resp := fs.serve("POST", path, "", body)
		check(t, path, status, resp, 200, 400, 401, 404, 409, 413, 429)
		if status == 200 && !json.Valid(resp) {
			t.Fatalf("%s answered %q", path, resp)
		}
		if after := fs.betaTotal(t); after != before {
			t.Fatalf("a request to alpha's chat changed beta's feed from %d to %d", before, after)
		}
	})
}
