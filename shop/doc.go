// Package shop holds Kefu Desk's domain: the shop's entities (customers, products, orders and
// their notes, after-sales cases, reviews, conversations, quick phrases, complaints), the
// Mutation value that carries every staff action, the registry of mutation kinds and the pure
// rules that decide what a mutation does to the entities it touches.
//
// The same rules run on the desk (optimistically, in localdb) and on the store server
// (authoritatively), so both agree on what an action means. Nothing here does I/O: state comes
// in through the Reader interface and leaves as Records.
//
// # Mutation kinds
//
// Every kind is declared once, as a KindSpec in the registry: its name, the entity it targets
// (or creates), its rule (whose type parameter is the payload type), the records it creates
// and the translation key of its name on the desk. Decide looks the kind up there; Kinds,
// Kind.Spec, Kind.Label, Created and Registry read it. The specs live with their rules, one
// file per family: chat.go, orders.go, aftersales.go, stock.go, reviews.go, customers.go,
// phrases.go, autoreplies.go, groups.go, complaints.go. CheckSpec and CheckKinds say what a
// spec lacks, and the tests of storeapi, soak and assets fail, naming the kind, when the API
// description, the soak or the translations do not follow the registry.
//
// A new kind touches:
//
//  1. the family's file here: the Kind constant, its KindSpec, its payload type and its rule;
//  2. storeapi/openapi.yaml: an example request (and the payload's schema, for a new payload
//     type); `go generate ./storeapi` rewrites the kind table, the enum and the anyOf;
//  3. assets/translations/zh.json and en.json: the label;
//  4. soak/mutations.go: the kind's weight and how to build one;
//  5. the screen that offers the action, and its tests.
package shop
