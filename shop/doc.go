// Package shop holds Kefu Desk's domain: the shop's entities (customers, products, orders and
// their notes, after-sales cases, reviews, conversations, quick phrases, complaints), the
// Mutation value that carries every staff action, and the pure rules that decide what a
// mutation does to the entities it touches.
//
// The same rules run on the desk (optimistically, in localdb) and on the store server
// (authoritatively), so both agree on what an action means. Nothing here does I/O: state comes
// in through the Reader interface and leaves as Records.
package shop
