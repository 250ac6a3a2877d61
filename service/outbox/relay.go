package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/infra"
)

// RelayOptions tune a Relay; zero values take the defaults.
type RelayOptions struct {
	// PollInterval is the pause between polls when there is nothing to send
	// (default 500ms). A full batch is followed by the next one at once.
	PollInterval time.Duration
	// Batch is the most events handed per poll (default 500).
	Batch int
	// SweepAfter is how long a sent event may stay not done before the
	// sweeper hands it again (default 2m). It must exceed the time a task
	// normally waits in the queue, or busy queues see needless re-sends
	// (harmless: they are refused as duplicates).
	SweepAfter time.Duration
	// SweepInterval is how often the sweeper runs (default SweepAfter/4, at
	// least PollInterval).
	SweepInterval time.Duration
	// MaxBackoff caps the pause after a failure (default 30s).
	MaxBackoff time.Duration
	// Queue is the asynq queue (default DefaultQueue).
	Queue string
}

func (o RelayOptions) withDefaults() RelayOptions {
	if o.PollInterval <= 0 {
		o.PollInterval = 500 * time.Millisecond
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.SweepAfter <= 0 {
		o.SweepAfter = 2 * time.Minute
	}
	if o.SweepInterval <= 0 {
		o.SweepInterval = max(o.SweepAfter/4, o.PollInterval)
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.MaxBackoff < o.PollInterval {
		o.MaxBackoff = o.PollInterval
	}
	if o.Queue == "" {
		o.Queue = DefaultQueue
	}
	return o
}

// Relay moves outbox rows to asynq. Several relays (one per serve or worker
// process) may run against the same database: each row is claimed (read
// locked, re-checked and stamped with EnqueuedAt in one short transaction)
// before it is handed, so normally one relay sends it, and a second hand-off
// of the same event is refused by asynq anyway because the task id is
// deterministic.
//
// EnqueuedAt is stamped when the row is claimed, just before the hand-off; a
// process that dies in between leaves the row to the sweeper.
type Relay struct {
	db     *gorm.DB
	client *asynq.Client
	log    *slog.Logger
	opt    RelayOptions
	mysql  bool

	// skipLocked is -1 once the database refused SKIP LOCKED.
	skipLocked atomic.Int32

	handed, duplicates, requeued, failures atomic.Int64
}

// RelayStats counts what a relay did since it was made.
type RelayStats struct {
	Handed     int64 // events handed to the queue for the first time
	Duplicates int64 // hand-offs refused because the task already existed
	Requeued   int64 // events the sweeper found missing from the queue and handed again
	Failures   int64 // polls that failed (database or queue unreachable)
}

// Stats reports the relay's counters.
func (r *Relay) Stats() RelayStats {
	return RelayStats{
		Handed:     r.handed.Load(),
		Duplicates: r.duplicates.Load(),
		Requeued:   r.requeued.Load(),
		Failures:   r.failures.Load(),
	}
}

// NewRelay returns a relay that hands events to client. The caller owns
// client and closes it after Run returns.
func NewRelay(db *gorm.DB, client *asynq.Client, log *slog.Logger, opt RelayOptions) *Relay {
	if log == nil {
		log = slog.Default()
	}
	return &Relay{
		db:     db,
		client: client,
		log:    log.With("component", "outbox.relay"),
		opt:    opt.withDefaults(),
		mysql:  infra.Dialect(db) == infra.DialectMySQL,
	}
}

// Options reports the effective options.
func (r *Relay) Options() RelayOptions { return r.opt }

// Run relays and sweeps until ctx is cancelled, then returns nil. Failures
// (database or Redis unreachable) are logged and retried with a growing
// pause; no event is dropped, the rows simply wait in the database.
func (r *Relay) Run(ctx context.Context) error {
	var backoff time.Duration
	nextSweep := time.Now() // sweep at start: picks up what a crashed process left
	for {
		n, err := r.RelayOnce(ctx)
		if err == nil && !time.Now().Before(nextSweep) {
			_, err = r.SweepOnce(ctx)
			if err == nil {
				nextSweep = time.Now().Add(r.opt.SweepInterval)
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		wait := r.opt.PollInterval
		if err != nil {
			r.failures.Add(1)
			backoff = min(max(2*backoff, r.opt.PollInterval), r.opt.MaxBackoff)
			wait = backoff/2 + rand.N(backoff/2+1) // jitter, so several relays do not retry in step
			r.log.WarnContext(ctx, "outbox relay failed; will retry", "err", err, "retry_in", wait.Round(time.Millisecond))
		} else {
			if backoff > 0 {
				backoff = 0
				r.log.InfoContext(ctx, "outbox relay recovered")
			}
			if n >= r.opt.Batch {
				wait = 0 // more may be waiting
			}
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
	}
}

// RelayOnce hands up to Batch events that were never sent, oldest first, and
// reports how many it handed (a hand-off refused as a duplicate counts as
// handed). On a queue failure it releases the events it claimed but did not
// hand, so they stay unsent (EnqueuedAt NULL) and are retried.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	var ids []int64
	if err := r.db.WithContext(ctx).Model(&model.OutboxEvent{}).
		Where("enqueued_at IS NULL").
		Order("id").Limit(r.opt.Batch).
		Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("outbox relay: select: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	now := r.db.NowFunc()
	claimed, err := r.claim(ctx, ids,
		func(ev model.OutboxEvent) bool { return ev.EnqueuedAt == nil && ev.DoneAt == nil },
		map[string]any{"enqueued_at": now})
	if err != nil {
		return 0, err
	}
	sent, _, err := r.hand(ctx, claimed, false)
	return sent, err
}

// SweepOnce hands again up to Batch events that were sent more than
// SweepAfter ago and are not done, bumping their Attempts. asynq refuses the
// ones whose task still exists (queued, running, retrying or archived); the
// ones whose task vanished (Redis flushed or restarted without persistence)
// are queued again. It reports how many were queued again.
func (r *Relay) SweepOnce(ctx context.Context) (int, error) {
	now := r.db.NowFunc()
	cutoff := now.Add(-r.opt.SweepAfter)
	var ids []int64
	if err := r.db.WithContext(ctx).Model(&model.OutboxEvent{}).
		Where("done_at IS NULL AND enqueued_at IS NOT NULL AND enqueued_at < ?", cutoff).
		Order("id").Limit(r.opt.Batch).
		Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("outbox sweep: select: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	claimed, err := r.claim(ctx, ids,
		func(ev model.OutboxEvent) bool {
			return ev.DoneAt == nil && ev.EnqueuedAt != nil && ev.EnqueuedAt.Before(cutoff)
		},
		map[string]any{"enqueued_at": now, "attempts": gorm.Expr("attempts + 1")})
	if err != nil {
		return 0, err
	}
	_, requeued, err := r.hand(ctx, claimed, true)
	return requeued, err
}

// claim takes the rows ids in one short transaction (no queue calls inside
// it): it reads them locked by primary key, keeps those for which keep still
// holds, and applies set to those by primary key. It returns the kept events
// as they were before set.
//
// On MySQL the rows are read with FOR UPDATE SKIP LOCKED: a row another relay
// is claiming, or a handler is working on, is left for a later poll instead
// of waiting for it. Every transaction here and in Handle locks outbox rows
// by primary key before it touches a secondary index, so they cannot
// deadlock on the done_at/enqueued_at indexes. On SQLite the single
// connection serializes transactions, so the plain read is enough.
func (r *Relay) claim(ctx context.Context, ids []int64, keep func(model.OutboxEvent) bool, set map[string]any) ([]model.OutboxEvent, error) {
	var claimed []model.OutboxEvent
	err := r.lockedTx(ctx, ids, func(tx *gorm.DB, rows []model.OutboxEvent) error {
		claimed = claimed[:0]
		kept := make([]int64, 0, len(rows))
		for _, ev := range rows {
			if keep(ev) {
				claimed = append(claimed, ev)
				kept = append(kept, ev.ID)
			}
		}
		if len(kept) == 0 {
			return nil
		}
		return tx.Model(&model.OutboxEvent{}).Where("id IN ?", kept).Updates(set).Error
	})
	if err != nil {
		return nil, fmt.Errorf("outbox relay: claim: %w", err)
	}
	return claimed, nil
}

// lockedTx runs fn in a transaction with the rows ids read and locked (see
// claim), in id order.
func (r *Relay) lockedTx(ctx context.Context, ids []int64, fn func(tx *gorm.DB, rows []model.OutboxEvent) error) error {
	for {
		skip := r.skipLocked.Load() >= 0
		err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			q := tx.Where("id IN ?", ids).Order("id")
			if r.mysql {
				lock := clause.Locking{Strength: clause.LockingStrengthUpdate}
				if skip {
					lock.Options = clause.LockingOptionsSkipLocked
				}
				q = q.Clauses(lock)
			}
			var rows []model.OutboxEvent
			if err := q.Find(&rows).Error; err != nil {
				return err
			}
			return fn(tx, rows)
		})
		var me *mysql.MySQLError
		if r.mysql && skip && errors.As(err, &me) && (me.Number == 1064 || me.Number == 1235) {
			// A server without SKIP LOCKED (MySQL < 8.0, MariaDB < 10.6):
			// wait for row locks instead.
			r.skipLocked.Store(-1)
			r.log.WarnContext(ctx, "database has no SKIP LOCKED; outbox relay waits for row locks", "err", err)
			continue
		}
		return err
	}
}

// hand enqueues the claimed events in order. It returns how many were handed
// (new or refused as duplicates) and how many were new. On the first failure
// it releases the rest (EnqueuedAt back to NULL) and stops.
func (r *Relay) hand(ctx context.Context, evs []model.OutboxEvent, sweep bool) (handed, added int, err error) {
	for i, ev := range evs {
		isNew, err := r.enqueue(ctx, ev)
		if err != nil {
			r.release(ctx, evs[i:])
			return handed, added, err
		}
		handed++
		switch {
		case !isNew:
			r.duplicates.Add(1)
		case !sweep:
			added++
			r.handed.Add(1)
		default: // swept, and the task had vanished from the queue
			added++
			r.requeued.Add(1)
			r.log.WarnContext(ctx, "outbox task was missing from the queue; enqueued again",
				"event_id", ev.ID, "kind", ev.Kind, "first_sent", ev.EnqueuedAt, "attempts", ev.Attempts+1)
		}
	}
	if handed > 0 {
		r.log.DebugContext(ctx, "outbox events handed", "handed", handed, "new", added)
	}
	return handed, added, nil
}

// enqueue hands one event; a duplicate (ErrTaskIDConflict) is success with
// isNew false.
func (r *Relay) enqueue(ctx context.Context, ev model.OutboxEvent) (isNew bool, err error) {
	body, err := encodeTask(ev)
	if err != nil {
		// Cannot happen for rows written by Add; keep the row (it will be
		// swept and logged again) rather than drop it.
		return false, err
	}
	_, err = r.client.EnqueueContext(ctx, asynq.NewTask(ev.Kind, body),
		asynq.TaskID(TaskID(ev.ID)),
		asynq.MaxRetry(MaxRetry),
		asynq.Retention(Retention),
		asynq.Queue(r.opt.Queue),
	)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, asynq.ErrTaskIDConflict):
		return false, nil
	default:
		return false, fmt.Errorf("outbox relay: enqueue event %d: %w", ev.ID, err)
	}
}

// release marks claimed but unsent events as unsent again, so the relay
// retries them as soon as the queue is back instead of after SweepAfter. If
// this fails, or a row is locked, they stay claimed and the sweeper takes
// them later.
func (r *Relay) release(ctx context.Context, evs []model.OutboxEvent) {
	if len(evs) == 0 {
		return
	}
	ids := make([]int64, len(evs))
	for i, ev := range evs {
		ids[i] = ev.ID
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := r.lockedTx(ctx, ids, func(tx *gorm.DB, rows []model.OutboxEvent) error {
		open := make([]int64, 0, len(rows))
		for _, ev := range rows {
			if ev.DoneAt == nil {
				open = append(open, ev.ID)
			}
		}
		if len(open) == 0 {
			return nil
		}
		return tx.Model(&model.OutboxEvent{}).Where("id IN ?", open).Update("enqueued_at", nil).Error
	})
	if err != nil {
		r.log.WarnContext(ctx, "outbox relay: release failed; the sweeper will resend", "events", len(ids), "err", err)
	}
}
