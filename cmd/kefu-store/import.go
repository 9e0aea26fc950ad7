package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"kefu/imports"
	"kefu/storeapi"
)

// exitStatus is an error that is only an exit status (its output is printed already): 1 when
// an import refused rows.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// exitCode is the process's exit status for an error of run: an exitStatus's own, else 2.
func exitCode(err error) (int, bool) {
	var st exitStatus
	if errors.As(err, &st) {
		return int(st), true
	}
	return 2, false
}

// importFiles is `kefu-store import --server URL --shop ID --staff NUMBER [--dry-run] FILE...`:
// it logs in to a running kefu-store as an owner or manager (the password is the first line
// of standard input), sends each file to POST /v1/import and prints per file the detected
// format, the counts and every refusal as FILE:LINE: column: reason. A Taobao order report
// goes before its item report whatever the order of the arguments. It returns nil when nothing
// was refused, exitStatus(1) when some rows were, another error (exit 2) for a usage or
// connection error.
func importFiles(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kefu-store import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "http://127.0.0.1:8420", "the running kefu-store's base URL")
	shopID := fs.String("shop", "", "shop id")
	staff := fs.String("staff", "", "staff number (工号) of an owner or manager")
	dry := fs.Bool("dry-run", false, "check and count only; write nothing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kefu-store import --server URL --shop ID --staff NUMBER [--dry-run] FILE...\n(the password is read from the first line of standard input)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *shopID == "" || *staff == "" || fs.NArg() == 0 {
		fs.Usage()
		return errors.New("import needs --shop, --staff and at least one file")
	}
	base := strings.TrimRight(*server, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--server %q must be an http:// or https:// URL", *server)
	}
	files := fs.Args()
	for _, f := range files {
		if st, err := os.Stat(f); err != nil {
			return err
		} else if st.IsDir() {
			return fmt.Errorf("%s is a directory", f)
		}
	}
	files = importOrder(files)
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(stderr, "Password (shown as typed): ")
		}
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading the password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	client := &http.Client{Timeout: 30 * time.Minute}
	token, err := login(client, base, *shopID, *staff, password)
	if err != nil {
		return err
	}
	refused := false
	for _, path := range files {
		r, err := sendFile(client, base, token, path, *dry)
		var apiErr *storeapi.ErrorResponse
		if errors.As(err, &apiErr) && apiErr.Code == storeapi.CodeUnreadable {
			// The file as a whole was refused: say so and go on with the others.
			fmt.Fprintf(stdout, "%s: refused: %s\n", path, apiErr.Message)
			refused = true
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		mode := ""
		if r.DryRun {
			mode = " (dry run: nothing written)"
		}
		fmt.Fprintf(stdout, "%s: %s, %s, %s: %d new, %d changed, %d unchanged, %d refused%s\n",
			path, r.Format, r.Label, r.Encoding, r.New, r.Changed, r.Unchanged, r.Refused, mode)
		for _, ref := range r.Refusals {
			fmt.Fprintf(stdout, "%s:%d: %s: %s\n", path, ref.Line, ref.Column, ref.Reason)
		}
		if r.RefusalsCut {
			fmt.Fprintf(stdout, "%s: … %d refusals in all; the first %d are listed\n", path, r.Refused, len(r.Refusals))
		}
		if r.Error != "" {
			fmt.Fprintf(stdout, "%s: stopped: %s\n", path, r.Error)
		}
		refused = refused || r.Refused > 0 || r.Error != ""
	}
	if refused {
		return exitStatus(1)
	}
	return nil
}

// importOrder puts Taobao order reports before item reports (so that the items join orders
// that exist), keeping the order of the rest; a file whose format cannot be told here keeps
// its place and the server says what is wrong with it.
func importOrder(files []string) []string {
	rank := func(path string) int {
		f, err := imports.OpenPath(path, imports.DefaultLimits)
		if err != nil {
			return 1
		}
		defer f.Close()
		switch f.Format.Kind {
		case imports.KindProduct:
			return 0 // products first: orders' lines and stock link to them
		case imports.KindOrderLine, imports.KindStock, imports.KindReview:
			return 2
		}
		return 1
	}
	ranks := map[string]int{}
	for _, f := range files {
		ranks[f] = rank(f)
	}
	out := append([]string(nil), files...)
	sort.SliceStable(out, func(i, j int) bool { return ranks[out[i]] < ranks[out[j]] })
	return out
}

// login gets a staff token.
func login(client *http.Client, base, shopID, staff, password string) (string, error) {
	body, _ := json.Marshal(storeapi.LoginRequest{Shop: shopID, Staff: staff, Password: password})
	resp, err := client.Post(base+storeapi.PathLogin, "application/json", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("connecting to %s: %w", base, err)
	}
	defer resp.Body.Close()
	var lr storeapi.LoginResponse
	if err := answer(resp, &lr); err != nil {
		return "", fmt.Errorf("logging in: %w", err)
	}
	return lr.Token, nil
}

// sendFile streams one file to the import endpoint.
func sendFile(client *http.Client, base, token, path string, dry bool) (storeapi.ImportResponse, error) {
	var r storeapi.ImportResponse
	fh, err := os.Open(path)
	if err != nil {
		return r, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return r, err
	}
	q := url.Values{"name": {filepath.Base(path)}}
	if dry {
		q.Set("dry_run", "true")
	}
	req, err := http.NewRequest(http.MethodPost, base+storeapi.PathImport+"?"+q.Encode(), fh)
	if err != nil {
		return r, err
	}
	req.ContentLength = st.Size()
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return r, fmt.Errorf("sending to %s: %w", base, err)
	}
	defer resp.Body.Close()
	return r, answer(resp, &r)
}

// answer decodes a 200 answer into v, or returns the ErrorResponse of another.
func answer(resp *http.Response, v any) error {
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		er := &storeapi.ErrorResponse{}
		if json.Unmarshal(data, er) != nil || er.Code == "" {
			return fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(data))
		}
		return er
	}
	return json.Unmarshal(data, v)
}
