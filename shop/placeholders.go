package shop

import (
	"regexp"
	"strings"
)

var placeholderRE = regexp.MustCompile(`\{[a-z]+\}`)

// Fill replaces placeholders such as {nick}, {order}, {courier}, {tracking}, {staff} and
// {name} in text with values; unknown placeholders and ones with no value are left as typed,
// so the staff member sees what is missing before sending (Unfilled finds them).
func Fill(text string, values map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(text, func(p string) string {
		if v, ok := values[p[1:len(p)-1]]; ok && v != "" {
			return v
		}
		return p
	})
}

// Unfilled lists the placeholders left in text, each once, in the order they first appear
// ("{order}"). A message that still holds one must not reach a customer.
func Unfilled(text string) []string {
	var out []string
	for _, p := range placeholderRE.FindAllString(text, -1) {
		if !contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// HasUnfilled reports whether text still holds a placeholder.
func HasUnfilled(text string) bool { return placeholderRE.MatchString(text) }

// PhraseTopic is what a phrase that names an order is about, judged from its text: it decides
// which of the customer's orders {order} may stand for.
type PhraseTopic int

// Phrase topics.
const (
	TopicGeneral  PhraseTopic = iota // any order: the one discussed, else the latest
	TopicPayment                     // a payment reminder (催付): an unpaid order
	TopicShipment                    // a shipment or tracking notice: an order that shipped
)

// paymentRE finds a payment reminder: "not paid yet", "pay soon", 催付 in either language.
var paymentRE = regexp.MustCompile(`(?i)催付|(还?没有?|未|尚未|还未|待|尽快|记得|抓紧|及时)(完成)?(付款|支付|付钱|下单付)|` +
	`not (yet )?(been )?paid|unpaid|pay now|awaiting payment|complete (the |your )?payment|payment reminder`)

// shipmentRE finds a shipment notice: shipped, courier, tracking, parcel on its way.
var shipmentRE = regexp.MustCompile(`(?i)\{tracking\}|已发货|已经?(由.{0,12})?发出|运单|物流|派送|快递单|` +
	`has shipped|shipped with|tracking number|on (its|the) way`)

// TopicOf judges what a phrase is about from its text.
func TopicOf(text string) PhraseTopic {
	switch {
	case paymentRE.MatchString(text):
		return TopicPayment
	case shipmentRE.MatchString(text):
		return TopicShipment
	}
	return TopicGeneral
}

// OrdersFor lists the orders {order} in a phrase about topic may stand for, best first, from a
// customer's orders (newest first) and the order the conversation is about (discussed, "" when
// none). A payment reminder may name only unpaid orders, a shipment notice only shipped ones;
// the order discussed wins when it fits, and a general phrase takes it, else the latest order.
// Several results mean the staff member should be asked which; none, that {order} stays
// unfilled.
func OrdersFor(topic PhraseTopic, orders []Order, discussed string) []Order {
	fits := func(o Order) bool {
		switch topic {
		case TopicPayment:
			return o.Status == StatusUnpaid
		case TopicShipment:
			return o.Status == StatusShipped || o.Tracking != "" && o.Status != StatusClosed
		}
		return true
	}
	if discussed != "" {
		for _, o := range orders {
			if o.ID == discussed && fits(o) {
				return []Order{o}
			}
		}
	}
	if topic == TopicGeneral {
		if len(orders) == 0 {
			return nil
		}
		return orders[:1]
	}
	var out []Order
	for _, o := range orders {
		if fits(o) {
			out = append(out, o)
		}
	}
	if topic == TopicShipment {
		// Of the shipped orders only those still on their way are asked about, when there are:
		// a completed one is rarely what a "your parcel shipped" phrase is about.
		var moving []Order
		for _, o := range out {
			if o.Status == StatusShipped {
				moving = append(moving, o)
			}
		}
		if len(moving) > 0 {
			out = moving
		}
	}
	return out
}

// NamesOrder reports whether text has a placeholder only an order fills: {order} or
// {tracking} ({courier} falls back to the shop's courier).
func NamesOrder(text string) bool {
	return strings.Contains(text, "{order}") || strings.Contains(text, "{tracking}")
}
