package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// maxBannerHeight is the most the handover banner takes of the window's height: one
// handover with its note and a few items shows whole, more scroll inside the banner. A
// banner as tall as its handovers pushed the desk past the bottom of a 1280×720 or 1366×768
// screen (Fyne grows a window to its content's minimum), the status bar with it.
const maxBannerHeight = 150

// newCappedScroll shows content in a vertical scroller as tall as content wants, up to
// maxHeight; beyond that it scrolls. The scroller alone would ask for almost no height and
// the content alone for all of it.
func newCappedScroll(content fyne.CanvasObject, maxHeight float32) *fyne.Container {
	return container.New(&cappedHeight{content: content, max: maxHeight}, container.NewVScroll(content))
}

// cappedHeight lays out one scroller over content: the content's minimum height, at most max.
type cappedHeight struct {
	content fyne.CanvasObject
	max     float32
}

// MinSize is the scroller's width and the content's height, capped.
func (c *cappedHeight) MinSize(objects []fyne.CanvasObject) fyne.Size {
	if len(objects) == 0 {
		return fyne.Size{}
	}
	return fyne.NewSize(objects[0].MinSize().Width, min(c.content.MinSize().Height, c.max))
}

// Layout gives the scroller all the room.
func (c *cappedHeight) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}
