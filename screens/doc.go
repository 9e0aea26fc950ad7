// Package screens is Kefu Desk's user interface: the main window's content (a navigation rail,
// five sections — chat, orders, stock, reviews, customers — and a status bar) and the sign-in
// form.
//
// Each section is an unexported struct, in a file named after it (or a few: orders.go,
// orders_actions.go, orders_cases.go…), that holds its widgets and dependencies, with onX
// methods as handlers. The sections' master–detail lists share one base, listDetail. Sections
// read and write the shop through small interfaces declared here (data.go), which the running
// desk (*desk.Desk) satisfies; a staff action becomes a desk.Action handed to Apply, and the
// desk records it, tells its listeners and wakes the sync engine.
//
// Threading: widget code runs on Fyne's goroutine and reads and writes the desk through one
// helper, background: the work runs off Fyne's goroutine, then one fyne.Do hands its result
// back (latestRun runs one read of a kind at a time and, of those asked for meanwhile, only
// the newest, so a search typed on or a burst of recounts never piles up).
// That is how the five lists and their detail panes, the chat's thread and customer panel,
// the status bar's counts, the bulk composer's plan and every staff action (env.record) reach
// the disk. A few small reads made when a dialog opens or a message is prefilled (the shop's
// settings, the auto-reply editor, the complaint form, a review's evidence, the customer's
// conversation for a reminder) still run on Fyne's goroutine; the exports (saveExport) read
// their rows and write the file in the background.
// The jobs — bulk sends, birthday greetings, shipment notices — run in the desk, not here: the
// screens give them their settings and show the progress the desk reports. The desk's
// one-second ticker (waiting times, gathered redraws) comes back through one fyne.Do too.
package screens
