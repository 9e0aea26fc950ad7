package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"kefu/demostore"
	"kefu/localdb"
	"kefu/server/badgerstore"
	"kefu/shop"
	"kefu/shop/demoshop"
)

// dataVersion is the harness's own part of the fingerprint: raise it when the way the cache is
// made changes.
const dataVersion = 3

// fingerprintNow is the fixed clock the fingerprint's small shop is generated with.
var fingerprintNow = time.Date(2026, 11, 23, 10, 0, 0, 0, shop.ShopZone)

// Fingerprint identifies the data the cache must hold: it changes when the generator makes
// different records (it hashes a whole small shop, every entity type, generated with a fixed
// clock), when the large shop's size or seed changes, when the local store's schema or
// kefu-store's Badger format changes, or when dataVersion is raised.
func Fingerprint() (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "kefu-bench data %d\nlocaldb schema %d\nstore format %d\nlarge %+v\nseed %d\n",
		dataVersion, localdb.SchemaVersion, badgerstore.FormatVersion, demoshop.Large, demostore.GeneratorSeed)
	err := demoshop.Generate(demoshop.Small, demostore.GeneratorSeed, fingerprintNow, func(r shop.Record) error {
		fmt.Fprintf(h, "%s/%s/%t/", r.Type, r.ID, r.Deleted)
		h.Write(r.Data)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("fingerprinting the generator: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:20], nil
}

// stamp is the cache's stamp.json.
type stamp struct {
	Fingerprint string    `json:"fingerprint"`
	Made        time.Time `json:"made"`
	Records     int64     `json:"records"` // the store's feed sequence after seeding
	Took        string    `json:"took"`    // how long making the cache took
	Warmed      bool      `json:"warmed"`  // the desk binary has used the desk store (warm)
}

// cache is the layout of the cache directory (see the package comment).
type cache struct{ dir string }

func (c cache) stampPath() string { return filepath.Join(c.dir, "stamp.json") }
func (c cache) storeDir() string  { return filepath.Join(c.dir, "store") }
func (c cache) deskDir() string   { return filepath.Join(c.dir, "desk") }
func (c cache) binDir() string    { return filepath.Join(c.dir, "bin") }
func (c cache) runDir() string    { return filepath.Join(c.dir, "run") }

// current reports whether the cache holds data with fingerprint fp.
func (c cache) current(fp string) (stamp, bool) {
	b, err := os.ReadFile(c.stampPath())
	if err != nil {
		return stamp{}, false
	}
	var s stamp
	if json.Unmarshal(b, &s) != nil || s.Fingerprint != fp {
		return stamp{}, false
	}
	for _, d := range []string{c.storeDir(), c.deskDir()} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return stamp{}, false
		}
	}
	return s, true
}

// prepare makes the cache's store and desk unless they are current (generate), and warms the
// desk store once the desk binary can do it (warm).
func (r *runner) prepare(ctx context.Context) error {
	fp, err := Fingerprint()
	if err != nil {
		return err
	}
	s, ok := r.cache.current(fp)
	if ok && !r.cfg.Regenerate {
		r.logf("cache: %s holds the large shop (%d records, made %s)", r.cache.dir, s.Records, s.Made.Format(time.DateTime))
	} else if s, err = r.generate(ctx, fp); err != nil {
		return err
	}
	if s.Warmed {
		return nil
	}
	if r.deskErr != nil {
		r.logf("cache: the desk store is not warmed: %v", r.deskErr)
		return nil
	}
	start := time.Now()
	if err := r.warm(ctx); err != nil {
		return fmt.Errorf("warming the desk store: %w", err)
	}
	r.logf("cache: warmed the desk store in %v", time.Since(start).Round(time.Second))
	s.Warmed = true
	return r.cache.writeStamp(s)
}

// generate seeds a kefu-store data directory with the large shop (through the kefu-store
// binary, as `kefu-store --demo --demo-size large`), then makes a desk store from it by a real
// first full sync (the sync engine in a child process) and lets its compaction settle. The
// stamp is written last, so a generation cut short is redone.
func (r *runner) generate(ctx context.Context, fp string) (stamp, error) {
	c := r.cache
	r.logf("cache: generating the large shop into %s (once; 3 to 10 minutes on 2 cores)", c.dir)
	start := time.Now()
	tmpStore, tmpDesk := c.storeDir()+".tmp", c.deskDir()+".tmp"
	for _, p := range []string{c.stampPath(), c.storeDir(), c.deskDir(), tmpStore, tmpDesk} {
		if err := os.RemoveAll(p); err != nil {
			return stamp{}, fmt.Errorf("clearing the cache: %w", err)
		}
	}
	st, err := startStore(ctx, r.bin.store, tmpStore, filepath.Join(c.dir, "seed.log"), true, seedTimeout)
	if err != nil {
		return stamp{}, fmt.Errorf("seeding the large shop: %w", err)
	}
	defer st.stop()
	r.logf("cache: seeded in %v; first full sync to make the desk store", time.Since(start).Round(time.Second))
	token, _, err := st.login(ctx)
	if err != nil {
		return stamp{}, err
	}
	res, err := r.syncChild(ctx, st.url, token, tmpDesk)
	if err != nil {
		return stamp{}, fmt.Errorf("making the desk store: %w", err)
	}
	if err := st.stop(); err != nil {
		return stamp{}, fmt.Errorf("stopping the seeding kefu-store: %w", err)
	}
	if err := settle(ctx, tmpDesk); err != nil {
		return stamp{}, fmt.Errorf("settling the desk store: %w", err)
	}
	if err := os.Rename(tmpStore, c.storeDir()); err != nil {
		return stamp{}, fmt.Errorf("cache: %w", err)
	}
	if err := os.Rename(tmpDesk, c.deskDir()); err != nil {
		return stamp{}, fmt.Errorf("cache: %w", err)
	}
	took := time.Since(start).Round(time.Second)
	s := stamp{Fingerprint: fp, Made: time.Now().UTC(), Records: res.Cursor, Took: took.String()}
	if err := c.writeStamp(s); err != nil {
		return stamp{}, err
	}
	r.logf("cache: ready in %v (%d records)", took, res.Cursor)
	return s, nil
}

// writeStamp writes the cache's stamp.
func (c cache) writeStamp(s stamp) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(c.stampPath(), b, 0o644); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}

// Bounds of settle.
const (
	settleQuiet   = 10 * time.Second // no table file made or removed for this long
	settleTimeout = 5 * time.Minute
)

// settle opens the desk store and keeps it open until Badger's background compaction has
// finished (no table file made or removed for settleQuiet), then closes it. A desk that ran
// for a while after its first sync looks like this; every later measurement starts from it.
func settle(ctx context.Context, dir string) error {
	db, err := localdb.Open(localdb.Options{Dir: dir})
	if err != nil {
		return err
	}
	// The tables sit in the data directory or in the store folder its pointer file names
	// (localdb/swap.go): every .sst below dir counts.
	tables := func() string {
		var names []string
		filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && filepath.Ext(path) == ".sst" {
				names = append(names, path)
			}
			return nil
		})
		return fmt.Sprint(names)
	}
	last, since, deadline := tables(), time.Now(), time.Now().Add(settleTimeout)
	for time.Since(since) < settleQuiet && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(time.Second)
		if now := tables(); now != last {
			last, since = now, time.Now()
		}
	}
	if err := db.Close(); err != nil {
		return err
	}
	return ctx.Err()
}

// copyDir copies the regular files of directory src into dst (created; it must not exist).
func copyDir(src, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("copying %s: %s exists", src, dst)
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o700)
		case !d.Type().IsRegular():
			return nil
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, st.Mode().Perm())
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := io.Copy(out, in); err != nil {
		return fmt.Errorf("copying %s: %w", src, err)
	}
	return nil
}

// dirSize is the total size of the regular files under dir.
func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}
