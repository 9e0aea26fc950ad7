package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/imports"
	"kefu/server/store"
	"kefu/storeapi"
)

// importTimeout bounds the reading of one import request.
const importTimeout = 30 * time.Minute

// handleImport answers POST /v1/import?name=FILE&dry_run=true: the body is the export file,
// streamed into the import as it arrives (an XLSX workbook, which needs random access, is
// spooled to a temporary file first). Owners and managers only.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request, tok store.TokenInfo) {
	if err := s.CanImport(r.Context(), tok.Shop, tok.Staff); err != nil {
		if errors.Is(err, ErrForbidden) {
			fail(w, http.StatusForbidden, storeapi.CodeForbidden, "%v", err)
			return
		}
		s.failErr(w, r, err)
		return
	}
	q := r.URL.Query()
	name := strings.TrimSpace(path.Base(strings.ReplaceAll(q.Get("name"), `\`, "/")))
	if name == "" || name == "." || name == "/" {
		name = "upload"
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > 200 {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "name must be a file name of at most 200 characters")
		return
	}
	var dry bool
	switch q.Get("dry_run") {
	case "", "0", "false":
	case "1", "true":
		dry = true
	default:
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "dry_run must be true or false")
		return
	}
	switch {
	case r.ContentLength < 0:
		fail(w, http.StatusLengthRequired, storeapi.CodeLengthRequired, "send the file with a Content-Length (at most %d bytes)", storeapi.MaxImportBytes)
		return
	case r.ContentLength > storeapi.MaxImportBytes:
		fail(w, http.StatusRequestEntityTooLarge, storeapi.CodeTooLarge, "the file is %d bytes; an import takes at most %d (split it, or export a shorter period)", r.ContentLength, storeapi.MaxImportBytes)
		return
	case r.ContentLength == 0:
		fail(w, http.StatusBadRequest, storeapi.CodeUnreadable, "%s: %v", name, imports.ErrEmpty)
		return
	}
	// The file is read while it is imported: a big one may take longer than the server's
	// usual read and write timeouts allow for a request.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(importTimeout))
	rc.SetWriteDeadline(time.Now().Add(importTimeout + time.Minute))
	body := bufio.NewReaderSize(http.MaxBytesReader(w, r.Body, storeapi.MaxImportBytes), 64<<10)
	head, _ := body.Peek(8)
	var f *imports.File
	var err error
	if imports.IsZip(head) {
		f, err = s.spoolXLSX(name, body)
	} else {
		f, err = imports.Open(name, body, imports.DefaultLimits)
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			fail(w, http.StatusRequestEntityTooLarge, storeapi.CodeTooLarge, "the file is over %d bytes", storeapi.MaxImportBytes)
		case r.Context().Err() != nil:
			s.internal(w, r, r.Context().Err())
		default:
			fail(w, http.StatusBadRequest, storeapi.CodeUnreadable, "%v", err)
		}
		return
	}
	defer f.Close()
	resp, err := s.Import(r.Context(), tok.Shop, tok.Staff, f, dry)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if resp.Error != "" && resp.New+resp.Changed+resp.Unchanged == 0 {
		// Nothing was applied: the file is unreadable, and the answer is an error.
		fail(w, http.StatusBadRequest, storeapi.CodeUnreadable, "%s", resp.Error)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// spoolXLSX copies an uploaded workbook to a temporary file (removed when the file is
// closed) and opens it.
func (s *Server) spoolXLSX(name string, body io.Reader) (*imports.File, error) {
	tmp, err := os.CreateTemp("", "kefu-import-*.xlsx")
	if err != nil {
		return nil, fmt.Errorf("spooling %s: %w", name, err)
	}
	remove := func() { tmp.Close(); os.Remove(tmp.Name()) }
	if _, err := io.Copy(tmp, body); err != nil {
		remove()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		remove()
		return nil, err
	}
	f, err := imports.OpenXLSX(name, tmp.Name(), imports.DefaultLimits)
	if err != nil {
		os.Remove(tmp.Name())
		return nil, err
	}
	f.OnClose(func() { os.Remove(tmp.Name()) })
	return f, nil
}
