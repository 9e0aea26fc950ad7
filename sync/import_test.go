package sync

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"kefu/localdb"
	"kefu/storeapi"
)

// plainHTTP gives a test desk's engine a plain HTTP client: the tests' cable checks answers
// against openapi.yaml with the request body it re-reads, which a streamed upload does not
// give twice.
func plainHTTP(p *Params) { p.HTTPClient = nil }

// customersCSV is a customers file in Kefu's template: two customers, the second with a
// birthday that is no date.
const customersCSV = "会员名,姓名,生日\r\ntb_xiaoyu,余小鱼,05-20\r\ntb_bad,错生日,13-45\r\n"

// TestImportStreamsTheFile sends a file through a running engine: its bytes go out with a
// Content-Length and the progress follows them; the server's answer comes back decoded; a dry
// run writes nothing, the real import does.
func TestImportStreamsTheFile(t *testing.T) {
	ts := newTestServer(t, nil)
	d := newDesk(t, ts, "owner", "1001", plainHTTP)
	for _, dry := range []bool{true, false} {
		before := ts.seq(t)
		var last, total int64
		r, err := d.eng.Import(context.Background(), ImportFile{Name: "客户.csv", Body: strings.NewReader(customersCSV),
			Size: int64(len(customersCSV)), DryRun: dry, Progress: func(sent, t int64) { last, total = sent, t }})
		if err != nil {
			t.Fatalf("dry run %v: %v", dry, err)
		}
		if r.File != "客户.csv" || r.Format != "customers" || r.DryRun != dry || r.Rows != 2 || r.New != 1 || r.Refused != 1 ||
			len(r.Refusals) != 1 || r.Refusals[0].Line != 3 {
			t.Errorf("dry run %v: %+v", dry, r)
		}
		if last != int64(len(customersCSV)) || total != last {
			t.Errorf("dry run %v: progress ended at %d of %d, want %d", dry, last, total, len(customersCSV))
		}
		if wrote := ts.seq(t) != before; wrote == dry {
			t.Errorf("dry run %v: the feed moved %v", dry, wrote)
		}
	}
}

// TestImportRefusals: an agent's import is refused with 403, a signed-out engine does not
// send, and a body shorter than its Size is not sent as a whole file.
func TestImportRefusals(t *testing.T) {
	ts := newTestServer(t, nil)
	file := func() ImportFile {
		return ImportFile{Name: "c.csv", Body: strings.NewReader(customersCSV), Size: int64(len(customersCSV)), DryRun: true}
	}
	agent := newDesk(t, ts, "agent", "1002", plainHTTP)
	var se *ServerError
	if _, err := agent.eng.Import(context.Background(), file()); !errors.As(err, &se) || se.StatusCode != http.StatusForbidden || se.Code != storeapi.CodeForbidden {
		t.Errorf("agent's import: %v, want 403 %s", err, storeapi.CodeForbidden)
	}

	owner := newDesk(t, ts, "owner", "1001", plainHTTP)
	short := file()
	short.Size += 10
	if _, err := owner.eng.Import(context.Background(), short); !errors.Is(err, ErrImportSize) {
		t.Errorf("a body shorter than its size: %v, want ErrImportSize", err)
	}
	empty := file()
	empty.Size = 0
	if _, err := owner.eng.Import(context.Background(), empty); !errors.Is(err, ErrImportSize) {
		t.Errorf("size 0: %v, want ErrImportSize", err)
	}

	db, err := localdb.Open(localdb.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out, err := New(Params{Store: db, BaseURL: ts.url()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := out.Import(context.Background(), file()); !errors.Is(err, ErrSignedOut) {
		t.Errorf("signed out: %v, want ErrSignedOut", err)
	}
	bad, err := New(Params{Store: db, BaseURL: ts.url(), Token: "not-a-token"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Import(context.Background(), file()); !errors.Is(err, ErrSignedOut) {
		t.Errorf("a refused token: %v, want ErrSignedOut", err)
	}
}
