package imports

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Limits bound what a file may hold, against hostile or broken input.
type Limits struct {
	// MaxCellRunes is the longest cell a row may have; a longer one refuses its row.
	MaxCellRunes int
	// MaxLineBytes is the longest line of a text file; a longer one ends the file with an error
	// (it would otherwise have to be held in memory whole).
	MaxLineBytes int
	// MaxUnzipBytes is the most an XLSX file may hold once unzipped, all its parts together;
	// MaxUnzipRatio the most one part may grow by unzipping (zip bombs grow a thousandfold).
	MaxUnzipBytes int64
	MaxUnzipRatio int64
}

// DefaultLimits are the limits the server uses.
var DefaultLimits = Limits{MaxCellRunes: 10000, MaxLineBytes: 1 << 20, MaxUnzipBytes: 1 << 30, MaxUnzipRatio: 200}

// Errors that make a whole file unreadable. Each is wrapped with the file's name and details.
var (
	ErrEmpty         = errors.New("the file is empty")
	ErrBinary        = errors.New("the file is not text: it holds binary data")
	ErrXLS           = errors.New("old Excel .xls files cannot be read; save the sheet as .xlsx or CSV")
	ErrUnknownFormat = errors.New("the header is not one of a known export format")
	ErrAmbiguous     = errors.New("the header fits more than one format")
	ErrZipBomb       = errors.New("the XLSX file unzips to more than the import allows")
	ErrBadXLSX       = errors.New("the file is not a readable XLSX workbook")
	ErrLineTooLong   = errors.New("a line is longer than the import allows")
)

// sample is how much of a text file is looked at to tell its encoding and separator.
const sample = 64 << 10

// File is one export file being read: its detected format and encoding, then its rows.
type File struct {
	Name     string  // the file's name, as refusals name it
	Format   *Format // the detected format
	Encoding string  // UTF-8, UTF-8 (BOM), UTF-16LE, GB18030 or XLSX
	Header   []string
	// Preview holds the first PreviewRows data rows as read, cell by cell (filled by Each).
	Preview [][]string
	// Rows counts the data rows read so far.
	Rows int

	lim     Limits
	next    func() ([]string, int, error) // the next row's cells and line; io.EOF at the end
	cols    map[string]int                // field key → column index
	keys    map[int]string                // column index → field key
	close   func() error
	checkUT bool // cells must be valid UTF-8 (the file was taken as UTF-8 on its first bytes)
}

// PreviewRows is how many data rows File.Preview keeps.
const PreviewRows = 5

// OpenPath opens a CSV, TSV or XLSX file by its path; the format is read from its content.
func OpenPath(path string, lim Limits) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(fh, head)
	if isZip(head[:n]) {
		fh.Close()
		return OpenXLSX(baseName(path), path, lim)
	}
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		fh.Close()
		return nil, err
	}
	f, err := Open(baseName(path), fh, lim)
	if err != nil {
		fh.Close()
		return nil, err
	}
	f.close = fh.Close
	return f, nil
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func isZip(b []byte) bool { return bytes.HasPrefix(b, []byte("PK\x03\x04")) }

// IsZip reports whether the first bytes of a file are a zip archive's (an XLSX workbook).
func IsZip(head []byte) bool { return isZip(head) }

// Open reads a text export (CSV or tab-separated) from r, streamed. name is what refusals
// call the file. An XLSX file must be opened with OpenXLSX (it needs random access).
func Open(name string, r io.Reader, lim Limits) (*File, error) {
	br := bufio.NewReaderSize(r, sample)
	head, err := br.Peek(sample)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := &File{Name: name, lim: lim}
	var text io.Reader
	switch {
	case len(bytes.TrimSpace(head)) == 0:
		return nil, fmt.Errorf("%s: %w", name, ErrEmpty)
	case isZip(head):
		return nil, fmt.Errorf("%s: an XLSX file must be sent whole: %w", name, ErrBadXLSX)
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, fmt.Errorf("%s: %w", name, ErrXLS)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		f.Encoding = "UTF-16LE"
		if head[0] == 0xFE {
			f.Encoding = "UTF-16BE"
		}
		text = transform.NewReader(br, unicode.BOMOverride(unicode.UTF8.NewDecoder()))
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		f.Encoding = "UTF-8 (BOM)"
		br.Discard(3)
		text, f.checkUT = br, true
	case bytes.IndexByte(head, 0) >= 0:
		return nil, fmt.Errorf("%s: %w (a NUL byte at offset %d)", name, ErrBinary, bytes.IndexByte(head, 0))
	case validPrefix(head, len(head) < sample):
		f.Encoding = "UTF-8"
		text, f.checkUT = br, true
	default:
		f.Encoding = "GB18030"
		text = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	tr := bufio.NewReaderSize(&lineGuard{r: text, max: lim.MaxLineBytes}, sample)
	peek, _ := tr.Peek(sample)
	if bad := controlBytes(peek); bad >= 0 {
		return nil, fmt.Errorf("%s: %w (a control character at offset %d of the %s text)", name, ErrBinary, bad, f.Encoding)
	}
	cr := csv.NewReader(tr)
	cr.LazyQuotes, cr.FieldsPerRecord, cr.ReuseRecord = true, -1, true
	cr.Comma = separator(peek)
	f.next = func() ([]string, int, error) {
		rec, err := cr.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, ErrLineTooLong) {
				err = pe.Err
			}
			if errors.Is(err, ErrLineTooLong) {
				line, _ := cr.FieldPos(0)
				return nil, line, fmt.Errorf("%s: after line %d: %w (%d bytes)", name, line, ErrLineTooLong, lim.MaxLineBytes)
			}
			if !errors.Is(err, io.EOF) {
				err = fmt.Errorf("%s: %w", name, err)
			}
			return nil, 0, err
		}
		line, _ := cr.FieldPos(0)
		return rec, line, nil
	}
	if err := f.readHeader(); err != nil {
		return nil, err
	}
	return f, nil
}

// OpenXLSX reads the first sheet of the XLSX workbook at path, streamed, within the limits
// against zip bombs.
func OpenXLSX(name, path string, lim Limits) (*File, error) {
	if err := checkZip(name, path, lim); err != nil {
		return nil, err
	}
	wb, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: lim.MaxUnzipBytes, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrBadXLSX, err)
	}
	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		wb.Close()
		return nil, fmt.Errorf("%s: %w: no sheet", name, ErrBadXLSX)
	}
	rows, err := wb.Rows(sheets[0])
	if err != nil {
		wb.Close()
		return nil, fmt.Errorf("%s: %w: %v", name, ErrBadXLSX, err)
	}
	f := &File{Name: name, Encoding: "XLSX", lim: lim, checkUT: true}
	f.close = func() error { rows.Close(); return wb.Close() }
	line := 0
	f.next = func() ([]string, int, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return nil, 0, fmt.Errorf("%s: %w: %v", name, ErrBadXLSX, err)
			}
			return nil, 0, io.EOF
		}
		line++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, line, fmt.Errorf("%s: row %d: %w: %v", name, line, ErrBadXLSX, err)
		}
		return cells, line, nil
	}
	if err := f.readHeader(); err != nil {
		f.close()
		return nil, err
	}
	return f, nil
}

// checkZip refuses a workbook whose parts unzip to more than the limits allow.
func checkZip(name, path string, lim Limits) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("%s: %w: %v", name, ErrBadXLSX, err)
	}
	defer zr.Close()
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		ratio := zf.UncompressedSize64 / max(zf.CompressedSize64, 1)
		if total > uint64(lim.MaxUnzipBytes) || (zf.UncompressedSize64 > 1<<20 && ratio > uint64(lim.MaxUnzipRatio)) {
			return fmt.Errorf("%s: %w (part %s: %d bytes unzipped from %d)", name, ErrZipBomb, zf.Name, zf.UncompressedSize64, zf.CompressedSize64)
		}
	}
	return nil
}

// Close releases the file.
func (f *File) Close() error {
	if f.close == nil {
		return nil
	}
	c := f.close
	f.close = nil
	return c()
}

// readHeader reads the header row (淘宝助理: the English key row of three) and detects the
// format.
func (f *File) readHeader() error {
	for {
		cells, line, err := f.next()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: %w: no header row", f.Name, ErrEmpty)
		}
		if err != nil {
			return err
		}
		if f.checkUT {
			for _, c := range cells {
				if !utf8.ValidString(c) {
					return fmt.Errorf("%s:%d: the header is not valid UTF-8: %w", f.Name, line, ErrBinary)
				}
			}
		}
		if blank(cells) {
			continue
		}
		if len(cells) <= 2 && strings.HasPrefix(strings.ToLower(strings.TrimSpace(cells[0])), "version") {
			continue // 淘宝助理's first line: version 1.00
		}
		f.Header = append([]string(nil), cells...)
		break
	}
	format, cols, err := detect(f.Header)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	f.Format, f.cols = format, cols
	if format.labelRow {
		// 淘宝助理's third header line repeats the keys in Chinese.
		if _, _, err := f.next(); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
	}
	return nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// validPrefix reports whether b is valid UTF-8, allowing a rune cut off at its end when the
// sample stopped before the file did.
func validPrefix(b []byte, whole bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if whole {
		return false
	}
	for cut := 1; cut < utf8.UTFMax && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return true
		}
	}
	return false
}

// controlBytes is the offset of the first control character that no text export holds, or -1.
func controlBytes(b []byte) int {
	for i, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return i
		}
	}
	return -1
}

// separator is tab when the sample's lines hold more tabs than commas, else comma.
func separator(b []byte) rune {
	if bytes.Count(b, []byte{'\t'}) > bytes.Count(b, []byte{','}) {
		return '\t'
	}
	return ','
}

// lineGuard fails a read once a line grows past max bytes, so that no line is held in memory
// whole however long it is.
type lineGuard struct {
	r   io.Reader
	max int
	run int
}

func (g *lineGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			g.run = 0
			continue
		}
		g.run++
		if g.max > 0 && g.run > g.max {
			return i, ErrLineTooLong
		}
	}
	return n, err
}

// OnClose makes Close run fn after releasing the file (a caller's temporary copy goes).
func (f *File) OnClose(fn func()) {
	prev := f.close
	f.close = func() error {
		var err error
		if prev != nil {
			err = prev()
		}
		fn()
		return err
	}
}
