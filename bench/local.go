package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"kefu/localdb"
	"kefu/shop"
)

// The figures measured on the large desk store, in process, as the desk's sections ask for them.
const (
	figStock    = "stock search per keystroke, 50k SKUs (name, SKU, barcode, pinyin)"
	targetStock = "p99 ≤ 2 ms"
	maxStock    = 2 * time.Millisecond

	figOrder    = "order lookup by number / phone / nick, 100k orders"
	targetOrder = "p99 ≤ 1 ms"
	maxOrder    = time.Millisecond

	figConv    = "open a conversation (latest 50 of 1M messages)"
	targetConv = "p99 ≤ 3 ms"
	maxConv    = 3 * time.Millisecond

	figNote    = "local mutation (add a note), synced to disk before Apply returns"
	targetNote = "p99 ≤ 10 ms"
	maxNote    = 10 * time.Millisecond
)

// Workload sizes: enough operations for a steady p99.
const (
	stockProducts = 30   // products looked for; about 45 keystrokes each
	stockPasses   = 3    // measured passes over the keystrokes (after one to warm up)
	orderLookups  = 300  // orders looked up, each three ways
	orderPasses   = 3    // measured passes (after one to warm up)
	convOpens     = 1000 // conversations opened
	convPasses    = 2    // measured passes (after one to warm up)
	notesWarm     = 20   // notes recorded before measuring
	notesMeasured = 500  // notes measured
)

// deskSample is what the workloads pick from: every product, and samples of the orders and
// conversations of a desk store.
type deskSample struct {
	products []shop.Product
	orders   []shop.Order
	convs    []shop.Conversation
}

// sampleDesk reads the products and picks orders and conversations at random from db.
func sampleDesk(db *localdb.DB, rng *rand.Rand) (deskSample, error) {
	var s deskSample
	var err error
	if s.products, err = db.SearchProducts("", 0); err != nil {
		return s, err
	}
	all, err := db.SearchOrders("", localdb.OrderFilter{}, 0)
	if err != nil {
		return s, err
	}
	for range min(2000, len(all)) {
		s.orders = append(s.orders, all[rng.IntN(len(all))])
	}
	open, err := db.Conversations(localdb.FilterAll, "", "", 0)
	if err != nil {
		return s, err
	}
	closed, err := db.Conversations(localdb.FilterClosed, "", "", 0)
	if err != nil {
		return s, err
	}
	convs := append(open, closed...)
	for range min(convOpens, len(convs)) {
		s.convs = append(s.convs, convs[rng.IntN(len(convs))])
	}
	if len(s.products) == 0 || len(s.orders) == 0 || len(s.convs) == 0 {
		return s, fmt.Errorf("the desk store has %d products, %d orders, %d conversations: %w",
			len(s.products), len(all), len(convs), errEmptyDesk)
	}
	return s, nil
}

// sampleOf samples the large desk store once per run (it is the same data every time).
func (r *runner) sampleOf(db *localdb.DB) (deskSample, error) {
	if r.sample == nil {
		s, err := sampleDesk(db, newRand(1))
		if err != nil {
			return s, err
		}
		r.sample = &s
	}
	return *r.sample, nil
}

// errEmptyDesk: the desk store lacks the shop's data.
var errEmptyDesk = errors.New("the desk store is not the large shop")

// localFigures measures, on a working copy of the large desk store, what the sections ask for
// on every keystroke or click.
func (r *runner) localFigures(ctx context.Context) []Figure {
	names := [][2]string{{figStock, targetStock}, {figOrder, targetOrder}, {figConv, targetConv}, {figNote, targetNote}}
	fail := func(err error) []Figure {
		var out []Figure
		for _, n := range names {
			out = append(out, failed(n[0], n[1], err))
		}
		return out
	}
	db, err := localdb.Open(localdb.Options{Dir: r.path("large/desk")})
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	sample, err := r.sampleOf(db)
	if err != nil {
		return fail(err)
	}
	figs := []Figure{
		stockFigure(db, sample),
		orderFigure(db, sample),
		convFigure(db, sample),
		noteFigure(db, sample, r.staff.Number),
	}
	db.Close()
	return append(figs, searchFigures(r.path("large/desk"), sample)...)
}

// stockFigure types realistic stock searches letter by letter, one SearchProducts per keystroke.
func stockFigure(db *localdb.DB, s deskSample) Figure {
	qs := stockQueries(s.products, stockProducts, newRand(2))
	search := func(i int) error {
		_, err := db.SearchProducts(qs[i%len(qs)], stockListLimit)
		return err
	}
	if _, _, err := timeEach(len(qs), search); err != nil {
		return failed(figStock, targetStock, err)
	}
	lat, allocs, err := timeEach(stockPasses*len(qs), search)
	if err != nil {
		return failed(figStock, targetStock, err)
	}
	found, tried, err := pinyinFound(db, s.products, newRand(2))
	if err != nil {
		return failed(figStock, targetStock, err)
	}
	p99 := lat.Percentile(99)
	return Figure{Name: figStock, Value: "p99 " + fmtMs(p99), Target: targetStock, Pass: p99 <= maxStock && found == tried,
		Note: fmt.Sprintf("%d keystrokes (%d products, %d SKUs); median %s; %.0f allocs/op; the name's pinyin initials found the product %d times of %d",
			len(lat), len(s.products), countSKUs(s.products), fmtMs(lat.Median()), allocs, found, tried)}
}

// pinyinFound checks that a product is found by the pinyin initials of its name, for products
// picked as stockQueries picks them: how many were found, of how many tried.
func pinyinFound(db *localdb.DB, products []shop.Product, rng *rand.Rand) (found, tried int, err error) {
	for range stockProducts {
		p := products[rng.IntN(len(products))]
		_, initials := pinyinOf(p.Name)
		if initials == "" {
			continue
		}
		tried++
		ps, err := db.SearchProducts(initials, 0)
		if err != nil {
			return 0, 0, err
		}
		if slices.ContainsFunc(ps, func(q shop.Product) bool { return q.ID == p.ID }) {
			found++
		}
	}
	return found, tried, nil
}

func countSKUs(ps []shop.Product) int {
	n := 0
	for _, p := range ps {
		n += len(p.Variants)
	}
	return n
}

// orderFigure looks orders up by number, phone and nick, as the Orders section's search does,
// reading the list rows (localdb.SearchOrderRows: from the lookup indexes' keys).
func orderFigure(db *localdb.DB, s deskSample) Figure {
	qs := orderQueries(s.orders, orderLookups, newRand(3))
	lookup := func(i int) error {
		q := qs[i%len(qs)]
		os, err := db.SearchOrderRows(q.q, localdb.OrderFilter{}, orderListLimit)
		if err != nil {
			return err
		}
		if q.by == "number" && (len(os) == 0 || os[0].ID != q.order) {
			return fmt.Errorf("order %s not found by its number", q.order)
		}
		if len(os) == 0 {
			return fmt.Errorf("order %s not found by %s %q", q.order, q.by, q.q)
		}
		return nil
	}
	if _, _, err := timeEach(len(qs), lookup); err != nil {
		return failed(figOrder, targetOrder, err)
	}
	lat, allocs, err := timeEach(orderPasses*len(qs), lookup)
	if err != nil {
		return failed(figOrder, targetOrder, err)
	}
	by := map[string]Samples{}
	for i, d := range lat {
		by[qs[i%len(qs)].by] = append(by[qs[i%len(qs)].by], d)
	}
	p99 := lat.Percentile(99)
	return Figure{Name: figOrder, Value: "p99 " + fmtMs(p99), Target: targetOrder, Pass: p99 <= maxOrder,
		Note: fmt.Sprintf("%d lookups, up to %d list rows each (SearchOrderRows: rows from the lookup keys, no order read); p99 by number %s, phone %s, nick %s; %.0f allocs/op",
			len(lat), orderListLimit, fmtMs(by["number"].Percentile(99)), fmtMs(by["phone"].Percentile(99)),
			fmtMs(by["nick"].Percentile(99)), allocs)}
}

// convFigure opens conversations picked at random: their latest 50 messages.
func convFigure(db *localdb.DB, s deskSample) Figure {
	open := func(i int) error {
		c := s.convs[i%len(s.convs)]
		ms, err := db.Messages(c.ID, "", threadPageLimit)
		if err == nil && len(ms) == 0 && c.Messages > 0 {
			err = fmt.Errorf("conversation %s shows no messages", c.ID)
		}
		return err
	}
	if _, _, err := timeEach(len(s.convs), open); err != nil {
		return failed(figConv, targetConv, err)
	}
	lat, allocs, err := timeEach(convPasses*len(s.convs), open)
	if err != nil {
		return failed(figConv, targetConv, err)
	}
	most := slices.MaxFunc(s.convs, func(a, b shop.Conversation) int { return a.Messages - b.Messages })
	p99 := lat.Percentile(99)
	return Figure{Name: figConv, Value: "p99 " + fmtMs(p99), Target: targetConv, Pass: p99 <= maxConv,
		Note: fmt.Sprintf("%d opens of %d conversations picked at random (up to %d messages each); median %s; %.0f allocs/op",
			len(lat), len(s.convs), most.Messages, fmtMs(lat.Median()), allocs)}
}

// noteFigure records order notes the way the Orders section does: one Apply each, synced to
// disk with the outbox entry.
func noteFigure(db *localdb.DB, s deskSample, staff string) Figure {
	rng := newRand(4)
	add := func(int) error {
		o := s.orders[rng.IntN(len(s.orders))]
		m, err := noteMutation(db, o.ID, staff, rng)
		if err != nil {
			return err
		}
		out, err := db.Apply(m)
		if err == nil && out.Conflict != nil {
			err = fmt.Errorf("note on %s: conflict: %s", o.ID, out.Conflict.Reason)
		}
		return err
	}
	if _, _, err := timeEach(notesWarm, add); err != nil {
		return failed(figNote, targetNote, err)
	}
	lat, allocs, err := timeEach(notesMeasured, add)
	if err != nil {
		return failed(figNote, targetNote, err)
	}
	p99 := lat.Percentile(99)
	return Figure{Name: figNote, Value: "p99 " + fmtMs(p99), Target: targetNote, Pass: p99 <= maxNote,
		Note: fmt.Sprintf("%d notes on random orders (localdb.Apply: rules, indexes, outbox, fsync); median %s; %.0f allocs/op",
			len(lat), fmtMs(lat.Median()), allocs)}
}

var noteTexts = []string{"已电话确认地址，可以发货", "顾客要求改发顺丰，补运费10元", "赠品：袜子一双", "缺货，已联系顾客换色", "催付一次"}

// noteMutation is an order note as the Orders section makes it: on the order's current version.
func noteMutation(db *localdb.DB, orderID, staff string, rng *rand.Rand) (shop.Mutation, error) {
	ver, _, err := db.Get(shop.TypeOrder, orderID, nil)
	if err != nil {
		return shop.Mutation{}, err
	}
	m, err := shop.NewMutation(shop.KindOrderNote, orderID, staff, time.Now(), shop.OrderNoteAdd{NoteID: shop.NewID(),
		Flag: shop.Flags[rng.IntN(len(shop.Flags))], Text: noteTexts[rng.IntN(len(noteTexts))], Reason: "核对"})
	m.Base = ver
	return m, err
}
