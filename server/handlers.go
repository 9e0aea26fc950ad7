package server

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"kefu/internal/version"
	"kefu/server/store"
	"kefu/storeapi"
)

// The HTTP handlers of the store API: each decodes its request, calls the core and encodes
// the answer. None reaches the store.

// remoteHost is the client's address without the port.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req storeapi.LoginRequest
	if !readJSON(w, r, &req) {
		return
	}
	req.Shop, req.Staff = strings.TrimSpace(req.Shop), strings.TrimSpace(req.Staff)
	if req.Shop == "" || req.Staff == "" || req.Password == "" {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "shop, staff and password are all needed")
		return
	}
	now := s.now()
	staffKey := "staff\x00" + req.Shop + "\x00" + req.Staff
	addrKey := "addr\x00" + remoteHost(r)
	if wait := max(s.loginLimit.blocked(staffKey, now), s.loginLimit.blocked(addrKey, now)); wait > 0 {
		retryAfter(w, wait)
		fail(w, http.StatusTooManyRequests, storeapi.CodeRateLimited, "too many failed logins; try again in %d minutes", int(wait.Minutes()+0.999))
		return
	}
	resp, err := s.login(r.Context(), req.Shop, req.Staff, req.Password)
	if errors.Is(err, ErrUnauthorized) {
		s.loginLimit.add(staffKey, now)
		s.loginLimit.add(addrKey, now)
	} else if err == nil {
		s.loginLimit.reset(staffKey)
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// authed wraps a handler that needs a staff token: it answers 401 for a missing, unknown or
// expired token and passes the token's grant on.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, store.TokenInfo)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		scheme, token, ok := strings.Cut(auth, " ")
		if auth == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kefu"`)
			fail(w, http.StatusUnauthorized, storeapi.CodeUnauthorized, "this endpoint needs an Authorization: Bearer token from POST %s", storeapi.PathLogin)
			return
		}
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kefu", error="invalid_request"`)
			fail(w, http.StatusUnauthorized, storeapi.CodeUnauthorized, "the Authorization header must be \"Bearer <token>\"")
			return
		}
		info, err := s.staffToken(r.Context(), token)
		if errors.Is(err, ErrUnauthorized) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kefu", error="invalid_token"`)
		}
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		h(w, r, info)
	}
}

// handleMutations applies a batch of mutations in order, each exactly once.
func (s *Server) handleMutations(w http.ResponseWriter, r *http.Request, tok store.TokenInfo) {
	var req storeapi.MutationsRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Mutations == nil {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "the body needs a \"mutations\" list")
		return
	}
	if n := len(req.Mutations); n > storeapi.MaxBatch {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "%d mutations in one request; at most %d", n, storeapi.MaxBatch)
		return
	}
	results, err := s.ApplyBatch(tok.Shop, tok.Staff, req.Mutations)
	if err != nil {
		// The mutations before the failure are applied and recorded; a retry of the whole
		// batch gets them as duplicates.
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, storeapi.MutationsResponse{Results: results})
}

// handleChanges answers GET /v1/changes?after=SEQ&limit=N&wait=SECONDS.
func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request, tok store.TokenInfo) {
	after, ok := queryInt(r, "after", 0, 0, 1<<62)
	if !ok {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "after must be a sequence number (an integer ≥ 0)")
		return
	}
	limit, ok := queryInt(r, "limit", storeapi.DefaultLimit, 1, storeapi.MaxChangesLimit)
	if !ok {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "limit must be an integer from 1 to %d", storeapi.MaxChangesLimit)
		return
	}
	wait, ok := queryInt(r, "wait", 0, 0, storeapi.MaxWaitSeconds)
	if !ok {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "wait must be a number of seconds from 0 to %d", storeapi.MaxWaitSeconds)
		return
	}
	body, err := s.changes(r.Context(), tok.Shop, after, int(limit), time.Duration(wait)*time.Second)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeBody(w, http.StatusOK, body)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, storeapi.HealthResponse{Status: "ok", Seq: s.maxSeq.Load(),
		Version: version.Version + " (commit " + version.Commit() + ")"})
}
