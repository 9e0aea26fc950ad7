package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/internal/testkit"
	"kefu/localdb"
	"kefu/server"
	"kefu/shop"
	"kefu/storeapi"
)

// testServer is a real kefu-store server on a loopback listener, with its data in a directory so
// that it can be stopped and started again on the same address.
type testServer struct {
	t    testing.TB
	dir  string
	addr string
	// wrap, when set before start, wraps the server's handler (fault injection on the wire).
	wrap func(http.Handler) http.Handler

	srv  *server.Server
	hs   *http.Server
	done chan struct{}
}

// newTestServer starts a server with the test shop; it is stopped when the test ends.
func newTestServer(t testing.TB, wrap func(http.Handler) http.Handler) *testServer {
	t.Helper()
	ts := &testServer{t: t, dir: t.TempDir(), addr: "127.0.0.1:0", wrap: wrap}
	ts.start(true)
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) url() string { return "http://" + ts.addr }

// start opens the server on its data directory and serves it on its address.
func (ts *testServer) start(seed bool) {
	ts.t.Helper()
	srv, err := server.New(server.Params{
		DataDir:      ts.dir,
		Logger:       slog.New(slog.DiscardHandler),
		PasswordCost: bcrypt.MinCost,
		// Commits of 20 records, so that the seeded shop's feed comes in many small pages
		// (a page ends only between commits).
		ImportShopChunk: 20,
	})
	if err != nil {
		ts.t.Fatalf("starting the server: %v", err)
	}
	if seed {
		if err := seedShop(srv); err != nil {
			srv.Close()
			ts.t.Fatalf("seeding the test shop: %v", err)
		}
	}
	var ln net.Listener
	// The old listener's port may take a moment to be free again.
	if err := (testkit.Wait{Timeout: 5 * time.Second, Poll: 20 * time.Millisecond}).Until(context.Background(),
		"listening on "+ts.addr, func() (bool, error) {
			ln, err = net.Listen("tcp", ts.addr)
			return err == nil, err
		}); err != nil {
		srv.Close()
		ts.t.Fatalf("%v", err)
	}
	ts.addr = ln.Addr().String()
	h := srv.Handler()
	if ts.wrap != nil {
		h = ts.wrap(h)
	}
	ts.srv, ts.hs, ts.done = srv, &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}, make(chan struct{})
	go func(hs *http.Server, done chan struct{}) {
		defer close(done)
		hs.Serve(ln)
	}(ts.hs, ts.done)
}

// stop closes the listener and every connection, then the server and its store.
func (ts *testServer) stop() {
	if ts.srv == nil {
		return
	}
	ts.hs.Close()
	<-ts.done
	if err := ts.srv.Close(); err != nil {
		ts.t.Errorf("closing the server: %v", err)
	}
	ts.srv, ts.hs = nil, nil
}

// seq is the newest feed sequence number the server has.
func (ts *testServer) seq(t testing.TB) int64 {
	t.Helper()
	var h storeapi.HealthResponse
	getJSON(t, ts.url()+storeapi.PathHealth, "", &h)
	return h.Seq
}

// feed reads the shop's whole (compacted) change feed from the server: the server's state.
func (ts *testServer) feed(t testing.TB, token string) map[string]shop.Record {
	t.Helper()
	recs := map[string]shop.Record{}
	after := int64(0)
	for {
		var resp storeapi.ChangesResponse
		getJSON(t, ts.url()+storeapi.PathChanges+"?after="+strconv.FormatInt(after, 10)+"&limit=5000", token, &resp)
		for _, r := range resp.Changes {
			recs[string(r.Type)+"/"+r.ID] = r
		}
		after = resp.Next
		if !resp.More {
			return recs
		}
	}
}

func getJSON(t testing.TB, u, token string, out any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	doJSON(t, req, out)
}

func postJSON(t testing.TB, u, token string, in, out any) {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	doJSON(t, req, out)
}

func doJSON(t testing.TB, req *http.Request, out any) {
	t.Helper()
	resp, err := validatingClient(t).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading: %v", req.Method, req.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %s: %s", req.Method, req.URL, resp.Status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("%s %s: decoding %s: %v", req.Method, req.URL, body, err)
	}
}

// validatingClient is an HTTP client whose answers are checked against storeapi/openapi.yaml.
func validatingClient(t testing.TB) *http.Client {
	c := &cable{t: t, base: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(c.CloseIdleConnections)
	return &http.Client{Transport: c}
}

// cable is a desk's network connection: a real HTTP transport that can be unplugged, and that
// checks every answer of the store server against the OpenAPI description.
type cable struct {
	t         testing.TB
	base      *http.Transport
	unplugged atomic.Bool
}

// errUnplugged is the transport error of an unplugged cable.
var errUnplugged = errors.New("network cable unplugged")

func (c *cable) RoundTrip(r *http.Request) (*http.Response, error) {
	if c.unplugged.Load() {
		return nil, errUnplugged
	}
	var reqBody []byte
	if r.Body != nil && r.GetBody != nil {
		rc, err := r.GetBody()
		if err == nil {
			reqBody, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	resp, err := c.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if verr := validateAnswer(r, reqBody, resp, body); verr != nil {
		c.t.Errorf("%s %s: the answer does not match openapi.yaml: %v", r.Method, r.URL.Path, verr)
	}
	return resp, nil
}

func (c *cable) CloseIdleConnections() { c.base.CloseIdleConnections() }

// desk is one staff desk: an in-memory localdb and a sync engine running against the server.
type desk struct {
	t     testing.TB
	name  string
	staff string
	token string
	db    *localdb.DB
	eng   *Engine
	cable *cable

	mu       sync.Mutex
	statuses []Status
	running  atomic.Bool
	late     atomic.Int32 // OnStatus calls after Run returned
	cancel   context.CancelFunc
	done     chan error
}

// newDesk signs staff in, opens an in-memory store and starts the engine. tune may change the
// engine's parameters (the defaults here are short, for tests).
func newDesk(t testing.TB, ts *testServer, name, staff string, tune func(*Params)) *desk {
	t.Helper()
	db, err := localdb.Open(localdb.Options{InMemory: true})
	if err != nil {
		t.Fatalf("opening localdb: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	login, err := Login(context.Background(), ts.url(), testShop, staff, testPassword)
	if err != nil {
		t.Fatalf("login of %s: %v", staff, err)
	}
	d := &desk{t: t, name: name, staff: staff, token: login.Token, db: db}
	d.cable = &cable{t: t, base: http.DefaultTransport.(*http.Transport).Clone()}
	p := Params{
		Store: db, BaseURL: ts.url(), Token: login.Token, StaffNumber: staff,
		OnStatus:   d.onStatus,
		Wait:       5 * time.Second,
		MinBackoff: 5 * time.Millisecond,
		MaxBackoff: 100 * time.Millisecond,
		HTTPClient: &http.Client{Transport: d.cable},
		Logger:     log.New(testWriter{t: t, prefix: name + ": "}, "", log.Lmicroseconds),
	}
	if tune != nil {
		tune(&p)
	}
	d.eng, err = New(p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(d.stop)
	d.start()
	return d
}

func (d *desk) onStatus(s Status) {
	if !d.running.Load() {
		d.late.Add(1)
	}
	d.mu.Lock()
	d.statuses = append(d.statuses, s)
	d.mu.Unlock()
}

// states returns the states reported from index from on.
func (d *desk) states(from int) []State {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []State
	for _, s := range d.statuses[min(from, len(d.statuses)):] {
		if len(out) == 0 || out[len(out)-1] != s.State {
			out = append(out, s.State)
		}
	}
	return out
}

func (d *desk) statusCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.statuses)
}

func (d *desk) start() {
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel, d.done = cancel, make(chan error, 1)
	d.running.Store(true)
	go func() { d.done <- d.eng.Run(ctx) }()
}

// stop cancels Run and waits for it to return.
func (d *desk) stop() {
	if d.cancel == nil {
		return
	}
	d.cancel()
	if err := <-d.done; err != nil {
		d.t.Errorf("%s: Run: %v", d.name, err)
	}
	d.running.Store(false)
	d.cancel = nil
	if n := d.late.Load(); n > 0 {
		d.t.Errorf("%s: OnStatus called %d times after Run returned", d.name, n)
	}
}

// apply records a staff action on the desk and kicks the engine.
func (d *desk) apply(kind shop.Kind, entity string, data any) shop.Mutation {
	d.t.Helper()
	m, err := shop.NewMutation(kind, entity, d.staff, time.Now(), data)
	if err != nil {
		d.t.Fatal(err)
	}
	if ver, _, err := d.db.Get(entityTypeOf(kind), entity, nil); err == nil {
		m.Base = ver
	}
	out, err := d.db.Apply(m)
	if err != nil {
		d.t.Fatalf("%s: applying %s on %s: %v", d.name, kind, entity, err)
	}
	if out.Conflict != nil {
		d.t.Fatalf("%s: %s on %s conflicts locally: %s", d.name, kind, entity, out.Conflict.Reason)
	}
	d.eng.Kick()
	return m
}

func entityTypeOf(k shop.Kind) shop.EntityType {
	switch strings.SplitN(string(k), ".", 2)[0] {
	case "chat":
		return shop.TypeConversation
	case "order":
		return shop.TypeOrder
	case "case":
		return shop.TypeCase
	case "stock":
		return shop.TypeProduct
	case "review":
		return shop.TypeReview
	}
	return ""
}

// note adds an order note with a flag.
func (d *desk) note(orderID string, flag shop.Flag, text string) (shop.Mutation, string) {
	id := shop.NewID()
	return d.apply(shop.KindOrderNote, orderID, shop.OrderNoteAdd{NoteID: id, Flag: flag, Text: text, Reason: "test"}), id
}

// say sends a staff chat message.
func (d *desk) say(convID, text string) (shop.Mutation, string) {
	id := shop.NewID()
	return d.apply(shop.KindChatSend, convID, shop.ChatSend{MessageID: id, Text: text}), id
}

// waitSynced waits until the desk is online, has pushed everything and has pulled everything
// the server has.
func (d *desk) waitSynced(ts *testServer) {
	d.t.Helper()
	testkit.WaitFor(d.t, d.name+" in sync", func() bool {
		s := d.eng.Status()
		if s.State != StateOnline || d.db.OutboxLen() != 0 {
			return false
		}
		c, err := d.db.Cursor()
		return err == nil && c >= ts.seq(d.t)
	})
}

// testWriter sends log lines to t.Log.
type testWriter struct {
	t      testing.TB
	prefix string
}

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(w.prefix + strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// fixture is what the tests use of the test shop, found in a synced desk's store.
type fixture struct {
	orders  []shop.Order
	conv    shop.Conversation
	product shop.Product
	sku     string
}

func findFixture(t testing.TB, db *localdb.DB) fixture {
	t.Helper()
	var d fixture
	orders, err := db.SearchOrders("", localdb.OrderFilter{}, 3)
	if err != nil || len(orders) < 2 {
		t.Fatalf("the test shop needs 2 orders: %d, %v", len(orders), err)
	}
	d.orders = orders
	convs, err := db.Conversations(localdb.ConversationFilter("all"), "", "", 1)
	if err != nil || len(convs) == 0 {
		t.Fatalf("the test shop needs an open conversation: %v", err)
	}
	d.conv = convs[0]
	prods, err := db.SearchProducts("", 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prods {
		for _, v := range p.Variants {
			if v.Warehouse >= 10 {
				d.product, d.sku = p, v.SKU
				return d
			}
		}
	}
	t.Fatalf("the test shop needs a product with stock")
	return d
}

// recordOf reads an entity from a desk as a generic JSON value, with its version.
func recordOf(t testing.TB, db *localdb.DB, typ shop.EntityType, id string) (int64, any) {
	t.Helper()
	var raw json.RawMessage
	ver, found, err := db.Get(typ, id, &raw)
	if err != nil || !found {
		t.Fatalf("%s %s: found %v, %v", typ, id, found, err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return ver, v
}

func decodeRecord(t testing.TB, r shop.Record) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.Data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// chatStart opens a customer chat through the public chat endpoints.
func chatStart(t testing.TB, c *http.Client, base, nick string) storeapi.ChatStartResponse {
	t.Helper()
	var out storeapi.ChatStartResponse
	postWith(t, c, base+storeapi.PathChat+testShop+"/api/start", storeapi.ChatStartRequest{Nick: nick}, &out)
	return out
}

// chatSend posts a customer's message through the public chat endpoint.
func chatSend(t testing.TB, c *http.Client, base, token, text string) {
	t.Helper()
	var out storeapi.ChatMessagesResponse
	postWith(t, c, base+storeapi.PathChat+testShop+"/api/messages", storeapi.ChatSendRequest{Token: token, ID: shop.NewID(), Text: text}, &out)
}

func postWith(t testing.TB, c *http.Client, u string, in, out any) {
	t.Helper()
	b, _ := json.Marshal(in)
	resp, err := c.Post(u, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %s: %s", u, resp.Status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("POST %s: %v: %s", u, err, body)
	}
}

// hasMessage reports whether the desk's store holds a message of the conversation with text.
func hasMessage(db *localdb.DB, convID, text string) bool {
	msgs, err := db.Messages(convID, "", 20)
	if err != nil {
		return false
	}
	for _, m := range msgs {
		if m.Text == text {
			return true
		}
	}
	return false
}
