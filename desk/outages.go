package desk

import (
	"context"
	"fmt"
	"strings"
	gosync "sync"
	"time"

	"kefu/shop"
)

// The desk's offline stretches, recorded as outages (outage.record) so the KPIs leave them
// out and an outage never counts against the staff member:
//
//   - while signed in, the sync engine's status says when the server cannot be reached; when
//     the desk is back online the stretch (from the status's Since to now) is recorded;
//   - a heartbeat in the local store (meta heartbeatMeta: staff number and time) is renewed
//     every heartbeatEvery while the desk runs signed in; at the next start a heartbeat older
//     than closedGap means the desk stopped without quitting (a crash, a power cut, a killed
//     process) while the staff member was signed in, and the gap is recorded. Quitting cleanly
//     clears the heartbeat: a staff member who closes the desk has not had an outage.
//
// Stretches shorter than minOutage are not worth a record. Business hours are applied by the
// KPIs, so a gap is recorded whole.
const (
	heartbeatMeta  = "kpi.heartbeat"
	heartbeatEvery = 30 * time.Second
	closedGap      = 2 * time.Minute
	minOutage      = 30 * time.Second
)

// Outage reasons (Outage.Why).
const (
	WhyOffline    = "offline"     // the server could not be reached
	WhyDeskClosed = "desk closed" // the desk was not running while signed in
)

// outageWatch follows the sync status for offline stretches and keeps the heartbeat.
type outageWatch struct {
	d      *Desk
	staff  string
	mu     gosync.Mutex
	since  time.Time     // offline since (zero while online)
	found  []shop.Outage // stretches to record
	signal chan struct{}
}

// watchOutages starts the outage watch of a desk signed in as staff: the closed-desk gap is
// recorded, the heartbeat kept until ctx ends (then cleared), and the status function returned
// is to be told every sync status. The channel returned closes when the watch has stopped.
func (d *Desk) watchOutages(ctx context.Context, staff string) (status func(SyncStatus), stopped <-chan struct{}) {
	w := &outageWatch{d: d, staff: staff, signal: make(chan struct{}, 1)}
	w.closedGap()
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.run(ctx)
	}()
	return w.status, done
}

// closedGap records the gap since the last heartbeat when it was left by the same staff
// member and is longer than closedGap.
func (w *outageWatch) closedGap() {
	v, err := w.d.db.Meta(heartbeatMeta)
	if err != nil || v == "" {
		return
	}
	staff, at, ok := strings.Cut(v, "|")
	last, perr := time.Parse(time.RFC3339Nano, at)
	if !ok || perr != nil || staff != w.staff {
		return
	}
	now := w.d.clock.Now()
	if now.Sub(last) <= closedGap {
		return
	}
	if now.Sub(last) > shop.MaxOutage {
		last = now.Add(-shop.MaxOutage)
	}
	w.record(shop.Outage{From: last, To: now, Why: WhyDeskClosed})
}

// status follows the sync engine: offline starts a stretch, online or syncing ends it.
func (w *outageWatch) status(s SyncStatus) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.d.clock.Now()
	switch s.State {
	case "offline":
		if w.since.IsZero() {
			w.since = s.Since
			if w.since.IsZero() || w.since.After(now) {
				w.since = now
			}
		}
	case "online", "syncing":
		if !w.since.IsZero() {
			if now.Sub(w.since) >= minOutage {
				w.found = append(w.found, shop.Outage{From: w.since, To: now, Why: WhyOffline})
				select {
				case w.signal <- struct{}{}:
				default:
				}
			}
			w.since = time.Time{}
		}
	}
}

// run records the stretches found and renews the heartbeat until ctx ends, then clears it.
func (w *outageWatch) run(ctx context.Context) {
	w.beat()
	for {
		select {
		case <-ctx.Done():
			if err := w.d.db.SetMeta(heartbeatMeta, ""); err != nil {
				w.d.log.Printf("kefu: clearing the heartbeat: %v", err)
			}
			return
		case <-w.signal:
			w.mu.Lock()
			found := w.found
			w.found = nil
			w.mu.Unlock()
			for _, o := range found {
				w.record(o)
			}
		case <-w.d.clock.After(heartbeatEvery):
			w.beat()
		}
	}
}

// beat renews the heartbeat.
func (w *outageWatch) beat() {
	v := w.staff + "|" + w.d.clock.Now().UTC().Format(time.RFC3339Nano)
	if err := w.d.db.SetMeta(heartbeatMeta, v); err != nil {
		w.d.log.Printf("kefu: keeping the heartbeat: %v", err)
	}
}

// record records one outage as the signed-in staff member.
func (w *outageWatch) record(o shop.Outage) {
	o.Staff = w.staff
	if _, err := w.d.Apply(context.Background(), Action{Kind: shop.KindOutageRecord, Entity: shop.NewID(), Data: o}); err != nil {
		w.d.log.Print(fmt.Errorf("kefu: recording an offline stretch: %w", err))
	}
}
