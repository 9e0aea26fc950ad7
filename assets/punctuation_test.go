package assets

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"testing"
)

// TestChineseTextHasNoASCIICommas: a Chinese translation uses the full-width ，between its
// clauses, never ", " (ASCII commas stay only inside Latin text, such as "Shopify, WooCommerce").
func TestChineseTextHasNoASCIICommas(t *testing.T) {
	hanComma := regexp.MustCompile(`\p{Han}[^\p{Han}A-Za-z]*,|,\s*\p{Han}`)
	entries, err := translations.ReadDir("translations")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if fileLanguage(e.Name()) != Chinese {
			continue
		}
		data, err := fs.ReadFile(translations, "translations/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		for k, v := range m {
			var texts []string
			switch x := v.(type) {
			case string:
				texts = append(texts, x)
			case map[string]any:
				for _, f := range x {
					if s, ok := f.(string); ok {
						texts = append(texts, s)
					}
				}
			}
			for _, s := range texts {
				if hanComma.MatchString(s) {
					t.Errorf("%s: %q reads %q: an ASCII comma in Chinese text", e.Name(), k, s)
				}
			}
		}
	}
}
