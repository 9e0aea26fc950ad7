// Package bench is the harness behind `make bench`: it measures what the staff of a shop feel
// (how fast the desk starts, searches, opens a chat and records a note, how fast a new desk
// gets the whole shop, how quickly a customer's message shows up) on the large generated shop
// (shop/demoshop's Large size: 20k customers, 50k SKUs, 100k orders, 1M messages), and prints
// each figure against its target in one table. The driver is cmd/kefu-bench.
//
// # The cache
//
// Generating the large shop takes minutes, so Run makes it once into a cache directory
// (default .cache/bench in the repository) and reuses it:
//
//	stamp.json    the fingerprint of the generator the data came from (Fingerprint)
//	store/        a kefu-store data directory seeded with the large shop (kefu-store --demo
//	              --demo-size large)
//	desk/         a desk's local store, made from store/ by a real first full sync, then
//	              left open until Badger's compaction settled (as after a day's work)
//	bin/          kefu (stripped) and kefu-store, rebuilt on every run (the Go build cache
//	              makes that quick)
//	run/          working copies of store/ and desk/ and the scratch stores of one run,
//	              removed when the run ends but for the logs of kefu-store and the desks
//
// A run never changes store/ or desk/: it works on copies, so every run starts from the same
// data. When the fingerprint changes (the generator, its sizes or the local store's schema
// changed) both are made again.
//
// # The figures
//
// One file per group of figures: local.go (searches, opening a conversation and recording a
// note on the large desk store), fullsync.go (the first full sync from a kefu-store process,
// the in-process limit of the same work, and the sync engine's peak memory, measured in a
// child process), live.go (a customer's message reaching a desk, and an offline backlog
// draining), server.go (kefu-store's mutation throughput and 200 long-polling desks),
// window.go (the real desk binary under a private Xvfb: cold start, memory after opening every
// section, peak memory during a first full sync) and binary.go (the stripped desk binary's
// size). Every wait is bounded: a run always ends by itself.
//
// Memory and sizes are in MB of 10^6 bytes; RSS figures come from /proc/PID/status (VmRSS,
// VmHWM), so the window and memory figures need Linux.
package bench
