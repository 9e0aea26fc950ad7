package bench

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"

	"kefu/shop"
)

// What the desk's sections ask the local store for (screens/stock.go, orders.go, chat.go).
const (
	stockListLimit  = 100 // the Stock section lists 100 products per search
	orderListLimit  = 100 // the Orders section shows the newest 100 orders of a lookup (screens.orderLookupLimit)
	threadPageLimit = 50  // opening a conversation shows its latest 50 messages
)

// newRand is the harness's deterministic random source: every run measures the same workload.
func newRand(stream uint64) *rand.Rand { return rand.New(rand.NewPCG(20261127, stream)) }

// typed is every text a search box holds while q is typed, one character (keystroke) at a
// time: "KD-", "KD-0", ... A Chinese character counts as one keystroke (an input method commits
// it whole).
func typed(q string) []string {
	var out []string
	for i := range q {
		if i > 0 {
			out = append(out, q[:i])
		}
	}
	if q != "" {
		out = append(out, q)
	}
	return out
}

// pinyinOf is the toneless pinyin of s ("外套" → "waitao") and its initials ("wt"), the two ways
// staff type Chinese without an input method; Latin letters and digits in s are typed as they
// are ("T恤" → "txu", "tx").
func pinyinOf(s string) (full, initials string) {
	var f, in strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			if c := byte(unicode.ToLower(r)); c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
				f.WriteByte(c)
				in.WriteByte(c)
			}
			continue
		}
		for _, syl := range pinyin.LazyPinyin(string(r), pinyin.NewArgs()) {
			if syl == "" {
				continue
			}
			f.WriteString(syl)
			in.WriteByte(syl[0])
		}
	}
	return f.String(), in.String()
}

// stockQueries is what staff type into the Stock section's search, keystroke by keystroke,
// looking for n products picked at random: the kind of product in Chinese, one of its SKUs, one
// of its barcodes (typed, not scanned), the kind in full pinyin and the name's pinyin initials.
func stockQueries(products []shop.Product, n int, rng *rand.Rand) []string {
	var out []string
	for range n {
		p := products[rng.IntN(len(products))]
		var words []string
		if p.Category != "" {
			words = append(words, p.Category)
		}
		if len(p.Variants) > 0 {
			v := p.Variants[rng.IntN(len(p.Variants))]
			words = append(words, v.SKU, v.Barcode)
		}
		full, _ := pinyinOf(p.Category)
		_, initials := pinyinOf(p.Name)
		words = append(words, full, initials)
		for _, w := range words {
			out = append(out, typed(w)...)
		}
	}
	return out
}

// orderQuery is one order lookup: what is typed (whole) and the order it is about.
type orderQuery struct {
	by, q, order string // by: "number", "phone" or "nick"
}

// orderQueries looks up n orders picked at random, each by its number, its receiver's phone
// and its buyer's nick.
func orderQueries(orders []shop.Order, n int, rng *rand.Rand) []orderQuery {
	var out []orderQuery
	for range n {
		o := orders[rng.IntN(len(orders))]
		out = append(out, orderQuery{"number", o.ID, o.ID})
		if o.Address.Phone != "" {
			out = append(out, orderQuery{"phone", o.Address.Phone, o.ID})
		}
		if o.Nick != "" {
			out = append(out, orderQuery{"nick", o.Nick, o.ID})
		}
	}
	return out
}
