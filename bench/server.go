package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"kefu/demostore"
	"kefu/internal/testkit"
	"kefu/localdb"
	"kefu/storeapi"
)

// The kefu-store figures.
const (
	figThroughput    = "kefu-store mutations applied per second (batches of 100)"
	targetThroughput = "≥ 3,000/s"
	minThroughput    = 3000.0

	figFanout    = "kefu-store with 200 desks long-polling, change delivered to all"
	targetFanout = "p95 ≤ 500 ms"
	maxFanout    = 500 * time.Millisecond

	batchSize     = 100
	warmBatches   = 5
	timedBatches  = 60
	pollers       = 200
	fanoutRounds  = 20
	waitersTimout = 30 * time.Second // all pollers waiting at the server
	pollWait      = 30               // seconds a long poll waits
)

// serverFigures measures the kefu-store process on the large shop.
func (r *runner) serverFigures(ctx context.Context) []Figure {
	return []Figure{r.throughputFigure(ctx), r.fanoutFigure(ctx)}
}

// throughputFigure pushes batches of 100 mutations (order notes, chat messages, stock
// adjustments, customer memos on the large shop's entities) one after another over loopback, as
// one desk emptying a backlog does, and counts the applied ones per second.
func (r *runner) throughputFigure(ctx context.Context) Figure {
	fail := func(err error) Figure { return failed(figThroughput, targetThroughput, err) }
	if r.sample == nil {
		db, err := localdb.Open(localdb.Options{Dir: r.path("large/desk")})
		if err != nil {
			return fail(err)
		}
		_, err = r.sampleOf(db)
		db.Close()
		if err != nil {
			return fail(err)
		}
	}
	mix, err := mutationMix(*r.sample, (warmBatches+timedBatches)*batchSize, r.staff.Number, newRand(6))
	if err != nil {
		return fail(err)
	}
	client := &http.Client{Timeout: time.Minute}
	defer client.CloseIdleConnections()
	push := func(b int) error {
		batch := mix[b*batchSize : (b+1)*batchSize]
		var resp storeapi.MutationsResponse
		if err := postJSON(ctx, client, r.store.url+storeapi.PathMutations, r.token, storeapi.MutationsRequest{Mutations: batch}, &resp); err != nil {
			return err
		}
		for _, res := range resp.Results {
			if res.Status != storeapi.StatusApplied {
				return fmt.Errorf("mutation %s: %s %s", res.ID, res.Status, res.Reason)
			}
		}
		if len(resp.Results) != len(batch) {
			return fmt.Errorf("%d results for %d mutations", len(resp.Results), len(batch))
		}
		return nil
	}
	if _, _, err := timeEach(warmBatches, push); err != nil {
		return fail(err)
	}
	start := time.Now()
	lat, _, err := timeEach(timedBatches, func(i int) error { return push(warmBatches + i) })
	if err != nil {
		return fail(err)
	}
	rate := float64(timedBatches*batchSize) / time.Since(start).Seconds()
	return Figure{Name: figThroughput, Value: fmt.Sprintf("%.0f/s", rate), Target: targetThroughput, Pass: rate >= minThroughput,
		Note: fmt.Sprintf("%d batches in a row from one client; batch median %s, p99 %s",
			timedBatches, fmtMs(lat.Median()), fmtMs(lat.Percentile(99)))}
}

// fanoutFigure has 200 clients long-polling the change feed (as 200 caught-up desks do) while
// a customer writes; each round it times, for every client, from the start of the customer's
// POST until that client has the change.
func (r *runner) fanoutFigure(ctx context.Context) Figure {
	fail := func(err error) Figure { return failed(figFanout, targetFanout, err) }
	agent, _, err := loginAs(ctx, r.store.url, demostore.Agent)
	if err != nil {
		return fail(err)
	}
	tokens := []string{r.token, agent}
	tr := &http.Transport{MaxIdleConns: pollers + 16, MaxIdleConnsPerHost: pollers + 16}
	client := &http.Client{Transport: tr, Timeout: time.Duration(pollWait)*time.Second + 30*time.Second}
	defer tr.CloseIdleConnections()
	chat, err := startChat(ctx, client, r.store.url, fmt.Sprintf("压测群发%d", time.Now().UnixNano()%1e6))
	if err != nil {
		return fail(err)
	}

	var all, last Samples
	for round := range fanoutRounds {
		time.Sleep(100 * time.Millisecond) // the last round's auto-replies, if any, are written
		cursor, err := feedHead(ctx, client, r.store.url, r.token)
		if err != nil {
			return fail(err)
		}
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			sent time.Time
			errs []error
			lats Samples
		)
		sentCh := make(chan struct{})
		for d := range pollers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				changes, err := pollChanges(ctx, client, r.store.url, tokens[d%len(tokens)], cursor, pollWait)
				got := time.Now()
				<-sentCh
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					errs = append(errs, err)
				case changes == 0:
					errs = append(errs, fmt.Errorf("poller %d: the long poll ended with no change", d))
				case got.Before(sent):
					errs = append(errs, fmt.Errorf("poller %d: a change came before the message was sent", d))
				default:
					lats = append(lats, got.Sub(sent))
				}
			}()
		}
		waitErr := r.waitPollers(ctx, pollers)
		sent = time.Now()
		close(sentCh)
		var sendErr error
		if waitErr == nil {
			sendErr = customerSend(ctx, client, r.store.url, chat.Token, fmt.Sprintf("第%d轮：在吗？", round))
		}
		wg.Wait()
		switch {
		case waitErr != nil:
			return fail(waitErr)
		case sendErr != nil:
			return fail(sendErr)
		case len(errs) > 0:
			return fail(fmt.Errorf("round %d: %d of %d pollers failed, first: %w", round, len(errs), pollers, errs[0]))
		}
		all = append(all, lats...)
		last = append(last, lats.Percentile(100))
	}
	p95 := all.Percentile(95)
	return Figure{Name: figFanout, Value: "p95 " + fmtMs(p95), Target: targetFanout, Pass: p95 <= maxFanout,
		Note: fmt.Sprintf("%d rounds × %d long polls (clients in this process); median %s; the last of the 200 had it after %s (p95 over rounds)",
			fanoutRounds, pollers, fmtMs(all.Median()), fmtMs(last.Percentile(95)))}
}

// waitPollers waits until n long polls are waiting at the server (its kefu_longpoll_waiting
// gauge).
func (r *runner) waitPollers(ctx context.Context, n int) error {
	var readErr error
	err := testkit.Wait{Timeout: waitersTimout}.Until(ctx, fmt.Sprintf("%d long polls waiting at the server", n), func() (bool, error) {
		v, err := r.store.gauge(ctx, "kefu_longpoll_waiting")
		if err != nil {
			readErr = err
			return true, nil
		}
		return v >= float64(n), fmt.Errorf("%v waiting", v)
	})
	switch {
	case readErr != nil:
		return readErr
	case errors.Is(err, testkit.ErrTimeout):
		return fmt.Errorf("%w: %w", err, errTimeout)
	}
	return err
}

// feedHead is the change feed's newest sequence: where a caught-up desk polls from.
func feedHead(ctx context.Context, client *http.Client, base, token string) (int64, error) {
	var resp storeapi.ChangesResponse
	if err := getChanges(ctx, client, base, token, 0, 1, 0, &resp); err != nil {
		return 0, err
	}
	return resp.Total, nil
}

// pollChanges long-polls the feed after cursor and returns how many changes came.
func pollChanges(ctx context.Context, client *http.Client, base, token string, cursor int64, wait int) (int, error) {
	var resp storeapi.ChangesResponse
	if err := getChanges(ctx, client, base, token, cursor, 100, wait, &resp); err != nil {
		return 0, err
	}
	return len(resp.Changes), nil
}

func getChanges(ctx context.Context, client *http.Client, base, token string, after int64, limit, wait int, out *storeapi.ChangesResponse) error {
	q := url.Values{"after": {strconv.FormatInt(after, 10)}, "limit": {strconv.Itoa(limit)}}
	if wait > 0 {
		q.Set("wait", strconv.Itoa(wait))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+storeapi.PathChanges+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", storeapi.PathChanges, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("GET %s: %w", storeapi.PathChanges, err)
	}
	return nil
}
