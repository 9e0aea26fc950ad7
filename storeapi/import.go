package storeapi

// PathImport is the import endpoint: POST /v1/import?name=FILE&dry_run=true with the export
// file (CSV, TSV or XLSX) as the request body, sent with its Content-Length. Owners and
// managers only: an agent's token gets 403.
const PathImport = "/v1/import"

// Limits of the import endpoint.
const (
	// MaxImportBytes is the largest file POST /v1/import takes; a larger Content-Length gets 413
	// before anything is read. A body without a Content-Length gets 411.
	MaxImportBytes = 512 << 20
	// MaxImportRefusals is how many refused rows one answer lists; RefusalsCut says when
	// there were more (Refused counts them all).
	MaxImportRefusals = 1000
)

// CodeForbidden (in api.go) answers an agent's import; CodeLengthRequired a body sent without
// a Content-Length; CodeUnreadable a file the import cannot read at all (unknown format, binary
// data, .xls, a zip bomb …), with nothing stored.
const (
	CodeLengthRequired = "length_required"
	CodeUnreadable     = "unreadable_file"
)

// ImportResponse answers POST /v1/import: what the file was taken to be, and what its
// records did. Records are counted once each (a Shopify order of three line-item rows is one
// record); Rows counts the data rows read.
type ImportResponse struct {
	File     string `json:"file"`     // the name sent in ?name=
	Format   string `json:"format"`   // e.g. taobao-orders; see the formats in openapi.yaml
	Label    string `json:"label"`    // the format as a person reads it
	Encoding string `json:"encoding"` // UTF-8, UTF-8 (BOM), UTF-16LE, GB18030 or XLSX
	DryRun   bool   `json:"dry_run"`  // true: nothing was written
	Rows     int    `json:"rows"`

	New       int `json:"new"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	Refused   int `json:"refused"`

	Refusals    []ImportRefusal `json:"refusals"`
	RefusalsCut bool            `json:"refusals_cut,omitempty"`

	Header  []string   `json:"header"`  // the header row as read
	Preview [][]string `json:"preview"` // the first data rows as read (at most 5)

	// Error is set when the file became unreadable part-way (a line too long, a broken XLSX
	// part): the records before it were applied (or, in a dry run, counted).
	Error string `json:"error,omitempty"`
	// Seq is the shop's feed sequence number after the import.
	Seq int64 `json:"seq"`
}

// ImportRefusal is one refused row: its line in the file, the column (as the file's header
// names it) and why. A CLI prints it as FILE:LINE: column: reason.
type ImportRefusal struct {
	Line   int    `json:"line"`
	Column string `json:"column"`
	Reason string `json:"reason"`
}
