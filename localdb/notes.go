package localdb

import (
	"time"

	"kefu/shop"
)

// noteKeyed is what the note index reads of a note.
type noteKeyed struct {
	OrderID string    `json:"order_id"`
	At      time.Time `json:"at"`
}

var noteSpec = specFor[noteKeyed](shop.TypeNote)

// ixNoteOrder: a note's order id + at.
var ixNoteOrder = noteSpec.index("no", byValueTime, func(_ string, n *noteKeyed) (string, time.Time, bool) {
	return n.OrderID, n.At, true
})

// Notes lists an order's notes, newest first.
func (db *DB) Notes(orderID string) ([]shop.OrderNote, error) {
	return listByValue[shop.OrderNote](db, "notes of "+orderID, ixNoteOrder, orderID, true, 0)
}
