//go:build js || wasm || android || ios || mobile

package main

// workArea is not known on these platforms, where the window fills the screen anyway.
func workArea() (width, height int, scale float32, ok bool) { return 0, 0, 0, false }
