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
// Threading: widget code runs on Fyne's goroutine. The lists of the five sections and the
// status bar's counts are read off it through one helper, background (work in the background,
// then one fyne.Do with the result; latestRun drops the result of an older search). The jobs —
// bulk sends, birthday greetings, shipment notices — run in the desk, not here: the screens
// give them their settings and show the progress the desk reports. The desk's one-second
// ticker (waiting times, gathered redraws) comes back through one fyne.Do too.
package screens
