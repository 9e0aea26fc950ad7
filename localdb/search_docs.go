package localdb

import (
	"encoding/json"
	"strings"
	"time"

	"kefu/shop"
)

// SearchKind is what a search hit is: a chat message, an order note, a review (with its reply
// and follow-up notes), an after-sales case (summary and step notes), a complaint (description,
// resolution, step notes) or a piece of review evidence.
type SearchKind string

// Search kinds.
const (
	SearchMessage   SearchKind = "message"
	SearchNote      SearchKind = "note"
	SearchReview    SearchKind = "review"
	SearchCase      SearchKind = "case"
	SearchComplaint SearchKind = "complaint"
	SearchEvidence  SearchKind = "evidence"
)

// SearchKinds lists the kinds in the order the search shows its filter.
var SearchKinds = []SearchKind{SearchMessage, SearchNote, SearchReview, SearchCase, SearchComplaint, SearchEvidence}

// searchTypes are the entity types the search indexes, by their one-byte code in the doc table
// (the code is the position + 1; never reorder, only append).
var searchTypes = []shop.EntityType{shop.TypeMessage, shop.TypeNote, shop.TypeReview, shop.TypeCase,
	shop.TypeComplaint, shop.TypeEvidence}

func searchTypeCode(t shop.EntityType) byte {
	for i, st := range searchTypes {
		if st == t {
			return byte(i + 1)
		}
	}
	return 0
}

// searchDoc is what the search reads of one entity: its texts and what the filters and the
// result row need.
type searchDoc struct {
	kind     SearchKind
	parent   string // conversation (message), order (note, case), review (evidence)
	customer string // the customer, where the record names one directly
	staff    []string
	at       time.Time
	texts    []string // the searchable texts, in the order they are shown
}

// text is every searchable text of the document, one per line (what the terms come from).
func (d *searchDoc) text() string { return strings.Join(d.texts, "\n") }

// decodeSearchDoc reads the searchable parts of an entity of type t (ok false: the type is not
// searched or the record does not decode).
func decodeSearchDoc(t shop.EntityType, data []byte) (searchDoc, bool) {
	var d searchDoc
	add := func(s string) {
		if strings.TrimSpace(s) != "" {
			d.texts = append(d.texts, s)
		}
	}
	steps := func(ss []shop.Step) {
		for _, s := range ss {
			add(s.Note)
			if s.Staff != "" {
				d.staff = append(d.staff, s.Staff)
			}
		}
	}
	switch t {
	case shop.TypeMessage:
		var m shop.Message
		if json.Unmarshal(data, &m) != nil {
			return d, false
		}
		d.kind, d.parent, d.at = SearchMessage, m.ConversationID, m.At
		if m.Staff != "" {
			d.staff = append(d.staff, m.Staff)
		}
		add(m.Text)
		if m.Card != nil {
			add(m.Card.Title)
			for _, l := range m.Card.Lines {
				add(l)
			}
		}
	case shop.TypeNote:
		var n shop.OrderNote
		if json.Unmarshal(data, &n) != nil {
			return d, false
		}
		d.kind, d.parent, d.at = SearchNote, n.OrderID, n.At
		if n.Staff != "" {
			d.staff = append(d.staff, n.Staff)
		}
		add(n.Text)
		add(n.Reason)
	case shop.TypeReview:
		var r shop.Review
		if json.Unmarshal(data, &r) != nil {
			return d, false
		}
		d.kind, d.parent, d.customer, d.at = SearchReview, r.OrderID, r.CustomerID, r.At
		if r.ReplyBy != "" {
			d.staff = append(d.staff, r.ReplyBy)
		}
		add(r.Text)
		add(r.Reply)
		add(r.BuyerText)
		steps(r.Steps)
	case shop.TypeCase:
		var c shop.AfterSalesCase
		if json.Unmarshal(data, &c) != nil {
			return d, false
		}
		d.kind, d.parent, d.customer, d.at = SearchCase, c.OrderID, c.CustomerID, c.UpdatedAt
		if d.at.IsZero() {
			d.at = c.CreatedAt
		}
		if c.Owner != "" {
			d.staff = append(d.staff, c.Owner)
		}
		add(c.Summary)
		steps(c.Steps)
	case shop.TypeComplaint:
		var c shop.Complaint
		if json.Unmarshal(data, &c) != nil {
			return d, false
		}
		d.kind, d.parent, d.customer, d.at = SearchComplaint, c.OrderID, c.CustomerID, c.UpdatedAt
		if d.at.IsZero() {
			d.at = c.CreatedAt
		}
		if c.Owner != "" {
			d.staff = append(d.staff, c.Owner)
		}
		add(c.Description)
		add(c.Resolution)
		steps(c.Steps)
	case shop.TypeEvidence:
		var e shop.Evidence
		if json.Unmarshal(data, &e) != nil {
			return d, false
		}
		d.kind, d.parent, d.at = SearchEvidence, e.ReviewID, e.LockedAt
		if e.Staff != "" {
			d.staff = append(d.staff, e.Staff)
		}
		add(e.Title)
		add(e.Text)
	default:
		return d, false
	}
	return d, true
}

// searchText is the searchable text of a stored state of an entity of type t ("" for none).
func searchText(t shop.EntityType, st state) string {
	if !st.exists() || searchTypeCode(t) == 0 {
		return ""
	}
	d, ok := decodeSearchDoc(t, st.data)
	if !ok {
		return ""
	}
	return d.text()
}
