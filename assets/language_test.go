package assets

import (
	"encoding/json"
	"errors"
	"io/fs"
	"runtime"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

func TestSetupLanguage(t *testing.T) {
	cases := []struct {
		code                 string
		orders, chat, fyneOK string
	}{
		{"zh", "订单", "会话", "取消"},
		{"en", "Orders", "Chat", "Cancel"},
		{"zh", "订单", "会话", "取消"}, // switching back works too
	}
	for _, c := range cases {
		if err := SetupLanguage(c.code); err != nil {
			t.Fatalf("SetupLanguage(%q): %v", c.code, err)
		}
		if got := Language(); got != c.code {
			t.Errorf("Language() = %q; want %q", got, c.code)
		}
		if got := lang.L("Orders"); got != c.orders {
			t.Errorf("%s: lang.L(Orders) = %q; want %q", c.code, got, c.orders)
		}
		if got := lang.L("Chat"); got != c.chat {
			t.Errorf("%s: lang.L(Chat) = %q; want %q", c.code, got, c.chat)
		}
		// Fyne's own strings follow the same choice.
		if got := lang.L("Cancel"); got != c.fyneOK {
			t.Errorf("%s: lang.L(Cancel) = %q; want %q", c.code, got, c.fyneOK)
		}
		// A key nobody translated falls back to itself.
		if got := lang.L("No such key 42"); got != "No such key 42" {
			t.Errorf("%s: untranslated key gave %q", c.code, got)
		}
	}
}

func TestSetupLanguageRejectsUnknownCode(t *testing.T) {
	if err := SetupLanguage("en"); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"fr", "zh-CN", "ZH", "english"} {
		if err := SetupLanguage(code); !errors.Is(err, ErrUnsupportedLanguage) {
			t.Errorf("SetupLanguage(%q) = %v; want ErrUnsupportedLanguage", code, err)
		}
	}
	if got := Language(); got != "en" {
		t.Errorf("Language() = %q after rejected codes; want en unchanged", got)
	}
	if got := lang.L("Orders"); got != "Orders" {
		t.Errorf("lang.L(Orders) = %q after rejected codes; want Orders", got)
	}
}

func TestSystemLanguage(t *testing.T) {
	cases := map[fyne.Locale]string{
		"zh":         "zh",
		"zh-CN":      "zh",
		"zh-TW":      "zh",
		"zh-CN-Hans": "zh",
		"en":         "en",
		"en-US":      "en",
		"en-GB":      "en",
		"EN_us":      "en",
		"de-DE":      "zh",
		"ja-JP":      "zh",
		"":           "zh",
	}
	for l, want := range cases {
		if got := systemLanguage(l); got != want {
			t.Errorf("systemLanguage(%q) = %q; want %q", l, got, want)
		}
	}
}

// TestSetupLanguageFromSystem drives the "" code through the real system
// locale lookup; the environment variables only decide it on Linux and BSD.
func TestSetupLanguageFromSystem(t *testing.T) {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "android", "js":
		t.Skip("system locale does not come from LANG on " + runtime.GOOS)
	}
	cases := map[string]struct{ code, orders string }{
		"zh_CN.UTF-8": {"zh", "订单"},
		"en_US.UTF-8": {"en", "Orders"},
		"de_DE.UTF-8": {"zh", "订单"},
		"C.UTF-8":     {"zh", "订单"},
		"POSIX":       {"zh", "订单"},
	}
	for env, want := range cases {
		t.Setenv("LANGUAGE", "")
		t.Setenv("LC_ALL", "")
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", env)
		if err := SetupLanguage(""); err != nil {
			t.Fatalf("LANG=%s: %v", env, err)
		}
		if got := Language(); got != want.code {
			t.Errorf("LANG=%s: Language() = %q; want %q", env, got, want.code)
		}
		if got := lang.L("Orders"); got != want.orders {
			t.Errorf("LANG=%s: lang.L(Orders) = %q; want %q", env, got, want.orders)
		}
	}
}

func TestTranslationFilesHaveSameKeys(t *testing.T) {
	read := func(name string) map[string]any {
		data, err := fs.ReadFile(translations, "translations/"+name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k, v := range m {
			if s, ok := v.(string); ok && s == "" {
				t.Errorf("%s: %q has an empty translation", name, k)
			}
		}
		return m
	}
	entries, err := translations.ReadDir("translations")
	if err != nil {
		t.Fatal(err)
	}
	byLang := map[string]map[string]any{}
	for _, e := range entries {
		l := fileLanguage(e.Name())
		if _, ok := translationLocales[l]; !ok {
			t.Errorf("translations/%s is for language %q, which has no locale", e.Name(), l)
			continue
		}
		if byLang[l] == nil {
			byLang[l] = map[string]any{}
		}
		for k, v := range read(e.Name()) {
			if _, dup := byLang[l][k]; dup {
				t.Errorf("key %q is in two %s files", k, l)
			}
			byLang[l][k] = v
		}
	}
	zh, en := byLang["zh"], byLang["en"]
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("key %q is in the en files but not in the zh files", k)
		}
	}
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("key %q is in the zh files but not in the en files", k)
		}
	}
}

// TestSetupLanguageOverridesSystemLocale checks that the chosen language wins over the
// system's, for Kefu's strings and Fyne's own (dialog buttons, the file dialog) alike, and
// that switching back and forth leaves nothing of the other language behind.
func TestSetupLanguageOverridesSystemLocale(t *testing.T) {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "android", "js":
		t.Skip("system locale does not come from LANG on " + runtime.GOOS)
	}
	cases := []struct {
		env, code              string
		orders, cancel, parent string
	}{
		{"de_DE.UTF-8", "en", "Orders", "Cancel", "(Parent)"},
		{"de_DE.UTF-8", "zh", "订单", "取消", "(上一级)"},
		{"en_US.UTF-8", "zh", "订单", "取消", "(上一级)"},
		{"zh_CN.UTF-8", "en", "Orders", "Cancel", "(Parent)"},
		{"zh_CN.UTF-8", "zh", "订单", "取消", "(上一级)"},
		{"fr_FR.UTF-8", "en", "Orders", "Cancel", "(Parent)"},
	}
	for _, c := range cases {
		t.Setenv("LANGUAGE", "")
		t.Setenv("LC_ALL", "")
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", c.env)
		if err := SetupLanguage(c.code); err != nil {
			t.Fatalf("LANG=%s %s: %v", c.env, c.code, err)
		}
		for key, want := range map[string]string{"Orders": c.orders, "Cancel": c.cancel, "(Parent)": c.parent} {
			if got := lang.L(key); got != want {
				t.Errorf("LANG=%s, SetupLanguage(%s): lang.L(%q) = %q; want %q", c.env, c.code, key, got, want)
			}
		}
	}
}

// TestFyneDialogWordsAreFynes checks that no key of Kefu's own strings gives Fyne's file
// dialog a word of another meaning: "Open" on its button must say 打开, not a state's name.
func TestFyneDialogWordsAreFynes(t *testing.T) {
	if err := SetupLanguage("zh"); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"Open": "打开", "Save": "保存", "Cancel": "取消", "New Folder": "新文件夹"} {
		if got := lang.L(key); got != want {
			t.Errorf("lang.L(%q) = %q; want %q", key, got, want)
		}
	}
}
