package main

import (
	"os"
	"testing"
)

// TestDefaultLocale checks the locale the desk gives Fyne: the desk's language's when the
// system names none (unset, empty, C, C.UTF-8, POSIX), the system's otherwise, with an explicit
// language other than the system's put first in LANGUAGE.
func TestDefaultLocale(t *testing.T) {
	cases := []struct {
		name                string
		lcAll, lang, code   string
		wantLang, wantLCAll string
		wantLanguage        string
	}{
		{"unset, default language", "", "", "", "zh_CN.UTF-8", "", ""},
		{"C.UTF-8, English window", "", "C.UTF-8", "en", "en_US.UTF-8", "", "en_US"},
		{"POSIX", "", "POSIX", "zh", "zh_CN.UTF-8", "", "zh_CN"},
		{"LC_ALL=C wins over LANG", "C", "C", "", "zh_CN.UTF-8", "zh_CN.UTF-8", ""},
		{"a real locale is kept", "", "zh_CN.UTF-8", "", "zh_CN.UTF-8", "", ""},
		{"same language", "", "en_GB.UTF-8", "en", "en_GB.UTF-8", "", ""},
		{"English window on a Chinese system", "", "zh_CN.UTF-8", "en", "zh_CN.UTF-8", "", "en_US"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("LANGUAGE", "")
			t.Setenv("LC_MESSAGES", "")
			t.Setenv("LC_ALL", c.lcAll)
			t.Setenv("LANG", c.lang)
			defaultLocale(c.code)
			if got := os.Getenv("LANG"); got != c.wantLang {
				t.Errorf("LANG = %q; want %q", got, c.wantLang)
			}
			if got := os.Getenv("LC_ALL"); got != c.wantLCAll {
				t.Errorf("LC_ALL = %q; want %q", got, c.wantLCAll)
			}
			if got := os.Getenv("LANGUAGE"); got != c.wantLanguage {
				t.Errorf("LANGUAGE = %q; want %q", got, c.wantLanguage)
			}
		})
	}
}
