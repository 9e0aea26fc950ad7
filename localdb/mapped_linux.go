package localdb

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// dropMappedTables tells the kernel that this process will not read the pages of the store's
// table files (*.sst in dir) that it has mapped soon, so that they stop counting as its
// resident memory. Badger maps every table it writes and every table it reads; after a bulk
// import that is the whole store (about 280 MB for the benchmark shop), clean page cache that
// the kernel could reclaim at any time but that shows as the desk's memory. The pages stay in
// the page cache and the mappings stay valid: a later read of a table faults its page back in
// from there (Badger's tables are shared file mappings, never written after they are made).
func dropMappedTables(dir string) {
	if dir == "" {
		return
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	prefix := []byte(filepath.Clean(dir) + string(filepath.Separator))
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		// start-end perms offset dev inode path
		line := sc.Bytes()
		i := bytes.IndexByte(line, '/')
		if i < 0 {
			continue
		}
		path := line[i:]
		if !bytes.HasPrefix(path, prefix) || !bytes.HasSuffix(path, []byte(".sst")) {
			continue
		}
		dash := bytes.IndexByte(line, '-')
		sp := bytes.IndexByte(line, ' ')
		if dash < 0 || sp < dash {
			continue
		}
		start, err1 := strconv.ParseUint(string(line[:dash]), 16, 64)
		end, err2 := strconv.ParseUint(string(line[dash+1:sp]), 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_DONTNEED)
	}
}
