package main

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"kefu/shop"
	"kefu/storeapi"
)

func load(t *testing.T, src []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(src)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestOpenAPIFollowsRegistry fails, naming the kind and the piece, when openapi.yaml is not
// what shop's registry implies.
func TestOpenAPIFollowsRegistry(t *testing.T) {
	kinds := shop.Registry()
	for _, p := range generatedProblems(storeapi.Spec, kinds) {
		t.Errorf("storeapi/openapi.yaml: %s (run go generate ./storeapi)", p)
	}
	for _, p := range handWritten(load(t, storeapi.Spec), kinds) {
		t.Errorf("storeapi/openapi.yaml: %s", p)
	}
	out, err := rewrite(storeapi.Spec, kinds)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(storeapi.Spec) {
		t.Error("storeapi/openapi.yaml is not what go generate ./storeapi makes of it")
	}
}

// TestIncompleteKindIsNamed registers a kind that openapi.yaml does not describe, and takes
// pieces away from the description: each problem names the kind and the piece.
func TestIncompleteKindIsNamed(t *testing.T) {
	remind, _ := shop.KindOrderRemind.Spec()
	extra := remind
	extra.Kind = "order.test"
	kinds := append(shop.Registry(), extra)
	wantAll(t, generatedProblems(storeapi.Spec, kinds),
		`the kind table lacks "| order.remind, order.test | order | Remind |"`, `the kind enum lacks "- order.test"`)
	wantAll(t, handWritten(load(t, storeapi.Spec), kinds), "kind order.test has no example")

	doc := load(t, storeapi.Spec)
	delete(doc.Components.Schemas, "Remind")
	wantAll(t, handWritten(doc, shop.Registry()), "kind order.remind: its payload Remind has no schema")

	doc = load(t, storeapi.Spec)
	ex := doc.Paths.Find("/v1/mutations").Post.RequestBody.Value.Content.Get("application/json").Examples
	ex["order_close"] = ex["order_remind"]
	delete(ex, "chat_read")
	wantAll(t, handWritten(doc, shop.Registry()), "kind chat.read has no example",
		`kind order.close: the summary of example order_close does not start with "order.close: "`,
		`kind order.close: example order_close sends one mutation of kind "order.remind"`)

	src := strings.Replace(string(storeapi.Spec), `- $ref: "#/components/schemas/Remind"`, "", 1)
	wantAll(t, generatedProblems([]byte(src), shop.Registry()), `the payloads lacks "- $ref: \"#/components/schemas/Remind\""`)
	src = strings.Replace(string(storeapi.Spec), "# end: kind enum", "", 1)
	wantAll(t, generatedProblems([]byte(src), shop.Registry()), "no line marks the end of the kind enum")
}

func wantAll(t *testing.T, problems []string, want ...string) {
	t.Helper()
	all := strings.Join(problems, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("the problems do not say %q:\n%s", w, all)
		}
	}
}
