package shop

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// ShopZone is the time zone shop days are counted in (China Standard Time, UTC+8 all year).
var ShopZone = time.FixedZone("CST", 8*3600)

// Limits on what staff can type; the server refuses longer input.
const (
	MaxMessageRunes  = 5000 // one chat message
	MaxNoteRunes     = 2000 // one order note (Taobao's memo holds 1000 bytes; ours keeps history)
	MaxReplyRunes    = 500  // seller's explanation of a review, as on Taobao
	MaxGreetingLines = 4    // first-contact greeting
	MaxShortText     = 200  // names, reasons, shortcuts, keywords
	MaxQuantity      = 1_000_000
	MaxEvidenceBytes = 8 << 20
)

var caseMoves = map[CaseState][]CaseState{
	CaseOpen:             {CaseWaitingCustomer, CaseWaitingWarehouse, CaseResolved, CaseRefunded},
	CaseWaitingCustomer:  {CaseOpen, CaseWaitingWarehouse, CaseResolved, CaseRefunded},
	CaseWaitingWarehouse: {CaseOpen, CaseWaitingCustomer, CaseResolved, CaseRefunded},
	CaseResolved:         {CaseOpen},
	CaseRefunded:         nil,
}

// CaseStates lists the after-sales states.
var CaseStates = []CaseState{CaseOpen, CaseWaitingCustomer, CaseWaitingWarehouse, CaseResolved, CaseRefunded}

// CanMoveCase reports whether an after-sales case may move from one state to another.
func CanMoveCase(from, to CaseState) bool { return contains(caseMoves[from], to) }

// CaseNext lists the states a case in state s may move to.
func CaseNext(s CaseState) []CaseState { return caseMoves[s] }

// Finished reports whether the case needs no more work.
func (c AfterSalesCase) Finished() bool { return c.State == CaseResolved || c.State == CaseRefunded }

// Overdue reports whether an unfinished case is past its due date at now.
func (c AfterSalesCase) Overdue(now time.Time) bool {
	return !c.Finished() && !c.Due.IsZero() && now.After(c.Due)
}

// CaseUntouchedAfter is how long an unfinished case may sit without a move before it is surfaced.
const CaseUntouchedAfter = 3 * 24 * time.Hour

// Untouched reports whether an unfinished case has not moved for CaseUntouchedAfter.
func (c AfterSalesCase) Untouched(now time.Time) bool {
	last := c.UpdatedAt
	if last.IsZero() {
		last = c.CreatedAt
	}
	return !c.Finished() && now.Sub(last) > CaseUntouchedAfter
}

// NeedsAttention reports whether the case must be shown at the top: overdue or untouched.
func (c AfterSalesCase) NeedsAttention(now time.Time) bool { return c.Overdue(now) || c.Untouched(now) }

var reviewMoves = map[ReviewState][]ReviewState{
	ReviewNew:               {ReviewContacted, ReviewUnreachable, ReviewMalicious},
	ReviewContacted:         {ReviewResolving, ReviewUnreachable, ReviewMalicious},
	ReviewResolving:         {ReviewResolved, ReviewUnreachable, ReviewMalicious},
	ReviewResolved:          {ReviewRevisionRequested},
	ReviewRevisionRequested: {ReviewRevised, ReviewUnreachable},
	ReviewUnreachable:       {ReviewContacted, ReviewMalicious},
	ReviewRevised:           nil,
	ReviewMalicious:         nil,
}

// ReviewStates lists the follow-up states in workflow order.
var ReviewStates = []ReviewState{ReviewNew, ReviewContacted, ReviewResolving, ReviewResolved,
	ReviewRevisionRequested, ReviewRevised, ReviewUnreachable, ReviewMalicious}

// CanMoveReview reports whether a review follow-up may move from one state to another.
func CanMoveReview(from, to ReviewState) bool { return contains(reviewMoves[from], to) }

// ReviewNext lists the states a review in state s may move to.
func ReviewNext(s ReviewState) []ReviewState { return reviewMoves[s] }

// ReviewReminderAfter is the default time a neutral or bad review may sit untouched.
const ReviewReminderAfter = 24 * time.Hour

// ReviewComplaintWords are words that make a review need the shop's follow-up whatever its
// stars: a five-star review that says the parcel came late or the colour ran is a complaint.
var ReviewComplaintWords = []string{
	"差评", "很差", "太差", "质量差", "态度差", "失望", "不满意", "退货", "退款", "假货", "破损", "坏了",
	"掉色", "褪色", "起球", "开线", "色差", "发错", "少发", "漏发", "太慢", "垃圾", "骗",
	"disappoint", "broken", "fake", "refund", "terrible", "awful", "poor quality", "wrong item",
}

// NeedsFollowUp reports whether the shop follows the review up with the buyer (contact,
// resolve, ask for a revision): neutral and bad reviews (three stars or fewer), and good ones
// whose text complains (one of ReviewComplaintWords). Other good reviews only get a reply.
func (r Review) NeedsFollowUp() bool {
	if r.Rating() != RatingGood {
		return true
	}
	text := strings.ToLower(r.Text)
	for _, w := range ReviewComplaintWords {
		for rest, at := text, 0; ; {
			i := strings.Index(rest, w)
			if i < 0 {
				break
			}
			if !negated(text[:at+i]) {
				return true
			}
			rest, at = rest[i+len(w):], at+i+len(w)
		}
	}
	return false
}

// reviewNegations are the words that, just before a complaint word, turn it into praise:
// "没有掉色", "不起球", "no fake".
var reviewNegations = []string{"没有", "没", "不会", "不", "无", "未", "no ", "not ", "never "}

// negated reports whether the text before a complaint word ends in a negation.
func negated(before string) bool {
	for _, n := range reviewNegations {
		if strings.HasSuffix(before, n) {
			return true
		}
	}
	return false
}

// Untouched reports whether a review that needs follow-up (NeedsFollowUp) and is still in state
// new has waited longer than after since it was written (or last updated).
func (r Review) Untouched(now time.Time, after time.Duration) bool {
	if !r.NeedsFollowUp() || r.State != ReviewNew {
		return false
	}
	last := r.At
	if r.UpdatedAt.After(last) {
		last = r.UpdatedAt
	}
	return now.Sub(last) > after
}

// Answered reports whether the seller has replied publicly.
func (r Review) Answered() bool { return r.Reply != "" }

var complaintMoves = map[ComplaintState][]ComplaintState{
	ComplaintOpen:       {ComplaintInProgress, ComplaintResolved, ComplaintUnresolved},
	ComplaintInProgress: {ComplaintResolved, ComplaintUnresolved},
}

// ComplaintStates lists the complaint states.
var ComplaintStates = []ComplaintState{ComplaintOpen, ComplaintInProgress, ComplaintResolved, ComplaintUnresolved}

// ComplaintCategories lists the complaint categories.
var ComplaintCategories = []ComplaintCategory{ComplaintQuality, ComplaintService, ComplaintOther, ComplaintEmergency}

// CanMoveComplaint reports whether a complaint may move from one state to another.
func CanMoveComplaint(from, to ComplaintState) bool { return contains(complaintMoves[from], to) }

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// ValidateGreeting checks a first-contact greeting: at most four lines, none empty at the end.
func ValidateGreeting(s string) error {
	if n := LineCount(s); n > MaxGreetingLines {
		return fmt.Errorf("the greeting has %d lines; at most %d", n, MaxGreetingLines)
	}
	return checkText("greeting", s, 1000, false)
}

// LineCount counts the lines of s, ignoring trailing line breaks.
func LineCount(s string) int {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return 0
	}
	return strings.Count(s, "\n") + 1
}

// Open reports whether the shop is open at now under these hours.
func (a AutoReplies) Open(now time.Time) bool {
	loc := ShopZone
	if a.Location != "" {
		if l, err := time.LoadLocation(a.Location); err == nil {
			loc = l
		}
	}
	t := now.In(loc)
	h := a.Hours[t.Weekday()]
	if h.Open == h.Close {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	return m >= h.Open && m < h.Close
}

// HasHours reports whether any business hours are set.
func (a AutoReplies) HasHours() bool {
	for _, h := range a.Hours {
		if h.Open != h.Close {
			return true
		}
	}
	return false
}

// Replies returns the automatic replies to a customer's message, in order: the greeting on first
// contact, the off-hours reply outside business hours, then the first matching keyword reply.
// Auto-replies are sent as written, so one that holds a placeholder (nothing fills it) is left
// out rather than reach the customer with "{nick}" in it; the editor refuses to save such text.
func (a AutoReplies) Replies(first bool, text string, now time.Time) []string {
	var out []string
	if first && strings.TrimSpace(a.Greeting) != "" && !HasUnfilled(a.Greeting) {
		out = append(out, a.Greeting)
	}
	if a.OffHours != "" && a.HasHours() && !a.Open(now) && !HasUnfilled(a.OffHours) {
		out = append(out, a.OffHours)
	}
	for _, k := range a.Keywords {
		if k.Keyword != "" && strings.Contains(text, k.Keyword) {
			if !HasUnfilled(k.Text) {
				out = append(out, k.Text)
			}
			break
		}
	}
	return out
}

// CustomerStats are figures derived from a customer's orders.
type CustomerStats struct {
	Orders    int       // orders that were paid (closed and unpaid ones do not count)
	Spent     Cents     // total of those orders
	LastOrder time.Time // when the last of them was created
}

// Average is the average order value.
func (s CustomerStats) Average() Cents {
	if s.Orders == 0 {
		return 0
	}
	return s.Spent / Cents(s.Orders)
}

// Add counts one order into the figures.
func (s *CustomerStats) Add(o Order) {
	if o.Status == StatusUnpaid || o.Status == StatusClosed {
		return
	}
	s.Orders++
	s.Spent += o.Total
	if o.CreatedAt.After(s.LastOrder) {
		s.LastOrder = o.CreatedAt
	}
}

// StatsOf derives a customer's figures from their orders.
func StatsOf(orders []Order) CustomerStats {
	var s CustomerStats
	for _, o := range orders {
		s.Add(o)
	}
	return s
}

// Match reports whether a customer with these figures belongs to a rule group at now.
func (g GroupRule) Match(c Customer, s CustomerStats, now time.Time) bool {
	if g.MinSpent > 0 && s.Spent < g.MinSpent {
		return false
	}
	if g.WithinDays > 0 && (s.LastOrder.IsZero() || now.Sub(s.LastOrder) > time.Duration(g.WithinDays)*24*time.Hour) {
		return false
	}
	if g.MinVIP > 0 && c.VIP < g.MinVIP {
		return false
	}
	if g.Tag != "" && !contains(c.Tags, g.Tag) {
		return false
	}
	return true
}

// SameShopDay reports whether two instants fall on the same calendar day in the shop's zone.
func SameShopDay(a, b time.Time) bool {
	ay, am, ad := a.In(ShopZone).Date()
	by, bm, bd := b.In(ShopZone).Date()
	return ay == by && am == bm && ad == bd
}

// checkText refuses text that is not valid UTF-8, too long, or (when required) empty.
func checkText(field, s string, max int, required bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8 text", field)
	}
	if required && strings.TrimSpace(s) == "" {
		return fmt.Errorf("%s is empty", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%s has %d characters; at most %d", field, n, max)
	}
	if strings.ContainsRune(s, 0) {
		return fmt.Errorf("%s contains a NUL character", field)
	}
	return nil
}

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 -]{4,19}$`)
var birthdayRE = regexp.MustCompile(`^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)

// ValidPhone reports whether s looks like a phone number (digits, spaces, dashes, leading +).
func ValidPhone(s string) bool { return phoneRE.MatchString(s) }

// ValidBirthday reports whether s is MM-DD or YYYY-MM-DD.
func ValidBirthday(s string) bool { return birthdayRE.MatchString(s) }

// BirthdayIn reports the days from now until the customer's next birthday (0 = today), and
// false when no valid birthday is known.
func (c Customer) BirthdayIn(now time.Time) (int, bool) {
	if !ValidBirthday(c.Birthday) {
		return 0, false
	}
	md := c.Birthday[len(c.Birthday)-5:]
	var m, d int
	fmt.Sscanf(md, "%d-%d", &m, &d)
	t := now.In(ShopZone)
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, ShopZone)
	next := time.Date(t.Year(), time.Month(m), d, 0, 0, 0, 0, ShopZone)
	if next.Before(today) {
		next = time.Date(t.Year()+1, time.Month(m), d, 0, 0, 0, 0, ShopZone)
	}
	return int(next.Sub(today).Hours()/24 + 0.5), true
}
