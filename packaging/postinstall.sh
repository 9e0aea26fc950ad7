#!/bin/sh
# After installing kefu-desk: the store server's own system user, then (re)start its unit if
# systemd runs. The desk itself needs nothing: each user's data lives in their own profile.
set -e
if ! getent passwd kefu-store >/dev/null; then
	adduser --system --group --home /var/lib/kefu-store --no-create-home --quiet kefu-store 2>/dev/null ||
		useradd --system --user-group --home-dir /var/lib/kefu-store --shell /usr/sbin/nologin kefu-store
fi
install -d -o kefu-store -g kefu-store -m 0750 /var/lib/kefu-store
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
	systemctl enable kefu-store.service >/dev/null 2>&1 || true
	systemctl restart kefu-store.service >/dev/null 2>&1 || true
fi
exit 0
