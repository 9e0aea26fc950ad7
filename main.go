// Command kefu is Kefu Desk (客服台), the customer-service workstation for small online shops:
// chat, order notes, stock lookup, review follow-up and customer care in one window, working
// offline on a local store and syncing with a store server.
//
//	kefu --demo                 the generated demo shop on an embedded store server
//	kefu --server URL           sign in to a shop's store server and work on it
//	kefu --data DIR --lang en   keep data in DIR, show the window in English
//
// This package is wiring only: flags, the local store, the sync engine and the window.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
)

// options are the command-line flags.
type options struct {
	data   string
	demo   bool
	server string
	lang   string
}

func main() {
	var o options
	flag.StringVar(&o.data, "data", defaultDataDir(), "data directory of this desk")
	flag.BoolVar(&o.demo, "demo", false, "work on the generated demo shop, served by an embedded store server")
	flag.StringVar(&o.server, "server", "", "URL of the shop's store server, e.g. https://store.example.com")
	flag.StringVar(&o.lang, "lang", "", "language of the window: zh or en (default: the system's, else zh)")
	flag.Parse()
	if err := assets.SetupLanguage(o.lang); err != nil {
		fmt.Fprintln(os.Stderr, "kefu:", err)
		os.Exit(2)
	}
	if !o.demo && o.server == "" {
		fmt.Fprintln(os.Stderr, "kefu: give --server URL for your shop's store server, or --demo to try the demo shop")
		os.Exit(2)
	}

	a := app.NewWithID("com.kefudesk.desk")
	a.Settings().SetTheme(assets.Theme())
	a.SetIcon(assets.Icon())
	w := a.NewWindow(lang.L("Kefu Desk"))
	w.Resize(fyne.NewSize(1280, 780))

	d, err := openDesk(o)
	if err != nil {
		showFatal(w, err)
		w.ShowAndRun()
		os.Exit(1)
	}
	d.start(a, w)
	w.ShowAndRun()
}

// defaultDataDir is the desk's data directory under the user's config directory.
func defaultDataDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "kefu-desk")
}

// showFatal fills the window with why the desk cannot start, so nobody is left with a window
// that never appears or a message on a console they cannot see.
func showFatal(w fyne.Window, err error) {
	title := widget.NewLabelWithStyle(lang.L("Kefu Desk cannot start"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	quit := widget.NewButton(lang.L("Close"), w.Close)
	w.SetContent(container.NewPadded(container.NewVBox(title, msg, container.NewHBox(quit))))
	w.Resize(fyne.NewSize(560, 220))
}
