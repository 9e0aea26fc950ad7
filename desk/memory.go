package desk

import (
	"os"
	"runtime/debug"
)

// MemoryLimit is the soft limit of the Go runtime's memory that the desk sets for its process
// (LimitMemory). Without one the garbage collector lets the heap grow to twice the live heap
// before it collects: with the large shop open (a live heap of about 150 MB) that alone was
// 150 MB of the desk's resident memory, on PCs with 4 GB shared with a browser. Near the limit
// the collector runs more often; it never stops the desk (a soft limit: a live heap above it
// only costs collector time, bounded by the runtime).
const MemoryLimit = 200 << 20

// LimitMemory sets MemoryLimit as the process's soft memory limit, unless GOMEMLIMIT set one
// (a user's or a test's choice stays), and returns the limit in force. Open calls it when it
// opens the desk's own data directory (not for a store it is given).
func LimitMemory() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(MemoryLimit)
	return MemoryLimit
}
