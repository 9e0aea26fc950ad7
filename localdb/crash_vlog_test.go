package localdb

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// A desk killed while Badger creates the value-log file it makes at every start (between
// creating the file and sizing it) leaves an empty one, which Badger refuses to open ("Create
// a new file"). Like an empty memtable file it never held data: the store opens, with every
// action it held. (The fault soak found this on the store server, killed during start-up.)
func TestEmptyValueLogFileAfterACrash(t *testing.T) {
	dir := t.TempDir()
	writeStore(t, dir)
	next := 0
	vlogs, _ := filepath.Glob(filepath.Join(dir, "*.vlog"))
	for _, f := range vlogs {
		var id int
		if _, err := fmt.Sscanf(filepath.Base(f), "%d.vlog", &id); err == nil && id >= next {
			next = id + 1
		}
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%06d.vlog", next)), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		db, err := Open(Options{Dir: dir})
		if err != nil {
			t.Fatalf("Open with an empty value-log file: %v", err)
		}
		if n := db.OutboxLen(); n != 20 {
			t.Errorf("%d pending actions after the reopen; want 20", n)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
