package desk

import (
	"context"

	"kefu/localdb"
)

// SearchQuery is one full-text search over every message, order note, review and reply,
// after-sales case, complaint and piece of evidence (see localdb.SearchQuery).
type SearchQuery = localdb.SearchQuery

// SearchHit is one record a search found (see localdb.SearchHit).
type SearchHit = localdb.SearchHit

// SearchResult is a page of hits, newest first, and how far the background index build got.
type SearchResult = localdb.SearchResult

// SearchKind is what a hit is (see localdb.SearchKind).
type SearchKind = localdb.SearchKind

// Search kinds.
const (
	SearchMessage   = localdb.SearchMessage
	SearchNote      = localdb.SearchNote
	SearchReview    = localdb.SearchReview
	SearchCase      = localdb.SearchCase
	SearchComplaint = localdb.SearchComplaint
	SearchEvidence  = localdb.SearchEvidence
)

// SearchKinds lists the kinds in the order the search's filter shows them.
var SearchKinds = localdb.SearchKinds

// Search runs a full-text search of the desk's data, offline like every read.
func (d *Desk) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	return read(ctx, func() (SearchResult, error) { return d.db.Search(q) })
}
