//go:build !linux

package localdb

// dropMappedTables is a no-op outside Linux (see mapped_linux.go): Windows trims a process's
// working set of mapped file pages itself when memory is short.
func dropMappedTables(string) {}
