package screens

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/assets"
)

// CheckServer asks whether a store server address leads to a Kefu store. It runs off Fyne's
// goroutine; it returns the server's version ("" when it does not say), or a *SignInError
// (causes unreachable, bad_url, web_page, not_kefu_store, server_error) or an error a person
// can read.
type CheckServer func(server string) (version string, err error)

// SignInAt signs a staff member in at a store server, as SignIn does at the desk's one server.
type SignInAt func(server, shopID, staffNumber, password string) error

// WelcomeParams is what the first-run page needs.
type WelcomeParams struct {
	// Server, Shop and Staff prefill the connect step (the shop worked on before a switch).
	Server, Shop, Staff string
	Check               CheckServer
	SignIn              SignInAt
	// Connected runs on Fyne's goroutine after a successful sign-in.
	Connected func()
	// Demo runs on Fyne's goroutine when the staff member picks the demo shop.
	Demo func()
	// Go runs the address check and the sign-in off Fyne's goroutine; nil: a goroutine of
	// their own (tests run them in place).
	Go func(func())
}

// Welcome is the first-run page: connect to the shop's store server (its address, checked,
// then the sign-in form), or try the demo shop.
type Welcome struct {
	p     WelcomeParams
	stack *fyne.Container // the step shown
	shown int             // which: stepChoices, stepAddress or stepSignIn
	win   fyne.Canvas     // where Focus puts the cursor; nil until Focus

	connect, demo *widget.Button

	address *widget.Entry
	check   *widget.Button
	message *widget.Label
	login   *Login // the sign-in step once the address is checked

	async func(func()) // runs the check off Fyne's goroutine (tests run it in place)
}

// NewWelcome builds the first-run page, showing its two choices.
func NewWelcome(p WelcomeParams) *Welcome {
	w := &Welcome{p: p, stack: container.NewStack(), async: p.Go}
	if w.async == nil {
		w.async = func(f func()) { go f() }
	}
	w.connect = widget.NewButtonWithIcon(lang.L("Connect to my shop's server"), theme.LoginIcon(), w.showAddress)
	w.connect.Importance = widget.HighImportance
	w.demo = widget.NewButtonWithIcon(lang.L("Try the demo shop"), theme.MediaPlayIcon(), p.Demo)

	w.address = widget.NewEntry()
	w.address.SetPlaceHolder("https://store.example.com")
	w.address.SetText(p.Server)
	w.address.OnSubmitted = func(string) { w.onCheck() }
	w.check = widget.NewButton(lang.L("Check the address and go on"), w.onCheck)
	w.check.Importance = widget.HighImportance
	w.message = widget.NewLabel("")
	w.message.Wrapping = fyne.TextWrapWord
	w.showChoices()
	return w
}

// Content is the page to put in the window.
func (w *Welcome) Content() fyne.CanvasObject { return w.stack }

// Focus puts the cursor where typing starts on the step shown.
func (w *Welcome) Focus(c fyne.Canvas) {
	w.win = c
	switch w.shown {
	case stepChoices:
		c.Focus(w.connect)
	case stepAddress:
		c.Focus(w.address)
	case stepSignIn:
		w.login.Focus(c)
	}
}

// Steps of the page.
const (
	stepChoices = iota
	stepAddress
	stepSignIn
)

// show puts one step in the page.
func (w *Welcome) show(step int, o fyne.CanvasObject) {
	w.shown = step
	w.stack.Objects = []fyne.CanvasObject{o}
	w.stack.Refresh()
}

func (w *Welcome) showChoices() {
	w.login = nil
	icon := canvas.NewImageFromResource(assets.Icon())
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(64, 64))
	title := heading(lang.L("Welcome to Kefu Desk"))
	lead := newWrapLabel(lang.L("Kefu Desk keeps your shop's chats, orders, stock, reviews and customers in one window, and goes on working when the internet is down."))
	connectText := newWrapLabel(lang.L("Your shop's store server: you need its address, the shop's ID, your staff number and your password. Whoever set up Kefu for your shop has them."))
	demoText := newWrapLabel(lang.L("A made-up shop with customers, orders and reviews, kept on this computer: look around and try everything. Nothing is sent anywhere."))
	w.show(stepChoices, page(container.NewBorder(nil, nil, icon, nil, container.NewVBox(layout.NewSpacer(), title, layout.NewSpacer())), lead, widget.NewSeparator(), w.connect, connectText, widget.NewSeparator(), w.demo, demoText))
}

func (w *Welcome) showAddress() {
	w.login = nil
	w.message.SetText("")
	w.check.Enable()
	title := heading(lang.L("Connect to your shop's server"))
	lead := newWrapLabel(lang.L("The address of your shop's store server, as whoever set up Kefu for your shop gave it, e.g. https://store.example.com."))
	form := widget.NewForm(widget.NewFormItem(lang.L("Server address"), w.address))
	back := widget.NewButtonWithIcon(lang.L("Back"), theme.NavigateBackIcon(), w.showChoices)
	back.Importance = widget.LowImportance
	w.show(stepAddress, page(title, lead, form, w.check, w.message, container.NewHBox(back)))
	if w.win != nil {
		w.win.Focus(w.address)
	}
}

// normalAddress is the address as typed, without spaces and a trailing slash, https:// in
// front when no scheme was typed.
func normalAddress(s string) string {
	s = strings.TrimSpace(s)
	if s != "" && !strings.Contains(s, "://") {
		s = "https://" + s
	}
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		s = scheme + "://" + strings.TrimRight(rest, "/")
	}
	return s
}

func (w *Welcome) onCheck() {
	server := normalAddress(w.address.Text)
	if server == "" {
		w.message.SetText(lang.L("Enter the address of your shop's store server."))
		return
	}
	w.address.SetText(server)
	w.check.Disable()
	w.message.SetText(fmt.Sprintf(lang.L("Checking %s…"), server))
	w.async(func() {
		version, err := w.p.Check(server)
		fyne.Do(func() {
			w.check.Enable()
			if err != nil {
				w.message.SetText(signInText(server, err))
				return
			}
			w.message.SetText("")
			w.showSignIn(server, version)
		})
	})
}

// showSignIn is the sign-in form for the checked server, with a way back to the address.
func (w *Welcome) showSignIn(server, version string) {
	l := NewLogin(server, w.p.Shop, w.p.Staff, func(shopID, staff, password string) error {
		return w.p.SignIn(server, shopID, staff, password)
	}, w.p.Connected)
	l.async = w.async
	if version != "" {
		l.serverLabel.SetText(server + "\n" + fmt.Sprintf(lang.L("Kefu store %s"), version))
	}
	l.SetBack(lang.L("Change the address"), w.showAddress)
	w.login = l
	w.show(stepSignIn, l.Content())
	if w.win != nil {
		l.Focus(w.win)
	}
}

// heading is a page's title.
func heading(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// page lays objects out one under the other at a reading width, in the middle of the window.
func page(objs ...fyne.CanvasObject) fyne.CanvasObject {
	return container.NewCenter(container.New(&fixedWidth{width: 520}, container.NewVBox(objs...)))
}

// confirmSwitch asks before signing out to switch shop or server, saying what happens to the
// work not sent yet, and then runs switchShop.
func confirmSwitch(win fyne.Window, pending int, switchShop func()) {
	text := lang.L("You are signed out of this shop and Kefu Desk shows its welcome page, where you can connect to another shop or server, or try the demo shop.")
	if pending > 0 {
		text += "\n\n" + pluralf(pending, "%d actions have not reached the server yet. They are not lost: they stay on this computer and are sent when you sign in to this shop again.", pending)
	}
	msg := newWrapLabel(text)
	d := dialog.NewCustomConfirm(lang.L("Switch shop or server?"), lang.L("Sign out and switch"), lang.L("Cancel"),
		container.New(&fixedWidth{width: 440}, msg), func(ok bool) {
			if ok {
				switchShop()
			}
		}, win)
	d.Show()
}
