package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"kefu/server/store"
)

// The schema: its versions, applied by Open in order, one transaction each, recorded in the
// one row of kefu_schema. A version is never edited once released; a change is a new one.
//
//	kefu_schema       (id = 1, version)
//	kefu_shops        (shop, seq)                        the per-shop feed counter
//	kefu_accounts     (shop, data)                       the shops with an account
//	kefu_records      (shop, type, id, seq, deleted, data, commit_seq), unique (shop, seq): the
//	                  feed; commit_seq is the first seq of the commit that wrote the row (0: seq)
//	kefu_credentials  (shop, staff, data)
//	kefu_results      (shop, id, data)                   results of applied mutations
//	kefu_chat_tokens  (shop, hash, data)
//	kefu_tokens       (hash, shop, expires_ns, data)     staff tokens (global)
//	kefu_rates        (key, win, n, expires_ns)          rate limits' counts per window (global)
//	kefu_indexes      (name, fields)                     the declared indexes
//	kefu_ix_{name}    (shop, f_{field}…, id)             one table per declared index
//
// Data columns hold JSON as bytea, so that records come back byte for byte as stored.
var migrations = []string{
	1: `
CREATE TABLE kefu_shops (
	shop text COLLATE "C" PRIMARY KEY,
	seq bigint NOT NULL
);
CREATE TABLE kefu_accounts (
	shop text COLLATE "C" PRIMARY KEY,
	data bytea NOT NULL
);
CREATE TABLE kefu_records (
	shop text COLLATE "C" NOT NULL,
	type text COLLATE "C" NOT NULL,
	id text COLLATE "C" NOT NULL,
	seq bigint NOT NULL,
	deleted boolean NOT NULL,
	data bytea,
	PRIMARY KEY (shop, type, id)
);
CREATE UNIQUE INDEX kefu_records_feed ON kefu_records (shop, seq);
CREATE TABLE kefu_credentials (
	shop text COLLATE "C" NOT NULL,
	staff text COLLATE "C" NOT NULL,
	data bytea NOT NULL,
	PRIMARY KEY (shop, staff)
);
CREATE TABLE kefu_results (
	shop text COLLATE "C" NOT NULL,
	id text COLLATE "C" NOT NULL,
	data bytea NOT NULL,
	PRIMARY KEY (shop, id)
);
CREATE TABLE kefu_chat_tokens (
	shop text COLLATE "C" NOT NULL,
	hash text COLLATE "C" NOT NULL,
	data bytea NOT NULL,
	PRIMARY KEY (shop, hash)
);
CREATE TABLE kefu_tokens (
	hash text COLLATE "C" PRIMARY KEY,
	shop text COLLATE "C" NOT NULL,
	expires_ns bigint NOT NULL,
	data bytea NOT NULL
);
CREATE INDEX kefu_tokens_expires ON kefu_tokens (expires_ns);
CREATE TABLE kefu_indexes (
	name text COLLATE "C" PRIMARY KEY,
	fields text NOT NULL
);`,
	2: `
CREATE TABLE kefu_rates (
	key text COLLATE "C" NOT NULL,
	win bigint NOT NULL,
	n bigint NOT NULL,
	expires_ns bigint NOT NULL,
	PRIMARY KEY (key, win)
);
CREATE INDEX kefu_rates_expires ON kefu_rates (expires_ns);`,
	// The first seq of the commit that wrote each record, so that a page of the feed ends
	// only between commits; rows written before read 0, which Feed takes as their own seq (a
	// commit of their own). PostgreSQL 11+ adds a column with a constant default without
	// rewriting the table.
	3: `
ALTER TABLE kefu_records ADD COLUMN commit_seq bigint NOT NULL DEFAULT 0;`,
}

// SchemaVersion is the version of the schema this package creates.
var SchemaVersion = len(migrations) - 1

// ddlRace reports the errors two servers creating the same table at once can get
// (PostgreSQL's CREATE … IF NOT EXISTS is not safe against a concurrent create).
func ddlRace(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07")
}

// migrate creates kefu_schema if needed and applies the versions after the recorded one. Two
// servers starting at once take turns on the version row's lock.
func (s *Store) migrate(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		_, err := s.pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS kefu_schema (id int PRIMARY KEY, version int NOT NULL);
			INSERT INTO kefu_schema (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`)
		if err == nil {
			break
		}
		if !ddlRace(err) || attempt == maxAttempts {
			return fmt.Errorf("creating kefu_schema: %w", err)
		}
	}
	for {
		done, err := s.migrateStep(ctx)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies the next version, if any, in one transaction.
func (s *Store) migrateStep(ctx context.Context) (done bool, err error) {
	err = retry(ctx, func() error {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer rollback(tx)
		var v int
		if err := tx.QueryRow(ctx, `SELECT version FROM kefu_schema WHERE id = 1 FOR UPDATE`).Scan(&v); err != nil {
			return err
		}
		switch {
		case v > SchemaVersion:
			return fmt.Errorf("schema version %d, this kefu-store knows up to %d: %w", v, SchemaVersion, ErrSchemaTooNew)
		case v == SchemaVersion:
			done = true
			return nil
		}
		if _, err := tx.Exec(ctx, migrations[v+1]); err != nil {
			return fmt.Errorf("schema version %d: %w", v+1, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE kefu_schema SET version = $1 WHERE id = 1`, v+1); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
		s.log.Info("postgres schema migrated", "version", v+1)
		return nil
	})
	if err != nil {
		return false, fail(ctx, "migrating the schema", err)
	}
	return done, nil
}

// indexTable is the table of a declared index (its name is checked by Validate).
func indexTable(name string) string { return "kefu_ix_" + name }

// fieldColumns are the columns of an index's key fields, in order.
func fieldColumns(ix store.Index) []string {
	cols := make([]string, len(ix.Fields))
	for i, f := range ix.Fields {
		cols[i] = "f_" + f.Name
	}
	return cols
}

// fieldsText is how kefu_indexes records an index's fields: "name:kind,…".
func fieldsText(ix store.Index) string {
	parts := make([]string, len(ix.Fields))
	for i, f := range ix.Fields {
		parts[i] = f.Name + ":" + f.Kind.String()
	}
	return strings.Join(parts, ",")
}

// Declare implements store.Store: each index gets its table, created once and recorded in
// kefu_indexes. An index recorded with other fields (by an older kefu-store) fails with
// store.ErrInvalid.
func (s *Store) Declare(ctx context.Context, indexes ...store.Index) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	for _, ix := range indexes {
		if err := ix.Validate(); err != nil {
			s.mu.Unlock()
			return err
		}
		if old, ok := s.indexes[ix.Name]; ok && !old.Same(ix) {
			s.mu.Unlock()
			return fmt.Errorf("index %s is declared already with other fields: %w", ix.Name, store.ErrInvalid)
		}
	}
	s.mu.Unlock()
	for _, ix := range indexes {
		if _, known := s.lookup(ix.Name); known {
			continue
		}
		if err := s.createIndex(ctx, ix); err != nil {
			return err
		}
		s.mu.Lock()
		s.indexes[ix.Name] = store.Index{Name: ix.Name, Fields: append([]store.Field(nil), ix.Fields...)}
		s.mu.Unlock()
	}
	return nil
}

// createIndex creates an index's table unless kefu_indexes records it already.
func (s *Store) createIndex(ctx context.Context, ix store.Index) error {
	want := fieldsText(ix)
	cols := []string{`shop text COLLATE "C" NOT NULL`}
	for i, f := range ix.Fields {
		typ := `text COLLATE "C"`
		if f.Kind == store.Int {
			typ = "bigint"
		}
		cols = append(cols, fieldColumns(ix)[i]+" "+typ+" NOT NULL")
	}
	cols = append(cols, `id text COLLATE "C" NOT NULL`, "PRIMARY KEY (shop, "+strings.Join(fieldColumns(ix), ", ")+", id)")
	create := "CREATE TABLE IF NOT EXISTS " + indexTable(ix.Name) + " (\n\t" + strings.Join(cols, ",\n\t") + "\n)"
	for attempt := 1; ; attempt++ {
		err := retry(ctx, func() error {
			tx, err := s.pool.Begin(ctx)
			if err != nil {
				return err
			}
			defer rollback(tx)
			var have string
			err = tx.QueryRow(ctx, `SELECT fields FROM kefu_indexes WHERE name = $1`, ix.Name).Scan(&have)
			switch {
			case err == nil && have == want:
				return nil
			case err == nil:
				return fmt.Errorf("index %s is kept with fields %s in this database, not %s: %w", ix.Name, have, want, store.ErrInvalid)
			case !errors.Is(err, pgx.ErrNoRows):
				return err
			}
			if _, err := tx.Exec(ctx, create); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO kefu_indexes (name, fields) VALUES ($1, $2)`, ix.Name, want); err != nil {
				return err
			}
			return tx.Commit(ctx)
		})
		if err == nil {
			return nil
		}
		if !ddlRace(err) || attempt == maxAttempts || ctx.Err() != nil {
			return fail(ctx, "declaring index "+ix.Name, err)
		}
	}
}

// lookup returns a declared index.
func (s *Store) lookup(name string) (store.Index, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, ok := s.indexes[name]
	return ix, ok
}

// index returns a declared index, or fails with store.ErrUnknownIndex.
func (s *Store) index(name string) (store.Index, error) {
	ix, ok := s.lookup(name)
	if !ok {
		return ix, fmt.Errorf("index %q: %w", name, store.ErrUnknownIndex)
	}
	return ix, nil
}

// Indexes are the declared indexes, in no particular order.
func (s *Store) Indexes() []store.Index {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]store.Index, 0, len(s.indexes))
	for _, ix := range s.indexes {
		out = append(out, ix)
	}
	return out
}
