package server

import (
	"context"
	"net/http"
	"time"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// The team's KPIs computed on the server (GET /v1/kpis): the shop's records are scanned once
// through the store's feed (every backend keeps it) into shop's KPI accumulator, which keeps
// only what the figures need. Who may see what is decided here, by the staff entity of the
// token's staff member: owners and managers see everyone and the team; an agent only herself.

// KPIs computes the KPIs of shop shopID for [from, to) in buckets of period, as staff member
// staff may see them: everyone's for an owner or a manager, only staff's own figures for an
// agent, who must ask for them by name (only = her number). only, when set, cuts the report
// to that staff member; an agent asking for anyone else, or for the team, is refused with
// ErrForbidden.
func (s *Server) KPIs(ctx context.Context, shopID, staff string, from, to time.Time, period shop.Period, only string) (shop.KPIReport, error) {
	var rep shop.KPIReport
	if !to.After(from) || to.Sub(from) > storeapi.MaxKPISpan*time.Second {
		return rep, refuse(ErrInvalid, "the span from %s to %s is empty or longer than %d days", from.Format(time.RFC3339), to.Format(time.RFC3339), storeapi.MaxKPISpan/86400)
	}
	if period != "" && !period.Valid() {
		return rep, refuse(ErrInvalid, "period %q is not day, week or month", period)
	}
	err := s.store.View(ctx, shopID, func(tx store.ReadTx) error {
		rd := txReader{tx}
		var me shop.Staff
		if _, ok, err := rd.Get(shop.TypeStaff, staff, &me); err != nil {
			return err
		} else if !ok {
			return refuse(ErrForbidden, "staff %s is not a staff member of the shop", staff)
		}
		manager := me.Role == shop.RoleOwner || me.Role == shop.RoleManager
		if !manager && only != staff {
			if only == "" {
				return refuse(ErrForbidden, "only the shop's owner or a manager may see the team's figures; ask for your own with staff=%s", staff)
			}
			return refuse(ErrForbidden, "only the shop's owner or a manager may see another staff member's figures")
		}
		var hours shop.AutoReplies
		if _, _, err := rd.Get(shop.TypeAutoReply, shop.AutoRepliesID, &hours); err != nil {
			return err
		}
		var team shop.TeamSettings
		if _, _, err := rd.Get(shop.TypeTeam, shop.TeamID, &team); err != nil {
			return err
		}
		acc := shop.NewKPIAccumulator(shop.KPIOptions{From: from, To: to, Period: period, Hours: hours, Team: team})
		wanted := map[shop.EntityType]bool{}
		for _, t := range shop.KPITypes {
			wanted[t] = true
		}
		var ferr error
		if err := tx.Feed(0, func(r shop.Record) bool {
			if !wanted[r.Type] {
				return true
			}
			ferr = acc.AddRecord(r)
			return ferr == nil
		}); err != nil {
			return err
		}
		if ferr != nil {
			return ferr
		}
		rep = acc.Report()
		if only != "" {
			rep = rep.Only(only)
		}
		return nil
	})
	return rep, err
}

// handleKPIs answers GET /v1/kpis?from=&to=&period=[&staff=].
func (s *Server) handleKPIs(w http.ResponseWriter, r *http.Request, tok store.TokenInfo) {
	q := r.URL.Query()
	from, err1 := time.Parse(time.RFC3339, q.Get("from"))
	to, err2 := time.Parse(time.RFC3339, q.Get("to"))
	if err1 != nil || err2 != nil {
		fail(w, http.StatusBadRequest, storeapi.CodeBadRequest, "from and to must be RFC 3339 times, like 2026-11-01T00:00:00+08:00")
		return
	}
	rep, err := s.KPIs(r.Context(), tok.Shop, tok.Staff, from, to, shop.Period(q.Get("period")), q.Get("staff"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, storeapi.KPIResponse{Report: rep})
}
