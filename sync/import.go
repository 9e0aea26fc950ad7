package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	gosync "sync"

	"kefu/storeapi"
)

// ImportFile is one export file to send to the store's import endpoint.
type ImportFile struct {
	Name   string    // the file's name, sent as ?name= (the server detects the format from the header, not the name)
	Body   io.Reader // the file's bytes, streamed as they are sent
	Size   int64     // the number of bytes Body holds, sent as the Content-Length
	DryRun bool      // count and check only; the server writes nothing
	// Progress, when set, is told how many of Size bytes have been handed to the connection,
	// from the goroutine that sends them. It must not block for long.
	Progress func(sent, total int64)
}

// ErrImportSize: an ImportFile's Size is not positive, or Body held more or fewer bytes.
var ErrImportSize = errors.New("the import file's size does not match its bytes")

// Import sends one export file to POST /v1/import with the engine's token, streamed through
// the engine's HTTP client (one attempt: a big upload is not sent twice by itself), and
// returns what the server made of it. Errors: ErrSignedOut when the engine is signed out or
// the server refused the token, ErrUnreachable (wrapped) when no answer came, a *ServerError
// for the server's refusals (403 for an agent, 413 for a file over storeapi.MaxImportBytes,
// 400 storeapi.CodeUnreadable for a file it cannot read), the context's error when ctx ended.
// It may be called from any goroutine, while Run runs.
func (e *Engine) Import(ctx context.Context, f ImportFile) (storeapi.ImportResponse, error) {
	var out storeapi.ImportResponse
	token, ok := e.currentToken()
	if !ok {
		return out, fmt.Errorf("importing %s: %w", f.Name, ErrSignedOut)
	}
	err := e.api.api.upload(ctx, storeapi.PathImport, token,
		url.Values{"name": {f.Name}, "dry_run": {fmt.Sprint(f.DryRun)}}, f, &out)
	var se *ServerError
	if errors.As(err, &se) && se.StatusCode == http.StatusUnauthorized {
		return out, fmt.Errorf("importing %s: %w (%s)", f.Name, ErrSignedOut, se.Message)
	}
	if err != nil {
		return out, fmt.Errorf("importing %s: %w", f.Name, err)
	}
	return out, nil
}

// upload POSTs f's bytes to path with a Content-Length, through the client's http.Client and
// with resty's base URL and headers (resty cannot stream an io.Reader with a Content-Length),
// and decodes the answer as call does.
func (c *apiClient) upload(ctx context.Context, path, token string, query url.Values, f ImportFile, out any) error {
	if f.Size <= 0 {
		return fmt.Errorf("%w: %d bytes", ErrImportSize, f.Size)
	}
	body := &countingReader{r: io.LimitReader(f.Body, f.Size), total: f.Size, progress: f.Progress}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.rc.BaseURL+path+"?"+query.Encode(), body)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	req.ContentLength = f.Size
	req.Header.Set("Content-Type", "application/octet-stream")
	for _, h := range []string{"Accept", "User-Agent"} {
		req.Header.Set(h, c.rc.Header.Get(h))
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("POST %s: %w", path, ctx.Err())
		}
		if body.cut() {
			return fmt.Errorf("%w: %s ended after %d of %d bytes", ErrImportSize, f.Name, body.count(), f.Size)
		}
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("%w: reading the answer to POST %s: %w", ErrUnreachable, path, err)
	}
	return decodeAnswer("POST "+path, resp.StatusCode, resp.Header, b, out)
}

// countingReader counts the bytes read from it (the transport reads as it sends) and reports
// them to progress.
type countingReader struct {
	r        io.Reader
	total    int64
	progress func(sent, total int64)

	mu    gosync.Mutex
	sent  int64
	short bool // the reader ended before total
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.sent += int64(n)
		sent := c.sent
		c.mu.Unlock()
		if c.progress != nil {
			c.progress(sent, c.total)
		}
	}
	if errors.Is(err, io.EOF) && c.count() < c.total {
		c.mu.Lock()
		c.short = true
		c.mu.Unlock()
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// cut reports whether the reader ended before its total.
func (c *countingReader) cut() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.short
}

// count is how many bytes were read so far.
func (c *countingReader) count() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent
}
