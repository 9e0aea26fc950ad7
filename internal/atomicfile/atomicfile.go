// Package atomicfile writes small files (a pointer, a settings or credentials file) so that a
// crash never leaves them half written.
package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
)

// Write replaces the file at path with data, atomically and durably: it writes data to a new
// temporary file in path's folder, syncs it to the disk, renames it over path and syncs the
// folder, so that the rename itself survives a crash. The folder must exist.
//
// Once Write returns nil, the file holds data and keeps it through a crash. A crash (of the
// process or the machine) at any point leaves either the old content or data, never a mix of
// the two nor an empty or shortened file; so does an error. Readers never see a partly
// written file, and of writers racing on one path the last rename wins, whole. An error
// before the rename leaves path as it was; one from the folder's sync comes after the
// rename, with path already holding data, possibly not yet durably.
//
// The temporary file is named after path's base name (IsTemp says which names) and is
// removed when Write fails; only a crash can leave one behind.
//
// The file gets the mode bits perm exactly (the umask does not apply; on Windows only the
// owner's write bit counts, as with os.Chmod). Windows cannot sync a folder: there the
// rename (MoveFileEx) is the last step and the folder is not synced.
func Write(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPattern(filepath.Base(path)))
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

// tempPattern is the os.CreateTemp pattern of the temporary files Write makes for a file
// named base: base, a dot, a random number, ".tmp".
func tempPattern(base string) string { return base + ".*.tmp" }

// IsTemp reports whether name, a file name in a folder, is one of the temporary files Write
// makes while writing the file named base in that folder: a file a crash left behind, which
// the owner of the folder may remove when no Write of base can be running.
func IsTemp(base, name string) bool {
	rest, ok := strings.CutPrefix(name, base+".")
	if !ok {
		return false
	}
	random, ok := strings.CutSuffix(rest, ".tmp")
	return ok && random != ""
}
