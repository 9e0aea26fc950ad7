package demoshop

import (
	"fmt"
	"time"

	"kefu/shop"
)

// product is a product of the catalog with the stock figures that do not depend on orders.
type product struct {
	shop.Product
	short string // the kind of product, e.g. 儿童外套, as customers call it
	free  []int  // per variant: warehouse stock not held by unpaid or unshipped orders
	drift []int  // per variant: listed minus warehouse stock
	shoes bool
}

// buildCatalog makes the products. Product i is a bases[i % len(bases)]; the rest of its name
// comes from a scrambled combination of season, material and style, unique per kind.
func (g *gen) buildCatalog() {
	n, nv := g.size.Products, g.size.VariantsPerProduct
	pr := newRNG(g.seed, streamPerm, 1)
	names := make([]perm, len(bases))
	for b := range bases {
		names[b] = newPerm(&pr, uint64(bases[b].nameCombos()))
	}
	codes := newPerm(&pr, 1_000_000)
	items := newPerm(&pr, 100_000_000)
	g.bestsellers = newPerm(&pr, uint64(max(n, 1)))
	g.products = make([]product, n)
	for i := range n {
		r := newRNG(g.seed, streamProduct, i)
		b := bases[i%len(bases)]
		// The m-th product of a kind takes a scrambled name combination m: unique within the kind.
		seasons, mats := b.nameWords()
		j := names[i%len(bases)].at(i / len(bases))
		season := seasons[j%len(seasons)]
		j /= len(seasons)
		mat := mats[j%len(mats)]
		j /= len(mats)
		style := styles[j%len(styles)]
		p := product{short: b.name, shoes: b.shoes}
		p.ID = productID(i)
		p.Name = season + mat + style + b.name
		p.Category = b.category
		p.URL = fmt.Sprintf("https://item.taobao.com/item.htm?id=7%02d%08d", r.intn(100), items.at(i))
		p.LowStock = pick(&r, []int{3, 5, 5, 5, 10})

		// Colours × a window of consecutive sizes, colour by colour, the first nv of them.
		sz := sizes
		if b.shoes {
			sz = shoeSizes
		}
		span := b.to - b.from + 1
		ncol := (nv + span - 1) / span
		switch {
		case nv > 12 && ncol < 3:
			ncol = 3
		case nv >= 4 && ncol < 2:
			ncol = 2
		case ncol < 1:
			ncol = 1
		}
		nsz := (nv + ncol - 1) / ncol
		first := b.from + r.intn(span-nsz+1)
		cols := r.subset(len(colours), ncol)
		yuan := b.lo + r.intn((b.hi-b.lo)/10+1)*10
		price := shop.Cents(yuan * 100) // ¥129.00
		if r.chance(25) {
			price -= 10 // ¥128.90
		}
		low := i%10 == 3 // every tenth product is nearly sold out
		if low {
			p.LowStock = pick(&r, []int{5, 10})
		}
		for k := range nv {
			c := colours[cols[k/nsz]]
			s := sz[first+k%nsz]
			v := shop.Variant{
				SKU:     fmt.Sprintf("KD-%06d-%s-%s", i+1, c.code, s),
				Barcode: barcode(codes.at(i*nv + k)),
				Color:   c.name,
				Size:    s,
				Price:   price,
			}
			if !b.shoes && first+k%nsz >= 8 {
				v.Price += 1000 // 150 and 160 cost ¥10 more
			}
			p.Variants = append(p.Variants, v)
			free := r.between(8, 60)
			switch {
			case low:
				free = 0
				if k < 2 {
					free = r.between(0, 2)
				}
			case r.chance(8):
				free = 0 // sold out
			case r.chance(10):
				free = r.between(1, 4)
			}
			drift := 0
			switch x := r.intn(100); {
			case x < 15:
				drift = r.between(1, 5) // the page promises more than the shelf holds
			case x < 24:
				drift = -r.between(1, 3)
			case x < 28:
				drift = r.between(10, 20)
			}
			p.free = append(p.free, free)
			p.drift = append(p.drift, drift)
		}
		if r.chance(30) {
			p.UpdatedAt = g.now.Add(-r.dur(2*time.Hour, 40*24*time.Hour))
			p.UpdatedBy = pick(&r, []string{OwnerStaff, OwnerStaff, agentLi, agentZhang})
		}
		g.products[i] = p
	}
}

// subset returns k distinct numbers from [0, n), in random order.
func (r *rng) subset(n, k int) []int {
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	for i := 0; i < k && i < n; i++ {
		j := i + r.intn(n-i)
		all[i], all[j] = all[j], all[i]
	}
	return all[:min(k, n)]
}

// productRecord is product p with its stock: the warehouse holds the free stock plus what the
// unpaid and unshipped orders reserve; the listed stock drifts from it.
func (g *gen) productRecord(p int) shop.Product {
	pr := g.products[p].Product
	pr.Variants = append([]shop.Variant(nil), pr.Variants...)
	for k := range pr.Variants {
		v := &pr.Variants[k]
		v.Reserved = int(g.reserved[p*g.size.VariantsPerProduct+k])
		v.Warehouse = g.products[p].free[k] + v.Reserved
		v.Listed = max(0, v.Warehouse+g.products[p].drift[k])
	}
	return pr
}

// popularProduct picks a product, best sellers far more often.
func (g *gen) popularProduct(r *rng) int {
	return g.bestsellers.at(r.skewed(len(g.products)))
}

// variantFor picks a variant of product p, pct times in a hundred in the customer's size when
// the product has it.
func (g *gen) variantFor(r *rng, p int, sizeIdx int, pct int) int {
	pr := &g.products[p]
	if !pr.shoes && r.chance(pct) {
		want := sizes[sizeIdx]
		var match []int
		for k, v := range pr.Variants {
			if v.Size == want {
				match = append(match, k)
			}
		}
		if len(match) > 0 {
			return pick(r, match)
		}
	}
	return r.intn(len(pr.Variants))
}
