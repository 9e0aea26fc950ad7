package desk

import (
	"context"
	"fmt"
	"log"
	"sort"
	gosync "sync"
	"time"

	"kefu/localdb"
	"kefu/shop"
	kefusync "kefu/sync"
)

// Params is what a desk is built from.
type Params struct {
	// Dir is the local store's directory; Open creates it. Ignored when Store is set.
	Dir string
	// Store is an open local store to work on instead of opening Dir (tests, tools); the desk
	// then does not close it.
	Store *localdb.DB
	// Server is the store server's address, for sign-in and sync.
	Server string
	// Staff is who works on the desk until Start names the signed-in staff member (tests).
	Staff shop.Staff
	// Clock is the desk's clock, for the actions it records and the jobs it runs; the
	// system's when nil.
	Clock Clock
	// Logger receives what the desk has to say to whoever looks after it; the standard
	// logger when nil.
	Logger *log.Logger
}

// Desk is the running desk: the local store, the signed-in staff member, the sync engine and
// the jobs. Its methods may be called from any goroutine.
type Desk struct {
	db       *localdb.DB
	ownsDB   bool
	server   string
	clock    Clock
	log      *log.Logger
	unsubDB  func()
	jobs     *jobs
	closeOne gosync.Once

	mu     gosync.Mutex
	staff  shop.Staff
	subs   map[int]func(Change)
	nextID int
	engine *kefusync.Engine
	cancel context.CancelFunc // stops the sync engine and the jobs
	done   chan struct{}      // closed when both returned
}

// Change tells listeners what a committed write touched.
type Change struct {
	Types      []shop.EntityType // entity types whose local view may have changed
	FromServer bool              // the change came from the server
	Problems   bool              // the list of problems changed
}

// Open opens the desk's local store (unless Params.Store is given) and makes the desk. The
// sync engine and the jobs start with Start. Errors wrap ErrLocked, ErrNewerSchema,
// ErrCorrupt, ErrDiskFull or ErrReadOnly when the store cannot be opened for that reason.
func Open(p Params) (*Desk, error) {
	d := &Desk{db: p.Store, server: p.Server, clock: p.Clock, log: p.Logger, staff: p.Staff, subs: map[int]func(Change){}}
	if d.clock == nil {
		d.clock = systemClock{}
	}
	if d.log == nil {
		d.log = log.Default()
	}
	if d.db == nil {
		LimitMemory()
		db, err := localdb.Open(localdb.Options{Dir: p.Dir})
		if err != nil {
			return nil, classify(err)
		}
		d.db, d.ownsDB = db, true
	}
	d.unsubDB = d.db.Subscribe(func(c localdb.Change) {
		d.notify(Change{Types: c.Types, FromServer: c.FromServer, Problems: c.Problems})
	})
	d.jobs = newJobs(d)
	return d, nil
}

// Close stops the sync engine and the jobs (waiting up to five seconds for them) and closes
// the local store if the desk opened it. It is safe to call more than once.
func (d *Desk) Close() {
	d.closeOne.Do(func() {
		d.mu.Lock()
		cancel, done := d.cancel, d.done
		d.mu.Unlock()
		if cancel != nil {
			cancel()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				d.log.Print("kefu: sync did not stop within 5 s")
			}
		}
		d.jobs.close()
		d.unsubDB()
		if d.ownsDB {
			if err := d.db.Close(); err != nil {
				d.log.Printf("kefu: closing the local store: %v", err)
			}
		}
	})
}

// UseServer names the store server after Open, for one started after the desk (the embedded
// demo store). Call it before SignIn and Start.
func (d *Desk) UseServer(url string) {
	d.mu.Lock()
	d.server = url
	d.mu.Unlock()
}

// Server is the store server's address.
func (d *Desk) Server() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.server
}

// Staff is who works on the desk.
func (d *Desk) Staff() shop.Staff {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.staff
}

// Subscribe registers fn to be called after every committed change of the local store: the
// desk's own actions, the server's changes, answered pushes. fn runs on the writer's
// goroutine and must not block for long. cancel removes it.
func (d *Desk) Subscribe(fn func(Change)) (cancel func()) {
	d.mu.Lock()
	id := d.nextID
	d.nextID++
	d.subs[id] = fn
	d.mu.Unlock()
	return func() {
		d.mu.Lock()
		delete(d.subs, id)
		d.mu.Unlock()
	}
}

func (d *Desk) notify(c Change) {
	d.mu.Lock()
	ids := make([]int, 0, len(d.subs))
	for id := range d.subs {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	fns := make([]func(Change), 0, len(ids))
	for _, id := range ids {
		fns = append(fns, d.subs[id])
	}
	d.mu.Unlock()
	for _, fn := range fns {
		fn(c)
	}
	d.jobs.changed(c)
}

// kick wakes the sync engine, if it runs, to push what was recorded.
func (d *Desk) kick() {
	d.mu.Lock()
	e := d.engine
	d.mu.Unlock()
	if e != nil {
		e.Kick()
	}
}

// Action is a staff action to record: a mutation kind on an entity, the version of the
// entity it was decided on (0: none), and the kind's payload.
type Action struct {
	Kind   shop.Kind
	Entity string
	Base   int64
	// BaseOf, when set, makes the base the entity's current local version (an entity of this
	// type), read as the action is recorded.
	BaseOf shop.EntityType
	Data   any
}

// Apply records a staff action: it builds the mutation (by the desk's staff member, at the
// desk's clock), records it in the local store and its outbox, tells the listeners and wakes
// the sync engine. A conflict is not an error: it comes back in the outcome, and nothing was
// recorded. Store failures wrap ErrDiskFull, ErrReadOnly or ErrClosed; a refusal by the
// kind's rule is a *shop.RejectError.
func (d *Desk) Apply(ctx context.Context, a Action) (shop.Outcome, error) {
	if err := ctx.Err(); err != nil {
		return shop.Outcome{}, err
	}
	m, err := shop.NewMutation(a.Kind, a.Entity, d.Staff().Number, d.clock.Now(), a.Data)
	if err != nil {
		return shop.Outcome{}, fmt.Errorf("desk: building %s: %w", a.Kind, err)
	}
	m.Base = a.Base
	if a.BaseOf != "" {
		m.Base = d.Version(ctx, a.BaseOf, a.Entity)
	}
	return d.applyMutation(m)
}

// applyMutation is Apply's second half, for mutations built by the desk's jobs.
func (d *Desk) applyMutation(m shop.Mutation) (shop.Outcome, error) {
	out, err := d.db.Apply(m)
	if err != nil {
		return out, fmt.Errorf("desk: %s on %s: %w", m.Kind, m.Entity, classify(err))
	}
	if out.Conflict == nil {
		d.kick()
	}
	return out, nil
}
