package localdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
)

// minFree is the free disk space the store keeps: below it, writes fail with ErrDiskFull before
// Badger is asked. Badger writes through memory-mapped files, and a write that finds the disk
// full does not return an error: the process dies of SIGBUS (tried with Badger v4.9.6 on a full
// 24 MB tmpfs: a memtable flush faulted in table.(*buildData).Copy). A memtable flush (16 MB)
// and a compaction of a few 2 MB tables fit in the margin.
const minFree = 128 << 20

// checkSpace returns ErrDiskFull when free reports less than minFree for dir. A nil free, or a
// disk that cannot say, is not checked.
func checkSpace(free func(dir string) (uint64, error), dir string) error {
	if free == nil {
		return nil
	}
	n, err := free(dir)
	if err != nil || n >= minFree {
		return nil
	}
	return fmt.Errorf("localdb: %d MB free on the disk of %s, the desk needs %d MB: %w: %w",
		n>>20, dir, minFree>>20, ErrDiskFull, syscall.ENOSPC)
}

// diskError marks err with ErrDiskFull or ErrReadOnly when the operating system said that the
// disk is full or that the folder cannot be written; other errors are returned as they are.
// Badger wraps the errors of its files with their text only (y.Wrap formats them with %+v), so
// the operating system's error is recognised by its text too.
func diskError(err error) error {
	switch {
	case err == nil, errors.Is(err, ErrDiskFull), errors.Is(err, ErrReadOnly):
		return err
	case says(err, noSpaceErrnos):
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	case errors.Is(err, fs.ErrPermission), says(err, readOnlyErrnos):
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	return err
}

// Operating-system errors that mean a full disk, or a folder that cannot be written.
var (
	noSpaceErrnos  = append([]error{syscall.ENOSPC, syscall.EDQUOT}, platformNoSpace...)
	readOnlyErrnos = append([]error{syscall.EROFS, syscall.EACCES, syscall.EPERM, syscall.ENOTDIR}, platformReadOnly...)
)

// says reports whether err is, or its text contains, one of targets.
func says(err error, targets []error) bool {
	msg := err.Error()
	for _, t := range targets {
		if errors.Is(err, t) || strings.Contains(msg, t.Error()) {
			return true
		}
	}
	return false
}

// openError classifies an error of opening the store: a full or read-only disk, a store of a
// newer Badger format (ErrNewerSchema: a newer Kefu Desk wrote it), or damaged files
// (ErrCorrupt). Others are returned as they are.
func openError(err error) error {
	if err == nil || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNewerSchema) || errors.Is(err, ErrLocked) {
		return err
	}
	if d := diskError(err); d != err {
		return d
	}
	msg := strings.ToLower(err.Error())
	if strings.Contains(msg, "unsupported version") {
		return fmt.Errorf("%w: %w", ErrNewerSchema, err)
	}
	if says(err, []error{y.ErrChecksumMismatch, badger.ErrEncryptionKeyMismatch, badger.ErrInvalidDataKeyID,
		badger.ErrTruncateNeeded}) {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	// Badger's other signs of damage are unexported errors and fmt.Errorf texts: "manifest has
	// bad magic", "manifest has checksum mismatch", "MANIFEST invalid", "file does not exist
	// for table", "Data corrupted"...
	for _, sign := range []string{"magic", "checksum", "corrupt", "manifest", "for table", "truncat"} {
		if strings.Contains(msg, sign) {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
	}
	return err
}

// checkTables looks at the footer of every table file the MANIFEST lists before Badger opens
// them. Badger reads a table's index from two lengths stored at its end, and lengths that do
// not fit the file make it panic on a goroutine of its own, which no recover reaches: the
// desk would die at every start. Such a footer is reported as ErrCorrupt instead. A MANIFEST
// that cannot be read is left for Badger to report.
func checkTables(dir string) error {
	f, err := os.Open(filepath.Join(dir, badger.ManifestFilename))
	if err != nil {
		return nil // a new store, or Badger says what is wrong
	}
	defer f.Close()
	mf, _, err := badger.ReplayManifestFile(f, 0, badger.DefaultOptions(dir).WithLogger(quietLogger{}))
	if err != nil {
		return nil
	}
	for id := range mf.Tables {
		name := table.NewFilename(id, dir)
		if err := checkTableFooter(name); err != nil {
			return fmt.Errorf("table %s: %w", filepath.Base(name), err)
		}
	}
	return nil
}

// checkTableFooter checks that a table file's footer lengths (checksum length in the last 4
// bytes, index length in the 4 bytes before the checksum) fit the file.
func checkTableFooter(name string) error {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // Badger reports a missing table itself (or another desk just compacted it)
	}
	if err != nil {
		return diskError(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return diskError(err)
	}
	size := st.Size()
	u32At := func(off int64) (int64, error) {
		var b [4]byte
		if _, err := f.ReadAt(b[:], off); err != nil && !errors.Is(err, io.EOF) {
			return 0, diskError(err)
		}
		return int64(binary.BigEndian.Uint32(b[:])), nil
	}
	if size < 8 {
		return fmt.Errorf("%d bytes: %w", size, ErrCorrupt)
	}
	chk, err := u32At(size - 4)
	if err != nil {
		return err
	}
	if chk > size-8 {
		return fmt.Errorf("checksum length %d in %d bytes: %w", chk, size, ErrCorrupt)
	}
	idx, err := u32At(size - 8 - chk)
	if err != nil {
		return err
	}
	if idx > size-8-chk {
		return fmt.Errorf("index length %d in %d bytes: %w", idx, size, ErrCorrupt)
	}
	return nil
}

// removeEmptyLogFile removes the log file Badger refused to open with "Create a new file"
// (z.NewFile) when it holds no entry (zeros after the header), and reports whether it did: a
// memtable's write-ahead log (.mem) or a value log (.vlog). A desk killed between creating such
// a file and sizing it leaves it empty: a memtable file is made at open and whenever one fills
// up (seen once in the crash test), a value-log file at every open (the fault soak found it on
// the store server, killed during start-up). Badger then fails on it, after sizing it and
// writing a header. It never held data. This runs only after Badger failed so, when no other
// process has the directory.
func removeEmptyLogFile(dir string, err error) bool {
	msg := err.Error()
	if !strings.Contains(msg, "Create a new file") { // ristretto's z.NewFile
		return false
	}
	var name string
	if i := strings.Index(msg, "while opening fid: "); i >= 0 {
		var fid int
		if _, err := fmt.Sscanf(msg[i:], "while opening fid: %d", &fid); err != nil {
			return false
		}
		name = filepath.Join(dir, fmt.Sprintf("%05d.mem", fid))
	} else if i := strings.Index(msg, `Open existing file: "`); i >= 0 && strings.Contains(msg, "vlog.open") {
		rest := msg[i+len(`Open existing file: "`):]
		j := strings.IndexByte(rest, '"')
		if j < 0 {
			return false
		}
		name = rest[:j]
		if filepath.Dir(name) != filepath.Clean(dir) || filepath.Ext(name) != ".vlog" {
			return false
		}
	} else {
		return false
	}
	if !onlyZeros(name, 20) { // 20: Badger's log file header (key id, IV), which its failed open wrote
		return false
	}
	return os.Remove(name) == nil
}

// onlyZeros reports whether the file holds only zero bytes after its first skip bytes (a value
// log is sized at 128 MB: it is read in pieces).
func onlyZeros(name string, skip int64) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	if _, err := f.Seek(skip, io.SeekStart); err != nil {
		return false
	}
	buf := make([]byte, 1<<20)
	for {
		n, err := f.Read(buf)
		for _, c := range buf[:n] {
			if c != 0 {
				return false // entries: not an empty log
			}
		}
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
}
