package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"kefu/imports"
	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// The core of importing a platform's export file (package kefu/imports reads it): its records
// are written as records of their own source, in chunks of one transaction each, so that
// desks keep receiving live changes while a big file imports.
//
// Each record is keyed by the platform's identity: an order by its order number, a product
// variant by its SKU code (or barcode), a customer by the nick (Taobao) or email (Shopify), a
// review by order, nick and SKU. An import writes only the fields the platform owns and keeps
// the rest of the stored record: the flag, notes, address checks, COD calls, reminders,
// cases, review follow-up, warehouse stock (the ERP's), staff-edited customer fields. A record
// whose merged state is byte for byte the stored one is not written, so importing the same
// file again adds nothing to the feed.

// importChunk bounds the records of one import transaction: small enough that a desk's
// mutation waits little for the shop's write lock.
const importChunkRecords = 500

// ImportMemoryLimit is the soft limit of the Go heap while imports run (0 leaves it alone):
// Badger's caches and memtables are most of the live heap, and without a limit the garbage
// collector lets the heap grow to twice that while a big file streams in. The limit is only
// ever lowered (a lower GOMEMLIMIT stays) and is put back when the last import ends.
var ImportMemoryLimit int64 = 160 << 20

var (
	memMu     sync.Mutex
	memUsers  int
	memBefore int64
)

// holdMemory lowers the heap's soft limit for an import; the function it returns puts it back.
func holdMemory() func() {
	if ImportMemoryLimit <= 0 {
		return func() {}
	}
	memMu.Lock()
	defer memMu.Unlock()
	if memUsers == 0 {
		memBefore = debug.SetMemoryLimit(-1)
		if ImportMemoryLimit < memBefore {
			debug.SetMemoryLimit(ImportMemoryLimit)
		}
	}
	memUsers++
	return func() {
		memMu.Lock()
		defer memMu.Unlock()
		if memUsers--; memUsers == 0 {
			debug.SetMemoryLimit(memBefore)
		}
	}
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// CanImport says whether staff member staff of shopID may import: owners and managers may,
// agents get an ErrForbidden refusal.
func (s *Server) CanImport(ctx context.Context, shopID, staff string) error {
	var st shop.Staff
	var found bool
	err := s.store.View(ctx, shopID, func(tx store.ReadTx) error {
		var err error
		_, found, err = txReader{tx}.Get(shop.TypeStaff, staff, &st)
		return err
	})
	if err != nil {
		return err
	}
	if !found {
		return refuse(ErrUnauthorized, "staff %s is not in shop %s", staff, shopID)
	}
	if st.Role != shop.RoleOwner && st.Role != shop.RoleManager {
		return refuse(ErrForbidden, "only the shop's owner or a manager may import; staff %s is %s", staff, st.Role)
	}
	return nil
}

// Import applies the records of f to shop shopID for staff member staff (an owner or a
// manager), or with dryRun only counts what they would do, writing nothing. Valid records are
// applied in chunks, each in one transaction; a refused row writes nothing. The answer counts
// new, changed, unchanged and refused records and lists the refusals. A file that becomes
// unreadable part-way answers what was done with Error set; the error returned is a storage
// error or the context's. A dry run rolls each chunk back, so a record that builds on one in
// an earlier chunk of the same dry run (a Taobao item row whose order only an earlier item
// row made) counts as new where the real import counts it as changed; refusals are the same.
func (s *Server) Import(ctx context.Context, shopID, staff string, f *imports.File, dryRun bool) (storeapi.ImportResponse, error) {
	if err := s.enter(); err != nil {
		return storeapi.ImportResponse{}, err
	}
	defer s.inflight.Done()
	if err := s.CanImport(ctx, shopID, staff); err != nil {
		return storeapi.ImportResponse{}, err
	}
	defer holdMemory()()
	im := &importer{s: s, shop: shopID, staff: staff, file: f, dry: dryRun, now: s.now()}
	im.resp = storeapi.ImportResponse{File: f.Name, Format: f.Format.Name, Label: f.Format.Label, Encoding: f.Encoding,
		DryRun: dryRun, Header: f.Header, Refusals: []storeapi.ImportRefusal{}}
	var batch []imports.Record
	var newest int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		seq, err := im.chunk(ctx, batch)
		batch = batch[:0]
		if err != nil {
			return err
		}
		if seq > 0 {
			newest = seq
			// Durable and announced chunk by chunk: desks see the import as it goes.
			if err := s.commit(ctx, shopID, seq); err != nil {
				return err
			}
		}
		return nil
	}
	var storeErr error
	readErr := f.Each(func(r imports.Record) error {
		batch = append(batch, r)
		if len(batch) >= importChunkRecords {
			if err := flush(); err != nil {
				storeErr = err
				return err
			}
		}
		return nil
	}, func(r imports.Refusal) { im.refuse(r.Line, r.Column, r.Reason) })
	if storeErr != nil {
		return storeapi.ImportResponse{}, storeErr
	}
	if readErr != nil {
		// The rows after the last good one are not applied; nothing half done.
		im.resp.Error = readErr.Error()
	} else if err := flush(); err != nil {
		return storeapi.ImportResponse{}, err
	}
	im.resp.Rows, im.resp.Preview = f.Rows, f.Preview
	if im.resp.Preview == nil {
		im.resp.Preview = [][]string{}
	}
	if newest == 0 {
		st, err := s.state(ctx, shopID)
		if err != nil {
			return storeapi.ImportResponse{}, err
		}
		newest, _ = st.watch()
	}
	im.resp.Seq = newest
	s.log.Info("import", "shop", shopID, "staff", staff, "file", f.Name, "format", f.Format.Name, "dry_run", dryRun,
		"new", im.resp.New, "changed", im.resp.Changed, "unchanged", im.resp.Unchanged, "refused", im.resp.Refused)
	return im.resp, nil
}

// importer is one import in progress.
type importer struct {
	s     *Server
	shop  string
	staff string
	file  *imports.File
	dry   bool
	now   time.Time
	resp  storeapi.ImportResponse
	skus  map[string]string // SKU code or barcode → product id; loaded on first use
	nicks map[string]string // customer nick → the id of the customer who has it
}

func (im *importer) refuse(line int, column, reason string) {
	im.resp.Refused++
	if len(im.resp.Refusals) < storeapi.MaxImportRefusals {
		im.resp.Refusals = append(im.resp.Refusals, storeapi.ImportRefusal{Line: line, Column: column, Reason: reason})
	} else {
		im.resp.RefusalsCut = true
	}
}

// outcome is what one record did.
type outcome int

const (
	unchanged outcome = iota
	created
	changed
)

// rowRefusal refuses one record when it is applied (an unknown SKU).
type rowRefusal struct{ column, reason string }

func (r *rowRefusal) Error() string { return r.column + ": " + r.reason }

// chunk applies records in one transaction (rolled back in a dry run) and returns the shop's
// new seq (0 when nothing was written). Counts are kept only when the transaction ends as
// planned.
func (im *importer) chunk(ctx context.Context, recs []imports.Record) (int64, error) {
	if err := im.loadSKUs(ctx); err != nil {
		return 0, err
	}
	if err := im.resolveNicks(ctx, recs); err != nil {
		return 0, err
	}
	type tally struct {
		outcomes []outcome
		refused  []imports.Refusal
	}
	var t tally
	fn := func(tx store.Tx) error {
		t = tally{}
		cw := &chunkWrites{tx: tx, at: map[shop.Ref]int{}}
		for _, rec := range recs {
			w := &writes{chunk: cw}
			out, err := im.apply(w, rec)
			var rr *rowRefusal
			if errors.As(err, &rr) {
				t.refused = append(t.refused, imports.Refusal{Line: rec.Line, Column: rr.column, Reason: rr.reason})
				continue
			}
			if err != nil {
				return err
			}
			// All of a record's writes, or (refused above) none.
			cw.keep(w.recs)
			t.outcomes = append(t.outcomes, out)
		}
		// An entity several records change (an order and its item rows) is written once.
		for _, r := range cw.recs {
			if _, err := putRecord(tx, r); err != nil {
				return err
			}
		}
		if im.dry {
			return errDryRun
		}
		return nil
	}
	seq, err := im.s.update(ctx, im.shop, fn)
	if errors.Is(err, errDryRun) {
		seq, err = 0, nil
	}
	if err != nil {
		return 0, err
	}
	for _, o := range t.outcomes {
		switch o {
		case created:
			im.resp.New++
		case changed:
			im.resp.Changed++
		default:
			im.resp.Unchanged++
		}
	}
	for _, r := range t.refused {
		im.refuse(r.Line, r.Column, r.Reason)
	}
	return seq, nil
}

// chunkWrites are the writes of a chunk's records so far, written when the chunk ends.
type chunkWrites struct {
	tx   store.Tx
	recs []shop.Record
	at   map[shop.Ref]int // index in recs
}

// keep adds a record's writes, replacing earlier states of the same entities.
func (c *chunkWrites) keep(recs []shop.Record) {
	for _, r := range recs {
		ref := shop.Ref{Type: r.Type, ID: r.ID}
		if i, ok := c.at[ref]; ok {
			c.recs[i] = r
		} else {
			c.at[ref] = len(c.recs)
			c.recs = append(c.recs, r)
		}
	}
}

// writes collects one record's writes: reads see them, and the chunk's.
type writes struct {
	chunk *chunkWrites
	recs  []shop.Record
}

// get reads an entity, seeing this record's own writes first, then the chunk's.
func (w *writes) get(t shop.EntityType, id string, v any) (bool, []byte, error) {
	for i := len(w.recs) - 1; i >= 0; i-- {
		if r := w.recs[i]; r.Type == t && r.ID == id {
			return true, r.Data, json.Unmarshal(r.Data, v)
		}
	}
	if i, ok := w.chunk.at[shop.Ref{Type: t, ID: id}]; ok {
		r := w.chunk.recs[i]
		return true, r.Data, json.Unmarshal(r.Data, v)
	}
	rec, found, err := w.chunk.tx.Record(t, id)
	if err != nil || !found || rec.Deleted {
		return false, nil, err
	}
	if err := json.Unmarshal(rec.Data, v); err != nil {
		return false, nil, fmt.Errorf("decoding %s %s: %w", t, id, err)
	}
	return true, rec.Data, nil
}

// put writes v as entity (t, id) when it differs from old (nil: not stored), and says what
// it did.
func (w *writes) put(t shop.EntityType, id string, v any, old []byte) outcome {
	rec := shop.NewRecord(t, id, v)
	if old != nil && bytes.Equal(old, rec.Data) {
		return unchanged
	}
	w.recs = append(w.recs, rec)
	if old == nil {
		return created
	}
	return changed
}

// apply merges one record into the shop.
func (im *importer) apply(w *writes, rec imports.Record) (outcome, error) {
	switch rec.Kind {
	case imports.KindOrder:
		return im.order(w, rec.Order)
	case imports.KindOrderLine:
		return im.orderLine(w, rec.Item)
	case imports.KindProduct:
		return im.product(w, rec.Product)
	case imports.KindStock:
		return im.stock(w, rec.Stock)
	case imports.KindCustomer:
		_, out, err := im.customer(w, rec.Customer)
		return out, err
	case imports.KindReview:
		return im.review(w, rec.Review)
	}
	return unchanged, fmt.Errorf("import: record kind %q: %w", rec.Kind, ErrInvalid)
}

// textFits refuses a cell longer than the field holds.
func (im *importer) textFits(key, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return &rowRefusal{im.file.Column(key), fmt.Sprintf("is %d characters long; Kefu keeps at most %d", n, max)}
	}
	return nil
}

// hashID is a stable id made of a prefix and the identity's hash.
func hashID(prefix string, parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return prefix + hex.EncodeToString(h[:8])
}

// order merges an order: the platform's fields replace the stored ones, staff's stay.
func (im *importer) order(w *writes, o *imports.Order) (outcome, error) {
	if err := im.textFits("memo", o.Memo, shop.MaxNoteRunes); err != nil {
		return 0, err
	}
	if err := im.textFits("message", o.BuyerMessage, shop.MaxNoteRunes); err != nil {
		return 0, err
	}
	var cur shop.Order
	found, old, err := w.get(shop.TypeOrder, o.ID, &cur)
	if err != nil {
		return 0, err
	}
	next := cur
	if !found {
		next = shop.Order{ID: o.ID, Payment: shop.PayOnline, CreatedAt: im.now}
	}
	if next.CustomerID == "" {
		id, _, err := im.customer(w, &imports.Customer{Source: o.Source, Nick: o.Nick, Name: o.CustomerName, City: o.Address.City})
		if err != nil {
			return 0, err
		}
		next.CustomerID = id
	}
	next.Nick, next.Source = o.Nick, o.Source
	if o.Items != nil {
		next.Items = im.linkItems(o.Items)
	}
	next.Shipping, next.Total, next.Payment = o.Shipping, o.Total, o.Payment
	// An order staff closed in Kefu stays closed.
	if !(found && cur.Status == shop.StatusClosed) {
		next.Status = o.Status
	}
	// An address staff changed with the customer stays theirs.
	if cur.AddressCheck != shop.AddressChanged {
		next.Address = o.Address
	}
	if o.Tracking != "" {
		next.Tracking = o.Tracking
	}
	if o.Courier != "" {
		next.Courier = o.Courier
	}
	setTime(&next.CreatedAt, o.CreatedAt)
	setTime(&next.PaidAt, o.PaidAt)
	setTime(&next.ShippedAt, o.ShippedAt)
	if o.CloseReason != "" {
		next.CloseReason = o.CloseReason
	}
	next.BuyerMessage = o.BuyerMessage
	if o.Memo != next.PlatformMemo {
		if o.Memo != "" {
			// The platform's seller memo, as one note of the platform's, again only when it changes.
			n := shop.OrderNote{ID: hashID("memo-", o.ID, o.Memo, fmt.Sprint(next.NoteCount)), OrderID: o.ID, Flag: next.Flag,
				Text: o.Memo, Reason: "platform seller memo", Source: o.Source, At: im.now, System: true}
			w.put(shop.TypeNote, n.ID, n, nil)
			next.NoteCount++
		}
		next.PlatformMemo = o.Memo
	}
	return w.put(shop.TypeOrder, o.ID, next, old), nil
}

func setTime(dst *time.Time, t time.Time) {
	if !t.IsZero() {
		*dst = t
	}
}

// linkItems gives order lines the id of the product that has their SKU.
func (im *importer) linkItems(items []shop.OrderItem) []shop.OrderItem {
	out := make([]shop.OrderItem, len(items))
	for i, it := range items {
		if it.ProductID == "" && it.SKU != "" {
			it.ProductID = im.skus[it.SKU]
		}
		out[i] = it
	}
	return out
}

// sameLine reports whether two order lines are the same line of an order.
func sameLine(a, b shop.OrderItem) bool {
	if a.SKU != "" || b.SKU != "" {
		return a.SKU == b.SKU && a.Variant == b.Variant
	}
	return a.Name == b.Name && a.Variant == b.Variant
}

// orderLine adds or updates one line of an order; an order not imported yet is made from it
// (the order report fills in the rest).
func (im *importer) orderLine(w *writes, l *imports.OrderLine) (outcome, error) {
	var cur shop.Order
	found, old, err := w.get(shop.TypeOrder, l.OrderID, &cur)
	if err != nil {
		return 0, err
	}
	next := cur
	if !found {
		next = shop.Order{ID: l.OrderID, Source: l.Source, Status: l.Status, Payment: shop.PayOnline, CreatedAt: im.now}
		if next.Status == "" {
			next.Status = shop.StatusUnpaid
		}
	}
	item := im.linkItems([]shop.OrderItem{l.Item})[0]
	next.Items = append([]shop.OrderItem(nil), cur.Items...)
	replaced := false
	for i, it := range next.Items {
		if sameLine(it, item) {
			next.Items[i], replaced = item, true
			break
		}
	}
	if !replaced {
		next.Items = append(next.Items, item)
	}
	return w.put(shop.TypeOrder, l.OrderID, next, old), nil
}

// customer finds the customer by the platform identity (the nick), or makes them, and fills
// in the fields they have empty: what staff typed stays.
func (im *importer) customer(w *writes, c *imports.Customer) (string, outcome, error) {
	for _, f := range []struct{ key, v string }{{"nick", c.Nick}, {"name", c.Name}, {"city", c.City}, {"memo", c.Memo}, {"sizes", c.Sizes}, {"styles", c.Styles}} {
		if err := im.textFits(f.key, f.v, shop.MaxShortText); err != nil && f.key != "memo" {
			return "", 0, err
		}
	}
	if err := im.textFits("memo", c.Memo, shop.MaxNoteRunes); err != nil {
		return "", 0, err
	}
	id, known := im.nicks[c.Nick]
	if !known {
		id = hashID("c-", c.Nick)
	}
	var cur shop.Customer
	found, old, err := w.get(shop.TypeCustomer, id, &cur)
	if err != nil {
		return "", 0, err
	}
	if !found && !known {
		ids, err := customersByNick(w.chunk.tx, c.Nick)
		if err != nil {
			return "", 0, err
		}
		for _, other := range ids {
			if found, old, err = w.get(shop.TypeCustomer, other, &cur); err != nil {
				return "", 0, err
			} else if found {
				id = other
				break
			}
		}
	}
	next := cur
	if !found {
		next = shop.Customer{ID: id, Nick: c.Nick, CreatedAt: im.now}
	}
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	fill(&next.Name, c.Name)
	fill(&next.Phone, c.Phone)
	fill(&next.City, c.City)
	fill(&next.Birthday, c.Birthday)
	fill(&next.Sizes, c.Sizes)
	fill(&next.Styles, c.Styles)
	fill(&next.Memo, c.Memo)
	if c.HasVIP && next.VIP == 0 {
		next.VIP = c.VIP
	}
	for _, t := range c.Tags {
		has := false
		for _, h := range next.Tags {
			has = has || h == t
		}
		if !has {
			next.Tags = append(next.Tags, t)
		}
	}
	im.nicks[c.Nick] = id
	return id, w.put(shop.TypeCustomer, id, next, old), nil
}

// resolveNicks finds, before a chunk's transaction, the customers the chunk's records name
// by nick: a scan of the nick index inside a write transaction costs far more.
func (im *importer) resolveNicks(ctx context.Context, recs []imports.Record) error {
	if im.nicks == nil {
		im.nicks = map[string]string{}
	}
	var unresolved []string
	for _, r := range recs {
		nick := ""
		switch {
		case r.Order != nil:
			nick = r.Order.Nick
		case r.Customer != nil:
			nick = r.Customer.Nick
		case r.Review != nil:
			nick = r.Review.Nick
		}
		if _, ok := im.nicks[nick]; nick != "" && !ok {
			unresolved = append(unresolved, nick)
		}
	}
	if len(unresolved) == 0 {
		return nil
	}
	return im.s.store.View(ctx, im.shop, func(tx store.ReadTx) error {
		for _, nick := range unresolved {
			id := hashID("c-", nick)
			if rec, found, err := tx.Record(shop.TypeCustomer, id); err != nil {
				return err
			} else if found && !rec.Deleted {
				im.nicks[nick] = id
				continue
			}
			ids, err := customersByNick(tx, nick)
			if err != nil {
				return err
			}
			im.nicks[nick] = id // a new customer's id, unless another has the nick
			for _, other := range ids {
				if rec, found, err := tx.Record(shop.TypeCustomer, other); err != nil {
					return err
				} else if found && !rec.Deleted {
					im.nicks[nick] = other
					break
				}
			}
		}
		return nil
	})
}

// productID is the id of a product new to the shop: its source and platform key.
func productID(source, key string) string {
	id := source + "-" + key
	if len(id) > 64 || strings.ContainsAny(id, "/\x00 \t\n") {
		return hashID(source+"-", key)
	}
	return id
}

// product merges a product: name, category and the listed variants (SKU, barcode, colour,
// size, price, listed stock) are the platform's; warehouse stock, the low-stock threshold and
// variants it does not list stay.
func (im *importer) product(w *writes, p *imports.Product) (outcome, error) {
	if err := im.textFits("name", p.Name, shop.MaxShortText); err != nil {
		return 0, err
	}
	id := ""
	for _, v := range p.Variants {
		if pid, ok := im.skus[v.SKU]; ok {
			id = pid
			break
		}
		if pid, ok := im.skus[v.Barcode]; ok && v.Barcode != "" {
			id = pid
			break
		}
	}
	if id == "" {
		id = productID(p.Source, p.Key)
	}
	var cur shop.Product
	found, old, err := w.get(shop.TypeProduct, id, &cur)
	if err != nil {
		return 0, err
	}
	if !found && p.VariantsOnly {
		return 0, &rowRefusal{im.file.Column("parent"), fmt.Sprintf("the parent product %s was not imported", p.Key)}
	}
	next := cur
	if !found {
		next = shop.Product{ID: id, Name: p.Name}
	}
	next.Variants = append([]shop.Variant{}, cur.Variants...)
	if !p.VariantsOnly {
		if p.Name != "" {
			next.Name = p.Name
		}
		if p.Category != "" {
			next.Category = p.Category
		}
		if p.URL != "" {
			next.URL = p.URL
		}
	}
	for _, v := range p.Variants {
		sv, ok := next.Variant(v.SKU)
		if !ok {
			next.Variants = append(next.Variants, shop.Variant{SKU: v.SKU})
			sv = &next.Variants[len(next.Variants)-1]
		}
		if v.Barcode != "" {
			sv.Barcode = v.Barcode
		}
		if v.Color != "" {
			sv.Color = v.Color
		}
		if v.Size != "" {
			sv.Size = v.Size
		}
		sv.Price, sv.Listed = v.Price, v.Listed
	}
	out := im.putProduct(w, next, old)
	for _, v := range next.Variants {
		im.skus[v.SKU] = id
		if v.Barcode != "" {
			im.skus[v.Barcode] = id
		}
	}
	return out, nil
}

// putProduct writes a product that changed, stamped with the importing staff member.
func (im *importer) putProduct(w *writes, p shop.Product, old []byte) outcome {
	if old != nil && bytes.Equal(old, shop.NewRecord(shop.TypeProduct, p.ID, p).Data) {
		return unchanged
	}
	p.UpdatedAt, p.UpdatedBy = im.now, im.staff
	return w.put(shop.TypeProduct, p.ID, p, old)
}

// stock sets a variant's warehouse stock (and reserved) from an ERP sheet; the Stock section
// compares it with the listed stock.
func (im *importer) stock(w *writes, s *imports.Stock) (outcome, error) {
	id, ok := im.skus[s.SKU]
	key := s.SKU
	if !ok && s.Barcode != "" {
		id, ok, key = im.skus[s.Barcode], im.skus[s.Barcode] != "", s.Barcode
	}
	if !ok || s.SKU == "" && s.Barcode == "" {
		return 0, &rowRefusal{im.file.Column("sku"), fmt.Sprintf("no product of the shop has SKU %s; import the products first", key)}
	}
	var cur shop.Product
	found, old, err := w.get(shop.TypeProduct, id, &cur)
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, &rowRefusal{im.file.Column("sku"), fmt.Sprintf("the product of SKU %s was deleted", key)}
	}
	next := cur
	next.Variants = append([]shop.Variant{}, cur.Variants...)
	var v *shop.Variant
	for i := range next.Variants {
		if next.Variants[i].SKU == key || (s.Barcode != "" && next.Variants[i].Barcode == s.Barcode) {
			v = &next.Variants[i]
			break
		}
	}
	if v == nil {
		return 0, &rowRefusal{im.file.Column("sku"), fmt.Sprintf("no product of the shop has SKU %s; import the products first", key)}
	}
	v.Warehouse = s.Warehouse
	if s.HasReserved {
		v.Reserved = s.Reserved
	}
	return im.putProduct(w, next, old), nil
}

// review merges a buyer's review: stars, text and time are the platform's; the follow-up
// (state, reply, contacts, the buyer's rating) is staff's.
func (im *importer) review(w *writes, r *imports.Review) (outcome, error) {
	if err := im.textFits("text", r.Text, shop.MaxMessageRunes); err != nil {
		return 0, err
	}
	custID, _, err := im.customer(w, &imports.Customer{Source: r.Source, Nick: r.Nick})
	if err != nil {
		return 0, err
	}
	id := hashID("rv-", r.OrderID, r.Nick, r.SKU)
	var cur shop.Review
	found, old, err := w.get(shop.TypeReview, id, &cur)
	if err != nil {
		return 0, err
	}
	next := cur
	if !found {
		next = shop.Review{ID: id, State: shop.ReviewNew, At: im.now}
	}
	next.OrderID, next.Nick, next.Stars, next.Text = r.OrderID, r.Nick, r.Stars, r.Text
	if next.CustomerID == "" {
		next.CustomerID = custID
	}
	setTime(&next.At, r.At)
	if pid := im.skus[r.SKU]; pid != "" {
		next.ProductID = pid
	} else if next.ProductID == "" {
		var o shop.Order
		if ok, _, err := w.get(shop.TypeOrder, r.OrderID, &o); err != nil {
			return 0, err
		} else if ok && len(o.Items) > 0 {
			next.ProductID = o.Items[0].ProductID
		}
	}
	return w.put(shop.TypeReview, id, next, old), nil
}

// loadSKUs reads the shop's products' SKU codes and barcodes once, before the first chunk
// that needs them.
func (im *importer) loadSKUs(ctx context.Context) error {
	if im.skus != nil {
		return nil
	}
	im.skus = map[string]string{}
	return im.s.store.View(ctx, im.shop, func(tx store.ReadTx) error {
		var derr error
		err := tx.Feed(0, func(rec shop.Record) bool {
			if rec.Type != shop.TypeProduct || rec.Deleted {
				return true
			}
			var p shop.Product
			if derr = rec.Decode(&p); derr != nil {
				return false
			}
			for _, v := range p.Variants {
				im.skus[v.SKU] = p.ID
				if v.Barcode != "" {
					im.skus[v.Barcode] = p.ID
				}
			}
			return true
		})
		if err == nil {
			err = derr
		}
		return err
	})
}
