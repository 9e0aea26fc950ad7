package desk

import (
	"context"
	"fmt"
	gosync "sync"
	"time"

	"kefu/shop"
)

// Pace of the jobs.
const (
	// bulkBatch is how many bulk messages are recorded in one step; a step is taken when a
	// send starts and then every jobStep, so that sync pushes a batch while the next is
	// recorded and the disk is not kept busy for long.
	bulkBatch = 100
	// jobStep is how often the jobs look for work: the next batch of a bulk send, the day's
	// birthday greetings.
	jobStep = time.Second
	// shipWindow is how far back an order's shipping may lie for an automatic notice: an
	// order that shipped days ago gets no surprise message.
	shipWindow = 24 * time.Hour
	// shipLimit bounds the notices sent in one go.
	shipLimit = 50
	// metaBirthdaysSent keeps the shop day (YYYY-MM-DD) of the last automatic greetings.
	metaBirthdaysSent = "jobs.birthdays.last"
)

// JobProgress is what a bulk send (a bulk message or the birthday greetings) reports after
// each step and when it ends.
type JobProgress struct {
	Title    string // the send's title, as SendBulk was given it
	Recorded int    // messages recorded in the outbox so far
	Failed   int    // messages that could not be recorded
	Total    int    // messages of the send
	Finished bool   // the send is over
	Waiting  int    // when finished: actions still waiting for the server
	Skipped  BulkPlan
	// Err is set, alone, when the day's automatic birthday greetings could not be planned.
	Err error
	// ShipSkipped is set, alone (with Title ShipNoticesTitle and Finished), when automatic
	// shipment notices were not sent because a placeholder had no value for their order.
	ShipSkipped []ShipSkip
}

// ShipNoticesTitle is the Title of the progress that reports skipped shipment notices.
const ShipNoticesTitle = "shipment notices"

// ShipSkip is an automatic shipment notice that was not sent: the order, its customer's nick
// and the placeholders that had no value (e.g. {tracking} for an order shipped without one).
type ShipSkip struct {
	Order        string
	Nick         string
	Placeholders []string
}

// BirthdayRule is the birthday greeting rule: the template, how many days before the
// birthday to greet, the group greeted ("" = every customer), whether the desk sends the
// day's greetings by itself at a time of day (HH:MM shop time), the daily cap of staff
// messages per customer, and the title the greetings' progress is reported under.
type BirthdayRule struct {
	Text     string
	Days     int
	GroupID  string
	Auto     bool
	At       string
	DailyCap int
	Title    string
}

// ShipNotices is the automatic shipment notice: when On, every order that shipped since Since
// (and within a day) and had no notice gets one, written from the quick phrase with shortcut
// Phrase or else from Fallback (see OrderText).
type ShipNotices struct {
	On       bool
	Since    time.Time
	Phrase   string
	Fallback string
}

// bulkJob is a bulk send being recorded.
type bulkJob struct {
	title   string
	plan    BulkPlan
	next    int
	failed  int
	started bool
}

// jobs runs the desk's background work on one goroutine of its own.
type jobs struct {
	d    *Desk
	wake chan struct{}
	stop context.CancelFunc
	done chan struct{}

	mu       gosync.Mutex
	queue    []*bulkJob
	progress func(JobProgress)
	bday     BirthdayRule
	ship     ShipNotices
	shipDue  bool
	// shipTold holds the orders whose shipment notice was skipped and reported, so that each
	// is reported once, not at every change of the orders.
	shipTold map[string]bool
}

func newJobs(d *Desk) *jobs {
	ctx, cancel := context.WithCancel(context.Background())
	j := &jobs{d: d, wake: make(chan struct{}, 1), stop: cancel, done: make(chan struct{})}
	go j.run(ctx)
	return j
}

// close stops the jobs and waits for the step under way.
func (j *jobs) close() {
	j.stop()
	<-j.done
}

func (j *jobs) poke() {
	select {
	case j.wake <- struct{}{}:
	default:
	}
}

func (j *jobs) run(ctx context.Context) {
	defer close(j.done)
	for {
		j.step(ctx)
		select {
		case <-ctx.Done():
			return
		case <-j.wake:
		case <-j.d.clock.After(jobStep):
		}
	}
}

// step does what is due: shipment notices, then one batch of the running bulk send, then the
// day's automatic birthday greetings.
func (j *jobs) step(ctx context.Context) {
	j.mu.Lock()
	ship := j.ship
	due := j.shipDue && ship.On
	j.shipDue = false
	j.mu.Unlock()
	if due {
		j.sendShipNotices(ctx, ship)
	}
	if j.bulkStep() {
		return
	}
	j.autoBirthdays(ctx)
}

// changed is told of every change of the local store: new shipments get their notice.
func (j *jobs) changed(c Change) {
	for _, t := range c.Types {
		if t == shop.TypeOrder {
			j.mu.Lock()
			on := j.ship.On
			j.shipDue = j.shipDue || on
			j.mu.Unlock()
			if on {
				j.poke()
			}
			return
		}
	}
}

func (j *jobs) report(p JobProgress) {
	j.mu.Lock()
	fn := j.progress
	j.mu.Unlock()
	if fn != nil {
		fn(p)
	}
}

// SetJobProgress names the function told how the bulk sends go (on the jobs' goroutine; it
// must not block for long). nil tells nobody.
func (d *Desk) SetJobProgress(fn func(JobProgress)) {
	d.jobs.mu.Lock()
	d.jobs.progress = fn
	d.jobs.mu.Unlock()
}

// SendBulk records a planned bulk send on the jobs' goroutine: a first batch at once, the
// rest a batch a step, after the sends queued before it. Each message becomes a chat.send
// action in the outbox, which sync pushes when the desk is online; progress goes to the
// SetJobProgress function under title.
func (d *Desk) SendBulk(title string, p BulkPlan) {
	d.jobs.mu.Lock()
	d.jobs.queue = append(d.jobs.queue, &bulkJob{title: title, plan: p})
	d.jobs.mu.Unlock()
	d.jobs.poke()
}

// Sending reports whether a bulk send is being recorded.
func (d *Desk) Sending() bool {
	d.jobs.mu.Lock()
	defer d.jobs.mu.Unlock()
	return len(d.jobs.queue) > 0
}

// bulkStep records the next batch of the first queued send; it reports whether there was one.
// A send's first batch is recorded as soon as it is queued, the others a step apart.
func (j *jobs) bulkStep() bool {
	j.mu.Lock()
	if len(j.queue) == 0 {
		j.mu.Unlock()
		return false
	}
	b := j.queue[0]
	j.mu.Unlock()
	staff := j.d.Staff().Number
	sends := b.plan.Sends
	for n := 0; n < bulkBatch && b.next < len(sends); n++ {
		m, err := bulkMutation(sends[b.next], staff, j.d.clock.Now())
		if err == nil {
			var out shop.Outcome
			out, err = j.d.applyMutation(m)
			if err == nil && out.Conflict != nil {
				err = fmt.Errorf("desk: bulk message to %s: %s", sends[b.next].Customer.Nick, out.Conflict.Reason)
			}
		}
		if err != nil {
			b.failed++
		}
		b.next++
	}
	p := JobProgress{Title: b.title, Recorded: b.next - b.failed, Failed: b.failed, Total: len(sends)}
	if b.next >= len(sends) {
		p.Finished, p.Waiting = true, j.d.OutboxLen()
		p.Skipped = BulkPlan{OptedOut: b.plan.OptedOut, NoChat: b.plan.NoChat, Capped: b.plan.Capped}
		j.mu.Lock()
		j.queue = j.queue[1:]
		more := len(j.queue) > 0
		j.mu.Unlock()
		if more {
			j.poke() // the next send starts at once
		}
	}
	j.report(p)
	return true
}

// SetBirthdays sets the birthday greeting rule the jobs follow for the automatic greetings.
func (d *Desk) SetBirthdays(r BirthdayRule) {
	d.jobs.mu.Lock()
	d.jobs.bday = r
	d.jobs.mu.Unlock()
	d.jobs.poke()
}

// BirthdaysDue lists the customers the rule greets on the shop day of now.
func (d *Desk) BirthdaysDue(ctx context.Context, r BirthdayRule, now time.Time) ([]shop.Customer, error) {
	var ms []Member
	var err error
	g, found := shop.Group{}, false
	if r.GroupID != "" {
		var gs []shop.Group
		if gs, err = d.Groups(ctx); err != nil {
			return nil, err
		}
		for _, x := range gs {
			if x.ID == r.GroupID {
				g, found = x, true
			}
		}
	}
	if found {
		ms, err = d.GroupMembers(ctx, g, now)
	} else {
		ms, err = d.AllCustomers(ctx)
	}
	if err != nil {
		return nil, err
	}
	var out []shop.Customer
	for _, m := range ms {
		if in, ok := m.Customer.BirthdayIn(now); ok && in == r.Days {
			out = append(out, m.Customer)
		}
	}
	return out, nil
}

// SendBirthdays plans the day's greetings under the rule and queues them (SendBulk); it
// reports how many go out.
func (d *Desk) SendBirthdays(ctx context.Context, r BirthdayRule) (int, error) {
	now := d.clock.Now()
	due, err := d.BirthdaysDue(ctx, r, now)
	if err != nil {
		return 0, err
	}
	p, err := d.PlanBulk(ctx, BulkRequest{Members: due, Template: r.Text, DailyCap: r.DailyCap, Now: now})
	if err != nil {
		return 0, err
	}
	d.SendBulk(r.Title, p)
	return len(p.Sends), nil
}

// autoBirthdays sends the day's greetings once a shop day at the rule's time, when the rule
// asks.
func (j *jobs) autoBirthdays(ctx context.Context) {
	j.mu.Lock()
	r := j.bday
	j.mu.Unlock()
	if !r.Auto {
		return
	}
	now := j.d.clock.Now().In(shop.ShopZone)
	today := now.Format("2006-01-02")
	if last, err := j.d.db.Meta(metaBirthdaysSent); err != nil || last == today {
		return
	}
	at, err := time.ParseInLocation("15:04", r.At, shop.ShopZone)
	if err != nil || now.Hour()*60+now.Minute() < at.Hour()*60+at.Minute() {
		return
	}
	if err := j.d.db.SetMeta(metaBirthdaysSent, today); err != nil {
		j.report(JobProgress{Title: r.Title, Err: classify(err)})
		return
	}
	if _, err := j.d.SendBirthdays(ctx, r); err != nil {
		j.report(JobProgress{Title: r.Title, Err: err})
	}
}

// SetShipNotices turns the automatic shipment notice on or off; turned on, the orders shipped
// since s.Since get theirs at once.
func (d *Desk) SetShipNotices(s ShipNotices) {
	d.jobs.mu.Lock()
	d.jobs.ship = s
	d.jobs.shipDue = s.On
	d.jobs.mu.Unlock()
	if s.On {
		d.jobs.poke()
	}
}

// sendShipNotices sends the shipment notice of every order that shipped since the setting was
// turned on (and within shipWindow) and has had none; a notice that would keep a placeholder
// unfilled is not sent, and the orders skipped are reported (JobProgress.ShipSkipped). The server sends each notice at most
// once, so two desks with the setting on do not message a customer twice.
func (j *jobs) sendShipNotices(ctx context.Context, s ShipNotices) {
	d := j.d
	since := d.clock.Now().Add(-shipWindow)
	if s.Since.After(since) {
		since = s.Since
	}
	orders, err := d.ShippedSince(ctx, since, shipLimit)
	if err != nil {
		return
	}
	var skipped []ShipSkip
	defer func() {
		if len(skipped) > 0 {
			j.report(JobProgress{Title: ShipNoticesTitle, Finished: true, ShipSkipped: skipped})
		}
	}()
	for _, ord := range orders {
		convs, err := d.ConversationsOf(ctx, ord.CustomerID)
		if err != nil || len(convs) == 0 {
			continue
		}
		text := d.OrderText(ctx, s.Phrase, s.Fallback, ord)
		if left := shop.Unfilled(text); len(left) > 0 {
			// A notice that would reach the customer with {tracking} in it is not sent: the
			// staff member is told which order and what is missing, and sends it by hand.
			j.mu.Lock()
			told := j.shipTold[ord.ID]
			if j.shipTold == nil {
				j.shipTold = map[string]bool{}
			}
			j.shipTold[ord.ID] = true
			j.mu.Unlock()
			if !told {
				skipped = append(skipped, ShipSkip{Order: ord.ID, Nick: ord.Nick, Placeholders: left})
			}
			continue
		}
		p := shop.ShipNotice{MessageID: shop.NewID(), ConversationID: convs[0].ID, Text: text}
		// Quietly: a refusal here (the notice went out already) needs nobody's attention.
		_, _ = d.Apply(ctx, Action{Kind: shop.KindOrderShipNote, Entity: ord.ID, Base: d.Version(ctx, shop.TypeOrder, ord.ID), Data: p})
	}
}
