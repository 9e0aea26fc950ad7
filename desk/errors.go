package desk

import (
	"errors"
	"fmt"

	"kefu/localdb"
)

// Sentinel errors of the desk. The errors the desk returns wrap one of these (test them with
// errors.Is) when the cause is one the staff member can act on.
var (
	// ErrLocked: the data directory is open in another Kefu Desk.
	ErrLocked = errors.New("the data directory is in use by another Kefu Desk")
	// ErrNewerSchema: the local data was written by a newer Kefu Desk.
	ErrNewerSchema = errors.New("the data was written by a newer Kefu Desk")
	// ErrCorrupt: the local data cannot be read.
	ErrCorrupt = errors.New("the local data is damaged")
	// ErrDiskFull: the disk holding the data directory is full; nothing was saved.
	ErrDiskFull = errors.New("the disk is full")
	// ErrReadOnly: the data directory cannot be written; nothing was saved.
	ErrReadOnly = errors.New("the data directory cannot be written")
	// ErrNotFound: the entity asked for does not exist on this desk.
	ErrNotFound = errors.New("not found")
	// ErrClosed: the desk was closed.
	ErrClosed = errors.New("the desk is closed")
)

// storeErrors pairs the local store's sentinels with the desk's.
var storeErrors = []struct{ store, desk error }{
	{localdb.ErrLocked, ErrLocked},
	{localdb.ErrNewerSchema, ErrNewerSchema},
	{localdb.ErrCorrupt, ErrCorrupt},
	{localdb.ErrDiskFull, ErrDiskFull},
	{localdb.ErrReadOnly, ErrReadOnly},
	{localdb.ErrNotFound, ErrNotFound},
	{localdb.ErrClosed, ErrClosed},
}

// classify wraps err with the desk's sentinel for the local store's cause, if it has one; err
// stays in the chain, so its words are kept.
func classify(err error) error {
	if err == nil {
		return nil
	}
	for _, e := range storeErrors {
		if errors.Is(err, e.store) {
			return fmt.Errorf("%w: %w", e.desk, err)
		}
	}
	return err
}
