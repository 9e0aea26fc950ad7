//go:build windows

package main

import (
	"log"
	"os"
	"syscall"
)

// attachParentProcess is ATTACH_PARENT_PROCESS: the console of the process that started this one.
const attachParentProcess = ^uintptr(0) // (DWORD)-1

// attachConsole makes `kefu --version` (and flag errors, and the log) print in the cmd.exe or
// PowerShell window the desk was started from. The desk is a GUI-subsystem executable, so
// Windows gives it no console and its standard output goes nowhere; started with arguments
// from a console, it attaches to that console and writes there. Started by a double-click
// (no arguments, no parent console) it does nothing.
func attachConsole() {
	if len(os.Args) < 2 || (usable(os.Stdout) && usable(os.Stderr)) {
		return // a double-click; or output redirected to a file or pipe, which stays so
	}
	attach := syscall.NewLazyDLL("kernel32.dll").NewProc("AttachConsole")
	if ok, _, _ := attach.Call(attachParentProcess); ok == 0 {
		return // no parent console (started from Explorer or a shortcut)
	}
	out, err := os.OpenFile("CONOUT$", os.O_RDWR, 0)
	if err != nil {
		return
	}
	if !usable(os.Stdout) {
		os.Stdout = out
	}
	if !usable(os.Stderr) {
		os.Stderr = out
		log.SetOutput(out)
	}
}

// usable reports whether f is a handle Windows gave the process (a redirection), not the
// missing handle of a GUI program.
func usable(f *os.File) bool {
	if f == nil {
		return false
	}
	_, err := f.Stat()
	return err == nil
}
