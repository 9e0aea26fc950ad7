package assets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// deskTheme is Fyne's default theme with the bundled CJK fonts. Colours,
// icons and sizes come from the embedded default theme, so the light and dark
// variants behave exactly as in Fyne.
type deskTheme struct {
	fyne.Theme
}

var _ fyne.Theme = deskTheme{}

// Theme returns Fyne's default theme (colours, light/dark variants, icons and
// sizes unchanged) with the bundled Noto Sans CJK SC fonts, so that Chinese
// renders without any Chinese system font: regular and italic text use
// FontRegular, bold and bold-italic use FontBold, monospace uses FontMonospace,
// and the symbol style keeps Fyne's symbol font.
func Theme() fyne.Theme {
	return deskTheme{Theme: theme.DefaultTheme()}
}

// Font returns the bundled CJK font for the style.
func (t deskTheme) Font(style fyne.TextStyle) fyne.Resource {
	switch {
	case style.Monospace:
		return fontMonoRes
	case style.Bold:
		return fontBoldRes
	case style.Symbol:
		return t.Theme.Font(style)
	default:
		return fontRegularRes
	}
}
