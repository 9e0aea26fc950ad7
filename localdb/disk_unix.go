//go:build linux || darwin || freebsd

package localdb

import "syscall"

// diskFree is the space the current user may still write on the disk holding dir.
func diskFree(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}

// No errors besides the portable ones diskError checks.
var platformNoSpace, platformReadOnly []error
