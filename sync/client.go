package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-resty/resty/v2"

	"kefu/storeapi"
)

// Errors of this package.
var (
	// ErrUnreachable: no answer from the server (connection refused, DNS, TLS, timeout, cut).
	ErrUnreachable = errors.New("store server unreachable")
	// ErrNotKefuStore: something answered, but not like a Kefu store server (an HTML page, a
	// proxy's error, JSON of another shape).
	ErrNotKefuStore = errors.New("the server did not answer like a Kefu store")
	// ErrWebPage: what answered sent a web page (a Wi-Fi sign-in page, a proxy's or router's
	// page, a web site at a wrong address). It wraps ErrNotKefuStore.
	ErrWebPage = fmt.Errorf("%w (it answered with a web page)", ErrNotKefuStore)
	// ErrSignedOut: the server refused the token (expired, revoked, or for another server).
	ErrSignedOut = errors.New("signed out: the server no longer accepts this sign-in")
	// ErrWrongPassword: Login was refused: unknown shop, staff number or wrong password.
	ErrWrongPassword = errors.New("wrong shop, staff number or password")
	// ErrBadURL: the server address is not an http or https URL.
	ErrBadURL = errors.New("server address must be an http:// or https:// URL")
	// ErrRunning: Run was called while the engine is already running.
	ErrRunning = errors.New("sync engine is already running")
	// ErrLocal: the local store failed while syncing.
	ErrLocal = errors.New("local store")
	// ErrFeedBehind (reported in Status.Err): the server's change feed ends before this desk's
	// cursor, so changes up to the cursor will not come again: the server was restored from an
	// older backup, or another server answers at this address. Re-downloading the shop data
	// (localdb's ResetCache) fixes it.
	ErrFeedBehind = errors.New("the server has less data than this desk has seen; re-download the shop data")
)

// ServerError is an error answer from the server: a store API error body (Code and Message), or,
// when Code is empty, an answer of something else (Message holds the start of its text).
type ServerError struct {
	StatusCode int
	Code       string        // storeapi.Code*; empty when the body was not a store API error
	Message    string        // the server's message, readable by a person
	RetryAfter time.Duration // from a Retry-After header; 0 if none
	WebPage    bool          // the answer was an HTML page, not a store API error
}

// Error describes the answer: its status and the server's message.
func (e *ServerError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("server answered %d %s: %s", e.StatusCode, http.StatusText(e.StatusCode), e.Message)
	}
	return fmt.Sprintf("server answered %d: %s (%s)", e.StatusCode, e.Message, e.Code)
}

// maxResponseBytes bounds what the client reads from one answer.
const maxResponseBytes = 256 << 20

// apiClient is a thin layer over resty for the store API: one attempt per call, no retries of
// its own (retryClient retries), JSON bodies given as bytes so a resend sends the same bytes.
type apiClient struct {
	hc *http.Client
	rc *resty.Client
}

// newAPIClient makes a client for baseURL. hc may be nil; it is copied, never changed.
func newAPIClient(baseURL string, hc *http.Client, logger *log.Logger, userAgent string) (*apiClient, error) {
	base, err := checkBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	var c http.Client
	if hc != nil {
		c = *hc
	}
	if c.Transport == nil {
		c.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	rc := resty.NewWithClient(&c).
		SetBaseURL(base).
		SetRetryCount(0).
		SetHeader("Accept", "application/json").
		SetHeader("User-Agent", userAgent).
		SetResponseBodyLimit(maxResponseBytes).
		SetLogger(restyLogger{logger})
	return &apiClient{hc: &c, rc: rc}, nil
}

// closeIdle closes the client's idle keep-alive connections (and their goroutines).
func (c *apiClient) closeIdle() { c.hc.CloseIdleConnections() }

// checkBaseURL validates a server address and returns it without a trailing slash.
func checkBaseURL(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w: %q", ErrBadURL, s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%w: %q has a query or fragment", ErrBadURL, s)
	}
	return s, nil
}

// call makes one request. body, when not nil, is sent as JSON; idemKey, when set, is sent as
// Idempotency-Key, which also lets net/http resend the request on a dead keep-alive connection
// (safe: the server applies each mutation once). A 2xx JSON answer is decoded into out. Errors: the context's error when ctx was cancelled (wrapped), ErrUnreachable
// (wrapped) when no answer came, ErrNotKefuStore (wrapped) for a 2xx answer that is not the
// expected JSON, *ServerError for any other status.
func (c *apiClient) call(ctx context.Context, method, path, token string, query url.Values, body []byte, idemKey string, out any) error {
	req := c.rc.R().SetContext(ctx)
	if token != "" {
		req.SetAuthToken(token)
	}
	if idemKey != "" {
		req.SetHeader("Idempotency-Key", idemKey)
	}
	if body != nil {
		req.SetHeader("Content-Type", "application/json").SetBody(body)
	}
	if query != nil {
		req.SetQueryParamsFromValues(query)
	}
	resp, err := req.Execute(method, path)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("%s %s: %w", method, path, ctx.Err())
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%w: %s %s: no answer in time", ErrUnreachable, method, path)
		}
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	return decodeAnswer(method+" "+path, resp.StatusCode(), resp.Header(), resp.Body(), out)
}

// decodeAnswer turns an HTTP answer into out or an error (see apiClient.call). A store answers
// its errors in its own JSON: an error answer of another kind below 500 comes from something
// else (a web server at a wrong address, a captive portal, a proxy) and is wrapped in
// ErrNotKefuStore (ErrWebPage for an HTML page) around its *ServerError. Server errors (5xx)
// stay plain *ServerError: a proxy's 502 page usually means the store behind it is down.
func decodeAnswer(what string, status int, h http.Header, body []byte, out any) error {
	isJSON, isHTML := false, false
	if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil {
		isJSON = mt == "application/json" || strings.HasSuffix(mt, "+json")
		isHTML = mt == "text/html" || mt == "application/xhtml+xml"
	}
	isHTML = isHTML || looksLikeHTML(body)
	notStore := ErrNotKefuStore
	if isHTML {
		notStore = ErrWebPage
	}
	if status >= 200 && status < 300 {
		if status == http.StatusNoContent && out == nil {
			return nil // a DELETE's answer: nothing to decode
		}
		if !isJSON {
			return fmt.Errorf("%w: %s answered %q instead of JSON: %s", notStore, what,
				h.Get("Content-Type"), snippet(body))
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("%w: %s: %v", notStore, what, err)
		}
		return nil
	}
	se := &ServerError{StatusCode: status, RetryAfter: parseRetryAfter(h.Get("Retry-After"), time.Now())}
	var er storeapi.ErrorResponse
	if isJSON && json.Unmarshal(body, &er) == nil && er.Code != "" {
		se.Code, se.Message = er.Code, er.Message
		return se
	}
	se.Message, se.WebPage = snippet(body), isHTML
	if status < 500 {
		return fmt.Errorf("%w: %s: %w", notStore, what, se)
	}
	return se
}

// looksLikeHTML reports whether a body starts like an HTML page, whatever its Content-Type.
func looksLikeHTML(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(b) > 15 {
		b = b[:15]
	}
	l := bytes.ToLower(b)
	return bytes.HasPrefix(l, []byte("<!doctype html")) || bytes.HasPrefix(l, []byte("<html")) ||
		bytes.HasPrefix(l, []byte("<head")) || bytes.HasPrefix(l, []byte("<body"))
}

// snippet is the start of a body as one line of text, for error messages.
func snippet(b []byte) string {
	const max = 120
	if len(b) > max {
		b = b[:max]
	}
	for len(b) > 0 && !utf8.Valid(b) {
		b = b[:len(b)-1]
	}
	s := strings.Join(strings.Fields(string(b)), " ")
	if s == "" {
		return "(empty)"
	}
	return s
}

// parseRetryAfter reads a Retry-After header: seconds, or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// restyLogger sends resty's own messages to the engine's logger.
type restyLogger struct{ l *log.Logger }

func (r restyLogger) Errorf(format string, v ...any) { r.l.Printf("sync: resty error: "+format, v...) }
func (r restyLogger) Warnf(format string, v ...any)  { r.l.Printf("sync: resty warning: "+format, v...) }
func (r restyLogger) Debugf(format string, v ...any) {}

// discardLogger is used when Params.Logger is nil.
var discardLogger = log.New(io.Discard, "", 0)
