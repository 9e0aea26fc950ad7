package pgstore

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The scale bench's CPU account: on a machine whose cores others share too, latency says
// little, but the CPU time PostgreSQL and the test process (servers and desks) spend per
// mutation is the budget that decides it, and it does not depend on the neighbours.

// cpuTimes is CPU time used so far: by this process, and by the throwaway PostgreSQL (its
// postmaster, the backends it runs now, and those that have ended).
type cpuTimes struct {
	self, postgres time.Duration
}

// clockTick is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// readCPU reads the CPU times; postgres is 0 where /proc cannot say.
func readCPU(pgDir string) cpuTimes {
	var c cpuTimes
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		c.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	pidFile, err := os.ReadFile(filepath.Join(pgDir, "data", "postmaster.pid"))
	if err != nil {
		return c
	}
	postmaster := strings.TrimSpace(strings.SplitN(string(pidFile), "\n", 2)[0])
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid … utime(14) stime(15) cutime(16) cstime(17): after the ")".
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 15 {
			continue
		}
		pid := strings.Fields(s)[0]
		n := func(k int) time.Duration {
			v, _ := strconv.ParseInt(f[k-3], 10, 64)
			return time.Duration(v) * clockTick
		}
		switch {
		case pid == postmaster:
			c.postgres += n(14) + n(15) + n(16) + n(17) // ended backends count in cutime
		case f[1] == postmaster:
			c.postgres += n(14) + n(15)
		}
	}
	return c
}
