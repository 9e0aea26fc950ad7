//go:build !linux && !darwin && !freebsd && !windows

package localdb

import "errors"

// diskFree cannot tell the free space here; the store is not checked.
func diskFree(string) (uint64, error) { return 0, errors.New("free disk space unknown") }

// No errors besides the portable ones diskError checks.
var platformNoSpace, platformReadOnly []error
