package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// The HTTP layer's JSON: decoding request bodies strictly, encoding answers, and mapping the
// core's errors to statuses and error codes.

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(storeapi.ErrorResponse{Code: storeapi.CodeInternal, Message: "encoding the answer: " + err.Error()})
	}
	writeBody(w, status, b)
}

// writeBody answers with b, which is JSON.
func writeBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte{'\n'})
}

// fail answers with an ErrorResponse.
func fail(w http.ResponseWriter, status int, code, format string, args ...any) {
	writeJSON(w, status, storeapi.ErrorResponse{Code: code, Message: fmt.Sprintf(format, args...)})
}

// internal answers a storage or programming error: 503 when the store is closing or the
// request ended (the client went away: the answer reaches nobody and is no fault), else 500.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrClosed) {
		fail(w, http.StatusServiceUnavailable, storeapi.CodeUnavailable, "the server is shutting down")
		return
	}
	if cerr := r.Context().Err(); cerr != nil && errors.Is(err, cerr) {
		fail(w, http.StatusServiceUnavailable, storeapi.CodeUnavailable, "the request ended before it was answered")
		return
	}
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	fail(w, http.StatusInternalServerError, storeapi.CodeInternal, "internal error; the request was not completed, try again")
}

// readJSON decodes the request body into v, answering 413 for a body over
// storeapi.MaxBodyBytes and 400 for one that is not valid UTF-8 or not the expected JSON. It
// reports whether v was filled. The Content-Type is not checked: the body is JSON whatever it
// says (curl -d sends form encoding), and no endpoint acts on a browser's ambient credentials.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.ContentLength > storeapi.MaxBodyBytes {
		fail(w, http.StatusRequestEntityTooLarge, storeapi.CodeTooLarge, "request body is %d bytes; at most %d", r.ContentLength, storeapi.MaxBodyBytes)
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, storeapi.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, http.StatusRequestEntityTooLarge, storeapi.CodeTooLarge, "request body is over %d bytes", storeapi.MaxBodyBytes)
		} else {
			fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "reading the request body: %v", err)
		}
		return false
	}
	if err := decodeJSON(body, v); err != nil {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "%v", err)
		return false
	}
	return true
}

// ErrBadJSON marks a request body that is not the JSON an endpoint expects.
var ErrBadJSON = errors.New("request body is not valid")

// decodeJSON decodes body strictly (valid UTF-8, known fields, one value) with readable errors.
func decodeJSON(body []byte, v any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return fmt.Errorf("%w: the request body is empty; it must be a JSON object", ErrBadJSON)
	}
	if !utf8.Valid(body) {
		n := 0
		for n < len(body) {
			r, size := utf8.DecodeRune(body[n:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			n += size
		}
		return fmt.Errorf("%w: the request body is not valid UTF-8 (bad byte at offset %d)", ErrBadJSON, n)
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return fmt.Errorf("%w: malformed JSON at byte %d: %v", ErrBadJSON, syn.Offset, syn)
		case errors.As(err, &typ):
			field := typ.Field
			if field == "" {
				field = "the body"
			}
			return fmt.Errorf("%w: %s must be %s, not JSON %s", ErrBadJSON, field, typ.Type, typ.Value)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("%w: malformed JSON: the body ends in the middle of a value", ErrBadJSON)
		}
		return fmt.Errorf("%w: %v", ErrBadJSON, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: malformed JSON: more data after the first value", ErrBadJSON)
	}
	return nil
}

// queryInt reads an integer query parameter within [lo, hi], or def when it is absent.
func queryInt(r *http.Request, name string, def, lo, hi int64) (int64, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}

// refusalStatus maps the kinds of refusal to their status and error code.
var refusalStatus = []struct {
	kind   error
	status int
	code   string
}{
	{ErrInvalid, http.StatusBadRequest, storeapi.CodeBadRequest},
	{ErrInvalidShop, http.StatusBadRequest, storeapi.CodeBadRequest},
	{ErrUnauthorized, http.StatusUnauthorized, storeapi.CodeUnauthorized},
	{ErrNoShop, http.StatusNotFound, storeapi.CodeNotFound},
	{ErrConflict, http.StatusConflict, storeapi.CodeConflict},
	{ErrForbidden, http.StatusForbidden, storeapi.CodeForbidden},
	{ErrNotFound, http.StatusNotFound, storeapi.CodeNotFound},
	{ErrRateLimited, http.StatusTooManyRequests, storeapi.CodeRateLimited},
}

// failErr answers err: a refusal with its status and message, a rejected customer message
// (shop.RejectError) with 400, anything else as internal.
func (s *Server) failErr(w http.ResponseWriter, r *http.Request, err error) {
	var ref *refusal
	if errors.As(err, &ref) {
		for _, m := range refusalStatus {
			if errors.Is(ref.kind, m.kind) {
				fail(w, m.status, m.code, "%s", ref.msg)
				return
			}
		}
	}
	var re *shop.RejectError
	if errors.As(err, &re) {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "%s", re.Reason)
		return
	}
	s.internal(w, r, err)
}

// retryAfter sets the Retry-After header to wait, in whole seconds rounded up.
func retryAfter(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
}
