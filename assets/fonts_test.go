package assets

import (
	"bytes"
	"image"
	_ "image/png"
	"testing"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

const (
	sampleHanzi   = "会话订单库存评价顾客"
	sampleSymbols = "¥·…—✓★，。：；！？、《》【】“”￥→"
)

func bundledFonts() map[string]fyne.Resource {
	return map[string]fyne.Resource{
		"regular":   FontRegular(),
		"bold":      FontBold(),
		"monospace": FontMonospace(),
	}
}

func TestFontsHaveGlyphs(t *testing.T) {
	var ascii []rune
	for r := rune(0x20); r <= 0x7e; r++ {
		ascii = append(ascii, r)
	}
	want := string(ascii) + sampleHanzi + sampleSymbols

	for name, res := range bundledFonts() {
		t.Run(name, func(t *testing.T) {
			if n := len(res.Content()); n < 500_000 || n > 4_000_000 {
				t.Errorf("%s is %d bytes; want a subset of a few MB", res.Name(), n)
			}
			f, err := sfnt.Parse(res.Content())
			if err != nil {
				t.Fatalf("parse %s: %v", res.Name(), err)
			}
			var buf sfnt.Buffer
			for _, r := range want {
				gi, err := f.GlyphIndex(&buf, r)
				if err != nil || gi == 0 {
					t.Errorf("%s: no glyph for %q (U+%04X): %v", res.Name(), r, r, err)
					continue
				}
				if r == ' ' {
					continue
				}
				segs, err := f.LoadGlyph(&buf, gi, fixed.I(16), nil)
				if err != nil || len(segs) == 0 {
					t.Errorf("%s: empty outline for %q: %v", res.Name(), r, err)
				}
			}
			// Not in GB2312 nor in the extra ranges: the subset really is a subset.
			if gi, _ := f.GlyphIndex(&buf, '丟'); gi != 0 {
				t.Errorf("%s has U+4E1F, which should have been left out", res.Name())
			}
		})
	}
}

func TestMonospaceIsMonospaced(t *testing.T) {
	f, err := sfnt.Parse(FontMonospace().Content())
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	advance := func(r rune) fixed.Int26_6 {
		gi, err := f.GlyphIndex(&buf, r)
		if err != nil {
			t.Fatal(err)
		}
		a, err := f.GlyphAdvance(&buf, gi, fixed.I(1000), 0)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if i, w := advance('i'), advance('W'); i != w {
		t.Errorf("advance of i = %v, W = %v; want equal", i, w)
	}
	if i, han := advance('i'), advance('订'); han != 2*i {
		t.Errorf("advance of 订 = %v; want twice that of i (%v)", han, i)
	}
}

// TestFyneUsesBundledFont checks that Fyne's own font code (go-text, not
// x/image) loads the CFF subsets. Fyne falls back to system fonts rune by
// rune, so hanzi widths alone prove nothing on a machine that has a CJK font;
// Latin widths do: each bundled font must measure a Latin string exactly as
// its own advances say, which Fyne's default font does not.
func TestFyneUsesBundledFont(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(Theme())
	const latin, size = "iiiiiiiiiiWWWWWWWWWW", 20

	for name, res := range bundledFonts() {
		want := sfntWidth(t, res, latin, size)
		got, _ := a.Driver().RenderedTextSize(latin, size, fyne.TextStyle{}, res)
		if got.Width < want-0.5 || got.Width > want+0.5 {
			t.Errorf("%s: Fyne measured %q as %v wide; the font's advances say %v", name, latin, got.Width, want)
		}
		other, _ := a.Driver().RenderedTextSize(latin, size, fyne.TextStyle{}, theme.DefaultTextFont())
		if other.Width > want-0.5 && other.Width < want+0.5 {
			t.Errorf("%s: Fyne's default font is as wide (%v); the check cannot tell fonts apart", name, other.Width)
		}
		han, _ := a.Driver().RenderedTextSize(sampleHanzi, size, fyne.TextStyle{}, res)
		if han.Width < 199 || han.Width > 201 {
			t.Errorf("%s: width of %q at 20 = %v; want 200 (ten ems)", name, sampleHanzi, han.Width)
		}
	}

	text := canvas.NewText("订单", theme.Color(theme.ColorNameForeground))
	text.TextSize = 40
	text.FontSource = FontRegular()
	w := test.NewTempWindow(t, text)
	w.Resize(fyne.NewSize(120, 80))
	if ink := inkPixels(w.Canvas().Capture()); ink < 100 {
		t.Errorf("rendering 订单 with the bundled font drew %d pixels; want the glyphs", ink)
	}
}

// sfntWidth is the sum of the advances of s's glyphs at size pixels per em.
func sfntWidth(t *testing.T, res fyne.Resource, s string, size int) float32 {
	t.Helper()
	f, err := sfnt.Parse(res.Content())
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	var sum fixed.Int26_6
	for _, r := range s {
		gi, err := f.GlyphIndex(&buf, r)
		if err != nil {
			t.Fatal(err)
		}
		a, err := f.GlyphAdvance(&buf, gi, fixed.I(size), 0)
		if err != nil {
			t.Fatal(err)
		}
		sum += a
	}
	return float32(sum) / 64
}

func inkPixels(img image.Image) int {
	b := img.Bounds()
	bg := img.At(b.Min.X, b.Min.Y)
	br, bgc, bb, _ := bg.RGBA()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r != br || g != bgc || bl != bb {
				n++
			}
		}
	}
	return n
}

func TestThemeFonts(t *testing.T) {
	th := Theme()
	cases := []struct {
		style fyne.TextStyle
		want  fyne.Resource
	}{
		{fyne.TextStyle{}, FontRegular()},
		{fyne.TextStyle{Italic: true}, FontRegular()},
		{fyne.TextStyle{Bold: true}, FontBold()},
		{fyne.TextStyle{Bold: true, Italic: true}, FontBold()},
		{fyne.TextStyle{Monospace: true}, FontMonospace()},
		{fyne.TextStyle{Monospace: true, Bold: true}, FontMonospace()},
		{fyne.TextStyle{Symbol: true}, theme.DefaultTheme().Font(fyne.TextStyle{Symbol: true})},
	}
	for _, c := range cases {
		if got := th.Font(c.style); got != c.want {
			t.Errorf("Font(%+v) = %s; want %s", c.style, got.Name(), c.want.Name())
		}
	}
}

func TestThemeKeepsDefaultColours(t *testing.T) {
	th, def := Theme(), theme.DefaultTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for _, n := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameForeground, theme.ColorNamePrimary} {
			if got, want := th.Color(n, v), def.Color(n, v); got != want {
				t.Errorf("Color(%s, %d) = %v; want default %v", n, v, got, want)
			}
		}
	}
	if th.Color(theme.ColorNameBackground, theme.VariantLight) == th.Color(theme.ColorNameBackground, theme.VariantDark) {
		t.Error("light and dark backgrounds are the same")
	}
	if th.Size(theme.SizeNameText) != def.Size(theme.SizeNameText) {
		t.Error("text size differs from the default theme")
	}
}

func TestIcon(t *testing.T) {
	img, format, err := image.Decode(bytes.NewReader(Icon().Content()))
	if err != nil {
		t.Fatalf("decode icon: %v", err)
	}
	if format != "png" || img.Bounds().Dx() != 256 || img.Bounds().Dy() != 256 {
		t.Errorf("icon is %s %v; want a 256×256 png", format, img.Bounds())
	}
}
