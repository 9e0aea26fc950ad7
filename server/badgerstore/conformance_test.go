package badgerstore

import (
	"io"
	"log/slog"
	"testing"

	"kefu/server/store"
	"kefu/server/storetest"
)

// TestConformance runs the Store conformance suite on Badger, in memory and in a directory.
func TestConformance(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for name, dir := range map[string]func(t *testing.T) string{
		"memory": func(*testing.T) string { return "" },
		"disk":   func(t *testing.T) string { return t.TempDir() },
	} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store {
				st, err := Open(dir(t), log)
				if err != nil {
					t.Fatal(err)
				}
				return st
			})
		})
	}
}
