package pgstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// Load writes a whole shop moved from another store (kefu-store migrate) in one transaction:
// fn hands its parts to the Loader, and records keep the seq numbers they had, so that desks
// keep their cursors and do not download the shop again. A shop that holds anything here
// already fails with ErrShopExists, and nothing is written. The indexes the entries name must
// be declared. Rows are sent with COPY, a thousand at a time.
func (s *Store) Load(ctx context.Context, shopID string, fn func(*Loader) error) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fail(ctx, "beginning a load", err)
	}
	defer rollback(tx)
	seq, err := lockShop(ctx, tx, shopID)
	if err != nil {
		return err
	}
	var holds bool
	err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM kefu_accounts WHERE shop = $1) OR EXISTS (SELECT 1 FROM kefu_records WHERE shop = $1)`, shopID).Scan(&holds)
	if err != nil {
		return fail(ctx, "checking the shop", err)
	}
	if holds || seq > 0 {
		return fmt.Errorf("shop %s: %w", shopID, ErrShopExists)
	}
	l := &Loader{st: s, ctx: ctx, tx: tx, shop: shopID, rows: map[string]*copyRows{}}
	if err := fn(l); err != nil {
		return err
	}
	for _, c := range l.rows {
		if err := l.flush(c); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE kefu_shops SET seq = $2 WHERE shop = $1`, shopID, l.seq); err != nil {
		return fail(ctx, "setting the shop's counter", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(ctx, "committing the load", err)
	}
	return nil
}

// Loader takes the parts of one shop inside Load.
type Loader struct {
	st   *Store
	ctx  context.Context
	tx   pgx.Tx
	shop string
	seq  int64
	rows map[string]*copyRows // by table
}

// copyRows are rows of one table waiting to be sent.
type copyRows struct {
	table string
	cols  []string
	rows  [][]any
}

// loadBatch is how many rows of a table are sent with one COPY.
const loadBatch = 1000

// add queues a row of table (its columns after shop) and sends the table's rows once there
// are loadBatch of them.
func (l *Loader) add(table string, cols []string, vals ...any) error {
	if err := l.ctx.Err(); err != nil {
		return err
	}
	c := l.rows[table]
	if c == nil {
		c = &copyRows{table: table, cols: append([]string{"shop"}, cols...)}
		l.rows[table] = c
	}
	c.rows = append(c.rows, append([]any{l.shop}, vals...))
	if len(c.rows) >= loadBatch {
		return l.flush(c)
	}
	return nil
}

func (l *Loader) flush(c *copyRows) error {
	if len(c.rows) == 0 {
		return nil
	}
	if _, err := l.tx.CopyFrom(l.ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
		return fail(l.ctx, "loading "+c.table, err)
	}
	c.rows = c.rows[:0]
	return nil
}

func (l *Loader) addJSON(table, keyCol, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return l.add(table, []string{keyCol, "data"}, key, b)
}

// Account is the shop's account.
func (l *Loader) Account(a store.ShopAccount) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return l.add("kefu_accounts", []string{"data"}, b)
}

// Record is one record at its seq (rec.Seq, at least 1). Each entity once; seqs unique.
// rec.Commit (as the other store's Feed gives it; 0 if unknown) is kept, so that the feed's
// pages still end between the commits the records came from.
func (l *Loader) Record(rec shop.Record) error {
	if !rec.Type.Known() || rec.ID == "" || rec.Seq < 1 {
		return fmt.Errorf("loading %s %q at seq %d: %w", rec.Type, rec.ID, rec.Seq, store.ErrInvalid)
	}
	var data []byte
	if !rec.Deleted {
		data = rec.Data
	}
	l.seq = max(l.seq, rec.Seq)
	return l.add("kefu_records", []string{"type", "id", "seq", "deleted", "data", "commit_seq"}, string(rec.Type), rec.ID, rec.Seq, rec.Deleted, data, max(rec.Commit, 0))
}

// Seq raises the shop's counter to seq: the newest seq it had, which may be above its
// records' (the records of those seqs were written again later).
func (l *Loader) Seq(seq int64) { l.seq = max(l.seq, seq) }

// Credential is a staff member's password hash.
func (l *Loader) Credential(c store.Credential) error {
	return l.addJSON("kefu_credentials", "staff", c.Staff, c)
}

// Result is the recorded outcome of a mutation.
func (l *Loader) Result(r storeapi.Result) error {
	return l.addJSON("kefu_results", "id", r.ID, r)
}

// ChatToken is a customer chat token by its hash.
func (l *Loader) ChatToken(hash string, t store.ChatToken) error {
	return l.addJSON("kefu_chat_tokens", "hash", hash, t)
}

// Entry is an entry of a declared index.
func (l *Loader) Entry(index string, e store.Entry) error {
	ix, err := l.st.index(index)
	if err != nil {
		return err
	}
	if err := ix.CheckEntry(e); err != nil {
		return err
	}
	return l.add(indexTable(ix.Name), append(fieldColumns(ix), "id"), append(append([]any{}, e.Key...), e.ID)...)
}
