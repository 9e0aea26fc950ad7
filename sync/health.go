package sync

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"kefu/storeapi"
)

// healthTimeout bounds a health check when ctx has no deadline of its own.
const healthTimeout = 10 * time.Second

// Health asks the store server at baseURL whether it is a Kefu store (GET /healthz) and returns
// its answer, with the server's version. Its errors tell apart, as Login's do: ErrBadURL,
// ErrUnreachable, ErrWebPage and ErrNotKefuStore (something answered, but not a Kefu store).
func Health(ctx context.Context, baseURL string) (storeapi.HealthResponse, error) {
	var h storeapi.HealthResponse
	api, err := newAPIClient(baseURL, nil, discardLogger, "kefu-desk/"+strconv.Itoa(storeapi.Version))
	if err != nil {
		return h, err
	}
	defer api.closeIdle()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, healthTimeout)
		defer cancel()
	}
	err = api.call(ctx, http.MethodGet, storeapi.PathHealth, "", nil, nil, "", &h)
	var se *ServerError
	switch {
	case err == nil && h.Status == "ok":
		return h, nil
	case err == nil:
		return h, fmt.Errorf("%w: %s/healthz answered status %q", ErrNotKefuStore, baseURL, h.Status)
	case errors.As(err, &se) && se.Code == "":
		// An answer that is not a store API error: a proxy, a web server, another service.
		notStore := ErrNotKefuStore
		if se.WebPage {
			notStore = ErrWebPage
		}
		return h, fmt.Errorf("%w: %s answered %s", notStore, baseURL, se.Error())
	}
	return h, fmt.Errorf("checking %s: %w", baseURL, err)
}

// probeTimeout bounds one health probe while offline: a server that accepts connections but
// does not answer (a stopped process, a dead link) is not waited for longer than this.
const probeTimeout = 2 * time.Second

// retryPause is the retry client's pause between attempts (retryClient.Pause). A pause the
// server asked for (Retry-After) is waited out, unless ReconnectNow wakes it. Otherwise the
// pause is cut into waits of about ProbeEvery, each followed by a health probe; a Kick or
// ReconnectNow ends it at once, and so does a probe that finds the store answering again after
// it had not (the failure was no answer at all, or an earlier probe failed): that is the server
// back, so the backoff starts over and the call is retried at once. A server that answers its
// health check while its API fails (5xx) is not hammered: its probes succeed from the start, and
// the pause runs its full length.
func (e *Engine) retryPause(ctx context.Context, d time.Duration, serverAsked bool) error {
	if serverAsked || e.p.ProbeEvery < 0 {
		e.showNextTry(d)
		return e.pause(ctx, d, !serverAsked)
	}
	end := e.clock.Now().Add(d)
	for {
		left := end.Sub(e.clock.Now())
		if left <= 0 {
			return nil
		}
		wait := min(e.probeWait(), left)
		e.showNextTry(wait)
		if err := e.pause(ctx, wait, true); err != nil {
			return err
		}
		if !e.clock.Now().Before(end) {
			return nil // the full pause passed: the call itself is the next try
		}
		if e.probe(ctx) {
			if e.probeFailed || e.noAnswer() {
				e.probeFailed = false
				e.resetBackoff()
				return nil
			}
		} else {
			e.probeFailed = true
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// probeWait is ProbeEvery with ±25% jitter, so that desks that lost the server together do not
// probe it in step.
func (e *Engine) probeWait() time.Duration {
	p := e.p.ProbeEvery
	return p*3/4 + rand.N(p/2+1)
}

// probe asks the server's health endpoint whether a Kefu store answers there (true) — one
// small GET, not a pull.
func (e *Engine) probe(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var h storeapi.HealthResponse
	err := e.api.api.call(ctx, http.MethodGet, storeapi.PathHealth, "", nil, nil, "", &h)
	return err == nil && h.Status == "ok"
}

// noAnswer reports whether the failure that made the engine pause was no answer from a store
// (nothing answered, or something other than the store did), which a health probe also sees.
func (e *Engine) noAnswer() bool {
	switch e.Status().Cause {
	case CauseUnreachable, CauseNetworkDown, CauseWebPage, CauseNotKefuStore:
		return true
	}
	return false
}

// showNextTry puts the time of the next try, d from now, in an offline status.
func (e *Engine) showNextTry(d time.Duration) {
	at := e.clock.Now().Add(d)
	e.setStatus(func(s *Status) {
		if s.State == StateOffline {
			s.NextTry = at
		}
	})
}

// resetBackoff starts the pauses between retries over from MinBackoff (after a sign of life:
// the server answering, a staff action, ReconnectNow).
func (e *Engine) resetBackoff() {
	e.api.bo.reset()
	e.localBo.reset()
}
