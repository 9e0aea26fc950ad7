package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"kefu/server"
	"kefu/server/badgerstore"
	"kefu/server/pgstore"
	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// pgStartWait is how long kefu-store waits for PostgreSQL to answer at start.
const pgStartWait = 30 * time.Second

// openStore opens the store the flags name: PostgreSQL at dsn when it is set (the schema is
// created or migrated), else the Badger directory data (created if missing). where says
// where the data is, for the log, without a password.
func openStore(ctx context.Context, data, dsn string, log *slog.Logger) (st store.Store, where string, err error) {
	if dsn != "" {
		// A database that restarts, or starts with this server, gets a little time.
		deadline := time.Now().Add(pgStartWait)
		for {
			pg, err := pgstore.Open(ctx, dsn, pgstore.Options{Logger: log})
			if err == nil {
				return pg, "PostgreSQL " + redactDSN(dsn), nil
			}
			var pe *pgconn.PgError
			refused := errors.As(err, &pe) && pe.Code != "57P03" // 57P03: starting up or shutting down
			if refused || time.Now().After(deadline) || ctx.Err() != nil {
				return nil, "", err // the database answered, and said no; or it never came
			}
			log.Warn("PostgreSQL is not answering yet; trying again", "err", err)
			select {
			case <-time.After(500 * time.Millisecond):
			case <-ctx.Done():
			}
		}
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, "", fmt.Errorf("creating the data directory: %w", err)
	}
	b, err := badgerstore.Open(data, log)
	if err != nil {
		return nil, "", err
	}
	return b, data, nil
}

// redactDSN is a DSN without its password.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	var parts []string
	for _, f := range strings.Fields(dsn) {
		if strings.HasPrefix(f, "password=") {
			f = "password=xxxxx"
		}
		parts = append(parts, f)
	}
	return strings.Join(parts, " ")
}

// migrated counts what migrate moved.
type migrated struct {
	shops, records, results, entries, tokens int
}

// migrate moves every shop of a Badger directory, with its feed, into PostgreSQL: records
// keep their seq numbers, so desks keep their cursors; credentials, results of mutations,
// chat tokens, index entries and staff tokens come along (nobody logs in again). A shop that
// exists in PostgreSQL already is refused, and nothing of it is written.
func migrate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kefu-store migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from-badger", "", "the Badger data directory to move (stop the kefu-store serving it first)")
	dsn := fs.String("postgres", "", "PostgreSQL DSN to move the data to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *dsn == "" || fs.NArg() > 0 {
		return errors.New("usage: kefu-store migrate --from-badger DIR --postgres DSN")
	}
	if _, err := os.Stat(*from); err != nil {
		return fmt.Errorf("--from-badger: %w", err)
	}
	ctx := context.Background()
	log := newLogger(stderr)
	src, err := badgerstore.Open(*from, log)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := pgstore.Open(ctx, *dsn, pgstore.Options{Logger: log})
	if err != nil {
		return err
	}
	// A server on the target declares the server's indexes there; the source gets the same.
	srv, err := server.New(server.Params{Store: dst, Logger: log})
	if err != nil {
		return err
	}
	defer srv.Close()
	indexes := dst.Indexes()
	if err := src.Declare(ctx, indexes...); err != nil {
		return err
	}
	ids, err := src.Shops(ctx)
	if err != nil {
		return err
	}
	var n migrated
	for _, id := range ids {
		before := n
		if err := migrateShop(ctx, src, dst, id, indexes, &n); err != nil {
			return fmt.Errorf("shop %s: %w", id, err)
		}
		fmt.Fprintf(stdout, "shop %s: %d records, %d mutation results, %d index entries\n", id, n.records-before.records, n.results-before.results, n.entries-before.entries)
		n.shops++
	}
	var terr error
	err = src.Tokens(ctx, func(hash string, t store.TokenInfo) bool {
		if terr = dst.PutToken(ctx, hash, t); terr != nil {
			return false
		}
		n.tokens++
		return true
	})
	if err = errors.Join(err, terr); err != nil {
		return fmt.Errorf("staff tokens: %w", err)
	}
	fmt.Fprintf(stdout, "moved %d shops and %d staff tokens from %s to %s\n", n.shops, n.tokens, *from, redactDSN(*dsn))
	return nil
}

// migrateShop moves one shop in one PostgreSQL transaction.
func migrateShop(ctx context.Context, src *badgerstore.Store, dst *pgstore.Store, id string, indexes []store.Index, n *migrated) error {
	return dst.Load(ctx, id, func(l *pgstore.Loader) error {
		var werr error
		keep := func(err error) bool { werr = err; return err == nil }
		err := src.View(ctx, id, func(tx store.ReadTx) error {
			if a, found, err := tx.Account(); err != nil {
				return err
			} else if found {
				if err := l.Account(a); err != nil {
					return err
				}
			}
			seq, err := tx.Seq()
			if err != nil {
				return err
			}
			l.Seq(seq)
			if err := tx.Feed(0, func(rec shop.Record) bool { n.records++; return keep(l.Record(rec)) }); err != nil || werr != nil {
				return errors.Join(err, werr)
			}
			if err := tx.Results(func(r storeapi.Result) bool { n.results++; return keep(l.Result(r)) }); err != nil || werr != nil {
				return errors.Join(err, werr)
			}
			for _, ix := range indexes {
				err := tx.Scan(ix.Name, store.Query{}, func(e store.Entry) bool { n.entries++; return keep(l.Entry(ix.Name, e)) })
				if err != nil || werr != nil {
					return errors.Join(err, werr)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := src.Credentials(ctx, id, func(c store.Credential) bool { return keep(l.Credential(c)) }); err != nil || werr != nil {
			return errors.Join(err, werr)
		}
		if err := src.ChatTokens(ctx, id, func(h string, t store.ChatToken) bool { return keep(l.ChatToken(h, t)) }); err != nil || werr != nil {
			return errors.Join(err, werr)
		}
		return nil
	})
}
