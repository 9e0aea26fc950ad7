package shop

import (
	"math"
	"slices"
	"sort"
	"time"
)

// The team's KPIs (issue 19): per staff member and for the team, per day, week or month.
//
// They are computed by a streaming accumulator, KPIAccumulator: whoever holds the data (the
// desk's localdb, the server's store) feeds it the records of the period, in any order, and
// asks for the report at the end. It keeps no entities, only what the figures need: for chat
// messages a few words each (conversation, time, sender, staff) within KPIWindow, for orders
// the creation times by customer, for everything else the counts themselves. Messages are
// ordered per conversation when the report is made, so the feeder need not sort anything.
//
// The figures and how they are attributed:
//
//   - A waiting stretch starts at a customer message of a conversation that is not already
//     waiting and ends at the next staff message (auto-replies and system notices do not end
//     it). It belongs to the bucket its first message falls in; its reply, when one arrives
//     within KPIWindow, is the responder's.
//   - Response time is the stretch's duration counted only inside business hours
//     (AutoReplies.Hours in AutoReplies.Location; all hours count when none are set) and
//     outside the recorded outages of the responder and those of no one (a server outage):
//     an outage never counts against an agent.
//   - First response time is the mean over conversations of the response to their first
//     stretch in the bucket; average response time the mean over every answered stretch.
//   - Conversations (consulted) are the conversations with a stretch in the bucket; answered
//     those whose first stretch got a reply. Both go to the responder of that first stretch,
//     or, while unanswered, to the conversation's assignee.
//   - Conversion: a consulted conversation converted when an order of its customer was created
//     between its first customer message in the bucket and 24 hours after the last one.
//   - Handled: the distinct conversations a staff member wrote in during the bucket.
//   - Notes written (typed, not system notes), cases closed (steps to resolved or refunded),
//     bad reviews brought to revision (neutral or bad reviews' steps to revised, credited to
//     whoever asked for the revision), complaints by category (opened by the owner, resolved
//     by the step's staff) with the completion rate of the bucket's new complaints, and calls
//     against the weekly quota (scaled by the bucket's days over seven).
//
// Buckets are calendar days, weeks (starting Monday) or months in the shop's time zone.

// Period is the length of the buckets KPIs are counted in.
type Period string

// The KPI periods.
const (
	PeriodDay   Period = "day"
	PeriodWeek  Period = "week"
	PeriodMonth Period = "month"
)

// Periods lists the periods in the order the desk offers them.
var Periods = []Period{PeriodDay, PeriodWeek, PeriodMonth}

// Valid reports whether p is one of the periods.
func (p Period) Valid() bool { return slices.Contains(Periods, p) }

// Start returns the start of the period holding t in zone loc: midnight of the day, of the
// week's Monday, or of the month's first day.
func (p Period) Start(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	switch p {
	case PeriodWeek:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
	case PeriodMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Next returns the start of the period after the one starting at start (a Start result).
func (p Period) Next(start time.Time) time.Time {
	switch p {
	case PeriodWeek:
		return start.AddDate(0, 0, 7)
	case PeriodMonth:
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 1)
}

// Prev returns the start of the period before the one starting at start (a Start result).
func (p Period) Prev(start time.Time) time.Time {
	switch p {
	case PeriodWeek:
		return start.AddDate(0, 0, -7)
	case PeriodMonth:
		return start.AddDate(0, -1, 0)
	}
	return start.AddDate(0, 0, -1)
}

// ConversionWindow is how long after chatting an order of the customer counts as converted.
const ConversionWindow = 24 * time.Hour

// KPIWindow returns the span of messages and orders the KPIs of [from, to) read: a day before
// (to see whether a conversation was already waiting) and a day after (replies and orders
// that follow the period's last chats).
func KPIWindow(from, to time.Time) (time.Time, time.Time) {
	return from.Add(-ConversionWindow), to.Add(ConversionWindow)
}

// ZoneOf returns the time zone of the shop's business hours: their Location, or ShopZone.
func (a AutoReplies) ZoneOf() *time.Location {
	if a.Location != "" {
		if l, err := time.LoadLocation(a.Location); err == nil {
			return l
		}
	}
	return ShopZone
}

// HourFigures are the responses to the stretches that started in one hour of the day.
type HourFigures struct {
	Responses int     `json:"responses"`
	Seconds   float64 `json:"seconds"` // their response times, summed
}

// Mean is the hour's mean response time; 0 without responses.
func (h HourFigures) Mean() time.Duration { return meanOf(h.Seconds, h.Responses) }

// ComplaintFigures count one category's complaints.
type ComplaintFigures struct {
	Opened   int `json:"opened"`   // opened in the bucket
	Done     int `json:"done"`     // of those, resolved by now
	Resolved int `json:"resolved"` // resolved in the bucket (steps to resolved)
}

// Figures are one staff member's (or the team's) KPIs for one bucket. Times are kept as sums
// and counts, so figures of several buckets add up; the methods give the means and shares.
type Figures struct {
	Conversations int                                    `json:"conversations"`    // consulted conversations
	Answered      int                                    `json:"answered"`         // of them, with their first stretch answered
	Converted     int                                    `json:"converted"`        // of them, followed by an order
	Handled       int                                    `json:"handled"`          // distinct conversations written in
	Firsts        int                                    `json:"firsts"`           // first responses
	FirstSeconds  float64                                `json:"first_seconds"`    // their times, summed
	Responses     int                                    `json:"responses"`        // every answered stretch
	Seconds       float64                                `json:"seconds"`          // their response times, summed
	Stretches     int                                    `json:"stretches"`        // waiting stretches (the team's only)
	Notes         int                                    `json:"notes"`            // order notes written
	CasesClosed   int                                    `json:"cases_closed"`     // after-sales cases resolved or refunded
	Revisions     int                                    `json:"revisions"`        // neutral and bad reviews revised
	Calls         int                                    `json:"calls"`            // outbound calls logged
	Quota         int                                    `json:"quota"`            // the calls due in the bucket
	Excluded      float64                                `json:"excluded_seconds"` // waiting time left out (off hours, outages)
	Complaints    map[ComplaintCategory]ComplaintFigures `json:"complaints,omitempty"`
	Hours         [24]HourFigures                        `json:"hours"` // responses by the hour their stretch began
}

// FirstResponse is the mean first response time; 0 without first responses.
func (f Figures) FirstResponse() time.Duration { return meanOf(f.FirstSeconds, f.Firsts) }

// AvgResponse is the mean response time over every answered stretch; 0 without responses.
func (f Figures) AvgResponse() time.Duration { return meanOf(f.Seconds, f.Responses) }

// AnsweredShare is the share (0..1) of consulted conversations answered; 0 without any.
func (f Figures) AnsweredShare() float64 { return share(f.Answered, f.Conversations) }

// Conversion is the share (0..1) of consulted conversations followed by an order.
func (f Figures) Conversion() float64 { return share(f.Converted, f.Conversations) }

// QuotaShare is calls over quota (1 = quota met; more is possible); 0 without a quota.
func (f Figures) QuotaShare() float64 { return share(f.Calls, f.Quota) }

// ComplaintTotals adds up the complaint figures of every category.
func (f Figures) ComplaintTotals() ComplaintFigures {
	var t ComplaintFigures
	for _, c := range f.Complaints {
		t.Opened += c.Opened
		t.Done += c.Done
		t.Resolved += c.Resolved
	}
	return t
}

// CompletionRate is the share (0..1) of the bucket's new complaints resolved by now.
func (f Figures) CompletionRate() float64 {
	t := f.ComplaintTotals()
	return share(t.Done, t.Opened)
}

// Active reports whether the figures hold any work at all.
func (f Figures) Active() bool {
	return f.Conversations+f.Handled+f.Responses+f.Notes+f.CasesClosed+f.Revisions+f.Calls > 0 ||
		f.ComplaintTotals() != ComplaintFigures{}
}

func meanOf(sum float64, n int) time.Duration {
	if n == 0 {
		return 0
	}
	return time.Duration(sum / float64(n) * float64(time.Second))
}

func share(n, of int) float64 {
	if of <= 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// complaint adds to category c's figures.
func (f *Figures) complaint(c ComplaintCategory, fn func(*ComplaintFigures)) {
	if f.Complaints == nil {
		f.Complaints = map[ComplaintCategory]ComplaintFigures{}
	}
	cf := f.Complaints[c]
	fn(&cf)
	f.Complaints[c] = cf
}

// StaffFigures are one staff member's figures.
type StaffFigures struct {
	Staff string `json:"staff"` // staff number
	Name  string `json:"name,omitempty"`
	Role  Role   `json:"role,omitempty"`
	Figures
}

// KPIBucket is one day, week or month of figures (or the whole report's span).
type KPIBucket struct {
	From  time.Time      `json:"from"`
	To    time.Time      `json:"to"`
	Team  Figures        `json:"team"`
	Staff []StaffFigures `json:"staff"` // by staff number
}

// Of returns staff member staff's figures in the bucket, and whether there are any.
func (b KPIBucket) Of(staff string) (StaffFigures, bool) {
	for _, s := range b.Staff {
		if s.Staff == staff {
			return s, true
		}
	}
	return StaffFigures{Staff: staff}, false
}

// KPIReport is the KPIs of [From, To) in buckets of Period, and over the whole span.
type KPIReport struct {
	From    time.Time   `json:"from"`
	To      time.Time   `json:"to"`
	Period  Period      `json:"period"`
	Zone    string      `json:"zone"`
	Buckets []KPIBucket `json:"buckets"`
	Total   KPIBucket   `json:"total"`
	// OnlyStaff is the staff number the report was cut down to (Only); "" for the whole team.
	OnlyStaff string `json:"only_staff,omitempty"`
}

// Only returns the report cut down to one staff member: their figures alone, without the
// team's or anyone else's — what an agent may see.
func (r KPIReport) Only(staff string) KPIReport {
	cut := func(b KPIBucket) KPIBucket {
		s, _ := b.Of(staff)
		return KPIBucket{From: b.From, To: b.To, Staff: []StaffFigures{s}}
	}
	out := r
	out.OnlyStaff = staff
	out.Buckets = make([]KPIBucket, len(r.Buckets))
	for i, b := range r.Buckets {
		out.Buckets[i] = cut(b)
	}
	out.Total = cut(r.Total)
	return out
}

// KPIOptions say what a KPIAccumulator counts.
type KPIOptions struct {
	From, To time.Time    // the report's span, [From, To)
	Period   Period       // the buckets; "" for one bucket, the whole span
	Hours    AutoReplies  // business hours and their time zone
	Team     TeamSettings // the call quotas
}

// KPIAccumulator computes KPIs from records fed in any order (see the top of kpi.go). It is
// not safe for concurrent use.
type KPIAccumulator struct {
	opt        KPIOptions
	loc        *time.Location
	hours      bool // business hours are set
	winFrom    time.Time
	winTo      time.Time
	starts     []time.Time // bucket starts, then the end
	staff      map[string]Staff
	convs      map[string]convInfo
	msgs       map[string][]msgTick
	orders     map[string][]time.Time // creation times by customer
	outages    []Outage
	other      []func(a *kpiSums) // counts that need no ordering, applied in Report
	complaints []Complaint
}

// convInfo is what the KPIs keep of a conversation.
type convInfo struct {
	customer, assignee string
}

// msgTick is what the KPIs keep of a message.
type msgTick struct {
	at    time.Time
	from  Sender
	staff string
	id    string
}

// NewKPIAccumulator starts counting the KPIs opt describes.
func NewKPIAccumulator(opt KPIOptions) *KPIAccumulator {
	a := &KPIAccumulator{opt: opt, loc: opt.Hours.ZoneOf(), hours: opt.Hours.HasHours(),
		staff: map[string]Staff{}, convs: map[string]convInfo{}, msgs: map[string][]msgTick{}, orders: map[string][]time.Time{}}
	a.winFrom, a.winTo = KPIWindow(opt.From, opt.To)
	if opt.Period.Valid() {
		for t := opt.Period.Start(opt.From, a.loc); t.Before(opt.To); t = opt.Period.Next(t) {
			a.starts = append(a.starts, t)
		}
		if len(a.starts) > 0 && a.starts[0].Before(opt.From) {
			a.starts[0] = opt.From
		}
	} else {
		a.starts = append(a.starts, opt.From)
	}
	a.starts = append(a.starts, opt.To)
	return a
}

// bucket returns the index of the bucket holding t, or -1 outside the span.
func (a *KPIAccumulator) bucket(t time.Time) int {
	if t.Before(a.opt.From) || !t.Before(a.opt.To) {
		return -1
	}
	i := sort.Search(len(a.starts), func(i int) bool { return a.starts[i].After(t) })
	return i - 1
}

// in reports whether t falls in the span.
func (a *KPIAccumulator) in(t time.Time) bool { return a.bucket(t) >= 0 }

// AddStaff makes a staff member part of the report (with zero figures when they did nothing).
func (a *KPIAccumulator) AddStaff(s Staff) { a.staff[s.Number] = s }

// AddConversation gives the KPIs a conversation's customer and assignee.
func (a *KPIAccumulator) AddConversation(c Conversation) {
	a.convs[c.ID] = convInfo{customer: c.CustomerID, assignee: c.Assignee}
}

// AddMessage counts a chat message; one outside KPIWindow is ignored.
func (a *KPIAccumulator) AddMessage(m Message) {
	if m.At.Before(a.winFrom) || !m.At.Before(a.winTo) {
		return
	}
	a.msgs[m.ConversationID] = append(a.msgs[m.ConversationID], msgTick{at: m.At, from: m.From, staff: m.Staff, id: m.ID})
}

// AddOrder counts an order for the conversion; one created outside KPIWindow is ignored.
func (a *KPIAccumulator) AddOrder(o Order) {
	if o.CustomerID == "" || o.CreatedAt.Before(a.winFrom) || !o.CreatedAt.Before(a.winTo) {
		return
	}
	a.orders[o.CustomerID] = append(a.orders[o.CustomerID], o.CreatedAt)
}

// AddNote counts an order note typed by a staff member in the span.
func (a *KPIAccumulator) AddNote(n OrderNote) {
	if n.System || n.Staff == "" || !a.in(n.At) {
		return
	}
	i := a.bucket(n.At)
	a.other = append(a.other, func(s *kpiSums) { s.add(i, n.Staff, func(f *Figures) { f.Notes++ }) })
}

// AddCase counts the case's closing steps in the span.
func (a *KPIAccumulator) AddCase(c AfterSalesCase) {
	for _, st := range c.Steps {
		to := CaseState(st.To)
		if (to == CaseResolved || to == CaseRefunded) && st.Staff != "" && a.in(st.At) {
			i, who := a.bucket(st.At), st.Staff
			a.other = append(a.other, func(s *kpiSums) { s.add(i, who, func(f *Figures) { f.CasesClosed++ }) })
		}
	}
}

// AddReview counts a neutral or bad review revised in the span, for whoever asked for the
// revision (or, when nobody did on record, whoever recorded it).
func (a *KPIAccumulator) AddReview(r Review) {
	if r.Rating() == RatingGood {
		return
	}
	asker := ""
	for _, st := range r.Steps {
		switch ReviewState(st.To) {
		case ReviewRevisionRequested:
			asker = st.Staff
		case ReviewRevised:
			who := asker
			if who == "" {
				who = st.Staff
			}
			if who == "" || !a.in(st.At) {
				continue
			}
			i := a.bucket(st.At)
			a.other = append(a.other, func(s *kpiSums) { s.add(i, who, func(f *Figures) { f.Revisions++ }) })
		}
	}
}

// AddComplaint counts a complaint opened or resolved in the span.
func (a *KPIAccumulator) AddComplaint(c Complaint) {
	opened := a.in(c.CreatedAt) && c.Owner != ""
	resolved := false
	for _, st := range c.Steps {
		if ComplaintState(st.To) == ComplaintResolved && st.Staff != "" && a.in(st.At) {
			resolved = true
		}
	}
	if !opened && !resolved {
		return
	}
	a.complaints = append(a.complaints, Complaint{ID: c.ID, Owner: c.Owner, Category: c.Category, State: c.State, CreatedAt: c.CreatedAt, Steps: c.Steps})
}

// AddCall counts an outbound call made in the span.
func (a *KPIAccumulator) AddCall(c CallLog) {
	if c.Staff == "" || !a.in(c.At) {
		return
	}
	i := a.bucket(c.At)
	a.other = append(a.other, func(s *kpiSums) { s.add(i, c.Staff, func(f *Figures) { f.Calls++ }) })
}

// AddOutage leaves a recorded offline stretch out of the response times.
func (a *KPIAccumulator) AddOutage(o Outage) {
	if !o.To.After(o.From) || !o.To.After(a.winFrom) || !o.From.Before(a.winTo) {
		return
	}
	a.outages = append(a.outages, o)
}

// AddRecord feeds a stored record of any type the KPIs read; other types, deleted records and
// data that does not decode are skipped (the latter reported).
func (a *KPIAccumulator) AddRecord(r Record) error {
	if r.Deleted {
		return nil
	}
	for _, k := range kpiReaders {
		if k.typ == r.Type {
			return k.add(a, r)
		}
	}
	return nil
}

// kpiReaders say how AddRecord reads each entity type it counts: one list, so that KPITypes
// cannot name a type AddRecord skips or miss one it reads.
var kpiReaders = []struct {
	typ EntityType
	add func(*KPIAccumulator, Record) error
}{
	{TypeStaff, func(a *KPIAccumulator, r Record) error { return addDecoded(r, a.AddStaff) }},
	{TypeConversation, func(a *KPIAccumulator, r Record) error { return addDecoded(r, a.AddConversation) }},
	{TypeMessage, func(a *KPIAccumulator, r Record) error { return addDecoded(r, a.AddMessage) }},
	{TypeOrder, func(a *KPIAccumulator, r Record) error { return addDecoded(r, a.AddOrder) }},
	{TypeNote, func(a *KPIAccumulator, r Record) error { return addDecoded(r, a.AddNote) }},
	{TypeCase, func(a *KPIAccumulator, r Record) error { return addDecoded(r, a.AddCase) }},
	{TypeReview, func(a *KPIAccumulator, r Record) error { return addDecoded(r, a.AddReview) }},
	{TypeComplaint, func(a *KPIAccumulator, r Record) error { return addDecoded(r, a.AddComplaint) }},
	{TypeCall, func(a *KPIAccumulator, r Record) error { return addDecoded(r, a.AddCall) }},
	{TypeOutage, func(a *KPIAccumulator, r Record) error { return addDecoded(r, a.AddOutage) }},
}

// KPITypes are the entity types AddRecord reads.
var KPITypes = func() []EntityType {
	types := make([]EntityType, len(kpiReaders))
	for i, k := range kpiReaders {
		types[i] = k.typ
	}
	return types
}()

func addDecoded[T any](r Record, add func(T)) error {
	var v T
	if err := r.Decode(&v); err != nil {
		return err
	}
	add(v)
	return nil
}

// kpiSums are the figures being added up: per bucket (and the total, index -1), per staff
// member and for the team, with the distinct conversations each has written in.
type kpiSums struct {
	buckets []map[string]*Figures // "" is the team
	total   map[string]*Figures
	handled []handledKey // what the conversation being counted was handled in, by whom
}

type handledKey struct {
	bucket int
	staff  string
}

func (s *kpiSums) fig(i int, staff string) *Figures {
	m := s.total
	if i >= 0 {
		m = s.buckets[i]
	}
	f := m[staff]
	if f == nil {
		f = &Figures{}
		m[staff] = f
	}
	return f
}

// add applies fn to staff's and the team's figures of bucket i and of the total.
func (s *kpiSums) add(i int, staff string, fn func(*Figures)) {
	for _, b := range []int{i, -1} {
		fn(s.fig(b, staff))
		if staff != "" {
			fn(s.fig(b, ""))
		}
	}
}

// handle counts the conversation being counted (countChats goes one by one, clearing
// s.handled between them) as handled by staff in bucket i, once.
func (s *kpiSums) handle(i int, staff string) {
	for _, b := range []int{i, -1} {
		for _, who := range []string{staff, ""} {
			k := handledKey{b, who}
			if !slices.Contains(s.handled, k) {
				s.handled = append(s.handled, k)
				s.fig(b, who).Handled++
			}
		}
	}
}

// Report works out the figures of everything fed so far.
func (a *KPIAccumulator) Report() KPIReport {
	n := len(a.starts) - 1
	s := &kpiSums{buckets: make([]map[string]*Figures, n), total: map[string]*Figures{}}
	for i := range s.buckets {
		s.buckets[i] = map[string]*Figures{}
	}
	for _, fn := range a.other {
		fn(s)
	}
	for _, c := range a.complaints {
		a.countComplaint(s, c)
	}
	a.countChats(s)

	staff := map[string]bool{}
	for num := range a.staff {
		staff[num] = true
	}
	for num := range s.total {
		if num != "" {
			staff[num] = true
		}
	}
	nums := make([]string, 0, len(staff))
	for num := range staff {
		nums = append(nums, num)
	}
	sort.Strings(nums)

	rep := KPIReport{From: a.opt.From, To: a.opt.To, Period: a.opt.Period, Zone: a.loc.String()}
	build := func(from, to time.Time, m map[string]*Figures) KPIBucket {
		b := KPIBucket{From: from, To: to, Staff: make([]StaffFigures, 0, len(nums))}
		days := to.Sub(from).Hours() / 24
		for _, num := range nums {
			sf := StaffFigures{Staff: num, Name: a.staff[num].Name, Role: a.staff[num].Role}
			if f := m[num]; f != nil {
				sf.Figures = *f
			}
			sf.Quota = int(math.Round(float64(a.opt.Team.QuotaOf(num)) * days / 7))
			b.Team.Quota += sf.Quota
			b.Staff = append(b.Staff, sf)
		}
		if f := m[""]; f != nil {
			q := b.Team.Quota
			b.Team = *f
			b.Team.Quota = q
		}
		return b
	}
	for i := range n {
		rep.Buckets = append(rep.Buckets, build(a.starts[i], a.starts[i+1], s.buckets[i]))
	}
	rep.Total = build(a.opt.From, a.opt.To, s.total)
	return rep
}

// countComplaint adds a complaint's figures.
func (a *KPIAccumulator) countComplaint(s *kpiSums, c Complaint) {
	if a.in(c.CreatedAt) && c.Owner != "" {
		done := c.State == ComplaintResolved
		s.add(a.bucket(c.CreatedAt), c.Owner, func(f *Figures) {
			f.complaint(c.Category, func(cf *ComplaintFigures) {
				cf.Opened++
				if done {
					cf.Done++
				}
			})
		})
	}
	for _, st := range c.Steps {
		if ComplaintState(st.To) == ComplaintResolved && st.Staff != "" && a.in(st.At) {
			s.add(a.bucket(st.At), st.Staff, func(f *Figures) {
				f.complaint(c.Category, func(cf *ComplaintFigures) { cf.Resolved++ })
			})
		}
	}
}

// consult is one conversation's chats in one bucket.
type consult struct {
	first, last time.Time // its first and last customer messages in the bucket
	stretch     time.Time // the start of its first stretch in the bucket
	answered    bool      // its first stretch got a reply
	who         string    // the responder of its first stretch, or the assignee
}

// countChats works out the chat figures, conversation by conversation.
func (a *KPIAccumulator) countChats(s *kpiSums) {
	convIDs := make([]string, 0, len(a.msgs))
	for id := range a.msgs {
		convIDs = append(convIDs, id)
	}
	sort.Strings(convIDs)
	out := a.outageIndex()
	for _, convID := range convIDs {
		ms := a.msgs[convID]
		sort.Slice(ms, func(i, j int) bool {
			if !ms[i].at.Equal(ms[j].at) {
				return ms[i].at.Before(ms[j].at)
			}
			return ms[i].id < ms[j].id
		})
		info := a.convs[convID]
		s.handled = s.handled[:0]
		consults := map[int]*consult{}
		var waitStart time.Time
		waiting := false
		for _, m := range ms {
			switch m.from {
			case FromCustomer:
				i := a.bucket(m.at)
				if i >= 0 {
					c := consults[i]
					if c == nil {
						c = &consult{first: m.at, who: info.assignee}
						consults[i] = c
					}
					c.last = m.at
				}
				if !waiting {
					waiting, waitStart = true, m.at
					if i >= 0 {
						s.add(i, "", func(f *Figures) { f.Stretches++ })
						if c := consults[i]; c.stretch.IsZero() {
							c.stretch = m.at
						}
					}
				}
			case FromStaff:
				if i := a.bucket(m.at); i >= 0 && m.staff != "" {
					s.handle(i, m.staff)
				}
				if !waiting {
					continue
				}
				waiting = false
				i := a.bucket(waitStart)
				if i < 0 || m.staff == "" {
					continue
				}
				wall := m.at.Sub(waitStart).Seconds()
				secs := a.responseSeconds(waitStart, m.at, out[m.staff], out[""])
				hour := waitStart.In(a.loc).Hour()
				c := consults[i]
				first := c != nil && !c.answered && c.stretch.Equal(waitStart)
				if first {
					c.answered, c.who = true, m.staff
				}
				s.add(i, m.staff, func(f *Figures) {
					f.Responses++
					f.Seconds += secs
					f.Excluded += wall - secs
					f.Hours[hour].Responses++
					f.Hours[hour].Seconds += secs
					if first {
						f.Firsts++
						f.FirstSeconds += secs
					}
				})
			}
		}
		orders := a.orders[info.customer]
		for i, c := range consults {
			converted := false
			for _, t := range orders {
				if !t.Before(c.first) && !t.After(c.last.Add(ConversionWindow)) {
					converted = true
					break
				}
			}
			answered := c.answered
			s.add(i, c.who, func(f *Figures) {
				f.Conversations++
				if answered {
					f.Answered++
				}
				if converted {
					f.Converted++
				}
			})
		}
	}
}

// span is a stretch of time [from, to).
type span struct{ from, to time.Time }

// outageIndex returns the outages by staff number ("" for the server's), sorted and merged.
func (a *KPIAccumulator) outageIndex() map[string][]span {
	by := map[string][]span{}
	for _, o := range a.outages {
		by[o.Staff] = append(by[o.Staff], span{o.From, o.To})
	}
	for k, ss := range by {
		by[k] = mergeSpans(ss)
	}
	return by
}

// mergeSpans sorts spans and joins those that overlap or touch.
func mergeSpans(ss []span) []span {
	sort.Slice(ss, func(i, j int) bool { return ss[i].from.Before(ss[j].from) })
	var out []span
	for _, s := range ss {
		if n := len(out); n > 0 && !s.from.After(out[n-1].to) {
			if s.to.After(out[n-1].to) {
				out[n-1].to = s.to
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// responseSeconds is how much of [from, to) counts against the responder: the part inside
// business hours and outside the outages given (each list sorted and merged).
func (a *KPIAccumulator) responseSeconds(from, to time.Time, outages ...[]span) float64 {
	var open []span
	if a.hours {
		open = a.openSpans(from, to)
	} else {
		open = []span{{from, to}}
	}
	var all []span
	for _, l := range outages {
		all = append(all, l...)
	}
	all = mergeSpans(all)
	total := 0.0
	for _, o := range open {
		total += o.to.Sub(o.from).Seconds()
		for _, x := range all {
			total -= overlap(o, x).Seconds()
		}
	}
	if total < 0 {
		return 0
	}
	return total
}

// openSpans returns the business-hours parts of [from, to).
func (a *KPIAccumulator) openSpans(from, to time.Time) []span {
	var out []span
	day := PeriodDay.Start(from, a.loc)
	for ; day.Before(to); day = day.AddDate(0, 0, 1) {
		h := a.opt.Hours.Hours[day.Weekday()]
		if h.Open == h.Close {
			continue
		}
		y, m, d := day.Date()
		o := span{time.Date(y, m, d, 0, h.Open, 0, 0, a.loc), time.Date(y, m, d, 0, h.Close, 0, 0, a.loc)}
		if x := overlap(o, span{from, to}); x > 0 {
			f, t := maxTime(o.from, from), minTime(o.to, to)
			out = append(out, span{f, t})
		}
	}
	return out
}

// overlap is how long two spans share.
func overlap(a, b span) time.Duration {
	d := minTime(a.to, b.to).Sub(maxTime(a.from, b.from))
	if d < 0 {
		return 0
	}
	return d
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
