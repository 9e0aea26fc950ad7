package shop

// The team settings kinds: a manager sets each staff member's weekly call quota and
// concession limits. Their entity is always TeamID. Both are for the shop's owner and its
// managers only: the rule reads the role of the mutation's staff member, and since the server
// puts the token's staff number in every mutation, the same rule gates the kinds on the
// server (an agent's desk that sends one anyway gets a rejection).
const (
	KindTeamSetQuota  Kind = "team.set_quota"
	KindTeamSetLimits Kind = "team.set_limits"
)

var teamSettingsKinds = []KindSpec{
	{Kind: KindTeamSetQuota, Entity: TypeTeam, EntityID: TeamID, Creates: CreatesNothing, Label: "Call quota set", Rule: rule(teamTarget, teamSetQuota)},
	{Kind: KindTeamSetLimits, Entity: TypeTeam, EntityID: TeamID, Creates: CreatesNothing, Label: "Concession limits set", Rule: rule(teamTarget, teamSetLimits)},
}

// Bounds of what a manager may set.
const (
	MaxCallQuota      = 10_000     // calls a week
	MaxConcessionFen  = 10_000_000 // ¥100,000: the most any limit or concession may be
	maxTeamStaffEntry = 500        // staff numbers with their own quota or limit
)

// TeamQuotaSet sets one staff member's weekly call quota.
type TeamQuotaSet struct {
	Staff string `json:"staff"`
	Quota int    `json:"quota"`
}

// TeamLimitsSet sets one staff member's concession limits, in fen.
type TeamLimitsSet struct {
	Staff    string `json:"staff"`
	PerOrder Cents  `json:"per_order"`
	PerDay   Cents  `json:"per_day"`
}

// teamTarget checks that the mutation names the one team entity and reads it into t (the
// zero settings while no manager has set any), then checks that the mutation's staff member
// may change it.
func teamTarget(d *decider, t *TeamSettings) error {
	if d.m.Entity != TeamID {
		return reject("the team settings live in entity %q", TeamID)
	}
	if _, _, err := d.r.Get(TypeTeam, TeamID, t); err != nil {
		return err
	}
	t.ID = TeamID
	return d.needManager("change the team settings")
}

// needManager refuses the mutation unless its staff member is the shop's owner or a manager;
// what says what they tried to do.
func (d *decider) needManager(what string) error {
	var s Staff
	_, ok, err := d.r.Get(TypeStaff, d.m.Staff, &s)
	if err != nil {
		return err
	}
	if !ok {
		return reject("only the shop's owner or a manager may %s; staff %s is %s", what, d.m.Staff, "unknown")
	}
	if !IsManager(s) {
		return reject("only the shop's owner or a manager may %s; staff %s is %s", what, d.m.Staff, s.Role)
	}
	return nil
}

// IsManager reports whether a staff member is the shop's owner or a manager: who sets the
// team's quotas and limits and decides concession requests.
func IsManager(s Staff) bool { return s.Role == RoleOwner || s.Role == RoleManager }

// teamStaff checks that staff number n names a staff member and that the settings can take
// one more entry for them.
func (d *decider) teamStaff(n string, entries int, has bool) error {
	var s Staff
	if _, err := d.load(TypeStaff, n, &s); err != nil {
		return err
	}
	if !has && entries >= maxTeamStaffEntry {
		return reject("too many staff members with their own settings")
	}
	return nil
}

func teamSetQuota(d *decider, t *TeamSettings, p TeamQuotaSet) error {
	_, has := t.CallQuota[p.Staff]
	if err := d.teamStaff(p.Staff, len(t.CallQuota), has); err != nil {
		return err
	}
	if p.Quota < 0 || p.Quota > MaxCallQuota {
		return reject("call quota %d is out of range", p.Quota)
	}
	if t.CallQuota == nil {
		t.CallQuota = map[string]int{}
	}
	t.CallQuota[p.Staff] = p.Quota
	t.UpdatedBy, t.UpdatedAt = d.m.Staff, d.at
	d.put(TypeTeam, TeamID, *t)
	return nil
}

func teamSetLimits(d *decider, t *TeamSettings, p TeamLimitsSet) error {
	_, has := t.Limits[p.Staff]
	if err := d.teamStaff(p.Staff, len(t.Limits), has); err != nil {
		return err
	}
	for _, v := range []Cents{p.PerOrder, p.PerDay} {
		if v < 0 || v > MaxConcessionFen {
			return reject("concession limit %s is out of range", v)
		}
	}
	if t.Limits == nil {
		t.Limits = map[string]ConcessionLimit{}
	}
	t.Limits[p.Staff] = ConcessionLimit{PerOrder: p.PerOrder, PerDay: p.PerDay}
	t.UpdatedBy, t.UpdatedAt = d.m.Staff, d.at
	d.put(TypeTeam, TeamID, *t)
	return nil
}
