// Package testkit is what Kefu's tests, the benchmark harness (package bench) and the fault soak
// (package soak) share to drive a store server and wait for it:
//
//   - WaitFor and Wait poll a condition with a deadline instead of sleeping for a guessed time;
//     a test that times out says what it waited for, for how long, and the state it last saw.
//   - BuildStore and StoreBinary build cmd/kefu-store (CGO_ENABLED=0, like `make store`);
//     StartStore and Store run it as a child process on a loopback port it keeps across
//     restarts, wait until /healthz answers, signal, kill, restart and stop it, and read its log.
//   - ParseMetric, ReadMetric and Store.Metric read one sample (a gauge or a counter, with or
//     without labels) from the server's /metrics in the Prometheus text format.
//
// Nothing here imports package testing: the process runner and the metrics reader serve the
// benchmark and soak commands too, and WaitFor takes the small TB interface that *testing.T and
// *testing.B satisfy.
package testkit
