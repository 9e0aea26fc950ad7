package imports

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// Format is one export format: its name, what it holds, its columns by key with the header
// names each goes by, and how its rows become records.
type Format struct {
	Name   string // e.g. taobao-orders; part of the store API
	Label  string // what a person reads, e.g. 淘宝订单报表 (Taobao order report)
	Kind   Kind
	Source string // the platform its records come from: taobao, shopify, woocommerce, erp, kefu
	fields []field
	// labelRow: the header is followed by a second one of labels (淘宝助理).
	labelRow bool
	parse    func(p *parser, r *row)
}

// field is one column of a format: its key, the header names it goes by, and whether a file
// of the format must have it.
type field struct {
	key   string
	names []string
	req   bool
}

// Columns lists the format's columns: for each, its header names (the first is the one Kefu's
// templates use) and whether it is required.
func (f *Format) Columns() []Column {
	out := make([]Column, len(f.fields))
	for i, fd := range f.fields {
		out[i] = Column{Key: fd.key, Names: fd.names, Required: fd.req}
	}
	return out
}

// Column is one column of a format.
type Column struct {
	Key      string
	Names    []string
	Required bool
}

// Formats lists every format, in the order they are tried.
func Formats() []*Format { return formats }

// FormatByName finds a format by its Name.
func FormatByName(name string) (*Format, bool) {
	for _, f := range formats {
		if f.Name == name {
			return f, true
		}
	}
	return nil, false
}

// norm is a header cell as it is matched: trimmed, lower case.
func norm(s string) string {
	return strings.ToLower(strings.Trim(s, " \t\r\n\u3000\ufeff\u00a0\""))
}

// detect picks the format whose required columns the header all has, and of those the one
// that knows the most of its columns. It returns the format and its columns' indexes.
func detect(header []string) (*Format, map[string]int, error) {
	idx := map[string]int{}
	for i, h := range header {
		if k := norm(h); k != "" {
			if _, dup := idx[k]; !dup {
				idx[k] = i
			}
		}
	}
	type fit struct {
		f     *Format
		cols  map[string]int
		score int
	}
	var fits []fit
	for _, f := range formats {
		cols := map[string]int{}
		ok := true
		for _, fd := range f.fields {
			found := false
			for _, n := range fd.names {
				if i, has := idx[norm(n)]; has {
					cols[fd.key], found = i, true
					break
				}
			}
			if !found && fd.req {
				ok = false
				break
			}
		}
		if ok {
			fits = append(fits, fit{f, cols, len(cols)})
		}
	}
	if len(fits) == 0 {
		shown := header
		if len(shown) > 8 {
			shown = shown[:8]
		}
		return nil, nil, fmt.Errorf("%w (it begins %q); the formats are %s", ErrUnknownFormat, strings.Join(shown, ","), formatNames())
	}
	sort.SliceStable(fits, func(i, j int) bool { return fits[i].score > fits[j].score })
	if len(fits) > 1 && fits[0].score == fits[1].score {
		return nil, nil, fmt.Errorf("%w: %s and %s", ErrAmbiguous, fits[0].f.Label, fits[1].f.Label)
	}
	return fits[0].f, fits[0].cols, nil
}

func formatNames() string {
	var ns []string
	for _, f := range formats {
		ns = append(ns, f.Label)
	}
	return strings.Join(ns, ", ")
}

// row is one data row being read.
type row struct {
	f     *File
	cells []string
	line  int
	bad   *Refusal // the first problem found
}

// has reports whether the file has the column.
func (r *row) has(key string) bool { _, ok := r.f.cols[key]; return ok }

// column is the header name of a column, as refusals name it.
func (r *row) column(key string) string {
	if i, ok := r.f.cols[key]; ok && i < len(r.f.Header) {
		return strings.TrimSpace(r.f.Header[i])
	}
	for _, fd := range r.f.Format.fields {
		if fd.key == key {
			return fd.names[0]
		}
	}
	return key
}

// get is the cleaned cell of a column, "" when the file or the row lacks it.
func (r *row) get(key string) string {
	i, ok := r.f.cols[key]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return clean(r.cells[i])
}

// refuse records the row's first problem.
func (r *row) refuse(key, format string, args ...any) {
	if r.bad == nil {
		r.bad = &Refusal{File: r.f.Name, Line: r.line, Column: r.column(key), Reason: shorten(fmt.Sprintf(format, args...), maxReason)}
	}
}

// need is a required cell: empty refuses the row.
func (r *row) need(key string) string {
	v := r.get(key)
	if v == "" {
		r.refuse(key, "is empty; it is needed")
	}
	return v
}

// read reads a cell with conv, refusing the row on its error.
func read[T any](r *row, key string, conv func(string) (T, error)) T {
	v, err := conv(r.get(key))
	if err != nil {
		r.refuse(key, "%v", err)
	}
	return v
}

// check refuses a row whose cells no import takes: too long, not UTF-8, binary.
func (r *row) check() {
	if r.f.keys == nil {
		r.f.keys = map[int]string{}
		for k, at := range r.f.cols {
			r.f.keys[at] = k
		}
	}
	for i, c := range r.cells {
		if len(c) <= 64 && utf8.ValidString(c) && strings.IndexByte(c, 0) < 0 {
			continue // the common cell, checked cheaply
		}
		key := r.f.keys[i]
		col := fmt.Sprintf("column %d", i+1)
		if key != "" {
			col = r.column(key)
		} else if i < len(r.f.Header) && strings.TrimSpace(r.f.Header[i]) != "" {
			col = strings.TrimSpace(r.f.Header[i])
		}
		switch {
		case r.f.checkUT && !utf8.ValidString(c):
			r.bad = &Refusal{File: r.f.Name, Line: r.line, Column: col, Reason: "is not valid UTF-8 (the file began as UTF-8; save the whole file in one encoding, UTF-8 or GBK)"}
		case strings.IndexByte(c, 0) >= 0:
			r.bad = &Refusal{File: r.f.Name, Line: r.line, Column: col, Reason: "holds binary data (a NUL byte)"}
		case r.f.lim.MaxCellRunes > 0 && len(c) > r.f.lim.MaxCellRunes && utf8.RuneCountInString(c) > r.f.lim.MaxCellRunes:
			r.bad = &Refusal{File: r.f.Name, Line: r.line, Column: col, Reason: fmt.Sprintf("is %d characters long; at most %d", utf8.RuneCountInString(c), r.f.lim.MaxCellRunes)}
		}
		if r.bad != nil {
			return
		}
	}
}

// Lengths of what a refusal's reason and a preview cell show of a cell, in runes.
const (
	maxReason      = 300
	maxPreviewCell = 100
)

// shorten cuts s to at most n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// parser turns a file's rows into records; records of several rows (a Shopify order and its
// continuation rows) are held as pending until a row of another record comes.
type parser struct {
	f      *File
	emit   func(Record) error
	refuse func(Refusal)
	err    error

	pending    *Record
	pendingKey string
	pendingBad *Refusal
	parents    map[string]string // WooCommerce: parent id:NN or SKU → product key
}

// out emits a finished record or its refusal.
func (p *parser) out(rec Record, bad *Refusal) {
	if p.err != nil {
		return
	}
	if bad != nil {
		p.refuse(*bad)
		return
	}
	p.err = p.emit(rec)
}

// group adds a row to the pending record of key, or starts a new one with start.
func (p *parser) group(key string, r *row, start func() Record, add func(*Record)) {
	if p.pending != nil && key != p.pendingKey {
		p.flush()
	}
	if p.pending == nil {
		rec := start()
		p.pending, p.pendingKey, p.pendingBad = &rec, key, nil
	}
	if r.bad != nil && p.pendingBad == nil {
		p.pendingBad = r.bad
	}
	if r.bad == nil {
		add(p.pending)
	}
}

// flush emits the pending record.
func (p *parser) flush() {
	if p.pending == nil {
		return
	}
	rec, bad := *p.pending, p.pendingBad
	p.pending, p.pendingBad = nil, nil
	p.out(rec, bad)
}

// Each reads the file's rows to the end: every record goes to emit, every refused row to
// refuse. It stops at emit's first error, or an error that makes the rest of the file
// unreadable, and returns it.
func (f *File) Each(emit func(Record) error, refuse func(Refusal)) error {
	p := &parser{f: f, emit: emit, refuse: refuse, parents: map[string]string{}}
	for p.err == nil {
		cells, line, err := f.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.flush()
			return err
		}
		if blank(cells) {
			continue
		}
		f.Rows++
		if len(f.Preview) < PreviewRows {
			p := make([]string, len(cells))
			for i, c := range cells {
				p[i] = shorten(strings.ToValidUTF8(c, "\uFFFD"), maxPreviewCell)
			}
			f.Preview = append(f.Preview, p)
		}
		r := &row{f: f, cells: cells, line: line}
		r.check()
		f.Format.parse(p, r)
	}
	p.flush()
	return p.err
}

// Column is the header name of the format's column key as this file names it, or the
// column's first name when the file lacks it.
func (f *File) Column(key string) string {
	return (&row{f: f}).column(key)
}
