package shop

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Mutation is one staff action, made on a desk and applied exactly once by the server.
type Mutation struct {
	ID     string          `json:"id"`     // UUIDv7 made on the desk: sorts by time, unique everywhere
	Kind   Kind            `json:"kind"`   // what the action does
	Entity string          `json:"entity"` // id of the entity it targets (or creates)
	Base   int64           `json:"base"`   // the entity's version (feed seq) the desk saw; 0 if none
	At     time.Time       `json:"at"`     // desk clock when the staff member acted
	Staff  string          `json:"staff"`  // staff number; the server replaces it with the token's
	Data   json.RawMessage `json:"data,omitempty"`
}

// NewID returns a new UUIDv7 as a string: unique, and sorting by creation time.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// NewMutation builds a mutation with a fresh id, encoding data as its payload.
func NewMutation(kind Kind, entity string, staff string, at time.Time, data any) (Mutation, error) {
	m := Mutation{ID: NewID(), Kind: kind, Entity: entity, Staff: staff, At: at}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return Mutation{}, err
		}
		m.Data = b
	}
	return m, nil
}
