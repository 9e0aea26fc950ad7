package main

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// listedPackage is what `go list -json` says of one package.
type listedPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
	GoFiles    []string
	Dir        string
}

// listPackages runs `go list -json -deps=false` over the module.
func listPackages(t *testing.T) map[string]listedPackage {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	cmd := exec.Command("go", "list", "-tags", "migrated_fynedo", "-json", "./...")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]listedPackage{}
	dec := json.NewDecoder(out)
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = p
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// TestLayoutRules checks the design's dependency rules (shared/DESIGN.md, "Parts"): screens
// reaches the shop only through package desk; main is wiring and needs no wire types; the
// server ships no demo generator; the export writer (internal/sheet) depends on nothing of
// the desk's; only main builds the window; no go:linkname into other
// packages' privates outside tests.
func TestLayoutRules(t *testing.T) {
	pkgs := listPackages(t)
	forbidden := map[string][]string{
		"kefu/screens": {"kefu/localdb", "kefu/sync", "kefu/storeapi", "kefu/server", "kefu/imports",
			"github.com/dgraph-io/badger/v4", "github.com/go-resty/resty/v2"},
		"kefu": {"kefu/storeapi", "kefu/localdb", "kefu/sync"},
	}
	for pkg, bad := range forbidden {
		p, ok := pkgs[pkg]
		if !ok {
			t.Fatalf("package %s not listed", pkg)
		}
		for _, imp := range p.Imports {
			if slices.Contains(bad, imp) {
				t.Errorf("%s imports %s", pkg, imp)
			}
		}
	}
	// The export writer is a leaf the screens use: the table and the file formats only, no
	// window, no shop, no storage.
	if p, ok := pkgs["kefu/internal/sheet"]; ok {
		for _, imp := range p.Imports {
			if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") && imp != "github.com/xuri/excelize/v2" || strings.HasPrefix(imp, "kefu/") {
				t.Errorf("kefu/internal/sheet imports %s; it writes tables with the standard library and excelize only", imp)
			}
		}
	} else {
		t.Error("package kefu/internal/sheet not listed")
	}
	for path, p := range pkgs {
		if path == "kefu/server" || strings.HasPrefix(path, "kefu/server/") {
			for _, dep := range p.Deps {
				if dep == "kefu/shop/demoshop" || dep == "kefu/demostore" {
					t.Errorf("%s depends on %s: demo data belongs to package demostore", path, dep)
				}
			}
		}
		if path != "kefu" && slices.Contains(p.Imports, "kefu/screens") {
			t.Errorf("%s imports kefu/screens; only main may", path)
		}
		for _, f := range p.GoFiles {
			b, err := os.ReadFile(filepath.Join(p.Dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "//go:linkname") {
				t.Errorf("%s/%s uses go:linkname", path, f)
			}
		}
	}
}
