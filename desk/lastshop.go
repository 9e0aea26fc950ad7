package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"kefu/internal/atomicfile"
	kefusync "kefu/sync"
)

// ShopsFile is the file in the desk's data folder that remembers the shops this desk worked
// on and which one it opens next (see LastShop).
const ShopsFile = "shops.json"

// ShopChoice is a shop the desk works on: the demo shop, or a shop on a store server with the
// staff member who signed in there and the folder (relative to the data folder) that holds
// the shop's local store.
type ShopChoice struct {
	Demo   bool   `json:"demo,omitempty"`
	Server string `json:"server,omitempty"`
	Shop   string `json:"shop,omitempty"`
	Staff  string `json:"staff,omitempty"`
	Dir    string `json:"dir,omitempty"`
}

// shopsFile is ShopsFile's content: the shop to open next (none after a switch of shop) and
// every shop signed in to, so that a shop's folder (and the work it has not sent yet) is
// found again when the staff member comes back to it.
type shopsFile struct {
	Last  *ShopChoice  `json:"last,omitempty"`
	Known []ShopChoice `json:"known,omitempty"`
}

// LastShop is the shop the desk worked on last, unless the staff member switched shop since;
// ok is false on the first start.
func LastShop(dataDir string) (c ShopChoice, ok bool) {
	f, err := readShops(dataDir)
	if err != nil || f.Last == nil {
		return ShopChoice{}, false
	}
	return *f.Last, true
}

// RememberShop makes c the shop the desk opens next, and remembers its folder.
func RememberShop(dataDir string, c ShopChoice) error {
	return updateShops(dataDir, func(f *shopsFile) {
		f.Last = &c
		if c.Demo {
			return
		}
		for i, k := range f.Known {
			if k.Server == c.Server && k.Shop == c.Shop {
				f.Known[i] = c
				return
			}
		}
		f.Known = append(f.Known, c)
	})
}

// ForgetLastShop makes the next start show the welcome page; the shops' folders stay known.
func ForgetLastShop(dataDir string) error {
	return updateShops(dataDir, func(f *shopsFile) { f.Last = nil })
}

// ShopDir is the folder, relative to the data folder, of shop's local store on server: the one
// used before for that shop, else a new one named after the server and the shop (and a hash
// of both), so that two shops never share a local store (and neither's unsent work reaches
// the other's server).
func ShopDir(dataDir, server, shop string) string {
	if f, err := readShops(dataDir); err == nil {
		for _, k := range f.Known {
			if k.Server == server && k.Shop == shop {
				return k.Dir
			}
		}
	}
	host := server
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		host = u.Host
	}
	sum := sha256.Sum256([]byte(server + "|" + shop)) // tells apart names safeName makes alike
	return filepath.Join("shops", safeName(host)+"-"+safeName(shop)+"-"+hex.EncodeToString(sum[:4]))
}

// safeName keeps letters, digits, dots, dashes and underscores of s (others become "_"), for
// a folder name on every OS.
func safeName(s string) string {
	b := []rune(strings.TrimSpace(s))
	for i, r := range b {
		ok := r == '.' || r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}

func readShops(dataDir string) (shopsFile, error) {
	var f shopsFile
	b, err := os.ReadFile(filepath.Join(dataDir, ShopsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("desk: reading the shops: %w", err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return shopsFile{}, fmt.Errorf("desk: reading %s: %w", ShopsFile, err)
	}
	return f, nil
}

// updateShops changes the shops file, replacing it atomically (atomicfile.Write).
func updateShops(dataDir string, change func(*shopsFile)) error {
	f, err := readShops(dataDir)
	if err != nil {
		f = shopsFile{} // a damaged file is replaced: it only saves typing
	}
	change(&f)
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("desk: remembering the shop: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("desk: remembering the shop: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(dataDir, ShopsFile), b, 0o600); err != nil {
		return fmt.Errorf("desk: remembering the shop: %w", err)
	}
	return nil
}

// SignOut forgets the token of the last sign-in, so the desk asks for the password the next
// time it opens this shop. What the desk has not sent yet stays in its local store. Call it
// before Close.
func (d *Desk) SignOut() error {
	s, _ := d.Remembered()
	if s.Staff.Number == "" {
		return nil
	}
	if err := d.credentials(s.ShopID, s.Staff.Number).DeleteToken(); err != nil {
		return fmt.Errorf("desk: signing out: %w", err)
	}
	return nil
}

// ServerInfo is what a store server says about itself.
type ServerInfo struct {
	Version string // kefu-store's release and commit; "" from a server too old to say
}

// CheckServer asks the store server at url whether it is a Kefu store, before anyone signs in
// there. A failure comes with its cause (CauseOf): unreachable, bad_url, web_page,
// not_kefu_store, server_error.
func CheckServer(ctx context.Context, url string) (ServerInfo, error) {
	h, err := kefusync.Health(ctx, url)
	if err != nil {
		return ServerInfo{}, fmt.Errorf("desk: checking the server: %w", err)
	}
	return ServerInfo{Version: h.Version}, nil
}
