package main

import (
	"os"
	"strings"
)

// localeVars are the variables Fyne reads the system's locale from, in the order it reads
// them: the first one set decides.
var localeVars = []string{"LC_ALL", "LC_MESSAGES", "LANG"}

// defaultLocale gives Fyne a locale to read when the system names none: with LC_ALL,
// LC_MESSAGES and LANG unset or empty, or the first one set being the POSIX locale ("C",
// "C.UTF-8", "POSIX"), as on a bare Linux session or a service, Fyne logs "Error parsing user
// locale" each time it looks (once per translation file). code is the desk's language ("zh",
// "en", or "" for the system's, which is Chinese under such a locale); the variables that
// named the POSIX locale, and LANG, are set to its locale. Other locales are left as they are.
//
// An explicit code that is not the system's language is also put first in LANGUAGE (which
// Fyne reads before LANG on Linux and BSD): Fyne applies the plural rules of the locale it
// reads, so an English window on a Chinese system would otherwise say "1 paid orders".
func defaultLocale(code string) {
	if code != "" && !strings.HasPrefix(strings.ToLower(firstLocale()), code) {
		os.Setenv("LANGUAGE", localeOf(code))
	}
	var posix []string
	for _, k := range localeVars {
		v := os.Getenv(k)
		if v == "" {
			continue
		}
		if !isPOSIXLocale(v) {
			return
		}
		posix = append(posix, k)
	}
	for _, k := range append(posix, "LANG") {
		os.Setenv(k, localeOf(code)+".UTF-8")
	}
}

// localeOf is the POSIX locale of the desk's language code: en_US for "en", else zh_CN.
func localeOf(code string) string {
	if code == "en" {
		return "en_US"
	}
	return "zh_CN"
}

// firstLocale is the locale Fyne reads first: LANGUAGE's first entry, else the first of
// localeVars set ("" for none).
func firstLocale() string {
	if l, _, _ := strings.Cut(os.Getenv("LANGUAGE"), ":"); l != "" {
		return l
	}
	for _, k := range localeVars {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return ""
}

// isPOSIXLocale reports whether v names the POSIX locale, which names no language.
func isPOSIXLocale(v string) bool {
	base, _, _ := strings.Cut(v, ".")
	return base == "C" || base == "POSIX"
}
