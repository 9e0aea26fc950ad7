package screens

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
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
	// keys runs the desk's shortcuts (Desk.handleShortcut) and reports whether it ran one; the
	// desk's text fields pass shortcuts to it first (deskEntry). Nil outside a desk.
	keys func(fyne.Shortcut) bool
	// team is the team's work (calls, handovers, concessions) the sections open dialogs of;
	// nil outside a desk.
	teamWork *teamWork
	// timed, if set, runs each callback of the screens on Fyne's goroutine and measures it
	// (Params.Timed).
	timed func(what string, callback func())
}

// timeAs runs f, through e.timed under the name what when the desk times its callbacks. Call
// it on Fyne's goroutine.
func (e *env) timeAs(what string, f func()) {
	if e.timed == nil {
		f()
		return
	}
	e.timed(what, f)
}

// handBack hands f to Fyne's goroutine; when the desk times its callbacks, f is timed under
// the name of fn (the function f runs: its name says where the callback comes from).
func (e *env) handBack(fn any, f func()) {
	if e.timed == nil {
		e.threads.Do(f)
		return
	}
	what := funcName(fn)
	e.threads.Do(func() { e.timeAs(what, f) })
}

// timedHandler is the event handler f, timed under the name what when the desk times its
// callbacks (and f itself otherwise).
func timedHandler[A any](e *env, what string, f func(A)) func(A) {
	if e.timed == nil {
		return f
	}
	return func(a A) { e.timeAs(what, func() { f(a) }) }
}

// timedRowUpdate is a list's row update f, timed under the name what when the desk times its
// callbacks (and f itself otherwise): the list calls it on Fyne's goroutine as it draws.
func timedRowUpdate(e *env, what string, f func(int, fyne.CanvasObject)) func(int, fyne.CanvasObject) {
	if e.timed == nil {
		return f
	}
	return func(i int, o fyne.CanvasObject) { e.timeAs(what, func() { f(i, o) }) }
}

// funcName is the short name of function fn, like "stockSection.show.func2".
func funcName(fn any) string {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	if f == nil {
		return "?"
	}
	name := f.Name()
	name = name[strings.LastIndex(name, "/")+1:]
	name = strings.TrimPrefix(name, "screens.")
	return strings.NewReplacer("(*", "", ")", "").Replace(name)
}

// background is the screens' one way to read or write the desk: work runs off Fyne's
// goroutine (so no disk read or fsync holds the window up), then done runs on Fyne's
// goroutine with work's result, unless the desk closed meanwhile.
func background[T any](e *env, work func(ctx context.Context) (T, error), done func(T, error)) {
	backgroundAs(e, done, work, done)
}

// backgroundAs is background whose done is timed under the name of function fn.
func backgroundAs[T any](e *env, fn any, work func(ctx context.Context) (T, error), done func(T, error)) {
	ctx := e.ctx
	e.threads.Go(func() {
		v, err := work(ctx)
		if ctx.Err() != nil {
			return
		}
		e.handBack(fn, func() { done(v, err) })
	})
}

// getEntity reads one entity's local state and version in the background; a missing one is
// desk.ErrNotFound.
func getEntity[T any](ctx context.Context, w Writer, t shop.EntityType, id string) (T, int64, error) {
	var v T
	ver, ok, err := w.Get(ctx, t, id, &v)
	if err == nil && !ok {
		err = desk.ErrNotFound
	}
	return v, ver, err
}

// latest is a background read whose result is only shown while no newer read of the same
// kind was started (a search typed on: the older results are dropped). One read of a kind
// runs at a time: one asked for while another is under way waits for it, and only the newest
// of those that waited runs (a burst of changes costs two reads, not one each).
type latest struct {
	gen     int
	running bool   // a read of this kind is under way
	next    func() // starts the newest read asked for while it was
}

// run is background for the newest read of l only. Call it on Fyne's goroutine.
func latestRun[T any](l *latest, e *env, work func(ctx context.Context) (T, error), done func(T, error)) {
	latestRunAs(l, e, done, work, done)
}

// latestRunAs is latestRun whose done is timed under the name of function fn.
func latestRunAs[T any](l *latest, e *env, fn any, work func(ctx context.Context) (T, error), done func(T, error)) {
	l.gen++
	gen := l.gen
	start := func() {
		l.running = true
		backgroundAs(e, fn, work, func(v T, err error) {
			l.running = false
			if next := l.next; next != nil {
				l.next = nil
				next() // a newer read: this result is stale
			}
			if gen == l.gen {
				done(v, err)
			}
		})
	}
	if l.running {
		l.next = start
		return
	}
	start()
}

// apply records a staff action through the desk, in the background (see record); done, if
// set, runs on Fyne's goroutine with nil once the action is recorded, or with the error that
// was shown (the caller then keeps what the staff member typed).
func (e *env) apply(kind shop.Kind, entity string, base int64, data any, done func(error)) {
	e.record(desk.Action{Kind: kind, Entity: entity, Base: base, Data: data}, func(_ shop.Outcome, err error) {
		if done != nil {
			done(err)
		}
	})
}

// applyOn is apply on an entity of type t whose current local version, read as the action is
// recorded, is the action's base.
func (e *env) applyOn(t shop.EntityType, kind shop.Kind, entity string, data any, done func(error)) {
	e.record(desk.Action{Kind: kind, Entity: entity, BaseOf: t, Data: data}, func(_ shop.Outcome, err error) {
		if done != nil {
			done(err)
		}
	})
}

// record is the screens' one path for a staff action: the desk records it off Fyne's
// goroutine, then, on it, rejections and conflicts are shown in a dialog and done (if set)
// gets the outcome — so that the caller can tell the staff member whose last-writer-wins
// change theirs replaced — and the error, errConflict for a conflict.
func (e *env) record(a desk.Action, done func(shop.Outcome, error)) { e.recordAs(a, true, done) }

// recordAs is record; with showConflict false a conflict is left to done to explain.
func (e *env) recordAs(a desk.Action, showConflict bool, done func(shop.Outcome, error)) {
	background(e, func(ctx context.Context) (shop.Outcome, error) { return e.writer.Apply(ctx, a) },
		func(out shop.Outcome, err error) {
			switch {
			case err != nil:
				e.showError(err)
				err = fmt.Errorf("screens: %s on %s: %w", a.Kind, a.Entity, err)
			case out.Conflict != nil:
				if showConflict {
					e.showConflict(out.Conflict)
				}
				err = errConflict
			case e.applied != nil:
				e.applied()
			}
			if done != nil {
				done(out, err)
			}
		})
}

// showError tells the staff member why an action failed, in words they can act on.
func (e *env) showError(err error) {
	var rej *shop.RejectError
	msg := err.Error()
	if errors.As(err, &rej) {
		msg = fmt.Sprintf(lang.L("The action was refused: %s"), reasonSentence(rej.Reason))
	} else if s := notSavedText(err); s != "" {
		msg = s
	}
	if e.win != nil {
		dialog.ShowInformation(lang.L("Not saved"), msg, e.win)
	}
}

// showConflict explains a conflict: what is there now and who made it so.
func (e *env) showConflict(c *shop.Conflict) {
	msg := reasonSentence(c.Reason)
	if c.By != "" {
		msg += "\n" + fmt.Sprintf(lang.L("Changed by staff %s at %s"), c.By, fmtWhen(c.At, e.now()))
	}
	if e.win != nil {
		dialog.ShowInformation(lang.L("Someone else changed this first"), msg, e.win)
	}
}
