package outbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/infra"
)

// HandlerFunc applies an event's effect inside tx. It must write only through
// tx (on SQLite the database has a single connection, so using another handle
// would wait forever) and must not call out to anything that cannot be rolled
// back unless that call is itself idempotent.
type HandlerFunc func(ctx context.Context, tx *gorm.DB, ev model.OutboxEvent) error

// errFinished rolls back a handler transaction whose event was already done.
var errFinished = errors.New("outbox: event already done")

// Handle turns fn into an idempotent asynq handler (SECURITY.md 14). In one
// transaction it loads the event (locking its row on MySQL, so concurrent
// deliveries of one event queue up), returns at once if the event is done,
// otherwise runs fn and sets DoneAt with UPDATE … WHERE done_at IS NULL; if
// that changes no row someone else finished the event and everything fn did
// is rolled back. An error from fn rolls back too and asynq retries the task.
// A task that cannot be decoded, names an event that does not exist or whose
// kind differs from the event's is not retried (asynq archives it).
func Handle(db *gorm.DB, fn HandlerFunc) asynq.HandlerFunc {
	lock := infra.Dialect(db) == infra.DialectMySQL
	return func(ctx context.Context, t *asynq.Task) error {
		p, err := decodeTask(t.Payload())
		if err != nil {
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			q := tx
			if lock {
				q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
			}
			var ev model.OutboxEvent
			if err := q.Where("id = ?", p.EventID).Take(&ev).Error; err != nil {
				return err
			}
			if ev.DoneAt != nil {
				return errFinished
			}
			if ev.Kind != t.Type() {
				return fmt.Errorf("outbox event %d is %q, task is %q: %w", ev.ID, ev.Kind, t.Type(), asynq.SkipRetry)
			}
			if err := fn(ctx, tx, ev); err != nil {
				return err
			}
			res := tx.Model(&model.OutboxEvent{}).
				Where("id = ? AND done_at IS NULL", ev.ID).
				Update("done_at", tx.NowFunc())
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return errFinished
			}
			return nil
		})
		switch {
		case err == nil, errors.Is(err, errFinished):
			return nil
		case errors.Is(err, gorm.ErrRecordNotFound):
			return fmt.Errorf("outbox event %d not found: %w", p.EventID, asynq.SkipRetry)
		default:
			return err
		}
	}
}
