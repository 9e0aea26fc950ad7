package shop

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ruleFormats reads the package's sources for the sentences a rule can refuse or conflict
// with: the format of every reject and conflict call, and of the text checks' errors (rules.go),
// which rejections pass on with "%v".
func ruleFormats(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			idx := -1
			switch fn := c.Fun.(type) {
			case *ast.Ident:
				if fn.Name == "reject" {
					idx = 0
				}
			case *ast.SelectorExpr:
				switch {
				case fn.Sel.Name == "conflict":
					idx = 3
				case fn.Sel.Name == "Errorf" && f == "rules.go":
					idx = 0
				}
			}
			if idx < 0 || len(c.Args) <= idx {
				return true
			}
			if bl, ok := c.Args[idx].(*ast.BasicLit); ok && bl.Kind == token.STRING {
				s, err := strconv.Unquote(bl.Value)
				if err != nil {
					t.Fatal(err)
				}
				if s != "%v" { // passes a text check's sentence on
					found[s] = fset.Position(c.Pos()).String()
				}
			}
			return true
		})
	}
	return found
}

// Every sentence the rules can answer with has a code: a new refusal without one fails here,
// naming where it is, so that the desk never shows the rules' English to a Chinese window.
func TestEveryRuleSentenceHasAReasonCode(t *testing.T) {
	found := ruleFormats(t)
	if len(found) < 50 {
		t.Fatalf("read only %d sentences from the rules' sources", len(found))
	}
	known := map[string]bool{}
	for _, f := range reasonFormats {
		known[f.format] = true
	}
	for format, where := range found {
		if !known[format] {
			t.Errorf("%s: %q has no entry in reasonFormats (reasons.go)", where, format)
		}
	}
}

// Each format reads back to its own code: filled in with sample values, the sentence parses
// to the entry's code and gives the values back, unquoted.
func TestParseReasonReadsEachFormat(t *testing.T) {
	for _, f := range reasonFormats {
		var args []any
		var want []string
		for i, verb := range regexp.MustCompile(`%[sdqv]`).FindAllString(f.format, -1) {
			if verb == "%d" {
				args, want = append(args, 40+i), append(want, strconv.Itoa(40+i))
				continue
			}
			v := "v" + strconv.Itoa(i) + "x"
			args, want = append(args, v), append(want, v)
		}
		text := fmt.Sprintf(f.format, args...)
		got := ParseReason(text)
		if got.Code != f.code {
			t.Errorf("%q parses as %q; want %q", text, got.Code, f.code)
			continue
		}
		if w := append(slices.Clone(f.pre), want...); !slices.Equal(got.Args, w) {
			t.Errorf("%q gives %q; want %q", text, got.Args, w)
		}
	}
}

// Real answers of the rules read back: a shelf count against a figure that changed, a claimed
// conversation, a move from a state the review has left, an unknown kind, a too-long note.
func TestParseReasonOfRealAnswers(t *testing.T) {
	s := fixture()
	apply(t, s, mut(t, KindStockSet, "p1", "1003", StockSet{SKU: "KD-1-RED-120", Expected: 5, Warehouse: 9, Reason: "盘点"}))
	out, err := Decide(s, mut(t, KindStockSet, "p1", "1002", StockSet{SKU: "KD-1-RED-120", Expected: 5, Warehouse: 7, Reason: "盘点"}), t0)
	if err != nil || out.Conflict == nil {
		t.Fatalf("the second count: %v, %+v", err, out)
	}
	if r := ParseReason(out.Conflict.Reason); r.Code != ReasonStockChanged || !slices.Equal(r.Args, []string{"KD-1-RED-120", "9", "5"}) {
		t.Errorf("%q reads as %+v", out.Conflict.Reason, r)
	}

	apply(t, s, mut(t, KindChatClaim, "v1", "1001", nil))
	out, _ = Decide(s, mut(t, KindChatClaim, "v1", "1002", nil), t0)
	if r := ParseReason(out.Conflict.Reason); r.Code != ReasonClaimed || r.Arg(0) != "1001" {
		t.Errorf("%q reads as %+v", out.Conflict.Reason, r)
	}

	apply(t, s, mut(t, KindReviewMove, "r1", "1001", Move{From: "new", To: "contacted"}))
	out, _ = Decide(s, mut(t, KindReviewMove, "r1", "1002", Move{From: "new", To: "unreachable"}), t0)
	if r := ParseReason(out.Conflict.Reason); r.Code != ReasonMovedMeanwhile || !slices.Equal(r.Args, []string{"review", "r1", "contacted", "new", "unreachable"}) {
		t.Errorf("%q reads as %+v", out.Conflict.Reason, r)
	}

	var rej *RejectError
	_, err = Decide(s, Mutation{ID: "m1", Kind: "order.gift", Entity: "o1", Staff: "1002"}, t0)
	if !errors.As(err, &rej) {
		t.Fatalf("an unknown kind: %v", err)
	}
	if r := ParseReason(rej.Reason); r.Code != ReasonUnknownKind || r.Arg(0) != "order.gift" {
		t.Errorf("%q reads as %+v", rej.Reason, r)
	}
	_, err = Decide(s, mut(t, KindOrderNote, "o1", "1002", OrderNoteAdd{NoteID: "n1", Flag: FlagRed, Text: strings.Repeat("长", MaxNoteRunes+1)}), t0)
	if !errors.As(err, &rej) {
		t.Fatalf("a long note: %v", err)
	}
	if r := ParseReason(rej.Reason); r.Code != ReasonTooLong || r.Arg(0) != "note" || r.Arg(2) != strconv.Itoa(MaxNoteRunes) {
		t.Errorf("%q reads as %+v", rej.Reason, r)
	}
	if r := ParseReason("the moon is made of cheese"); r.Code != ReasonUnknown || r.Arg(0) != "the moon is made of cheese" {
		t.Errorf("an unknown sentence reads as %+v", r)
	}
}
