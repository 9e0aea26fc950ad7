package localdb

import (
	"unicode"
	"unicode/utf8"
)

// The full-text search's terms. Text is folded rune by rune (fullwidth ASCII to ASCII, the
// ideographic space to a space, lower case), so that a position in the folded text is the same
// rune position in the original and hits can be highlighted there. Then:
//
//   - a run of CJK characters gives its bigrams (term "c" + two runes); a query's lone CJK
//     character reads every bigram that starts with it;
//   - a run of letters and digits without a digit is a word (term "w" + word); queries match
//     words by prefix, so "refu" finds "refund";
//   - a run with a digit (order and tracking numbers, phones, 120码's "120") gives its trigrams
//     (term "g" + three runes), so that any three or more consecutive characters of an order
//     number find it; a shorter one is a word.
//
// Every candidate the terms give is confirmed against the stored text, so the terms only need
// to never miss a real hit.
const (
	termCJK  = 'c'
	termWord = 'w'
	termGram = 'g'
	maxWord  = 32 // longer words are indexed by their first maxWord runes
)

// foldRune is the search's case and width folding of one rune.
func foldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		r = ' '
	}
	return unicode.ToLower(r)
}

// foldRunes folds s into runes (same count as s's runes).
func foldRunes(s string) []rune {
	rs := make([]rune, 0, utf8.RuneCountInString(s))
	for _, r := range s {
		rs = append(rs, foldRune(r))
	}
	return rs
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

func isWordRune(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !isCJK(r)
}

// runKind tells the runs of folded text apart.
type runKind int

const (
	runCJK runKind = iota
	runWord
	runNumber // a word with a digit
)

// eachRun calls fn with each run of CJK characters or of word characters in rs.
func eachRun(rs []rune, fn func(kind runKind, run []rune)) {
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isCJK(r):
			j := i + 1
			for j < len(rs) && isCJK(rs[j]) {
				j++
			}
			fn(runCJK, rs[i:j])
			i = j
		case isWordRune(r):
			j, digit := i, false
			for j < len(rs) && isWordRune(rs[j]) {
				digit = digit || unicode.IsDigit(rs[j])
				j++
			}
			if digit {
				fn(runNumber, rs[i:j])
			} else {
				fn(runWord, rs[i:j])
			}
			i = j
		default:
			i++
		}
	}
}

func term(kind byte, rs []rune) string {
	b := make([]byte, 1, 1+len(rs)*3)
	b[0] = kind
	for _, r := range rs {
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// docTerms adds the distinct index terms of text to set.
func docTerms(text string, set map[string]struct{}) {
	eachRun(foldRunes(text), func(kind runKind, run []rune) {
		switch kind {
		case runCJK:
			for i := 0; i+1 < len(run); i++ {
				set[term(termCJK, run[i:i+2])] = struct{}{}
			}
			if len(run) == 1 {
				// A lone character is no bigram's first: the query side reads it as a prefix.
				set[term(termCJK, run)] = struct{}{}
			}
		case runWord:
			set[term(termWord, run[:min(len(run), maxWord)])] = struct{}{}
		case runNumber:
			if len(run) < 3 {
				set[term(termWord, run)] = struct{}{}
				return
			}
			for i := 0; i+2 < len(run); i++ {
				set[term(termGram, run[i:i+3])] = struct{}{}
			}
		}
	})
}

// queryTerm is one term a query needs: every document must hold it (exact), or a term starting
// with it (prefix).
type queryTerm struct {
	term   string
	prefix bool
}

// queryTerms are the terms every hit of the phrase part must hold (none: the part is only
// punctuation, and matches by the stored text alone).
func queryTerms(part string) []queryTerm {
	var out []queryTerm
	seen := map[string]bool{}
	add := func(q queryTerm) {
		if !seen[q.term] {
			seen[q.term] = true
			out = append(out, q)
		}
	}
	var lone []queryTerm
	eachRun(foldRunes(part), func(kind runKind, run []rune) {
		switch kind {
		case runCJK:
			if len(run) == 1 {
				lone = append(lone, queryTerm{term(termCJK, run), true})
				return
			}
			for i := 0; i+1 < len(run); i++ {
				add(queryTerm{term: term(termCJK, run[i:i+2])})
			}
		case runWord:
			add(queryTerm{term: term(termWord, run[:min(len(run), maxWord)]), prefix: len(run) < maxWord})
		case runNumber:
			if len(run) < 3 {
				add(queryTerm{term: term(termWord, run), prefix: true})
				return
			}
			for i := 0; i+2 < len(run); i++ {
				add(queryTerm{term: term(termGram, run[i:i+3])})
			}
		}
	})
	if len(out) == 0 {
		// Only lone characters: each is a prefix of the bigrams after it (or itself at the end
		// of a run); the stored text decides.
		for _, q := range lone {
			add(q)
		}
	}
	return out
}
