package screens

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"kefu/assets"
)

func TestWrapText(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(assets.Theme())
	size := theme.TextSize()
	width := fyne.MeasureText("亲亲亲亲亲亲亲亲亲亲", size, fyne.TextStyle{}).Width + 1 // ten hanzi

	lines := wrapText("亲，现在全店满199减30，VIP会员下单自动打折～两件刚好能用上哦", width, size, fyne.TextStyle{})
	if len(lines) < 3 {
		t.Fatalf("wrapped into %d lines: %q", len(lines), lines)
	}
	for _, l := range lines {
		if w := fyne.MeasureText(l, size, fyne.TextStyle{}).Width; w > width+1 {
			t.Errorf("line %q is %v wide; limit %v", l, w, width)
		}
	}
	if strings.Join(lines, "") != "亲，现在全店满199减30，VIP会员下单自动打折～两件刚好能用上哦" {
		t.Errorf("wrapping lost or added text: %q", lines)
	}

	en := wrapText("please check the tracking number again tomorrow", width, size, fyne.TextStyle{})
	for _, l := range en {
		for _, w := range strings.Fields(l) {
			if !strings.Contains(" please check the tracking number again tomorrow ", " "+w+" ") {
				t.Errorf("an English word was cut: %q in %q", w, en)
			}
		}
	}
	long := wrapText(strings.Repeat("x", 200), width, size, fyne.TextStyle{})
	if len(long) < 2 || strings.Join(long, "") != strings.Repeat("x", 200) {
		t.Errorf("a word longer than the line: %q", long)
	}
	if got := wrapText("第一行\n\n第三行", width, size, fyne.TextStyle{}); len(got) != 3 || got[1] != "" {
		t.Errorf("line breaks were not kept: %q", got)
	}
}

func TestFmtWait(t *testing.T) {
	if err := assets.SetupLanguage(assets.Chinese); err != nil {
		t.Fatal(err)
	}
	cases := map[time.Duration]string{
		45 * time.Second:               "45秒",
		2*time.Minute + 15*time.Second: "2分15秒",
		time.Hour + 3*time.Minute:      "1小时3分",
		50*time.Hour + 10*time.Minute:  "2天2小时",
		179 * time.Second:              "2分59秒",
	}
	for d, want := range cases {
		if got := fmtWait(d); got != want {
			t.Errorf("fmtWait(%v) = %q; want %q", d, got, want)
		}
	}
}
