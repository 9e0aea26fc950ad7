package server

import (
	"net/http"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"kefu/storeapi"
)

// The HTTP layer's routing and middleware: which handler serves which path and method, with
// request accounting (Close waits for requests), metrics, a JSON 405 and panic recovery.

// routes builds the HTTP handler.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.route(mux, storeapi.PathLogin, methods{http.MethodPost: s.handleLogin})
	s.route(mux, storeapi.PathMutations, methods{http.MethodPost: s.authed(s.handleMutations)})
	s.route(mux, storeapi.PathChanges, methods{http.MethodGet: s.authed(s.handleChanges)})
	s.route(mux, storeapi.PathImport, methods{http.MethodPost: s.authed(s.handleImport)})
	s.route(mux, storeapi.PathKPIs, methods{http.MethodGet: s.authed(s.handleKPIs)})
	s.route(mux, storeapi.PathHealth, methods{http.MethodGet: s.handleHealth})
	s.route(mux, storeapi.PathMetrics, methods{http.MethodGet: s.metrics.handler().ServeHTTP})
	s.route(mux, storeapi.PathChannels, methods{http.MethodGet: s.authed(s.handleChannelList), http.MethodPost: s.authed(s.handleChannelCreate)})
	s.route(mux, storeapi.PathChannels+"/{id}", methods{http.MethodPatch: s.authed(s.handleChannelUpdate), http.MethodDelete: s.authed(s.handleChannelDelete)})
	s.route(mux, storeapi.PathChannels+"/{id}/secret", methods{http.MethodPost: s.authed(s.handleChannelSecret)})
	s.route(mux, storeapi.PathChannels+"/{id}/deliveries", methods{http.MethodGet: s.authed(s.handleChannelDeliveries)})
	s.route(mux, storeapi.PathChannels+"/{id}/messages", methods{http.MethodPost: s.handleChannelInbound})
	s.route(mux, storeapi.PathWidget, methods{http.MethodGet: s.authed(s.handleWidgetGet), http.MethodPut: s.authed(s.handleWidgetPut)})
	s.route(mux, "/c/{shop}/widget.js", methods{http.MethodGet: s.handleWidgetScript})
	s.route(mux, "/c/{shop}/{$}", methods{http.MethodGet: s.handleChatPage})
	s.route(mux, "/c/{shop}", methods{http.MethodGet: func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
	}})
	s.route(mux, "/c/{shop}/api/start", methods{http.MethodPost: s.handleChatStart})
	s.route(mux, "/c/{shop}/api/messages", methods{http.MethodGet: s.handleChatPoll, http.MethodPost: s.handleChatSend})
	s.route(mux, "/", methods{"*": func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, storeapi.CodeNotFound, "no such endpoint: %s", r.URL.Path)
	}})
	return mux
}

// methods maps HTTP methods to handlers; "*" takes any method.
type methods map[string]http.HandlerFunc

// route registers pattern with its handlers, wrapped with request accounting, metrics, a JSON
// 405 for other methods and panic recovery.
func (s *Server) route(mux *http.ServeMux, pattern string, ms methods) {
	var allowed []string
	for m := range ms {
		allowed = append(allowed, m)
	}
	sort.Strings(allowed)
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if !s.begin() {
			fail(w, http.StatusServiceUnavailable, storeapi.CodeUnavailable, "the server is shutting down")
			return
		}
		defer s.inflight.Done()
		start := time.Now()
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic serving request", "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				if !rec.wrote {
					fail(rec, http.StatusInternalServerError, storeapi.CodeInternal, "internal error")
				}
			}
			s.metrics.observe(pattern, r.Method, rec.status, time.Since(start))
		}()
		h, ok := ms[r.Method]
		if !ok && r.Method == http.MethodHead {
			h, ok = ms[http.MethodGet]
		}
		if !ok {
			h, ok = ms["*"]
		}
		if !ok {
			rec.Header().Set("Allow", strings.Join(allowed, ", "))
			fail(rec, http.StatusMethodNotAllowed, storeapi.CodeMethodNotAllowed, "%s does not take %s; use %s", r.URL.Path, r.Method, strings.Join(allowed, " or "))
			return
		}
		h(rec, r)
	})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
