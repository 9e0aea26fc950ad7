package shop

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Record is one entity's state as stored on the desk and the server and carried by the change
// feed. Data is the entity's JSON; Seq is its version (the feed sequence number of this state,
// 0 while the state exists only on a desk).
type Record struct {
	Type    EntityType      `json:"type"`
	ID      string          `json:"id"`
	Seq     int64           `json:"seq,omitempty"`
	Deleted bool            `json:"deleted,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
	// Commit is the first seq of the server commit (store Update) that wrote this state, as
	// the store server's feed reads it, so that a page of changes ends only between commits;
	// it equals Seq for a state written alone or first in its commit, and is 0 where it is
	// not known (a desk's records, a Put's argument). It is never sent.
	Commit int64 `json:"-"`
}

// Reader is the state the rules read: the desk's localdb or the server's store.
type Reader interface {
	// Get decodes entity (t, id) into v. It returns the entity's version and whether it exists;
	// a missing entity is not an error.
	Get(t EntityType, id string, v any) (version int64, found bool, err error)
}

// Outcome is what a mutation does to the entities.
type Outcome struct {
	Records   []Record   // new states of the entities the mutation wrote
	Conflict  *Conflict  // set when the mutation cannot apply to the current state; Records is empty
	Overwrote *Overwrite // set when a last-writer-wins field was changed by someone else since Base
}

// Conflict explains why a mutation could not apply: the current state and who made it.
type Conflict struct {
	Reason  string    `json:"reason"`
	By      string    `json:"by,omitempty"` // staff number that made the current state
	At      time.Time `json:"at,omitzero"`
	Current []Record  `json:"current,omitempty"`
}

// Overwrite tells the writer of a last-writer-wins field whose change it replaced.
type Overwrite struct {
	Field string    `json:"field"`
	By    string    `json:"by"`
	At    time.Time `json:"at,omitzero"`
}

// ErrRejected marks a mutation that can never apply (bad input, unknown target). A
// *RejectError carries the reason a person can read.
var ErrRejected = errors.New("mutation rejected")

// RejectError is a mutation refused for a reason a person can read.
type RejectError struct{ Reason string }

func (e *RejectError) Error() string        { return "rejected: " + e.Reason }
func (e *RejectError) Is(target error) bool { return target == ErrRejected }

func reject(format string, args ...any) error {
	return &RejectError{Reason: fmt.Sprintf(format, args...)}
}

// NewRecord encodes an entity as a record.
func NewRecord(t EntityType, id string, v any) Record {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("shop: encoding %s %s: %v", t, id, err)) // entities are plain data
	}
	return Record{Type: t, ID: id, Data: b}
}

// Decode decodes the record's data into v.
func (r Record) Decode(v any) error {
	if err := json.Unmarshal(r.Data, v); err != nil {
		return fmt.Errorf("decoding %s %s: %w", r.Type, r.ID, err)
	}
	return nil
}

// Stamp is the time recorded for a mutation: when the staff member acted, unless that is
// unknown or in the future of now (a desk clock running fast).
func Stamp(m Mutation, now time.Time) time.Time {
	if m.At.IsZero() || m.At.After(now) {
		return now
	}
	return m.At
}

// Validate checks a mutation's envelope: id, kind, entity, time. Decide checks the payload.
func Validate(m Mutation) error {
	if err := checkID("mutation id", m.ID); err != nil {
		return err
	}
	if _, ok := m.Kind.Spec(); !ok {
		return reject("unknown mutation kind %q", m.Kind)
	}
	if err := checkID("entity id", m.Entity); err != nil {
		return err
	}
	if m.Base < 0 {
		return reject("base version is negative")
	}
	if err := checkText("staff number", m.Staff, 32, true); err != nil {
		return reject("%v", err)
	}
	return nil
}

func checkID(what, id string) error {
	if id == "" {
		return reject("%s is empty", what)
	}
	if len(id) > 64 || !utf8.ValidString(id) || strings.ContainsAny(id, "/\x00 \t\n") {
		return reject("%s %q is not a valid id", what, id)
	}
	return nil
}

// Decide works out what mutation m does to the state r holds at now: its kind's rule in the
// registry decides. It returns an error wrapping ErrRejected for a mutation that can never
// apply (an unknown kind among them), a storage error from r, or an Outcome: the records to
// write, or a Conflict.
func Decide(r Reader, m Mutation, now time.Time) (Outcome, error) {
	if err := Validate(m); err != nil {
		return Outcome{}, err
	}
	s, ok := m.Kind.Spec()
	if !ok {
		return Outcome{}, reject("unknown mutation kind %q", m.Kind)
	}
	d := decider{r: r, m: m, spec: s, at: Stamp(m, now)}
	if err := s.Rule.decide(&d); errors.Is(err, errConflict) {
		return Outcome{Conflict: d.conflicted}, nil
	} else if err != nil {
		return Outcome{}, err
	}
	return d.out, nil
}

// decider is the state of one Decide: the mutation, its kind's spec, and what the rule wrote.
type decider struct {
	r          Reader
	m          Mutation
	spec       KindSpec
	at         time.Time
	out        Outcome
	ver        int64     // the version of the entity a change rule loaded
	cur        Record    // that entity's state before the mutation, for conflicts
	conflicted *Conflict // set by conflict
}

// errConflict is what a rule returns after conflict: Decide answers with the conflict.
var errConflict = errors.New("conflict")

// load reads an entity that must exist.
func (d *decider) load(t EntityType, id string, v any) (int64, error) {
	ver, ok, err := d.r.Get(t, id, v)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, reject("%s %s does not exist", t, id)
	}
	return ver, nil
}

// fresh checks that an entity to be created does not exist yet.
func (d *decider) fresh(t EntityType, id string) error {
	if err := checkID(string(t)+" id", id); err != nil {
		return err
	}
	var raw json.RawMessage
	_, ok, err := d.r.Get(t, id, &raw)
	if err != nil {
		return err
	}
	if ok {
		return reject("%s %s exists already and cannot be changed", t, id)
	}
	return nil
}

func (d *decider) put(t EntityType, id string, v any) {
	d.out.Records = append(d.out.Records, NewRecord(t, id, v))
}

// conflict makes the mutation a conflict with the current state cur, made by by at at; the
// rule returns what it returns.
func (d *decider) conflict(by string, at time.Time, cur Record, format string, args ...any) error {
	d.conflicted = &Conflict{Reason: fmt.Sprintf(format, args...), By: by, At: at, Current: []Record{cur}}
	return errConflict
}

// rejectText is checkText whose error is a rejection.
func rejectText(field, s string, max int, required bool) error {
	if err := checkText(field, s, max, required); err != nil {
		return reject("%v", err)
	}
	return nil
}

// CustomerWrites records a message a customer sent through the chat page, and the server's
// automatic replies to it, into the conversation convID (which must exist). autoIDs makes the
// ids of the auto-reply messages. It runs on the server only.
func CustomerWrites(r Reader, convID, msgID, text string, now time.Time, autoID func() string) ([]Record, error) {
	if err := checkText("message", text, MaxMessageRunes, true); err != nil {
		return nil, reject("%v", err)
	}
	if err := checkID("message id", msgID); err != nil {
		return nil, err
	}
	var c Conversation
	if _, ok, err := r.Get(TypeConversation, convID, &c); err != nil {
		return nil, err
	} else if !ok {
		return nil, reject("conversation %s does not exist", convID)
	}
	first := c.Messages == 0
	msg := Message{ID: msgID, ConversationID: convID, From: FromCustomer, Text: text, At: now}
	recs := []Record{NewRecord(TypeMessage, msgID, msg)}
	c.Messages++
	c.Unread++
	c.LastText, c.LastAt, c.Closed = PreviewText(msg), now, false
	if c.WaitingSince.IsZero() {
		c.WaitingSince = now
	}
	var rules AutoReplies
	if _, ok, err := r.Get(TypeAutoReply, AutoRepliesID, &rules); err != nil {
		return nil, err
	} else if ok {
		for i, t := range rules.Replies(first, text, now) {
			am := Message{ID: autoID(), ConversationID: convID, From: FromAuto, Text: t, At: now.Add(time.Duration(i+1) * time.Millisecond)}
			recs = append(recs, NewRecord(TypeMessage, am.ID, am))
			c.Messages++
			c.LastText, c.LastAt = PreviewText(am), am.At
		}
	}
	recs = append(recs, NewRecord(TypeConversation, convID, c))
	return recs, nil
}
