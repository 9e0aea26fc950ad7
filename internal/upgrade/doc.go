// Package upgrade holds only tests: that this release opens and works on the data directories
// an older release left (the desk's local store, kefu-store's Badger directory), from
// testdata/release-*.tar.gz. A release that changes a store's format adds its own archive.
//
// testdata/release-0.1.0.tar.gz was made with release 0.1.0's code (commit 1fc8fde): a
// kefu-store data directory ("store") with shop "upgrade" — a small generated shop (seed 7,
// 2026-11-30), owner 1001 (password upgrade-pass-1001) and agent 1002 — and a desk store
// ("desk") that synced it over loopback as 1001, then added two order notes: the first on
// order 2026113014412174 and synced, the second on order 2026113077582306 after the sync
// engine stopped, so it waits in the outbox.
package upgrade
