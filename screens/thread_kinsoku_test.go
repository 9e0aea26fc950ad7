package screens

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"kefu/assets"
	"kefu/shop"
)

// kinsokuTexts are messages full of the punctuation Chinese line-breaking rules care about.
var kinsokuTexts = []string{
	"亲，您的订单已经由中通发出，运单号ZT123456789，请注意查收哦～如有问题请随时联系我们！",
	"好的；麻烦您核对一下收货地址：浙江省杭州市西湖区文三路（近学院路）「小熊童装」仓库。谢谢！",
	"您好！请问是这件吗？「纯棉连体衣」、「夏季短袖」和《尺码表》都在详情页里，满199减30。",
	"亲，这个颜色尺码暂时缺货，预计7天内到货……需要帮您登记到货提醒吗？！",
	"Hello, your order (No. 2026120300000001) shipped, tracking ZT1: please check.",
}

// TestWrapKeepsChineseLineBreakingRules wraps messages at every width from a few characters
// to a long line: no line starts with closing punctuation or ends with opening punctuation,
// nothing is lost, and lines stay within the width (but for one hanging closing mark).
func TestWrapKeepsChineseLineBreakingRules(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(assets.Theme())
	size := theme.TextSize()
	style := fyne.TextStyle{}
	hanzi := fyne.MeasureText("亲", size, style).Width
	for _, text := range kinsokuTexts {
		for chars := 4; chars <= 30; chars++ {
			width := hanzi*float32(chars) + 1
			lines := wrapText(text, width, size, style)
			for i, l := range lines {
				if r, _ := utf8.DecodeRuneInString(l); i > 0 && isLineStartBanned(r) {
					t.Errorf("%d characters wide: line %d starts with %q: %q", chars, i, r, lines)
				}
				if r, _ := utf8.DecodeLastRuneInString(l); i < len(lines)-1 && isLineEndBanned(r) {
					t.Errorf("%d characters wide: line %d ends with %q: %q", chars, i, r, lines)
				}
				limit := width + 1
				if r, _ := utf8.DecodeLastRuneInString(l); isLineStartBanned(r) {
					limit += fyne.MeasureText(string(r), size, style).Width // a hanging mark
				}
				if w := fyne.MeasureText(l, size, style).Width; w > limit {
					t.Errorf("%d characters wide: line %q is %v wide; limit %v", chars, l, w, width)
				}
			}
			if got := strings.ReplaceAll(strings.Join(lines, " "), " ", ""); got != strings.ReplaceAll(text, " ", "") {
				t.Errorf("%d characters wide: wrapping lost or added text: %q", chars, lines)
			}
		}
	}
}

// TestWrapMovesTheCharacterBeforeAComma is the case: where the line is full just
// before "，", the character before it goes to the next line with it.
func TestWrapMovesTheCharacterBeforeAComma(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(assets.Theme())
	size := theme.TextSize()
	style := fyne.TextStyle{}
	width := fyne.MeasureText("一二三四五", size, style).Width + 1 // five hanzi
	got := wrapText("一二三四五，六七八；九十", width, size, style)
	want := []string{"一二三四", "五，六七八；", "九十"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		// "五，六七八；" is six glyphs; it fits only when punctuation is narrow. Whatever the
		// font, no line may start with "，" or "；".
		for i, l := range got {
			if r, _ := utf8.DecodeRuneInString(l); i > 0 && isLineStartBanned(r) {
				t.Fatalf("wrapped as %q; line %d starts with %q", got, i, r)
			}
		}
		if got[0] != "一二三四" {
			t.Fatalf("wrapped as %q; want the first line to give up 五 to keep \"，\" off the line start", got)
		}
	}
}

// TestThreadDrawsOnlyBubblesNearTheView: Fyne paints every object in every frame, so the
// bubbles far above the view (the newest messages are shown) are not drawn, keep their size,
// and are drawn again once scrolled to.
func TestThreadDrawsOnlyBubblesNearTheView(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(assets.Theme())
	th := newThread()
	var items []bubbleData
	for i := range 60 {
		items = append(items, bubbleData{id: fmt.Sprint(i), from: shop.FromCustomer, meta: "小鱼儿 · 14:05", text: kinsokuTexts[i%len(kinsokuTexts)]})
	}
	w := test.NewTempWindow(t, th)
	w.Resize(fyne.NewSize(480, 600))
	th.set(items, true)
	drawn := func(b *bubble) bool { return len(test.WidgetRenderer(b).Objects()) > 0 }
	first, last := th.bubbles[0], th.bubbles[len(th.bubbles)-1]
	if drawn(first) || !drawn(last) {
		t.Fatalf("at the newest message: the oldest drawn %v, the newest drawn %v", drawn(first), drawn(last))
	}
	height := th.box.MinSize().Height
	culled := 0
	for _, b := range th.bubbles {
		if !drawn(b) {
			culled++
			if b.Size().Height <= 0 {
				t.Fatal("a culled bubble lost its height")
			}
		}
	}
	if culled < 30 {
		t.Errorf("%d of 60 bubbles not drawn; want most of those out of view", culled)
	}
	th.scroll.ScrollToTop()
	if !drawn(first) || drawn(last) {
		t.Fatalf("at the top: the oldest drawn %v, the newest drawn %v", drawn(first), drawn(last))
	}
	if th.box.MinSize().Height != height {
		t.Errorf("the thread's height changed from %v to %v", height, th.box.MinSize().Height)
	}
}
