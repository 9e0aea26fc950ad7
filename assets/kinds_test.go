package assets_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"

	"kefu/shop"
)

// languages are the languages the desk ships.
var languages = []string{"zh", "en"}

// keysByLanguage reads the translation files, named [part.]lang.json: the keys of each
// language, all its files merged.
func keysByLanguage(t *testing.T) map[string]map[string]bool {
	t.Helper()
	dir := os.DirFS("translations")
	names, err := fs.Glob(dir, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]map[string]bool{}
	for _, name := range names {
		b, err := fs.ReadFile(dir, name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		base := strings.TrimSuffix(name, ".json")
		l := base[strings.LastIndex(base, ".")+1:]
		if keys[l] == nil {
			keys[l] = map[string]bool{}
		}
		for k := range m {
			keys[l][k] = true
		}
	}
	return keys
}

// missingLabels names the kinds whose label key has no translation in one of the languages.
func missingLabels(kinds []shop.KindSpec, keys map[string]map[string]bool) []string {
	var problems []string
	for _, l := range languages {
		for _, s := range kinds {
			if !keys[l][s.Label] {
				problems = append(problems, fmt.Sprintf("kind %s: its label %q has no translation in assets/translations/%s.json", s.Kind, s.Label, l))
			}
		}
	}
	slices.Sort(problems)
	return problems
}

func TestEveryKindLabelIsTranslated(t *testing.T) {
	for _, p := range missingLabels(shop.Registry(), keysByLanguage(t)) {
		t.Error(p)
	}
}

func TestMissingLabelNamesTheKind(t *testing.T) {
	spec, _ := shop.KindChatSend.Spec()
	spec.Kind, spec.Label = "chat.test", "Chat test nobody translated"
	keys := keysByLanguage(t)
	got := strings.Join(missingLabels([]shop.KindSpec{spec}, keys), "\n")
	for _, want := range []string{`kind chat.test: its label "Chat test nobody translated" has no translation in assets/translations/zh.json`,
		`kind chat.test: its label "Chat test nobody translated" has no translation in assets/translations/en.json`} {
		if !strings.Contains(got, want) {
			t.Errorf("the problems do not say %q:\n%s", want, got)
		}
	}
}
