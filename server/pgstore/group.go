package pgstore

import (
	"context"
	"errors"
	"time"

	"kefu/server/store"
)

// Group commit of one shop's Updates. A shop's Updates commit one at a time (its counter row),
// so under load its pushes queue behind each other, each waiting for the round trips of those
// before it. Instead, the Updates that arrived while one ran go together as the next one
// transaction: their fns run in arrival order on one Tx (each sees the writes of those before
// it, as if they had committed one after another), with one lock of the counter, one NOTIFY
// and one COMMIT, and every caller returns when that commit is durable. Should any fn of a
// group fail, or a caller's ctx end, or the transaction fail, the group's transaction rolls back
// and its Updates run again one transaction each, so that each gets its own outcome exactly as
// without grouping.

// maxGroup bounds the Updates that go in one transaction.
const maxGroup = 16

// groupJob is one Update waiting in its shop's queue.
type groupJob struct {
	ctx    context.Context
	pre    *preloadKeys // nil: nothing read ahead
	fn     func(store.Tx) error
	done   chan error // receives the Update's outcome
	queued time.Time
}

// shopQueue is one shop's Updates waiting in this process, and whether a leader runs them.
type shopQueue struct {
	jobs    []*groupJob
	running bool
}

// update runs fn as an Update of shopID, grouped with others of the shop that wait with it.
func (s *Store) update(ctx context.Context, shopID string, pre *preloadKeys, fn func(store.Tx) error) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	s.phases.updates.Add(1)
	job := &groupJob{ctx: ctx, pre: pre, fn: fn, done: make(chan error, 1), queued: time.Now()}
	s.gatesMu.Lock()
	q := s.queues[shopID]
	if q == nil {
		q = &shopQueue{}
		s.queues[shopID] = q
	}
	q.jobs = append(q.jobs, job)
	lead := !q.running
	q.running = true
	s.gatesMu.Unlock()
	if lead {
		go s.lead(shopID, q)
	}
	select {
	case err := <-job.done:
		return err
	case <-ctx.Done():
		s.gatesMu.Lock()
		for i, j := range q.jobs {
			if j == job { // not taken yet: it never runs
				q.jobs = append(q.jobs[:i:i], q.jobs[i+1:]...)
				s.gatesMu.Unlock()
				return ctx.Err()
			}
		}
		s.gatesMu.Unlock()
		return <-job.done // taken: its outcome comes
	}
}

// lead runs shop shopID's queued Updates, a group at a time, until none is left.
func (s *Store) lead(shopID string, q *shopQueue) {
	for {
		s.gatesMu.Lock()
		n := min(len(q.jobs), maxGroup)
		if n == 0 {
			q.running = false
			delete(s.queues, shopID)
			s.gatesMu.Unlock()
			return
		}
		jobs := q.jobs[:n:n]
		q.jobs = append([]*groupJob(nil), q.jobs[n:]...)
		s.gatesMu.Unlock()
		s.runGroup(shopID, jobs)
	}
}

// errGroupFn marks a failure of one fn of a group (or of its caller's ctx).
var errGroupFn = errors.New("an update of the group failed")

// runGroup runs jobs in one transaction, or one each should that fail, holding the shop's turn.
func (s *Store) runGroup(shopID string, jobs []*groupJob) {
	done, err := s.enterShop(context.Background(), shopID)
	if err != nil { // cannot happen with a context that never ends; answer every job anyway
		for _, j := range jobs {
			j.done <- err
		}
		return
	}
	defer done()
	for _, j := range jobs {
		add(&s.phases.gate, j.queued)
	}
	single := func(j *groupJob) error {
		return retry(j.ctx, func() error { return s.updateOnce(j.ctx, shopID, j.pre, j.fn) })
	}
	if len(jobs) == 1 {
		jobs[0].done <- single(jobs[0])
		return
	}
	var pre *preloadKeys
	for _, j := range jobs {
		if j.pre != nil {
			if pre == nil {
				pre = &preloadKeys{}
			}
			pre.results = append(pre.results, j.pre.results...)
			pre.records = append(pre.records, j.pre.records...)
		}
	}
	ctx := context.Background()
	err = retry(ctx, func() error {
		return s.updateOnce(ctx, shopID, pre, func(tx store.Tx) error {
			for _, j := range jobs {
				if j.ctx.Err() != nil {
					return errGroupFn
				}
				tx.(*pgTx).beginCommit()
				if err := j.fn(tx); err != nil {
					return errors.Join(errGroupFn, err)
				}
			}
			return nil
		})
	})
	if err == nil {
		for _, j := range jobs {
			j.done <- nil
		}
		return
	}
	for _, j := range jobs {
		j.done <- single(j)
	}
}
