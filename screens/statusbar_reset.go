package screens

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
)

// cacheResetter is a store whose local copy of the shop can be dropped and downloaded again
// (*desk.Desk is one: ResetCache keeps the outbox and its effects).
type cacheResetter interface {
	ResetCache(ctx context.Context) error
}

// canReset reports whether the desk's store can drop its copy of the shop and download it
// again; the window menu offers "re-download shop data" only then.
func (b *statusBar) canReset() bool {
	_, ok := b.data.(cacheResetter)
	return ok
}

// confirmReset is the "re-download shop data" command of the window menu (a rare repair, kept
// out of the status bar so the bar fits a 1366-pixel screen): after a confirmation it drops the
// desk's copy of the shop, keeps every action still waiting for the server, and lets the sync
// engine download the shop again.
func (b *statusBar) confirmReset() {
	if b.env.win == nil {
		b.resetCache(func(error) {}) // a failure is shown
		return
	}
	dialog.ShowConfirm(lang.L("Re-download shop data"),
		lang.L("The desk will download the shop from the server again. Actions not yet sent are kept and sent afterwards."),
		func(ok bool) {
			if ok {
				b.resetCache(func(error) {}) // a failure is shown
			}
		}, b.env.win)
}

// resetCache drops the local copy of the shop, in the background, and wakes the sync engine to
// download it again; done gets how it went (a failure has been shown).
func (b *statusBar) resetCache(done func(error)) {
	r, ok := b.data.(cacheResetter)
	if !ok {
		done(nil)
		return
	}
	background(b.env, func(ctx context.Context) (struct{}, error) { return struct{}{}, r.ResetCache(ctx) },
		func(_ struct{}, err error) {
			if err != nil {
				err = fmt.Errorf("screens: re-downloading shop data: %w", err)
				b.env.showError(err)
			}
			done(err)
		})
}
