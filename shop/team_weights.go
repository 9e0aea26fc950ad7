package shop

// The ranking's weights kind: the owner or a manager sets how the monthly ranking weighs its
// figures. The rule reads the staff entity of the mutation's staff member and checks its role,
// and the server puts the token's staff number in every mutation, so an agent is refused on
// the server too.
const KindTeamSetWeights Kind = "team.set_weights" // entity: TeamID

var teamWeightKinds = []KindSpec{
	{Kind: KindTeamSetWeights, Entity: TypeTeam, EntityID: TeamID, Creates: CreatesNothing, Label: "Ranking weights", Rule: withData(teamSetWeights)},
}

func teamSetWeights(d *decider, w RankingWeights) error {
	if d.m.Entity != TeamID {
		return reject("the team settings live in entity %q", TeamID)
	}
	if err := d.needManager("set the ranking's weights"); err != nil {
		return err
	}
	if err := checkWeights(w); err != nil {
		return err
	}
	var t TeamSettings
	if _, _, err := d.r.Get(TypeTeam, TeamID, &t); err != nil {
		return err
	}
	t.ID, t.Weights, t.UpdatedBy, t.UpdatedAt = TeamID, &w, d.m.Staff, d.at
	d.put(TypeTeam, TeamID, t)
	return nil
}
