package localdb

import (
	"math/bits"
	"unicode/utf8"
)

// The filters below let a keystroke's search look at the few products that can match it instead
// of all of them: on the large bench shop (5,000 products, 50,000 SKUs) matching the pinyin of
// every name took most of a keystroke (up to 2 ms for a query such as "tongxie" that matches
// nothing). Each filter is a superset of the products that match, so what a search finds and
// its order do not change; the products it lets through are then matched as before.
//
//   - pinyin: a bitmap (one bit per product, in name order) per first letter of a reading
//     (heads, head0 for the name's first character) and per pair of letters that can follow
//     each other in a pinyin query the name matches (pairs). A query's pinyin candidates are
//     the AND of the bitmaps of its first letter and of its every two consecutive letters;
//     bitmaps of the three letters that can follow each other (triples, hashed into buckets)
//     narrow longer queries ("tongxi": many names have 童 and a character read xi…, few 童
//     followed by one).
//   - name text: per character of the lowercased names, the products whose name has it
//     (runes, ascending). A name that contains the query has the query's every character, so
//     the list of its rarest character holds every name match.
//
// On the large bench shop they cost about 1 MB (see TestProductIndexMemory).

// pinyinSymbols is the number of letters a pinyin query is spelled with: a–z and 0–9.
const pinyinSymbols = 36

// symbolOf is c's number among the pinyin symbols (headBit's bit), or -1.
func symbolOf(c byte) int {
	switch {
	case c >= 'a' && c <= 'z':
		return int(c - 'a')
	case c >= '0' && c <= '9':
		return 26 + int(c-'0')
	}
	return -1
}

// pairOf is the number of the pair of symbols a then b, or -1 when either is none.
func pairOf(a, b byte) int {
	x, y := symbolOf(a), symbolOf(b)
	if x < 0 || y < 0 {
		return -1
	}
	return x*pinyinSymbols + y
}

// unitReadings returns the encoded readings of the unit at py[i:] (its count byte skipped) and
// the offset of the next unit.
func unitReadings(py string, i int) (readings string, next int) {
	n := int(py[i])
	start := i + 1
	j := start
	for k := 0; k < n; k++ {
		j += 1 + int(py[j])
	}
	return py[start:j], j
}

// eachPinyinPair calls fn with every pair of letters that can follow each other in a query
// that pinyinRank matches against the units of a name: two letters next to each other in a
// reading, and any letter of a reading (the last one typed of that character) followed by the
// first letter of a reading of the next unit. Pairs may repeat.
func eachPinyinPair(units []pinyinUnit, fn func(pair int)) {
	for k, u := range units {
		for j := 0; j < len(u.readings); {
			l := int(u.readings[j])
			r := u.readings[j+1 : j+1+l]
			j += 1 + l
			for x := 0; x+1 < len(r); x++ {
				if p := pairOf(r[x], r[x+1]); p >= 0 {
					fn(p)
				}
			}
		}
		if k+1 == len(units) {
			continue
		}
		for la := u.letters; la != 0; la &= la - 1 {
			a := bits.TrailingZeros64(la)
			for mb := units[k+1].first; mb != 0; mb &= mb - 1 {
				fn(a*pinyinSymbols + bits.TrailingZeros64(mb))
			}
		}
	}
}

// tripleBuckets is the number of bitmaps the triples of letters are hashed into (tripleOf).
const tripleBuckets = 1024

// tripleOf is the bucket of the three symbols a, b, c, or -1 when one of them is none.
func tripleOf(a, b, c byte) int {
	x, y, z := symbolOf(a), symbolOf(b), symbolOf(c)
	if x < 0 || y < 0 || z < 0 {
		return -1
	}
	return tripleBucket(x, y, z)
}

// tripleBucket is the bucket of the symbols numbered x, y, z.
func tripleBucket(x, y, z int) int {
	t := uint32((x*pinyinSymbols+y)*pinyinSymbols + z)
	return int(t * 2654435761 >> 22) // the top 10 bits of Knuth's multiplicative hash
}

// pinyinUnit is one unit of a name's pinyin as the filters see it: its encoded readings, the
// symbols of all their letters and of their first letters.
type pinyinUnit struct {
	readings       string
	letters, first uint64 // bit symbolOf(c) for each letter c
}

// symbolMask is the mask of the symbols of s's letters (those that are symbols).
func symbolMask(s string) uint64 {
	var m uint64
	for i := 0; i < len(s); i++ {
		if x := symbolOf(s[i]); x >= 0 {
			m |= 1 << x
		}
	}
	return m
}

// pinyinUnitsOf splits py into units (appended to units[:0], which it returns).
func pinyinUnitsOf(py string, units []pinyinUnit) []pinyinUnit {
	units = units[:0]
	for i := 0; i < len(py); {
		cur, next := unitReadings(py, i)
		u := pinyinUnit{readings: cur}
		for j := 0; j < len(cur); {
			l := int(cur[j])
			r := cur[j+1 : j+1+l]
			j += 1 + l
			u.letters |= symbolMask(r)
			if l > 0 {
				u.first |= symbolMask(r[:1])
			}
		}
		units, i = append(units, u), next
	}
	return units
}

// eachPinyinTriple calls fn with the bucket of every three letters that can follow each other
// in a query that pinyinRank matches against the units of a name. Each character is matched by
// a prefix of one of its readings, so three consecutive letters of the query are three letters
// of a reading, or the last two letters of one character's prefix and the first of the next's,
// or the last of one and the first two of the next, or the last of one, the next character by
// its first letter alone and the first of the one after. Buckets may repeat.
func eachPinyinTriple(units []pinyinUnit, fn func(bucket int)) {
	for k, u := range units {
		var next, after pinyinUnit
		if k+1 < len(units) {
			next = units[k+1]
		}
		if k+2 < len(units) {
			after = units[k+2]
		}
		for j := 0; j < len(u.readings); {
			l := int(u.readings[j])
			r := u.readings[j+1 : j+1+l]
			j += 1 + l
			for x := 0; x+1 < len(r); x++ {
				if x+2 < len(r) {
					if t := tripleOf(r[x], r[x+1], r[x+2]); t >= 0 {
						fn(t)
					}
				}
				a, b := symbolOf(r[x]), symbolOf(r[x+1])
				if a < 0 || b < 0 {
					continue
				}
				for m := next.first; m != 0; m &= m - 1 {
					fn(tripleBucket(a, b, bits.TrailingZeros64(m)))
				}
			}
		}
		if next.readings == "" {
			continue
		}
		for la := u.letters; la != 0; la &= la - 1 {
			a := bits.TrailingZeros64(la)
			for j := 0; j < len(next.readings); {
				l := int(next.readings[j])
				r := next.readings[j+1 : j+1+l]
				j += 1 + l
				if l >= 2 {
					b, c := symbolOf(r[0]), symbolOf(r[1])
					if b >= 0 && c >= 0 {
						fn(tripleBucket(a, b, c))
					}
				}
			}
			for mb := next.first; mb != 0; mb &= mb - 1 {
				b := bits.TrailingZeros64(mb)
				for mc := after.first; mc != 0; mc &= mc - 1 {
					fn(tripleBucket(a, b, bits.TrailingZeros64(mc)))
				}
			}
		}
	}
}

// prodFilters are the filters of a snapshot (see above).
type prodFilters struct {
	words       int // uint64s in a bitmap: one bit per entry
	heads       [pinyinSymbols][]uint64
	head0       [pinyinSymbols][]uint64
	pairs       [pinyinSymbols * pinyinSymbols][]uint64 // nil: no name has the pair
	triples     [tripleBuckets][]uint64                 // nil: no name has a triple of the bucket
	asciiRunes  [utf8.RuneSelf][]int32                  // entries whose lname has the ASCII character
	otherRunes  map[rune][]int32                        // the same for the other characters
	allEntries  []uint64                                // every entry's bit set
	bitmapBytes int                                     // the bitmaps' size, for the memory figure
}

// addRune adds entry i to the list of r, once.
func (f *prodFilters) addRune(r rune, i int32) {
	if r < utf8.RuneSelf {
		l := f.asciiRunes[r]
		if len(l) == 0 || l[len(l)-1] != i {
			f.asciiRunes[r] = append(l, i)
		}
		return
	}
	l := f.otherRunes[r]
	if len(l) == 0 || l[len(l)-1] != i {
		f.otherRunes[r] = append(l, i)
	}
}

// runeList is the ascending list of the entries whose lname has r.
func (f *prodFilters) runeList(r rune) []int32 {
	if r < utf8.RuneSelf {
		return f.asciiRunes[r]
	}
	return f.otherRunes[r]
}

// The bitmaps of buildFilters, numbered in one range: heads, head0, pairs, then triples.
const (
	rowsHead0   = pinyinSymbols
	rowsPairs   = 2 * pinyinSymbols
	rowsTriples = rowsPairs + pinyinSymbols*pinyinSymbols
	rowsAll     = rowsTriples + tripleBuckets
)

// row is bitmap b of that numbering.
func (f *prodFilters) row(b int) *[]uint64 {
	switch {
	case b < rowsHead0:
		return &f.heads[b]
	case b < rowsPairs:
		return &f.head0[b-rowsHead0]
	case b < rowsTriples:
		return &f.pairs[b-rowsPairs]
	}
	return &f.triples[b-rowsTriples]
}

// buildFilters makes the filters of entries (in name order). The bits of 64 entries at a time
// (one word of every bitmap) are gathered in a small array and then written to the bitmaps, a
// word each: setting each bit in its bitmap directly would reach across a megabyte per entry.
func buildFilters(entries []*prodEntry) *prodFilters {
	f := &prodFilters{words: (len(entries) + 63) / 64, otherRunes: map[rune][]int32{}}
	f.allEntries = make([]uint64, f.words)
	for i := range entries {
		f.allEntries[i>>6] |= 1 << (i & 63)
	}
	var word [rowsAll]uint64 // the bitmaps' words of the current 64 entries
	flush := func(w int) {
		for b, v := range word {
			if v == 0 {
				continue
			}
			row := f.row(b)
			if *row == nil {
				*row = make([]uint64, f.words)
				f.bitmapBytes += 8 * f.words
			}
			(*row)[w] = v
			word[b] = 0
		}
	}
	var units []pinyinUnit
	for i, e := range entries {
		if i > 0 && i&63 == 0 {
			flush(i>>6 - 1)
		}
		bit := uint64(1) << (i & 63)
		for h := e.heads; h != 0; h &= h - 1 {
			word[bits.TrailingZeros64(h)] |= bit
		}
		for h := e.head0; h != 0; h &= h - 1 {
			word[rowsHead0+bits.TrailingZeros64(h)] |= bit
		}
		units = pinyinUnitsOf(e.py, units)
		eachPinyinPair(units, func(p int) { word[rowsPairs+p] |= bit })
		eachPinyinTriple(units, func(t int) { word[rowsTriples+t] |= bit })
		for _, r := range e.lname {
			f.addRune(r, int32(i))
		}
	}
	if len(entries) > 0 {
		flush((len(entries) - 1) >> 6)
	}
	return f
}

// pinyinCandidates sets in out (zeroed, words long) the entries that can match the pinyin
// query pq (from pinyinQuery, not empty), and reports whether it set any.
func (f *prodFilters) pinyinCandidates(pq string, out []uint64) bool {
	first := f.heads[symbolOf(pq[0])]
	if first == nil {
		return false
	}
	copy(out, first)
	for k := 0; k+1 < len(pq); k++ {
		b := f.pairs[pairOf(pq[k], pq[k+1])]
		if b == nil {
			clear(out)
			return false
		}
		for w := range out {
			out[w] &= b[w]
		}
	}
	for k := 0; k+2 < len(pq); k++ {
		b := f.triples[tripleOf(pq[k], pq[k+1], pq[k+2])]
		if b == nil {
			clear(out)
			return false
		}
		for w := range out {
			out[w] &= b[w]
		}
	}
	return true
}

// nameCandidates returns the ascending list of the entries whose lname has every character of
// q, the shortest list among q's characters; all is false when q is not valid UTF-8 (then the
// lists cannot tell, and every entry is a candidate).
func (f *prodFilters) nameCandidates(q string) (list []int32, all bool) {
	if !utf8.ValidString(q) {
		return nil, true
	}
	first := true
	for _, r := range q {
		l := f.runeList(r)
		if len(l) == 0 {
			return nil, false
		}
		if first || len(l) < len(list) {
			list, first = l, false
		}
	}
	return list, false
}
