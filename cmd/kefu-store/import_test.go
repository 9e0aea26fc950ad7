package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kefu/demostore"
	"kefu/imports/importtest"
	"kefu/server"
)

// demoServer is what `kefu-store --demo` serves: the demo shop on an in-memory store.
func demoServer(t *testing.T) string {
	t.Helper()
	srv, err := server.New(server.Params{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := demostore.Seed(context.Background(), srv); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return hs.URL
}

// TestImportCommandOnDemo runs the README's "Bring your shop in" example against the demo shop.
func TestImportCommandOnDemo(t *testing.T) {
	url := demoServer(t)
	dir := t.TempDir()
	customers := filepath.Join(dir, "customers.csv")
	os.WriteFile(customers, []byte("会员名,姓名,标签\ntb_newbuyer,李雷,老客\n"), 0o600)
	var orders, items bytes.Buffer
	if err := importtest.WriteTaobaoPair(&orders, &items, 3, true); err != nil {
		t.Fatal(err)
	}
	orderFile, itemFile := filepath.Join(dir, "ExportOrderList.csv"), filepath.Join(dir, "ExportOrderDetailList.csv")
	os.WriteFile(orderFile, orders.Bytes(), 0o600)
	os.WriteFile(itemFile, items.Bytes(), 0o600)
	importCmd := func(stdin string, args ...string) (string, error) {
		var out, errs bytes.Buffer
		err := run(append([]string{"import", "--server", url, "--shop", "demo"}, args...), strings.NewReader(stdin), &out, &errs)
		return out.String() + errs.String(), err
	}

	out, err := importCmd("demo\n", "--staff", "1001", "--dry-run", customers)
	if err != nil || !strings.Contains(out, "customers.csv: customers, 客户表 (customers: Kefu's template), UTF-8: 1 new, 0 changed, 0 unchanged, 0 refused (dry run: nothing written)") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	// The item report named first still goes after the order report.
	out, err = importCmd("demo\n", "--staff", "1001", itemFile, orderFile, customers)
	if err != nil || !strings.Contains(out, "ExportOrderList.csv: taobao-orders") || strings.Index(out, "ExportOrderList.csv") > strings.Index(out, "ExportOrderDetailList.csv") ||
		!strings.Contains(out, "ExportOrderDetailList.csv: taobao-items, 淘宝宝贝报表 (Taobao item report), GB18030: 0 new, 7 changed") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = importCmd("demo\n", "--staff", "1001", orderFile, itemFile, customers)
	if err != nil || strings.Count(out, "0 new, 0 changed") != 3 {
		t.Fatalf("second import: %v\n%s", err, out)
	}

	// A refused row: exit status 1, and FILE:LINE: column: reason.
	bad := filepath.Join(dir, "stock.csv")
	os.WriteFile(bad, []byte("商品编码,仓库数量\nNO-SUCH-SKU,3\n"), 0o600)
	out, err = importCmd("demo\n", "--staff", "1001", bad)
	if code, _ := exitCode(err); code != 1 || !strings.Contains(out, bad+":2: 商品编码: no product of the shop has SKU NO-SUCH-SKU") {
		t.Fatalf("refused row: exit %d (%v)\n%s", code, err, out)
	}
	// An agent is refused; a wrong password and a missing server are errors: exit status 2.
	for name, args := range map[string][]string{
		"agent":    {"--staff", "1002", customers},
		"usage":    {"--staff", "1001"},
		"password": {"--staff", "1001", customers},
	} {
		stdin := "demo\n"
		if name == "password" {
			stdin = "wrong\n"
		}
		out, err := importCmd(stdin, args...)
		if code, _ := exitCode(err); err == nil || code != 2 {
			t.Errorf("%s: exit %d (%v)\n%s", name, code, err, out)
		}
		if name == "agent" && !strings.Contains(err.Error(), "owner or a manager") {
			t.Errorf("agent: %v", err)
		}
	}
	var out2, errs bytes.Buffer
	err = run([]string{"import", "--server", "http://127.0.0.1:1", "--shop", "demo", "--staff", "1001", customers}, strings.NewReader("demo\n"), &out2, &errs)
	if code, _ := exitCode(err); err == nil || code != 2 {
		t.Errorf("no server: exit %d (%v)", code, err)
	}
}
