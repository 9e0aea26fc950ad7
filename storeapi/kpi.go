package storeapi

import "kefu/shop"

// PathKPIs is the KPI endpoint: GET /v1/kpis?from=RFC3339&to=RFC3339&period=day|week|month
// [&staff=NUMBER], computed on the server from its store. Owners and managers get everyone's
// figures; an agent may ask for her own only (staff= her number): the team's or another's is 403
// (CodeForbidden).
const PathKPIs = "/v1/kpis"

// MaxKPISpan is the longest span one KPI request may cover (about a year).
const MaxKPISpan = 400 * 24 * 60 * 60 // seconds

// KPIResponse answers GET /v1/kpis.
type KPIResponse struct {
	Report shop.KPIReport `json:"report"`
}
