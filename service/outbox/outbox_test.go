package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// effect is a row written by the test handler inside the handler's
// transaction; more than one row for an event is a double effect.
type effect struct {
	ID      int64 `gorm:"primaryKey"`
	EventID int64 `gorm:"not null;index"`
}

func (effect) TableName() string { return "outbox_test_effects" }

// recorder counts handler calls per event and writes one effect row per call.
type recorder struct {
	mu    sync.Mutex
	calls map[int64]int
	fail  map[int64]int // event id -> calls left that return an error
}

func newRecorder() *recorder {
	return &recorder{calls: map[int64]int{}, fail: map[int64]int{}}
}

func (r *recorder) fn(ctx context.Context, tx *gorm.DB, ev model.OutboxEvent) error {
	r.mu.Lock()
	r.calls[ev.ID]++
	failNow := r.fail[ev.ID] > 0
	if failNow {
		r.fail[ev.ID]--
	}
	r.mu.Unlock()
	if err := tx.Create(&effect{ID: model.NewID(), EventID: ev.ID}).Error; err != nil {
		return err
	}
	if failNow {
		return errors.New("injected failure")
	}
	return nil
}

func (r *recorder) callsFor(id int64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[id]
}

func (r *recorder) total() (events, calls int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.calls {
		events++
		calls += n
	}
	return events, calls
}

type env struct {
	db  *gorm.DB
	rds *infra.Redis
}

func setup(t *testing.T) env {
	t.Helper()
	db := testenv.DB(t)
	testenv.Must(t, db.AutoMigrate(&effect{}))
	return env{db: db, rds: testenv.Redis(t)}
}

func (e env) client(t *testing.T) *asynq.Client {
	t.Helper()
	c := asynq.NewClient(e.rds.Asynq)
	t.Cleanup(func() { c.Close() })
	return c
}

func (e env) worker(t *testing.T, rec *recorder, concurrency int) *Worker {
	t.Helper()
	w := NewWorker(e.db, e.rds.Asynq, concurrency, testenv.Logger())
	w.Register(model.EventReturnReported, rec.fn)
	testenv.Must(t, w.Start())
	t.Cleanup(w.Shutdown)
	return w
}

// run starts r.Run and stops it when the test ends (or when stop is called).
func run(t *testing.T, r *Relay) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func addEvents(t *testing.T, db *gorm.DB, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	ids := make([]int64, 0, n)
	for len(ids) < n {
		testenv.Must(t, db.Transaction(func(tx *gorm.DB) error {
			for i := 0; i < 100 && len(ids) < n; i++ {
				ev, err := Add(ctx, tx, model.EventReturnReported, int64(len(ids)+1), map[string]any{"seq": len(ids)})
				if err != nil {
					return err
				}
				ids = append(ids, ev.ID)
			}
			return nil
		}))
	}
	return ids
}

func countWhere(t *testing.T, db *gorm.DB, m any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	testenv.Must(t, db.Model(m).Where(where, args...).Count(&n).Error)
	return n
}

// waitDone waits until n events are done.
func waitDone(t *testing.T, db *gorm.DB, n int64, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		got := countWhere(t, db, &model.OutboxEvent{}, "done_at IS NOT NULL")
		if got >= n {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("after %v: %d of %d events done", within, got, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkOnce asserts exactly one effect row per event and none for others.
func checkOnce(t *testing.T, db *gorm.DB, ids []int64) {
	t.Helper()
	type row struct {
		EventID int64
		N       int64
	}
	var rows []row
	testenv.Must(t, db.Model(&effect{}).Select("event_id, COUNT(*) AS n").Group("event_id").Scan(&rows).Error)
	want := make(map[int64]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	doubles, lost := 0, len(ids)
	for _, r := range rows {
		if !want[r.EventID] {
			t.Errorf("effect for unknown event %d", r.EventID)
			continue
		}
		lost--
		if r.N != 1 {
			doubles++
		}
	}
	if lost != 0 || doubles != 0 {
		t.Fatalf("events %d: lost %d, double effects %d", len(ids), lost, doubles)
	}
}

func fastOptions() RelayOptions {
	return RelayOptions{PollInterval: 20 * time.Millisecond, Batch: 100, SweepAfter: 2 * time.Second, MaxBackoff: 200 * time.Millisecond}
}

func TestAddCommitsWithTransaction(t *testing.T) {
	e := setup(t)
	ctx := context.Background()

	tx := e.db.Begin()
	_, err := Add(ctx, tx, model.EventReturnReported, 7, map[string]int{"x": 1})
	testenv.Must(t, err)
	testenv.Must(t, tx.Rollback().Error)
	if n := countWhere(t, e.db, &model.OutboxEvent{}, "1 = 1"); n != 0 {
		t.Fatalf("rolled-back Add left %d events", n)
	}

	var ev model.OutboxEvent
	testenv.Must(t, e.db.Transaction(func(tx *gorm.DB) error {
		var err error
		ev, err = Add(ctx, tx, model.EventReturnReported, 7, map[string]int{"x": 1})
		return err
	}))
	var got model.OutboxEvent
	testenv.Must(t, e.db.Take(&got, ev.ID).Error)
	if got.Kind != model.EventReturnReported || got.AggregateID != 7 || got.Payload != `{"x":1}` ||
		got.EnqueuedAt != nil || got.DoneAt != nil || got.Attempts != 0 || got.CreatedAt.IsZero() {
		t.Fatalf("stored event %+v", got)
	}

	if _, err := Add(ctx, e.db, "", 1, nil); err == nil {
		t.Fatal("empty kind accepted")
	}
	if _, err := Add(ctx, e.db, model.EventReturnReported, 1, func() {}); err == nil {
		t.Fatal("unmarshalable payload accepted")
	}
	ev, err = Add(ctx, e.db, model.EventReturnReported, 1, nil)
	testenv.Must(t, err)
	body, err := encodeTask(ev)
	testenv.Must(t, err)
	if string(body) != `{"event_id":`+jsonInt(ev.ID)+`,"aggregate_id":1,"payload":null}` {
		t.Fatalf("task body %s", body)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestRelayDeliversEachEventOnce(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	rec := newRecorder()
	e.worker(t, rec, 10)
	ids := addEvents(t, e.db, 20)

	r := NewRelay(e.db, e.client(t), testenv.Logger(), fastOptions())
	stop := run(t, r)
	took := waitDone(t, e.db, int64(len(ids)), 30*time.Second)
	stop()
	t.Logf("%d events handled in %v; relay %+v", len(ids), took.Round(time.Millisecond), r.Stats())

	checkOnce(t, e.db, ids)
	for _, id := range ids {
		if n := rec.callsFor(id); n != 1 {
			t.Errorf("event %d: handler ran %d times", id, n)
		}
	}
	if n := countWhere(t, e.db, &model.OutboxEvent{}, "enqueued_at IS NULL OR done_at IS NULL"); n != 0 {
		t.Fatalf("%d events not enqueued or not done", n)
	}
	if s := r.Stats(); s.Handed != int64(len(ids)) || s.Requeued != 0 || s.Failures != 0 {
		t.Fatalf("stats %+v", s)
	}

	// Nothing left to send or sweep.
	if n, err := r.RelayOnce(ctx); err != nil || n != 0 {
		t.Fatalf("RelayOnce after all done: %d, %v", n, err)
	}
	if n, err := r.SweepOnce(ctx); err != nil || n != 0 {
		t.Fatalf("SweepOnce after all done: %d, %v", n, err)
	}
	// A finished task's id is retained, so a late duplicate hand-off is refused.
	var ev model.OutboxEvent
	testenv.Must(t, e.db.Take(&ev, ids[0]).Error)
	isNew, err := r.enqueue(ctx, ev)
	if err != nil || isNew {
		t.Fatalf("duplicate enqueue of a finished event: new=%v err=%v", isNew, err)
	}
}

func TestHandleIsIdempotent(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	rec := newRecorder()
	h := Handle(e.db, rec.fn)
	ids := addEvents(t, e.db, 3)
	task := func(id int64) *asynq.Task {
		var ev model.OutboxEvent
		testenv.Must(t, e.db.Take(&ev, id).Error)
		body, err := encodeTask(ev)
		testenv.Must(t, err)
		return asynq.NewTask(ev.Kind, body)
	}

	// The same task delivered twice: one effect.
	t0 := task(ids[0])
	testenv.Must(t, h(ctx, t0))
	testenv.Must(t, h(ctx, t0))
	if n := rec.callsFor(ids[0]); n != 1 {
		t.Fatalf("second delivery ran the handler (%d calls)", n)
	}

	// Eight deliveries at once: one effect.
	t1 := task(ids[1])
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h(ctx, t1); err != nil {
				t.Errorf("concurrent delivery: %v", err)
			}
		}()
	}
	wg.Wait()

	// A failing handler rolls its effect back and leaves the event open; the
	// retry applies it.
	rec.fail[ids[2]] = 1
	t2 := task(ids[2])
	if err := h(ctx, t2); err == nil {
		t.Fatal("handler error swallowed")
	}
	if n := countWhere(t, e.db, &model.OutboxEvent{}, "id = ? AND done_at IS NOT NULL", ids[2]); n != 0 {
		t.Fatal("failed event marked done")
	}
	if n := countWhere(t, e.db, &effect{}, "event_id = ?", ids[2]); n != 0 {
		t.Fatal("failed handler's effect committed")
	}
	testenv.Must(t, h(ctx, t2))
	checkOnce(t, e.db, ids)
	if n := countWhere(t, e.db, &model.OutboxEvent{}, "done_at IS NULL"); n != 0 {
		t.Fatalf("%d events not done", n)
	}

	// Undecodable tasks, unknown events and a kind mismatch are not retried.
	for name, tk := range map[string]*asynq.Task{
		"garbage":  asynq.NewTask(model.EventReturnReported, []byte("{")),
		"no id":    asynq.NewTask(model.EventReturnReported, []byte(`{"aggregate_id":1}`)),
		"unknown":  asynq.NewTask(model.EventReturnReported, []byte(`{"event_id":42,"aggregate_id":1,"payload":null}`)),
		"mismatch": asynq.NewTask("other.kind", []byte(`{"event_id":`+jsonInt(model.NewID())+`}`)),
	} {
		if err := h(ctx, tk); !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("%s: want SkipRetry, got %v", name, err)
		}
	}
	ev, err := Add(ctx, e.db, model.EventReturnReported, 1, nil)
	testenv.Must(t, err)
	body, _ := encodeTask(ev)
	if err := h(ctx, asynq.NewTask("other.kind", body)); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("kind mismatch: want SkipRetry, got %v", err)
	}
}

func TestSweeperRecoversFlushedQueue(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	ids := addEvents(t, e.db, 30)
	opt := fastOptions()
	opt.SweepAfter = 300 * time.Millisecond
	r := NewRelay(e.db, e.client(t), testenv.Logger(), opt)

	// Handed to the queue, then Redis loses everything before any worker ran.
	if n, err := r.RelayOnce(ctx); err != nil || n != len(ids) {
		t.Fatalf("RelayOnce: %d, %v", n, err)
	}
	testenv.Must(t, e.rds.Client.FlushAll(ctx).Err())

	rec := newRecorder()
	e.worker(t, rec, 10)
	stop := run(t, r)
	took := waitDone(t, e.db, int64(len(ids)), 30*time.Second)
	stop()
	t.Logf("%d events recovered after FLUSHALL in %v; relay %+v", len(ids), took.Round(time.Millisecond), r.Stats())

	checkOnce(t, e.db, ids)
	for _, id := range ids {
		if n := rec.callsFor(id); n != 1 {
			t.Errorf("event %d: handler ran %d times", id, n)
		}
	}
	if n := countWhere(t, e.db, &model.OutboxEvent{}, "attempts < 1"); n != 0 {
		t.Fatalf("%d events done without a sweep", n)
	}
	if s := r.Stats(); s.Requeued != int64(len(ids)) {
		t.Fatalf("requeued %d, want %d (%+v)", s.Requeued, len(ids), s)
	}
}

func TestRelaySurvivesRedisDown(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	ids := addEvents(t, e.db, 10)

	// A port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	testenv.Must(t, err)
	addr := l.Addr().String()
	l.Close()
	rc := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	dead := asynq.NewClientFromRedisClient(rc)
	t.Cleanup(func() { dead.Close(); rc.Close() })

	down := NewRelay(e.db, dead, testenv.Logger(), fastOptions())
	start := time.Now()
	if _, err := down.RelayOnce(ctx); err == nil {
		t.Fatal("RelayOnce with Redis down reported no error")
	}
	t.Logf("one poll with Redis down failed in %v", time.Since(start).Round(time.Millisecond))
	stop := run(t, down)
	for deadline := time.Now().Add(10 * time.Second); down.Stats().Failures < 3; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("relay with Redis down did not keep retrying: %+v", down.Stats())
		}
	}
	stop()
	if s := down.Stats(); s.Handed != 0 {
		t.Fatalf("relay with Redis down: %+v", s)
	}
	if n := countWhere(t, e.db, &model.OutboxEvent{}, "enqueued_at IS NULL AND done_at IS NULL"); n != int64(len(ids)) {
		t.Fatalf("%d of %d events still unsent while Redis was down", n, len(ids))
	}

	// Redis is back: everything flows, once.
	rec := newRecorder()
	e.worker(t, rec, 10)
	up := NewRelay(e.db, e.client(t), testenv.Logger(), fastOptions())
	run(t, up)
	took := waitDone(t, e.db, int64(len(ids)), 30*time.Second)
	t.Logf("%d events flowed %v after Redis came back; down relay %+v", len(ids), took.Round(time.Millisecond), down.Stats())
	checkOnce(t, e.db, ids)
}

func TestConcurrentRelays1000(t *testing.T) {
	e := setup(t)
	const n = 1000
	ids := addEvents(t, e.db, n)
	rec := newRecorder()
	e.worker(t, rec, 20)

	// SweepAfter (2s) is shorter than the queue may need to drain under
	// -race: the sweepers then hand events that are still queued, and asynq
	// refuses every one of those hand-offs.
	opt := fastOptions()
	relays := []*Relay{
		NewRelay(e.db, e.client(t), testenv.Logger(), opt),
		NewRelay(e.db, e.client(t), testenv.Logger(), opt),
	}
	var stops []func()
	for _, r := range relays {
		stops = append(stops, run(t, r))
	}
	took := waitDone(t, e.db, n, 120*time.Second)
	for _, stop := range stops {
		stop()
	}

	checkOnce(t, e.db, ids)
	events, calls := rec.total()
	if events != n || calls != n {
		t.Fatalf("handler ran %d times for %d events, want %d for %d", calls, events, n, n)
	}
	var sweeps int64
	testenv.Must(t, e.db.Model(&model.OutboxEvent{}).Select("COALESCE(SUM(attempts), 0)").Scan(&sweeps).Error)
	a, b := relays[0].Stats(), relays[1].Stats()
	if a.Handed+b.Handed != n || a.Requeued+b.Requeued != 0 {
		t.Fatalf("relays handed %d+%d, requeued %d+%d", a.Handed, b.Handed, a.Requeued, b.Requeued)
	}
	t.Logf("%d events, 2 relays, dialect %s: all handled exactly once in %v (%.0f/s); relay A %+v, relay B %+v; sweeps %d; lost 0, double effects 0",
		n, infra.Dialect(e.db), took.Round(time.Millisecond), float64(n)/took.Seconds(), a, b, sweeps)
}
