package screens

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"kefu/desk"
	"kefu/shop"
)

// errConflict is returned by env.apply when the local store refused a mutation as a conflict;
// the conflict has been shown to the staff member already.
var errConflict = errors.New("screens: the action conflicts with the current state")

// Threads is how the screens leave Fyne's goroutine and come back to it: Go runs a function
// in the background, Do hands a function to Fyne's goroutine. The zero value uses a new
// goroutine and fyne.Do; tests give their own, to run the handed-back functions where they
// check the window.
type Threads struct {
	Go func(func())
	Do func(func())
}

// env is what every section shares: who is working, where, the clock, how the desk is read
// and how an action is recorded.
type env struct {
	staff   shop.Staff
	win     fyne.Window
	app     fyne.App
	now     func() time.Time
	writer  Writer
	ctx     context.Context // the desk's lifetime: cancelled when the desk closes
	threads Threads
	// applied runs after every recorded action (the desk updates the status bar).
	applied func()
}

// background is the screens' one way to read or write the desk: work runs off Fyne's
// goroutine (so no disk read or fsync holds the window up), then done runs on Fyne's
// goroutine with work's result, unless the desk closed meanwhile.
func background[T any](e *env, work func(ctx context.Context) (T, error), done func(T, error)) {
	ctx := e.ctx
	e.threads.Go(func() {
		v, err := work(ctx)
		if ctx.Err() != nil {
			return
		}
		e.threads.Do(func() { done(v, err) })
	})
}

// latest is a background read whose result is only shown while no newer read of the same
// kind was started (a search typed on: the older results are dropped).
type latest struct{ gen int }

// run is background for the newest read of l only. Call it on Fyne's goroutine.
func latestRun[T any](l *latest, e *env, work func(ctx context.Context) (T, error), done func(T, error)) {
	l.gen++
	gen := l.gen
	background(e, work, func(v T, err error) {
		if gen == l.gen {
			done(v, err)
		}
	})
}

// apply records a staff action through the desk and reports how it went: rejections and
// conflicts are shown in a dialog and returned as errors, so the caller keeps what the staff
// member typed.
func (e *env) apply(kind shop.Kind, entity string, base int64, data any) error {
	_, err := e.record(kind, entity, base, data)
	return err
}

// record is apply that also returns the outcome, so that the caller can tell the staff member
// whose last-writer-wins change theirs replaced.
func (e *env) record(kind shop.Kind, entity string, base int64, data any) (shop.Outcome, error) {
	out, err := e.writer.Apply(e.ctx, desk.Action{Kind: kind, Entity: entity, Base: base, Data: data})
	if err != nil {
		e.showError(err)
		return out, fmt.Errorf("screens: %s on %s: %w", kind, entity, err)
	}
	if out.Conflict != nil {
		e.showConflict(out.Conflict)
		return out, errConflict
	}
	if e.applied != nil {
		e.applied()
	}
	return out, nil
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
