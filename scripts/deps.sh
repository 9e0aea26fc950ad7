#!/usr/bin/env bash
# deps.sh — install the C build packages Kefu Desk needs (cgo for Fyne's OpenGL/GLFW driver and
# the race detector) on Debian or Ubuntu, only when some are missing. Extra package names given
# as arguments are installed too (CI adds xvfb, chromium and postgresql: the PostgreSQL store's
# tests start a throwaway server from its binaries, and skip without them unless $CI is set).
# Elsewhere it says what to install and stops.
set -eu
pkgs="gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev $*"

case "$(uname -s)" in
  Darwin) command -v clang >/dev/null || { echo "deps: install the Xcode command line tools: xcode-select --install" >&2; exit 1; }; exit 0;;
  MINGW*|MSYS*|CYGWIN*) command -v gcc >/dev/null || { echo "deps: install a gcc toolchain (MSYS2 mingw-w64-x86_64-gcc) and put it on PATH" >&2; exit 1; }; exit 0;;
esac

if ! command -v dpkg-query >/dev/null; then
  echo "deps: not a Debian/Ubuntu system; install a C compiler, pkg-config and the X11/OpenGL development headers (see README)" >&2
  exit 0
fi
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
echo "deps: installing$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
