package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

// loginTimeout bounds a login when ctx has no deadline of its own.
const loginTimeout = 30 * time.Second

// Session is a staff member's sign-in at a store server, as Login returns it.
type Session struct {
	Token   string     // the bearer token, for Params.Token and Engine.SetToken
	Expires time.Time  // when the server stops accepting Token
	Staff   shop.Staff // who signed in
	Shop    shop.Shop  // the shop signed in to
}

// Login signs staff member staff (a staff number) of shop shopID in at the store server baseURL
// and returns the session: the token and who signed in. Its errors tell apart: ErrBadURL (the address is not
// a URL), ErrUnreachable (no answer), ErrWrongPassword (the server refused the credentials),
// ErrNotKefuStore (something answered, but not a Kefu store: an HTML page, another API), and a
// *ServerError carrying the store's own message (e.g. too many attempts).
func Login(ctx context.Context, baseURL, shopID, staff, password string) (Session, error) {
	var out Session
	shopID, staff = strings.TrimSpace(shopID), strings.TrimSpace(staff)
	if shopID == "" || staff == "" || password == "" {
		return out, fmt.Errorf("%w: shop, staff number and password are all needed", ErrWrongPassword)
	}
	api, err := newAPIClient(baseURL, nil, discardLogger, "kefu-desk/"+strconv.Itoa(storeapi.Version))
	if err != nil {
		return out, err
	}
	defer api.closeIdle()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, loginTimeout)
		defer cancel()
	}
	body, err := json.Marshal(storeapi.LoginRequest{Shop: shopID, Staff: staff, Password: password})
	if err != nil {
		return out, fmt.Errorf("encoding the login: %w", err)
	}
	var lr storeapi.LoginResponse
	err = api.call(ctx, http.MethodPost, storeapi.PathLogin, "", nil, body, "", &lr)
	var se *ServerError
	switch {
	case err == nil:
		if lr.Token == "" {
			return out, fmt.Errorf("%w: its login answer has no token", ErrNotKefuStore)
		}
		return Session{Token: lr.Token, Expires: lr.Expires, Staff: lr.Staff, Shop: lr.Shop}, nil
	case errors.Is(err, ErrNotKefuStore):
		return out, fmt.Errorf("%s: %w", baseURL, err)
	case errors.As(err, &se) && se.Code == "":
		// A server error page that is not a store API error: a proxy, a web server.
		notStore := ErrNotKefuStore
		if se.WebPage {
			notStore = ErrWebPage
		}
		return out, fmt.Errorf("%w: %s answered %s", notStore, baseURL, se.Error())
	case errors.As(err, &se) && (se.StatusCode == http.StatusUnauthorized || se.StatusCode == http.StatusForbidden):
		return out, fmt.Errorf("%w (%s)", ErrWrongPassword, se.Message)
	case errors.Is(err, ErrUnreachable):
		return out, fmt.Errorf("cannot reach %s: %w", baseURL, err)
	}
	return out, fmt.Errorf("signing in at %s: %w", baseURL, err)
}
