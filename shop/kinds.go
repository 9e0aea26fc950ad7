package shop

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// Kind names what a mutation does. Kinds are part of the store API.
type Kind string

// KindSpec declares one mutation kind: everything the rest of the system derives from it. Each
// kind is one KindSpec in the registry, next to its rule in the file of its family (chat.go,
// orders.go …); CheckSpec says what a spec lacks.
type KindSpec struct {
	// Kind is the kind's name, "family.verb"; it is part of the store API.
	Kind Kind
	// Entity is the type of the entity Mutation.Entity names: the one the kind changes, or
	// creates when New is set.
	Entity EntityType
	// EntityID is the one id the entity may have, for a kind whose entity is a singleton
	// (the auto-replies live in AutoRepliesID); "" for any id.
	EntityID string
	// New says that Mutation.Entity is the id of an entity the mutation creates: a second
	// mutation with the same entity is rejected.
	New bool
	// Creates lists the records a mutation of the kind adds under ids it carries and that no
	// mutation removes (messages, notes, new cases …); CreatesNothing for none. An entity the
	// kind only upserts (a quick phrase, a group) is not listed.
	Creates []Creation
	// Label is the translation key (lang.L) of the kind's name on the desk, in English.
	Label string
	// Rule is what the kind does; its type parameters give the payload type.
	Rule Rule
}

// Creation is one kind of record a mutation adds: its type, and where its id is.
type Creation struct {
	Type EntityType
	// IDField is the JSON field of the payload that holds the new record's id, or "" when it
	// is Mutation.Entity. A mutation that leaves the field empty adds no such record.
	IDField string
}

// CreatesNothing is KindSpec.Creates for a kind that adds no records (nil means undeclared).
var CreatesNothing = []Creation{}

// Ref names one entity: its type and id.
type Ref struct {
	Type EntityType
	ID   string
}

// NoData is the payload type of a kind that takes no data; its Mutation.Data is ignored.
type NoData struct{}

// Rule decides mutations of one kind. The family files build rules with change, withData and
// rule; the zero Rule is a kind without a rule.
type Rule struct {
	payload reflect.Type // what Mutation.Data decodes into; NoData for none
	decide  func(d *decider) error
}

// rule builds a Rule: target reads what the kind acts on into e (before the data is looked at),
// then the data is decoded as a T (payload), then, for a kind that creates its entity, the
// entity is checked to be new, then decide works out the records.
func rule[E, T any](target func(d *decider, e *E) error, decide func(d *decider, e *E, p T) error) Rule {
	return Rule{payload: reflect.TypeFor[T](), decide: func(d *decider) error {
		var e E
		if err := target(d, &e); err != nil {
			return err
		}
		p, err := payload[T](d)
		if err != nil {
			return err
		}
		if d.spec.New {
			if err := d.fresh(d.spec.Entity, d.m.Entity); err != nil {
				return err
			}
		}
		return decide(d, &e, p)
	}}
}

// withData builds the Rule of a kind that reads nothing before its data.
func withData[T any](decide func(d *decider, p T) error) Rule {
	return rule(noTarget, func(d *decider, _ *struct{}, p T) error { return decide(d, p) })
}

// change builds the Rule of a kind that changes an existing entity of its Entity type: the
// entity is loaded (d.ver and d.cur hold its version and state), the data decoded, decide
// changes the entity, and the changed entity is written after the records decide wrote.
func change[E, T any](decide func(d *decider, e *E, p T) error) Rule {
	return rule(existing[E], func(d *decider, e *E, p T) error {
		if err := decide(d, e, p); err != nil {
			return err
		}
		d.put(d.spec.Entity, d.m.Entity, *e)
		return nil
	})
}

func noTarget(*decider, *struct{}) error { return nil }

// existing loads the mutation's entity, which must exist, into e.
func existing[E any](d *decider, e *E) error {
	ver, err := d.load(d.spec.Entity, d.m.Entity, e)
	if err != nil {
		return err
	}
	d.ver, d.cur = ver, NewRecord(d.spec.Entity, d.m.Entity, *e)
	return nil
}

// payload decodes the mutation's data as a T: data is required and unknown fields are refused.
// A kind whose payload is NoData ignores its data.
func payload[T any](d *decider) (T, error) {
	var p T
	if _, none := any(p).(NoData); none {
		return p, nil
	}
	if len(d.m.Data) == 0 {
		return p, reject("%s needs data", d.m.Kind)
	}
	dec := json.NewDecoder(bytes.NewReader(d.m.Data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, reject("%s data: %v", d.m.Kind, err)
	}
	return p, nil
}

// registry is every mutation kind, family by family, in the order of the store API's lists.
var registry = slices.Concat(chatKinds, orderKinds, caseKinds, stockKinds, reviewKinds,
	customerKinds, phraseKinds, autoReplyKinds, groupKinds, complaintKinds,
	callKinds, handoverKinds, concessionKinds, teamSettingsKinds, outageKinds, teamWeightKinds, rankingKinds)

// specs is the registry by kind. A spec that is incomplete stops the program as it starts,
// naming the kind and the missing piece: no kind can be half-registered.
var specs = func() map[Kind]KindSpec {
	if err := CheckKinds(registry); err != nil {
		panic(fmt.Sprintf("shop: the registry of mutation kinds is incomplete: %v", err))
	}
	m := make(map[Kind]KindSpec, len(registry))
	for _, s := range registry {
		m[s.Kind] = s
	}
	return m
}()

// Kinds lists every mutation kind, in registry order.
var Kinds = func() []Kind {
	ks := make([]Kind, len(registry))
	for i, s := range registry {
		ks[i] = s.Kind
	}
	return ks
}()

// Registry returns the spec of every mutation kind, in the order of Kinds.
func Registry() []KindSpec { return slices.Clone(registry) }

// Spec returns the kind's spec; false for a kind that is not registered.
func (k Kind) Spec() (KindSpec, bool) {
	s, ok := specs[k]
	return s, ok
}

// Label is the translation key of the kind's name on the desk; an unregistered kind is its
// own label.
func (k Kind) Label() string {
	if s, ok := specs[k]; ok {
		return s.Label
	}
	return string(k)
}

// Payload is the type Mutation.Data of the kind decodes into; nil for a kind without data.
func (s KindSpec) Payload() reflect.Type {
	if s.Rule.payload == reflect.TypeFor[NoData]() {
		return nil
	}
	return s.Rule.payload
}

// Created lists the records applied mutation m added, as its kind's Creates says.
func Created(m Mutation) []Ref {
	s, ok := m.Kind.Spec()
	if !ok {
		return nil
	}
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(m.Data, &fields) // a kind without data has no fields
	var refs []Ref
	for _, c := range s.Creates {
		id := m.Entity
		if c.IDField != "" {
			id = ""
			_ = json.Unmarshal(fields[c.IDField], &id) // a missing or odd field names nothing
		}
		if id != "" {
			refs = append(refs, Ref{c.Type, id})
		}
	}
	return refs
}

var kindNameRE = regexp.MustCompile(`^[a-z]+\.[a-z_]+$`)

// CheckSpec reports what a kind's spec lacks or gets wrong, each problem naming the kind and
// the missing piece; nil when the spec is complete.
func CheckSpec(s KindSpec) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("kind %q: %s", s.Kind, fmt.Sprintf(format, args...)))
	}
	if !kindNameRE.MatchString(string(s.Kind)) {
		bad("the name is not family.verb (lower case)")
	}
	switch {
	case s.Entity == "":
		bad("no entity type")
	case !s.Entity.Known():
		bad("entity type %q is unknown", s.Entity)
	}
	if s.New && s.EntityID != "" {
		bad("a kind that creates its entity cannot fix its id")
	}
	switch {
	case s.Rule.decide == nil:
		bad("no rule")
	case s.Rule.payload == nil:
		bad("no payload type")
	}
	if s.Label == "" {
		bad("no label key")
	}
	if s.Creates == nil {
		bad("Creates is not declared (CreatesNothing for a kind that adds no records)")
	}
	for _, c := range s.Creates {
		if !c.Type.Known() {
			bad("creates entity type %q, which is unknown", c.Type)
		}
		if c.IDField != "" && !hasStringField(s.Rule.payload, c.IDField) {
			bad("creates %s under data field %q, which its payload %v has not as a string", c.Type, c.IDField, s.Rule.payload)
		}
	}
	if s.New && !slices.Contains(s.Creates, Creation{Type: s.Entity}) {
		bad("creates a new %s, but Creates does not list it", s.Entity)
	}
	return errors.Join(errs...)
}

// hasStringField reports whether struct type t has a string field with JSON name name.
func hasStringField(t reflect.Type, name string) bool {
	if t == nil || t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		jname, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if jname == "" {
			jname = f.Name
		}
		if jname == name && f.IsExported() && f.Type.Kind() == reflect.String {
			return true
		}
	}
	return false
}

// CheckKinds checks every spec (CheckSpec) and that no kind is declared twice.
func CheckKinds(specs []KindSpec) error {
	var errs []error
	seen := map[Kind]bool{}
	for _, s := range specs {
		if seen[s.Kind] {
			errs = append(errs, fmt.Errorf("kind %q is declared twice", s.Kind))
		}
		seen[s.Kind] = true
		if err := CheckSpec(s); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
