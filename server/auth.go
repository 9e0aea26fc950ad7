package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/shop"
	"kefu/storeapi"
)

// newToken returns a random token (32 bytes from crypto/rand, base64url) and its SHA-256 in
// hex, which is all the store keeps.
func newToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics if the system source does)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

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
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
		fail(w, http.StatusTooManyRequests, storeapi.CodeRateLimited, "too many failed logins; try again in %d minutes", int(wait.Minutes()+0.999))
		return
	}
	var (
		cred     Credential
		found    bool
		staff    shop.Staff
		shopInfo = shop.Shop{ID: req.Shop}
	)
	if ValidShopID(req.Shop) && ValidStaffNumber(req.Staff) {
		err := s.store.View(req.Shop, func(tx ReadTx) error {
			if _, ok, err := tx.Account(); err != nil || !ok {
				return err
			}
			var err error
			if cred, found, err = tx.Credential(req.Staff); err != nil || !found {
				return err
			}
			rd := txReader{tx}
			if _, ok, err := rd.Get(shop.TypeStaff, req.Staff, &staff); err != nil {
				return err
			} else if !ok {
				found = false // a staff member removed from the shop cannot log in
				return nil
			}
			_, _, err = rd.Get(shop.TypeShop, req.Shop, &shopInfo)
			return err
		})
		if err != nil {
			s.internal(w, r, err)
			return
		}
	}
	var hash []byte
	if found {
		hash = cred.Hash
	} else {
		s.dummyOnce.Do(func() {
			s.dummyHash, _ = bcrypt.GenerateFromPassword([]byte("kefu: no such staff member"), s.cost)
		})
		hash = s.dummyHash
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(req.Password)) != nil || !found {
		s.loginLimit.add(staffKey, now)
		s.loginLimit.add(addrKey, now)
		fail(w, http.StatusUnauthorized, storeapi.CodeUnauthorized, "the shop, staff number or password is wrong")
		return
	}
	s.loginLimit.reset(staffKey)
	token, th := newToken()
	info := TokenInfo{Shop: req.Shop, Staff: req.Staff, Issued: now, Expires: now.Add(storeapi.TokenLifetime)}
	if err := s.store.PutToken(th, info); err != nil {
		s.internal(w, r, err)
		return
	}
	if err := s.store.Sync(); err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, storeapi.LoginResponse{Token: token, Expires: info.Expires, Staff: staff, Shop: shopInfo})
}

// authed wraps a handler that needs a staff token: it answers 401 for a missing, unknown or
// expired token and passes the token's grant on.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, TokenInfo)) http.HandlerFunc {
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
		th := hashToken(token)
		info, found, err := s.store.Token(th)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		if !found {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kefu", error="invalid_token"`)
			fail(w, http.StatusUnauthorized, storeapi.CodeUnauthorized, "the token is not valid; log in again")
			return
		}
		if !s.now().Before(info.Expires) {
			if err := s.store.DeleteToken(th); err != nil {
				s.log.Warn("deleting expired token", "err", err)
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="kefu", error="invalid_token"`)
			fail(w, http.StatusUnauthorized, storeapi.CodeUnauthorized, "the token expired on %s; log in again", info.Expires.Format(time.RFC3339))
			return
		}
		h(w, r, info)
	}
}

// limiter counts events per key in a sliding window.
type limiter struct {
	max    int
	window time.Duration

	mu   sync.Mutex
	hits map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, hits: map[string][]time.Time{}}
}

// recent drops the key's events older than the window; l.mu must be held.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	h := l.hits[key]
	i := 0
	for i < len(h) && now.Sub(h[i]) >= l.window {
		i++
	}
	h = h[i:]
	if len(h) == 0 {
		delete(l.hits, key)
	} else {
		l.hits[key] = h
	}
	return h
}

// blocked returns how long key must wait before its next attempt (0 if it may go on).
func (l *limiter) blocked(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.recent(key, now)
	if len(h) < l.max {
		return 0
	}
	return h[len(h)-l.max].Add(l.window).Sub(now)
}

// add counts an event for key.
func (l *limiter) add(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.recent(key, now)
	if len(h) >= 2*l.max {
		h = h[1:] // enough to keep it blocked; do not grow without bound
	}
	l.hits[key] = append(h, now)
}

// allow counts an event for key and reports whether it was within the limit.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	if wait := l.blocked(key, now); wait > 0 {
		return false, wait
	}
	l.add(key, now)
	return true, 0
}

// reset forgets key's events.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.hits, key)
}

// prune forgets every event older than the window.
func (l *limiter) prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k := range l.hits {
		l.recent(k, now)
	}
}
