package returncase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/jiuyebang/jiuyebang/model"
)

// Checkpoint tasks.
const (
	// TaskCheckpoint is the asynq task type of a case checkpoint.
	TaskCheckpoint = "case:checkpoint"
	// Queue is the asynq queue checkpoint tasks wait in.
	Queue = "cases"
	// maxRetry is how often a failing checkpoint is retried (never 0:
	// SECURITY.md 14); the sweeper covers anything beyond.
	maxRetry = 25
)

// TaskID is the deterministic id of a case's checkpoint task.
func TaskID(caseID int64, hour int) string {
	return "case:" + strconv.FormatInt(caseID, 10) + ":" + strconv.Itoa(hour)
}

type taskPayload struct {
	CaseID int64 `json:"case_id"`
	Hour   int   `json:"hour"`
}

// Timer schedules checkpoint tasks on asynq with ProcessAt.
type Timer struct {
	client *asynq.Client
}

// NewTimer returns a timer that owns client (Close closes it).
func NewTimer(client *asynq.Client) *Timer { return &Timer{client: client} }

// Close closes the timer's client.
func (t *Timer) Close() error { return t.client.Close() }

// Schedule enqueues the checkpoint task to run at at. A task with the same id
// already waiting (or running) is success.
func (t *Timer) Schedule(ctx context.Context, caseID int64, hour int, at time.Time) error {
	body, _ := json.Marshal(taskPayload{CaseID: caseID, Hour: hour})
	_, err := t.client.EnqueueContext(ctx, asynq.NewTask(TaskCheckpoint, body),
		asynq.TaskID(TaskID(caseID, hour)), asynq.ProcessAt(at), asynq.MaxRetry(maxRetry), asynq.Queue(Queue))
	if err == nil || errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	return fmt.Errorf("schedule %s: %w", TaskID(caseID, hour), err)
}

// Worker runs checkpoint tasks from the cases queue.
type Worker struct {
	srv *asynq.Server
	mux *asynq.ServeMux
}

// NewWorker returns the checkpoint worker on the Redis of opt. A task calls
// Fire and then schedules the case's next checkpoint; both are idempotent.
func NewWorker(s *Service, opt asynq.RedisConnOpt, concurrency int, log *slog.Logger) *Worker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "returncase.worker")
	if concurrency <= 0 {
		concurrency = 4
	}
	mux := asynq.NewServeMux()
	mux.HandleFunc(TaskCheckpoint, func(ctx context.Context, t *asynq.Task) error {
		var p taskPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil || p.CaseID == 0 {
			return fmt.Errorf("checkpoint task: bad payload: %w", asynq.SkipRetry)
		}
		fired, err := s.Fire(ctx, p.CaseID)
		if err != nil {
			return err
		}
		if len(fired) > 0 {
			log.InfoContext(ctx, "case checkpoint fired", "case", p.CaseID, "hours", fired)
		}
		return s.ScheduleNext(ctx, p.CaseID)
	})
	srv := asynq.NewServer(opt, asynq.Config{
		Concurrency:              concurrency,
		Queues:                   map[string]int{Queue: 1},
		DelayedTaskCheckInterval: time.Second,
		LogLevel:                 asynq.WarnLevel,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			id, _ := asynq.GetTaskID(ctx)
			log.WarnContext(ctx, "checkpoint task failed", "task_id", id, "err", err)
		}),
	})
	return &Worker{srv: srv, mux: mux}
}

// Start starts processing in the background.
func (w *Worker) Start() error {
	if err := w.srv.Start(w.mux); err != nil {
		return fmt.Errorf("case worker: %w", err)
	}
	return nil
}

// Shutdown stops the worker, waiting for running tasks.
func (w *Worker) Shutdown() { w.srv.Shutdown() }

// ScheduleNext schedules the case's next checkpoint task, if any.
func (s *Service) ScheduleNext(ctx context.Context, caseID int64) error {
	if s.sched == nil {
		return nil
	}
	var c struct {
		ID          int64
		OpenedAt    time.Time
		Status      string
		Checkpoint  int
		NextCheckAt *time.Time
	}
	if err := s.db.WithContext(ctx).Table("return_cases").Select("id", "opened_at", "status", "checkpoint", "next_check_at").
		Where("id = ?", caseID).Take(&c).Error; err != nil {
		return nil // gone: nothing to schedule
	}
	if c.Status != model.CaseOpen || c.NextCheckAt == nil {
		return nil
	}
	h := nextAfter(c.Checkpoint)
	if h == 0 {
		return nil
	}
	return s.sched.Schedule(ctx, caseID, h, CheckAt(c.OpenedAt, h))
}
