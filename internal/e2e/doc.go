// Package e2e holds only tests: a whole desk (its local store and sync engine) working against
// a real kefu-store over loopback on each of the server's storage backends, Badger and
// PostgreSQL, which must behave the same for it.
package e2e
