#!/usr/bin/env bash
# dist.sh — make the installable packages of Kefu Desk in dist/ (run by `make dist`, on Linux):
#
#   dist/kefu-desk-VERSION-windows-amd64.zip   kefu.exe (GUI subsystem, icon, manifest and version
#                                              info embedded by `fyne package`), kefu-store.exe,
#                                              README.txt in Chinese and English
#   dist/kefu-desk-VERSION-linux-amd64.tar.xz  `fyne package -os linux`: kefu, its .desktop entry
#                                              and icon, with a Makefile that installs them
#   dist/kefu-desk_VERSION_amd64.deb           kefu with desktop entry and icon, kefu-store, and a
#                                              systemd unit that runs the store as its own user
#
# `dist.sh windows` builds only the Windows desk (CI uses it to catch a change that breaks
# Windows). The tools come from the Go module proxy (fyne.io/tools, nfpm) into .cache/bin; the
# Windows C compiler is Debian's mingw-w64. macOS packages are built on a Mac: see README.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

VERSION=${VERSION:?set VERSION, e.g. VERSION=0.2.0}
COMMIT=${COMMIT:-$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}
BIN=$PWD/.cache/bin
FYNE_TOOLS=fyne.io/tools/cmd/fyne@v1.7.4
NFPM=github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.48.0
TAGS=migrated_fynedo
# The version and commit go into every binary; -X on commit because `fyne package` builds with
# -trimpath and the copied metadata file, where Go's own VCS stamp is not always there.
LDX="-X=kefu/internal/version.Version=$VERSION -X=kefu/internal/version.commit=$COMMIT"
# GOFLAGS splits on spaces, and `fyne package` gathers every -ldflags= entry of it.
GOFLAGS_LDX="-ldflags=-X=kefu/internal/version.Version=$VERSION -ldflags=-X=kefu/internal/version.commit=$COMMIT"
release=$(printf '%s' "$VERSION" | sed 's/^v//; s/-.*//')

# `fyne package` rewrites FyneApp.toml (its build number, its layout): keep the committed one.
cp FyneApp.toml .cache/FyneApp.toml.dist 2>/dev/null || { mkdir -p .cache && cp FyneApp.toml .cache/FyneApp.toml.dist; }
trap 'cp .cache/FyneApp.toml.dist FyneApp.toml' EXIT

tool() { # tool NAME MODULE@VERSION: install a Go-built tool into .cache/bin once
	[ -x "$BIN/$1" ] || GOBIN=$BIN GOFLAGS= go install "$2"
}

windows_desk() {
	bash scripts/deps.sh gcc-mingw-w64-x86-64
	tool fyne "$FYNE_TOOLS"
	mkdir -p dist/windows
	# fyne package builds the current directory's main package: it writes kefu.exe there,
	# embedding FyneApp.toml's metadata and a generated .syso (icon, manifest, version info).
	GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
		GOFLAGS="$GOFLAGS_LDX" \
		"$BIN/fyne" package -os windows --release --tags "$TAGS" --icon assets/icon.png \
		--name kefu --app-version "$release"
	mv -f kefu.exe dist/windows/kefu.exe
}

windows_store() {
	mkdir -p dist/windows
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $LDX" \
		-o dist/windows/kefu-store.exe ./cmd/kefu-store
}

readme() { # readme OUT: the short bilingual README, with the version filled in
	sed "s/VERSION/$VERSION/g" packaging/README.txt >"$1"
}

linux() {
	bash scripts/deps.sh
	tool fyne "$FYNE_TOOLS"
	tool nfpm "$NFPM"
	mkdir -p dist/linux
	go build -tags "$TAGS" -trimpath -ldflags "-s -w $LDX" -o dist/linux/kefu .
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $LDX" -o dist/linux/kefu-store ./cmd/kefu-store
	(cd dist/linux && "$BIN/fyne" package -os linux --exe "$top/dist/linux/kefu" --name "Kefu Desk" --icon "$top/assets/icon.png" \
		--app-id com.kefudesk.desk --app-version "$release" --src "$top")
	mv -f "dist/linux/Kefu Desk.tar.xz" "dist/kefu-desk-$VERSION-linux-amd64.tar.xz"
	readme dist/README.txt
	VERSION=$release "$BIN/nfpm" package --packager deb --config packaging/nfpm.yaml --target dist/
}

zip_windows() {
	readme dist/windows/README.txt
	rm -f "dist/kefu-desk-$VERSION-windows-amd64.zip"
	python3 - "dist/kefu-desk-$VERSION-windows-amd64.zip" dist/windows <<'PY'
import os, sys, zipfile
out, top = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(top)):
        z.write(os.path.join(top, name), os.path.join("kefu-desk", name))
PY
}

case "${1:-all}" in
windows) windows_desk ;;
all)
	rm -rf dist
	linux
	windows_desk
	windows_store
	zip_windows
	ls -l dist
	;;
*) echo "usage: dist.sh [all|windows]" >&2; exit 2 ;;
esac
