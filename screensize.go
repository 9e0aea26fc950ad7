//go:build !js && !wasm && !android && !ios && !mobile

package main

import (
	"github.com/go-gl/glfw/v3.3/glfw"
)

// workArea is the primary screen's area in pixels less the taskbars and docks, and the
// pixels per unit Fyne will draw at there (its own rule: the screen's dots per inch over 120,
// never below 1), read through GLFW before Fyne starts: main runs on the thread GLFW needs,
// and Fyne's own glfw.Init later does nothing more. ok is false when there is no screen to
// ask.
func workArea() (width, height int, scale float32, ok bool) {
	if err := glfw.Init(); err != nil {
		return 0, 0, 0, false
	}
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return 0, 0, 0, false
	}
	mode := m.GetVideoMode()
	_, _, width, height = m.GetWorkarea()
	if (width <= 0 || height <= 0) && mode != nil {
		width, height = mode.Width, mode.Height
	}
	scale = 1
	if mm, _ := m.GetPhysicalSize(); mm > 0 && mode != nil {
		if dpi := float32(mode.Width) / (float32(mm) / 25.4); dpi >= 10 && dpi <= 1000 {
			scale = max(1, dpi/120)
		}
	}
	return width, height, scale, width > 0 && height > 0
}
