#!/bin/sh
# Before removing kefu-desk: stop the store server. Its data in /var/lib/kefu-store and its user
# stay (remove them by hand to delete the shops' data: see README, Uninstall).
set -e
if [ -d /run/systemd/system ]; then
	systemctl stop kefu-store.service >/dev/null 2>&1 || true
	systemctl disable kefu-store.service >/dev/null 2>&1 || true
fi
exit 0
