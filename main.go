// Command kefu is Kefu Desk (客服台), the customer-service workstation for small online shops:
// chat, order notes, stock lookup, review follow-up and customer care in one window, working
// offline on a local store and syncing with a store server.
//
//	kefu                        the shop of last time, else the welcome page (connect or demo)
//	kefu --demo                 the generated demo shop on an embedded store server
//	kefu --server URL           sign in to a shop's store server and work on it
//	kefu --data DIR --lang en   keep data in DIR, show the window in English
//	kefu --version              print the version and commit
//
// This package is wiring only: flags, the local store, the sync engine and the window.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"kefu/assets"
	"kefu/internal/version"
)

// options are the command-line flags, and the shop the desk works on.
type options struct {
	data   string
	demo   bool
	server string
	lang   string
	// shopDir is the shop's folder under data ("" for --server, whose local store is data's
	// own desk folder), for a shop chosen on the welcome page or remembered from last time.
	shopDir string
}

func main() {
	attachConsole()
	profileStart()
	heapProfileStart()
	memoryTargets()
	o, code, ok := parseArgs(os.Args[1:], os.Stdout, os.Stderr)
	if !ok {
		os.Exit(code)
	}

	a := app.NewWithID("com.kefudesk.desk")
	a.Settings().SetTheme(assets.Theme())
	a.SetIcon(assets.Icon())
	w := a.NewWindow(lang.L("Kefu Desk"))
	areaW, areaH, scale, known := workArea()
	if user := a.Settings().Scale(); user > 0 {
		scale *= user
	}
	w.Resize(openingSize(areaW, areaH, scale, known))

	l := newLauncher(a, w, o)
	l.startShown()
	w.ShowAndRun()
	if l.failed() {
		os.Exit(1) // closed without the desk having started
	}
}

// parseArgs reads the command line. ok is false when the desk is not to start: --version or
// --help answered, or a flag was wrong; the process then exits with code.
func parseArgs(args []string, stdout, stderr io.Writer) (o options, code int, ok bool) {
	fs := flag.NewFlagSet("kefu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.data, "data", defaultDataDir(), "data directory of this desk")
	fs.BoolVar(&o.demo, "demo", false, "work on the generated demo shop, served by an embedded store server")
	fs.StringVar(&o.server, "server", "", "URL of the shop's store server, e.g. https://store.example.com (default: the shop of last time, else the welcome page)")
	fs.StringVar(&o.lang, "lang", "", "language of the window: zh or en (default: the system's, else zh)")
	showVersion := fs.Bool("version", false, "print the version and commit, and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, 0, false
		}
		return o, 2, false
	}
	if *showVersion {
		fmt.Fprintln(stdout, version.String("kefu"))
		return o, 0, false
	}
	defaultLocale(o.lang)
	if err := assets.SetupLanguage(o.lang); err != nil {
		fmt.Fprintln(stderr, "kefu:", err)
		return o, 2, false
	}
	return o, 0, true
}

// defaultDataDir is the desk's data directory under the user's config directory.
func defaultDataDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "kefu-desk")
}
