package screens

import (
	"strings"
	"testing"

	"kefu/assets"
	"kefu/desk"
)

// TestCountSentencesAgreeWithTheCount checks, on an English system, that count sentences take
// the form of their count in English ("1 paid order", "2 paid orders") and read the same for
// any count in Chinese: Fyne reads a Chinese window's strings under the system's English
// plural rules, so Chinese entries carry the "one" form too. (Fyne applies the system
// locale's plural rules; for an English window on a Chinese system kefu's main puts English
// first in LANGUAGE.)
func TestCountSentencesAgreeWithTheCount(t *testing.T) {
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "en_US.UTF-8")
	t.Cleanup(func() { assets.SetupLanguage(assets.Chinese) })
	cases := []struct {
		key           string
		one, two, zh1 string
	}{
		{"%d paid orders", "1 paid order", "2 paid orders", "1 笔已付款订单"},
		{"%d customers waiting", "1 customer waiting", "2 customers waiting", "1 位顾客等待中"},
		{"%d problems", "1 problem", "2 problems", "1 个问题"},
		{"%d after-sales cases need attention", "1 case to handle", "2 cases to handle", "1 个售后需处理"},
		{"%d reviews untouched", "1 review untouched", "2 reviews untouched", "1 条评价待处理"},
		{"%d variants", "1 variant", "2 variants", "1 个规格"},
	}
	if err := assets.SetupLanguage(assets.English); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if got := pluralf(1, c.key, 1); got != c.one {
			t.Errorf("en %q for 1: %q; want %q", c.key, got, c.one)
		}
		if got := pluralf(2, c.key, 2); got != c.two {
			t.Errorf("en %q for 2: %q; want %q", c.key, got, c.two)
		}
	}
	if got := countText("%d orders", 1, 100); got != "1 order" {
		t.Errorf("countText for one order: %q", got)
	}
	if err := assets.SetupLanguage(assets.Chinese); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if got := pluralf(1, c.key, 1); got != c.zh1 {
			t.Errorf("zh %q for 1: %q; want %q", c.key, got, c.zh1)
		}
	}
}

// TestChineseListsUseFullWidthCommas: a list inside a Chinese sentence is separated by ，
// ("跳过：1 位已退订，18 位从未聊过"), an English one by ", ".
func TestChineseListsUseFullWidthCommas(t *testing.T) {
	t.Cleanup(func() { assets.SetupLanguage(assets.Chinese) })
	plan := desk.BulkPlan{OptedOut: 1, NoChat: 18}
	if err := assets.SetupLanguage(assets.Chinese); err != nil {
		t.Fatal(err)
	}
	zh := skippedText(plan)
	if strings.Contains(zh, ",") || !strings.Contains(zh, "，") {
		t.Errorf("zh: %q; want the parts separated by ，", zh)
	}
	if err := assets.SetupLanguage(assets.English); err != nil {
		t.Fatal(err)
	}
	if en := skippedText(plan); !strings.Contains(en, "opted out, 18") {
		t.Errorf("en: %q; want the parts separated by \", \"", en)
	}
}
