package demoshop

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"kefu/shop"
)

// customer is a customer's profile and what the orders and chats need of it.
type customer struct {
	shop.Customer
	place     int
	district  int
	detail    string // street address
	receiver  string // the name on the customer's parcels
	sizeIdx   int    // the child's clothing size, an index into sizes
	conv      int    // index into g.convs of the newest conversation, or -1
	convFirst int    // index of the oldest conversation
}

// Manual groups.
const (
	groupTry    = "g-try"
	groupWechat = "g-wechat"
)

// buildCustomers makes every customer's profile. What depends on orders and chats (VIP level,
// the 回头客 tag, the creation time) is filled in by finishCustomers.
func (g *gen) buildCustomers() {
	n := g.size.Customers
	pr := newRNG(g.seed, streamPerm, 2)
	phones := newPerm(&pr, 100_000_000)
	g.phones = phones
	used := make(map[string]bool, n)
	g.customers = make([]customer, n)
	for i := range n {
		r := newRNG(g.seed, streamCustomer, i)
		c := customer{conv: -1}
		c.ID = customerID(i)
		c.Nick = uniqueNick(&r, used)
		c.receiver = g.personName(&r)
		if r.chance(82) {
			c.Name = c.receiver
		}
		if r.chance(93) {
			c.Phone = g.phone(&r, i)
		}
		if r.chance(65) {
			day := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.intn(365))
			if r.chance(60) {
				c.Birthday = fmt.Sprintf("%d-%s", r.between(1982, 1998), day.Format("01-02"))
			} else {
				c.Birthday = day.Format("01-02")
			}
		}
		c.place = r.weighted(placeWeights)
		pl := places[c.place]
		c.City = pl.short
		c.district = r.intn(len(pl.districts))
		c.detail = fmt.Sprintf("%s%d号%s%d栋%d单元%d%02d室", pick(&r, roads), r.between(1, 999), pick(&r, communities),
			r.between(1, 30), r.between(1, 4), r.between(1, 33), r.between(1, 4))
		c.sizeIdx = r.weighted([]int{4, 6, 9, 12, 14, 14, 12, 10, 8, 5})
		if r.chance(70) {
			c.Sizes = sizes[c.sizeIdx]
			if c.sizeIdx+1 < len(sizes) {
				c.Sizes += ", " + sizes[c.sizeIdx+1]
			}
		}
		if r.chance(40) {
			st := r.subset(len(custStyle), r.between(1, 2))
			for k, s := range st {
				if k > 0 {
					c.Styles += ", "
				}
				c.Styles += custStyle[s]
			}
		}
		for k, t := range tags {
			if r.chance(tagWeight[k]) {
				c.Tags = append(c.Tags, t)
			}
		}
		if r.chance(12) {
			c.Memo = pick(&r, memos)
		}
		c.OptOut = r.chance(6)
		if r.chance(6) {
			c.Groups = append(c.Groups, groupTry)
		}
		if r.chance(8) {
			c.Groups = append(c.Groups, groupWechat)
		}
		g.customers[i] = c
	}
}

// phone makes the unique mobile number of person i: the last eight digits are a scrambled i, so
// no two people share a number. Customers are persons 0..Customers-1; others come after.
func (g *gen) phone(r *rng, i int) string {
	return pick(r, phonePrefixes) + pad(g.phones.at(i), 8)
}

// personName makes a Chinese name: a common surname and a given name.
func (g *gen) personName(r *rng) string {
	return surnames[r.weighted(surnameWeights)] + pick(r, givenNames)
}

// uniqueNick makes a platform nickname no other customer has.
func uniqueNick(r *rng, used map[string]bool) string {
	var s string
	switch r.weighted([]int{20, 12, 18, 12, 12, 10, 8, 4}) {
	case 0:
		s = pick(r, nickWords) + strconv.Itoa(r.between(2008, 2024))
	case 1:
		s = "tb_" + strconv.Itoa(r.between(1_000_000, 9_999_999_999))
	case 2:
		s = pick(r, kidNames) + pick(r, momWords)
	case 3:
		s = pick(r, moodWords) + pick(r, roleWords)
	case 4:
		s = pick(r, nickWords) + pick(r, roleWords)
	case 5:
		s = pick(r, latinNames) + fmt.Sprintf("%02d%02d", r.between(1, 12), r.between(1, 28))
	case 6:
		s = "t_" + strconv.Itoa(r.between(1_400_000_000, 1_799_999_999)) + pad(r.intn(1000), 3)
	default:
		a := r.subset(len(kidNames), 2)
		s = kidNames[a[0]] + "和" + kidNames[a[1]] + "的" + pick(r, momWords[:3])
	}
	base := s
	for used[s] {
		s = base + strconv.Itoa(r.between(1, 999))
	}
	used[s] = true
	return s
}

// address is the shipping address of customer c: home, or for changed addresses the office.
func (g *gen) address(c int, office bool, r *rng) shop.Address {
	cu := &g.customers[c]
	pl := places[cu.place]
	a := shop.Address{Receiver: cu.receiver, Phone: cu.Phone, Province: pl.province, City: pl.city,
		District: pl.districts[cu.district], Detail: cu.detail}
	if a.Phone == "" {
		// A number the shop never stored on the customer, the same on all their parcels.
		pr := newRNG(g.seed, streamCustomer, c+2<<30)
		a.Phone = g.phone(&pr, g.size.Customers+c)
	}
	if office {
		a.District = pl.districts[(cu.district+1)%len(pl.districts)]
		a.Detail = fmt.Sprintf("%s%d号%s%d楼前台", pick(r, roads), r.between(1, 500), pick(r, towers), r.between(2, 32))
	}
	return a
}

// custStats are the figures of a customer's orders the customer record and the chats need.
type custStats struct {
	paid    int   // paid orders (not unpaid, not closed)
	spent   int64 // their total in fen
	first   int64 // unix time of the first order; 0 when none
	lastAny int32 // index of the customer's latest order; -1 when none
}

// vipLevel is the VIP level earned by spending, in fen.
func vipLevel(spent int64) int {
	switch {
	case spent >= 600000:
		return 5
	case spent >= 300000:
		return 4
	case spent >= 150000:
		return 3
	case spent >= 80000:
		return 2
	case spent >= 30000:
		return 1
	}
	return 0
}

// customerRecord is customer c as stored: the profile plus what its orders and chats imply.
func (g *gen) customerRecord(c int) shop.Customer {
	cu := g.customers[c]
	st := g.stats[c]
	r := newRNG(g.seed, streamCustomer, c+1<<30)
	out := cu.Customer
	out.VIP = vipLevel(st.spent)
	out.Tags = append([]string(nil), cu.Tags...)
	if st.paid >= 3 {
		out.Tags = append([]string{"回头客"}, out.Tags...)
	}
	// Created before the first order and the first chat.
	first := g.now.Add(-r.dur(24*time.Hour, 365*24*time.Hour))
	if st.first != 0 {
		first = time.Unix(st.first, 0).In(shop.ShopZone)
	}
	if cu.conv >= 0 && g.convs[cu.convFirst].firstAt.Before(first) {
		first = g.convs[cu.convFirst].firstAt
	}
	out.CreatedAt = first.Add(-r.dur(time.Hour, 30*24*time.Hour))
	if cu.Memo != "" || len(cu.Groups) > 0 || len(cu.Tags) > 0 {
		var what []string
		if len(cu.Tags) > 0 {
			what = append(what, "tags")
		}
		if len(cu.Groups) > 0 {
			what = append(what, "groups")
		}
		if cu.Memo != "" {
			what = append(what, "memo")
		}
		out.ChangedBy = pick(&r, []string{OwnerStaff, agentLi, agentZhang})
		out.ChangedWhat = strings.Join(what, ",")
		out.ChangedAt = out.CreatedAt.Add(time.Duration(r.intn(int(g.now.Sub(out.CreatedAt)/time.Second))) * time.Second)
	}
	return out
}
