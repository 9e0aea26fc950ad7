package bench

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ProcMem is a process's resident memory, from /proc/PID/status.
type ProcMem struct {
	RSS  int64 // VmRSS: resident now, in bytes
	Peak int64 // VmHWM: the most it has been resident, in bytes
	Anon int64 // RssAnon: the part of RSS that is anonymous memory (the Go heap, stacks, C)
	File int64 // RssFile: the part of RSS that is file pages mapped in (binary, Badger's mmaps)
}

// errNoProcStatus: /proc/PID/status has no VmRSS or VmHWM line (not Linux, or a zombie).
var errNoProcStatus = errors.New("no VmRSS/VmHWM in /proc status")

// ReadProcMem reads the resident memory of process pid (0: this process).
func ReadProcMem(pid int) (ProcMem, error) {
	path := "/proc/self/status"
	if pid > 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ProcMem{}, fmt.Errorf("reading memory use: %w", err)
	}
	m, err := parseProcStatus(string(b))
	if err != nil {
		return ProcMem{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// parseProcStatus reads VmRSS, VmHWM, RssAnon and RssFile (given in kB, that is KiB) from a
// /proc status file; the last two are optional (older kernels).
func parseProcStatus(text string) (ProcMem, error) {
	var m ProcMem
	fields := map[string]*int64{"VmRSS": &m.RSS, "VmHWM": &m.Peak, "RssAnon": &m.Anon, "RssFile": &m.File}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		dst := fields[key]
		if !ok || dst == nil {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return ProcMem{}, fmt.Errorf("unexpected %s line %q", key, sc.Text())
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return ProcMem{}, fmt.Errorf("%s: %w", key, err)
		}
		*dst, seen[key] = kb<<10, true
	}
	if !seen["VmRSS"] || !seen["VmHWM"] {
		return ProcMem{}, errNoProcStatus
	}
	return m, nil
}

// clockTick is the unit of /proc/PID/stat's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// ProcCPU is the CPU time process pid has used (user plus system), from /proc/PID/stat.
func ProcCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("reading CPU use: %w", err)
	}
	return parseProcStat(string(b))
}

// parseProcStat reads utime and stime (fields 14 and 15) from a /proc stat line. The command
// name (field 2) is in parentheses and may hold spaces, so fields are counted after its ")".
func parseProcStat(line string) (time.Duration, error) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return 0, fmt.Errorf("unexpected /proc stat %q", line)
	}
	f := strings.Fields(line[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc stat %q", line)
	}
	var total int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc stat: %w", err)
		}
		total += n
	}
	return time.Duration(total) * clockTick, nil
}

// memWatch samples a process's memory every 100 ms and keeps the largest anonymous and
// file-backed resident sizes it saw: what makes up a peak that VmHWM gives only as a total.
type memWatch struct {
	stop       chan struct{}
	done       chan struct{}
	once       sync.Once
	anon, file int64
	samples    atomic.Int32 // samples taken so far
}

// watchMem starts sampling process pid.
func watchMem(pid int) *memWatch {
	w := &memWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if m, err := ReadProcMem(pid); err == nil {
				w.anon, w.file = max(w.anon, m.Anon), max(w.file, m.File)
			}
			w.samples.Add(1)
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// finish stops sampling (it may be called again) and returns the largest anonymous and
// file-backed resident sizes seen.
func (w *memWatch) finish() (anon, file int64) {
	w.once.Do(func() { close(w.stop) })
	<-w.done
	return w.anon, w.file
}

// split describes the largest anonymous and file-backed parts of a process's memory.
func split(anon, file int64) string {
	return fmt.Sprintf("at most %s anonymous (Go heap, stacks, C) and %s file pages (the binary, its shared libraries such as the GL stack, memory-mapped Badger files) resident", fmtMB(anon), fmtMB(file))
}
