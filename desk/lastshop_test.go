package desk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The shop of last time is remembered until a switch; a shop's folder stays its own, found
// again when the staff member comes back to it, and two shops never share one.
func TestLastShopAndShopFolders(t *testing.T) {
	dir := t.TempDir()
	if _, ok := LastShop(dir); ok {
		t.Fatal("a first start has a last shop")
	}
	a := ShopDir(dir, "https://store.example.com:8443", "店铺 1")
	b := ShopDir(dir, "https://store.example.com:8443", "商店 1")
	if a == b || !strings.HasPrefix(a, filepath.Join("shops", "store.example.com_8443-___1-")) {
		t.Errorf("folders %q and %q", a, b)
	}
	c := ShopChoice{Server: "https://store.example.com:8443", Shop: "店铺 1", Staff: "1002", Dir: "desk-of-old"}
	if err := RememberShop(dir, c); err != nil {
		t.Fatal(err)
	}
	if got, ok := LastShop(dir); !ok || got != c {
		t.Errorf("last shop %+v (%v); want %+v", got, ok, c)
	}
	if err := RememberShop(dir, ShopChoice{Demo: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := LastShop(dir); !got.Demo {
		t.Errorf("last shop %+v; want the demo", got)
	}
	if err := ForgetLastShop(dir); err != nil {
		t.Fatal(err)
	}
	if _, ok := LastShop(dir); ok {
		t.Error("a switch of shop left a last shop")
	}
	if got := ShopDir(dir, c.Server, c.Shop); got != c.Dir {
		t.Errorf("coming back to the shop gives folder %q; want its old %q", got, c.Dir)
	}
	// A damaged file only loses the memory of the last shop.
	if err := os.WriteFile(filepath.Join(dir, ShopsFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := LastShop(dir); ok {
		t.Error("a damaged file gave a last shop")
	}
	if err := RememberShop(dir, c); err != nil {
		t.Fatalf("a damaged file is not replaced: %v", err)
	}
}
