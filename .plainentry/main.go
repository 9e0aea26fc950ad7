// Command plainentry is a window with one multi-line entry and the desk's theme: the baseline
// for counting the characters xdotool's typing delivers (not part of the desk).
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
)

func main() {
	a := app.New()
	a.Settings().SetTheme(assets.Theme())
	w := a.NewWindow("plain")
	e := widget.NewMultiLineEntry()
	e.Wrapping = fyne.TextWrapWord
	w.SetContent(container.NewBorder(nil, e, nil, nil, widget.NewLabel("plain entry")))
	w.Resize(fyne.NewSize(1280, 720))
	w.ShowAndRun()
}
