package screens

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestWriteCSVExcelFriendly(t *testing.T) {
	var b bytes.Buffer
	err := writeCSV(&b, []string{"订单号", "买家"}, [][]string{{"2026112700000001", "小鱼儿, \"大号\""}, {"-1", "=HYPERLINK(\"x\")"}})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\ufeff订单号,买家\r\n") {
		t.Fatalf("no BOM or CRLF header: %q", out)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][1] != "小鱼儿, \"大号\"" || rows[2][0] != "'-1" || rows[2][1] != "'=HYPERLINK(\"x\")" {
		t.Fatalf("rows %q", rows)
	}
}
