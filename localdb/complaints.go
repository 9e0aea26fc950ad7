package localdb

import (
	"time"

	"kefu/shop"
)

// complaintKeyed is what the complaint index reads of a complaint.
type complaintKeyed struct {
	CustomerID string    `json:"customer_id"`
	CreatedAt  time.Time `json:"created_at"`
}

var complaintSpec = specFor[complaintKeyed](shop.TypeComplaint)

// ixComplaintCust: customer id + created.
var ixComplaintCust = complaintSpec.index("cpc", byValueTime, func(_ string, c *complaintKeyed) (string, time.Time, bool) {
	return c.CustomerID, c.CreatedAt, true
})

// ComplaintsOf lists a customer's complaints, newest first.
func (db *DB) ComplaintsOf(customerID string) ([]shop.Complaint, error) {
	return listByValue[shop.Complaint](db, "complaints of "+customerID, ixComplaintCust, customerID, true, 0)
}
