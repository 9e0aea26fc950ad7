package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"kefu/shop"
	"kefu/shop/demoshop"
	"kefu/storeapi"
)

// TestChangesPageIsJSONMarshal checks that a page written by changesPage is byte for byte what
// json.Marshal writes for the same storeapi.ChangesResponse: ids and types that need escaping
// (quotes, backslashes, control and HTML characters, Chinese, U+2028), tombstones, records
// without a seq, and pages with no records.
func TestChangesPageIsJSONMarshal(t *testing.T) {
	recs := []shop.Record{
		{Type: shop.TypeOrder, ID: "o-1", Seq: 1, Data: json.RawMessage(`{"id":"o-1","nick":"小鱼儿"}`)},
		{Type: shop.TypePhrase, ID: "p<&>1", Seq: 2, Deleted: true},
		{Type: shop.TypeCustomer, ID: "引号\"与\\反斜杠", Seq: 3, Data: json.RawMessage(`{"memo":"a\u2028b"}`)},
		{Type: shop.TypeNote, ID: "tab\there\u2028\x01", Data: json.RawMessage(`[1,2,{"x":null}]`)},
		{Type: shop.TypeMessage, ID: "m-9", Seq: 1 << 40, Data: json.RawMessage(`"just a string"`)},
		{Type: shop.TypeProduct, ID: "deleted-with-no-seq", Deleted: true},
	}
	for n := 0; n <= len(recs); n++ {
		for _, more := range []bool{false, true} {
			resp := storeapi.ChangesResponse{Changes: []shop.Record{}, Next: 7, More: more, Total: 1<<40 + 5}
			var p changesPage
			p.begin(7, 1<<40+5)
			for _, r := range recs[:n] {
				p.add(r)
				resp.Changes = append(resp.Changes, r)
				resp.Next = r.Seq
			}
			p.more = more
			want, err := json.Marshal(resp)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.end(); !bytes.Equal(got, want) {
				t.Errorf("%d records, more %v:\n got %s\nwant %s", n, more, got, want)
			}
		}
	}
}

// TestChangesAnswerIsJSONMarshal checks the answer of GET /v1/changes over loopback: its body is
// what json.Marshal writes for the response it decodes to (and the env's client checked it
// against openapi.yaml), for a page that ends early and the last one.
func TestChangesAnswerIsJSONMarshal(t *testing.T) {
	e := newEnv(t, "")
	token := e.login("alpha", "1001")
	for _, path := range []string{storeapi.PathChanges + "?after=0&limit=3", storeapi.PathChanges + "?after=2"} {
		resp, body := e.do("GET", path, token, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		var cr storeapi.ChangesResponse
		if err := json.Unmarshal(body, &cr); err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(cr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(bytes.TrimSuffix(body, []byte("\n")), want) {
			t.Errorf("%s:\n got %s\nwant %s", path, body, want)
		}
		if len(cr.Changes) == 0 {
			t.Errorf("%s: no changes", path)
		}
	}
}

// BenchmarkFeedPages measures serving a shop's whole feed in the sync engine's pages of 2,000
// (reading the store and writing each page's JSON, without HTTP), on a generated shop of
// about 40,000 records kept on disk; it reports the cost per record.
func BenchmarkFeedPages(b *testing.B) {
	e := startEnv(b, b.TempDir(), &testClock{t: monday10})
	size := demoshop.Size{Customers: 1000, Products: 200, VariantsPerProduct: 10, Orders: 5000, Conversations: 2000,
		Messages: 30_000, Reviews: 300, Cases: 100, Complaints: 50}
	n := 0
	_, err := e.srv.ImportShop(b.Context(), ShopAccount{ID: "bench"}, func(emit func(shop.Record) error) error {
		return demoshop.Generate(size, 1, monday10, func(r shop.Record) error { n++; return emit(r) })
	}, []StaffLogin{{Staff: shop.Staff{Number: "1001"}, Password: pass}})
	if err != nil {
		b.Fatal(err)
	}
	st, err := e.srv.state(b.Context(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	newest, _ := st.watch()
	b.ResetTimer()
	start := time.Now()
	bytesOut := 0
	for i := 0; i < b.N; i++ {
		st.page = pageCache{} // every page read afresh
		after := int64(0)
		for {
			body, err := e.srv.readChanges(b.Context(), st, "bench", after, 2000, newest)
			if err != nil {
				b.Fatal(err)
			}
			bytesOut += len(body)
			// The tail is `],"next":N,"more":B,"total":N}`: decode it without the records.
			var page struct {
				Next int64 `json:"next"`
				More bool  `json:"more"`
			}
			tail := body[bytes.LastIndex(body, []byte(`],"next"`))+2:]
			if err := json.Unmarshal(append([]byte("{"), tail...), &page); err != nil {
				b.Fatal(fmt.Errorf("page tail %q: %w", tail, err))
			}
			if !page.More {
				break
			}
			after = page.Next
		}
	}
	el := time.Since(start)
	b.ReportMetric(float64(el.Nanoseconds())/float64(b.N*n), "ns/record")
	b.ReportMetric(float64(bytesOut)/float64(b.N)/1e6, "MB/feed")
}
