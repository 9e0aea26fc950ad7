package localdb

import (
	"encoding/binary"
	"fmt"
	"strings"

	"kefu/shop"
)

// The product search index (productsearch.go) keeps each product in the compact form below
// rather than decoded: a decoded product of the large bench catalog (ten variants) costs about
// 3 KB of heap in a dozen allocations, the same product in this form about 300 bytes in one
// string. A search decodes only the products it returns (the shown rows), which takes well under
// a microsecond each: the strings of the decoded product are substrings of the entry's, so the
// variants' slice is its only allocation.
//
// The form: uvarint-prefixed Category, URL, UpdatedBy and UpdatedAt (as its JSON text, so that
// it decodes to exactly what the stored JSON does), a varint LowStock, a uvarint count of
// variants and per variant uvarint-prefixed SKU, Barcode, Color and Size, then varints Price,
// Listed, Warehouse and Reserved. The ID and Name are the entry's own fields.
// TestProductCodecCoversEveryField fails when shop.Product or shop.Variant gain a field this
// form does not carry.

// encodeProduct returns the compact form of p (without its ID and Name).
func encodeProduct(p *shop.Product) (string, error) {
	var at []byte
	if !p.UpdatedAt.IsZero() {
		var err error
		if at, err = p.UpdatedAt.MarshalText(); err != nil {
			return "", err
		}
	}
	n := len(p.Category) + len(p.URL) + len(p.UpdatedBy) + len(at) + 16
	for _, v := range p.Variants {
		n += len(v.SKU) + len(v.Barcode) + len(v.Color) + len(v.Size) + 24
	}
	b := make([]byte, 0, n)
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	str(p.Category)
	str(p.URL)
	str(p.UpdatedBy)
	str(string(at))
	b = binary.AppendVarint(b, int64(p.LowStock))
	b = binary.AppendUvarint(b, uint64(len(p.Variants)))
	for _, v := range p.Variants {
		str(v.SKU)
		str(v.Barcode)
		str(v.Color)
		str(v.Size)
		b = binary.AppendVarint(b, int64(v.Price))
		b = binary.AppendVarint(b, int64(v.Listed))
		b = binary.AppendVarint(b, int64(v.Warehouse))
		b = binary.AppendVarint(b, int64(v.Reserved))
	}
	var sb strings.Builder
	sb.Grow(len(b))
	sb.Write(b)
	return sb.String(), nil
}

// productReader reads the compact form; the strings it returns share the form's memory.
type productReader struct {
	s   string
	err error
}

func (r *productReader) fail() {
	if r.err == nil {
		r.err = fmt.Errorf("compact product form cut short: %w", ErrCorrupt)
	}
	r.s = ""
}

func (r *productReader) uvarint() uint64 {
	var x uint64
	var shift uint
	for i := 0; i < len(r.s) && i < binary.MaxVarintLen64; i++ {
		c := r.s[i]
		if c < 0x80 {
			r.s = r.s[i+1:]
			return x | uint64(c)<<shift
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	r.fail()
	return 0
}

func (r *productReader) varint() int64 {
	u := r.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (r *productReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.fail()
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

// decodeProduct fills p (whose ID and Name the caller sets) from the compact form.
func decodeProduct(enc string, p *shop.Product) error {
	r := productReader{s: enc}
	p.Category = r.str()
	p.URL = r.str()
	p.UpdatedBy = r.str()
	if at := r.str(); at != "" {
		if err := p.UpdatedAt.UnmarshalText([]byte(at)); err != nil {
			return fmt.Errorf("compact product form: %w: %w", err, ErrCorrupt)
		}
	}
	p.LowStock = int(r.varint())
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.fail()
	}
	if r.err != nil {
		return r.err
	}
	if n > 0 {
		p.Variants = make([]shop.Variant, n)
	}
	for i := range p.Variants {
		v := &p.Variants[i]
		v.SKU = r.str()
		v.Barcode = r.str()
		v.Color = r.str()
		v.Size = r.str()
		v.Price = shop.Cents(r.varint())
		v.Listed = int(r.varint())
		v.Warehouse = int(r.varint())
		v.Reserved = int(r.varint())
	}
	return r.err
}
