// Package version says which release of Kefu Desk a binary is and which commit it was built
// from, for `kefu --version`, `kefu-store --version`, the desk's About box and the store's
// /healthz.
package version

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Version is the release, set at build time by `make` and `make dist`:
//
//	go build -ldflags "-X kefu/internal/version.Version=0.2.0"
//
// A plain `go build` leaves the development value.
var Version = "0.2.0-dev"

// Commit is the commit the binary was built from: the first 12 hex digits of the revision Go
// stamps into the binary's build info (with "-dirty" when the work tree had changes), or
// "unknown" when the binary was built outside a git checkout or with -buildvcs=false. A value
// set with -ldflags "-X kefu/internal/version.commit=…" (the Windows cross-build, which builds
// from a copied tree) wins.
func Commit() string {
	if commit != "" {
		return commit
	}
	return commitOf(debug.ReadBuildInfo())
}

// commit is set with -ldflags -X where the build info has no revision.
var commit string

// commitOf reads the revision out of the build info.
func commitOf(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "unknown"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

// String is the line `--version` prints: the program's name, its version and commit.
func String(program string) string {
	return fmt.Sprintf("%s %s (commit %s)", program, Version, Commit())
}

// Release is Version without a development or pre-release suffix ("0.2.0-dev" → "0.2.0"),
// for package metadata that wants plain numbers.
func Release() string {
	v, _, _ := strings.Cut(strings.TrimPrefix(Version, "v"), "-")
	return v
}
