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
	"fyne.io/fyne/v2/lang"

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
	profileStart()
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

	l := newLauncher(a, w, o)
	l.start()
	w.ShowAndRun()
	if l.desk == nil {
		os.Exit(1) // closed without the desk having started
	}
}

// defaultDataDir is the desk's data directory under the user's config directory.
func defaultDataDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "kefu-desk")
}
