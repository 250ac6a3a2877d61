package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// Worker is the asynq server that runs outbox handlers.
type Worker struct {
	db  *gorm.DB
	log *slog.Logger
	srv *asynq.Server
	mux *asynq.ServeMux
}

// NewWorker returns a worker on the Redis of opt (infra.Redis.Asynq) running
// up to concurrency handlers at once (10 if not positive) on the given
// queues (DefaultQueue if none).
func NewWorker(db *gorm.DB, opt asynq.RedisConnOpt, concurrency int, log *slog.Logger, queues ...string) *Worker {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "outbox.worker")
	if concurrency <= 0 {
		concurrency = 10
	}
	if len(queues) == 0 {
		queues = []string{DefaultQueue}
	}
	qs := make(map[string]int, len(queues))
	for _, q := range queues {
		qs[q] = 1
	}
	level := asynq.InfoLevel
	if log.Enabled(context.Background(), slog.LevelDebug) {
		level = asynq.DebugLevel
	}
	w := &Worker{db: db, log: log, mux: asynq.NewServeMux()}
	w.srv = asynq.NewServer(opt, asynq.Config{
		Concurrency: concurrency,
		Queues:      qs,
		// The in-process Redis only moves time forward on a ticker; a short
		// check keeps retries and scheduled tasks moving (harmless on Redis).
		DelayedTaskCheckInterval: time.Second,
		Logger:                   slogLogger{log},
		LogLevel:                 level,
		ErrorHandler:             asynq.ErrorHandlerFunc(w.onError),
	})
	return w
}

// Register runs fn, wrapped by Handle, for tasks of kind. Register every kind
// before Start; asynq's mux matches the longest registered prefix of the task
// type and panics on a kind registered twice.
func (w *Worker) Register(kind string, fn HandlerFunc) {
	w.mux.Handle(kind, Handle(w.db, fn))
}

// Start starts processing in the background.
func (w *Worker) Start() error {
	if err := w.srv.Start(w.mux); err != nil {
		return fmt.Errorf("outbox worker: %w", err)
	}
	return nil
}

// Shutdown stops taking tasks, waits for running handlers (up to asynq's
// shutdown timeout; unfinished ones go back to the queue) and stops.
func (w *Worker) Shutdown() { w.srv.Shutdown() }

func (w *Worker) onError(ctx context.Context, t *asynq.Task, err error) {
	id, _ := asynq.GetTaskID(ctx)
	n, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	level, msg := slog.LevelWarn, "outbox task failed; will retry"
	if n >= maxRetry || errors.Is(err, asynq.SkipRetry) {
		level, msg = slog.LevelError, "outbox task failed; archived (not retried)"
	}
	w.log.Log(ctx, level, msg, "task_id", id, "kind", t.Type(), "retry", n, "max_retry", maxRetry, "err", err)
}

// slogLogger adapts slog to asynq.Logger.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) log(level slog.Level, args []any) {
	ctx := context.Background()
	if s.l.Enabled(ctx, level) {
		s.l.Log(ctx, level, "asynq: "+fmt.Sprint(args...))
	}
}

func (s slogLogger) Debug(args ...any) { s.log(slog.LevelDebug, args) }
func (s slogLogger) Info(args ...any)  { s.log(slog.LevelInfo, args) }
func (s slogLogger) Warn(args ...any)  { s.log(slog.LevelWarn, args) }
func (s slogLogger) Error(args ...any) { s.log(slog.LevelError, args) }

// Fatal logs and exits, as asynq.Logger requires.
func (s slogLogger) Fatal(args ...any) {
	s.log(slog.LevelError, args)
	os.Exit(1)
}
