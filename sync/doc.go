// Package sync is Kefu Desk's sync engine: it keeps a desk's local store (package localdb) and
// the shop's store server (package server, API in package storeapi) in step.
//
// One goroutine — the one that calls Engine.Run — alternates two jobs. It pushes the outbox of
// local mutations to POST /v1/mutations in order and in batches, and acknowledges the results in
// the local store; then it pulls GET /v1/changes from the stored cursor (a long poll once the desk
// has caught up) and applies the changes locally. Because a pull only starts once every pushed
// mutation has been acknowledged, the change feed never carries effects of a mutation the desk
// still holds as pending, which is what the local store's rebasing relies on. A mutation that
// may or may not have reached the server (a cut connection, a 5xx) is pushed again before any
// pull; the server answers "duplicate" and nothing happens twice.
//
// The engine talks to the server through a client with retries (retryClient, after restic's
// retry backend): transport errors, 5xx, 408 and 429 answers, and answers that are not a Kefu
// store's (a captive portal) are retried with capped exponential backoff and jitter
// (Params.MinBackoff to MaxBackoff; a 429 or 503 Retry-After is honoured), and each retry shows
// in the status as offline. During a pause the engine probes GET /healthz about every
// Params.ProbeEvery (1 s, jittered): the first probe that finds the store back ends the pause,
// so a desk is online again within about a second of the server answering; a staff action
// (Kick) and ReconnectNow also try at once, and every sign of life starts the backoff over. Permanent errors come back at once: a 401 signs the desk out until
// SetToken; other 4xx answers are the desk's own fault and are reported in the status instead of
// retried in a loop. Kick, called after every local mutation, cuts a waiting long poll (or a
// backoff pause) short so the new mutation goes out at once. The pauses run on Params.Clock
// (SystemClock unless a test gives its own), so tests move time instead of sleeping.
//
// The engine reports a Status (online, offline since T, syncing N of M, signed out, pending and
// problem counts) through Params.OnStatus, always from Run's goroutine and never after Run has
// returned.
//
// Login signs a staff member in and returns a Session (token, staff member, shop) — this
// package's own type, so callers need not know the store API's wire types — and Credentials
// keeps the token in the OS keyring or, where there is none, in a private file in the data
// directory.
//
// This package is named sync like the standard library's. Packages outside it import it as
//
//	kefusync "kefu/sync"
//
// always under that name, whether or not they also import the standard library's sync.
package sync
