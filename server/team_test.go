package server

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"kefu/shop"
	"kefu/storeapi"
)

// teamShop imports shop gamma: owner 3001, agent 3002, manager 3003, a customer with six
// unpaid orders of ¥90 and a conversation; agent 3002 may give ¥30 per order and ¥50 a day.
func teamShop(e *env) {
	e.t.Helper()
	now := e.clock.Now()
	recs := []shop.Record{
		rec(shop.TypeShop, "gamma", shop.Shop{ID: "gamma", Name: "伽马童装"}),
		rec(shop.TypeStaff, "3001", shop.Staff{Number: "3001", Name: "王晓", Role: shop.RoleOwner}),
		rec(shop.TypeStaff, "3002", shop.Staff{Number: "3002", Name: "李娜", Role: shop.RoleAgent}),
		rec(shop.TypeStaff, "3003", shop.Staff{Number: "3003", Name: "刘强", Role: shop.RoleManager}),
		rec(shop.TypeCustomer, "ug-1", shop.Customer{ID: "ug-1", Nick: "差几块包邮", CreatedAt: now}),
		rec(shop.TypeConversation, "cg-1", shop.Conversation{ID: "cg-1", CustomerID: "ug-1", Nick: "差几块包邮"}),
		rec(shop.TypeTeam, shop.TeamID, shop.TeamSettings{ID: shop.TeamID, Limits: map[string]shop.ConcessionLimit{"3002": {PerOrder: 3000, PerDay: 5000}}}),
	}
	for i := 1; i <= 6; i++ {
		id := fmt.Sprintf("og-%d", i)
		recs = append(recs, rec(shop.TypeOrder, id, shop.Order{ID: id, CustomerID: "ug-1", Status: shop.StatusUnpaid, Payment: shop.PayOnline,
			Shipping: 1000, Total: 9000, CreatedAt: now}))
	}
	var logins []StaffLogin
	for _, n := range []string{"3001", "3002", "3003"} {
		logins = append(logins, StaffLogin{Staff: shop.Staff{Number: n}, Password: pass})
	}
	e.importShop("gamma", recs, logins...)
}

func giveOn(t *testing.T, order string, amount shop.Cents) shop.Mutation {
	return mut(t, shop.KindConcessionGive, shop.NewID(), 0, shop.ConcessionGive{NoteID: shop.NewID(), OrderID: order, ConversationID: "cg-1",
		Kind: shop.ConcessionPriceCut, Amount: amount, Reason: "差几块包邮"})
}

// TestConcessionsFromTwoDesksAtOnceStayWithinTheDailyLimit: agent 3002 is signed in on two
// desks that were both offline; each gives three ¥20 price cuts, which each desk alone would
// apply (¥60 is over the ¥50 a day, but each desk saw only its own). Both push at once: the
// server decides each on its own state, so exactly two are applied (¥40) and the other four
// wait for a manager, whatever the order the batches met in.
func TestConcessionsFromTwoDesksAtOnceStayWithinTheDailyLimit(t *testing.T) {
	e := startEnv(t, t.TempDir(), &testClock{t: monday10})
	teamShop(e)
	deskA, deskB := e.login("gamma", "3002"), e.login("gamma", "3002")
	batchA := []shop.Mutation{giveOn(t, "og-1", 2000), giveOn(t, "og-2", 2000), giveOn(t, "og-3", 2000)}
	batchB := []shop.Mutation{giveOn(t, "og-4", 2000), giveOn(t, "og-5", 2000), giveOn(t, "og-6", 2000)}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	results := make([]storeapi.MutationsResponse, 2)
	for i, b := range []struct {
		token string
		ms    []shop.Mutation
	}{{deskA, batchA}, {deskB, batchB}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.tryCall("POST", storeapi.PathMutations, b.token, storeapi.MutationsRequest{Mutations: b.ms}, 200, &results[i])
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("desk %d: %v", i, err)
		}
		for _, r := range results[i].Results {
			expectStatus(t, r, storeapi.StatusApplied) // a request is applied: as a request
		}
	}
	feed := e.all(deskA)
	var applied, requested int
	var given shop.Cents
	for _, m := range append(batchA, batchB...) {
		var c shop.Concession
		if err := feed["concession/"+m.Entity].Decode(&c); err != nil {
			t.Fatalf("concession %s: %v", m.Entity, err)
		}
		var o shop.Order
		if err := feed["order/"+c.OrderID].Decode(&o); err != nil {
			t.Fatal(err)
		}
		switch c.State {
		case shop.ConcessionApplied:
			applied++
			given += c.Amount
			if o.Conceded != c.Amount {
				t.Errorf("order %s: conceded %s after an applied %s", o.ID, o.Conceded, c.Amount)
			}
		case shop.ConcessionRequested:
			requested++
			if o.Conceded != 0 {
				t.Errorf("order %s: conceded %s while its concession waits", o.ID, o.Conceded)
			}
		default:
			t.Errorf("concession %s is %s", c.ID, c.State)
		}
		if c.Staff != "3002" {
			t.Errorf("concession %s by %q", c.ID, c.Staff)
		}
	}
	if applied != 2 || requested != 4 || given != 4000 {
		t.Fatalf("%d applied (%s) and %d requested; want 2 (¥40.00) and 4", applied, given, requested)
	}
	var tally shop.ConcessionTally
	if err := feed["concession_tally/3002"].Decode(&tally); err != nil || tally.On(monday10) != (shop.ConcessionDay{Given: 4000, Count: 2}) {
		t.Fatalf("the day's total: %+v, %v", tally, err)
	}
	// The same batch again changes nothing: duplicates, the first outcome each.
	for _, r := range e.push(deskB, batchB...) {
		expectStatus(t, r, storeapi.StatusDuplicate)
	}
}

// TestConcessionApprovalAndTeamSettingsGatedOnServer: the manager-only kinds are refused for
// an agent by the server itself, whatever the agent's desk claims; a manager's approval is
// applied once, and a second decision is a conflict naming who decided.
func TestConcessionApprovalAndTeamSettingsGatedOnServer(t *testing.T) {
	e := startEnv(t, t.TempDir(), &testClock{t: monday10})
	teamShop(e)
	agent, owner, manager := e.login("gamma", "3002"), e.login("gamma", "3001"), e.login("gamma", "3003")

	big := giveOn(t, "og-1", 4000) // over ¥30 per order
	expectStatus(t, e.push(agent, big)[0], storeapi.StatusApplied)
	var c shop.Concession
	if err := e.all(agent)["concession/"+big.Entity].Decode(&c); err != nil || c.State != shop.ConcessionRequested {
		t.Fatalf("a ¥40 concession: %+v, %v", c, err)
	}

	// An agent's desk that claims to be the owner is still the agent to the server.
	approve := mut(t, shop.KindConcessionApprove, big.Entity, 0, shop.ConcessionDecide{NoteID: shop.NewID(), Answer: "同意"})
	approve.Staff = "3001"
	r := e.push(agent, approve)[0]
	expectStatus(t, r, storeapi.StatusRejected)
	if !contains(r.Reason, "only the shop's owner or a manager") || !contains(r.Reason, "staff 3002 is agent") {
		t.Errorf("the agent's approval was refused with %q", r.Reason)
	}
	for _, m := range []shop.Mutation{
		mut(t, shop.KindTeamSetLimits, shop.TeamID, 0, shop.TeamLimitsSet{Staff: "3002", PerOrder: 100000, PerDay: 100000}),
		mut(t, shop.KindTeamSetQuota, shop.TeamID, 0, shop.TeamQuotaSet{Staff: "3002", Quota: 1}),
	} {
		if r := e.push(agent, m)[0]; r.Status != storeapi.StatusRejected || !contains(r.Reason, "staff 3002 is agent") {
			t.Errorf("%s by an agent: %s %q", m.Kind, r.Status, r.Reason)
		}
	}

	approve = mut(t, shop.KindConcessionApprove, big.Entity, 0, shop.ConcessionDecide{NoteID: shop.NewID(), Answer: "老客户，同意"})
	expectStatus(t, e.push(manager, approve)[0], storeapi.StatusApplied)
	e.clock.Advance(time.Minute)
	decline := mut(t, shop.KindConcessionDecline, big.Entity, 0, shop.ConcessionDecide{NoteID: shop.NewID(), Answer: "不行"})
	r = e.push(owner, decline)[0]
	expectStatus(t, r, storeapi.StatusConflict)
	if r.Conflict.By != "3003" || !contains(r.Conflict.Reason, "approved already") {
		t.Errorf("the second decision: %+v", r.Conflict)
	}
	feed := e.all(owner)
	var o shop.Order
	if err := feed["order/og-1"].Decode(&o); err != nil || o.Conceded != 4000 || o.NoteCount != 2 {
		t.Fatalf("the order after approval: %+v, %v", o, err)
	}
	if err := feed["concession/"+big.Entity].Decode(&c); err != nil || c.State != shop.ConcessionApproved || c.DecidedBy != "3003" || c.Answer != "老客户，同意" {
		t.Fatalf("the approved concession: %+v, %v", c, err)
	}

	// The owner raises the agent's limit: the next ¥40 is applied at once.
	expectStatus(t, e.push(owner, mut(t, shop.KindTeamSetLimits, shop.TeamID, 0, shop.TeamLimitsSet{Staff: "3002", PerOrder: 5000, PerDay: 20000}))[0], storeapi.StatusApplied)
	next := giveOn(t, "og-2", 4000)
	expectStatus(t, e.push(agent, next)[0], storeapi.StatusApplied)
	if err := e.all(agent)["concession/"+next.Entity].Decode(&c); err != nil || c.State != shop.ConcessionApplied {
		t.Fatalf("¥40 within the raised limit: %+v, %v", c, err)
	}
}
