package localdb

import (
	"os"
	"path/filepath"
	"testing"
)

// A desk stopped while writing the store pointer leaves its temporary file; Open removes it
// (and one of the name desks used before) and keeps the pointer and the desk's other files.
func TestOpenRemovesLeftoverPointerTempFiles(t *testing.T) {
	dir := t.TempDir()
	if err := writeStorePointer(dir, "badger-1"); err != nil {
		t.Fatal(err)
	}
	leftovers := []string{storePointer + ".tmp", storePointer + ".2718281828.tmp"}
	kept := []string{"desk.log", "storefront.1.tmp"}
	for _, name := range append(leftovers, kept...) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("badger-"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db := openDir(t, dir)
	if db.storeName != "badger-1" {
		t.Errorf("opened store %q, want the pointer's badger-1", db.storeName)
	}
	db.Close()
	for _, name := range leftovers {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("the leftover %s is still there: %v", name, err)
		}
	}
	for _, name := range kept {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("Open removed %s, not a pointer's temporary file: %v", name, err)
		}
	}
	if name, err := readStorePointer(dir); err != nil || name != "badger-1" {
		t.Errorf("store pointer %q, %v after Open; want badger-1", name, err)
	}
}
