package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"kefu/shop"
)

// The team's KPIs and the monthly ranking, for the Team screen: computed from the local store
// (the synced data, so every desk agrees with the server's figures), on the caller's
// goroutine — screens call these in the background. An agent gets her own figures only: the
// team's and colleagues' are cut away here, and the server refuses them to her too.

// ErrManagersOnly refuses a manager's action (the ranking's weights, closing a month) to a
// staff member who is not the owner or a manager, before the server would.
var ErrManagersOnly = errors.New("only the shop's owner or a manager may do this")

// IsManager reports whether the signed-in staff member is the shop's owner or a manager, by
// the staff entity the server keeps (the desk's session may be older than a role change).
func (d *Desk) IsManager(ctx context.Context) bool {
	return d.roleOf(ctx) == shop.RoleOwner || d.roleOf(ctx) == shop.RoleManager
}

func (d *Desk) roleOf(ctx context.Context) shop.Role {
	me := d.Staff()
	var st shop.Staff
	if _, ok, err := d.Get(ctx, shop.TypeStaff, me.Number, &st); err == nil && ok {
		return st.Role
	}
	return me.Role
}

// ShopZone is the time zone of the shop's business hours, in which KPI days, weeks and months
// begin.
func (d *Desk) ShopZone(ctx context.Context) *time.Location {
	a, _, err := d.AutoReplies(ctx)
	if err != nil {
		return shop.ShopZone
	}
	return a.ZoneOf()
}

// KPIs computes the KPIs of [from, to) in buckets of period; an agent's report holds her own
// figures only (shop.KPIReport.Only).
func (d *Desk) KPIs(ctx context.Context, from, to time.Time, period shop.Period) (shop.KPIReport, error) {
	if !to.After(from) {
		return shop.KPIReport{}, fmt.Errorf("desk: KPIs: the span %v..%v is empty", from, to)
	}
	rep, err := read(ctx, func() (shop.KPIReport, error) { return d.db.KPIReport(from, to, period) })
	if err != nil {
		return rep, err
	}
	if !d.IsManager(ctx) {
		rep = rep.Only(d.Staff().Number)
	}
	return rep, nil
}

// MonthRanking is a month's ranking as the Team screen shows it.
type MonthRanking struct {
	shop.Ranking
	Start time.Time // the month's first day in the shop's zone
	Over  bool      // the month has ended (a manager may close it)
}

// Ranking returns the ranking of the month holding t: the snapshot kept when it was closed,
// or, while it is not, computed now from the month's figures with the weights in force. An
// agent gets her own row only.
func (d *Desk) Ranking(ctx context.Context, t time.Time) (MonthRanking, error) {
	loc := d.ShopZone(ctx)
	start := shop.PeriodMonth.Start(t, loc)
	end := shop.PeriodMonth.Next(start)
	mr := MonthRanking{Start: start, Over: !d.clock.Now().Before(end)}
	month := start.Format(shop.MonthLayout)
	kept, ok, err := read2(ctx, func() (shop.Ranking, bool, error) { return d.db.ClosedRanking(month) })
	if err != nil {
		return mr, err
	}
	if ok {
		mr.Ranking = kept
		return d.ownRows(ctx, mr), nil
	}
	w, err := read(ctx, d.db.TeamWeights)
	if err != nil {
		return mr, err
	}
	rep, err := read(ctx, func() (shop.KPIReport, error) { return d.db.KPIReport(start, end, "") })
	if err != nil {
		return mr, err
	}
	mr.Ranking = shop.Rank(month, rep.Total, w)
	return d.ownRows(ctx, mr), nil
}

// ownRows cuts a ranking down to the signed-in staff member's row when she is an agent.
func (d *Desk) ownRows(ctx context.Context, mr MonthRanking) MonthRanking {
	if d.IsManager(ctx) {
		return mr
	}
	me := d.Staff().Number
	var rows []shop.RankRow
	for _, r := range mr.Rows {
		if r.Staff == me {
			rows = append(rows, r)
		}
	}
	mr.Rows = rows
	return mr
}

// read2 is read for a query that also says whether it found something.
func read2[T any](ctx context.Context, q func() (T, bool, error)) (T, bool, error) {
	type found struct {
		v  T
		ok bool
	}
	f, err := read(ctx, func() (found, error) {
		v, ok, err := q()
		return found{v, ok}, err
	})
	return f.v, f.ok, err
}

// RankingWeights returns the ranking's weights in force.
func (d *Desk) RankingWeights(ctx context.Context) (shop.RankingWeights, error) {
	return read(ctx, d.db.TeamWeights)
}

// SetRankingWeights records the manager's new weights for the ranking (team.set_weights).
func (d *Desk) SetRankingWeights(ctx context.Context, w shop.RankingWeights) error {
	if !d.IsManager(ctx) {
		return ErrManagersOnly
	}
	_, err := d.Apply(ctx, Action{Kind: shop.KindTeamSetWeights, Entity: shop.TeamID, BaseOf: shop.TypeTeam, Data: w})
	return err
}

// CloseMonth keeps the ranking of the finished month holding t as it stands now
// (ranking.close): later records and weight changes leave it as it is.
func (d *Desk) CloseMonth(ctx context.Context, t time.Time) (shop.Ranking, error) {
	if !d.IsManager(ctx) {
		return shop.Ranking{}, ErrManagersOnly
	}
	mr, err := d.Ranking(ctx, t)
	if err != nil {
		return shop.Ranking{}, err
	}
	if mr.Closed() {
		return mr.Ranking, nil
	}
	if !mr.Over {
		return shop.Ranking{}, fmt.Errorf("desk: the month %s is not over yet", mr.ID)
	}
	out, err := d.Apply(ctx, Action{Kind: shop.KindRankingClose, Entity: mr.ID, Data: mr.Ranking})
	if err != nil {
		return shop.Ranking{}, err
	}
	for _, r := range out.Records {
		if r.Type == shop.TypeRanking {
			var kept shop.Ranking
			if err := r.Decode(&kept); err != nil {
				return shop.Ranking{}, err
			}
			return kept, nil
		}
	}
	return mr.Ranking, nil
}
