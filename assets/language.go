package assets

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// Language codes accepted by SetupLanguage and returned by Language.
const (
	// Chinese is Simplified Chinese, the default.
	Chinese = "zh"
	// English is English.
	English = "en"
)

// ErrUnsupportedLanguage is returned by SetupLanguage for a code other than
// "zh", "en" or "".
var ErrUnsupportedLanguage = errors.New("assets: unsupported language")

//go:embed translations/*.json
var translations embed.FS

// translationLocales says under which locale the translation files of each
// language are added to Fyne's bundle. A file is named [part.]lang.json
// (zh.json, chat.zh.json …) so each screen can keep its own strings; all
// files of one language merge. zh goes in as zh-Hans, the tag of Fyne's own
// Chinese strings (base.zh_Hans.json), so both live under one tag: go-i18n
// answers from the single bundle tag that best matches the localizer's
// language, and for "zh" that is Fyne's zh-Hans, so strings added under a
// separate "zh" tag (what lang.AddTranslationsFS does with a file named
// zh.json) are never found: tried with Fyne 2.7.1, lang.L("Orders") stayed
// "Orders".
var translationLocales = map[string]fyne.Locale{
	"zh": "zh-Hans",
	"en": "en",
}

// fileLanguage is the language code of a translation file named [part.]lang.json.
func fileLanguage(name string) string {
	base := strings.TrimSuffix(name, ".json")
	return base[strings.LastIndex(base, ".")+1:]
}

var (
	mu     sync.Mutex
	chosen string
)

// SetupLanguage loads the bundled translations and makes lang.L, lang.N, lang.X
// and lang.XN answer in the given language for the rest of the process,
// including Fyne's own strings such as dialog buttons. code is "zh"
// (Simplified Chinese), "en" (English) or "" for the system locale: Chinese or
// English when the system's primary language is one of those, otherwise
// Chinese. Any other code returns ErrUnsupportedLanguage and changes nothing.
//
// Call it at start-up, before building any UI; lang.L is not safe to call
// concurrently with it. Translations must only be added through this package:
// a later lang.AddTranslations* call elsewhere makes Fyne pick the language
// from the system locale again.
func SetupLanguage(code string) error {
	if code != "" && translationLocales[code] == "" {
		return fmt.Errorf("%w: %q (want %q, %q or empty for the system locale)",
			ErrUnsupportedLanguage, code, Chinese, English)
	}
	if code == "" {
		code = systemLanguage(lang.SystemLocale())
		if posixLocaleUnset() {
			code = Chinese // Fyne reads an unset or C locale as English; it says nothing
		}
	}

	mu.Lock()
	defer mu.Unlock()
	if err := loadLanguage(code); err != nil {
		return err
	}
	chosen = code
	return nil
}

// Language returns the code chosen by the last successful SetupLanguage call,
// "zh" or "en" (the system locale already resolved), or "" before that.
func Language() string {
	mu.Lock()
	defer mu.Unlock()
	return chosen
}

// systemLanguage picks zh or en for a system locale such as "zh-CN", "en-GB"
// or "de-DE": Chinese unless the language is English.
func systemLanguage(l fyne.Locale) string {
	base, _, _ := strings.Cut(strings.ReplaceAll(strings.ToLower(l.String()), "_", "-"), "-")
	if base == English {
		return English
	}
	return Chinese
}

// posixLocaleUnset reports whether the process runs under the POSIX "C" locale, or with the
// locale variables set but empty, as on a bare Linux session or a service: a locale that
// names no language.
func posixLocaleUnset() bool {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v, ok := os.LookupEnv(k)
		if !ok || v == "" {
			continue
		}
		base, _, _ := strings.Cut(v, ".")
		return base == "C" || base == "POSIX"
	}
	return false
}

// loadLanguage makes Fyne's localizer answer in language code, through Fyne's public lang API
// only. Fyne 2.7 picks the one translation tag closest to the system's locales and answers from
// it alone (it has no call to choose another: fyne-io/fyne#5333), so the chosen language's files
// are added under that tag — the system locale, matched exactly — as well as under the
// language's own tag. A later call for the other language overwrites the same keys, since both
// languages ship the same keys (TestTranslationFilesHaveSameKeys); fyne.zh.json and fyne.en.json carry
// Fyne's own strings (dialog buttons, the file dialog, the calendar), so those follow the choice
// too instead of the system's language.
func loadLanguage(code string) error {
	targets := []fyne.Locale{translationLocales[code]}
	if sys := lang.SystemLocale(); sys != targets[0] {
		targets = append(targets, sys)
	}
	entries, err := translations.ReadDir("translations")
	if err != nil {
		return fmt.Errorf("assets: read translations: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		file := fileLanguage(name)
		if _, ok := translationLocales[file]; !ok {
			return fmt.Errorf("assets: translations/%s is for no language the desk ships", name)
		}
		if file != code {
			continue
		}
		data, err := translations.ReadFile(path.Join("translations", name))
		if err != nil {
			return fmt.Errorf("assets: read translations %s: %w", name, err)
		}
		for _, t := range targets {
			if err := lang.AddTranslationsForLocale(data, t); err != nil {
				return fmt.Errorf("assets: load translations %s: %w", name, err)
			}
		}
	}
	return nil
}
