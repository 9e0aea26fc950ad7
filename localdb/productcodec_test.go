package localdb

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"kefu/shop"
)

// TestProductCodecCoversEveryField: a product with every field set comes out of the search
// index's compact form as it went in (its JSON decoded), and the form knows every field of
// shop.Product and shop.Variant: a field added there must be added to productcodec.go.
func TestProductCodecCoversEveryField(t *testing.T) {
	if n := reflect.TypeOf(shop.Product{}).NumField(); n != 8 {
		t.Fatalf("shop.Product has %d fields; productcodec.go carries 8: add the new one", n)
	}
	if n := reflect.TypeOf(shop.Variant{}).NumField(); n != 8 {
		t.Fatalf("shop.Variant has %d fields; productcodec.go carries 8: add the new one", n)
	}
	at := time.Date(2026, 12, 1, 10, 30, 5, 123456789, time.FixedZone("", 8*3600))
	full := shop.Product{ID: "p1", Name: "儿童外套 Kids", Category: "童装", URL: "https://shop.example/p1",
		LowStock: 7, UpdatedAt: at, UpdatedBy: "1002",
		Variants: []shop.Variant{
			{SKU: "KD-1", Barcode: "690001", Color: "红", Size: "110", Price: 12900, Listed: 5, Warehouse: 4, Reserved: 1},
			{SKU: "KD-2", Barcode: "690002", Color: "蓝", Size: "120", Price: -1, Listed: -3, Warehouse: 2, Reserved: 9},
		}}
	checkFields(t, reflect.ValueOf(full))
	for _, p := range []shop.Product{full, {ID: "p2", Name: "空"}, {ID: "p3", Name: "x", Variants: []shop.Variant{{}}}} {
		data, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var want shop.Product
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		want.Variants = append([]shop.Variant(nil), want.Variants...) // nil when there are none
		got := newProdEntry(p.ID, data).product()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("through the compact form:\n got %+v\nwant %+v", got, want)
		}
	}
}

// checkFields fails for a field left at its zero value (a test product that does not set a
// field cannot show that the form carries it).
func checkFields(t *testing.T, v reflect.Value) {
	t.Helper()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.IsZero() {
			t.Fatalf("test product leaves %s unset", v.Type().Field(i).Name)
		}
		if f.Kind() == reflect.Slice {
			for j := range f.Len() {
				checkFields(t, f.Index(j))
			}
		}
	}
}

// TestProductCodecRejectsCutForms: a compact form cut anywhere does not decode (and does not
// panic).
func TestProductCodecRejectsCutForms(t *testing.T) {
	enc, err := encodeProduct(&shop.Product{Category: "c", LowStock: 3,
		Variants: []shop.Variant{{SKU: "A", Price: 300}, {SKU: "B", Barcode: "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	var p shop.Product
	if err := decodeProduct(enc, &p); err != nil {
		t.Fatalf("whole form: %v", err)
	}
	for n := 0; n < len(enc); n++ {
		var p shop.Product
		if err := decodeProduct(enc[:n], &p); err == nil {
			t.Errorf("a form cut to %d of %d bytes decoded: %+v", n, len(enc), p)
		}
	}
}
