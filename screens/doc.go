// Package screens is Kefu Desk's user interface: the main window's content (a navigation rail,
// five sections — chat, orders, stock, reviews, customers — and a status bar) and the sign-in
// form.
//
// Each section lives in its own file as an unexported struct that holds its widgets and
// dependencies, with onX methods as handlers. Sections read and write the shop through small
// interfaces declared here (data.go), which the desk's local store satisfies; a staff action
// becomes a shop.Mutation handed to Apply, and the sync engine is kicked afterwards.
//
// Threading: everything here runs on Fyne's goroutine. The only background work is the desk's
// one-second ticker, which comes back through a single fyne.Do.
package screens
