package soak

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"kefu/localdb"
	"kefu/shop"
)

// viewCheck compares what a desk's lists and searches show (read through its indexes) with
// the desk's own records: each list must hold exactly the entities whose data puts them there,
// each once. A stale index entry left by a rebase, a re-download or a restart shows here even
// when the records themselves equal the server's.
type viewCheck struct {
	db    *localdb.DB
	diffs []string

	convs     []shop.Conversation
	orders    []shop.Order
	cases     []shop.AfterSalesCase
	reviews   []shop.Review
	customers []shop.Customer
	products  map[string]json.RawMessage
	msgs      map[string][]string // conversation → message ids
	notes     map[string][]string // order → note ids
	evidence  map[string][]string // review → evidence ids
	complaint map[string][]string // customer → complaint ids

	calls       map[string][]string // staff → call ids (team.go)
	handovers   []shop.Handover
	concessions []shop.Concession
}

func (v *viewCheck) diff(format string, args ...any) {
	v.diffs = append(v.diffs, fmt.Sprintf(format, args...))
}

// checkViews runs the view checks on db and returns the differences found.
func checkViews(db *localdb.DB) ([]string, error) {
	v := &viewCheck{db: db, products: map[string]json.RawMessage{}, msgs: map[string][]string{},
		notes: map[string][]string{}, evidence: map[string][]string{}, complaint: map[string][]string{}}
	err := db.EachRecord(func(rec shop.Record) error {
		var err error
		switch rec.Type {
		case shop.TypeConversation:
			var c shop.Conversation
			if err = rec.Decode(&c); err == nil {
				v.convs = append(v.convs, c)
			}
		case shop.TypeOrder:
			var o shop.Order
			if err = rec.Decode(&o); err == nil {
				v.orders = append(v.orders, o)
			}
		case shop.TypeCase:
			var c shop.AfterSalesCase
			if err = rec.Decode(&c); err == nil {
				v.cases = append(v.cases, c)
			}
		case shop.TypeReview:
			var r shop.Review
			if err = rec.Decode(&r); err == nil {
				v.reviews = append(v.reviews, r)
			}
		case shop.TypeCustomer:
			var c shop.Customer
			if err = rec.Decode(&c); err == nil {
				v.customers = append(v.customers, c)
			}
		case shop.TypeProduct:
			v.products[rec.ID] = rec.Data
		case shop.TypeMessage:
			var m shop.Message
			if err = rec.Decode(&m); err == nil {
				v.msgs[m.ConversationID] = append(v.msgs[m.ConversationID], m.ID)
			}
		case shop.TypeNote:
			var n shop.OrderNote
			if err = rec.Decode(&n); err == nil {
				v.notes[n.OrderID] = append(v.notes[n.OrderID], n.ID)
			}
		case shop.TypeEvidence:
			var e shop.Evidence
			if err = rec.Decode(&e); err == nil {
				v.evidence[e.ReviewID] = append(v.evidence[e.ReviewID], rec.ID)
			}
		case shop.TypeComplaint:
			var c shop.Complaint
			if err = rec.Decode(&c); err == nil {
				v.complaint[c.CustomerID] = append(v.complaint[c.CustomerID], c.ID)
			}
		case shop.TypeCall, shop.TypeHandover, shop.TypeConcession:
			err = v.teamRecord(rec)
		}
		if err != nil {
			v.diff("%s %s does not decode: %v", rec.Type, rec.ID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, step := range []func() error{v.conversations, v.orderLists, v.perEntity, v.others, v.teamViews} {
		if err := step(); err != nil {
			return v.diffs, err
		}
	}
	return v.diffs, nil
}

// same compares the ids a view listed with the ids it should list.
func (v *viewCheck) same(view string, got, want []string) {
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	var dups, extra, missing []string
	for id, n := range seen {
		if n > 1 {
			dups = append(dups, id)
		}
	}
	wantSet := map[string]bool{}
	for _, id := range want {
		wantSet[id] = true
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	for id := range seen {
		if !wantSet[id] {
			extra = append(extra, id)
		}
	}
	if len(dups)+len(extra)+len(missing) == 0 {
		return
	}
	short := func(ids []string) string {
		sort.Strings(ids)
		if len(ids) > 3 {
			ids = append(ids[:3:3], "…")
		}
		return strings.Join(ids, " ")
	}
	v.diff("%s lists %d (want %d): twice [%s], not due [%s], missing [%s]", view, len(got), len(want),
		short(dups), short(extra), short(missing))
}

func ids[T any](list []T, id func(T) string) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = id(x)
	}
	return out
}

func where[T any](list []T, keep func(T) bool, id func(T) string) []string {
	var out []string
	for _, x := range list {
		if keep(x) {
			out = append(out, id(x))
		}
	}
	return out
}

func convID(c shop.Conversation) string   { return c.ID }
func orderID(o shop.Order) string         { return o.ID }
func caseID(c shop.AfterSalesCase) string { return c.ID }

// conversations checks the chat lists: waiting, all (open), closed, and each staff member's.
func (v *viewCheck) conversations() error {
	waiting := func(c shop.Conversation) bool { return !c.WaitingSince.IsZero() && !c.Closed }
	lists := []struct {
		f     localdb.ConversationFilter
		staff string
		keep  func(shop.Conversation) bool
	}{
		{localdb.FilterWaiting, "", waiting},
		{localdb.FilterAll, "", func(c shop.Conversation) bool { return !c.Closed }},
		{localdb.FilterClosed, "", func(c shop.Conversation) bool { return c.Closed }},
	}
	for i := range 3 {
		staff, _ := staffOf(i)
		lists = append(lists, struct {
			f     localdb.ConversationFilter
			staff string
			keep  func(shop.Conversation) bool
		}{localdb.FilterMine, staff, func(c shop.Conversation) bool { return c.Assignee == staff }})
	}
	for _, l := range lists {
		got, err := v.db.Conversations(l.f, l.staff, "", 0)
		if err != nil {
			return err
		}
		v.same(fmt.Sprintf("conversations %s %s", l.f, l.staff), ids(got, convID), where(v.convs, l.keep, convID))
	}
	return nil
}

// orderLists checks the order lists by status, flag and payment.
func (v *viewCheck) orderLists() error {
	for _, st := range shop.OrderStatuses {
		got, err := v.db.SearchOrders("", localdb.OrderFilter{Status: st}, 0)
		if err != nil {
			return err
		}
		v.same("orders "+string(st), ids(got, orderID), where(v.orders, func(o shop.Order) bool { return o.Status == st }, orderID))
	}
	for _, fl := range shop.Flags {
		got, err := v.db.SearchOrders("", localdb.OrderFilter{Flag: &fl}, 0)
		if err != nil {
			return err
		}
		v.same("orders flagged "+fl.String(), ids(got, orderID), where(v.orders, func(o shop.Order) bool { return o.Flag == fl }, orderID))
	}
	for _, p := range []shop.Payment{shop.PayOnline, shop.PayCOD} {
		got, err := v.db.SearchOrders("", localdb.OrderFilter{Payment: p}, 0)
		if err != nil {
			return err
		}
		v.same("orders paid "+string(p), ids(got, orderID), where(v.orders, func(o shop.Order) bool { return o.Payment == p }, orderID))
	}
	all, err := v.db.SearchOrders("", localdb.OrderFilter{}, 0)
	if err != nil {
		return err
	}
	v.same("orders", ids(all, orderID), ids(v.orders, orderID))
	return nil
}

// perEntity checks the lists that hang off one entity: a conversation's messages, an order's
// notes, a review's evidence, a customer's complaints, conversations and orders.
func (v *viewCheck) perEntity() error {
	for _, c := range v.convs {
		got, err := v.db.Messages(c.ID, "", 0)
		if err != nil {
			return err
		}
		v.same("messages of "+c.ID, ids(got, func(m shop.Message) string { return m.ID }), v.msgs[c.ID])
	}
	for _, o := range v.orders {
		got, err := v.db.Notes(o.ID)
		if err != nil {
			return err
		}
		v.same("notes of "+o.ID, ids(got, func(n shop.OrderNote) string { return n.ID }), v.notes[o.ID])
	}
	for _, r := range v.reviews {
		got, err := v.db.EvidenceOf(r.ID)
		if err != nil {
			return err
		}
		v.same("evidence of "+r.ID, ids(got, func(e shop.Evidence) string { return e.ID }), v.evidence[r.ID])
	}
	convsOf := map[string][]string{}
	for _, c := range v.convs {
		convsOf[c.CustomerID] = append(convsOf[c.CustomerID], c.ID)
	}
	ordersOf := map[string][]string{}
	for _, o := range v.orders {
		ordersOf[o.CustomerID] = append(ordersOf[o.CustomerID], o.ID)
	}
	for _, cu := range v.customers {
		cs, err := v.db.ComplaintsOf(cu.ID)
		if err != nil {
			return err
		}
		v.same("complaints of "+cu.ID, ids(cs, func(c shop.Complaint) string { return c.ID }), v.complaint[cu.ID])
		conv, err := v.db.ConversationsOf(cu.ID)
		if err != nil {
			return err
		}
		v.same("conversations of "+cu.ID, ids(conv, convID), convsOf[cu.ID])
		os, err := v.db.OrdersOf(cu.ID, 0)
		if err != nil {
			return err
		}
		v.same("orders of "+cu.ID, ids(os, orderID), ordersOf[cu.ID])
	}
	return nil
}

// others checks the case lists, the review inbox, the customer list and the product search
// (whose copies of the products live in memory and must equal the stored ones).
func (v *viewCheck) others() error {
	all, err := v.db.Cases(false, 0)
	if err != nil {
		return err
	}
	v.same("cases", ids(all, caseID), ids(v.cases, caseID))
	open, err := v.db.Cases(true, 0)
	if err != nil {
		return err
	}
	v.same("open cases", ids(open, caseID), where(v.cases, func(c shop.AfterSalesCase) bool { return !c.Finished() }, caseID))
	rs, err := v.db.Reviews(localdb.ReviewFilter{}, 0)
	if err != nil {
		return err
	}
	revID := func(r shop.Review) string { return r.ID }
	v.same("reviews", ids(rs, revID), ids(v.reviews, revID))
	cs, err := v.db.SearchCustomers("", 0)
	if err != nil {
		return err
	}
	custID := func(c shop.Customer) string { return c.ID }
	v.same("customers", ids(cs, custID), where(v.customers, func(c shop.Customer) bool { return c.Nick != "" }, custID))
	ps, err := v.db.SearchProducts("", 0)
	if err != nil {
		return err
	}
	var want []string
	for id := range v.products {
		want = append(want, id)
	}
	v.same("products", ids(ps, func(p shop.Product) string { return p.ID }), want)
	for _, p := range ps {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if stored, ok := v.products[p.ID]; ok && !sameJSON(b, stored) {
			v.diff("the product search shows %s as %s; stored: %s", p.ID, clip(b), clip(stored))
		}
	}
	return nil
}
