package server

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

func kpiPath(from, to time.Time, period, staff string) string {
	q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}, "period": {period}}
	if staff != "" {
		q.Set("staff", staff)
	}
	return storeapi.PathKPIs + "?" + q.Encode()
}

// The server computes the KPIs from its store; an agent is refused the team's figures and a
// colleague's, on the server, and gets her own.
func TestKPIsGatedByRoleOnTheServer(t *testing.T) {
	e := startEnv(t, t.TempDir(), &testClock{t: monday10})
	e.seedFixtures()
	owner, agent := e.login("alpha", "1001"), e.login("alpha", "1002")
	for _, tok := range []string{agent, owner} {
		expectStatus(t, e.push(tok, mut(t, shop.KindChatSend, "c-1", 0, shop.ChatSend{MessageID: shop.NewID(), Text: "亲，在的"}))[0], storeapi.StatusApplied)
	}
	// An agent's outage is hers whatever its data says.
	out := mut(t, shop.KindOutageRecord, "out-1", 0, shop.Outage{Staff: "1001", From: monday10.Add(-time.Hour), To: monday10.Add(-50 * time.Minute), Why: "offline"})
	expectStatus(t, e.push(agent, out)[0], storeapi.StatusApplied)
	if r := e.all(owner)["outage/out-1"]; !contains(string(r.Data), `"staff":"1002"`) {
		t.Errorf("the agent's outage reads %s, want staff 1002", r.Data)
	}

	from := shop.PeriodDay.Start(monday10, shop.ShopZone)
	to := shop.PeriodDay.Next(from)
	var team storeapi.KPIResponse
	e.call("GET", kpiPath(from, to, "day", ""), owner, nil, http.StatusOK, &team)
	if n := len(team.Report.Total.Staff); n != 2 || team.Report.Total.Team.Handled != 1 || team.Report.OnlyStaff != "" {
		t.Fatalf("the owner's report: %d staff, team %+v", n, team.Report.Total.Team)
	}
	if f, _ := team.Report.Total.Of("1002"); f.Handled != 1 || f.Role != shop.RoleAgent {
		t.Errorf("the agent's figures in the owner's report: %+v", f)
	}

	e.expectError("GET", kpiPath(from, to, "day", ""), agent, nil, http.StatusForbidden, storeapi.CodeForbidden)
	e.expectError("GET", kpiPath(from, to, "day", "1001"), agent, nil, http.StatusForbidden, storeapi.CodeForbidden)
	var own storeapi.KPIResponse
	e.call("GET", kpiPath(from, to, "week", "1002"), agent, nil, http.StatusOK, &own)
	if len(own.Report.Total.Staff) != 1 || own.Report.Total.Staff[0].Staff != "1002" || own.Report.Total.Team.Handled != 0 || own.Report.OnlyStaff != "1002" {
		t.Errorf("the agent's own report: %+v", own.Report.Total)
	}
	e.expectError("GET", kpiPath(from, to, "year", ""), owner, nil, http.StatusBadRequest, storeapi.CodeBadRequest)
	e.expectError("GET", kpiPath(to, from, "day", ""), owner, nil, http.StatusBadRequest, storeapi.CodeBadRequest)
	e.expectError("GET", storeapi.PathKPIs+"?from=yesterday", owner, nil, http.StatusBadRequest, storeapi.CodeBadRequest)

	// The ranking's weights and a month's closing are the owner's and managers' on the server.
	w := shop.RankingWeights{Response: 50, Quota: 50}
	if r := e.push(agent, mut(t, shop.KindTeamSetWeights, shop.TeamID, 0, w))[0]; r.Status != storeapi.StatusRejected || !contains(r.Reason, "owner or a manager") {
		t.Errorf("an agent's team.set_weights: %+v", r)
	}
	expectStatus(t, e.push(owner, mut(t, shop.KindTeamSetWeights, shop.TeamID, 0, w))[0], storeapi.StatusApplied)
	rk := shop.Rank("2026-10", team.Report.Total, w)
	if r := e.push(agent, mut(t, shop.KindRankingClose, "2026-10", 0, rk))[0]; r.Status != storeapi.StatusRejected {
		t.Errorf("an agent closed a month: %+v", r)
	}
	expectStatus(t, e.push(owner, mut(t, shop.KindRankingClose, "2026-10", 0, rk))[0], storeapi.StatusApplied)
}
