package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"kefu/localdb"
	"kefu/shop"
)

// Member is a customer of a group with the figures the group was evaluated with.
type Member struct {
	Customer shop.Customer
	Stats    shop.CustomerStats
}

// GroupMembers lists the members of a group at now, by nick: for a manual group the customers
// that list its id, for a rule group the customers whose figures and profile match the rule
// (the figures follow the orders as they sync).
func (d *Desk) GroupMembers(ctx context.Context, g shop.Group, now time.Time) ([]Member, error) {
	scan := localdb.CustomerScan{Keep: func(c shop.Customer, st shop.CustomerStats) bool { return inGroup(g, c, st, now) }}
	// Only customers with counted orders can match a rule on money or recency: the others are
	// passed over without reading them.
	if r := g.Rule; r != nil && (r.MinSpent > 0 || r.WithinDays > 0) {
		scan.Candidate = func(st shop.CustomerStats) bool {
			return r.Match(shop.Customer{VIP: 5, Tags: []string{r.Tag}}, st, now)
		}
	}
	fs, err := read(ctx, func() ([]localdb.CustomerFigures, error) { return d.db.Customers(scan) })
	if err != nil {
		return nil, fmt.Errorf("desk: members of group %s: %w", g.ID, err)
	}
	out := make([]Member, len(fs))
	for i, f := range fs {
		out[i] = Member{Customer: f.Customer, Stats: f.Stats}
	}
	return out, nil
}

// inGroup is the group rule: a manual group holds the customers that list it, a rule group
// those its rule matches.
func inGroup(g shop.Group, c shop.Customer, st shop.CustomerStats, now time.Time) bool {
	if g.Rule == nil {
		for _, id := range c.Groups {
			if id == g.ID {
				return true
			}
		}
		return false
	}
	return g.Rule.Match(c, st, now)
}

// AllCustomers lists every customer by nick, with their figures.
func (d *Desk) AllCustomers(ctx context.Context) ([]Member, error) {
	return d.GroupMembers(ctx, shop.Group{ID: "all", Rule: &shop.GroupRule{}}, time.Time{})
}

// BulkRequest is a bulk message (群发) to prepare: the template, with {nick} and {name}, for
// the members, and the most staff messages a customer may get in a shop day (0: no cap).
type BulkRequest struct {
	Members  []shop.Customer
	Template string
	DailyCap int
	Now      time.Time
}

// BulkSend is one message of a bulk send: the customer, the conversation it goes into and the
// filled text.
type BulkSend struct {
	Customer       shop.Customer
	ConversationID string
	Text           string
}

// BulkPlan is what a bulk send will do: the messages to send and the members skipped, by reason.
type BulkPlan struct {
	Sends    []BulkSend
	OptedOut int // customers who asked for no bulk messages
	NoChat   int // customers who never opened a chat: there is no conversation to write into
	Capped   int // customers who had DailyCap staff messages today already
	// Unfilled counts the customers whose message would still hold a placeholder with no value
	// for them (a {name} nobody knows, an {order} in a bulk template): they are not sent it.
	Unfilled int
	// Placeholders are those placeholders, each once (for the reason shown).
	Placeholders []string
}

// FillFor fills a message template for a customer: {nick} and {name} (the nick when no name is
// known).
func FillFor(template string, c shop.Customer) string {
	name := c.Name
	if name == "" {
		name = c.Nick
	}
	return shop.Fill(template, map[string]string{"nick": c.Nick, "name": name})
}

// PlanBulk decides, member by member, whether a bulk message goes out and into which
// conversation (the customer's most recent one); a member whose message would keep a
// placeholder unfilled is skipped (Unfilled). SendBulk records the plan.
func (d *Desk) PlanBulk(ctx context.Context, req BulkRequest) (BulkPlan, error) {
	var p BulkPlan
	for _, c := range req.Members {
		if err := ctx.Err(); err != nil {
			return p, err
		}
		if c.OptOut {
			p.OptedOut++
			continue
		}
		convs, err := d.db.ConversationsOf(c.ID)
		if err != nil {
			return p, fmt.Errorf("desk: planning a bulk message: %w", classify(err))
		}
		if len(convs) == 0 {
			p.NoChat++
			continue
		}
		if req.DailyCap > 0 {
			n, err := d.db.StaffMessagesOn(c.ID, req.Now)
			if err != nil {
				return p, fmt.Errorf("desk: planning a bulk message: %w", classify(err))
			}
			if n >= req.DailyCap {
				p.Capped++
				continue
			}
		}
		text := strings.TrimSpace(FillFor(req.Template, c))
		if left := shop.Unfilled(text); len(left) > 0 {
			p.Unfilled++
			for _, ph := range left {
				if !slices.Contains(p.Placeholders, ph) {
					p.Placeholders = append(p.Placeholders, ph)
				}
			}
			continue
		}
		p.Sends = append(p.Sends, BulkSend{Customer: c, ConversationID: convs[0].ID, Text: text})
	}
	return p, nil
}

// bulkMutation is the chat.send mutation of one bulk message, with a message id made here: the
// server applies a mutation id once, so a retried push never sends the message twice.
func bulkMutation(s BulkSend, staff string, now time.Time) (shop.Mutation, error) {
	m, err := shop.NewMutation(shop.KindChatSend, s.ConversationID, staff, now,
		shop.ChatSend{MessageID: shop.NewID(), Text: s.Text})
	if err != nil {
		return m, fmt.Errorf("desk: bulk message to %s: %w", s.Customer.Nick, err)
	}
	return m, nil
}

// OrderText fills a message about an order from the quick phrase with the given shortcut, or
// from fallback when the staff member has no such phrase: {nick}, {order}, {courier},
// {tracking} and {staff}.
func (d *Desk) OrderText(ctx context.Context, shortcut, fallback string, ord shop.Order) string {
	staff := d.Staff()
	text := fallback
	if phrases, err := d.Phrases(ctx, staff.Number); err == nil {
		for _, p := range phrases {
			if p.Shortcut == shortcut {
				text = p.Text
				break
			}
		}
	}
	return shop.Fill(text, map[string]string{"nick": ord.Nick, "order": ord.ID, "courier": ord.Courier,
		"tracking": ord.Tracking, "staff": staff.Name})
}
