package localdb

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// Sorted runs: the external sort behind the bulk import (bulk.go). Pairs of key and value are
// collected in memory up to a budget, sorted by key (stably: pairs with equal keys keep the
// order they were added in) and written to a run file; the runs are then merged in key order,
// equal keys coming out in the order they were added (earlier runs first). A run file is a
// sequence of uvarint(len(key)) key uvarint(len(value)) value, written and read with plain file
// I/O (not memory-mapped), so staged data never counts as the desk's resident memory.

// runBufSize is the memory a sorter fills before it writes a run.
const runBufSize = 4 << 20

// runIOBuf is the buffer of each run file's reader and writer.
const runIOBuf = 32 << 10

// sorter collects pairs and spills them to sorted run files in dir, named prefix-N.run.
type sorter struct {
	dir, prefix string
	arena       []byte    // the pairs, one after another: key then value
	pairs       []runPair // where each pair is in arena
	runs        []string  // run files written so far, in order
}

type runPair struct{ off, klen, vlen int }

func newSorter(dir, prefix string) *sorter {
	return &sorter{dir: dir, prefix: prefix}
}

// add appends a pair (both are copied); it writes a run when the budget is reached.
func (s *sorter) add(k, v []byte) error {
	if s.arena == nil {
		s.arena = make([]byte, 0, runBufSize)
	}
	if len(s.arena)+len(k)+len(v) > cap(s.arena) && len(s.pairs) > 0 {
		if err := s.spill(); err != nil {
			return err
		}
	}
	off := len(s.arena)
	s.arena = append(append(s.arena, k...), v...)
	s.pairs = append(s.pairs, runPair{off, len(k), len(v)})
	return nil
}

func (s *sorter) key(p runPair) []byte { return s.arena[p.off : p.off+p.klen] }

// spill sorts the pairs in memory and writes them as the next run.
func (s *sorter) spill() error {
	if len(s.pairs) == 0 {
		return nil
	}
	slices.SortFunc(s.pairs, func(a, b runPair) int {
		if c := bytes.Compare(s.key(a), s.key(b)); c != 0 {
			return c
		}
		return a.off - b.off // equal keys in the order they were added
	})
	name := filepath.Join(s.dir, fmt.Sprintf("%s-%04d.run", s.prefix, len(s.runs)))
	w, err := createRun(name)
	if err != nil {
		return err
	}
	for _, p := range s.pairs {
		if err := w.write(s.key(p), s.arena[p.off+p.klen:p.off+p.klen+p.vlen]); err != nil {
			w.f.Close()
			return err
		}
	}
	if err := w.close(false); err != nil {
		return err
	}
	s.runs = append(s.runs, name)
	s.arena, s.pairs = s.arena[:0], s.pairs[:0]
	return nil
}

// finish writes what is left and frees the sorter's memory; it returns the run files.
func (s *sorter) finish() ([]string, error) {
	err := s.spill()
	s.arena, s.pairs = nil, nil
	return s.runs, err
}

// runWriter writes one run file.
type runWriter struct {
	f   *os.File
	w   *bufio.Writer
	tmp [2 * binary.MaxVarintLen64]byte
}

func createRun(name string) (*runWriter, error) {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, diskError(err)
	}
	return &runWriter{f: f, w: bufio.NewWriterSize(f, runIOBuf)}, nil
}

func (w *runWriter) write(k, v []byte) error {
	n := binary.PutUvarint(w.tmp[:], uint64(len(k)))
	w.w.Write(w.tmp[:n])
	w.w.Write(k)
	n = binary.PutUvarint(w.tmp[:], uint64(len(v)))
	w.w.Write(w.tmp[:n])
	_, err := w.w.Write(v)
	return err
}

// close flushes the run and closes it, syncing it to disk first when sync is set.
func (w *runWriter) close(sync bool) error {
	err := w.w.Flush()
	if err == nil && sync {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return diskError(err)
}

// runReader reads one run file in order. key and value stay valid until the next call of next.
type runReader struct {
	f          *os.File
	r          *bufio.Reader
	key, value []byte
	order      int // the run's place among those merged (ties between equal keys)
}

func openRun(name string, order int) (*runReader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return &runReader{f: f, r: bufio.NewReaderSize(f, runIOBuf), order: order}, nil
}

// next reads the next pair; it returns io.EOF after the last.
func (r *runReader) next() error {
	kl, err := binary.ReadUvarint(r.r)
	if err != nil {
		return err // io.EOF at a clean end
	}
	r.key = grow(r.key, int(kl))
	if _, err := io.ReadFull(r.r, r.key); err != nil {
		return fmt.Errorf("run %s cut short: %w", r.f.Name(), ErrCorrupt)
	}
	vl, err := binary.ReadUvarint(r.r)
	if err != nil {
		return fmt.Errorf("run %s cut short: %w", r.f.Name(), ErrCorrupt)
	}
	r.value = grow(r.value, int(vl))
	if _, err := io.ReadFull(r.r, r.value); err != nil {
		return fmt.Errorf("run %s cut short: %w", r.f.Name(), ErrCorrupt)
	}
	return nil
}

func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// merger merges runs in key order; equal keys come out in the order of the runs.
type merger struct{ h runHeap }

type runHeap []*runReader

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	if c := bytes.Compare(h[i].key, h[j].key); c != 0 {
		return c < 0
	}
	return h[i].order < h[j].order
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}

// mergeRuns opens the runs for merging.
func mergeRuns(names []string) (*merger, error) {
	m := &merger{}
	for i, name := range names {
		r, err := openRun(name, i)
		if err != nil {
			m.close()
			return nil, diskError(err)
		}
		if err := r.next(); err != nil {
			r.f.Close()
			if errors.Is(err, io.EOF) {
				continue
			}
			m.close()
			return nil, err
		}
		m.h = append(m.h, r)
	}
	heap.Init(&m.h)
	return m, nil
}

// peek returns the smallest pending pair without consuming it (ok false at the end).
func (m *merger) peek() (k, v []byte, ok bool) {
	if len(m.h) == 0 {
		return nil, nil, false
	}
	return m.h[0].key, m.h[0].value, true
}

// pop consumes the pair peek returned. The slices peek gave are invalid afterwards.
func (m *merger) pop() error {
	r := m.h[0]
	err := r.next()
	if errors.Is(err, io.EOF) {
		r.f.Close()
		heap.Pop(&m.h)
		return nil
	}
	if err != nil {
		return err
	}
	heap.Fix(&m.h, 0)
	return nil
}

func (m *merger) close() {
	for _, r := range m.h {
		r.f.Close()
	}
	m.h = nil
}
