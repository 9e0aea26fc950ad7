package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"kefu/demostore"
	"kefu/localdb"
	"kefu/storeapi"
	kefusync "kefu/sync"
)

// The figures of a desk that is online: a customer's message reaching it, and a backlog of
// offline work going out when the server returns.
const (
	figMessage    = "customer message → desk localdb through the long poll, loopback"
	targetMessage = "p95 ≤ 25 ms"
	maxMessage    = 25 * time.Millisecond

	figDrain    = "10k mutations queued offline, drained after the server returns"
	targetDrain = "≤ 10 s"
	maxDrain    = 10 * time.Second

	messages        = 200              // customer messages sent
	perChat         = 50               // messages per chat (the server allows 60 a minute per chat)
	offlineBacklog  = 10_000           // mutations queued offline
	catchUpTimeout  = 5 * time.Minute  // an engine catching up with the feed
	arrivalTimeout  = 10 * time.Second // one message reaching the desk
	drainTimeout    = 5 * time.Minute  // the backlog going out
	betweenMessages = 20 * time.Millisecond
)

// liveFigures are the figures of desks online: those on the large shop (largeLiveFigures), then
// how fast desks are back after a server restart, on a small shop of their own (reconnect.go).
func (r *runner) liveFigures(ctx context.Context) []Figure {
	return append(r.largeLiveFigures(ctx), r.reconnectRows(ctx)...)
}

// largeLiveFigures runs the desk's sync engine on the working copy of the large desk store
// against the kefu-store process: first customers write (timed until the desk's store has each
// message), then the engine stops, 10k staff actions are recorded offline, and the engine
// starts again (timed until the outbox is empty).
func (r *runner) largeLiveFigures(ctx context.Context) []Figure {
	db, err := localdb.Open(localdb.Options{Dir: r.path("large/desk")})
	if err != nil {
		return []Figure{failed(figMessage, targetMessage, err), failed(figDrain, targetDrain, err)}
	}
	defer db.Close()
	return []Figure{r.messageFigure(ctx, db), r.drainFigure(ctx, db)}
}

// messageFigure sends customer messages through the chat page's endpoint and times each from
// the start of the POST until the desk's local store has committed it.
func (r *runner) messageFigure(ctx context.Context, db *localdb.DB) Figure {
	fail := func(err error) Figure { return failed(figMessage, targetMessage, err) }
	eng, err := startEngine(ctx, db, r.store.url, r.token, r.staff.Number)
	if err != nil {
		return fail(err)
	}
	defer eng.stop()
	if err := eng.waitFor(ctx, catchUpTimeout, "the desk to catch up", caughtUp); err != nil {
		return fail(err)
	}
	var conv, want atomic.Value
	conv.Store("")
	want.Store("")
	arrived := make(chan string, 16)
	cancel := db.Subscribe(func(c localdb.Change) {
		text := want.Load().(string)
		if c.FromServer && text != "" && hasMessage(db, conv.Load().(string), text) {
			select {
			case arrived <- text:
			default:
			}
		}
	})
	defer cancel()

	client := &http.Client{Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	var chat storeapi.ChatStartResponse
	lat := make(Samples, 0, messages)
	for i := range messages {
		if i%perChat == 0 {
			if chat, err = startChat(ctx, client, r.store.url, fmt.Sprintf("压测顾客%d-%d", time.Now().UnixNano()%1e6, i)); err != nil {
				return fail(err)
			}
			conv.Store(chat.Conversation)
			if err := eng.waitFor(ctx, catchUpTimeout, "the new chat to reach the desk", caughtUp); err != nil {
				return fail(err)
			}
			if err := r.waitPollers(ctx, 1); err != nil { // the engine is back in its long poll
				return fail(err)
			}
		}
		text := fmt.Sprintf("请问120码的还有吗？#%d", i)
		want.Store(text)
		start := time.Now()
		if err := customerSend(ctx, client, r.store.url, chat.Token, text); err != nil {
			return fail(err)
		}
		if err := awaitText(ctx, arrived, text, arrivalTimeout); err != nil {
			return fail(fmt.Errorf("message %d: %w", i, err))
		}
		lat = append(lat, time.Since(start))
		want.Store("")
		time.Sleep(betweenMessages)
	}
	p95 := lat.Percentile(95)
	return Figure{Name: figMessage, Value: "p95 " + fmtMs(p95), Target: targetMessage, Pass: p95 <= maxMessage,
		Note: fmt.Sprintf("%d messages POSTed to /c/%s/api/messages, timed until the desk store (1.3M records) committed them; median %s",
			len(lat), demostore.Shop, fmtMs(lat.Median()))}
}

// awaitText waits until text arrives on ch.
func awaitText(ctx context.Context, ch <-chan string, text string, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case got := <-ch:
			if got == text {
				return nil
			}
		case <-t.C:
			return fmt.Errorf("not on the desk within %v: %w", timeout, errTimeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// hasMessage reports whether one of the newest messages of conversation conv says text.
func hasMessage(db *localdb.DB, conv, text string) bool {
	if conv == "" {
		return false
	}
	ms, err := db.Messages(conv, "", 5)
	if err != nil {
		return false
	}
	for _, m := range ms {
		if m.Text == text {
			return true
		}
	}
	return false
}

// drainFigure records 10k staff actions with the engine stopped (the desk is offline), then
// starts it and times until the outbox is empty.
func (r *runner) drainFigure(ctx context.Context, db *localdb.DB) Figure {
	fail := func(err error) Figure { return failed(figDrain, targetDrain, err) }
	sample, err := r.sampleOf(db)
	if err != nil {
		return fail(err)
	}
	mix, err := mutationMix(sample, offlineBacklog, r.staff.Number, newRand(5))
	if err != nil {
		return fail(err)
	}
	before := db.OutboxLen()
	start := time.Now()
	for _, m := range mix {
		if _, err := db.Apply(m); err != nil {
			return fail(fmt.Errorf("recording offline: %w", err))
		}
	}
	recorded := time.Since(start)
	queued := db.OutboxLen()
	if queued < before+len(mix) {
		return fail(fmt.Errorf("%d mutations in the outbox after recording %d", queued, len(mix)))
	}
	problemsBefore, err := db.Problems()
	if err != nil {
		return fail(err)
	}

	start = time.Now()
	eng, err := startEngine(ctx, db, r.store.url, r.token, r.staff.Number)
	if err != nil {
		return fail(err)
	}
	defer eng.stop()
	if err := eng.waitFor(ctx, drainTimeout, "the outbox to drain", func(kefusync.Status) bool { return db.OutboxLen() == 0 }); err != nil {
		return fail(err)
	}
	drained := time.Since(start)
	if err := eng.waitFor(ctx, drainTimeout, "the desk to catch up", caughtUp); err != nil {
		return fail(err)
	}
	online := time.Since(start)
	problems, err := db.Problems()
	if err != nil {
		return fail(err)
	}
	note := fmt.Sprintf("%d mutations (notes, chat messages, stock in, customer memos; recorded offline in %s); caught up with the feed after %s",
		queued, fmtSec(recorded), fmtSec(online))
	if n := len(problems) - len(problemsBefore); n > 0 {
		note += fmt.Sprintf("; %d came back as conflicts or rejections", n)
	}
	return Figure{Name: figDrain, Value: fmtSec(drained), Target: targetDrain, Pass: drained <= maxDrain && len(problems) == len(problemsBefore), Note: note}
}

// startChat opens a customer chat through the chat page's endpoint.
func startChat(ctx context.Context, client *http.Client, base, nick string) (storeapi.ChatStartResponse, error) {
	var resp storeapi.ChatStartResponse
	err := postJSON(ctx, client, base+storeapi.PathChat+demostore.Shop+"/api/start", "", storeapi.ChatStartRequest{Nick: nick}, &resp)
	return resp, err
}

// customerSend posts a customer's message through the chat page's endpoint.
func customerSend(ctx context.Context, client *http.Client, base, token, text string) error {
	return postJSON(ctx, client, base+storeapi.PathChat+demostore.Shop+"/api/messages", "",
		storeapi.ChatSendRequest{Token: token, Text: text}, nil)
}

// postJSON posts body as JSON (with a bearer token when given) and decodes a 200 answer into out.
func postJSON(ctx context.Context, client *http.Client, url, token string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %s", url, resp.Status, oneLine(string(rb)))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(rb, out); err != nil {
		return fmt.Errorf("POST %s: %w", url, err)
	}
	return nil
}
