package localdb

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"kefu/internal/atomicfile"
	"kefu/shop"
)

// The store's folder. A desk's Badger files live in a folder of the data directory named by
// the pointer file storePointer ("badger-2"), or, without a pointer file (the desks before
// the bulk import's swap), directly in the data directory. A bulk import loads a second
// store in the next folder while the live one serves reads and writes, then swaps it in by
// writing the pointer file (temp file, fsync, rename, directory fsync): a desk stopped before
// the rename opens the old store (the new folder is removed at Open), one stopped after it
// the new one, complete. Open removes the stores the pointer does not name.

const (
	storePointer   = "store"   // the file naming the store's folder
	storeDirPrefix = "badger-" // store folders are badger-1, badger-2...
)

// readStorePointer returns the folder the pointer file names ("" without a pointer file).
func readStorePointer(dir string) (string, error) {
	v, err := os.ReadFile(filepath.Join(dir, storePointer))
	if os.IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		return "", diskError(err)
	}
	name := strings.TrimSpace(string(v))
	if !validStoreName(name) {
		return "", fmt.Errorf("store pointer %q: %w", name, ErrCorrupt)
	}
	return name, nil
}

func validStoreName(name string) bool {
	n, ok := strings.CutPrefix(name, storeDirPrefix)
	if !ok {
		return false
	}
	_, err := strconv.Atoi(n)
	return err == nil
}

// storePath is the Badger folder of the data directory dir for the store folder name.
func storePath(dir, name string) string {
	if name == "" {
		return dir
	}
	return filepath.Join(dir, name)
}

// nextStoreName is the folder a bulk import loads its store into after the store in cur.
func nextStoreName(cur string) string {
	n := 0
	if s, ok := strings.CutPrefix(cur, storeDirPrefix); ok {
		n, _ = strconv.Atoi(s)
	}
	return storeDirPrefix + strconv.Itoa(n+1)
}

// writeStorePointer names the store folder name in dir, atomically and durably.
func writeStorePointer(dir, name string) error {
	return diskError(atomicfile.Write(filepath.Join(dir, storePointer), []byte(name+"\n"), 0o644))
}

// isBadgerFile reports whether name is one of the files Badger keeps in its folder.
func isBadgerFile(name string) bool {
	switch name {
	case badger.ManifestFilename, "KEYREGISTRY", "DISCARD", "LOCK", "MANIFEST-REWRITE":
		return true
	}
	switch filepath.Ext(name) {
	case ".sst", ".vlog", ".mem":
		_, err := strconv.Atoi(strings.TrimSuffix(name, filepath.Ext(name)))
		return err == nil
	}
	return false
}

// removeOtherStores removes from the data directory dir every store but active (a folder
// name, "" for the files in dir itself): the old store of a swap that stopped before removing
// it, a store a bulk import was loading. Nothing else in dir is touched.
func removeOtherStores(dir, active string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return diskError(err)
	}
	for _, e := range entries {
		name := e.Name()
		var err error
		switch {
		case atomicfile.IsTemp(storePointer, name), name == storePointer+".tmp": // (the name desks used before)
			err = os.Remove(filepath.Join(dir, name))
		case e.IsDir() && validStoreName(name) && name != active:
			err = os.RemoveAll(filepath.Join(dir, name))
		case active != "" && !e.IsDir() && isBadgerFile(name):
			err = os.Remove(filepath.Join(dir, name))
		}
		if err != nil && !os.IsNotExist(err) {
			return diskError(err)
		}
	}
	return nil
}

// openStagingStore opens the empty store a bulk import loads: in memory for an in-memory
// store, else in the data directory's next store folder (emptied first).
func (db *DB) openStagingStore() (bdb *badger.DB, name string, err error) {
	if db.dir == "" {
		bdb, err = openBadger(badgerOptions(Options{InMemory: true}))
		return bdb, "", err
	}
	name = nextStoreName(db.storeName)
	path := storePath(db.dir, name)
	if err := os.RemoveAll(path); err != nil {
		return nil, "", diskError(err)
	}
	bdb, err = openBadger(compactAtClose(badgerOptions(Options{Dir: path})))
	if err != nil {
		os.RemoveAll(path)
		return nil, "", openError(err)
	}
	return bdb, name, nil
}

// dropStagingStore closes and removes a store a bulk import was loading.
func (db *DB) dropStagingStore(bdb *badger.DB, name string) {
	bdb.Close()
	if db.dir != "" && name != "" {
		os.RemoveAll(storePath(db.dir, name))
	}
}

// keyChange is one key the live store changed after a bulk import's snapshot.
type keyChange struct {
	key, value []byte
	deleted    bool
}

// catchUp copies into nw every key the live store old changed after the snapshot ts (its
// newest version; a deleted or expired one is deleted in nw). An entity written after ts that
// the store did not hold at ts but the load stored from the feed (a staff action on it) keeps
// the desk's version, as for the entities held at ts: the loaded state becomes a deferred
// record, returned, which ApplyChanges' path applies after the swap with its rebase; the
// loaded state's index keys are removed first. Run with the store to itself.
func catchUp(old, nw *badger.DB, ts uint64, live map[string]bool) ([]shop.Record, error) {
	var changes []keyChange
	err := old.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{SinceTs: ts, AllVersions: true})
		defer it.Close()
		var last []byte
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			if item.Version() <= ts || (last != nil && bytes.Equal(item.Key(), last)) {
				continue // an older version of the key just copied
			}
			last = item.KeyCopy(last[:0])
			c := keyChange{key: bytes.Clone(last), deleted: item.IsDeletedOrExpired()}
			if !c.deleted {
				v, err := item.ValueCopy(nil)
				if err != nil {
					return err
				}
				c.value = v
			}
			changes = append(changes, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the changes made during the load: %w", err)
	}
	if len(changes) == 0 {
		return nil, nil
	}
	var deferred []shop.Record
	wb := nw.NewWriteBatch()
	defer wb.Cancel()
	err = nw.View(func(txn *badger.Txn) error {
		for _, c := range changes {
			if !bytes.HasPrefix(c.key, []byte(prefixEntity)) || live[string(c.key)] {
				continue
			}
			v, ok, err := getRaw(txn, c.key)
			if err != nil {
				return err
			}
			if !ok {
				continue // a new entity the feed does not have
			}
			st, err := decodeState(v)
			if err != nil {
				return err
			}
			ek, _ := parseEntityKey(c.key)
			deferred = append(deferred, shop.Record{Type: ek.T, ID: ek.ID, Seq: st.version, Data: bytes.Clone(st.data)})
			for _, ik := range indexKeys(ek.T, ek.ID, st.data) {
				if err := wb.Delete(ik); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the loaded entities the desk changed: %w", err)
	}
	if err := wb.Flush(); err != nil {
		return nil, err
	}
	wb = nw.NewWriteBatch()
	for _, c := range changes {
		if c.deleted {
			err = wb.Delete(c.key)
		} else {
			err = wb.Set(c.key, c.value)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := wb.Flush(); err != nil {
		return nil, err
	}
	return deferred, nil
}
