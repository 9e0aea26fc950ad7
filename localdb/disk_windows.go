package localdb

import (
	"syscall"
	"unsafe"
)

var procGetDiskFreeSpaceEx = syscall.NewLazyDLL("kernel32.dll").NewProc("GetDiskFreeSpaceExW")

// diskFree is the space the current user may still write on the disk holding dir.
func diskFree(dir string) (uint64, error) {
	p, err := syscall.UTF16PtrFromString(dir)
	if err != nil {
		return 0, err
	}
	var avail, total, free uint64
	r, _, e := procGetDiskFreeSpaceEx.Call(uintptr(unsafe.Pointer(p)),
		uintptr(unsafe.Pointer(&avail)), uintptr(unsafe.Pointer(&total)), uintptr(unsafe.Pointer(&free)))
	if r == 0 {
		return 0, e
	}
	return avail, nil
}

// Windows errors that also mean a full disk (ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL) or a disk
// that cannot be written (ERROR_WRITE_PROTECT), besides the portable ones diskError checks.
var (
	platformNoSpace  = []error{syscall.Errno(112), syscall.Errno(39)}
	platformReadOnly = []error{syscall.Errno(19)}
)
