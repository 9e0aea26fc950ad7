package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"kefu/shop"
	"kefu/storeapi"
)

// Params configure a Server. The zero value serves an in-memory store with the real clock.
type Params struct {
	// DataDir is the Badger directory. "" keeps the data in memory (tests, throw-away demos).
	DataDir string
	// Store, when set, is used instead of opening DataDir. The Server closes it on Close.
	Store Store
	// Now is the clock; nil means time.Now. Tests set a fixed time.
	Now func() time.Time
	// Logger receives the server's log; nil means slog.Default().
	Logger *slog.Logger
	// PasswordCost is the bcrypt cost of new password hashes; 0 means bcrypt.DefaultCost.
	PasswordCost int
	// LoginFailures is how many failed logins one staff member or one remote address may have
	// within LoginWindow before further attempts get 429; 0 means 10.
	LoginFailures int
	// LoginWindow is the window of LoginFailures; 0 means 5 minutes.
	LoginWindow time.Duration
	// PublicURL is the base URL customers reach this server at (e.g. https://kefu.example.com).
	// When set, new shops get their chat page URL from it.
	PublicURL string
}

// Server is the store server. Create it with New, serve Handler, and Close it when done.
type Server struct {
	store Store
	now   func() time.Time
	log   *slog.Logger
	cost  int
	// dummyHash is compared against when the staff member does not exist, so that a wrong
	// staff number takes as long as a wrong password. Made on first use.
	dummyOnce sync.Once
	dummyHash []byte
	public    string
	handler   http.Handler
	metrics   *metrics

	loginLimit *limiter // failed logins, by staff and by remote address
	startLimit *limiter // chat starts, by remote address
	sendLimit  *limiter // customer messages, by chat token

	mu     sync.Mutex
	shops  map[string]*shopState
	maxSeq atomic.Int64

	reqMu     sync.Mutex // guards closed and inflight.Add
	closed    bool
	inflight  sync.WaitGroup
	closing   chan struct{} // closed by Close: long polls return
	closeOnce sync.Once
	closeErr  error
	bgDone    chan struct{}
}

// Errors of the server's management calls.
var (
	ErrClosed      = errors.New("server is closed")
	ErrShopExists  = errors.New("shop exists already")
	ErrNoShop      = errors.New("shop does not exist")
	ErrInvalidShop = errors.New("shop id must be 1 to 32 lowercase letters, digits, '-' or '_'")
	ErrInvalid     = errors.New("invalid value")
)

var (
	shopIDRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
	staffNoRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
)

// ValidShopID reports whether id can name a shop: 1 to 32 lowercase letters, digits, '-' or
// '_', starting with a letter or digit.
func ValidShopID(id string) bool { return shopIDRE.MatchString(id) }

// ValidStaffNumber reports whether n can be a staff number (工号): 1 to 32 letters, digits,
// '-' or '_'.
func ValidStaffNumber(n string) bool { return staffNoRE.MatchString(n) }

// shopState is what the server keeps in memory per shop: the newest seq and the channel that
// is closed (and replaced) when it grows, so that long polls wake without polling.
type shopState struct {
	mu      sync.Mutex
	seq     int64 // newest published seq: every change up to it is durable
	changed chan struct{}
	page    pageCache
}

// New opens the store and builds the server.
func New(p Params) (*Server, error) {
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
	if p.PasswordCost == 0 {
		p.PasswordCost = bcrypt.DefaultCost
	}
	if p.PasswordCost < bcrypt.MinCost || p.PasswordCost > bcrypt.MaxCost {
		return nil, fmt.Errorf("password cost %d: %w", p.PasswordCost, ErrInvalid)
	}
	if p.LoginFailures <= 0 {
		p.LoginFailures = 10
	}
	if p.LoginWindow <= 0 {
		p.LoginWindow = 5 * time.Minute
	}
	st := p.Store
	if st == nil {
		b, err := OpenBadger(p.DataDir, p.Logger)
		if err != nil {
			return nil, err
		}
		st = b
	}
	s := &Server{
		store:      st,
		now:        p.Now,
		log:        p.Logger,
		cost:       p.PasswordCost,
		public:     strings.TrimRight(p.PublicURL, "/"),
		metrics:    newMetrics(),
		loginLimit: newLimiter(p.LoginFailures, p.LoginWindow),
		startLimit: newLimiter(30, 5*time.Minute),
		sendLimit:  newLimiter(60, time.Minute),
		shops:      map[string]*shopState{},
		closing:    make(chan struct{}),
		bgDone:     make(chan struct{}),
	}
	ids, err := st.Shops()
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("listing shops: %w", err)
	}
	for _, id := range ids {
		var seq int64
		if err := st.View(id, func(tx ReadTx) error { var err error; seq, err = tx.Seq(); return err }); err != nil {
			st.Close()
			return nil, fmt.Errorf("reading shop %s: %w", id, err)
		}
		s.raiseMax(seq)
	}
	s.handler = s.routes()
	go s.background()
	return s, nil
}

// Handler is the server's HTTP handler: the store API, the chat pages, /healthz and /metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// Store is the server's storage.
func (s *Server) Store() Store { return s.store }

// Close ends long polls, waits for the requests in progress and closes the store. Requests that
// arrive later get 503.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.reqMu.Lock()
		s.closed = true
		s.reqMu.Unlock()
		close(s.closing)
		<-s.bgDone
		s.inflight.Wait()
		s.closeErr = s.store.Close()
	})
	return s.closeErr
}

// background sweeps expired tokens and old rate-limit entries, and runs the store's garbage
// collection when it has one, until Close.
func (s *Server) background() {
	defer close(s.bgDone)
	tick := time.NewTicker(10 * time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-s.closing:
			return
		case <-tick.C:
		}
		now := s.now()
		if n, err := s.store.DeleteExpiredTokens(now); err != nil {
			s.log.Warn("deleting expired tokens", "err", err)
		} else if n > 0 {
			s.log.Info("deleted expired tokens", "count", n)
		}
		s.loginLimit.prune(now)
		s.startLimit.prune(now)
		s.sendLimit.prune(now)
		if gc, ok := s.store.(interface{ RunGC() error }); ok {
			if err := gc.RunGC(); err != nil && !errors.Is(err, ErrStoreClosed) {
				s.log.Warn("store gc", "err", err)
			}
		}
	}
}

func (s *Server) raiseMax(seq int64) {
	for {
		cur := s.maxSeq.Load()
		if seq <= cur || s.maxSeq.CompareAndSwap(cur, seq) {
			break
		}
	}
	s.metrics.feedSeq.Set(float64(s.maxSeq.Load()))
}

// state returns the in-memory state of a shop, loading its seq on first use.
func (s *Server) state(shopID string) (*shopState, error) {
	s.mu.Lock()
	st, ok := s.shops[shopID]
	if !ok {
		st = &shopState{changed: make(chan struct{})}
		s.shops[shopID] = st
		st.mu.Lock() // loaded below, before anyone else uses it
	}
	s.mu.Unlock()
	if ok {
		return st, nil
	}
	defer st.mu.Unlock()
	err := s.store.View(shopID, func(tx ReadTx) error {
		var err error
		st.seq, err = tx.Seq()
		return err
	})
	if err != nil {
		s.mu.Lock()
		delete(s.shops, shopID)
		s.mu.Unlock()
		return nil, err
	}
	return st, nil
}

// watch returns the shop's newest seq and a channel closed when a newer one is committed.
func (st *shopState) watch() (int64, <-chan struct{}) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.seq, st.changed
}

// publish records that shopID's feed reached seq and wakes its long polls.
func (s *Server) publish(shopID string, seq int64) {
	st, err := s.state(shopID)
	if err != nil {
		s.log.Warn("publishing change", "shop", shopID, "err", err)
		return
	}
	st.mu.Lock()
	if seq > st.seq {
		st.seq = seq
		close(st.changed)
		st.changed = make(chan struct{})
	}
	st.mu.Unlock()
	s.raiseMax(seq)
}

// write runs fn in one store transaction of the shop and commits it: durable, then announced.
func (s *Server) write(shopID string, fn func(Tx) error) error {
	seq, err := s.update(shopID, fn)
	if err != nil {
		return err
	}
	return s.commit(shopID, seq)
}

// update runs fn in one store transaction of the shop. It returns the shop's new seq when the
// transaction wrote records (0 when it did not). The write is not durable nor announced until
// commit.
func (s *Server) update(shopID string, fn func(Tx) error) (int64, error) {
	var before, after int64
	err := s.store.Update(shopID, func(tx Tx) error {
		var err error
		if before, err = tx.Seq(); err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		after, err = tx.Seq()
		return err
	})
	if err != nil || after == before {
		return 0, err
	}
	return after, nil
}

// commit makes the committed transactions durable, then wakes the shop's long polls for seq
// (if not 0): no desk ever sees a change that a power cut could still take back.
func (s *Server) commit(shopID string, seq int64) error {
	if err := s.store.Sync(); err != nil {
		return err
	}
	if seq > 0 {
		s.publish(shopID, seq)
	}
	return nil
}

// putRecord stores a record under the shop's next seq and keeps the indexes up to date.
func putRecord(tx Tx, rec shop.Record) (int64, error) {
	var old []string
	if indexed(rec.Type) {
		prev, found, err := tx.Record(rec.Type, rec.ID)
		if err != nil {
			return 0, err
		}
		if found {
			old = indexKeys(prev)
		}
	}
	seq, err := tx.Put(rec)
	if err != nil {
		return 0, err
	}
	if indexed(rec.Type) {
		rec.Seq = seq
		next := indexKeys(rec)
		for _, k := range old {
			if !containsString(next, k) {
				if err := tx.DeleteIndex(k); err != nil {
					return 0, err
				}
			}
		}
		for _, k := range next {
			if err := tx.SetIndex(k); err != nil {
				return 0, err
			}
		}
	}
	return seq, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// txReader lets shop.Decide read a transaction; deleted entities do not exist.
type txReader struct{ tx ReadTx }

func (r txReader) Get(t shop.EntityType, id string, v any) (int64, bool, error) {
	rec, found, err := r.tx.Record(t, id)
	if err != nil || !found || rec.Deleted {
		return 0, false, err
	}
	if err := json.Unmarshal(rec.Data, v); err != nil {
		return 0, false, fmt.Errorf("decoding %s %s: %w", t, id, err)
	}
	return rec.Seq, true, nil
}

// routes builds the HTTP handler.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.route(mux, storeapi.PathLogin, methods{http.MethodPost: s.handleLogin})
	s.route(mux, storeapi.PathMutations, methods{http.MethodPost: s.authed(s.handleMutations)})
	s.route(mux, storeapi.PathChanges, methods{http.MethodGet: s.authed(s.handleChanges)})
	s.route(mux, storeapi.PathHealth, methods{http.MethodGet: s.handleHealth})
	s.route(mux, storeapi.PathMetrics, methods{http.MethodGet: s.metrics.handler().ServeHTTP})
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

// enter counts a call of an exported method in, so that Close waits for it; it fails with
// ErrClosed once Close has begun. Pair it with s.inflight.Done().
func (s *Server) enter() error {
	if !s.begin() {
		return ErrClosed
	}
	return nil
}

// begin counts a request in, unless the server is closing.
func (s *Server) begin() bool {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
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

// internal answers a storage or programming error: 503 when the store is closing, else 500.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrStoreClosed) {
		fail(w, http.StatusServiceUnavailable, storeapi.CodeUnavailable, "the server is shutting down")
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

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, storeapi.HealthResponse{Status: "ok", Seq: s.maxSeq.Load()})
}
