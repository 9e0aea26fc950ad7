package store

import (
	"fmt"
	"strings"
)

// Index declares a secondary index of one shop's data: a name and the fields of its keys.
// An entry of the index is a key (one value per field, in order) and the id of what it points
// at. A SQL engine can keep an index as a table (shop, field columns…, id) with its primary
// key in that order; Badger keeps an entry as one key.
type Index struct {
	// Name names the index: 1 to 32 lowercase letters, digits or '_'.
	Name string
	// Fields are the key's fields, in order: at least one.
	Fields []Field
}

// Field is one field of an index key.
type Field struct {
	// Name names the field (a column name): lowercase letters, digits or '_'.
	Name string
	// Kind is the kind of the field's values.
	Kind Kind
}

// Kind is the kind of an index field's values.
type Kind int

// The kinds of index fields.
const (
	// String values are Go strings without NUL bytes, compared bytewise (in SQL: text with
	// COLLATE "C").
	String Kind = iota + 1
	// Int values are int64 values that are not negative, compared numerically.
	Int
)

func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Int:
		return "int"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Entry is one entry of an index: Key holds one value per field of the index, in order (a
// string for a String field, an int64 for an Int field), and ID the id it points at (not
// empty, without NUL bytes). Entries are unique by key and id.
type Entry struct {
	Key []any
	ID  string
}

// Query selects the entries of an index: those whose first len(Prefix) key values equal
// Prefix and whose next key value (the field after the prefix) lies within [Min, Max]. A nil
// Min or Max leaves that end open; with a prefix of every field, Min and Max must be nil.
type Query struct {
	Prefix   []any
	Min, Max any
}

// Validate checks the index's declaration.
func (ix Index) Validate() error {
	if !validName(ix.Name) {
		return fmt.Errorf("index name %q: %w", ix.Name, ErrInvalid)
	}
	if len(ix.Fields) == 0 {
		return fmt.Errorf("index %s has no fields: %w", ix.Name, ErrInvalid)
	}
	for _, f := range ix.Fields {
		if !validName(f.Name) {
			return fmt.Errorf("index %s: field name %q: %w", ix.Name, f.Name, ErrInvalid)
		}
		if f.Kind != String && f.Kind != Int {
			return fmt.Errorf("index %s: field %s has %s: %w", ix.Name, f.Name, f.Kind, ErrInvalid)
		}
	}
	return nil
}

// Same reports whether two declarations describe the same index.
func (ix Index) Same(other Index) bool {
	if ix.Name != other.Name || len(ix.Fields) != len(other.Fields) {
		return false
	}
	for i, f := range ix.Fields {
		if f != other.Fields[i] {
			return false
		}
	}
	return true
}

// CheckEntry checks that e fits the index: one value of the right kind per field and a valid
// id.
func (ix Index) CheckEntry(e Entry) error {
	if len(e.Key) != len(ix.Fields) {
		return fmt.Errorf("index %s: entry has %d key values, the index has %d fields: %w", ix.Name, len(e.Key), len(ix.Fields), ErrInvalid)
	}
	for i, v := range e.Key {
		if err := ix.checkValue(i, v); err != nil {
			return err
		}
	}
	if e.ID == "" || strings.ContainsRune(e.ID, 0) {
		return fmt.Errorf("index %s: entry id %q: %w", ix.Name, e.ID, ErrInvalid)
	}
	return nil
}

// CheckQuery checks that q fits the index.
func (ix Index) CheckQuery(q Query) error {
	if len(q.Prefix) > len(ix.Fields) {
		return fmt.Errorf("index %s: query prefix has %d values, the index has %d fields: %w", ix.Name, len(q.Prefix), len(ix.Fields), ErrInvalid)
	}
	for i, v := range q.Prefix {
		if err := ix.checkValue(i, v); err != nil {
			return err
		}
	}
	for _, v := range []any{q.Min, q.Max} {
		if v == nil {
			continue
		}
		if len(q.Prefix) == len(ix.Fields) {
			return fmt.Errorf("index %s: a query with a prefix of every field has no range: %w", ix.Name, ErrInvalid)
		}
		if err := ix.checkValue(len(q.Prefix), v); err != nil {
			return err
		}
	}
	return nil
}

// checkValue checks value v of field i.
func (ix Index) checkValue(i int, v any) error {
	f := ix.Fields[i]
	switch f.Kind {
	case String:
		s, ok := v.(string)
		if !ok || strings.ContainsRune(s, 0) {
			return fmt.Errorf("index %s: field %s needs a string without NUL, not %#v: %w", ix.Name, f.Name, v, ErrInvalid)
		}
	case Int:
		n, ok := v.(int64)
		if !ok || n < 0 {
			return fmt.Errorf("index %s: field %s needs an int64 ≥ 0, not %#v: %w", ix.Name, f.Name, v, ErrInvalid)
		}
	}
	return nil
}

// Compare compares two values of one field kind: -1, 0 or +1. Both must have passed the
// index's checks.
func Compare(a, b any) int {
	switch a := a.(type) {
	case string:
		return strings.Compare(a, b.(string))
	case int64:
		b := b.(int64)
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
	}
	return 0
}

func validName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}
