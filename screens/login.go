package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// SignIn checks a staff member's credentials with the store server. It runs off Fyne's
// goroutine and may take a while; it returns a *SignInError, which the form explains in plain
// words, or an error a person can read.
type SignIn func(shopID, staffNumber, password string) error

// Login is the sign-in form shown when the desk has no valid token for its server.
type Login struct {
	shopEntry, staffEntry *widget.Entry
	password              *widget.Entry
	submit                *widget.Button
	message               *widget.Label
	serverLabel           *widget.Label
	back                  *widget.Button // hidden unless setBack
	form                  fyne.CanvasObject

	server string
	signIn SignIn
	done   func()
	async  func(func()) // runs the sign-in off Fyne's goroutine (tests run it in place)
}

// NewLogin builds the sign-in form for server. signIn is called with what was typed; done runs on
// Fyne's goroutine after a successful sign-in. shopID and staff prefill the form.
func NewLogin(server, shopID, staff string, signIn SignIn, done func()) *Login {
	l := &Login{server: server, signIn: signIn, done: done, async: func(f func()) { go f() }}
	l.shopEntry = widget.NewEntry()
	l.shopEntry.SetText(shopID)
	l.staffEntry = widget.NewEntry()
	l.staffEntry.SetText(staff)
	l.password = widget.NewPasswordEntry()
	l.password.OnSubmitted = func(string) { l.onSubmit() }
	l.submit = widget.NewButton(lang.L("Sign in"), l.onSubmit)
	l.submit.Importance = widget.HighImportance
	l.message = widget.NewLabel("")
	l.message.Wrapping = fyne.TextWrapWord
	f := widget.NewForm(
		widget.NewFormItem(lang.L("Shop"), l.shopEntry),
		widget.NewFormItem(lang.L("Staff number"), l.staffEntry),
		widget.NewFormItem(lang.L("Password"), l.password),
	)
	title := widget.NewLabelWithStyle(lang.L("Sign in to your shop"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	l.serverLabel = widget.NewLabelWithStyle(server, fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
	l.back = widget.NewButton("", nil)
	l.back.Importance = widget.LowImportance
	l.back.Hide()
	box := container.NewVBox(title, l.serverLabel, f, l.submit, l.message, container.NewCenter(l.back))
	// A fixed width, and the height of what is shown: a message may take several lines.
	l.form = container.NewCenter(container.New(&fixedWidth{width: 420}, box))
	return l
}

// SetBack shows a button under the form that leaves it (back to the server address).
func (l *Login) SetBack(label string, fn func()) {
	l.back.SetText(label)
	l.back.SetIcon(theme.NavigateBackIcon())
	l.back.OnTapped = fn
	l.back.Show()
}

// Content is the form to put in the window.
func (l *Login) Content() fyne.CanvasObject { return l.form }

// Focus puts the cursor where typing should start.
func (l *Login) Focus(c fyne.Canvas) {
	switch {
	case l.shopEntry.Text == "":
		c.Focus(l.shopEntry)
	case l.staffEntry.Text == "":
		c.Focus(l.staffEntry)
	default:
		c.Focus(l.password)
	}
}

func (l *Login) onSubmit() {
	shopID, staff, pw := l.shopEntry.Text, l.staffEntry.Text, l.password.Text
	if shopID == "" || staff == "" || pw == "" {
		l.message.SetText(lang.L("Enter the shop, your staff number and your password."))
		return
	}
	l.submit.Disable()
	l.message.SetText(lang.L("Signing in…"))
	l.async(func() {
		err := l.signIn(shopID, staff, pw)
		fyne.Do(func() {
			l.submit.Enable()
			if err != nil {
				l.message.SetText(signInText(l.server, err))
				return
			}
			l.message.SetText("")
			l.done()
		})
	})
}
