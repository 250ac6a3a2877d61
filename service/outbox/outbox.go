// Package outbox carries events that must not be lost from the database to
// the asynq queues (SECURITY.md 14–15, DESIGN.md "Architecture").
//
// The database is the system of record:
//
//   - Add writes an event row inside the caller's transaction, so the event
//     exists if and only if the change it announces was committed.
//   - A Relay hands unsent rows to asynq with a deterministic task id
//     ("ob:<event id>"), and its sweeper hands again every row that was sent
//     but is not done after SweepAfter (the task may have been lost in a
//     Redis flush or restart). A duplicate hand-off is refused by asynq
//     (ErrTaskIDConflict), so relays in several processes are harmless.
//   - Handle wraps a handler so that its effect and the event's done marker
//     commit in one transaction; a second delivery of the same task finds the
//     marker and does nothing.
//   - Worker is the asynq server that runs the registered handlers.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
)

// Queue and task settings shared by the relay and the worker.
const (
	// DefaultQueue is the asynq queue events go to unless RelayOptions.Queue
	// says otherwise.
	DefaultQueue = "default"
	// TaskIDPrefix prefixes the event id to form the deterministic task id.
	TaskIDPrefix = "ob:"
	// MaxRetry is how often asynq retries a failing handler before it
	// archives the task (never 0: SECURITY.md 14).
	MaxRetry = 25
	// Retention keeps a finished task's id in Redis for a day, so a late
	// duplicate hand-off of a finished event is refused as well.
	Retention = 24 * time.Hour
	// maxKindLen matches the size of model.OutboxEvent.Kind.
	maxKindLen = 48
)

// TaskPayload is the body of an outbox task. The handler reloads the event
// from the database; the copy of the payload is for inspection tools.
type TaskPayload struct {
	EventID     int64           `json:"event_id"`
	AggregateID int64           `json:"aggregate_id"`
	Payload     json.RawMessage `json:"payload"`
}

// TaskID is the deterministic asynq task id of an event.
func TaskID(eventID int64) string { return TaskIDPrefix + strconv.FormatInt(eventID, 10) }

// Add writes an event inside tx, the caller's transaction: it commits or rolls
// back with the change it announces. payload is marshalled to JSON
// (json.RawMessage is stored as is; nil is stored as null).
func Add(ctx context.Context, tx *gorm.DB, kind string, aggregateID int64, payload any) (model.OutboxEvent, error) {
	ev, err := NewEvent(kind, aggregateID, payload)
	if err != nil {
		return model.OutboxEvent{}, err
	}
	if err := tx.WithContext(ctx).Create(&ev).Error; err != nil {
		return model.OutboxEvent{}, fmt.Errorf("outbox %s: %w", kind, err)
	}
	return ev, nil
}

// NewEvent is the row Add would insert: checked kind, new id, payload as
// JSON. A caller that sends its transaction's statements together
// (service/status) inserts it itself; the row must commit with the change it
// announces, as with Add.
func NewEvent(kind string, aggregateID int64, payload any) (model.OutboxEvent, error) {
	if strings.TrimSpace(kind) == "" || len(kind) > maxKindLen {
		return model.OutboxEvent{}, fmt.Errorf("outbox: bad event kind %q", kind)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return model.OutboxEvent{}, fmt.Errorf("outbox %s: payload: %w", kind, err)
	}
	return model.OutboxEvent{ID: model.NewID(), Kind: kind, AggregateID: aggregateID, Payload: string(body)}, nil
}

// encodeTask builds the task body for an event.
func encodeTask(ev model.OutboxEvent) ([]byte, error) {
	raw := json.RawMessage(ev.Payload)
	if len(strings.TrimSpace(ev.Payload)) == 0 {
		raw = json.RawMessage("null")
	} else if !json.Valid(raw) {
		return nil, fmt.Errorf("outbox event %d: payload is not JSON", ev.ID)
	}
	return json.Marshal(TaskPayload{EventID: ev.ID, AggregateID: ev.AggregateID, Payload: raw})
}

// decodeTask reads the event id from a task body.
func decodeTask(b []byte) (TaskPayload, error) {
	var p TaskPayload
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("outbox task: %w", err)
	}
	if p.EventID == 0 {
		return p, errors.New("outbox task: no event_id")
	}
	return p, nil
}
