package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// fitSelect gives a drop-down the width of its widest choice, so that the choice shown is
// never cut to "Every prod…" (Fyne's Select asks for little room and truncates); the English
// choices are often twice as long as the Chinese ones.
func fitSelect(s *widget.Select) fyne.CanvasObject {
	widest := float32(0)
	for _, o := range append([]string{s.PlaceHolder}, s.Options...) {
		widest = max(widest, fyne.MeasureText(o, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	// The text's padding on both sides, the drop-down icon and the padding before it.
	chrome := 4*theme.InnerPadding() + theme.IconInlineSize() + theme.Padding()
	return container.New(&fixedWidth{width: max(s.MinSize().Width, widest+chrome)}, s)
}

// columnsFitting returns widths, each at least as wide as the header label of its column
// needs to be read whole, with a little to spare (the window's driver rounds text to whole
// pixels; 0, the flexible column, stays 0).
func columnsFitting(widths []float32, headers []*widget.Label) []float32 {
	out := append([]float32(nil), widths...)
	for i, h := range headers {
		if i >= len(out) || out[i] == 0 {
			continue
		}
		need := fyne.MeasureText(h.Text, theme.Size(h.SizeName), h.TextStyle).Width + 2*theme.InnerPadding() + theme.Padding()
		out[i] = max(out[i], need)
	}
	return out
}
