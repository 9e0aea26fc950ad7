// Package assets holds the files Kefu Desk embeds in its binary: the bundled
// Simplified Chinese fonts (subsets of Noto Sans CJK SC, so that Chinese renders
// on a machine with no Chinese system font), the Fyne theme that uses them, the
// zh and en translations behind lang.L, and the application icon.
//
// Typical start-up, before any window is built:
//
//	if err := assets.SetupLanguage(cfg.Language); err != nil { ... }
//	a := app.NewWithID("...")
//	a.Settings().SetTheme(assets.Theme())
//	a.SetIcon(assets.Icon())
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

// icon.png is drawn by gen_icon.go; the fonts are made by fonts/make_subsets.py.
//go:generate go run gen_icon.go

var (
	//go:embed fonts/NotoSansCJKsc-Regular-subset.otf
	fontRegular []byte
	//go:embed fonts/NotoSansCJKsc-Bold-subset.otf
	fontBold []byte
	//go:embed fonts/NotoSansMonoCJKsc-Regular-subset.otf
	fontMono []byte
	//go:embed icon.png
	iconPNG []byte

	fontRegularRes = fyne.NewStaticResource("NotoSansCJKsc-Regular-subset.otf", fontRegular)
	fontBoldRes    = fyne.NewStaticResource("NotoSansCJKsc-Bold-subset.otf", fontBold)
	fontMonoRes    = fyne.NewStaticResource("NotoSansMonoCJKsc-Regular-subset.otf", fontMono)
	iconRes        = fyne.NewStaticResource("icon.png", iconPNG)
)

// FontRegular returns the bundled Noto Sans CJK SC Regular subset (OpenType/CFF):
// ASCII, Latin-1, common punctuation and UI symbols, and all of GB2312.
func FontRegular() fyne.Resource { return fontRegularRes }

// FontBold returns the bundled Noto Sans CJK SC Bold subset, with the same
// characters as FontRegular.
func FontBold() fyne.Resource { return fontBoldRes }

// FontMonospace returns the bundled Noto Sans Mono CJK SC Regular subset:
// half-width Latin and full-width CJK, with the same characters as FontRegular.
func FontMonospace() fyne.Resource { return fontMonoRes }

// Icon returns the application icon, a 256×256 PNG (客 on a blue rounded square).
func Icon() fyne.Resource { return iconRes }
