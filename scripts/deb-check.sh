#!/usr/bin/env bash
# deb-check.sh — install dist/kefu-desk_*.deb in a freshly bootstrapped Debian bookworm chroot
# (debootstrap minbase, cached in .cache/), then run `kefu --version` and `kefu-store --version`
# there and check the store's system user and data directory. `make deb-check`; needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(ls -t dist/kefu-desk_*_amd64.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "deb-check: no dist/kefu-desk_*.deb: run make dist first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "deb-check: needs root (debootstrap, chroot)" >&2; exit 1; }
bash scripts/deps.sh debootstrap >/dev/null

base=.cache/debian-bookworm-minbase.tar
if [ ! -s "$base" ]; then
	mirror=$(grep -h -m1 -oE '^URIs: *[^ ]+' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
	[ -n "$mirror" ] || mirror=$(grep -h -m1 -oE 'https?://[^ ]+' /etc/apt/sources.list 2>/dev/null | head -1)
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
	tmpb=$(mktemp -d)
	echo "deb-check: bootstrapping Debian bookworm (minbase) once"
	debootstrap --variant=minbase bookworm "$tmpb" "$mirror" >/dev/null
	mkdir -p .cache && tar -C "$tmpb" -cf "$base" . && rm -rf "$tmpb"
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
tar -C "$root" -xf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
cp "$deb" "$root/tmp/"
name=$(basename "$deb")
unshare -m --propagation private bash -c '
	mount --rbind /dev "$0/dev" && mount -t proc proc "$0/proc" && mount -t sysfs sys "$0/sys"
	exec chroot "$0" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive bash -ec "
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends /tmp/$1 >/tmp/install.log 2>&1 || { tail -20 /tmp/install.log; exit 1; }
		dpkg -s kefu-desk | grep -E \"^(Status|Version):\"
		kefu --version
		kefu-store --version
		getent passwd kefu-store >/dev/null && echo \"user kefu-store: \$(getent passwd kefu-store | cut -d: -f6)\"
		stat -c \"/var/lib/kefu-store: %U:%G %a\" /var/lib/kefu-store
		test -f /usr/share/applications/kefu.desktop && test -f /usr/share/icons/hicolor/256x256/apps/kefu.png
		test -f /lib/systemd/system/kefu-store.service && echo \"desktop entry, icon and systemd unit installed\"
		apt-get remove -y -qq kefu-desk >/dev/null && test ! -e /usr/bin/kefu && test -d /var/lib/kefu-store && echo \"removed; /var/lib/kefu-store kept\"
	"' "$root" "$name"
echo "deb-check: ok: $name installs on a fresh Debian bookworm"
