package main

import (
	"fyne.io/fyne/v2"
)

// The window's preferred opening size, and the room left around it on a screen it would not
// fit: a title bar and borders the window manager adds.
const (
	preferredWidth, preferredHeight = 1280, 780
	frameWidth, frameHeight         = 16, 40
)

// openingSize is the size the window opens at: the preferred size, made smaller on a screen
// whose work area (pixels, at scale pixels a unit) cannot hold it with its frame, so that a
// 1366×768 or 1280×720 screen shows the whole window. known is false when the screen's size is
// not known; the preferred size is used then.
func openingSize(areaW, areaH int, scale float32, known bool) fyne.Size {
	size := fyne.NewSize(preferredWidth, preferredHeight)
	if !known {
		return size
	}
	if scale <= 0 {
		scale = 1
	}
	fitW := float32(areaW)/scale - frameWidth
	fitH := float32(areaH)/scale - frameHeight
	return fyne.NewSize(min(size.Width, fitW), min(size.Height, fitH))
}
