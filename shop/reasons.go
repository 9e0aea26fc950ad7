package shop

import (
	"regexp"
	"strconv"
	"strings"
)

// ReasonCode names what a rule's refusal or conflict says, whatever its wording: the store API
// carries the rules' English sentences (Conflict.Reason, a rejection's reason), and the desk
// turns them back into a code and its arguments (ParseReason) to say the same in the window's
// language.
type ReasonCode string

// The reasons the rules give. The arguments ParseReason returns for each are listed after it.
const (
	// ReasonUnknown is a text none of the rules' formats matches; its argument is the text.
	ReasonUnknown ReasonCode = ""

	// The envelope and the payload (any kind).
	ReasonUnknownKind  ReasonCode = "unknown_kind"  // kind: a desk newer than its server
	ReasonEmpty        ReasonCode = "empty"         // field
	ReasonBadID        ReasonCode = "bad_id"        // what, id
	ReasonBadBase      ReasonCode = "bad_base"      // —
	ReasonBadText      ReasonCode = "bad_text"      // field (not UTF-8, or a NUL character)
	ReasonTooLong      ReasonCode = "too_long"      // field, characters, most
	ReasonNoData       ReasonCode = "no_data"       // kind
	ReasonBadData      ReasonCode = "bad_data"      // kind, decoder's error
	ReasonNotFound     ReasonCode = "not_found"     // entity type, id
	ReasonExists       ReasonCode = "exists"        // entity type, id
	ReasonUnknownValue ReasonCode = "unknown_value" // what, value (a state, a flag, a category …)
	ReasonOutOfRange   ReasonCode = "out_of_range"  // what, value ("" when the text names none)
	ReasonTooMany      ReasonCode = "too_many"      // what
	ReasonTooBig       ReasonCode = "too_big"       // bytes, most bytes ("" from the desk's engine)
	ReasonWrongEntity  ReasonCode = "wrong_entity"  // the one id the kind's entity may have

	// State machines (review follow-up, after-sales cases, complaints): conflicts.
	ReasonMovedMeanwhile ReasonCode = "moved_meanwhile" // type, id, state now, state expected, state asked
	ReasonIllegalMove    ReasonCode = "illegal_move"    // type, id, from, to

	// Chat.
	ReasonClaimed ReasonCode = "claimed" // staff number of the assignee (a conflict)

	// Customers.
	ReasonNoField     ReasonCode = "no_field"     // —
	ReasonBadPhone    ReasonCode = "bad_phone"    // phone
	ReasonBadEmail    ReasonCode = "bad_email"    // e-mail
	ReasonBadBirthday ReasonCode = "bad_birthday" // birthday
	ReasonBadHours    ReasonCode = "bad_hours"    // weekday (English)

	// Orders.
	ReasonOrderStatus     ReasonCode = "order_status"     // order, status (a conflict: the order moved on)
	ReasonNoAddress       ReasonCode = "no_address"       // —
	ReasonNotCOD          ReasonCode = "not_cod"          // order
	ReasonAlreadyReminded ReasonCode = "already_reminded" // order, HH:MM (a conflict)
	ReasonAlreadyNotified ReasonCode = "already_notified" // order, MM-DD HH:MM (a conflict)

	// Quick phrases.
	ReasonNotYours ReasonCode = "not_yours" // phrase, owner ("" when the text names none)

	// Reviews.
	ReasonNotCompleted      ReasonCode = "not_completed"      // order
	ReasonNoConversation    ReasonCode = "no_conversation"    // —
	ReasonWrongConversation ReasonCode = "wrong_conversation" // conversation
	ReasonBadHash           ReasonCode = "bad_hash"           // —

	// Stock.
	ReasonNoSKU          ReasonCode = "no_sku"        // product, SKU
	ReasonBadQuantity    ReasonCode = "bad_quantity"  // what (adjustment, stock, threshold), quantity
	ReasonNotEnoughStock ReasonCode = "not_enough"    // SKU, warehouse, taken away (a conflict)
	ReasonStockChanged   ReasonCode = "stock_changed" // SKU, warehouse now, expected (a conflict)

	// The team's work (calls, handovers, concessions, team settings).
	ReasonNotManager   ReasonCode = "not_manager"  // what was tried, staff, role ("unknown" for no such staff)
	ReasonNotForYou    ReasonCode = "not_for_you"  // handover, staff (a handover's writer, or not whom it is for)
	ReasonAcknowledged ReasonCode = "acknowledged" // handover, staff who did (a conflict)
	ReasonDecided      ReasonCode = "decided"      // concession, its state (a conflict)

	// The desk's sync engine answers a mutation it cannot send itself.
	ReasonUnsendable ReasonCode = "unsendable" // the encoder's error
	ReasonRefused    ReasonCode = "refused"    // — (a server that gave no reason)
)

// Reason is a rule's sentence read back: its code and the values it names.
type Reason struct {
	Code ReasonCode
	Args []string
}

// reasonFormat is one sentence of the rules: its code, its format (the rules' fmt format,
// word for word) and the arguments the format leaves out (a "phrase %s does not exist" is a
// not_found of type phrase).
type reasonFormat struct {
	code   ReasonCode
	format string
	pre    []string
	re     *regexp.Regexp
}

// reasonFormats is every sentence the rules can refuse or conflict with (a test reads the
// rules' sources and fails on a format missing here), then the sync engine's own. Earlier
// entries win, so a specific format goes before a general one that also matches it.
var reasonFormats = compileReasons([]reasonFormat{
	{code: ReasonUnknownKind, format: "unknown mutation kind %q"},
	{code: ReasonBadBase, format: "base version is negative"},
	{code: ReasonBadID, format: "%s %q is not a valid id"},
	{code: ReasonBadText, format: "%s is not valid UTF-8 text"},
	{code: ReasonBadText, format: "%s contains a NUL character"},
	{code: ReasonTooLong, format: "%s has %d characters; at most %d"},
	{code: ReasonTooLong, format: "the greeting has %d lines; at most %d", pre: []string{"greeting"}},
	{code: ReasonNoData, format: "%s needs data"},
	{code: ReasonBadData, format: "%s data: %v"},
	{code: ReasonNotFound, format: "phrase %s does not exist", pre: []string{string(TypePhrase)}},
	{code: ReasonNotFound, format: "conversation %s does not exist", pre: []string{string(TypeConversation)}},
	{code: ReasonNotFound, format: "%s %s does not exist"},
	{code: ReasonExists, format: "%s %s exists already and cannot be changed"},
	{code: ReasonUnknownValue, format: "after-sales kind %q is unknown", pre: []string{"after-sales kind"}},
	{code: ReasonUnknownValue, format: "complaint category %q is unknown", pre: []string{"complaint category"}},
	{code: ReasonUnknownValue, format: "time zone %q is unknown", pre: []string{"time zone"}},
	{code: ReasonUnknownValue, format: "%s state %q is unknown"},
	{code: ReasonUnknownValue, format: "flag %d is not one of the six flags", pre: []string{"flag"}},
	{code: ReasonUnknownValue, format: "address check %q is not confirmed or changed", pre: []string{"address check"}},
	{code: ReasonUnknownValue, format: "call outcome %q is not confirmed, refused or no_answer", pre: []string{"call outcome"}},
	{code: ReasonUnknownValue, format: "evidence kind %q is not chat, order or file", pre: []string{"evidence kind"}},
	{code: ReasonOutOfRange, format: "VIP level %d is not 0 to 5", pre: []string{"VIP level"}},
	{code: ReasonOutOfRange, format: "stars must be 1 to 5", pre: []string{"stars", ""}},
	{code: ReasonOutOfRange, format: "group rule has a value out of range", pre: []string{"group rule", ""}},
	{code: ReasonTooMany, format: "at most 200 keyword replies", pre: []string{"keyword replies"}},
	{code: ReasonTooMany, format: "too many tags or groups", pre: []string{"tags or groups"}},
	{code: ReasonTooBig, format: "file is %d bytes; at most %d"},
	{code: ReasonWrongEntity, format: "auto-replies live in entity %q"},
	{code: ReasonMovedMeanwhile, format: "%s %s is %s now, not %s; cannot move it to %s"},
	{code: ReasonIllegalMove, format: "%s %s cannot move from %s to %s"},
	{code: ReasonClaimed, format: "conversation already claimed by %s"},
	{code: ReasonNoField, format: "customer.set names no field"},
	{code: ReasonBadPhone, format: "phone %q is not a phone number"},
	{code: ReasonBadEmail, format: "e-mail %q is not an e-mail address"},
	{code: ReasonBadBirthday, format: "birthday %q is not MM-DD or YYYY-MM-DD"},
	{code: ReasonBadHours, format: "business hours for %s are not a range within the day"},
	{code: ReasonOrderStatus, format: "order %s is %s; its address can no longer change"},
	{code: ReasonOrderStatus, format: "order %s is %s, not unpaid"},
	{code: ReasonOrderStatus, format: "order %s is %s; only unpaid orders can be closed here"},
	{code: ReasonOrderStatus, format: "order %s is %s, not shipped"},
	{code: ReasonNoAddress, format: "a changed address needs the new address"},
	{code: ReasonNotCOD, format: "order %s is not cash on delivery"},
	{code: ReasonAlreadyReminded, format: "order %s was already reminded today at %s"},
	{code: ReasonAlreadyNotified, format: "order %s: the shipment notice was sent already at %s"},
	{code: ReasonNotYours, format: "phrase %s is %s's personal phrase"},
	{code: ReasonNotYours, format: "a personal phrase belongs to the staff member who writes it", pre: []string{"", ""}},
	{code: ReasonNotCompleted, format: "the buyer can be reviewed only after order %s is completed"},
	{code: ReasonNoConversation, format: "a contact message needs the buyer's conversation"},
	{code: ReasonWrongConversation, format: "conversation %s is not with the review's buyer"},
	{code: ReasonBadHash, format: "evidence hash does not match its content"},
	{code: ReasonNoSKU, format: "product %s has no SKU %s"},
	{code: ReasonBadQuantity, format: "adjustment %d is not a sensible quantity", pre: []string{"adjustment"}},
	{code: ReasonBadQuantity, format: "stock %d is not a sensible quantity", pre: []string{"stock"}},
	{code: ReasonBadQuantity, format: "threshold %d is not a sensible quantity", pre: []string{"threshold"}},
	{code: ReasonNotEnoughStock, format: "SKU %s has %d in the warehouse; cannot take away %d"},
	{code: ReasonStockChanged, format: "SKU %s has %d in the warehouse now, not %d"},
	{code: ReasonUnknownValue, format: "call purpose %q is unknown", pre: []string{"call purpose"}},
	{code: ReasonUnknownValue, format: "call result %q is unknown", pre: []string{"call result"}},
	{code: ReasonUnknownValue, format: "handover item type %q is unknown", pre: []string{"handover item"}},
	{code: ReasonUnknownValue, format: "concession kind %q is unknown", pre: []string{"concession kind"}},
	{code: ReasonOutOfRange, format: "call duration %d is out of range", pre: []string{"call duration"}},
	{code: ReasonOutOfRange, format: "call quota %d is out of range", pre: []string{"call quota"}},
	{code: ReasonOutOfRange, format: "concession limit %s is out of range", pre: []string{"concession limit"}},
	{code: ReasonOutOfRange, format: "concession amount %s is out of range", pre: []string{"concession amount"}},
	{code: ReasonOutOfRange, format: "concession amount %s is more than the order's total", pre: []string{"concession amount"}},
	{code: ReasonTooMany, format: "too many handover items", pre: []string{"handover items"}},
	{code: ReasonTooMany, format: "too many staff members with their own settings", pre: []string{"staff settings"}},
	{code: ReasonWrongEntity, format: "the team settings live in entity %q"},
	{code: ReasonEmpty, format: "a call needs the customer called", pre: []string{"customer"}},
	{code: ReasonEmpty, format: "a call-back needs its time", pre: []string{"call-back time"}},
	{code: ReasonOrderStatus, format: "order %s is %s; it cannot take a %s concession"},
	{code: ReasonNotManager, format: "only the shop's owner or a manager may %s; staff %s is %s"},
	{code: ReasonNotForYou, format: "handover %s is for the next shift, not for %s"},
	{code: ReasonAcknowledged, format: "handover %s was acknowledged by %s already"},
	{code: ReasonDecided, format: "concession %s is %s already"},
	// The empty-field sentence is general enough to come after the others.
	{code: ReasonEmpty, format: "%s is empty"},
	// The sync engine's own answers (sync/engine.go).
	{code: ReasonTooBig, format: "this change is too large for the server", pre: []string{"", ""}},
	{code: ReasonUnsendable, format: "this change cannot be sent: %s"},
	{code: ReasonRefused, format: "refused by the server"},
})

// compileReasons turns each format into an anchored pattern: %s and %v match any text, %d a
// whole number, %q a quoted Go string.
func compileReasons(fs []reasonFormat) []reasonFormat {
	verb := regexp.MustCompile(`%[sdqv]`)
	for i, f := range fs {
		var b strings.Builder
		b.WriteString("^")
		last := 0
		for _, loc := range verb.FindAllStringIndex(f.format, -1) {
			b.WriteString(regexp.QuoteMeta(f.format[last:loc[0]]))
			switch f.format[loc[0]+1] {
			case 'd':
				b.WriteString(`(-?\d+)`)
			case 'q':
				b.WriteString(`("(?:[^"\\]|\\.)*")`)
			default:
				b.WriteString(`(.*?)`)
			}
			last = loc[1]
		}
		b.WriteString(regexp.QuoteMeta(f.format[last:]))
		b.WriteString("$")
		fs[i].re = regexp.MustCompile(b.String())
	}
	return fs
}

// ParseReason reads a rule's sentence (a conflict's or a rejection's reason, as the server or
// the desk's own rules wrote it) back into its code and arguments; quoted arguments come
// unquoted. A text no format matches is ReasonUnknown with the text as its one argument.
func ParseReason(text string) Reason {
	text = strings.TrimSpace(text)
	for _, f := range reasonFormats {
		m := f.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		args := append([]string{}, f.pre...)
		for _, a := range m[1:] {
			if strings.HasPrefix(a, `"`) {
				if u, err := strconv.Unquote(a); err == nil {
					a = u
				}
			}
			args = append(args, a)
		}
		return Reason{Code: f.code, Args: args}
	}
	return Reason{Code: ReasonUnknown, Args: []string{text}}
}

// Arg is the reason's i-th argument, "" when it has fewer.
func (r Reason) Arg(i int) string {
	if i < 0 || i >= len(r.Args) {
		return ""
	}
	return r.Args[i]
}

// ReasonCodes lists every code ParseReason can return other than ReasonUnknown, once each, so
// that the desk can check it has words for each.
func ReasonCodes() []ReasonCode {
	var codes []ReasonCode
	seen := map[ReasonCode]bool{}
	for _, f := range reasonFormats {
		if !seen[f.code] {
			seen[f.code] = true
			codes = append(codes, f.code)
		}
	}
	return codes
}
