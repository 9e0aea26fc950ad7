#!/usr/bin/env bash
# wine-smoke.sh — start the Windows desk (dist/windows/kefu.exe) under Wine in a private Xvfb
# display, on the demo shop, and check that its window shows: the closest this Linux machine
# gets to double-clicking kefu.exe on a Windows PC. Run by `make wine-smoke` and by CI after
# `make dist-windows`. Prints SKIP with the reason, and exits 0, where Wine or Xvfb cannot run it.
#
# Debian 12's Wine 8.0 lacks bcryptprimitives.dll, whose ProcessPrng every Go 1.22+ Windows binary
# loads at start ("fatal error: bcryptprimitives.dll not found"). The smoke test builds a
# one-function stand-in with mingw-w64 (ProcessPrng over RtlGenRandom) into its own throwaway
# Wine prefix; nothing of it goes into dist/.
set -uo pipefail
cd "$(dirname "$0")/.."
exe=${1:-dist/windows/kefu.exe}
[ -f "$exe" ] || { echo "wine-smoke: $exe is missing: run make dist-windows first" >&2; exit 1; }

bash scripts/deps.sh wine64 xvfb xdotool x11-utils imagemagick >/dev/null || true
wine=/usr/lib/wine/wine64
command -v wine64 >/dev/null && wine=$(command -v wine64)
for t in "$wine" Xvfb xdotool import x86_64-w64-mingw32-gcc; do
	command -v "$t" >/dev/null || { echo "wine-smoke: SKIP: $t is not installed"; exit 0; }
done

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null; done
	WINEPREFIX=$tmp/prefix wineserver -k 2>/dev/null || /usr/lib/wine/wineserver64 -k 2>/dev/null || true
	sleep 0.5
	rm -rf "$tmp"
}
trap cleanup EXIT
export WINEPREFIX=$tmp/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="

display=:$((90 + RANDOM % 400))
Xvfb "$display" -screen 0 1366x800x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=$display
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

# The prefix first (wineboot), then the stand-in DLL into its system32, where Go looks for it.
"$wine" wineboot --init >"$tmp/wineboot.log" 2>&1
cat >"$tmp/shim.c" <<'C'
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!RtlGenRandom(data, n)) return FALSE;
		data += n; len -= n;
	}
	return TRUE;
}
C
if [ ! -f "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]; then
	x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
		"$tmp/shim.c" -ladvapi32 || { echo "wine-smoke: SKIP: cannot build the ProcessPrng stand-in"; exit 0; }
fi

"$wine" "$exe" --demo >"$tmp/kefu.log" 2>&1 &
pids+=($!)
win=""
for _ in $(seq 240); do # up to 120 s: Wine's first start and the demo shop's seeding
	win=$(xdotool search --onlyvisible --name 'Kefu Desk|客服台' 2>/dev/null | head -1)
	[ -n "$win" ] && break
	if ! kill -0 "${pids[1]}" 2>/dev/null; then
		if grep -qiE 'opengl|glfw|wgl|pixel format' "$tmp/kefu.log"; then
			echo "wine-smoke: SKIP: Wine could not give the desk OpenGL here:"; tail -5 "$tmp/kefu.log"; exit 0
		fi
		echo "wine-smoke: FAIL: kefu.exe exited before showing its window:"; tail -20 "$tmp/kefu.log"; exit 1
	fi
	sleep 0.5
done
[ -n "$win" ] || { echo "wine-smoke: FAIL: no Kefu Desk window within 120 s"; tail -20 "$tmp/kefu.log"; exit 1; }
sleep 8 # the first section fills in
shot=${WINE_SMOKE_SHOT:-$tmp/shot.png}
import -window root "$shot"
# A window that drew nothing is one flat colour; the desk draws text, lists and buttons.
colours=$(convert "$shot" -format '%k' info:)
if [ "${colours:-0}" -lt 50 ]; then
	echo "wine-smoke: FAIL: the window is blank ($colours colours)"; exit 1
fi
echo "wine-smoke: ok: kefu.exe showed its window under Wine ($(xdotool getwindowname "$win"), $colours colours)"
