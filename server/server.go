package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/server/badgerstore"
	"kefu/server/store"
)

// The server's lifecycle: New wires the store, the core and the HTTP handler; Close ends long
// polls, waits for the calls in progress and closes the store.

// Params configure a Server. The zero value serves an in-memory store with the real clock.
type Params struct {
	// DataDir is the Badger directory. "" keeps the data in memory (tests, throw-away demos).
	DataDir string
	// Store, when set, is used instead of opening DataDir. The Server closes it on Close.
	Store store.Store
	// Now is the clock; nil means time.Now. Tests set a fixed time.
	Now func() time.Time
	// ImportShopChunk is how many records ImportShop writes per commit; 0 means 2000. A page
	// of changes ends only between commits, so a desk's first sync of an imported shop gets
	// pages of at least this many records; tests that page a small shop set it low.
	ImportShopChunk int
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
	// AllowPrivateWebhooks lets channel webhooks reach loopback, private and link-local
	// addresses (tests, bridges in the same network); by default they are refused.
	AllowPrivateWebhooks bool
	// WebhookRetry is the wait before a failed webhook delivery's first retry, doubled for
	// each further failure up to 10 minutes; 0 means 1 second.
	WebhookRetry time.Duration
}

// Server is the store server. Create it with New, serve Handler, and Close it when done.
type Server struct {
	store store.Store
	now   func() time.Time
	log   *slog.Logger
	cost  int
	// shopChunk is how many records ImportShop writes per commit (Params.ImportShopChunk).
	shopChunk int
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
	inLimit    *limiter // inbound channel messages, by channel
	webhooks   *webhooks

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

// ShopAccount says a shop exists on this server (ImportShop creates one).
type ShopAccount = store.ShopAccount

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
		b, err := badgerstore.Open(p.DataDir, p.Logger)
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
		shopChunk:  cmp.Or(p.ImportShopChunk, importChunk),
		public:     strings.TrimRight(p.PublicURL, "/"),
		metrics:    newMetrics(),
		loginLimit: newLimiter(p.LoginFailures, p.LoginWindow),
		startLimit: newLimiter(30, 5*time.Minute),
		sendLimit:  newLimiter(60, time.Minute),
		inLimit:    newLimiter(inboundPerMinute, time.Minute),
		shops:      map[string]*shopState{},
		closing:    make(chan struct{}),
		bgDone:     make(chan struct{}),
	}
	if rc, ok := st.(store.RateCounter); ok {
		s.shareLimits(rc)
	}
	ctx := context.Background()
	if err := declareIndexes(ctx, st); err != nil {
		st.Close()
		return nil, fmt.Errorf("declaring the indexes: %w", err)
	}
	ids, err := st.Shops(ctx)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("listing shops: %w", err)
	}
	for _, id := range ids {
		var seq int64
		if err := st.View(ctx, id, func(tx store.ReadTx) error { var err error; seq, err = tx.Seq(); return err }); err != nil {
			st.Close()
			return nil, fmt.Errorf("reading shop %s: %w", id, err)
		}
		s.raiseMax(seq)
	}
	s.webhooks = newWebhooks(s, p.AllowPrivateWebhooks, p.WebhookRetry)
	s.handler = s.routes()
	go s.background()
	go s.webhooks.run()
	s.watchStore()
	return s, nil
}

// Handler is the server's HTTP handler: the store API, the chat pages, /healthz and /metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// Store is the server's storage.
func (s *Server) Store() store.Store { return s.store }

// Close ends long polls, waits for the requests in progress and closes the store. Requests that
// arrive later get 503.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.reqMu.Lock()
		s.closed = true
		s.reqMu.Unlock()
		close(s.closing)
		<-s.bgDone
		<-s.webhooks.done
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
		ctx := context.Background()
		if n, err := s.store.DeleteExpiredTokens(ctx, now); err != nil {
			s.log.Warn("deleting expired tokens", "err", err)
		} else if n > 0 {
			s.log.Info("deleted expired tokens", "count", n)
		}
		s.loginLimit.prune(now)
		s.startLimit.prune(now)
		s.sendLimit.prune(now)
		s.inLimit.prune(now)
		if gc, ok := s.store.(store.Collector); ok {
			if err := gc.RunGC(ctx); err != nil && !errors.Is(err, store.ErrClosed) {
				s.log.Warn("store gc", "err", err)
			}
		}
	}
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

// Now is the server's clock (Params.Now).
func (s *Server) Now() time.Time { return s.now() }
