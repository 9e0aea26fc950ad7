package localdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kefu/shop"
)

// An index is one secondary index. Its keys are i/<name>/ followed by, as its layout says, a
// value and a NUL byte, an 8-byte big-endian time (timeKey), and the entity id; index entries
// have empty values (the key is the whole entry). Indexes are declared by the spec of the entity
// type they index (indexSpec.index), each next to the queries that read it.
type index struct {
	name   string
	entity shop.EntityType // the type whose states produce the keys
	value  bool            // <value>\x00 follows the name
	time   bool            // 8 bytes of timeKey follow
	prefix []byte          // i/<name>/
}

// layout says which parts an index key has between the name and the id.
type layout uint8

// Index layouts.
const (
	byNothing   layout = 0 // i/<name>/<id>: membership only
	byValue     layout = 1 // i/<name>/<value>\0<id>
	byTime      layout = 2 // i/<name>/<t><id>
	byValueTime layout = 3 // i/<name>/<value>\0<t><id>
)

// keyFunc computes an entity's key in one index from its state: the value and time parts (those
// the layout has) and whether the state belongs in the index at all.
type keyFunc[T any] func(id string, v *T) (value string, at time.Time, ok bool)

// indexSpec says which index keys the states of one entity type produce: a state is decoded
// into a T (the fields the indexes read) and every index's keyFunc is asked for its key. It is
// the only place index keys are computed: the write path (Apply, the feed import, rebase,
// ResetCache) replaces the keys of an entity's old state by those of its new one, and the
// migration backfill (DB.backfill) writes the keys of added indexes, both through it. Adding an
// index is one index call on the entity's spec, plus its query.
type indexSpec[T any] struct {
	t    shop.EntityType
	ixs  []*index
	keys []keyFunc[T]
}

// indexer is an indexSpec whatever its T.
type indexer interface {
	// indexKeys returns the keys of the state data of entity id in the indexes want accepts
	// (every index when want is nil). A state that does not decode has none.
	indexKeys(id string, data []byte, want func(*index) bool) [][]byte
}

// The registry of index specs, filled as the package's variables are initialised (so the maps
// are made on first use, not by initialisers of their own).
var (
	specs   map[shop.EntityType]indexer // by entity type
	indexes map[string]*index           // by name
)

// specFor declares the index spec of entity type t; its indexes are added with index.
func specFor[T any](t shop.EntityType) *indexSpec[T] {
	if specs[t] != nil {
		panic(fmt.Sprintf("localdb: two index specs for %s", t))
	}
	if specs == nil {
		specs = map[shop.EntityType]indexer{}
	}
	s := &indexSpec[T]{t: t}
	specs[t] = s
	return s
}

// index adds an index to the spec: its name in the keyspace (short, unique, without '/'), its
// layout and how an entity's state gives its key.
func (s *indexSpec[T]) index(name string, l layout, key keyFunc[T]) *index {
	if indexes[name] != nil || name == "" || strings.ContainsAny(name, "/\x00") {
		panic(fmt.Sprintf("localdb: index name %q is taken or invalid", name))
	}
	if indexes == nil {
		indexes = map[string]*index{}
	}
	ix := &index{name: name, entity: s.t, value: l&byValue != 0, time: l&byTime != 0, prefix: []byte(prefixIndex + name + "/")}
	indexes[name] = ix
	s.ixs = append(s.ixs, ix)
	s.keys = append(s.keys, key)
	return ix
}

func (s *indexSpec[T]) indexKeys(id string, data []byte, want func(*index) bool) [][]byte {
	var v T
	if json.Unmarshal(data, &v) != nil {
		return nil
	}
	ks := make([][]byte, 0, len(s.ixs))
	for i, ix := range s.ixs {
		if want != nil && !want(ix) {
			continue
		}
		if value, at, ok := s.keys[i](id, &v); ok {
			ks = append(ks, ixKey(ix, value, at, id))
		}
	}
	return ks
}

// indexKeys computes the index keys of an entity state. It returns nil for types without
// indexes. A state that does not decode has no index keys (it is still stored).
func indexKeys(t shop.EntityType, id string, data []byte) [][]byte {
	if s := specs[t]; s != nil {
		return s.indexKeys(id, data, nil)
	}
	return nil
}

// ixPrefix is the prefix of every key of an index (a copy the caller may keep).
func ixPrefix(ix *index) []byte { return bytes.Clone(ix.prefix) }

// ixValuePrefix is the prefix of the keys of an index whose value starts with v (exact=false)
// or is v (exact=true).
func ixValuePrefix(ix *index, v string, exact bool) []byte {
	v = clean(v)
	b := make([]byte, 0, len(ix.prefix)+len(v)+1)
	b = append(append(b, ix.prefix...), v...)
	if exact {
		b = append(b, 0)
	}
	return b
}

// ixKey builds an index key.
func ixKey(ix *index, value string, t time.Time, id string) []byte {
	if ix.value {
		value = clean(value)
	}
	b := make([]byte, 0, len(ix.prefix)+len(value)+1+8+len(id))
	b = append(b, ix.prefix...)
	if ix.value {
		b = append(append(b, value...), 0)
	}
	if ix.time {
		b = append(b, timeKey(t)...)
	}
	return append(b, id...)
}

// ixRest returns what follows the value part of an index key (the time and the id).
func ixRest(ix *index, key []byte) ([]byte, bool) {
	rest := key[len(ix.prefix):]
	if ix.value {
		i := bytes.IndexByte(rest, 0)
		if i < 0 {
			return nil, false
		}
		rest = rest[i+1:]
	}
	return rest, true
}

// ixID returns the entity id at the end of an index key.
func ixID(ix *index, key []byte) (string, bool) {
	rest, ok := ixRest(ix, key)
	if !ok {
		return "", false
	}
	if ix.time {
		if len(rest) < 8 {
			return "", false
		}
		rest = rest[8:]
	}
	return string(rest), len(rest) > 0
}

// ixTime returns the time part of an index key (for time indexes), as stored: 8 bytes that
// sort as the times do. The bytes are copied.
func ixTime(ix *index, key []byte) []byte {
	if !ix.time {
		return nil
	}
	rest, ok := ixRest(ix, key)
	if !ok || len(rest) < 8 {
		return nil
	}
	return bytes.Clone(rest[:8])
}

// ixValue returns the value part of an index key (for value indexes).
func ixValue(ix *index, key []byte) string {
	rest := key[len(ix.prefix):]
	if i := bytes.IndexByte(rest, 0); i >= 0 {
		return string(rest[:i])
	}
	return ""
}

// clean drops NUL bytes, which separate an index value from what follows it.
func clean(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// queryKey is a search query as the indexes hold their values: trimmed, ASCII lowercased.
func queryKey(q string) string { return lowerASCII(strings.TrimSpace(q)) }

// lowerASCII lowercases ASCII letters only (Chinese text is left as it is).
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// digits keeps the digits of a phone number.
func digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// phoneLike reports whether a query could be (the start of) a phone number.
func phoneLike(q string) bool {
	n := 0
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c >= '0' && c <= '9':
			n++
		case c == ' ' || c == '-' || c == '+':
		default:
			return false
		}
	}
	return n > 0
}
