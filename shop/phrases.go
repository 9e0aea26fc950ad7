package shop

// The quick-phrase kinds; their entity is a phrase.
const (
	KindPhrasePut    Kind = "phrase.put"
	KindPhraseDelete Kind = "phrase.delete"
	KindPhraseUse    Kind = "phrase.use"
)

var phraseKinds = []KindSpec{
	{Kind: KindPhrasePut, Entity: TypePhrase, Creates: CreatesNothing, Label: "Quick phrase", Rule: rule(phraseTarget, phrasePut)},
	{Kind: KindPhraseDelete, Entity: TypePhrase, Creates: CreatesNothing, Label: "Quick phrase deleted", Rule: rule(phraseTarget, phraseDelete)},
	{Kind: KindPhraseUse, Entity: TypePhrase, Creates: CreatesNothing, Label: "Quick phrase used", Rule: rule(phraseTarget, phraseUse)},
}

// phraseState is the phrase a mutation names, as it is before the mutation.
type phraseState struct {
	old    QuickPhrase
	exists bool
}

// phraseTarget reads the phrase; only its owner may change a personal phrase (anyone may use it).
func phraseTarget(d *decider, ph *phraseState) error {
	_, exists, err := d.r.Get(TypePhrase, d.m.Entity, &ph.old)
	if err != nil {
		return err
	}
	ph.exists = exists
	if exists && ph.old.Owner != "" && ph.old.Owner != d.m.Staff && d.m.Kind != KindPhraseUse {
		return reject("phrase %s is %s's personal phrase", d.m.Entity, ph.old.Owner)
	}
	return nil
}

func phrasePut(d *decider, ph *phraseState, p QuickPhrase) error {
	if err := rejectText("shortcut", p.Shortcut, MaxShortText, false); err != nil {
		return err
	}
	if err := rejectText("phrase", p.Text, MaxMessageRunes, true); err != nil {
		return err
	}
	if p.Owner != "" && p.Owner != d.m.Staff {
		return reject("a personal phrase belongs to the staff member who writes it")
	}
	p.ID, p.Uses = d.m.Entity, ph.old.Uses
	d.put(TypePhrase, p.ID, p)
	return nil
}

func phraseDelete(d *decider, ph *phraseState, _ NoData) error {
	if !ph.exists {
		return reject("phrase %s does not exist", d.m.Entity)
	}
	d.out.Records = append(d.out.Records, Record{Type: TypePhrase, ID: d.m.Entity, Deleted: true})
	return nil
}

func phraseUse(d *decider, ph *phraseState, _ NoData) error {
	if !ph.exists {
		return reject("phrase %s does not exist", d.m.Entity)
	}
	ph.old.Uses++
	d.put(TypePhrase, ph.old.ID, ph.old)
	return nil
}
