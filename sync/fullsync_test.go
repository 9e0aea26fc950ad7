package sync

import (
	"sync/atomic"
	"testing"
	"time"

	"kefu/localdb"
	"kefu/shop"
)

// countingStore counts the pages applied one by one; the bulk import is *localdb.DB's own.
type countingStore struct {
	*localdb.DB
	applied atomic.Int32
}

func (s *countingStore) ApplyChanges(recs []shop.Record, next int64) error {
	s.applied.Add(1)
	return s.DB.ApplyChanges(recs, next)
}

// A first full sync far enough behind the feed's end applies the first page as it comes and
// loads the rest in bulk; the desk ends with exactly what a desk pulling page by page has, and
// goes on syncing as usual (a note made afterwards reaches the server and comes back).
func TestFirstFullSyncInBulk(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	total := ts.seq(t)
	var bulk, paged *countingStore
	bd := newDesk(t, ts, "bulk", "1001", func(p *Params) {
		bulk = &countingStore{DB: p.Store.(*localdb.DB)}
		p.Store, p.PullLimit, p.bulkMin = bulk, int(max(total/6, 1)), 1
	})
	pd := newDesk(t, ts, "paged", "1002", func(p *Params) {
		paged = &countingStore{DB: p.Store.(*localdb.DB)}
		p.Store, p.PullLimit, p.bulkMin = paged, int(max(total/6, 1)), -1
	})
	bd.waitSynced(ts)
	pd.waitSynced(ts)
	if n := bulk.applied.Load(); n != 1 {
		t.Errorf("the bulk desk applied %d pages one by one, want only the first", n)
	}
	if n := paged.applied.Load(); n < 5 {
		t.Errorf("the paged desk applied %d pages, want one per page", n)
	}
	records := func(db *localdb.DB) map[string]string {
		m := map[string]string{}
		if err := db.EachRecord(func(r shop.Record) error {
			m[string(r.Type)+"/"+r.ID] = string(r.Data)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	got, want := records(bd.db), records(pd.db)
	if len(got) != len(want) || len(got) == 0 {
		t.Errorf("%d records in bulk, %d page by page", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q in bulk, %q page by page", k, got[k], v)
			break
		}
	}
	f := findFixture(t, bd.db)
	order := f.orders[0].ID
	_, id := bd.note(order, shop.FlagBlue, "批量同步后的备注")
	bd.waitSynced(ts)
	pd.waitSynced(ts)
	if !hasNote(t, pd.db, order, id) {
		t.Error("a note made after the bulk sync did not reach the other desk")
	}
}

func hasNote(t *testing.T, db *localdb.DB, order, id string) bool {
	t.Helper()
	notes, err := db.Notes(order)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		if n.ID == id {
			return true
		}
	}
	return false
}

// The time left of a large pull follows its pace so far.
func TestTimeLeft(t *testing.T) {
	c := newFakeClock()
	e := &Engine{clock: c}
	if d := e.timeLeft(1000, 11000); d != 0 {
		t.Errorf("time left at the first page %v, want unknown", d)
	}
	c.mu.Lock()
	c.now = c.now.Add(10 * time.Second)
	c.mu.Unlock()
	if d := e.timeLeft(3000, 11000); d != 40*time.Second {
		t.Errorf("2000 of 10000 in 10 s: %v left, want 40 s", d)
	}
	if d := e.timeLeft(11000, 11000); d != 0 {
		t.Errorf("time left at the end %v", d)
	}
}
