package pgtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"kefu/shop"
	"kefu/storeapi"
)

// The store API as tests of several servers on one database call it: plain JSON requests to
// any server's base URL, safe to make from any goroutine (they return what went wrong).

// Call sends method path to the server at base with body as JSON (nil: none) and the staff
// token (if any), and decodes the answer into out (if not nil); an answer without status want
// is an error.
func Call(base, method, path, token string, body, out any, want int) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// Changes reads the feed after cursor after, long-polling up to wait seconds.
func Changes(base, token string, after int64, wait int) (storeapi.ChangesResponse, error) {
	var cr storeapi.ChangesResponse
	err := Call(base, "GET", fmt.Sprintf("%s?after=%d&limit=1000&wait=%d", storeapi.PathChanges, after, wait), token, nil, &cr, 200)
	return cr, err
}

// Push pushes mutations and returns their results.
func Push(base, token string, ms ...shop.Mutation) ([]storeapi.Result, error) {
	var mr storeapi.MutationsResponse
	if err := Call(base, "POST", storeapi.PathMutations, token, storeapi.MutationsRequest{Mutations: ms}, &mr, 200); err != nil {
		return nil, err
	}
	return mr.Results, nil
}

// Login logs staff in to shop and returns the token.
func Login(base, shopID, staff, password string) (string, error) {
	var lr storeapi.LoginResponse
	err := Call(base, "POST", storeapi.PathLogin, "", storeapi.LoginRequest{Shop: shopID, Staff: staff, Password: password}, &lr, 200)
	return lr.Token, err
}
