package demoshop

import (
	"math/bits"
	"time"
)

// rng is a small splitmix64 generator. The demo shop uses its own generator, not math/rand, so
// that the same seed yields the same shop on every Go version and platform.
type rng struct{ s uint64 }

// mix is splitmix64's finaliser: a good 64-bit hash of x.
func mix(x uint64) uint64 {
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Streams separate the random draws of the different kinds of record, so that changing how one
// kind is made does not change the others.
const (
	streamShop uint64 = iota + 1
	streamProduct
	streamCustomer
	streamOrder
	streamConvPlan
	streamMessages
	streamCase
	streamReview
	streamComplaint
	streamPerm
	streamTarget
)

// newRNG returns the generator for item i of a stream under seed.
func newRNG(seed int64, stream uint64, i int) rng {
	return rng{s: mix(uint64(seed)^0x6a09e667f3bcc909) ^ mix(stream<<40^uint64(i)+0x3c6ef372fe94f82b)}
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix(r.s)
}

// intn returns a number in [0, n); 0 when n <= 0.
func (r *rng) intn(n int) int {
	if n <= 0 {
		return 0
	}
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// between returns a number in [a, b].
func (r *rng) between(a, b int) int {
	if b <= a {
		return a
	}
	return a + r.intn(b-a+1)
}

// chance is true pct times in a hundred.
func (r *rng) chance(pct int) bool { return r.intn(100) < pct }

// dur returns a duration in [a, b], in whole seconds.
func (r *rng) dur(a, b time.Duration) time.Duration {
	as, bs := int(a/time.Second), int(b/time.Second)
	return time.Duration(r.between(as, bs)) * time.Second
}

// skewed returns a number in [0, n) where small numbers are much more likely (density about
// -ln x): the product of two uniform draws.
func (r *rng) skewed(n int) int {
	if n <= 1 {
		return 0
	}
	a, b := uint64(r.intn(n)), uint64(r.intn(n))
	return int(a * b / uint64(n))
}

// weighted picks an index with probability proportional to its weight.
func (r *rng) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.intn(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func pick[T any](r *rng, list []T) T { return list[r.intn(len(list))] }

// perm is a bijection of [0, n) onto itself: i → (a·i + b) mod n. It scatters consecutive
// numbers so that ids and phone numbers made from it look random yet never repeat.
type perm struct{ a, b, n uint64 }

func newPerm(r *rng, n uint64) perm {
	if n <= 1 {
		return perm{a: 1, n: 1}
	}
	a := uint64(r.intn(int(min(n, 1<<40))))
	for a < 2 || gcd(a, n) != 1 {
		a = uint64(r.intn(int(min(n, 1<<40))))
	}
	return perm{a: a, b: uint64(r.intn(int(min(n, 1<<40)))), n: n}
}

// at maps i, which must be in [0, n). The 128-bit product keeps it exact for any n.
func (p perm) at(i int) int {
	hi, lo := bits.Mul64(p.a, uint64(i)%p.n)
	_, rem := bits.Div64(hi%p.n, lo, p.n)
	return int((rem + p.b) % p.n)
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
