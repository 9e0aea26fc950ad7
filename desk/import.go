package desk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"kefu/imports"
	"kefu/shop"
	kefusync "kefu/sync"
)

// Errors of an import (and ErrNeedsServer, in channels.go: the server did not answer; nothing
// was imported by the call).
var (
	// ErrImportRefused: the server refused the file as a whole (an agent's import, a file too
	// big, a file it cannot read); the error's text ends with the server's reason.
	ErrImportRefused = errors.New("the server refused the file")
)

// ImportTemplates are the kinds of Kefu's own import templates, for WriteImportTemplate:
// warehouse stock, customers, reviews.
var ImportTemplates = append([]string(nil), imports.Templates...)

// ImportResult is what the store server made of one export file (see storeapi.ImportResponse).
type ImportResult struct {
	File     string // the file's name
	Format   string // e.g. taobao-orders
	Label    string // the format as a person reads it
	Encoding string // UTF-8, UTF-8 (BOM), UTF-16LE, GB18030 or XLSX
	DryRun   bool   // nothing was written

	Rows                             int // data rows read
	New, Changed, Unchanged, Refused int // records (Refused: rows)

	Refusals    []ImportRefusal // at most 1000
	RefusalsCut bool            // there were more refusals than listed

	Header  []string   // the header row as read
	Preview [][]string // the first data rows (at most 5)
	Error   string     // the file became unreadable part-way; the records before it counted
}

// ImportRefusal is one refused row of a file: its line, the column and why.
type ImportRefusal struct {
	Line   int
	Column string
	Reason string
}

// CanImport reports whether a staff member may import files into the shop: owners and
// managers.
func CanImport(s shop.Staff) bool { return s.Role == shop.RoleOwner || s.Role == shop.RoleManager }

// ImportOnline reports whether the sync engine runs and is not offline or signed out, i.e.
// whether an import has a chance to reach the server.
func (d *Desk) ImportOnline() bool {
	d.mu.Lock()
	e := d.engine
	d.mu.Unlock()
	if e == nil {
		return false
	}
	st := e.Status().State
	return st != kefusync.StateOffline && st != kefusync.StateSignedOut
}

// Import sends the export file at path to the store server, as a dry run (counted and
// checked, nothing written) or for real, and returns what the server made of it. progress,
// when set, is told the bytes sent so far, from the uploading goroutine. Errors wrap
// ErrNeedsServer (no server to talk to) or ErrImportRefused (the server's refusal, with its
// reason); a file that cannot be read here is returned as the OS's error.
func (d *Desk) Import(ctx context.Context, path string, dryRun bool, progress func(sent, total int64)) (ImportResult, error) {
	d.mu.Lock()
	e := d.engine
	d.mu.Unlock()
	name := filepath.Base(path)
	if e == nil {
		return ImportResult{}, fmt.Errorf("desk: importing %s: %w (not signed in)", name, ErrNeedsServer)
	}
	f, err := os.Open(path)
	if err != nil {
		return ImportResult{}, fmt.Errorf("desk: importing: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ImportResult{}, fmt.Errorf("desk: importing: %w", err)
	}
	if fi.Size() == 0 {
		return ImportResult{}, fmt.Errorf("desk: importing %s: %w: %w", name, ErrImportRefused, imports.ErrEmpty)
	}
	r, err := e.Import(ctx, kefusync.ImportFile{Name: name, Body: f, Size: fi.Size(), DryRun: dryRun, Progress: progress})
	var se *kefusync.ServerError
	switch {
	case err == nil:
	case errors.Is(err, kefusync.ErrUnreachable), errors.Is(err, kefusync.ErrSignedOut):
		return ImportResult{}, fmt.Errorf("desk: %w: %w", ErrNeedsServer, err)
	case errors.As(err, &se) && se.Code != "":
		return ImportResult{}, fmt.Errorf("desk: %s: %w: %s", name, ErrImportRefused, se.Message)
	default:
		return ImportResult{}, fmt.Errorf("desk: %w", err)
	}
	out := ImportResult{File: r.File, Format: r.Format, Label: r.Label, Encoding: r.Encoding, DryRun: r.DryRun,
		Rows: r.Rows, New: r.New, Changed: r.Changed, Unchanged: r.Unchanged, Refused: r.Refused,
		RefusalsCut: r.RefusalsCut, Header: r.Header, Preview: r.Preview, Error: r.Error}
	for _, rf := range r.Refusals {
		out.Refusals = append(out.Refusals, ImportRefusal{Line: rf.Line, Column: rf.Column, Reason: rf.Reason})
	}
	return out, nil
}

// WriteImportErrors writes the refused rows of the export file at path as CSV for Excel
// (UTF-8 with a BOM, formula cells neutralised): the file's header after an error column,
// then each refused row as the file has it, with its reasons ("column: reason", joined by
// "; " when a row was refused for more than one).
func WriteImportErrors(w io.Writer, path string, refusals []ImportRefusal) error {
	byLine := map[int][]string{}
	for _, r := range refusals {
		byLine[r.Line] = append(byLine[r.Line], joinReason(r))
	}
	reasons := make(map[int]string, len(byLine))
	for line, rs := range byLine {
		sort.Strings(rs)
		reasons[line] = strings.Join(rs, "; ")
	}
	if err := imports.WriteErrorFile(w, path, reasons); err != nil {
		return fmt.Errorf("desk: writing the refused rows of %s: %w", filepath.Base(path), err)
	}
	return nil
}

func joinReason(r ImportRefusal) string {
	if r.Column == "" {
		return r.Reason
	}
	return r.Column + ": " + r.Reason
}

// WriteImportTemplate writes Kefu's template for kind (one of ImportTemplates): the header row
// with the Chinese column names and one example row, as XLSX when xlsx, else as CSV for Excel.
func WriteImportTemplate(w io.Writer, kind string, xlsx bool) error {
	if err := imports.WriteTemplate(w, kind, xlsx); err != nil {
		return fmt.Errorf("desk: writing the %s template: %w", kind, err)
	}
	return nil
}
