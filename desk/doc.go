// Package desk is the running desk between the screens and the desk's local store: what the
// window shows comes from here, and what the staff member does goes through here.
//
// A Desk is built from Params (Open). It owns:
//
//   - the queries the screens need, ctx-first, with the desk's own filter and result types
//     (ConversationFilter, OrderFilter, ReviewFilter, Problem, Member, BulkPlan…), which it
//     turns into the local store's;
//   - the one path that applies a staff action (Apply): it builds the mutation, records it in
//     the local store and its outbox, sorts store failures into this package's sentinel
//     errors (ErrDiskFull, ErrReadOnly…), tells the listeners (Subscribe) and wakes the sync
//     engine;
//   - the campaign rules: who belongs to a customer group (GroupMembers) and what a bulk
//     message does (PlanBulk, FillFor);
//   - the jobs — bulk sends, birthday greetings, shipment notices — which run on the desk's own
//     goroutine with a clock (Params.Clock), whatever the window shows and whether or not it
//     is open, and report their progress through a plain callback (SetJobProgress);
//   - sign-in (SignIn, Remembered) and the sync engine's lifecycle (Start, Close).
//
// Every method may be called from any goroutine. None of them touches a user interface: the
// screens run them off Fyne's goroutine and show the result.
package desk
