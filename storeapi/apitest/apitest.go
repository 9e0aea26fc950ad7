// Package apitest checks HTTP traffic of the store API against storeapi/openapi.yaml with
// kin-openapi, so that tests of the server and of its clients fail when the spec and the code
// drift apart.
//
// In a test, validate one exchange:
//
//	resp, err := http.DefaultClient.Do(req)
//	body, _ := io.ReadAll(resp.Body)
//	apitest.ValidateResponse(t, req, resp, body)
//
// or wrap a client's transport so that every response is validated:
//
//	client := &http.Client{Transport: apitest.Transport(t, nil)}
//	restyClient.SetTransport(apitest.Transport(t, nil))
package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"kefu/storeapi"
)

var (
	once    sync.Once
	doc     *openapi3.T
	router  routers.Router
	loadErr error
)

// Doc is the parsed and validated storeapi/openapi.yaml. Its servers are cleared, so that
// routes match requests to any host (test servers listen on random ports).
func Doc() (*openapi3.T, error) {
	once.Do(func() {
		// The chat page is HTML: validate it as a string, like text/plain.
		openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
		loader := openapi3.NewLoader()
		d, err := loader.LoadFromData(storeapi.Spec)
		if err != nil {
			loadErr = fmt.Errorf("parsing storeapi/openapi.yaml: %w", err)
			return
		}
		if err := d.Validate(loader.Context); err != nil {
			loadErr = fmt.Errorf("storeapi/openapi.yaml is not a valid OpenAPI document: %w", err)
			return
		}
		d.Servers = nil
		r, err := legacy.NewRouter(d)
		if err != nil {
			loadErr = fmt.Errorf("routing storeapi/openapi.yaml: %w", err)
			return
		}
		doc, router = d, r
	})
	return doc, loadErr
}

// route finds the spec's operation for req.
func route(req *http.Request) (*routers.Route, map[string]string, error) {
	if _, err := Doc(); err != nil {
		return nil, nil, err
	}
	rt, params, err := router.FindRoute(req)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s is not in storeapi/openapi.yaml: %w", req.Method, req.URL.Path, err)
	}
	return rt, params, nil
}

// CheckResponse validates a response (its status, headers and body) against the spec's
// operation for req, and returns what does not match.
func CheckResponse(req *http.Request, resp *http.Response, body []byte) error {
	rt, params, err := route(req)
	if err != nil {
		return err
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: rt, Options: opts},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                opts,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s → %d does not match storeapi/openapi.yaml: %w\nbody: %.2000s", req.Method, req.URL.Path, resp.StatusCode, err, body)
	}
	return nil
}

// CheckRequest validates a request (its parameters and body) against the spec.
func CheckRequest(req *http.Request, body []byte) error {
	rt, params, err := route(req)
	if err != nil {
		return err
	}
	r := req.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: rt,
		Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s does not match storeapi/openapi.yaml: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// ValidateResponse fails the test when the response to req does not match the spec.
func ValidateResponse(t testing.TB, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	if err := CheckResponse(req, resp, body); err != nil {
		t.Error(err)
	}
}

// ValidateRequest fails the test when req with this body does not match the spec.
func ValidateRequest(t testing.TB, req *http.Request, body []byte) {
	t.Helper()
	if err := CheckRequest(req, body); err != nil {
		t.Error(err)
	}
}

// Transport wraps base (nil: http.DefaultTransport) so that every response it carries is
// validated against the spec; a mismatch fails the test. The body is read in full and handed on
// unchanged. Responses to paths outside the spec, and cut-off bodies, are not checked.
func Transport(t testing.TB, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{t: t, base: base}
}

type transport struct {
	t    testing.TB
	base http.RoundTripper
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := tr.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return resp, nil // a cut connection: the client sees the partial body
	}
	if _, _, rerr := route(req); rerr != nil {
		return resp, nil
	}
	if err := CheckResponse(req, resp, body); err != nil {
		tr.t.Error(err)
	}
	return resp, nil
}
