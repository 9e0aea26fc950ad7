//go:build !windows

package main

// attachConsole has nothing to do outside Windows: the desk writes to the terminal it was
// started from, if any.
func attachConsole() {}
