package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sort"
	"strings"

	"kefu/server/badgerstore"
	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// key names an entity.
type key struct {
	T  shop.EntityType
	ID string
}

func (k key) String() string { return string(k.T) + " " + k.ID }

// serverState is the shop as the server stored it, read from its data directory while no
// server runs.
type serverState struct {
	list     []shop.Record // the compacted feed, oldest first
	recs     map[key]shop.Record
	seq      int64
	feedDups []key // entities the feed holds more than once
	disorder int   // feed entries whose seq is not above the one before

	results     map[string]storeapi.Result // results of the ids asked for
	resultCount int                        // results the shop holds, all ids
}

// readServer opens the server's store in dir (no server may run) and reads, through the
// store.Store interface, the shop's feed, the results of the mutation ids given, and the
// number of results it holds.
func readServer(dir string, ids []string) (*serverState, error) {
	st, err := badgerstore.Open(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, err
	}
	s, err := readStore(context.Background(), st, ids)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return s, err
}

// readStore reads the soak shop's state from a store.
func readStore(ctx context.Context, st store.Store, ids []string) (*serverState, error) {
	s := &serverState{recs: map[key]shop.Record{}, results: map[string]storeapi.Result{}}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	err := st.View(ctx, soakShop, func(tx store.ReadTx) error {
		var err error
		if s.seq, err = tx.Seq(); err != nil {
			return err
		}
		last := int64(0)
		err = tx.Feed(0, func(rec shop.Record) bool {
			k := key{rec.Type, rec.ID}
			if _, dup := s.recs[k]; dup {
				s.feedDups = append(s.feedDups, k)
			}
			if rec.Seq <= last {
				s.disorder++
			}
			last = rec.Seq
			s.recs[k] = rec
			s.list = append(s.list, rec)
			return true
		})
		if err != nil {
			return err
		}
		return tx.Results(func(res storeapi.Result) bool {
			s.resultCount++
			if want[res.ID] {
				s.results[res.ID] = res
			}
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// decodeAs decodes a record's data into a new T.
func decodeAs[T any](rec shop.Record) (T, error) {
	var v T
	err := json.Unmarshal(rec.Data, &v)
	return v, err
}

// check reads the stopped server's store and compares it with what the desks did and hold:
// lost, duplicated and diverged.
func (r *runner) check(rep *Report) error {
	muts := r.rec.applied()
	ids := make([]string, len(muts))
	for i, m := range muts {
		ids[i] = m.M.ID
	}
	srv, err := r.store.read(ids)
	if err != nil {
		return fmt.Errorf("soak: reading the server's store: %w", err)
	}
	rep.Checked = true
	rep.ServerResults, rep.FeedRecords = srv.resultCount, len(srv.list)
	r.checkLost(rep, srv, muts)
	r.checkDuplicated(rep, srv, muts)
	r.bridge.check(rep, srv)
	for _, d := range r.desks {
		if err := r.checkDesk(rep, srv, d); err != nil {
			return err
		}
	}
	return nil
}

// checkLost counts the mutations applied on a desk that the server has no result for, the
// entities an applied mutation created that the server does not have, and the customer
// messages the server confirmed but does not have. It also tallies the server's results.
func (r *runner) checkLost(rep *Report, srv *serverState, muts []recorded) {
	for _, m := range muts {
		res, found := srv.results[m.M.ID]
		if !found {
			rep.Lost++
			rep.finding("lost: %s %s on %s (desk %d) has no result on the server", m.M.Kind, m.M.ID, m.M.Entity, m.Desk+1)
			continue
		}
		c := rep.Kinds[m.M.Kind]
		switch res.Status {
		case storeapi.StatusApplied:
			c.ServerApplied++
			rep.ServerApplied++
			for _, k := range created(m.M) {
				if rec, ok := srv.recs[k]; !ok || rec.Deleted {
					rep.Lost++
					rep.finding("lost: %s %s was applied, but the server has no %s", m.M.Kind, m.M.ID, k)
				}
			}
		case storeapi.StatusConflict:
			c.ServerConflicts++
			rep.ServerConflicts++
		case storeapi.StatusRejected:
			c.ServerRejected++
			rep.ServerRejected++
			if !strings.Contains(res.Reason, "exists already") && !strings.Contains(res.Reason, "does not exist") {
				r.logf("soak: server rejected %s %s: %s", m.M.Kind, m.M.ID, res.Reason)
			}
		default:
			rep.finding("odd: result of %s %s has status %q", m.M.Kind, m.M.ID, res.Status)
		}
		rep.Kinds[m.M.Kind] = c
	}
	r.cust.mu.Lock()
	defer r.cust.mu.Unlock()
	for id, conv := range r.cust.confirmed {
		rec, ok := srv.recs[key{shop.TypeMessage, id}]
		if !ok {
			rep.Lost++
			rep.finding("lost: customer message %s (conversation %s) was confirmed but is not stored", id, conv)
			continue
		}
		if m, err := decodeAs[shop.Message](rec); err != nil || m.ConversationID != conv || m.From != shop.FromCustomer {
			rep.Lost++
			rep.finding("lost: customer message %s is stored wrongly: %s", id, rec.Data)
		}
	}
}

// created lists the entities an applied mutation must have created (ones that can never be
// deleted afterwards): what its kind's spec in shop's registry says it creates.
func created(m shop.Mutation) []key {
	var keys []key
	for _, r := range shop.Created(m) {
		keys = append(keys, key{r.Type, r.ID})
	}
	return keys
}

// checkDuplicated looks for effects applied more than once. Ids make most duplicates
// impossible to store (a message, note or case is keyed by its id), so the checks are on what
// is not keyed: the feed holding an entity twice; counters kept beside appended records
// (a conversation's message count, an order's note count, a review's contact count, a case's
// or complaint's steps) against the records and the server's own results; and quantities
// replayed from the server's results in its order (stock of every SKU, uses of every quick
// phrase). It also compares the number of results the server holds with the mutations sent.
func (r *runner) checkDuplicated(rep *Report, srv *serverState, muts []recorded) {
	dup := func(format string, args ...any) {
		rep.Duplicated++
		rep.finding("duplicated: "+format, args...)
	}
	for _, k := range srv.feedDups {
		dup("the feed holds %s more than once", k)
	}
	if srv.disorder > 0 {
		dup("the feed's sequence numbers go backwards %d times", srv.disorder)
	}
	if srv.resultCount > len(muts) {
		dup("the server holds %d results, but the desks sent %d distinct mutations", srv.resultCount, len(muts))
	}

	// Counters beside appended records, as offsets from the shop's first state.
	msgs, notes := map[string]int{}, map[string]int{}
	for _, rec := range srv.list {
		if rec.Deleted {
			continue
		}
		switch rec.Type {
		case shop.TypeMessage:
			if m, err := decodeAs[shop.Message](rec); err == nil {
				msgs[m.ConversationID]++
			}
		case shop.TypeNote:
			if n, err := decodeAs[shop.OrderNote](rec); err == nil {
				notes[n.OrderID]++
			}
		}
	}
	baseMsgs, baseNotes := map[string]int{}, map[string]int{}
	baseOffset := map[key]int{}
	for _, rec := range r.base.list {
		switch rec.Type {
		case shop.TypeMessage:
			if m, err := decodeAs[shop.Message](rec); err == nil {
				baseMsgs[m.ConversationID]++
			}
		case shop.TypeNote:
			if n, err := decodeAs[shop.OrderNote](rec); err == nil {
				baseNotes[n.OrderID]++
			}
		}
	}
	for _, rec := range r.base.list {
		switch rec.Type {
		case shop.TypeConversation:
			if c, err := decodeAs[shop.Conversation](rec); err == nil {
				baseOffset[key{rec.Type, rec.ID}] = c.Messages - baseMsgs[c.ID]
			}
		case shop.TypeOrder:
			if o, err := decodeAs[shop.Order](rec); err == nil {
				baseOffset[key{rec.Type, rec.ID}] = o.NoteCount - baseNotes[o.ID]
			}
		}
	}

	// What the server applied, in its order.
	type appliedMut struct {
		m   shop.Mutation
		seq int64
	}
	var applied []appliedMut
	for _, m := range muts {
		if res, ok := srv.results[m.M.ID]; ok && res.Status == storeapi.StatusApplied {
			applied = append(applied, appliedMut{m.M, res.Seq})
		}
	}
	sort.Slice(applied, func(i, j int) bool { return applied[i].seq < applied[j].seq })
	contacts, moves := map[string]int{}, map[key]int{}
	for _, a := range applied {
		switch a.m.Kind {
		case shop.KindReviewContact:
			contacts[a.m.Entity]++
		case shop.KindCaseMove, shop.KindCaseOpen:
			moves[key{shop.TypeCase, a.m.Entity}]++
		case shop.KindComplaintMove, shop.KindComplaintOpen:
			moves[key{shop.TypeComplaint, a.m.Entity}]++
		}
	}

	for _, rec := range srv.list {
		if rec.Deleted {
			continue
		}
		k := key{rec.Type, rec.ID}
		switch rec.Type {
		case shop.TypeConversation:
			c, err := decodeAs[shop.Conversation](rec)
			if err != nil {
				dup("%s does not decode: %v", k, err)
				continue
			}
			if got := c.Messages - msgs[c.ID]; got != baseOffset[k] {
				dup("%s counts %d messages, but %d message records are stored for it (offset %d, was %d)",
					k, c.Messages, msgs[c.ID], got, baseOffset[k])
			}
		case shop.TypeOrder:
			o, err := decodeAs[shop.Order](rec)
			if err != nil {
				dup("%s does not decode: %v", k, err)
				continue
			}
			if got := o.NoteCount - notes[o.ID]; got != baseOffset[k] {
				dup("%s counts %d notes, but %d note records are stored for it (offset %d, was %d)",
					k, o.NoteCount, notes[o.ID], got, baseOffset[k])
			}
		case shop.TypeReview:
			rv, err := decodeAs[shop.Review](rec)
			if err != nil {
				dup("%s does not decode: %v", k, err)
				continue
			}
			was := 0
			if b, ok := r.base.recs[k]; ok {
				if brv, err := decodeAs[shop.Review](b); err == nil {
					was = brv.Contacts
				}
			}
			if rv.Contacts != was+contacts[rv.ID] {
				dup("%s counts %d contacts; it had %d and the server applied %d review.contact", k, rv.Contacts, was, contacts[rv.ID])
			}
		case shop.TypeCase, shop.TypeComplaint:
			var v struct {
				Steps []shop.Step `json:"steps"`
			}
			if err := json.Unmarshal(rec.Data, &v); err != nil {
				dup("%s does not decode: %v", k, err)
				continue
			}
			was := 0
			if b, ok := r.base.recs[k]; ok {
				var bv struct {
					Steps []shop.Step `json:"steps"`
				}
				if json.Unmarshal(b.Data, &bv) == nil {
					was = len(bv.Steps)
				}
			}
			if len(v.Steps) != was+moves[k] {
				dup("%s has %d steps; it had %d and the server applied %d moves", k, len(v.Steps), was, moves[k])
			}
		}
	}

	inOrder := make([]shop.Mutation, len(applied))
	for i, a := range applied {
		inOrder[i] = a.m
	}
	r.replayStock(srv, inOrder, dup)
	r.checkConcessionTotals(srv, dup)
	r.replayPhrases(srv, inOrder, dup)
}

// replayStock replays the stock adjustments and compare-and-sets the server applied, in its
// order, on the shop's first stock, and compares the result with the stock the server holds.
// An adjustment applied twice, or a set applied on another stock than it expected, shows.
func (r *runner) replayStock(srv *serverState, applied []shop.Mutation, dup func(string, ...any)) {
	type sku struct{ product, sku string }
	stock := map[sku]int{}
	for _, rec := range r.base.list {
		if rec.Type != shop.TypeProduct || rec.Deleted {
			continue
		}
		p, err := decodeAs[shop.Product](rec)
		if err != nil {
			continue
		}
		for _, v := range p.Variants {
			stock[sku{p.ID, v.SKU}] = v.Warehouse
		}
	}
	for _, m := range applied {
		switch m.Kind {
		case shop.KindStockAdjust:
			var p shop.StockAdjust
			if json.Unmarshal(m.Data, &p) == nil {
				stock[sku{m.Entity, p.SKU}] += p.Delta
			}
		case shop.KindStockSet:
			var p shop.StockSet
			if json.Unmarshal(m.Data, &p) == nil {
				k := sku{m.Entity, p.SKU}
				if stock[k] != p.Expected {
					dup("stock.set %s on %s %s expected %d, but the server's applied changes before it add up to %d",
						m.ID, m.Entity, p.SKU, p.Expected, stock[k])
				}
				stock[k] = p.Warehouse
			}
		}
	}
	for _, rec := range srv.list {
		if rec.Type != shop.TypeProduct || rec.Deleted {
			continue
		}
		p, err := decodeAs[shop.Product](rec)
		if err != nil {
			continue
		}
		for _, v := range p.Variants {
			if want := stock[sku{p.ID, v.SKU}]; v.Warehouse != want {
				dup("SKU %s of product %s has %d in the warehouse; the applied changes add up to %d", v.SKU, p.ID, v.Warehouse, want)
			}
		}
	}
}

// replayPhrases replays the quick-phrase mutations the server applied, in its order, and
// compares every phrase's use count (and whether it exists) with the server's.
func (r *runner) replayPhrases(srv *serverState, applied []shop.Mutation, dup func(string, ...any)) {
	type phrase struct {
		exists bool
		uses   int
	}
	ps := map[string]*phrase{}
	for _, rec := range r.base.list {
		if rec.Type == shop.TypePhrase && !rec.Deleted {
			if p, err := decodeAs[shop.QuickPhrase](rec); err == nil {
				ps[rec.ID] = &phrase{true, p.Uses}
			}
		}
	}
	for _, m := range applied {
		p := ps[m.Entity]
		if p == nil {
			p = &phrase{}
			ps[m.Entity] = p
		}
		switch m.Kind {
		case shop.KindPhrasePut:
			if !p.exists {
				p.uses = 0
			}
			p.exists = true
		case shop.KindPhraseDelete:
			p.exists, p.uses = false, 0
		case shop.KindPhraseUse:
			p.uses++
		}
	}
	for id, p := range ps {
		rec, ok := srv.recs[key{shop.TypePhrase, id}]
		exists := ok && !rec.Deleted
		if exists != p.exists {
			dup("phrase %s exists on the server: %v; replaying the applied mutations: %v", id, exists, p.exists)
			continue
		}
		if !exists {
			continue
		}
		q, err := decodeAs[shop.QuickPhrase](rec)
		if err == nil && q.Uses != p.uses {
			dup("phrase %s was used %d times by the server's count; the applied phrase.use add up to %d", id, q.Uses, p.uses)
		}
	}
}

// checkDesk compares a desk's data with the server's feed: the same entities, at the same
// versions, with the same JSON, the feed cursor at the feed's end, an empty outbox; and what
// its lists and searches show with its records (checkViews). A desk counts once however many
// differences it has; the first few are findings.
func (r *runner) checkDesk(rep *Report, srv *serverState, d *desk) error {
	var diffs []string
	diff := func(format string, args ...any) {
		diffs = append(diffs, fmt.Sprintf(format, args...))
	}
	if n := d.store().OutboxLen(); n > 0 {
		diff("%d mutations are still in the outbox", n)
	}
	// The engine is stopped: reading the cursor cannot disturb a pull (Cursor clears the
	// marker of a ResetCache that a pull in flight relies on).
	if c, err := d.store().Cursor(); err != nil {
		return fmt.Errorf("soak: desk %d: %w", d.i+1, err)
	} else if c != srv.seq {
		diff("its feed cursor is %d; the server's feed ends at %d", c, srv.seq)
	}
	seen := map[key]bool{}
	err := d.store().EachRecord(func(rec shop.Record) error {
		k := key{rec.Type, rec.ID}
		seen[k] = true
		s, ok := srv.recs[k]
		switch {
		case !ok:
			diff("%s is on the desk (version %d) but not on the server", k, rec.Seq)
		case s.Deleted:
			diff("%s is deleted on the server (seq %d) but on the desk (version %d)", k, s.Seq, rec.Seq)
		case s.Seq != rec.Seq:
			diff("%s is at version %d on the desk, %d on the server", k, rec.Seq, s.Seq)
		case !sameJSON(s.Data, rec.Data):
			diff("%s differs at version %d:\n      desk   %s\n      server %s", k, rec.Seq, clip(rec.Data), clip(s.Data))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("soak: reading desk %d: %w", d.i+1, err)
	}
	for _, s := range srv.list {
		if k := (key{s.Type, s.ID}); !s.Deleted && !seen[k] {
			diff("%s (seq %d) is on the server but not on the desk", k, s.Seq)
		}
	}
	views, err := checkViews(d.store())
	if err != nil {
		return fmt.Errorf("soak: checking desk %d's lists: %w", d.i+1, err)
	}
	for _, v := range views {
		diff("what it shows: %s", v)
	}
	if len(diffs) == 0 {
		return nil
	}
	rep.Diverged++
	rep.finding("diverged: desk %d (staff %s) differs from the server in %d ways:", d.i+1, d.staff, len(diffs))
	for _, s := range diffs[:min(len(diffs), 5)] {
		rep.finding("    %s", s)
	}
	return nil
}

// sameJSON compares two JSON documents as values.
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

func clip(b []byte) string {
	s := string(b)
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}
