package pgstore

import (
	"testing"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// UpdatePreloaded answers Result and Record from what it read ahead, as Update would from the
// database: found or not, the latest committed (through another Store too), and its own
// writes after; on a shop's first Update too, when there is no counter row to lock yet.
func TestUpdatePreloaded(t *testing.T) {
	dsn := pg.Need(t).Schema(t)
	a, b := open(t, dsn, Options{}), open(t, dsn, Options{})
	ctx := t.Context()
	note := store.RecordKey{Type: shop.TypeNote, ID: "n1"}
	other := store.RecordKey{Type: shop.TypeNote, ID: "n2"}
	check := func(tx store.Tx, wantRes, wantRec bool) {
		t.Helper()
		if _, found, err := tx.Result("m1"); err != nil || found != wantRes {
			t.Fatalf("Result m1: found %v, %v; want %v", found, err, wantRes)
		}
		if rec, found, err := tx.Record(note.Type, note.ID); err != nil || found != wantRec || (found && string(rec.Data) != `{"v":1}`) {
			t.Fatalf("Record n1: %+v found %v, %v; want %v", rec, found, err, wantRec)
		}
		if _, found, err := tx.Record(other.Type, other.ID); err != nil || found {
			t.Fatalf("Record n2: found %v, %v", found, err)
		}
	}
	// The shop's first Update: nothing to find.
	err := a.UpdatePreloaded(ctx, "s", []string{"m1"}, []store.RecordKey{note, other}, func(tx store.Tx) error {
		check(tx, false, false)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Written through b, read ahead through a.
	err = b.Update(ctx, "s", func(tx store.Tx) error {
		if _, err := tx.Put(shop.Record{Type: note.Type, ID: note.ID, Data: []byte(`{"v":1}`)}); err != nil {
			return err
		}
		return tx.PutResult(storeapi.Result{ID: "m1", Status: storeapi.StatusApplied, Seq: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = a.UpdatePreloaded(ctx, "s", []string{"m1"}, []store.RecordKey{note, other}, func(tx store.Tx) error {
		check(tx, true, true)
		if _, err := tx.Put(shop.Record{Type: other.Type, ID: other.ID, Data: []byte(`{}`)}); err != nil {
			return err
		}
		if rec, found, err := tx.Record(other.Type, other.ID); err != nil || !found || rec.Seq != 2 {
			t.Fatalf("own write: %+v found %v, %v", rec, found, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = b.View(ctx, "s", func(tx store.ReadTx) error {
		rec, found, err := tx.Record(other.Type, other.ID)
		if err != nil || !found || rec.Seq != 2 {
			t.Fatalf("n2 after commit: %+v found %v, %v", rec, found, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
