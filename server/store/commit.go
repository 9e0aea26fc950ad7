package store

import "kefu/shop"

// SameCommit reports whether next, read from a shop's feed after last, was written by the
// same commit (Update) as last: the rule by which a page of the change feed ends only between
// commits. Feed gives each record the first seq of its commit (shop.Record.Commit); a commit's
// seqs are consecutive, so two records of the feed share that first seq exactly when one
// commit wrote them, however many of its other records later commits moved on. A record
// whose commit is not known (Commit 0) is a commit of its own.
func SameCommit(last, next shop.Record) bool {
	return next.Commit > 0 && next.Commit == last.Commit
}
