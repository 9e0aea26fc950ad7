package soak

import (
	"time"

	"kefu/demostore"
	"kefu/shop"
)

// The soak's builders of the KPI kinds: offline stretches (any desk), the ranking's weights and
// the closing of last month's ranking (the owner's desk only: the rules refuse agents).

// buildOutage builds KindOutageRecord: a short stretch in the last hour.
func (g *gen) buildOutage(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	to := time.Now().Add(-time.Duration(g.rng.IntN(3600)) * time.Second)
	from := to.Add(-time.Duration(30+g.rng.IntN(600)) * time.Second)
	return shop.NewID(), 0, shop.Outage{From: from, To: to, Why: "offline"}, true, nil
}

// buildTeamWeights builds KindTeamSetWeights on the owner's desk.
func (g *gen) buildTeamWeights(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	if g.d.staff != demostore.Owner {
		return "", 0, nil, false, nil
	}
	w := shop.RankingWeights{Response: 1 + g.rng.IntN(50), Conversion: g.rng.IntN(50), Quota: g.rng.IntN(50),
		Complaints: g.rng.IntN(50), Revisions: g.rng.IntN(50)}
	var t shop.TeamSettings
	if base, _, err = g.d.db.Get(shop.TypeTeam, shop.TeamID, &t); err != nil {
		return "", 0, nil, false, err
	}
	return shop.TeamID, base, w, true, nil
}

// buildRankingClose builds KindRankingClose of last month on the owner's desk; a month closes
// once, so later tries are refused (locally, or by the server when another desk was first).
func (g *gen) buildRankingClose(_ shop.Kind) (entity string, base int64, data any, ok bool, err error) {
	if g.d.staff != demostore.Owner {
		return "", 0, nil, false, nil
	}
	last := shop.PeriodMonth.Prev(shop.PeriodMonth.Start(time.Now(), shop.ShopZone))
	return last.Format(shop.MonthLayout), 0, shop.Ranking{Weights: shop.DefaultRankingWeights, Rows: []shop.RankRow{}}, true, nil
}
