package bench

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Figure is one row of the table: a measured value against its target.
type Figure struct {
	Name   string // what is measured, as the issue names it
	Value  string // the measured value with its unit; empty when it could not be measured
	Target string // the target, e.g. "p99 ≤ 2 ms"
	Pass   bool   // the value meets the target
	Note   string // how it was measured, or why it could not be
}

// Result is the table's verdict on a figure.
func (f Figure) Result() string {
	switch {
	case f.Value == "":
		return "n/a"
	case f.Pass:
		return "pass"
	}
	return "FAIL"
}

// failed makes a figure that could not be measured; it counts as a miss.
func failed(name, target string, err error) Figure {
	return Figure{Name: name, Target: target, Note: "not measured: " + oneLine(err.Error())}
}

// oneLine keeps a message on one table row.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, "|", "/")
	if utf8.RuneCountInString(s) > 300 {
		r := []rune(s)
		s = string(r[:300]) + "…"
	}
	return s
}

// AllPass reports whether every figure was measured and meets its target.
func AllPass(figs []Figure) bool {
	for _, f := range figs {
		if !f.Pass || f.Value == "" {
			return false
		}
	}
	return len(figs) > 0
}

// WriteTable writes the figures as a Markdown table (figure, measured, target, result, notes),
// its columns padded so that it also reads well in a terminal.
func WriteTable(w io.Writer, figs []Figure) error {
	rows := [][]string{{"figure", "measured", "target", "result", "notes"}}
	for _, f := range figs {
		rows = append(rows, []string{oneLine(f.Name), oneLine(f.Value), oneLine(f.Target), f.Result(), oneLine(f.Note)})
	}
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r[:len(r)-1] { // the last column is not padded
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			b.WriteString(" ")
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)))
			}
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	line(rows[0])
	sep := make([]string, len(rows[0]))
	for i := range sep {
		sep[i] = strings.Repeat("-", max(3, width[i]))
	}
	sep[len(sep)-1] = "---"
	line(sep)
	for _, r := range rows[1:] {
		line(r)
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("writing the table: %w", err)
	}
	return nil
}
