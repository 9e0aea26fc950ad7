package sync

import (
	"context"
	"errors"
	"fmt"
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
