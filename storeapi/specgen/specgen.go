// Command specgen keeps storeapi/openapi.yaml in step with shop's registry of mutation kinds.
// It rewrites the marked sections of the file (the kind table of POST /v1/mutations, the anyOf
// of the mutation payloads and the MutationKind enum) from the registry, then reports what the
// registry asks for that only a person can write: an example request per kind, and a schema per
// payload type. Run it with `go generate ./storeapi`; its test fails, naming the kind and the
// piece, when openapi.yaml is not what the registry implies.
//
// A section is the lines between a line holding "begin: NAME" and one holding "end: NAME";
// generated lines take the indentation of the begin line.
package main

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"kefu/shop"
)

func main() {
	path := "openapi.yaml"
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	if err := run(path); err != nil {
		fmt.Fprintln(os.Stderr, "specgen:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	kinds := shop.Registry()
	out, err := rewrite(src, kinds)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !bytes.Equal(out, src) {
		if err := os.WriteFile(path, out, 0o644); err != nil {
			return err
		}
	}
	doc, err := openapi3.NewLoader().LoadFromData(out)
	if err != nil {
		return fmt.Errorf("%s does not load: %w", path, err)
	}
	if problems := handWritten(doc, kinds); len(problems) > 0 {
		return fmt.Errorf("%s needs, by hand:\n  %s", path, strings.Join(problems, "\n  "))
	}
	return nil
}

// section is one generated part of openapi.yaml.
type section struct {
	name  string
	lines func(kinds []shop.KindSpec) []string
}

var sections = []section{
	{"kind table", tableLines},
	{"payloads", payloadLines},
	{"kind enum", enumLines},
}

// tableLines is the kind table of POST /v1/mutations: kinds with the same entity and data
// share a row.
func tableLines(kinds []shop.KindSpec) []string {
	type row struct{ kinds, entity, data string }
	var rows []*row
	for _, s := range kinds {
		entity, data := entityCell(s), dataCell(s)
		i := slices.IndexFunc(rows, func(r *row) bool { return r.entity == entity && r.data == data })
		if i < 0 {
			rows = append(rows, &row{string(s.Kind), entity, data})
			continue
		}
		rows[i].kinds += ", " + string(s.Kind)
	}
	lines := []string{"| kind | entity | data |", "|---|---|---|"}
	for _, r := range rows {
		lines = append(lines, fmt.Sprintf("| %s | %s | %s |", r.kinds, r.entity, r.data))
	}
	return lines
}

func entityCell(s shop.KindSpec) string {
	switch {
	case s.New:
		return "new " + string(s.Entity) + " id"
	case s.EntityID != "":
		return "`" + s.EntityID + "`"
	}
	return string(s.Entity)
}

func dataCell(s shop.KindSpec) string {
	if p := s.Payload(); p != nil {
		return p.Name()
	}
	return "none"
}

// payloads lists the payload types of the kinds, each once, in registry order.
func payloads(kinds []shop.KindSpec) []reflect.Type {
	var ts []reflect.Type
	for _, s := range kinds {
		if p := s.Payload(); p != nil && !slices.Contains(ts, p) {
			ts = append(ts, p)
		}
	}
	return ts
}

func payloadLines(kinds []shop.KindSpec) []string {
	var lines []string
	for _, t := range payloads(kinds) {
		lines = append(lines, fmt.Sprintf(`- $ref: "#/components/schemas/%s"`, t.Name()))
	}
	return lines
}

func enumLines(kinds []shop.KindSpec) []string {
	var lines []string
	for _, s := range kinds {
		lines = append(lines, "- "+string(s.Kind))
	}
	return lines
}

// bounds finds section name in lines: the index of its begin and end lines.
func bounds(lines []string, name string) (begin, end int, err error) {
	begin = slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "begin: "+name) })
	if begin < 0 {
		return 0, 0, fmt.Errorf("no line marks the beginning of the %s (begin: %s)", name, name)
	}
	end = slices.IndexFunc(lines[begin:], func(l string) bool { return strings.Contains(l, "end: "+name) })
	if end < 0 {
		return 0, 0, fmt.Errorf("no line marks the end of the %s (end: %s)", name, name)
	}
	return begin, begin + end, nil
}

func indent(l string) string { return l[:len(l)-len(strings.TrimLeft(l, " "))] }

// rewrite replaces every section of src with what the registry implies.
func rewrite(src []byte, kinds []shop.KindSpec) ([]byte, error) {
	lines := strings.Split(string(src), "\n")
	for _, s := range sections {
		begin, end, err := bounds(lines, s.name)
		if err != nil {
			return nil, err
		}
		var gen []string
		for _, l := range s.lines(kinds) {
			gen = append(gen, indent(lines[begin])+l)
		}
		lines = slices.Concat(lines[:begin+1], gen, lines[end:])
	}
	return []byte(strings.Join(lines, "\n")), nil
}

// generatedProblems compares the sections of src with what the registry implies, naming the
// lines each lacks or has in excess.
func generatedProblems(src []byte, kinds []shop.KindSpec) []string {
	lines := strings.Split(string(src), "\n")
	var problems []string
	for _, s := range sections {
		begin, end, err := bounds(lines, s.name)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		var have []string
		for _, l := range lines[begin+1 : end] {
			have = append(have, strings.TrimSpace(l))
		}
		want := s.lines(kinds)
		for _, l := range want {
			if !slices.Contains(have, l) {
				problems = append(problems, fmt.Sprintf("the %s lacks %q", s.name, l))
			}
		}
		for _, l := range have {
			if !slices.Contains(want, l) {
				problems = append(problems, fmt.Sprintf("the %s has %q, which the registry does not imply", s.name, l))
			}
		}
		if len(problems) == 0 && !slices.Equal(have, want) {
			problems = append(problems, fmt.Sprintf("the %s is not in registry order", s.name))
		}
	}
	return problems
}

// exampleName is the name of the POST /v1/mutations example of kind k.
func exampleName(k shop.Kind) string { return strings.ReplaceAll(string(k), ".", "_") }

// handWritten names what doc lacks of what a person writes for each kind: an example request
// of POST /v1/mutations named after it, sending one mutation of that kind under a summary that
// starts with the kind; and a schema for each payload type, named after the Go type.
func handWritten(doc *openapi3.T, kinds []shop.KindSpec) []string {
	var problems []string
	examples := openapi3.Examples{}
	if p := doc.Paths.Find("/v1/mutations"); p != nil && p.Post != nil && p.Post.RequestBody != nil {
		if mt := p.Post.RequestBody.Value.Content.Get("application/json"); mt != nil {
			examples = mt.Examples
		}
	}
	known := map[string]bool{}
	for _, s := range kinds {
		name := exampleName(s.Kind)
		known[name] = true
		ex := examples[name]
		if ex == nil || ex.Value == nil {
			problems = append(problems, fmt.Sprintf("kind %s has no example: add %s under the examples of POST /v1/mutations", s.Kind, name))
			continue
		}
		if !strings.HasPrefix(ex.Value.Summary, string(s.Kind)+": ") {
			problems = append(problems, fmt.Sprintf("kind %s: the summary of example %s does not start with %q", s.Kind, name, string(s.Kind)+": "))
		}
		if k := exampleKind(ex.Value.Value); k != string(s.Kind) {
			problems = append(problems, fmt.Sprintf("kind %s: example %s sends one mutation of kind %q, not one of %s", s.Kind, name, k, s.Kind))
		}
	}
	for name := range examples {
		if !known[name] {
			problems = append(problems, fmt.Sprintf("example %s is of no registered kind", name))
		}
	}
	for _, s := range kinds {
		if p := s.Payload(); p != nil && doc.Components.Schemas[p.Name()] == nil {
			problems = append(problems, fmt.Sprintf("kind %s: its payload %s has no schema under components/schemas", s.Kind, p.Name()))
		}
	}
	slices.Sort(problems)
	return slices.Compact(problems)
}

// exampleKind is the kind of the one mutation an example sends ("" if it does not send one).
func exampleKind(v any) string {
	body, _ := v.(map[string]any)
	muts, _ := body["mutations"].([]any)
	if len(muts) != 1 {
		return ""
	}
	m, _ := muts[0].(map[string]any)
	k, _ := m["kind"].(string)
	return k
}
