package shop

import (
	"testing"
	"time"
)

// TestAfterSalesStaleMoves: a move asked from a state the case is no longer in is a conflict
// for every combination, even when the move itself would be legal from the current state, and
// the case does not change.
func TestAfterSalesStaleMoves(t *testing.T) {
	for _, actual := range CaseStates {
		for _, from := range CaseStates {
			if from == actual {
				continue
			}
			for _, to := range CaseStates {
				s := fixture()
				s.add(TypeCase, "k1", AfterSalesCase{ID: "k1", OrderID: "o3", State: actual,
					Steps: []Step{{To: string(actual), Staff: "1002", At: t0.Add(-time.Hour)}}})
				out, err := Decide(s, mut(t, KindCaseMove, "k1", "1001", Move{From: string(from), To: string(to)}), t0)
				if err != nil {
					t.Fatalf("%s (seen as %s) → %s: %v", actual, from, to, err)
				}
				if out.Conflict == nil || len(out.Records) != 0 {
					t.Fatalf("%s (seen as %s) → %s: no conflict (%+v)", actual, from, to, out)
				}
				if out.Conflict.By != "1002" {
					t.Errorf("%s (seen as %s) → %s: conflict names %q, not who moved it last", actual, from, to, out.Conflict.By)
				}
			}
		}
	}
	// An unknown target state is rejected, not a conflict.
	s := fixture()
	s.add(TypeCase, "k1", AfterSalesCase{ID: "k1", OrderID: "o3", State: CaseOpen})
	rejected(t, s, mut(t, KindCaseMove, "k1", "1001", Move{From: "open", To: "lost_in_space"}), "unknown")
}

// TestCaseNeedsAttention: overdue or untouched unfinished cases need attention; finished ones
// never do, however old.
func TestCaseNeedsAttention(t *testing.T) {
	now := t0
	fresh := AfterSalesCase{State: CaseOpen, CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour), Due: now.Add(48 * time.Hour)}
	cases := []struct {
		name      string
		c         AfterSalesCase
		overdue   bool
		untouched bool
	}{
		{"fresh", fresh, false, false},
		{"past due", func() AfterSalesCase { c := fresh; c.Due = now.Add(-time.Minute); return c }(), true, false},
		{"exchange waiting 20 days", func() AfterSalesCase {
			c := fresh
			c.State, c.UpdatedAt, c.Due = CaseWaitingWarehouse, now.Add(-20*24*time.Hour), now.Add(10*24*time.Hour)
			return c
		}(), false, true},
		{"no due date, opened long ago, never moved", AfterSalesCase{State: CaseOpen, CreatedAt: now.Add(-4 * 24 * time.Hour)}, false, true},
		{"resolved long ago", func() AfterSalesCase {
			c := fresh
			c.State, c.UpdatedAt, c.Due = CaseResolved, now.Add(-60*24*time.Hour), now.Add(-50*24*time.Hour)
			return c
		}(), false, false},
		{"refunded and overdue", func() AfterSalesCase { c := fresh; c.State, c.Due = CaseRefunded, now.Add(-time.Hour); return c }(), false, false},
	}
	for _, tc := range cases {
		if got := tc.c.Overdue(now); got != tc.overdue {
			t.Errorf("%s: Overdue = %v", tc.name, got)
		}
		if got := tc.c.Untouched(now); got != tc.untouched {
			t.Errorf("%s: Untouched = %v", tc.name, got)
		}
		if got := tc.c.NeedsAttention(now); got != (tc.overdue || tc.untouched) {
			t.Errorf("%s: NeedsAttention = %v", tc.name, got)
		}
	}
}
