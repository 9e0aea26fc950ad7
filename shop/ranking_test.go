package shop

import (
	"strings"
	"testing"
	"time"
)

func monthTotal(staff ...StaffFigures) KPIBucket { return KPIBucket{Staff: staff} }

func TestRankWeightsBestWorst(t *testing.T) {
	fast := StaffFigures{Staff: "1001", Figures: Figures{Firsts: 10, FirstSeconds: 300, Conversations: 10, Converted: 2, Calls: 100, Quota: 200}}
	slow := StaffFigures{Staff: "1002", Figures: Figures{Firsts: 10, FirstSeconds: 1200, Conversations: 10, Converted: 5, Calls: 200, Quota: 200, Revisions: 3}}
	idle := StaffFigures{Staff: "1003"}
	total := monthTotal(fast, slow, idle)

	onlyResponse := Rank("2026-11", total, RankingWeights{Response: 1})
	if len(onlyResponse.Rows) != 2 {
		t.Fatalf("rows %+v, want the two staff with work", onlyResponse.Rows)
	}
	if r := onlyResponse.Rows[0]; r.Staff != "1001" || !r.Best || r.Score != 100 {
		t.Errorf("with response only, first %+v, want 1001 best at 100", r)
	}
	if r := onlyResponse.Rows[1]; r.Staff != "1002" || !r.Worst || r.Score != 25 {
		t.Errorf("with response only, last %+v, want 1002 worst at 25 (300s over 1200s)", r)
	}
	conv := Rank("2026-11", total, RankingWeights{Conversion: 1, Quota: 1, Revisions: 1})
	if conv.Rows[0].Staff != "1002" || !conv.Rows[0].Best || !conv.Rows[1].Worst {
		t.Errorf("with conversion, quota and revisions, rows %+v, want 1002 best", conv.Rows)
	}
	same := Rank("2026-11", monthTotal(fast, StaffFigures{Staff: "1004", Figures: fast.Figures}), DefaultRankingWeights)
	for _, r := range same.Rows {
		if r.Best || r.Worst {
			t.Errorf("equal scores marked best or worst: %+v", same.Rows)
		}
	}
}

func TestTeamSetWeightsOnlyManagers(t *testing.T) {
	s := fixture()
	w := RankingWeights{Response: 50, Conversion: 50}
	rejected(t, s, mut(t, KindTeamSetWeights, TeamID, "1002", w), "only the shop's owner or a manager")
	rejected(t, s, mut(t, KindTeamSetWeights, TeamID, "1001", RankingWeights{}), "at least one weight")
	rejected(t, s, mut(t, KindTeamSetWeights, TeamID, "1001", RankingWeights{Response: 101}), "0 to 100")
	s.add(TypeTeam, TeamID, TeamSettings{ID: TeamID, CallQuota: map[string]int{"1002": 150}})
	apply(t, s, mut(t, KindTeamSetWeights, TeamID, "1001", w))
	got := get[TeamSettings](t, s, TypeTeam, TeamID)
	if got.RankingWeights() != w || got.UpdatedBy != "1001" {
		t.Errorf("settings after set_weights %+v", got)
	}
	if got.QuotaOf("1002") != 150 {
		t.Errorf("set_weights lost the quota: %+v", got)
	}
}

func TestRankingCloseKeepsTheMonth(t *testing.T) {
	s := fixture()
	rk := Rank("2026-10", monthTotal(StaffFigures{Staff: "1002", Figures: Figures{Calls: 3, Quota: 200}}), DefaultRankingWeights)
	rejected(t, s, mut(t, KindRankingClose, "2026-10", "1002", rk), "only the shop's owner or a manager")
	rejected(t, s, mut(t, KindRankingClose, "2026-11", "1001", rk), "not over yet") // t0 is in November
	rejected(t, s, mut(t, KindRankingClose, "october", "1001", rk), "its month")
	apply(t, s, mut(t, KindRankingClose, "2026-10", "1001", rk))
	got := get[Ranking](t, s, TypeRanking, "2026-10")
	if !got.Closed() || got.ClosedBy != "1001" || len(got.Rows) != 1 || got.Rows[0].Staff != "1002" {
		t.Errorf("closed ranking %+v", got)
	}
	if m, err := got.Month(ShopZone); err != nil || !m.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, ShopZone)) {
		t.Errorf("month %v %v", m, err)
	}
	_, err := Decide(s, mut(t, KindRankingClose, "2026-10", "1001", rk), t0)
	if err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Errorf("closing a month twice: %v, want a rejection", err)
	}
}
