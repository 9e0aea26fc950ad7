package screens

import (
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"kefu/shop"
)

// errConflict is returned by env.apply when the local store refused a mutation as a conflict;
// the conflict has been shown to the staff member already.
var errConflict = errors.New("screens: the action conflicts with the current state")

// env is what every section shares: who is working, where, the clock, and how an action is
// recorded.
type env struct {
	staff  shop.Staff
	win    fyne.Window
	app    fyne.App
	now    func() time.Time
	writer Writer
	kick   func()
	// applied runs after every recorded action (the desk updates the status bar).
	applied func()
}

// apply records a staff action: it builds the mutation, applies it to the local store and tells
// sync. Rejections and conflicts are shown in a dialog and returned as errors, so the caller
// keeps what the staff member typed.
func (e *env) apply(kind shop.Kind, entity string, base int64, data any) error {
	m, err := shop.NewMutation(kind, entity, e.staff.Number, e.now(), data)
	if err != nil {
		return fmt.Errorf("screens: building %s: %w", kind, err)
	}
	m.Base = base
	out, err := e.writer.Apply(m)
	if err != nil {
		e.showError(err)
		return fmt.Errorf("screens: %s on %s: %w", kind, entity, err)
	}
	if out.Conflict != nil {
		e.showConflict(out.Conflict)
		return errConflict
	}
	if e.kick != nil {
		e.kick()
	}
	if e.applied != nil {
		e.applied()
	}
	return nil
}

// showError tells the staff member why an action failed, in words they can act on.
func (e *env) showError(err error) {
	var rej *shop.RejectError
	msg := err.Error()
	if errors.As(err, &rej) {
		msg = fmt.Sprintf(lang.L("The action was refused: %s"), rej.Reason)
	} else if s := notSavedText(err); s != "" {
		msg = s
	}
	if e.win != nil {
		dialog.ShowInformation(lang.L("Not saved"), msg, e.win)
	}
}

// showConflict explains a conflict: what is there now and who made it so.
func (e *env) showConflict(c *shop.Conflict) {
	msg := c.Reason
	if c.By != "" {
		msg += "\n" + fmt.Sprintf(lang.L("Changed by staff %s at %s"), c.By, fmtWhen(c.At, e.now()))
	}
	if e.win != nil {
		dialog.ShowInformation(lang.L("Someone else changed this first"), msg, e.win)
	}
}
