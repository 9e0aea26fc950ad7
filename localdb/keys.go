package localdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"kefu/shop"
)

// Key prefixes of the keyspace (see the package comment).
const (
	prefixEntity  = "e/"
	prefixServer  = "s/"
	prefixOutbox  = "o/"
	prefixOutID   = "u/"
	prefixPending = "p/"
	prefixProblem = "x/"
	prefixIndex   = "i/"
	prefixMeta    = "m/"
	prefixUser    = "m/u/"
)

// Meta keys.
var (
	keySchema    = []byte("m/schema")
	keyCursor    = []byte("m/cursor")
	keyOutSeq    = []byte("m/outseq")
	keyResetting = []byte("m/resetting")
)

// entKey names one entity.
type entKey struct {
	T  shop.EntityType `json:"type"`
	ID string          `json:"id"`
}

func (k entKey) String() string { return string(k.T) + "/" + k.ID }

func entityKey(t shop.EntityType, id string) []byte {
	return []byte(prefixEntity + string(t) + "/" + id)
}

func serverKey(t shop.EntityType, id string) []byte {
	return []byte(prefixServer + string(t) + "/" + id)
}

func typePrefix(t shop.EntityType) []byte { return []byte(prefixEntity + string(t) + "/") }

// parseEntityKey splits e/<type>/<id> or s/<type>/<id>.
func parseEntityKey(k []byte) (entKey, bool) {
	if len(k) < 3 {
		return entKey{}, false
	}
	rest := k[2:]
	i := bytes.IndexByte(rest, '/')
	if i <= 0 {
		return entKey{}, false
	}
	return entKey{T: shop.EntityType(rest[:i]), ID: string(rest[i+1:])}, true
}

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

func outboxKey(seq uint64) []byte { return append([]byte(prefixOutbox), u64(seq)...) }

func outIDKey(id string) []byte { return []byte(prefixOutID + id) }

func pendingPrefix(k entKey) []byte {
	return []byte(prefixPending + string(k.T) + "/" + k.ID + "/")
}

func pendingKey(k entKey, seq uint64) []byte { return append(pendingPrefix(k), u64(seq)...) }

// parsePendingKey splits p/<type>/<id>/<seq>.
func parsePendingKey(k []byte) (entKey, uint64, bool) {
	if len(k) < len(prefixPending)+2+9 {
		return entKey{}, 0, false
	}
	seq := binary.BigEndian.Uint64(k[len(k)-8:])
	rest := k[len(prefixPending) : len(k)-9]
	if k[len(k)-9] != '/' {
		return entKey{}, 0, false
	}
	i := bytes.IndexByte(rest, '/')
	if i <= 0 {
		return entKey{}, 0, false
	}
	return entKey{T: shop.EntityType(rest[:i]), ID: string(rest[i+1:])}, seq, true
}

func problemKey(id string) []byte { return []byte(prefixProblem + id) }

// timeKey encodes t so that byte order is time order: the zero time first, then Unix
// nanoseconds with the sign bit flipped (times outside 1678–2262 are clamped).
func timeKey(t time.Time) []byte {
	if t.IsZero() {
		return u64(0)
	}
	var ns int64
	switch {
	case t.Year() < 1678:
		ns = math.MinInt64 + 1
	case t.Year() > 2261:
		ns = math.MaxInt64
	default:
		ns = t.UnixNano()
	}
	return u64(uint64(ns) ^ (1 << 63))
}

// State flags of a stored entity value.
const (
	flagPending = 1 << 0 // a mutation in the outbox wrote this state
	flagAbsent  = 1 << 1 // tombstone: the entity does not exist (pending delete / absent on the server)
)

// state is one entity's stored state in e/ or s/.
type state struct {
	found   bool // the key exists
	pending bool
	absent  bool
	version int64
	data    []byte
}

// exists reports whether the state is a live entity (readers see it).
func (s state) exists() bool { return s.found && !s.absent }

func encodeState(s state) []byte {
	b := make([]byte, 9+len(s.data))
	if s.pending {
		b[0] |= flagPending
	}
	if s.absent {
		b[0] |= flagAbsent
	}
	binary.BigEndian.PutUint64(b[1:9], uint64(s.version))
	copy(b[9:], s.data)
	return b
}

func decodeState(b []byte) (state, error) {
	if len(b) < 9 {
		return state{}, fmt.Errorf("stored entity value is %d bytes: %w", len(b), ErrCorrupt)
	}
	return state{
		found:   true,
		pending: b[0]&flagPending != 0,
		absent:  b[0]&flagAbsent != 0,
		version: int64(binary.BigEndian.Uint64(b[1:9])),
		data:    b[9:],
	}, nil
}
