package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// tempsIn lists the temporary files Write left in dir for the file named base.
func tempsIn(t *testing.T, dir, base string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var temps []string
	for _, e := range entries {
		if IsTemp(base, e.Name()) {
			temps = append(temps, e.Name())
		}
	}
	return temps
}

func TestWriteCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	for _, c := range []struct {
		data []byte
		perm os.FileMode
	}{
		{[]byte("the first, longer content\n"), 0o600},
		{[]byte("second\n"), 0o640}, // shorter: nothing of the first may stay
		{nil, 0o604},
	} {
		if err := Write(path, c.data, c.perm); err != nil {
			t.Fatalf("writing %q: %v", c.data, err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, c.data) {
			t.Errorf("file holds %q, want %q", got, c.data)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != c.perm {
			t.Errorf("mode %v after writing %q, want %v", fi.Mode().Perm(), c.data, c.perm)
		}
		if temps := tempsIn(t, dir, "settings.json"); len(temps) > 0 {
			t.Errorf("temporary files left after a write: %v", temps)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files, want just the one written", len(entries))
	}
}

// A rename over a folder fails for root too: the temporary file must go, the folder stay.
func TestWriteFailingRenameRemovesTheTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "store")
	if err := os.MkdirAll(filepath.Join(path, "inside"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("badger-2\n"), 0o644); err == nil {
		t.Fatal("writing over a folder worked")
	}
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		t.Errorf("the folder written over is gone or changed: %v, %v", fi, err)
	}
	if temps := tempsIn(t, dir, "store"); len(temps) > 0 {
		t.Errorf("a failed write left temporary files: %v", temps)
	}
}

func TestWriteIntoAMissingFolderFails(t *testing.T) {
	dir := t.TempDir()
	err := Write(filepath.Join(dir, "missing", "f"), []byte("x"), 0o600)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("writing into a missing folder: %v, want fs.ErrNotExist", err)
	}
}

// A folder the user cannot write keeps its file as it was. Root writes anywhere, so this runs
// only for other users.
func TestWriteInAReadOnlyFolderKeepsTheOldContent(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs a Unix user other than root: root writes into a read-only folder")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := Write(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	if err := Write(path, []byte("new"), 0o600); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("writing in a read-only folder: %v, want fs.ErrPermission", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("file holds %q after the failed write, want the old content", got)
	}
	if temps := tempsIn(t, dir, "f"); len(temps) > 0 {
		t.Errorf("a failed write left temporary files: %v", temps)
	}
}

// Readers racing with writers see one whole content or another, never an empty, short or
// mixed file; of racing writers one wins whole.
func TestWriteReadersSeeOnlyWholeContents(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shops.json")
	contents := make(map[string]bool)
	var all [][]byte
	for w := range 3 {
		// Different lengths, so a mix or a cut shows.
		b := bytes.Repeat([]byte{byte('a' + w)}, 1000*(w+1))
		all = append(all, b)
		contents[string(b)] = true
	}
	if err := Write(path, all[0], 0o600); err != nil {
		t.Fatal(err)
	}
	const rounds = 100
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(all)+rounds*4)
	for _, b := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				if err := Write(path, b, 0o600); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds * 4 {
				got, err := os.ReadFile(path)
				if err != nil {
					errs <- err
					return
				}
				if !contents[string(got)] {
					errs <- fmt.Errorf("a reader saw %d bytes that no writer wrote whole", len(got))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !contents[string(got)] {
		t.Errorf("after the race the file holds %d bytes, %v: not one writer's content", len(got), err)
	}
	if temps := tempsIn(t, dir, "shops.json"); len(temps) > 0 {
		t.Errorf("temporary files left after the race: %v", temps)
	}
}

func TestIsTempKnowsWritesTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	f, err := os.CreateTemp(dir, tempPattern("store"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if name := filepath.Base(f.Name()); !IsTemp("store", name) {
		t.Errorf("IsTemp(store, %q) = false for Write's own temporary file", name)
	}
	for _, name := range []string{"store", "store.tmp", "store..tmp", "storefront.1.tmp", "store.1", "badger-2", "shops.json.1.tmp"} {
		if IsTemp("store", name) {
			t.Errorf("IsTemp(store, %q) = true", name)
		}
	}
}
