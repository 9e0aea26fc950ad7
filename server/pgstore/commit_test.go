package pgstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"kefu/server/store"
	"kefu/shop"
)

// feedCommitsOf reads a shop's feed as "id@seq/commit".
func feedCommitsOf(t *testing.T, st *Store, shopID string) []string {
	t.Helper()
	var got []string
	err := st.View(t.Context(), shopID, func(tx store.ReadTx) error {
		return tx.Feed(0, func(rec shop.Record) bool {
			got = append(got, fmt.Sprintf("%s@%d/%d", rec.ID, rec.Seq, rec.Commit))
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A database of schema version 2 (records without their commit) moves to version 3: its
// records read as commits of their own, and those written after carry their commit's first
// seq.
func TestSchema2RecordsReadAsOwnCommits(t *testing.T) {
	dsn := pg.Need(t).Schema(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, `CREATE TABLE kefu_schema (id int PRIMARY KEY, version int NOT NULL); INSERT INTO kefu_schema VALUES (1, 2)`)
	for v := 1; v <= 2 && err == nil; v++ {
		_, err = conn.Exec(ctx, migrations[v])
	}
	if err == nil { // one commit of three records, as version 2 wrote it
		_, err = conn.Exec(ctx, `INSERT INTO kefu_shops VALUES ('s', 3);
			INSERT INTO kefu_records (shop, type, id, seq, deleted, data) VALUES
			('s', 'note', 'n1', 1, false, '{}'), ('s', 'note', 'n2', 2, false, '{}'), ('s', 'note', 'n3', 3, false, '{}')`)
	}
	if err != nil {
		t.Fatal(err)
	}
	st := open(t, dsn, Options{})
	err = st.Update(ctx, "s", func(tx store.Tx) error {
		for _, id := range []string{"n2", "m1"} {
			if _, err := tx.Put(shop.Record{Type: shop.TypeNote, ID: id, Data: []byte(`{}`)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(feedCommitsOf(t, st, "s")), "[n1@1/1 n3@3/3 n2@4/4 m1@5/4]"; got != want {
		t.Errorf("feed (id@seq/commit) %s, want %s", got, want)
	}
	var v int
	if err := conn.QueryRow(ctx, `SELECT version FROM kefu_schema`).Scan(&v); err != nil || v != SchemaVersion || SchemaVersion != 3 {
		t.Errorf("schema version %d (%v), this package's %d, want 3", v, err, SchemaVersion)
	}
}

// Load (kefu-store migrate) keeps the commits the records came from.
func TestLoadKeepsCommits(t *testing.T) {
	st := open(t, "", Options{})
	err := st.Load(t.Context(), "s", func(l *Loader) error {
		for _, rec := range []shop.Record{
			{Type: shop.TypeNote, ID: "a", Seq: 2, Commit: 1},
			{Type: shop.TypeNote, ID: "b", Seq: 3, Commit: 1},
			{Type: shop.TypeNote, ID: "c", Seq: 4},
		} {
			rec.Data = []byte(`{}`)
			if err := l.Record(rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(feedCommitsOf(t, st, "s")), "[a@2/1 b@3/1 c@4/4]"; got != want {
		t.Errorf("feed (id@seq/commit) %s, want %s", got, want)
	}
}
