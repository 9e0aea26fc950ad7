package localdb

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"kefu/shop"
)

// Secondary indexes. Every index key is i/<name>/ followed by, depending on the index, a value
// and a NUL byte, an 8-byte big-endian time (timeKey), and the entity id. Index values are never
// empty-valued: the key is the whole entry.
type indexLayout struct {
	value bool // <value>\x00 follows the name
	time  bool // 8 bytes of timeKey follow
}

// The indexes, by name.
const (
	ixOrderNumber   = "on"  // order: lower(number) + created       → prefix search (schema 3: + created)
	ixOrderNick     = "onk" // order: lower(buyer nick) + created
	ixOrderPhone    = "oph" // order: address phone digits + created
	ixOrderReceiver = "orc" // order: lower(receiver name) + created
	ixOrderCustomer = "ocu" // order: customer id + created
	ixOrderCreated  = "ot"  // order: created                       → newest first
	ixOrderStatus   = "ost" // order: status + created
	ixOrderFlag     = "ofl" // order: flag + created
	ixOrderPayment  = "opy" // order: payment + created
	ixCustNick      = "cnk" // customer: lower(nick)
	ixCustName      = "cnm" // customer: lower(name)
	ixCustPhone     = "cph" // customer: phone digits
	ixConvNick      = "vn"  // conversation: lower(nick)
	ixConvCustomer  = "vcu" // conversation: customer id
	ixConvWaiting   = "vw"  // conversation (waiting, open): waiting since
	ixConvOpen      = "vo"  // conversation (open, not waiting): last at
	ixConvClosed    = "vc"  // conversation (closed): last at
	ixConvMineWait  = "vaw" // conversation (waiting, open): assignee + waiting since
	ixConvMineLast  = "val" // conversation (not waiting): assignee + last at
	ixMessageConv   = "mc"  // message: conversation id + at
	ixNoteOrder     = "no"  // note: order id + at
	ixCaseOrder     = "co"  // case: order id
	ixCaseOpen      = "cx"  // case (unfinished)
	ixCaseDone      = "cf"  // case (finished): updated at
	ixReviewOpen    = "ru"  // review (unanswered): at
	ixReviewAnswer  = "ra"  // review (answered): at
	ixReviewCust    = "rcu" // review: customer id + at (schema 2)
	ixEvidence      = "ev"  // evidence: review id
	ixComplaintCust = "cpc" // complaint: customer id + created
)

var layouts = map[string]indexLayout{
	ixOrderNumber: {value: true, time: true}, ixOrderNick: {value: true, time: true},
	ixOrderPhone: {value: true, time: true}, ixOrderReceiver: {value: true, time: true}, ixOrderCustomer: {value: true, time: true}, ixOrderCreated: {time: true},
	ixOrderStatus: {value: true, time: true}, ixOrderFlag: {value: true, time: true},
	ixOrderPayment: {value: true, time: true},
	ixCustNick:     {value: true}, ixCustName: {value: true}, ixCustPhone: {value: true},
	ixConvNick: {value: true}, ixConvCustomer: {value: true}, ixConvWaiting: {time: true},
	ixConvOpen: {time: true}, ixConvClosed: {time: true}, ixConvMineWait: {value: true, time: true},
	ixConvMineLast: {value: true, time: true},
	ixMessageConv:  {value: true, time: true}, ixNoteOrder: {value: true, time: true},
	ixCaseOrder: {value: true}, ixCaseOpen: {}, ixCaseDone: {time: true},
	ixReviewOpen: {time: true}, ixReviewAnswer: {time: true}, ixReviewCust: {value: true, time: true},
	ixEvidence: {value: true}, ixComplaintCust: {value: true, time: true},
}

// ixPrefix is the prefix of every key of an index.
func ixPrefix(name string) []byte { return []byte(prefixIndex + name + "/") }

// ixValuePrefix is the prefix of the keys of an index whose value starts with v (exact=false)
// or is v (exact=true).
func ixValuePrefix(name, v string, exact bool) []byte {
	b := append(ixPrefix(name), clean(v)...)
	if exact {
		b = append(b, 0)
	}
	return b
}

// ixKey builds an index key.
func ixKey(name, value string, t time.Time, id string) []byte {
	l := layouts[name]
	b := ixPrefix(name)
	if l.value {
		b = append(b, clean(value)...)
		b = append(b, 0)
	}
	if l.time {
		b = append(b, timeKey(t)...)
	}
	return append(b, id...)
}

// ixID returns the entity id at the end of an index key.
func ixID(name string, key []byte) (string, bool) {
	l := layouts[name]
	rest := key[len(prefixIndex)+len(name)+1:]
	if l.value {
		i := bytes.IndexByte(rest, 0)
		if i < 0 {
			return "", false
		}
		rest = rest[i+1:]
	}
	if l.time {
		if len(rest) < 8 {
			return "", false
		}
		rest = rest[8:]
	}
	return string(rest), len(rest) > 0
}

// ixTime returns the time part of an index key (for time indexes), as stored: 8 bytes that
// sort as the times do. The bytes are copied.
func ixTime(name string, key []byte) []byte {
	l := layouts[name]
	if !l.time {
		return nil
	}
	rest := key[len(prefixIndex)+len(name)+1:]
	if l.value {
		i := bytes.IndexByte(rest, 0)
		if i < 0 {
			return nil
		}
		rest = rest[i+1:]
	}
	if len(rest) < 8 {
		return nil
	}
	return bytes.Clone(rest[:8])
}

// ixValue returns the value part of an index key (for value indexes).
func ixValue(name string, key []byte) string {
	rest := key[len(prefixIndex)+len(name)+1:]
	if i := bytes.IndexByte(rest, 0); i >= 0 {
		return string(rest[:i])
	}
	return ""
}

// clean drops NUL bytes, which separate an index value from what follows it.
func clean(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// lowerASCII lowercases ASCII letters only (Chinese text is left as it is).
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// digits keeps the digits of a phone number.
func digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// phoneLike reports whether a query could be (the start of) a phone number.
func phoneLike(q string) bool {
	n := 0
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c >= '0' && c <= '9':
			n++
		case c == ' ' || c == '-' || c == '+':
		default:
			return false
		}
	}
	return n > 0
}

// indexKeys computes the index keys of an entity state. It returns nil for types without
// indexes. A state that does not decode has no index keys (it is still stored).
func indexKeys(t shop.EntityType, id string, data []byte) [][]byte {
	var ks [][]byte
	add := func(name, value string, at time.Time) { ks = append(ks, ixKey(name, value, at, id)) }
	switch t {
	case shop.TypeOrder:
		var o struct {
			CustomerID string           `json:"customer_id"`
			Nick       string           `json:"nick"`
			Status     shop.OrderStatus `json:"status"`
			Payment    shop.Payment     `json:"payment"`
			Address    struct {
				Receiver string `json:"receiver"`
				Phone    string `json:"phone"`
			} `json:"address"`
			CreatedAt time.Time  `json:"created_at"`
			Flag      shop.Flag  `json:"flag"`
			Total     shop.Cents `json:"total"`
		}
		if json.Unmarshal(data, &o) != nil {
			return nil
		}
		add(ixOrderNumber, lowerASCII(id), o.CreatedAt)
		if o.Nick != "" {
			add(ixOrderNick, lowerASCII(o.Nick), o.CreatedAt)
		}
		if p := digits(o.Address.Phone); p != "" {
			add(ixOrderPhone, p, o.CreatedAt)
		}
		if o.Address.Receiver != "" {
			add(ixOrderReceiver, lowerASCII(o.Address.Receiver), o.CreatedAt)
		}
		if o.CustomerID != "" {
			add(ixOrderCustomer, o.CustomerID, o.CreatedAt)
		}
		add(ixOrderCreated, "", o.CreatedAt)
		add(ixOrderStatus, string(o.Status), o.CreatedAt)
		add(ixOrderFlag, strconv.Itoa(int(o.Flag)), o.CreatedAt)
		add(ixOrderPayment, string(o.Payment), o.CreatedAt)
		if o.CustomerID != "" && spendCounts(o.Status) {
			add(ixOrderSpend, spendValue(o.CustomerID, o.Total), o.CreatedAt)
		}
	case shop.TypeCustomer:
		var c struct {
			Nick  string `json:"nick"`
			Name  string `json:"name"`
			Phone string `json:"phone"`
		}
		if json.Unmarshal(data, &c) != nil {
			return nil
		}
		if c.Nick != "" {
			add(ixCustNick, lowerASCII(c.Nick), time.Time{})
		}
		if c.Name != "" {
			add(ixCustName, lowerASCII(c.Name), time.Time{})
		}
		if p := digits(c.Phone); p != "" {
			add(ixCustPhone, p, time.Time{})
		}
	case shop.TypeConversation:
		var c shop.Conversation
		if json.Unmarshal(data, &c) != nil {
			return nil
		}
		if c.Nick != "" {
			add(ixConvNick, lowerASCII(c.Nick), time.Time{})
		}
		if c.CustomerID != "" {
			add(ixConvCustomer, c.CustomerID, time.Time{})
		}
		if convWaiting(c) {
			add(ixConvWaiting, "", c.WaitingSince)
			if c.Assignee != "" {
				add(ixConvMineWait, c.Assignee, c.WaitingSince)
			}
		} else {
			if c.Closed {
				add(ixConvClosed, "", c.LastAt)
			} else {
				add(ixConvOpen, "", c.LastAt)
			}
			if c.Assignee != "" {
				add(ixConvMineLast, c.Assignee, c.LastAt)
			}
		}
	case shop.TypeMessage:
		var m struct {
			ConversationID string    `json:"conversation_id"`
			At             time.Time `json:"at"`
		}
		if json.Unmarshal(data, &m) != nil {
			return nil
		}
		add(ixMessageConv, m.ConversationID, m.At)
	case shop.TypeNote:
		var n struct {
			OrderID string    `json:"order_id"`
			At      time.Time `json:"at"`
		}
		if json.Unmarshal(data, &n) != nil {
			return nil
		}
		add(ixNoteOrder, n.OrderID, n.At)
	case shop.TypeCase:
		var c shop.AfterSalesCase
		if json.Unmarshal(data, &c) != nil {
			return nil
		}
		if c.OrderID != "" {
			add(ixCaseOrder, c.OrderID, time.Time{})
		}
		if c.Finished() {
			add(ixCaseDone, "", caseTouched(c))
		} else {
			add(ixCaseOpen, "", time.Time{})
		}
	case shop.TypeReview:
		var r struct {
			At         time.Time `json:"at"`
			Reply      string    `json:"reply"`
			CustomerID string    `json:"customer_id"`
		}
		if json.Unmarshal(data, &r) != nil {
			return nil
		}
		if r.CustomerID != "" {
			add(ixReviewCust, r.CustomerID, r.At)
		}
		if r.Reply == "" {
			add(ixReviewOpen, "", r.At)
		} else {
			add(ixReviewAnswer, "", r.At)
		}
	case shop.TypeEvidence:
		var e struct {
			ReviewID string `json:"review_id"`
		}
		if json.Unmarshal(data, &e) != nil {
			return nil
		}
		add(ixEvidence, e.ReviewID, time.Time{})
	case shop.TypeComplaint:
		var c struct {
			CustomerID string    `json:"customer_id"`
			CreatedAt  time.Time `json:"created_at"`
		}
		if json.Unmarshal(data, &c) != nil {
			return nil
		}
		add(ixComplaintCust, c.CustomerID, c.CreatedAt)
	}
	return ks
}
