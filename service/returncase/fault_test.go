package returncase

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/match"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/push"
	"github.com/jiuyebang/jiuyebang/service/testenv"
)

// Environment of the worker child process (TestHelperWorkerProcess).
const (
	envChild    = "RETURNCASE_WORKER_CHILD"
	envChildDB  = "RETURNCASE_WORKER_DSN" // MySQL DSN, or "sqlite:<dir>"
	envChildRDS = "RETURNCASE_WORKER_REDIS"
)

func fastRelay() outbox.RelayOptions {
	return outbox.RelayOptions{PollInterval: 20 * time.Millisecond, Batch: 200, SweepAfter: 2 * time.Second, MaxBackoff: 200 * time.Millisecond}
}

// background runs what `jiuyebang worker` runs for cases: the outbox worker
// with the case handlers, the relay, the checkpoint worker and the sweeper.
func background(ctx context.Context, db *gorm.DB, rds asynq.RedisConnOpt, svc *Service) (stop func(), err error) {
	w := outbox.NewWorker(db, rds, 8, testenv.Logger())
	w.Register(model.EventReturnReported, svc.HandleReturnReported)
	w.Register(model.EventCaseScheduled, svc.HandleScheduled)
	w.Register(model.EventJobApproved, svc.HandleJobApproved)
	w.Register(model.EventHireConfirmed, svc.HandleHireConfirmed)
	if err := w.Start(); err != nil {
		return nil, err
	}
	cw := NewWorker(svc, rds, 4, testenv.Logger())
	if err := cw.Start(); err != nil {
		w.Shutdown()
		return nil, err
	}
	client := asynq.NewClient(rds)
	relay := outbox.NewRelay(db, client, testenv.Logger(), fastRelay())
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() { relay.Run(rctx); done <- struct{}{} }()
	go func() {
		svc.RunSweeper(rctx, SweepOptions{Every: 200 * time.Millisecond, Grace: time.Second, RebuildEvery: 500 * time.Millisecond})
		done <- struct{}{}
	}()
	return func() {
		cancel()
		<-done
		<-done
		w.Shutdown()
		cw.Shutdown()
		client.Close()
	}, nil
}

// TestHelperWorkerProcess is the worker child process of the kill -9 test;
// it does nothing unless started by it.
func TestHelperWorkerProcess(t *testing.T) {
	if os.Getenv(envChild) != "1" {
		t.Skip("helper process")
	}
	dsn, dir := os.Getenv(envChildDB), ""
	if d, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		dsn, dir = "", d
	}
	db, err := infra.OpenDB(dsn, dir, testenv.Logger())
	if err != nil {
		t.Fatal(err)
	}
	rds, err := infra.OpenRedis(os.Getenv(envChildRDS), testenv.Logger())
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClient(rds.Asynq)
	m := match.New(db, nil, time.Now, testenv.Logger())
	svc := New(db, m, push.New(db, nil, nil, nil, push.Config{Logger: testenv.Logger()}),
		Options{Logger: testenv.Logger(), Scheduler: NewTimer(client)})
	stop, err := background(context.Background(), db, rds.Asynq, svc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer cancel()
	<-ctx.Done()
	stop()
}

// faultEnv is a database and Redis a child process can reach too.
type faultEnv struct {
	*env
	childDSN string
	rds      *infra.Redis
	redisURL string
}

func setupShared(t *testing.T) *faultEnv {
	t.Helper()
	dir := t.TempDir()
	db, cleanup, err := testenv.NewDB(t.Name(), dir)
	testenv.Must(t, err)
	t.Cleanup(cleanup)
	childDSN := "sqlite:" + dir
	if base := os.Getenv("TEST_MYSQL_DSN"); base != "" {
		var schema string
		testenv.Must(t, db.Raw("SELECT DATABASE()").Scan(&schema).Error)
		dsn, err := infra.MySQLDSN(base)
		testenv.Must(t, err)
		cfg, err := mysql.ParseDSN(dsn)
		testenv.Must(t, err)
		cfg.DBName = schema
		childDSN = cfg.FormatDSN()
	}
	rds := testenv.Redis(t)
	url := ""
	switch o := rds.Asynq.(type) {
	case asynq.RedisClientOpt:
		url = fmt.Sprintf("redis://%s/%d", o.Addr, o.DB)
		if o.Password != "" {
			url = fmt.Sprintf("redis://:%s@%s/%d", o.Password, o.Addr, o.DB)
		}
	default:
		t.Skip("the kill -9 test needs a single Redis")
	}
	clk := newClock()
	e := &env{db: db, clk: clk}
	e.match = match.New(db, nil, time.Now, testenv.Logger())
	e.push = push.New(db, nil, nil, nil, push.Config{Logger: testenv.Logger()})
	e.svc = New(db, e.match, e.push, Options{Logger: testenv.Logger()})
	return &faultEnv{env: e, childDSN: childDSN, rds: rds, redisURL: url}
}

// returns writes n returnees wanting work with their outbox events, in bulk.
func (e *env) returns(t *testing.T, n int, village string) {
	t.Helper()
	ctx := context.Background()
	for done := 0; done < n; {
		testenv.Must(t, e.db.Transaction(func(tx *gorm.DB) error {
			for i := 0; i < 100 && done < n; i, done = i+1, done+1 {
				lab := e.labourerTx(t, tx, village)
				ret := model.ReturnEvent{ID: model.NewID(), LabourerID: lab.ID, ReturnDate: time.Now(), WantsWork: true, Source: model.SourceSelf}
				if err := tx.Create(&ret).Error; err != nil {
					return err
				}
				if _, err := outbox.Add(ctx, tx, model.EventReturnReported, lab.ID, map[string]any{
					"return_event_id": fmt.Sprint(ret.ID), "labourer_id": fmt.Sprint(lab.ID)}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
}

func (e *env) labourerTx(t *testing.T, tx *gorm.DB, village string) *model.Labourer {
	saved := e.db
	e.db = tx
	defer func() { e.db = saved }()
	return e.labourer(t, village, nil)
}

func startChild(t *testing.T, f *faultEnv) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWorkerProcess$", "-test.v")
	cmd.Env = append(os.Environ(), envChild+"=1", envChildDB+"="+f.childDSN, envChildRDS+"="+f.redisURL)
	log, _ := os.Create(filepath.Join(t.TempDir(), "child.log"))
	cmd.Stdout, cmd.Stderr = log, log
	testenv.Must(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("after %v: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start)
}

// TestKillWorkerMidway kills the worker process with SIGKILL in the middle of
// 1,000 returns (200 on the in-process Redis and SQLite), restarts it, and
// checks that every case opened once and every worker got one push.
func TestKillWorkerMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns worker processes")
	}
	n := 200
	if testenv.Real() {
		n = 1000
	}
	f := setupShared(t)
	f.job(t, homeVillage[:6], "general_worker", 4000, nil)
	f.returns(t, n, homeVillage)

	child := startChild(t, f)
	opened := func() int64 { return f.count(t, &model.ReturnCase{}, "1 = 1") }
	waitFor(t, 120*time.Second, "worker opened no cases", func() bool { return opened() >= int64(n/3) })
	testenv.Must(t, child.Process.Signal(syscall.SIGKILL))
	child.Wait()
	atKill := opened()
	t.Logf("killed the worker with SIGKILL after %d of %d cases", atKill, n)

	child = startChild(t, f)
	// asynq hands a task a killed worker held back after its lease expires.
	took := waitFor(t, 180*time.Second, "cases not all opened after the restart", func() bool {
		return opened() == int64(n) && f.count(t, &model.OutboxEvent{}, "done_at IS NULL") == 0 && scheduled(t, f) == n
	})
	child.Process.Signal(syscall.SIGTERM)
	child.Wait()

	type row struct {
		LabourerID int64
		N          int64
	}
	var dup []row
	testenv.Must(t, f.db.Model(&model.Message{}).Select("labourer_id, COUNT(*) AS n").Group("labourer_id").Having("COUNT(*) <> 1").Scan(&dup).Error)
	msgs := f.count(t, &model.Message{}, "1 = 1")
	var perLab []row
	testenv.Must(t, f.db.Model(&model.ReturnCase{}).Select("labourer_id, COUNT(*) AS n").Group("labourer_id").Having("COUNT(*) <> 1").Scan(&perLab).Error)
	lost := int64(n) - opened()
	t.Logf("kill -9 midway: returns %d, cases %d, lost %d, pushed twice %d, messages %d; finished %v after the restart",
		n, opened(), lost, len(dup), msgs, took.Round(time.Millisecond))
	if lost != 0 || len(dup) != 0 || len(perLab) != 0 || msgs != int64(n) {
		t.Fatalf("lost %d, pushed twice %d, labourers with two cases %d, messages %d (want %d)", lost, len(dup), len(perLab), msgs, n)
	}
}

// scheduled counts the checkpoint tasks waiting in the queue. It reads the
// sorted set itself: after a flush asynq's client does not announce the queue
// again, so the inspector would say the queue does not exist.
func scheduled(t *testing.T, f *faultEnv) int {
	n, err := f.rds.Client.ZCard(context.Background(), "asynq:{"+Queue+"}:scheduled").Result()
	testenv.Must(t, err)
	return int(n)
}

// allNextQueued reports whether every open case's next checkpoint task exists.
func allNextQueued(t *testing.T, f *faultEnv) bool {
	var cases []model.ReturnCase
	testenv.Must(t, f.db.Where("status = ?", model.CaseOpen).Find(&cases).Error)
	for _, c := range cases {
		if c.Checkpoint >= 72 {
			continue
		}
		ok, err := f.rds.Client.Exists(context.Background(), "asynq:{"+Queue+"}:t:"+TaskID(c.ID, c.Checkpoint+24)).Result()
		if err != nil || ok != 1 {
			return false
		}
	}
	return true
}

// TestFlushRebuildsCheckpoints flushes Redis while cases are being opened:
// every open case's next checkpoint is scheduled again from the database, and
// a checkpoint that fell due meanwhile is fired by the sweeper.
func TestFlushRebuildsCheckpoints(t *testing.T) {
	n := 40 // SQLite under -race is slow on a busy 2-core machine; the real pass runs 500
	if testenv.Real() {
		n = 500
	}
	f := setupShared(t)
	client := asynq.NewClient(f.rds.Asynq)
	defer client.Close()
	f.svc.sched = NewTimer(client)
	f.job(t, homeVillage[:6], "general_worker", 4000, nil)
	f.returns(t, n, homeVillage)
	stop, err := background(context.Background(), f.db, f.rds.Asynq, f.svc)
	testenv.Must(t, err)
	defer stop()
	opened := func() int64 { return f.count(t, &model.ReturnCase{}, "1 = 1") }
	waitFor(t, 60*time.Second, "no cases", func() bool { return opened() >= int64(n/2) })
	// FLUSHALL of our logical database (the real Redis is shared by the test
	// packages, each on a database of its own: FLUSHDB is its FLUSHALL).
	testenv.Must(t, f.rds.Client.FlushDB(context.Background()).Err())
	t.Logf("flushed Redis with %d of %d cases opened", opened(), n)

	// One case whose 24-hour checkpoint came due while its task was lost.
	var due model.ReturnCase
	testenv.Must(t, f.db.Order("id").Take(&due).Error)
	past := time.Now().Add(-25 * time.Hour)
	testenv.Must(t, f.db.Model(&model.ReturnCase{}).Where("id = ?", due.ID).Updates(map[string]any{
		"opened_at": past, "due_at": past.Add(72 * time.Hour), "next_check_at": past.Add(24 * time.Hour)}).Error)

	polls := 0
	took := waitFor(t, 180*time.Second, "checkpoints not rebuilt", func() bool {
		// Every open case's next checkpoint must be queued again. A count of
		// exactly n would be wrong: the due case may also keep its stale
		// 24-hour task beside the 48-hour one (the stale one fires as a no-op).
		o, sc := opened(), scheduled(t, f)
		if o == int64(n) && sc >= n && allNextQueued(t, f) {
			return true
		}
		if polls++; polls%100 == 0 {
			t.Logf("waiting: %d of %d cases opened, %d checkpoints scheduled", o, n, sc)
		}
		return false
	})
	c := f.caseOf(t, due.LabourerID)
	waitFor(t, 10*time.Second, "the due checkpoint was not fired", func() bool {
		c = f.caseOf(t, due.LabourerID)
		return c.Checkpoint == 24
	})
	// The next checkpoint is scheduled by the case.scheduled outbox event the
	// fire commits, so it reaches Redis a moment after the case row changes.
	waitFor(t, 10*time.Second, "the next checkpoint of the fired case was not scheduled", func() bool {
		ok, err := f.rds.Client.Exists(context.Background(), "asynq:{"+Queue+"}:t:"+TaskID(c.ID, 48)).Result()
		testenv.Must(t, err)
		return ok == 1
	})
	if acts := f.actions(t, c.ID); acts[model.ActionCheckpoint24] != 1 {
		t.Fatalf("checkpoint 24 recorded %d times", acts[model.ActionCheckpoint24])
	}
	t.Logf("FLUSHALL under load: %d open cases, %d checkpoints scheduled again within %v; the lost due one fired once", n, n, took.Round(time.Millisecond))
}

// TestRedisDownEventsWait points the relay at a dead Redis: returns wait in
// the outbox (no case is lost) and flow as soon as Redis answers again.
func TestRedisDownEventsWait(t *testing.T) {
	f := setupShared(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	testenv.Must(t, err)
	dead := l.Addr().String()
	l.Close()
	rc := redis.NewClient(&redis.Options{Addr: dead, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	deadClient := asynq.NewClientFromRedisClient(rc)
	defer deadClient.Close()
	defer rc.Close()

	f.returns(t, 50, homeVillage)
	relay := outbox.NewRelay(f.db, deadClient, testenv.Logger(), fastRelay())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { relay.Run(ctx); close(done) }()
	down := 2 * time.Second // Redis "down" for a while
	if testenv.Real() {
		down = 60 * time.Second // the "Redis stopped for 60 s"
	}
	time.Sleep(down)
	cancel()
	<-done
	if s := relay.Stats(); s.Handed != 0 || s.Failures == 0 {
		t.Fatalf("relay with Redis down: %+v", s)
	}
	waiting := f.count(t, &model.OutboxEvent{}, "kind = ? AND enqueued_at IS NULL", model.EventReturnReported)
	if waiting != 50 || f.count(t, &model.ReturnCase{}, "1 = 1") != 0 {
		t.Fatalf("events waiting %d, want 50", waiting)
	}

	// Redis is back.
	client := asynq.NewClient(f.rds.Asynq)
	defer client.Close()
	f.svc.sched = NewTimer(client)
	stop, err := background(context.Background(), f.db, f.rds.Asynq, f.svc)
	testenv.Must(t, err)
	defer stop()
	took := waitFor(t, 60*time.Second, "events did not flow after Redis came back", func() bool {
		return f.count(t, &model.ReturnCase{}, "1 = 1") == 50
	})
	t.Logf("Redis down %v: %d events waited in the outbox (%d failed polls); all 50 cases opened %v after it came back",
		down, waiting, relay.Stats().Failures, took.Round(time.Millisecond))
}

// TestTimerFiresCheckpointOnQueue runs the real asynq path: a case whose
// 24-hour checkpoint is due in a second is fired by the scheduled task, once.
func TestTimerFiresCheckpointOnQueue(t *testing.T) {
	f := setupShared(t)
	client := asynq.NewClient(f.rds.Asynq)
	defer client.Close()
	f.svc.sched = NewTimer(client)
	lab := f.labourer(t, homeVillage, nil)
	ev := f.returned(t, lab)
	var retID int64
	testenv.Must(t, f.db.Model(&model.ReturnEvent{}).Where("labourer_id = ?", lab.ID).Pluck("id", &retID).Error)
	_ = ev
	t0 := time.Now().Add(-24*time.Hour + time.Second)
	var c *model.ReturnCase
	testenv.Must(t, f.db.Transaction(func(tx *gorm.DB) error {
		var err error
		c, _, err = f.svc.Open(context.Background(), tx, retID, t0)
		return err
	}))
	// Only the queue fires it here (no sweeper): schedule as the outbox handler does.
	testenv.Must(t, f.svc.ScheduleNext(context.Background(), c.ID))
	testenv.Must(t, f.svc.ScheduleNext(context.Background(), c.ID)) // twice: one task
	cw := NewWorker(f.svc, f.rds.Asynq, 2, testenv.Logger())
	testenv.Must(t, cw.Start())
	defer cw.Shutdown()
	took := waitFor(t, 20*time.Second, "checkpoint 24 did not fire", func() bool { return f.caseOf(t, lab.ID).Checkpoint == 24 })
	time.Sleep(500 * time.Millisecond)
	if acts := f.actions(t, c.ID); acts[model.ActionCheckpoint24] != 1 {
		t.Fatalf("checkpoint 24 recorded %d times", acts[model.ActionCheckpoint24])
	}
	insp := asynq.NewInspector(f.rds.Asynq)
	defer insp.Close()
	ti, err := insp.GetTaskInfo(Queue, TaskID(c.ID, 48))
	testenv.Must(t, err)
	if !ti.NextProcessAt.Equal(t0.Add(48*time.Hour).Truncate(time.Second)) && ti.NextProcessAt.Sub(t0.Add(48*time.Hour)).Abs() > time.Second {
		t.Fatalf("48h task at %v, want %v", ti.NextProcessAt, t0.Add(48*time.Hour))
	}
	t.Logf("asynq fired checkpoint 24 %v after it was due; checkpoint 48 scheduled for %v", took.Round(time.Millisecond), ti.NextProcessAt)
}
