package screens

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
	"kefu/internal/version"
)

// About is what the About box tells besides the desk's own version.
type About struct {
	Server  string // the store server the desk syncs with
	DataDir string // the desk's data folder
	// ServerVersion asks the server for its version, off Fyne's goroutine; nil: not asked.
	ServerVersion func(ctx context.Context) (string, error)
}

// aboutBox is the About box's content: the desk's name, version and commit, the server and its
// version, the data folder with a button that copies its path, and the bundled font's licence.
type aboutBox struct {
	content       fyne.CanvasObject
	serverVersion *widget.Label
	copyPath      *widget.Button
	copied        *widget.Label
}

// newAboutBox builds the About box for a; the server's version is asked through e.
func newAboutBox(e *env, a About) *aboutBox {
	b := &aboutBox{}
	name := heading("Kefu Desk 客服台")
	ver := widget.NewLabel(fmt.Sprintf(lang.L("Version %s, commit %s"), version.Version, version.Commit()))
	server := widget.NewLabelWithStyle(a.Server, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	server.Wrapping = fyne.TextWrapBreak
	b.serverVersion = widget.NewLabel("")
	b.serverVersion.Wrapping = fyne.TextWrapWord
	folder := widget.NewLabelWithStyle(a.DataDir, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	folder.Wrapping = fyne.TextWrapBreak
	b.copied = widget.NewLabel("")
	b.copyPath = widget.NewButtonWithIcon(lang.L("Copy the folder's path"), theme.ContentCopyIcon(), func() {
		e.app.Clipboard().SetContent(a.DataDir)
		b.copied.SetText(lang.L("Copied."))
	})
	licence := widget.NewLabel(assets.FontLicence())
	licence.Wrapping = fyne.TextWrapWord
	licenceScroll := container.NewVScroll(licence)
	licenceScroll.SetMinSize(fyne.NewSize(0, 160))
	fonts := widget.NewAccordion(widget.NewAccordionItem(lang.L("Font licence (Noto Sans CJK, SIL Open Font License 1.1)"), licenceScroll))

	objs := []fyne.CanvasObject{name, ver, widget.NewSeparator()}
	if a.Server != "" {
		objs = append(objs, widget.NewLabelWithStyle(lang.L("Store server"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			server, b.serverVersion)
	}
	objs = append(objs, widget.NewLabelWithStyle(lang.L("Data folder"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		folder, container.NewHBox(b.copyPath, b.copied), widget.NewSeparator(), fonts)
	b.content = container.New(&fixedWidth{width: 520}, container.NewVBox(objs...))

	if a.Server != "" && a.ServerVersion != nil {
		b.serverVersion.SetText(lang.L("Asking the server for its version…"))
		background(e, a.ServerVersion, func(v string, err error) {
			switch {
			case err != nil:
				b.serverVersion.SetText(lang.L("The server's version is not known: the server does not answer just now."))
			case v == "":
				b.serverVersion.SetText(lang.L("The server does not say its version (an older kefu-store)."))
			default:
				b.serverVersion.SetText(fmt.Sprintf(lang.L("kefu-store %s"), v))
			}
		})
	}
	return b
}

// showAbout opens the About box over the window.
func showAbout(e *env, a About) {
	b := newAboutBox(e, a)
	dialog.NewCustom(lang.L("About Kefu Desk"), lang.L("Close"), b.content, e.win).Show()
}
