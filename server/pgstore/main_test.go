package pgstore

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"kefu/server/pgstore/pgtest"
	"kefu/server/store"
	"kefu/server/storetest"
)

// pg is the package's throwaway PostgreSQL server; every test gets a schema of its own.
var pg *pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }

// open opens a store on a new, empty schema (or on dsn's, when given) and closes it when the
// test ends.
func open(t testing.TB, dsn string, o Options) *Store {
	t.Helper()
	if dsn == "" {
		dsn = pg.Need(t).Schema(t)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := Open(ctx, dsn, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, "", Options{}) })
}
