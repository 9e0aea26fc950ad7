package shop

import (
	"fmt"
	"sort"
	"time"
)

// The monthly ranking (评比): the staff ranked by a score made of the month's KPIs, weighed as
// the manager set (TeamSettings.Weights). Each figure is normalised across the team before it
// is weighed: the best in the team gets 1 and the others their share of the best (for the
// response time, the fastest over theirs), so the score is 0..100 whatever the shop's size.
//
// A finished month's ranking is kept as it was computed: a manager closes the month
// (KindRankingClose) and the desk stores the ranking it computed from the synced data as a
// TypeRanking entity with the month as its id. A closed month is shown from that snapshot,
// whatever records arrive later or however the weights change; a month can be closed once.

// TypeRanking is the entity type of a closed month's ranking (Ranking); its id is the month,
// "2006-01".
const TypeRanking EntityType = "ranking"

// KindRankingClose keeps a finished month's ranking (entity: the month, "2006-01").
const KindRankingClose Kind = "ranking.close"

// MonthLayout is how a ranking's month is written (its entity id).
const MonthLayout = "2006-01"

var rankingKinds = []KindSpec{
	{Kind: KindRankingClose, Entity: TypeRanking, New: true, Creates: []Creation{{Type: TypeRanking}}, Label: "Month closed", Rule: withData(rankingClose)},
}

// RankParts are one staff member's normalised figures (0..1 each) that make the score.
type RankParts struct {
	Response   float64 `json:"response"`
	Conversion float64 `json:"conversion"`
	Quota      float64 `json:"quota"`
	Complaints float64 `json:"complaints"`
	Revisions  float64 `json:"revisions"`
}

// RankRow is one staff member's place in a ranking.
type RankRow struct {
	Staff string    `json:"staff"`
	Name  string    `json:"name,omitempty"`
	Score float64   `json:"score"` // 0..100
	Parts RankParts `json:"parts"`
	Best  bool      `json:"best,omitempty"`
	Worst bool      `json:"worst,omitempty"`
	// The month's figures behind the parts.
	FirstResponseSeconds float64 `json:"first_response_seconds"`
	Conversion           float64 `json:"conversion"`
	QuotaShare           float64 `json:"quota_share"`
	Complaints           int     `json:"complaints"` // resolved
	Revisions            int     `json:"revisions"`
}

// Ranking is one month's ranking, best first.
type Ranking struct {
	ID       string         `json:"id"` // the month, "2006-01"
	Weights  RankingWeights `json:"weights"`
	Rows     []RankRow      `json:"rows"`
	ClosedBy string         `json:"closed_by,omitempty"` // the manager who closed the month; "" while open
	ClosedAt time.Time      `json:"closed_at,omitzero"`
}

// Closed reports whether the ranking is a closed month's snapshot.
func (r Ranking) Closed() bool { return r.ClosedBy != "" }

// Month returns the start of the ranking's month in zone loc.
func (r Ranking) Month(loc *time.Location) (time.Time, error) {
	return time.ParseInLocation(MonthLayout, r.ID, loc)
}

// Rank ranks the staff with work in the month's figures (KPIReport.Total of the month) by
// the weights w: best first, ties by staff number. With two or more staff and differing
// scores, the first is marked best and the last worst.
func Rank(month string, total KPIBucket, w RankingWeights) Ranking {
	rk := Ranking{ID: month, Weights: w, Rows: []RankRow{}}
	var staff []StaffFigures
	for _, s := range total.Staff {
		if s.Active() {
			staff = append(staff, s)
		}
	}
	var best struct {
		resp                  float64 // fastest first response (seconds > 0)
		conv, quota           float64
		complaints, revisions int
	}
	for _, s := range staff {
		if r := s.FirstResponse().Seconds(); s.Firsts > 0 && (best.resp == 0 || r < best.resp) {
			best.resp = r
		}
		best.conv = max(best.conv, s.Conversion())
		best.quota = max(best.quota, min(s.QuotaShare(), 1))
		best.complaints = max(best.complaints, s.ComplaintTotals().Resolved)
		best.revisions = max(best.revisions, s.Revisions)
	}
	of := func(v, best float64) float64 {
		if best <= 0 {
			return 0
		}
		return v / best
	}
	sum := float64(w.Response + w.Conversion + w.Quota + w.Complaints + w.Revisions)
	for _, s := range staff {
		row := RankRow{Staff: s.Staff, Name: s.Name, FirstResponseSeconds: s.FirstResponse().Seconds(),
			Conversion: s.Conversion(), QuotaShare: s.QuotaShare(), Complaints: s.ComplaintTotals().Resolved, Revisions: s.Revisions}
		if s.Firsts > 0 {
			switch r := s.FirstResponse().Seconds(); {
			case r <= 0:
				row.Parts.Response = 1
			default:
				row.Parts.Response = best.resp / r
			}
		}
		row.Parts.Conversion = of(row.Conversion, best.conv)
		row.Parts.Quota = of(min(row.QuotaShare, 1), best.quota)
		row.Parts.Complaints = of(float64(row.Complaints), float64(best.complaints))
		row.Parts.Revisions = of(float64(row.Revisions), float64(best.revisions))
		if sum > 0 {
			p := row.Parts
			row.Score = 100 * (float64(w.Response)*p.Response + float64(w.Conversion)*p.Conversion +
				float64(w.Quota)*p.Quota + float64(w.Complaints)*p.Complaints + float64(w.Revisions)*p.Revisions) / sum
		}
		rk.Rows = append(rk.Rows, row)
	}
	sort.SliceStable(rk.Rows, func(i, j int) bool {
		if rk.Rows[i].Score != rk.Rows[j].Score {
			return rk.Rows[i].Score > rk.Rows[j].Score
		}
		return rk.Rows[i].Staff < rk.Rows[j].Staff
	})
	if n := len(rk.Rows); n >= 2 && rk.Rows[0].Score != rk.Rows[n-1].Score {
		rk.Rows[0].Best, rk.Rows[n-1].Worst = true, true
	}
	return rk
}

func rankingClose(d *decider, r Ranking) error {
	if err := d.needManager("close a month's ranking"); err != nil {
		return err
	}
	start, err := time.ParseInLocation(MonthLayout, d.m.Entity, ShopZone)
	if err != nil {
		return reject("a ranking's id is its month, like 2026-11, not %q", d.m.Entity)
	}
	if end := start.AddDate(0, 1, 0); d.at.Before(end) {
		return reject("the month %s is not over yet", d.m.Entity)
	}
	if err := checkWeights(r.Weights); err != nil {
		return err
	}
	if len(r.Rows) > 1000 {
		return reject("a ranking has at most 1000 rows")
	}
	for _, row := range r.Rows {
		if err := checkText("staff number", row.Staff, 32, true); err != nil {
			return reject("%v", err)
		}
		if row.Score < 0 || row.Score > 100 {
			return reject("a score is 0 to 100, not %v", row.Score)
		}
	}
	r.ID, r.ClosedBy, r.ClosedAt = d.m.Entity, d.m.Staff, d.at
	d.put(TypeRanking, r.ID, r)
	return nil
}

// checkWeights refuses weights out of 0..100 or all zero.
func checkWeights(w RankingWeights) error {
	all := []int{w.Response, w.Conversion, w.Quota, w.Complaints, w.Revisions}
	sum := 0
	for _, v := range all {
		if v < 0 || v > 100 {
			return reject("a weight is 0 to 100, not %d", v)
		}
		sum += v
	}
	if sum == 0 {
		return reject("at least one weight must be above 0")
	}
	return nil
}

// String is the weights as the desk lists them.
func (w RankingWeights) String() string {
	return fmt.Sprintf("response %d, conversion %d, quota %d, complaints %d, revisions %d", w.Response, w.Conversion, w.Quota, w.Complaints, w.Revisions)
}

// kpiReasons are the sentences of the outage, weights and ranking rules, added to
// reasonFormats (after its own, which are more general only where no sentence here matches);
// the refusal of an agent is needManager's (team_settings.go).
var kpiReasons = []reasonFormat{
	{code: ReasonWrongEntity, format: "the team settings live in entity %q"},
	{code: ReasonOutOfRange, format: "an outage needs a start before its end", pre: []string{"outage", ""}},
	{code: ReasonOutOfRange, format: "an outage covers at most %d days", pre: []string{"outage"}},
	{code: ReasonOutOfRange, format: "an outage cannot end in the future", pre: []string{"outage", ""}},
	{code: ReasonTooMany, format: "a ranking has at most 1000 rows", pre: []string{"ranking rows"}},
	{code: ReasonBadID, format: "a ranking's id is its month, like 2026-11, not %q", pre: []string{"ranking"}},
	{code: ReasonOutOfRange, format: "a score is 0 to 100, not %v", pre: []string{"score"}},
	{code: ReasonOutOfRange, format: "at least one weight must be above 0", pre: []string{"weights", ""}},
	{code: ReasonOutOfRange, format: "the month %s is not over yet", pre: []string{"month"}},
	{code: ReasonOutOfRange, format: "a weight is 0 to 100, not %d", pre: []string{"weight"}},
}

func init() { reasonFormats = append(reasonFormats, compileReasons(kpiReasons)...) }
