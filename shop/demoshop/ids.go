package demoshop

import (
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Ids of the demo shop's records. Master data has short readable ids; notes and messages have
// UUIDv7 ids made from their time, like the ones desks make, so that they sort by time too.

func customerID(c int) string         { return fmt.Sprintf("u%06d", c+1) }
func conversationID(c int) string     { return fmt.Sprintf("c%06d", c+1) } // numbered like its customer; see convPlan.id
func productID(p int) string          { return fmt.Sprintf("p%06d", p+1) }
func caseID(k int) string             { return fmt.Sprintf("as-%06d", k+1) }
func reviewID(k int) string           { return fmt.Sprintf("rv-%06d", k+1) }
func complaintID(k int) string        { return fmt.Sprintf("cp-%06d", k+1) }
func evidenceID(review, n int) string { return fmt.Sprintf("ev-%06d-%d", review+1, n) }

// Namespaces of generated UUIDv7 ids, so a note and a message can never share an id.
const (
	nsNote    = 1
	nsMessage = 2
)

// uuid7 makes a UUIDv7 for time at. The 62 "random" bits hold the namespace, the owner (order or
// conversation number) and the item's number within it, plus noise from r: ids are unique by
// construction and still look like any other UUIDv7.
func uuid7(r *rng, at time.Time, ns, owner, item int) string {
	var u uuid.UUID
	ms := uint64(at.UnixMilli())
	for i := 0; i < 6; i++ {
		u[i] = byte(ms >> (40 - 8*i))
	}
	noise := r.next()
	u[6] = 0x70 | byte(noise&0x0f) // version 7, 12 bits of rand_a
	u[7] = byte(noise >> 8)
	// rand_b: 2 bits namespace, 26 bits owner, 16 bits item, 18 bits noise.
	b := uint64(ns&3)<<60 | uint64(owner&(1<<26-1))<<34 | uint64(item&0xffff)<<18 | (noise>>16)&(1<<18-1)
	u[8] = 0x80 | byte(b>>56)&0x3f // variant 10
	for i := 9; i < 16; i++ {
		u[i] = byte(b >> (8 * (15 - i)))
	}
	return u.String()
}

// eanCheck computes the check digit of the first 12 digits of an EAN-13.
func eanCheck(digits12 string) byte {
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(digits12[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// barcode makes the EAN-13 of item number n (below a million) under the shop's GS1 China prefix.
func barcode(n int) string {
	s := "693817" + pad(n, 6)
	return s + string(eanCheck(s))
}

// pad formats n with leading zeros to width digits.
func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
