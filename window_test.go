package main

import (
	"testing"

	"fyne.io/fyne/v2"
)

// TestOpeningSize checks that the window opens at its preferred size on a large screen and
// within the work area, frame included, on a small or scaled one.
func TestOpeningSize(t *testing.T) {
	cases := []struct {
		w, h  int
		scale float32
		known bool
		want  fyne.Size
	}{
		{1920, 1040, 1, true, fyne.NewSize(1280, 780)},
		{1366, 768, 1, true, fyne.NewSize(1280, 728)},
		{1280, 720, 1, true, fyne.NewSize(1264, 680)},
		{1280, 680, 1, true, fyne.NewSize(1264, 640)},
		{2560, 1440, 2, true, fyne.NewSize(1264, 680)},
		{0, 0, 0, false, fyne.NewSize(1280, 780)},
	}
	for _, c := range cases {
		if got := openingSize(c.w, c.h, c.scale, c.known); got != c.want {
			t.Errorf("%d×%d at %g: %v; want %v", c.w, c.h, c.scale, got, c.want)
		}
	}
}
